"""Early warning, the Frappe side: recompute students' AI Student Profiles from Education's records.

Reads Assessment Results (with their criteria), Student Attendance, the term dates and the company's holiday
list through ``ai_school/education_data.py`` and the app's own Behaviour Incidents, builds the framework-free
records of :mod:`ai_school.core.insights.records`, computes each student's features for the current term
(:func:`~ai_school.core.insights.features.extract_features`) and scores them: with the **active AI Risk Model
version** when there is one (its calibrated probability of failing a course this term, in percent;
``ai_school/insights/risk_model.py`` trains and activates versions), else with the **ABC rule**
(:func:`~ai_school.core.insights.rules.abc_score`). It writes the profile: risk score and tier, one AI Risk
Factor row per indicator (plain words and the points it adds; the points add up to the score, for the model
with a first row for the school's typical risk), one AI Course Standing row per course with its trend since
last term, the attendance rate and the trend of the average.

The pass mark that decides a failing course is AI School Settings' *Pass Mark* when the school sets one, else
the pass grade of the grading scale its results use (read from the scale: a band described "Pass", the band
above those described "Fail", else the band above the bottom one), else 50 %.

When it runs:

- **After a change** (``ai_school/integrations/education/insights.py``): submitting or cancelling an Assessment
  Result or a Student Attendance, saving or deleting a Behaviour Incident calls :func:`queue_recompute`. The
  student goes into a Redis set and one job (``ai_school:insights:recompute``, deduplicated: at most one queued
  or running per site) drains the set in chunks, so a class of 30 marked at once queues one job, and a Data
  Import (which commits every row) queues a job only when none is waiting. The job is queued after the
  transaction commits (once per transaction), and the students are added to the set again then, so a job that
  drained them before the commit computes them again. The job is **debounced**: it starts draining once no
  student was added for :data:`DEBOUNCE_SECONDS` (at most :data:`DEBOUNCE_MAX_SECONDS` after it started), and
  goes on while more arrive, so an import of thousands of rows is computed by one job in a few passes, each
  student once per pass. A student added in the instant between a running job's last look at the set and its
  end waits for the next change or the daily run.
- **Daily** (``daily_long``): :func:`recompute_all` goes through every enabled student in chunks (bounded
  memory), each student in a savepoint (a failure is logged to the Error Log and the rest go on), each chunk
  committed. It also stores the school medians the reasons quote ("school median 4 %") for the next runs.

Nothing here imports numpy or scikit-learn; the core is imported inside the functions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import frappe
from frappe.utils import cint, flt, getdate, now_datetime, today

from ai_school import education_data

PROFILE = "AI Student Profile"
INCIDENT = "Behaviour Incident"
PENDING_KEY = "ai_school:insights:pending"  # Redis set of students waiting for a recompute (per site)
MEDIANS_KEY = "ai_school:insights:medians"  # {term: {indicator: school median}} from the last daily run
LAST_QUEUED_KEY = "ai_school:insights:last_queued"  # when a student was last added to the set (time.time())
JOB_ID = "ai_school:insights:recompute"
CHUNK_SIZE = 50
DEBOUNCE_SECONDS = 2.0  # the drain job waits until no student was added for this long ...
DEBOUNCE_MAX_SECONDS = 30.0  # ... but not longer than this before a pass
HISTORY_TERMS = 6  # the current term and up to five before it (last term's trend, past failures)
MEDIAN_INDICATORS = ("absence_pct", "recent_absence_pct", "score_pct", "incident_day_pct")
STRENGTH_PCT = 80.0  # a course at or above this (or the grading scale's top band) is a strength
TREND_POINTS = 5.0  # a course's change since last term that counts as improving or declining
MODEL_VERSION = "ABC rule"
OTHER_POINTS = 0.5  # model reasons smaller than this (either way) are shown together as one row

_QUEUED_FLAG = "ai_school_insights_queued"  # students queued by this transaction (frappe.flags)


# --- queueing --------------------------------------------------------------------------------------------


def insights_enabled() -> bool:
	return bool(cint(frappe.db.get_single_value("AI School Settings", "enable_insights")))


def queue_recompute(students) -> None:
	"""Recompute these students' profiles soon, in one deduplicated job per site."""
	students = sorted({student for student in students if student})
	if not students or not insights_enabled():
		return
	frappe.cache.sadd(PENDING_KEY, *students)
	_touch()
	queued = frappe.flags.get(_QUEUED_FLAG)
	if queued is None:
		frappe.flags[_QUEUED_FLAG] = queued = set()
		frappe.db.after_commit.add(enqueue_after_commit)
		frappe.db.after_rollback.add(_forget_queued)
	queued.update(students)


def enqueue_after_commit():
	"""after_commit: the transaction's students go into the set again (a running job may have drained them
	before their changes were committed) and one drain job is queued unless one is queued or running (the
	Job, or None when one already was)."""
	students = frappe.flags.pop(_QUEUED_FLAG, None)
	if students:
		frappe.cache.sadd(PENDING_KEY, *students)
		_touch()
	return enqueue_drain()


def _touch() -> None:
	import time

	frappe.cache.set_value(LAST_QUEUED_KEY, time.time(), expires_in_sec=3600)


def _forget_queued() -> None:
	frappe.flags.pop(_QUEUED_FLAG, None)


def enqueue_drain():
	return frappe.enqueue(
		"ai_school.insights.risk.drain_pending",
		queue="long",
		timeout=3600,
		job_id=JOB_ID,
		deduplicate=True,
		debounce=DEBOUNCE_SECONDS,
	)


def pending_students() -> set[str]:
	return {_text(value) for value in frappe.cache.smembers(PENDING_KEY)}


def drain_pending(chunk_size: int = CHUNK_SIZE, commit: bool = True, debounce: float = 0.0) -> int:
	"""The job: recompute the students in the set, ``chunk_size`` at a time, until it is empty. Returns how
	many profiles it wrote. ``debounce`` (seconds; the queued job uses :data:`DEBOUNCE_SECONDS`): before each
	pass, wait until no student was added for that long. ``commit=False`` leaves the work in the caller's
	transaction (tests)."""
	written = 0
	context = None
	while True:
		if debounce:
			wait_until_quiet(debounce)
		students = _pop_pending(chunk_size)
		if not students:
			return written
		context = context or load_context()
		if context is None:
			return written  # no current term: nothing to score (the set is drained, the daily run retries)
		written += _recompute_chunk(students, context, commit=commit)


def wait_until_quiet(quiet: float, longest: float = DEBOUNCE_MAX_SECONDS) -> float:
	"""Sleep until no student was added for ``quiet`` seconds, at most ``longest`` seconds; returns the wait."""
	import time

	started = time.time()
	while True:
		now = time.time()
		last = frappe.cache.get_value(LAST_QUEUED_KEY, expires=True) or 0  # expires: not from frappe.local
		if now - float(last) >= quiet or now - started >= longest:
			return now - started
		time.sleep(min(quiet - (now - float(last)), longest - (now - started), 0.5) + 0.01)


def _pop_pending(count: int) -> list[str]:
	students = []
	for _ in range(count):
		value = frappe.cache.spop(PENDING_KEY)
		if value is None:
			break
		students.append(_text(value))
	return students


def _text(value) -> str:
	return value.decode() if isinstance(value, bytes) else str(value)


# --- daily -----------------------------------------------------------------------------------------------


def recompute_all(chunk_size: int = CHUNK_SIZE, commit: bool = True) -> int:
	"""Scheduler job (daily_long): every enabled student, a chunk at a time; stores the school medians."""
	if not insights_enabled():
		return 0
	context = load_context()
	if context is None:
		return 0
	context.collect_medians = True
	written = 0
	after = ""
	while students := education_data.get_enabled_students_after(after, chunk_size):
		after = students[-1]
		written += _recompute_chunk(students, context, commit=commit)
	_store_medians(context)
	if commit:
		frappe.db.commit()
	return written


def recompute_students(students: list[str], commit: bool = False) -> int:
	"""Recompute the given students now (in this process). Returns how many profiles it wrote."""
	context = load_context()
	if context is None:
		return 0
	written = 0
	for start in range(0, len(students), CHUNK_SIZE):
		written += _recompute_chunk(students[start : start + CHUNK_SIZE], context, commit=commit)
	return written


# --- the school's context, loaded once per job -----------------------------------------------------------


@dataclass
class Context:
	on_date: dt.date
	term: str
	terms: list  # core Term records, oldest first, the current one last
	school_days: list[dt.date]
	pass_mark: float | None  # the school's own pass mark; None: the grading scale's (see the docstring)
	medians: dict[str, dict[str, float]]
	model: object | None = None  # the active version's RiskModel (None: the ABC rule)
	model_name: str | None = None
	collect_medians: bool = False
	collected: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def load_context(on_date: dt.date | None = None) -> Context | None:
	"""The current term with the terms before it, school days and pass mark; None when no term is current."""
	from ai_school.core.insights.records import Term

	on_date = getdate(on_date or today())
	term = education_data.get_current_academic_term()
	if not term:
		return None
	rows = [
		row
		for row in education_data.get_terms_up_to(term, HISTORY_TERMS)
		if getdate(row.term_end_date) >= getdate(row.term_start_date)
	]
	# the current term last, after the terms that started before it (a term starting the same day is left out)
	current = next((row for row in rows if row.name == term), None)
	if current is None:
		return None
	terms = [
		Term(row.name, getdate(row.term_start_date), getdate(row.term_end_date))
		for row in rows
		if getdate(row.term_start_date) < getdate(current.term_start_date)
	]
	terms.append(Term(term, getdate(current.term_start_date), getdate(current.term_end_date)))
	from ai_school.insights.risk_model import load_active

	active = load_active()
	return Context(
		on_date=on_date,
		term=term,
		terms=terms,
		school_days=_school_days(terms),
		pass_mark=school_pass_mark(),
		medians=frappe.cache.get_value(MEDIANS_KEY) or {},
		model=active[1] if active else None,
		model_name=active[0] if active else None,
	)


def school_pass_mark() -> float | None:
	"""AI School Settings' Pass Mark when the school set one (above 0 %); None: use the grading scale's."""
	value = flt(frappe.db.get_single_value("AI School Settings", "pass_mark"))
	return value if value > 0 else None


def _school_days(terms) -> list[dt.date]:
	"""Days the school is open in these terms: the default company's holiday list takes out its holidays
	(weekends included, as ERPNext lists them); days it does not cover, and schools without one, count
	Monday to Friday."""
	company = frappe.defaults.get_global_default("company")
	holidays = education_data.get_company_holidays(company) if company else frappe._dict(dates=set())
	covered_from = getdate(holidays.from_date) if holidays.get("from_date") else None
	covered_to = getdate(holidays.to_date) if holidays.get("to_date") else None
	dates = {getdate(day) for day in holidays.dates}
	days = []
	for term in terms:
		day = term.start
		while day <= term.end:
			covered = covered_from is not None and covered_from <= day <= covered_to
			if (day not in dates) if covered else day.weekday() < 5:
				days.append(day)
			day += dt.timedelta(days=1)
	return days


def _store_medians(context: Context) -> None:
	import statistics

	medians = {name: statistics.median(values) for name, values in context.collected.items() if values}
	stored = dict(frappe.cache.get_value(MEDIANS_KEY) or {})
	stored[context.term] = medians
	frappe.cache.set_value(MEDIANS_KEY, stored)


# --- one chunk -------------------------------------------------------------------------------------------


def _recompute_chunk(students: list[str], context: Context, commit: bool) -> int:
	from ai_school.core.insights.features import extract_features
	from ai_school.core.insights.rules import AbcCutpoints

	try:
		students = education_data.get_existing_students(sorted(set(students)))
		if not students:
			return 0
		cutpoints = AbcCutpoints()
		data, strength_pct = _school_data(students, context)
		# every loaded term: a course's trend compares with the last earlier term that had it
		features = extract_features(
			data, as_of=context.on_date, students=students, settings=cutpoints.feature_settings()
		)
	except Exception:
		frappe.log_error(title="AI School early warning: could not load a chunk of students")
		return 0
	history = defaultdict(list)  # student -> their features per term, oldest first
	for item in features:
		history[item.student].append(item)
	written = 0
	for student in students:
		terms = history.get(student, [])
		current = terms[-1] if terms and terms[-1].term == context.term else None
		if current is None:
			continue
		last_term = {}  # course -> its percentage in the last earlier term that had it
		for earlier in terms[:-1]:
			last_term.update((course.course, course.pct) for course in earlier.courses)
		frappe.db.savepoint("ai_school_risk")
		try:
			write_profile(student, current, last_term, context, cutpoints, strength_pct)
			written += 1
		except Exception:
			frappe.db.rollback(save_point="ai_school_risk")
			frappe.log_error(title=f"AI School early warning: could not update the profile of {student}")
		if context.collect_medians:
			for name in MEDIAN_INDICATORS:
				value = getattr(current, name)
				if value is not None:
					context.collected[name].append(value)
	if commit:
		frappe.db.commit()
	return written


def _school_data(students: list[str], context: Context):
	"""SchoolData for these students (every record from the first loaded term to today) and the percentage
	from which a course counts as a strength (the top band of the grading scale most used this term)."""
	from ai_school.core.insights.records import (
		AssessmentRecord,
		AttendanceRecord,
		CriterionScore,
		GradeBand,
		GradingScale,
		Incident,
		SchoolData,
	)
	from ai_school.insights.doctype.behaviour_incident.behaviour_incident import SEVERITY_POINTS

	first, last = context.terms[0].start, min(context.on_date, context.terms[-1].end)
	term_names = {term.name for term in context.terms}

	results = education_data.get_submitted_assessment_results(students, sorted(term_names))
	plans = education_data.get_assessment_plan_dates(
		sorted({r.assessment_plan for r in results if r.assessment_plan})
	)
	criteria = defaultdict(list)
	for row in education_data.get_assessment_result_criteria([r.name for r in results]):
		criteria[row.parent].append(
			CriterionScore(row.assessment_criteria, flt(row.score), flt(row.maximum_score))
		)
	records, scales = [], Counter()
	for result in results:
		plan = plans.get(result.assessment_plan) or frappe._dict()
		date = getdate(plan.schedule_date) if plan.get("schedule_date") else None
		term = result.academic_term or plan.get("academic_term") or _term_of(date, context.terms)
		if term not in term_names:
			continue
		records.append(
			AssessmentRecord(
				student=result.student,
				course=result.course,
				term=term,
				score=None if result.total_score is None else flt(result.total_score),
				maximum=flt(result.maximum_score) or None,
				criteria=tuple(criteria.get(result.name, ())),
				grade=result.grade,
				date=date,
			)
		)
		if term == context.term and result.grading_scale:
			scales[result.grading_scale] += 1

	grading_scale, strength_pct = None, STRENGTH_PCT
	if scales:
		bands = education_data.get_grading_scale_bands(scales.most_common(1)[0][0])
		if bands:
			grading_scale = GradingScale(
				tuple(GradeBand(b.grade_code, flt(b.threshold), b.grade_description) for b in bands)
			)
			strength_pct = max(flt(b.threshold) for b in bands)

	attendance = [
		AttendanceRecord(row.student, getdate(row.date), row.status)
		for row in education_data.get_submitted_student_attendance(students, first, last)
	]
	incidents = [
		Incident(row.student, getdate(row.date), SEVERITY_POINTS.get(row.severity, 1))
		for row in frappe.get_all(
			INCIDENT,
			filters={"student": ("in", students), "date": ("between", [first, last])},
			fields=["student", "date", "severity"],
		)
	]
	data = SchoolData(
		terms=context.terms,
		results=records,
		attendance=attendance,
		incidents=incidents,
		school_days=context.school_days,
		grading_scale=grading_scale,
		pass_mark=context.pass_mark,
		enrolments={context.term: students},
	)
	return data, strength_pct


def _term_of(date, terms) -> str | None:
	if date is None:
		return None
	for term in reversed(terms):
		if term.contains(date):
			return term.name
	return None


# --- the profile -----------------------------------------------------------------------------------------


def write_profile(
	student: str, current, last_term: dict[str, float], context: Context, cutpoints, strength_pct: float
) -> str:
	"""Write one student's AI Student Profile from their features this term; `last_term` maps a course to its
	percentage in the last earlier term that had it (for the course's trend).

	A new profile is inserted through the ORM (naming, fetched fields, the controller's checks). An existing
	one, which the daily job rewrites for every student, is written in five queries under a lock on its row:
	its computed fields, then its two child tables replaced in one insert each, with the rows' ``user`` set as
	the controller's ``set_row_users`` does (through ``save()`` it took about 32 queries and 50 ms a student:
	the document read twice, each child row inserted on its own)."""
	score = risk_score(current, context, cutpoints)
	values = {
		"risk_score": round(score.score, 2),
		"risk_level": score.tier,
		"trend": current.trend.capitalize() if current.trend else None,
		"attendance_rate": None if current.absence_pct is None else 100 - current.absence_pct,
		"last_computed": now_datetime(),
		"model_version": f"{context.model_name or MODEL_VERSION} ({context.term})",
	}
	children = {
		"factors": factor_rows(score),
		"course_standings": [
			{
				"course": course.course,
				"score_percent": round(course.pct, 2),
				"standing": _standing(course, current.pass_mark, cutpoints, strength_pct),
				"trend": _course_trend(course.pct, last_term.get(course.course)),
			}
			for course in current.courses
		],
	}
	existing = frappe.db.get_value(PROFILE, student, ["name", "user"], as_dict=True, for_update=True)
	in_range = all(0 <= flt(values[field]) <= 100 for field in ("risk_score", "attendance_rate"))
	if existing and in_range:
		_update_profile(student, existing.user, values, children)
		return student
	doc = frappe.get_doc(PROFILE, student, for_update=True) if existing else frappe.new_doc(PROFILE)
	doc.student = student
	doc.update(values)
	for fieldname, rows in children.items():
		doc.set(fieldname, [])
		for row in rows:
			doc.append(fieldname, row)
	doc.flags.ignore_permissions = True  # server-computed: protect_computed_fields lets this write through
	doc.save(ignore_permissions=True)  # a value out of range is refused by the controller
	return doc.name


_CHILD_DOCTYPES = {"factors": "AI Risk Factor", "course_standings": "AI Course Standing"}


def _update_profile(student: str, user: str | None, values: dict, children: dict[str, list[dict]]) -> None:
	from frappe.utils import now

	# as the ORM stores them: an empty number is 0 (NOT NULL columns), an empty text NULL (on child rows "")
	values = {key: flt(value) if key in _NUMERIC_FIELDS else value for key, value in values.items()}
	frappe.db.set_value(PROFILE, student, values)  # also modified / modified_by, and the document cache
	stamp, by = now(), frappe.session.user
	for fieldname, rows in children.items():
		doctype = _CHILD_DOCTYPES[fieldname]
		frappe.db.delete(doctype, {"parent": student, "parenttype": PROFILE, "parentfield": fieldname})
		if not rows:
			continue
		columns = [*_CHILD_COLUMNS, *rows[0]]
		head = (by, stamp, stamp, by, 0)
		frappe.db.bulk_insert(
			doctype,
			columns,
			[
				(
					frappe.generate_hash(length=10),
					*head,
					idx,
					student,
					PROFILE,
					fieldname,
					user,
					*(flt(value) if key in _NUMERIC_FIELDS else value or "" for key, value in row.items()),
				)
				for idx, row in enumerate(rows, 1)
			],
		)


_NUMERIC_FIELDS = frozenset(("risk_score", "attendance_rate", "value", "impact", "score_percent"))
_CHILD_COLUMNS = (
	"name",
	"owner",
	"creation",
	"modified",
	"modified_by",
	"docstatus",
	"idx",
	"parent",
	"parenttype",
	"parentfield",
	"user",
)


def risk_score(current, context: Context, cutpoints):
	"""The active model's score when there is one, else the ABC rule's."""
	medians = context.medians.get(context.term)
	if context.model is not None:
		return context.model.explain([current], medians=medians)[0]
	from ai_school.core.insights.rules import abc_score

	return abc_score(current, cutpoints, medians)


def factor_rows(score) -> list[dict]:
	"""AI Risk Factor rows whose impacts add up to the score. The rule's points are whole numbers, one row
	per indicator. The model's (percentage points of probability, rounded to 0.01) start from a row for the
	school's typical student, which also takes the rounding; reasons under :data:`OTHER_POINTS` either way
	are shown together."""
	rows = []
	if score.method != "model":
		for reason in sorted(score.contributions, key=lambda c: (-c.points, c.name)):
			rows.append(_factor(reason.label, reason.value, reason.points, reason.text))
		return rows
	small = [c for c in score.contributions if abs(c.points) < OTHER_POINTS]
	for reason in sorted(
		(c for c in score.contributions if abs(c.points) >= OTHER_POINTS), key=lambda c: (-c.points, c.name)
	):
		rows.append(_factor(reason.label, reason.value, round(reason.points, 2), reason.text))
	if small:
		points = round(sum(c.points for c in small), 2)
		names = ", ".join(c.label.lower() for c in sorted(small, key=lambda c: -abs(c.points))[:4])
		text = f"{len(small)} other indicators together ({names}{', ...' if len(small) > 4 else ''})"
		rows.append(_factor("Other indicators", None, points, text))
	typical = round(round(score.score, 2) - sum(row["impact"] for row in rows), 2)
	rows.insert(
		0,
		_factor(
			"Typical student",
			None,
			typical,
			f"A student with this school's typical indicators: {score.base:.1f} % risk of failing a course "
			"this term (the model's starting point)",
		),
	)
	return rows


def _factor(label: str, value, points: float, text: str) -> dict:
	return {
		"factor": label,
		"value": flt(value) if isinstance(value, int | float) else None,
		"impact": points,
		"explanation": text,
	}


def _standing(course, pass_mark: float, cutpoints, strength_pct: float) -> str:
	if course.failing or course.pct < pass_mark + cutpoints.borderline_margin:
		return "Weakness"
	if course.pct >= strength_pct:
		return "Strength"
	return "On Track"


def _course_trend(pct: float, previous: float | None) -> str | None:
	if previous is None:
		return None
	if pct - previous >= TREND_POINTS:
		return "Improving"
	if pct - previous <= -TREND_POINTS:
		return "Declining"
	return "Stable"


def queue_recompute_all():
	"""Every profile is scored again (after this transaction commits): by the risk model version now in use,
	or with the pass mark now set."""
	frappe.enqueue(
		"ai_school.insights.risk.recompute_all",
		queue="long",
		timeout=3600,
		job_id="ai_school:insights:recompute_all",
		deduplicate=True,
		enqueue_after_commit=True,
	)
