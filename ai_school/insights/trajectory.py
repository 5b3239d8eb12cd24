"""A student's early-warning trajectory: the ABC risk score and attendance per term, computed from the records.

Nothing is stored. Each term's point is computed on request, the same way the profile is
(:mod:`ai_school.insights.risk` loads the records, :func:`~ai_school.core.insights.features.extract_features`
computes the features per term, :func:`~ai_school.core.insights.rules.abc_score` scores them), for the current
term and up to five terms before it (``risk.HISTORY_TERMS``). Why computed and not snapshotted at each
recompute:

- it works from the first day, with the terms before the app was installed: a snapshot table starts empty;
- every point is scored by the same rule, so the line compares like with like (a snapshot keeps whatever
  cut-points or data were current that day, and a late-marked absence never reaches last term's snapshot);
- there is nothing to migrate, back-fill, prune or cover in personal-data requests.

What it cannot show is how the score moved *within* a term (the profile's trend says how it moved since last
term). A finished term's point uses everything up to the term's end; the current term's uses today's records and
the profile's own scoring (the active risk model's when the school has one, see :mod:`ai_school.insights.risk_model`),
so it equals the profile's score once the profile has been recomputed.

Interventions mark the chart when the Intervention DocType exists (built in parallel): each one's start date,
placed in the term that holds it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import asdict, dataclass

import frappe
from frappe.utils import get_fullname, getdate

from ai_school.insights import risk

# the Intervention DocType (item 7 of the early-warning issue) and the fields the trajectory reads
INTERVENTION = "AI Intervention"
OPEN_INTERVENTION_STATUSES = ("Draft", "Planned", "Open", "Active", "In Progress", "On Hold")


@dataclass(frozen=True)
class TermPoint:
	term: str
	start: dt.date
	end: dt.date
	complete: bool  # the term had ended (the point is final)
	risk_score: float
	risk_level: str
	attendance_pct: float | None  # share of recorded school days present; None: no attendance recorded
	average_pct: float | None  # mean of the term's course percentages; None: no results
	failing_courses: int

	def as_dict(self) -> dict:
		return asdict(self)


def term_points(students: list[str], context: risk.Context | None = None) -> dict[str, list[TermPoint]]:
	"""Each student's points, oldest term first (a term without any record of theirs has no point)."""
	from ai_school.core.insights.features import extract_features
	from ai_school.core.insights.rules import AbcCutpoints, abc_score

	students = sorted(set(students))
	context = context or risk.load_context()
	out: dict[str, list[TermPoint]] = {student: [] for student in students}
	if context is None or not students:
		return out
	cutpoints = AbcCutpoints()
	data, _strength = risk._school_data(students, context)
	ends = {term.name: term for term in context.terms}
	for features in extract_features(
		data, as_of=context.on_date, students=students, settings=cutpoints.feature_settings()
	):
		term = ends[features.term]
		if features.term != context.term and not _has_evidence(features):
			continue  # listed as enrolled in the context's term only: nothing on record in this one
		# the current term's point is the profile's own score (the active model's once the school has one);
		# finished terms are scored by the rule, the same for each
		if features.term == context.term:
			score = risk.risk_score(features, context, cutpoints)
		else:
			score = abc_score(features, cutpoints)
		out[features.student].append(
			TermPoint(
				term=term.name,
				start=term.start,
				end=term.end,
				complete=features.complete,
				risk_score=float(score.score),
				risk_level=score.tier,
				attendance_pct=None if features.absence_pct is None else round(100 - features.absence_pct, 1),
				average_pct=None if features.score_pct is None else round(features.score_pct, 1),
				failing_courses=features.n_failing,
			)
		)
	return out


def previous_term_levels(
	students: list[str], context: risk.Context | None = None
) -> tuple[str | None, dict[str, str]]:
	"""The term before the current one and each student's risk level in it (students with no record then are
	left out)."""
	context = context or risk.load_context()
	if context is None or len(context.terms) < 2:
		return None, {}
	previous = context.terms[-2]
	# the records up to the end of that term are enough (half the loading of the whole trajectory)
	until_then = dataclasses.replace(
		context,
		term=previous.name,
		terms=context.terms[:-1],
		on_date=min(context.on_date, previous.end),
		school_days=[day for day in context.school_days if day <= previous.end],
		collect_medians=False,
	)
	levels = {}
	for student, points in term_points(students, until_then).items():
		for point in points:
			if point.term == previous.name and _had_records(point):
				levels[student] = point.risk_level
	return previous.name, levels


def _has_evidence(features) -> bool:
	return bool(features.courses or features.days_recorded or features.incidents)


def _had_records(point: TermPoint) -> bool:
	return point.attendance_pct is not None or point.average_pct is not None


def intervention_markers(student: str, terms: list[TermPoint]) -> list[dict]:
	"""The student's interventions the session user may read, by start date, each placed in its term."""
	if not interventions_available():
		return []
	fields = [
		field
		for field in ("name", "status", "start_date", "goal", "title")
		if _has_field(INTERVENTION, field)
	]
	if "start_date" not in fields:
		return []
	rows = frappe.get_list(
		INTERVENTION,
		filters={"student": student, "start_date": ("is", "set")},
		fields=fields,
		order_by="start_date asc",
		limit_page_length=100,
	)
	markers = []
	for row in rows:
		start = getdate(row.start_date)
		term = next((point.term for point in terms if point.start <= start <= point.end), None)
		markers.append(
			{
				"name": row.name,
				"start_date": start,
				"term": term,
				"status": row.get("status"),
				"title": row.get("title") or row.get("goal"),
			}
		)
	return markers


def open_interventions(student: str) -> list[dict]:
	"""The student's interventions that are not closed, as the session user may read them."""
	if not interventions_available():
		return []
	wanted = ("name", "status", "start_date", "goal", "title", "owner_user", "assigned_to", "tier")
	fields = [field for field in wanted if _has_field(INTERVENTION, field)]
	filters = {"student": student}
	if _has_field(INTERVENTION, "status"):
		statuses = _select_options(INTERVENTION, "status")
		open_ones = [status for status in statuses if status in OPEN_INTERVENTION_STATUSES]
		if open_ones:
			filters["status"] = ("in", open_ones)
	rows = frappe.get_list(
		INTERVENTION, filters=filters, fields=fields, order_by="creation desc", limit_page_length=20
	)
	for row in rows:
		if row.get("owner_user"):
			row.owner_name = get_fullname(row.owner_user)
	return rows


def interventions_available() -> bool:
	return bool(frappe.db.exists("DocType", INTERVENTION)) and _has_field(INTERVENTION, "student")


def _has_field(doctype: str, fieldname: str) -> bool:
	return fieldname == "name" or bool(frappe.get_meta(doctype).get_field(fieldname))


def _select_options(doctype: str, fieldname: str) -> list[str]:
	field = frappe.get_meta(doctype).get_field(fieldname)
	return [option for option in (field.options or "").split("\n") if option] if field else []
