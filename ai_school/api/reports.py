"""The early-warning reports as an API: the same rows as the Script Reports, from the same functions
(``ai_school/insights/analytics.py``).

- ``class_comparison(...)`` (GET): per student group of a term or year: students, mean score %, share failing
  a course, attendance %, students approaching chronic / chronically absent, current risk tiers.
- ``subject_analysis(...)`` (GET): per course: students, mean and median %, pass rate by the pass mark, grades
  by the grading scale, every assessment criterion's score (weakest first).
- ``at_risk_students(...)`` (GET): the At-Risk Students report's rows (program, group, tier, minimum score);
  ``ai_school.api.insights.get_at_risk`` is the panels' shorter list (one group or tier, top reason only).
- ``attendance_risk(...)`` (GET): students by share of days absent between two dates, with bands and streaks.

Each checks first that the user may open the report (its roles: Instructor, Academics User, Education
Manager, System Manager, and report permission on AI Student Profile), as the desk does; students, guardians
and other users get a PermissionError. Instructors get the students (and, in Class Comparison, the groups)
they teach this academic year. Empty year and term mean the current ones (Education Settings).
"""

from __future__ import annotations

import frappe
from frappe.desk.query_report import get_report_doc

from ai_school.insights import analytics


def _authorize(report: str) -> None:
	"""The desk's own check for running a report (roles, then report permission on its DocType)."""
	get_report_doc(report)


def _filters(**values) -> frappe._dict:
	return frappe._dict({key: value for key, value in values.items() if value not in (None, "")})


@frappe.whitelist(methods=["GET"])
def class_comparison(
	academic_year: str | None = None,
	academic_term: str | None = None,
	program: str | None = None,
	student_group: str | None = None,
	course: str | None = None,
	group_based_on: str | None = None,
) -> dict:
	_authorize(analytics.CLASS_COMPARISON)
	result = analytics.class_comparison(
		_filters(
			academic_year=academic_year,
			academic_term=academic_term,
			program=program,
			student_group=student_group,
			course=course,
			group_based_on=group_based_on,
		)
	)
	return {
		**result.period.as_dict(),
		"group_based_on": result.group_based_on,
		"pass_mark": result.pass_mark,
		"groups": result.rows,
	}


@frappe.whitelist(methods=["GET"])
def subject_analysis(
	academic_year: str | None = None,
	academic_term: str | None = None,
	program: str | None = None,
	student_group: str | None = None,
	course: str | None = None,
) -> dict:
	_authorize(analytics.SUBJECT_ANALYSIS)
	result = analytics.subject_analysis(
		_filters(
			academic_year=academic_year,
			academic_term=academic_term,
			program=program,
			student_group=student_group,
			course=course,
		)
	)
	return {**result.period.as_dict(), "pass_mark": result.pass_mark, "courses": result.rows}


@frappe.whitelist(methods=["GET"])
def at_risk_students(
	academic_year: str | None = None,
	academic_term: str | None = None,
	program: str | None = None,
	student_group: str | None = None,
	tier: str | None = None,
	min_score: float | None = None,
) -> dict:
	_authorize(analytics.AT_RISK)
	result = analytics.at_risk_students(
		_filters(
			academic_year=academic_year,
			academic_term=academic_term,
			program=program,
			student_group=student_group,
			tier=tier,
			min_score=min_score,
		)
	)
	period = result.period.as_dict() if result.period else {"academic_year": None, "academic_term": None}
	return {**period, "tier": result.tier, "tiers": result.tiers, "students": result.rows}


@frappe.whitelist(methods=["GET"])
def attendance_risk(
	academic_year: str | None = None,
	academic_term: str | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	program: str | None = None,
	student_group: str | None = None,
	band: str | None = None,
) -> dict:
	_authorize(analytics.ATTENDANCE_RISK)
	result = analytics.attendance_risk(
		_filters(
			academic_year=academic_year,
			academic_term=academic_term,
			from_date=from_date,
			to_date=to_date,
			program=program,
			student_group=student_group,
			band=band,
		)
	)
	return {
		**result.period.as_dict(),
		"from_date": str(result.from_date),
		"to_date": str(result.to_date),
		"band": result.band,
		"bands": result.bands,
		"students": result.rows,
	}
