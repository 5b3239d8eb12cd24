"""The trained risk model in production: retraining, model versions (AI Risk Model) and the active version.

**Retraining** (:func:`retrain`, a job on the long queue, one at a time per site: job id
``ai_school:insights:retrain``): goes through every student in chunks of :data:`CHUNK_SIZE` (memory stays
bounded whatever the school's size), reads their results, attendance and behaviour in the last
:data:`MAX_TERMS` ended Academic Terms through the same loader as the daily recompute
(``ai_school/insights/risk.py``, which reads ERPNext through ``education_data``), and turns them into labelled
examples: each student's features at a quarter, half and three quarters of every ended term, with the term's
outcome (failed at least one course by the pass mark: the school's own setting, else its grading scale's) and
the ABC rule's score then. :func:`ai_school.core.insights.training.train_version` validates in time order
(earlier terms predict later ones), next to the rule on the same rows, fits on everything and decides. Every
run stores an **AI Risk Model** version with its metrics and the decision in plain words; it becomes Active
only with enough labelled history and when it beats or matches the rule (the thresholds are documented in
the core module). Otherwise the early warning keeps the rule (or the version already active).
Progress goes to the user who asked (``frappe.publish_progress``); the end is announced with an
``ai_school:risk_model`` realtime event.

**When**: the *Retrain* button (managers, ``ai_school.api.risk_model.retrain``), and a daily job
(:func:`retrain_after_term_end`) that retrains once a term has ended :data:`GRACE_DAYS` days ago (late final
results are usually in by then) and no version covers it yet.

**Use**: :func:`load_active` gives the active version to the recompute, which then scores with its
calibrated probability and per-indicator contributions that add up to it (``RiskModel.explain``).

Nothing here imports numpy or scikit-learn at module level.
"""

from __future__ import annotations

import json
import time

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate, now_datetime, today

from ai_school import education_data

DOCTYPE = "AI Risk Model"
ACTIVE, RETIRED, NOT_ACTIVATED = "Active", "Retired", "Not Activated"
JOB_ID = "ai_school:insights:retrain"
REALTIME_EVENT = "ai_school:risk_model"
CHUNK_SIZE = 200  # students per chunk while gathering examples
MAX_TERMS = 12  # the latest ended terms trained on (about four to six school years)
GRACE_DAYS = 7  # the daily job retrains this many days after a term ends
TIMEOUT = 3600


# --- queueing --------------------------------------------------------------------------------------------


def enqueue_retrain():
	"""Queue a retrain unless one is queued or running on this site; the Job, or None when one already is."""
	return frappe.enqueue(
		"ai_school.insights.risk_model.retrain",
		queue="long",
		timeout=TIMEOUT,
		job_id=JOB_ID,
		deduplicate=True,
	)


def is_retraining() -> bool:
	from frappe.utils.background_jobs import is_job_enqueued

	return bool(is_job_enqueued(JOB_ID))


def retrain_after_term_end() -> None:
	"""Scheduler (daily): retrain when :func:`term_to_retrain` names a term."""
	if term_to_retrain():
		enqueue_retrain()


def term_to_retrain() -> str | None:
	"""The latest term that ended at least :data:`GRACE_DAYS` days ago when no version was trained on it yet
	(a refused run stores a version too, so this asks once per term); None otherwise or with early warning
	switched off."""
	from ai_school.insights.risk import insights_enabled

	if not insights_enabled():
		return None
	terms = education_data.get_terms_ended_before(add_days(today(), -GRACE_DAYS + 1), limit=1)
	if not terms or frappe.db.exists(DOCTYPE, {"last_term": terms[-1].name}):
		return None
	return terms[-1].name


# --- the job ---------------------------------------------------------------------------------------------


def retrain(
	chunk_size: int = CHUNK_SIZE,
	on_date=None,
	terms: list[str] | None = None,
	requirement=None,
	commit: bool = True,
) -> dict:
	"""The job: gather examples, train, validate, store a version and activate it when it qualifies.
	Returns a summary (also sent as the realtime event). ``terms`` trains on these ended terms instead of the
	last :data:`MAX_TERMS`; ``requirement`` replaces the core's HistoryRequirement; ``commit=False`` leaves the
	work in the caller's transaction (tests)."""
	started = time.monotonic()
	user = frappe.session.user
	try:
		summary = _retrain(chunk_size, getdate(on_date or today()), terms, requirement, started)
	except Exception:
		if not commit:
			raise
		frappe.db.rollback()
		frappe.log_error(title="AI School early warning: retraining the risk model failed")
		summary = {"version": None, "status": None, "message": _("Retraining failed; see the Error Log.")}
	if commit:
		frappe.db.commit()
	frappe.publish_realtime(REALTIME_EVENT, summary, user=user, after_commit=commit)
	return summary


def _retrain(chunk_size: int, on_date, names, requirement, started: float) -> dict:
	from ai_school.core.insights.training import train_version

	if names:
		terms = [row for row in education_data.get_terms(names) if getdate(row.term_end_date) < on_date]
	else:
		terms = education_data.get_terms_ended_before(on_date, limit=MAX_TERMS)
	if not terms:
		return {
			"version": None,
			"status": None,
			"message": _("No Academic Term has ended yet: nothing to train on. The ABC rule stays in use."),
		}
	examples, pass_mark = gather_examples(terms, on_date, chunk_size)
	_progress(75, _("Training and validating on {0} examples").format(len(examples)))
	order = [row.name for row in terms]
	result = train_version(
		examples,
		order,
		requirement=requirement,
		make_model=make_model,
		progress=lambda message: _progress(80, message),
	)
	_progress(95, _("Storing the model version"))
	doc = store_version(result, terms, pass_mark, time.monotonic() - started)
	_progress(100, _("Done"))
	return summarise(doc)


def evaluate(
	terms: list[str] | None = None, chunk_size: int = CHUNK_SIZE, on_date=None, pass_mark: float | None = None
) -> dict:
	"""A dry run for developers and the benchmark: train and validate exactly as :func:`retrain` does, store
	nothing, and return the counts, the held-out metrics (pooled, per term, per moment of the term) of the
	model and the rule, and the decision. ``pass_mark`` replaces AI School Settings' (0: the grading
	scale's). Prints them as JSON when run with ``bench execute``:

		bench --site SITE execute ai_school.insights.risk_model.evaluate [--kwargs "{'pass_mark': 0}"]
	"""
	from ai_school.core.insights.training import train_version

	on_date = getdate(on_date or today())
	if terms:
		rows = [row for row in education_data.get_terms(terms) if getdate(row.term_end_date) < on_date]
	else:
		rows = education_data.get_terms_ended_before(on_date, limit=MAX_TERMS)
	if not rows:
		return {"message": "No Academic Term has ended yet."}
	started = time.monotonic()
	examples, pass_mark = gather_examples(rows, on_date, chunk_size, pass_mark)
	gathered = time.monotonic()
	result = train_version(examples, [row.name for row in rows], make_model=make_model)
	version = result.version or {}
	return {
		"pass_mark": pass_mark,
		"training": version.get("training"),
		"validation": version.get("validation"),
		"activate": result.activate,
		"reasons": result.reasons,
		"seconds": {"gather": gathered - started, "train": time.monotonic() - gathered},
	}


def gather_examples(terms, on_date, chunk_size: int = CHUNK_SIZE, pass_mark: float | None = None):
	"""Labelled examples of every student in the ended ``terms`` (frappe rows, oldest first), a chunk of
	students at a time; and the pass mark the outcomes used. ``pass_mark`` replaces the school's setting
	(0: the grading scale's)."""
	from ai_school.core.insights.records import Term
	from ai_school.core.insights.rules import AbcCutpoints
	from ai_school.core.insights.training import training_examples
	from ai_school.insights import risk

	core_terms = [Term(row.name, getdate(row.term_start_date), getdate(row.term_end_date)) for row in terms]
	context = risk.Context(
		on_date=on_date,
		term=core_terms[-1].name,
		terms=core_terms,
		school_days=risk._school_days(core_terms),
		pass_mark=risk.school_pass_mark() if pass_mark is None else (flt(pass_mark) or None),
		medians={},
	)
	cutpoints = AbcCutpoints()
	names = [term.name for term in core_terms]
	total = max(education_data.count_students(), 1)
	examples, used, done, after = [], None, 0, ""
	while students := education_data.get_students_with_results_after(names, after, chunk_size):
		after = students[-1]
		data, _strength = risk._school_data(students, context)
		if used is None and data.results:
			used = data.resolved_pass_mark()
		examples.extend(training_examples(data, today=on_date, cutpoints=cutpoints))
		done += len(students)
		_progress(min(70, 70 * done // total), _("Read the history of {0} students").format(f"{done:,}"))
	return examples, used


def store_version(result, terms, pass_mark, duration: float):
	"""An AI Risk Model version from a training result, made Active when the result says so."""
	version = result.version or {}
	training = version.get("training", {})
	validation = version.get("validation", {})
	pooled = validation.get("pooled") or {}
	model, rule = pooled.get("model") or {}, pooled.get("rule") or {}
	reasons = list(result.reasons)
	if result.activate:
		reasons.append(_("Activated: the early warning now scores students with this version."))
	elif frappe.db.exists(DOCTYPE, {"status": ACTIVE}):
		reasons.append(_("Not activated: the version already active stays in use."))
	else:
		reasons.append(_("Not activated: the ABC rule stays in use."))
	trained_terms = training.get("terms") or [row.name for row in terms]
	doc = frappe.new_doc(DOCTYPE)
	doc.update(
		{
			"status": NOT_ACTIVATED,
			"decision": "\n".join(reasons),
			"trained_on": now_datetime(),
			"trained_by": frappe.session.user,
			"duration": round(duration, 1),
			"first_term": trained_terms[0] if trained_terms else None,
			"last_term": terms[-1].name,
			"terms": len(trained_terms),
			"student_terms": training.get("student_terms", 0),
			"positives": training.get("positives", 0),
			"rows": training.get("rows", 0),
			"pass_mark": pass_mark,
			"validation_scheme": _("Temporal: trained on earlier terms, tested on the next"),
			"test_terms": ", ".join(row["term"] for row in validation.get("by_term", [])),
			"test_rows": model.get("n", 0),
			"f1": model.get("f1"),
			"accuracy": model.get("pcc"),
			"roc_auc": model.get("roc_auc"),
			"brier": model.get("brier"),
			"rule_f1": rule.get("f1"),
			"rule_accuracy": rule.get("pcc"),
			"rule_roc_auc": rule.get("roc_auc"),
			"rule_brier": rule.get("brier"),
			"parameters": json.dumps({k: v for k, v in version.items() if k != "validation"})
			if version
			else None,
			"validation": json.dumps(validation) if validation else None,
		}
	)
	doc.insert(ignore_permissions=True)
	if result.activate:
		doc.status = ACTIVE
		doc.save(ignore_permissions=True)
	return doc


def summarise(doc) -> dict:
	return {
		"version": doc.name,
		"status": doc.status,
		"message": doc.decision,
		"metrics": {
			"model": {"f1": doc.f1, "accuracy": doc.accuracy, "roc_auc": doc.roc_auc, "brier": doc.brier},
			"rule": {
				"f1": doc.rule_f1,
				"accuracy": doc.rule_accuracy,
				"roc_auc": doc.rule_roc_auc,
				"brier": doc.rule_brier,
			},
		},
		"trained_on": {
			"terms": doc.terms,
			"last_term": doc.last_term,
			"student_terms": doc.student_terms,
			"positives": doc.positives,
			"rows": doc.rows,
		},
		"seconds": doc.duration,
	}


def make_model():
	"""The model a school's history trains: L2-regularised (RiskModel's "auto" also tries L1, whose liblinear
	path takes minutes on the thousands of examples of a 2,000-student school; on the 420-student demo L2 is
	within 0.004 ROC AUC and 0.003 Brier of it on the later term)."""
	from ai_school.core.insights.model import RiskModel

	return RiskModel(penalty="l2", random_state=0)


def _progress(percent: int, description: str) -> None:
	frappe.publish_progress(percent, title=_("Retraining the risk model"), description=description)


# --- the active version ----------------------------------------------------------------------------------


def load_active():
	"""(version name, RiskModel) of the active version, or None (the ABC rule is used). A version that cannot
	be read is logged and the rule is used."""
	rows = frappe.get_all(
		DOCTYPE,
		filters={"status": ACTIVE},
		fields=["name", "parameters"],
		order_by="version desc",
		limit=1,
	)
	if not rows or not rows[0].parameters:
		return None
	try:
		from ai_school.core.insights.model import RiskModel

		return rows[0].name, RiskModel.from_dict(frappe.parse_json(rows[0].parameters))
	except Exception:
		frappe.log_error(title=f"AI School early warning: cannot read {rows[0].name}; using the ABC rule")
		return None


def active_summary() -> dict | None:
	rows = frappe.get_all(DOCTYPE, filters={"status": ACTIVE}, pluck="name", order_by="version desc", limit=1)
	return summarise(frappe.get_doc(DOCTYPE, rows[0])) if rows else None
