"""Early warning for the desk panels and for other clients: whitelisted methods, permission-checked first.

- ``get_student_panel(student)`` (GET): the student's risk tier, score and reasons (AI Risk Factor rows, in
  plain words with numbers, largest first), course standings, attendance, the trajectory and, for staff, the
  open interventions.
- ``get_trajectory(student)`` (GET): the ABC risk score, attendance and average per term, oldest first, and
  the interventions' start dates (``ai_school/insights/trajectory.py`` says why it is computed, not stored).
- ``get_group_health(student_group)`` (GET): a class's tier distribution, who moved tier since last term and
  the at-risk students with their top reason.
- ``get_at_risk(student_group=None, tier=None)`` (GET): High and Critical students (or one tier) the user
  may see, with their top reason, highest score first.
- ``get_result_insight(assessment_result)`` (GET): the result's Assessment Insight, if the user may read one.
- ``recompute_student(student)`` (POST): recompute the profile now (staff of that student only).

Who sees a student's risk: staff who may read the student's records (System Manager, Education Manager,
Academics User; an Instructor for the active students of the groups they teach this academic year: see
``ai_school/permissions.py``); the student themself only when AI School Settings' *Show Risk Scores to
Students* is on, guardians their wards' only with *Show Risk Scores to Guardians*. Those get the tier,
score and reasons only: no interventions, no recompute. Everyone else gets a PermissionError. A class's
health and the at-risk lists are staff-only. The decision is the AI Student Profile's own permission
(DocPerm plus the record rules), so the panels, the form and REST agree.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint
from frappe.utils.html_utils import sanitize_html

from ai_school import education_data, permissions, rate_limits
from ai_school.insights import risk, trajectory

PROFILE = risk.PROFILE
FACTOR = "AI Risk Factor"
STANDING = "AI Course Standing"
INSIGHT = "Assessment Insight"
INSIGHT_GAP = "Assessment Insight Gap"

LEVELS = ("Low", "Medium", "High", "Critical")  # lowest first
AT_RISK_LEVELS = ("Critical", "High")
COLOURS = {"Low": "green", "Medium": "yellow", "High": "orange", "Critical": "red"}
NOT_COMPUTED = "Not computed"
RECOMPUTE_LIMIT = 30  # per user and minute
MAX_AT_RISK = 1000

PROFILE_FIELDS = [
	"name",
	"student",
	"student_name",
	"risk_score",
	"risk_level",
	"trend",
	"attendance_rate",
	"last_computed",
	"model_version",
]


# --- who may see what ------------------------------------------------------------------------------------


def risk_access(student: str, user: str | None = None) -> str | None:
	"""How `user` may see this student's risk: "staff", "family" (shared by the settings) or None."""
	user = user or frappe.session.user
	if not student or user == "Guest":
		return None
	if frappe.db.exists(PROFILE, student):
		doc = frappe.get_doc(PROFILE, student)
	else:  # not computed yet: the same rules decide on a profile that would be about this student
		doc = frappe.new_doc(PROFILE)
		doc.student = student
	if not frappe.has_permission(PROFILE, "read", doc=doc, user=user):
		return None
	scope = permissions.get_scope(user)
	return "staff" if scope.read_all or student in scope.taught else "family"


def _check_student(student: str) -> str:
	if not student or not education_data.get_existing_students([student]):
		frappe.throw(_("Student {0} does not exist.").format(student), frappe.DoesNotExistError)
	access = risk_access(student)
	if access is None:
		frappe.throw(
			_(
				"Only the student's teachers this academic year and school leaders can see their early warning."
			),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	return access


def may_see_group(student_group: str, user: str | None = None) -> bool:
	"""Read-all staff for any group; an Instructor for the enabled groups they teach this academic year."""
	user = user or frappe.session.user
	if user == "Guest" or not student_group:
		return False
	if permissions.get_scope(user).read_all:
		return True
	return student_group in {group.name for group in education_data.get_current_groups_taught_by_user(user)}


def _check_group(student_group: str) -> None:
	if not student_group or not education_data.get_student_group_details([student_group]):
		frappe.throw(_("Student Group {0} does not exist.").format(student_group), frappe.DoesNotExistError)
	if not may_see_group(student_group):
		frappe.throw(
			_("Only the group's instructors this academic year and school leaders can see its class health."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def _check_staff() -> None:
	if not permissions.is_staff():
		frappe.throw(
			_("Only staff can list students at risk."), frappe.PermissionError, title=_("Not Permitted")
		)


# --- the student -----------------------------------------------------------------------------------------


@frappe.whitelist(methods=["GET"])
def get_student_panel(student: str) -> dict:
	access = _check_student(student)
	return _student_panel(student, access)


def _student_panel(student: str, access: str) -> dict:
	profile = frappe.db.get_value(PROFILE, student, PROFILE_FIELDS, as_dict=True)
	out = {
		"student": student,
		"student_name": (profile and profile.student_name)
		or education_data.get_student_names([student]).get(student),
		"profile": None,
		"reasons": [],
		"course_standings": [],
		"trajectory": _trajectory(student, staff=access == "staff"),
		"interventions": trajectory.open_interventions(student) if access == "staff" else [],
		"interventions_available": access == "staff" and trajectory.interventions_available(),
		"can_recompute": access == "staff" and risk.insights_enabled(),
		"levels": list(LEVELS),
		"colours": COLOURS,
	}
	if not profile:
		return out
	out["profile"] = {**profile, "colour": COLOURS.get(profile.risk_level, "gray")}
	out["reasons"] = frappe.get_all(
		FACTOR,
		filters={"parent": student, "parenttype": PROFILE, "parentfield": "factors"},
		fields=["factor", "value", "impact", "explanation"],
		order_by="impact desc, idx asc",
	)
	standings = frappe.get_all(
		STANDING,
		filters={"parent": student, "parenttype": PROFILE, "parentfield": "course_standings"},
		fields=["course", "score_percent", "standing", "trend"],
		order_by="idx asc",
	)
	titles = {course: education_data.get_course_title(course) for course in {s.course for s in standings}}
	out["course_standings"] = [{**row, "course_name": titles.get(row.course)} for row in standings]
	return out


@frappe.whitelist(methods=["GET"])
def get_trajectory(student: str) -> dict:
	access = _check_student(student)
	return {"student": student, **_trajectory(student, staff=access == "staff")}


def _trajectory(student: str, staff: bool) -> dict:
	from ai_school.core.insights.scores import Tiers

	points = trajectory.term_points([student]).get(student, [])
	tiers = Tiers()
	return {
		"terms": [point.as_dict() for point in points],
		"thresholds": {"medium": tiers.medium, "high": tiers.high, "critical": tiers.critical},
		# interventions are staff records: the student and guardians see the scores only
		"interventions": trajectory.intervention_markers(student, points) if staff else [],
	}


@frappe.whitelist(methods=["POST"])
def recompute_student(student: str) -> dict:
	"""Recompute the student's profile now and return the panel."""
	access = _check_student(student)
	if access != "staff":
		frappe.throw(
			_("Only staff can recompute a risk score."), frappe.PermissionError, title=_("Not Permitted")
		)
	if not risk.insights_enabled():
		frappe.throw(
			_("Early warning is switched off in AI School Settings."), frappe.ValidationError, title=_("Off")
		)
	rate_limits.consume("insights.recompute", RECOMPUTE_LIMIT, 60)
	if not risk.recompute_students([student]):
		frappe.throw(
			_("No current academic term, or no records this term: there is nothing to score yet."),
			frappe.ValidationError,
			title=_("Nothing to Score"),
		)
	return _student_panel(student, access)


# --- the class -------------------------------------------------------------------------------------------


@frappe.whitelist(methods=["GET"])
def get_group_health(student_group: str) -> dict:
	_check_group(student_group)
	students = education_data.get_group_students([student_group])[student_group]
	profiles = _profiles(students)
	counts = {level: 0 for level in reversed(LEVELS)}
	counts[NOT_COMPUTED] = 0
	for student in students:
		level = profiles[student].risk_level if student in profiles else None
		counts[level if level in counts else NOT_COMPUTED] += 1

	context = risk.load_context()
	previous_term, before = trajectory.previous_term_levels(students, context)
	names = _names(students, profiles)
	moved = []
	for student in students:
		now, then = profiles.get(student) and profiles[student].risk_level, before.get(student)
		if now in LEVELS and then in LEVELS and now != then:
			moved.append(
				{
					"student": student,
					"student_name": names.get(student),
					"from": then,
					"to": now,
					"direction": "up" if LEVELS.index(now) > LEVELS.index(then) else "down",
				}
			)
	moved.sort(key=lambda row: (row["direction"] != "up", row["student_name"] or row["student"]))
	return {
		"student_group": student_group,
		"students": len(students),
		"term": context and context.term,
		"previous_term": previous_term,
		"tiers": counts,
		"colours": COLOURS,
		"moved": moved,
		"at_risk": _at_risk_rows([p for p in profiles.values() if p.risk_level in AT_RISK_LEVELS], names),
	}


@frappe.whitelist(methods=["GET"])
def get_at_risk(student_group: str | None = None, tier: str | None = None, limit: int = MAX_AT_RISK) -> list:
	_check_staff()
	if tier and tier not in LEVELS:
		frappe.throw(
			_("Tier must be one of {0}.").format(", ".join(LEVELS)), frappe.ValidationError, title=_("Tier")
		)
	levels = [tier] if tier else list(AT_RISK_LEVELS)
	limit = min(max(cint(limit), 1), MAX_AT_RISK)
	filters = {"risk_level": ("in", levels)}
	if student_group:
		_check_group(student_group)
		filters["student"] = ("in", education_data.get_group_students([student_group])[student_group] or [""])
	# the record rules narrow the list to the students the user may see (an instructor: this year's classes)
	profiles = frappe.get_list(
		PROFILE,
		filters=filters,
		fields=PROFILE_FIELDS,
		order_by="risk_score desc, name asc",
		limit_page_length=limit,
	)
	return _at_risk_rows(profiles, {p.student: p.student_name for p in profiles})


def _profiles(students: list[str]) -> dict[str, frappe._dict]:
	if not students:
		return {}
	rows = frappe.get_all(PROFILE, filters={"student": ("in", students)}, fields=PROFILE_FIELDS)
	return {row.student: row for row in rows}


def _names(students: list[str], profiles: dict) -> dict[str, str]:
	names = education_data.get_student_names([s for s in students if s not in profiles])
	names.update({student: row.student_name for student, row in profiles.items()})
	return names


def _at_risk_rows(profiles: list, names: dict[str, str]) -> list[dict]:
	"""Profiles with their top reason (the factor adding most points), highest score first."""
	top = _top_reasons([p.student for p in profiles])
	rows = []
	for profile in sorted(profiles, key=lambda p: (-(p.risk_score or 0), p.student)):
		reason = top.get(profile.student)
		rows.append(
			{
				"student": profile.student,
				"student_name": names.get(profile.student) or profile.student_name,
				"risk_level": profile.risk_level,
				"risk_score": profile.risk_score,
				"colour": COLOURS.get(profile.risk_level, "gray"),
				"trend": profile.trend,
				"attendance_rate": profile.attendance_rate,
				"top_reason": reason and reason.explanation,
				"top_reason_factor": reason and reason.factor,
				"top_reason_points": reason and reason.impact,
			}
		)
	return rows


def _top_reasons(students: list[str]) -> dict[str, frappe._dict]:
	if not students:
		return {}
	rows = frappe.get_all(
		FACTOR,
		filters={"parent": ("in", students), "parenttype": PROFILE, "impact": (">", 0)},
		fields=["parent", "factor", "impact", "explanation"],
		order_by="impact desc, idx asc",
	)
	top = {}
	for row in rows:
		top.setdefault(row.parent, row)
	return top


# --- the assessment result -------------------------------------------------------------------------------


INSIGHT_FIELDS = (
	"name",
	"status",
	"student",
	"course",
	"student_group",
	"suggestions",
	"score_percent",
	"group_mean_percent",
	"group_size",
	"previous_percent",
	"trend",
	"trend_points",
	"computed_on",
	"modified",
)


@frappe.whitelist(methods=["GET"])
def get_result_insight(assessment_result: str) -> dict | None:
	"""The Assessment Insight of this result with its gaps per criterion, or None when there is none the user
	may read (students and guardians: only a Shared one)."""
	if not assessment_result or not education_data.get_assessment_result_context(assessment_result):
		frappe.throw(
			_("Assessment Result {0} does not exist.").format(assessment_result), frappe.DoesNotExistError
		)
	frappe.has_permission("Assessment Result", "read", doc=assessment_result, throw=True)
	meta = frappe.get_meta(INSIGHT)
	fields = [f for f in INSIGHT_FIELDS if f in ("name", "modified") or meta.get_field(f)]
	insights = frappe.get_list(
		INSIGHT,
		filters={"assessment_result": assessment_result},
		fields=fields,
		order_by="modified desc",
		limit_page_length=1,
	)
	if not insights:
		return None
	insight = insights[0]
	insight.suggestions = sanitize_html(insight.suggestions) if insight.get("suggestions") else None
	insight.gaps = frappe.get_all(
		INSIGHT_GAP,
		filters={"parent": insight.name, "parenttype": INSIGHT},
		fields=["assessment_criteria", "student_score", "maximum_score", "group_mean", "gap", "note"],
		order_by="idx asc",
	)
	return insight
