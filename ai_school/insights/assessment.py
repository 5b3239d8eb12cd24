"""Assessment Insights, the Frappe side: one insight per submitted Assessment Result.

The numbers come from :mod:`ai_school.core.insights.assessment` (gaps per criterion against the mean of the
Assessment Plan's submitted results, the trend against the student's earlier results in the course,
templated suggestions); this module reads the results through ``ai_school/education_data.py`` and writes
the Assessment Insight.

When it runs:

- **After a submit** (``ai_school/integrations/education/insights.py``): the result's Assessment Plan goes into
  a Redis set and one job (``ai_school:insights:assessment``, deduplicated: at most one queued or running per
  site) refreshes every plan in the set, so submitting a class of 30 queues one job, not 30. A plan is
  refreshed as a whole: each submitted result without an insight gets a Draft one, and the Draft insights of
  its classmates get the new group means (a mean changes with every result that comes in). Insights a
  teacher has moved on (Reviewed, Shared, Withdrawn) keep their numbers; suggestions a teacher edited
  (source *Teacher*) are never rewritten.
- **After a cancel**: the result's insight becomes Withdrawn at once, in the cancelling transaction (no
  window where the family still sees it), and the plan is refreshed for the classmates' means.
- **After a delete** of a cancelled result: its insights are deleted with it.

Wording: when a provider is configured (AI School Settings) and every active member of the plan's group has
a submitted result (the means are final), the job asks the model to reword the templated suggestions of each
insight it has just written, through the gateway (``llm.complete_json``, feature *Insights*), after the numbers
are committed, so a slow provider holds no row locks. The payload holds numbers, criterion names and the course
title, with the site's people names replaced by placeholders; the model's text is kept only if every number in
it is a computed one (``core...accept_wording``) and the insight is still that Draft, else the templates stay.
An insight is reworded when its numbers change, not again for the same ones; after the first provider
failure in a run the job stops asking until the next run.

``backfill(since=...)`` creates the missing insights of plans scheduled since a date (results written in
bulk without document events, e.g. the demo), without rewording unless ``word=True``. A plan whose
transaction the database picks as a deadlock victim (e.g. a migrate touching the same rows) is tried again.
"""

from __future__ import annotations

import frappe
from frappe.utils import cint, escape_html, flt, getdate, now_datetime

from ai_school import education_data, llm

INSIGHT = "Assessment Insight"
PENDING_KEY = "ai_school:insights:assessment:pending"  # Redis set of Assessment Plans to refresh (per site)
JOB_ID = "ai_school:insights:assessment"
JOB_TIMEOUT = 3600
DRAFT, SHARED, WITHDRAWN = "Draft", "Shared", "Withdrawn"
RULE, MODEL, TEACHER = "Rule", "Model", "Teacher"
TREND_LABELS = {
	"improving": "Improving",
	"stable": "Stable",
	"declining": "Declining",
	"first": "First Result",
}

_QUEUED_FLAG = "ai_school_assessment_insights_queued"  # plans queued by this transaction (frappe.flags)


# --- document events -------------------------------------------------------------------------------------


def result_submitted(doc) -> None:
	"""Assessment Result on_submit: refresh its plan's insights soon."""
	queue_plans([doc.assessment_plan])


def result_cancelled(doc) -> None:
	"""Assessment Result on_cancel: withdraw its insight now; the plan's other Drafts get new means later."""
	for name in frappe.get_all(INSIGHT, filters={"assessment_result": doc.name}, pluck="name"):
		insight = frappe.get_doc(INSIGHT, name)
		if insight.status != WITHDRAWN:
			insight.status = WITHDRAWN
			insight.flags.ignore_permissions = True
			insight.save(ignore_permissions=True)
	queue_plans([doc.assessment_plan])


def result_deleted(doc) -> None:
	"""Assessment Result on_trash: its insights go with it (before Frappe's check for linked documents)."""
	for name in frappe.get_all(INSIGHT, filters={"assessment_result": doc.name}, pluck="name"):
		frappe.delete_doc(INSIGHT, name, ignore_permissions=True, force=True)


# --- queueing --------------------------------------------------------------------------------------------


def insights_enabled() -> bool:
	return bool(cint(frappe.db.get_single_value("AI School Settings", "enable_insights")))


def queue_plans(plans) -> None:
	"""Refresh these plans' insights soon, in one deduplicated job per site (queued after the commit)."""
	plans = sorted({plan for plan in plans if plan})
	if not plans or not insights_enabled():
		return
	frappe.cache.sadd(PENDING_KEY, *plans)
	queued = frappe.flags.get(_QUEUED_FLAG)
	if queued is None:
		frappe.flags[_QUEUED_FLAG] = queued = set()
		frappe.db.after_commit.add(_enqueue_after_commit)
		frappe.db.after_rollback.add(_forget_queued)
	queued.update(plans)


def _enqueue_after_commit() -> None:
	# the plans go into the set again: a running job may have drained them before this commit
	plans = frappe.flags.pop(_QUEUED_FLAG, None)
	if plans:
		frappe.cache.sadd(PENDING_KEY, *plans)
	enqueue_drain()


def _forget_queued() -> None:
	frappe.flags.pop(_QUEUED_FLAG, None)


def enqueue_drain():
	return frappe.enqueue(
		"ai_school.insights.assessment.drain_pending",
		queue="long",
		timeout=JOB_TIMEOUT,
		job_id=JOB_ID,
		deduplicate=True,
	)


def pending_plans() -> set[str]:
	return {_text(value) for value in frappe.cache.smembers(PENDING_KEY)}


def _text(value) -> str:
	return value.decode() if isinstance(value, bytes) else str(value)


def drain_pending(commit: bool = True) -> int:
	"""The job: refresh the plans in the set until it is empty, each plan in its own savepoint (and committed
	unless ``commit=False``, for tests), then reword what is due. Returns how many insights it created or
	updated."""
	wording = Wording() if provider_configured() else None
	written = 0
	while (value := frappe.cache.spop(PENDING_KEY)) is not None:
		written += _refresh_safely(_text(value), commit, wording)
	return written


def backfill(since=None, commit: bool = True, word: bool = False) -> int:
	"""Create the missing insights (and refresh the Drafts) of every submitted plan scheduled on or after
	``since`` (default: the start of the current academic term). Runs here, not in a job. ``word``: also
	reword the suggestions through the provider (one call per insight: off by default)."""
	if since is None:
		term = education_data.get_current_academic_term()
		dates = education_data.get_term_dates(term) if term else None
		since = dates.term_start_date if dates else getdate()
	wording = Wording() if word and provider_configured() else None
	written = 0
	for plan in education_data.get_plans_with_results_since(getdate(since)):
		written += _refresh_safely(plan, commit, wording)
	return written


SAVEPOINT = "ai_school_assessment_insight"
ATTEMPTS = 2  # a plan whose transaction the database chose as a deadlock victim is tried once more


def _refresh_safely(plan: str, commit: bool, wording: Wording | None = None) -> int:
	"""Refresh one plan's numbers in a savepoint (committed), then reword the insights it wrote, each call
	made with no transaction open on them (a slow provider holds no row locks)."""
	for attempt in range(ATTEMPTS):
		frappe.db.savepoint(SAVEPOINT)
		try:
			written, course, to_word = refresh_plan(plan, wording_due=wording is not None)
			break
		except frappe.QueryDeadlockError:
			# the database rolled the whole transaction back (the savepoint with it)
			frappe.db.rollback()
			if attempt + 1 == ATTEMPTS:
				frappe.log_error(title=f"AI School insights: could not refresh the insights of {plan}")
				return 0
		except Exception:
			_rollback_to_savepoint()
			frappe.log_error(title=f"AI School insights: could not refresh the insights of {plan}")
			if commit:
				frappe.db.commit()
			return 0
	if commit:
		frappe.db.commit()
	for name, insight in to_word:
		if wording is None or wording.down:
			break
		wording.apply(name, insight, course)
		if commit:
			frappe.db.commit()
	return written


def _rollback_to_savepoint() -> None:
	try:
		frappe.db.rollback(save_point=SAVEPOINT)
	except Exception:
		frappe.db.rollback()  # the savepoint went with a rolled back transaction


# --- one plan --------------------------------------------------------------------------------------------


def refresh_plan(plan: str, wording_due: bool = False) -> tuple[int, str | None, list]:
	"""Create or update the insights of every submitted result of ``plan`` (numbers and templated
	suggestions). Returns how many it wrote, the course, and the (insight, core insight) pairs to reword:
	those it wrote with templated suggestions, once every active member of the group has a result (the
	means no longer move) and ``wording_due``."""
	from ai_school.core.insights.assessment import build_insight

	results = education_data.get_submitted_results_of_plans([plan])
	if not results:
		return 0, None, []
	group_scores = _scores(results)
	course = results[0].course
	previous = _previous_by_student([r.student for r in results], course, exclude_plan=plan)
	pass_mark = pass_mark_for(results[0].grading_scale)
	existing = _insights_by_result([r.name for r in results])
	complete = wording_due and _group_complete(results)
	written, to_word = 0, []
	for result in results:
		insight = build_insight(
			group_scores[result.name],
			list(group_scores.values()),
			previous.get(result.student, []),
			pass_mark=pass_mark,
		)
		doc = _write(result, insight, existing.get(result.name))
		if doc is None:
			continue
		written += 1
		if complete and doc.source == RULE:
			to_word.append((doc.name, insight))
	return written, course, to_word


def _scores(results) -> dict:
	from ai_school.core.insights.assessment import ResultScores
	from ai_school.core.insights.records import CriterionScore

	criteria: dict[str, list] = {}
	for row in education_data.get_assessment_result_criteria([r.name for r in results]):
		criteria.setdefault(row.parent, []).append(
			CriterionScore(row.assessment_criteria, flt(row.score), flt(row.maximum_score))
		)
	dates = education_data.get_assessment_plan_dates(sorted({r.assessment_plan for r in results}))
	return {
		r.name: ResultScores(
			name=r.name,
			student=r.student,
			criteria=tuple(criteria.get(r.name, ())),
			score=None if r.total_score is None else flt(r.total_score),
			maximum=flt(r.maximum_score) or None,
			date=_plan_date(dates, r.assessment_plan),
		)
		for r in results
	}


def _plan_date(dates: dict, plan: str):
	row = dates.get(plan)
	return getdate(row.schedule_date) if row and row.get("schedule_date") else None


def _previous_by_student(students: list[str], course: str, exclude_plan: str) -> dict[str, list]:
	"""Each student's other submitted results in the course (the core keeps those dated up to this one)."""
	from ai_school.core.insights.assessment import ResultScores

	rows = [
		row
		for row in education_data.get_submitted_results_in_course(sorted(set(students)), course)
		if row.assessment_plan != exclude_plan
	]
	dates = education_data.get_assessment_plan_dates(sorted({r.assessment_plan for r in rows}))
	previous: dict[str, list] = {}
	for row in rows:
		previous.setdefault(row.student, []).append(
			ResultScores(
				name=row.name,
				student=row.student,
				score=None if row.total_score is None else flt(row.total_score),
				maximum=flt(row.maximum_score) or None,
				date=_plan_date(dates, row.assessment_plan),
			)
		)
	return previous


def pass_mark_for(grading_scale: str | None) -> float:
	"""AI School Settings' Pass Mark when the school set one (above 0 %), else the pass grade's threshold of
	the result's grading scale (as the early warning reads it), else 50 %."""
	from ai_school.core.insights.records import DEFAULT_PASS_MARK, GradeBand, GradingScale

	value = flt(frappe.db.get_single_value("AI School Settings", "pass_mark"))
	if value > 0:
		return value
	bands = education_data.get_grading_scale_bands(grading_scale) if grading_scale else []
	if bands:
		scale = GradingScale(
			tuple(GradeBand(b.grade_code, flt(b.threshold), b.grade_description) for b in bands)
		)
		if scale.pass_mark is not None:
			return scale.pass_mark
	return DEFAULT_PASS_MARK


def _insights_by_result(results: list[str]) -> dict[str, frappe._dict]:
	rows = frappe.get_all(
		INSIGHT,
		filters={"assessment_result": ("in", results)},
		fields=["name", "assessment_result", "status", "source", "facts_hash"],
		order_by="creation asc",
	)
	return {row.assessment_result: row for row in rows}


def _group_complete(results) -> bool:
	"""Every active member of the plan's group has a submitted result (the means no longer move)."""
	group = results[0].student_group
	members = set(education_data.get_group_students([group]).get(group, [])) if group else set()
	return bool(members) and members <= {r.student for r in results}


def provider_configured() -> bool:
	config = llm.gateway_config()
	return bool(config.api_key and config.models)


def _write(result, insight, stored):
	"""Create the result's insight or refresh a Draft one. Returns the saved document, or None."""
	if stored is not None:
		if stored.status != DRAFT:
			return None  # a teacher has moved it on: its numbers are the ones they saw
		if stored.facts_hash == insight.facts_hash():
			return None  # nothing new to say
		doc = frappe.get_doc(INSIGHT, stored.name)
	else:
		doc = frappe.new_doc(INSIGHT)
		doc.assessment_result = result.name
		doc.status = DRAFT
	set_numbers(doc, insight)
	if doc.source != TEACHER:
		doc.suggestions = suggestions_html(insight.suggestions)
		doc.source, doc.model = RULE, None
	doc.flags.ignore_permissions = True  # server-computed: protect_computed_fields lets this write through
	doc.save(ignore_permissions=True)
	return doc


def set_numbers(doc, insight) -> None:
	trend = insight.trend
	doc.score_percent = _rounded(insight.score_pct)
	doc.group_mean_percent = _rounded(insight.group_mean_pct)
	doc.group_size = insight.group_size
	doc.previous_percent = _rounded(trend.previous_pct)
	doc.trend = TREND_LABELS[trend.direction]
	doc.trend_points = _rounded(trend.change)
	doc.set("gaps", [])
	for gap in insight.gaps:
		doc.append(
			"gaps",
			{
				"assessment_criteria": gap.criterion,
				"student_score": gap.student_score,
				"maximum_score": gap.maximum,
				"group_mean": _rounded(gap.group_mean, 2),
				"group_count": gap.group_count,
				"note": gap.note,
			},
		)
	doc.facts_hash = insight.facts_hash()
	doc.computed_on = now_datetime()


def _rounded(value, digits: int = 1) -> float:
	return 0 if value is None else round(float(value), digits)


def suggestions_html(suggestions) -> str:
	"""The suggestions as an escaped bullet list (Text Editor field)."""
	items = "".join(f"<li>{escape_html(text)}</li>" for text in suggestions)
	return f"<ul>{items}</ul>" if items else ""


# --- wording through the gateway -------------------------------------------------------------------------


class Wording:
	"""Rewords suggestions through the gateway for one job run. After the first provider failure (or a
	refusal: budget, feature switched off) it stops asking for the rest of the run; the templates stay."""

	def __init__(self):
		self._redactor = None
		self._titles: dict[str, str] = {}
		self.down = False

	@property
	def redactor(self):
		from ai_school.core.tutor.redact import Redactor

		if self._redactor is None:
			self._redactor = Redactor(names=education_data.get_people_names())
		return self._redactor

	def reword(self, insight, course: str, reference: str | None = None):
		"""The model's suggestions for ``insight`` and the model's name, or None: a failure, or words whose
		numbers are not the computed ones."""
		from ai_school.core.insights.assessment import WORDING_SHAPE, accept_wording, wording_messages

		if self.down:
			return None
		if course not in self._titles:
			self._titles[course] = education_data.get_course_title(course)
		payload = self.redactor.redact_messages(wording_messages(insight, self._titles[course]))
		try:
			data, completion = llm.complete_json(
				"Insights",
				payload,
				WORDING_SHAPE,
				reference=(INSIGHT, reference) if reference else None,
				temperature=0.3,
			)
		except frappe.ValidationError:  # AIUnavailableError, AIBudgetExceededError, feature switched off
			frappe.local.message_log = []  # frappe.throw queued a message for a web response; a job has none
			self.down = True
			return None
		if isinstance(data, dict) and isinstance(data.get("suggestions"), list):
			data = {"suggestions": [self.redactor.restore(str(text)) for text in data["suggestions"]]}
		accepted = accept_wording(data, insight)
		return (accepted, completion.model) if accepted is not None else None

	def apply(self, name: str, insight, course: str) -> bool:
		"""Reword insight ``name`` (the call holds no lock on it), then save the words if it is still the
		Draft with these numbers and templated suggestions."""
		worded = self.reword(insight, course, reference=name)
		if worded is None:
			return False
		suggestions, model = worded
		doc = frappe.get_doc(INSIGHT, name, for_update=True)
		if doc.status != DRAFT or doc.source != RULE or doc.facts_hash != insight.facts_hash():
			return False  # changed while the model was writing
		doc.suggestions = suggestions_html(suggestions)
		doc.source, doc.model = MODEL, model
		doc.flags.ignore_permissions = True
		doc.save(ignore_permissions=True)
		return True
