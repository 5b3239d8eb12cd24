"""Whitelisted methods behind the Timetable Plan form. Each one authorizes on the plan first."""

from __future__ import annotations

import json

import frappe
from frappe import _

from ai_school import education_data, rate_limits
from ai_school.core.timetable.validator import validate
from ai_school.timetable import editing, planning, publishing, solving
from ai_school.timetable.conflicts import term_conflicts

# per user and hour, counted after the permission check (ai_school.rate_limits)
SOLVE_LIMIT = 30
PUBLISH_LIMIT = 30
HOUR = 60 * 60


def _plan(plan: str, ptype: str = "write"):
	doc = frappe.get_doc("Timetable Plan", plan)
	doc.check_permission(ptype)
	return doc


def _lesson_list(lessons) -> list[str]:
	values = json.loads(lessons) if isinstance(lessons, str) and lessons.startswith("[") else lessons
	values = [values] if isinstance(values, str) else list(values or [])
	if not values or len(values) > 5000 or not all(isinstance(v, str) for v in values):
		frappe.throw(_("Choose the lessons"), frappe.ValidationError)
	return values


@frappe.whitelist(methods=["POST"])
def load_from_student_groups(plan: str) -> dict:
	doc = _plan(plan)
	return {"lessons": editing.load_lessons(doc)}


@frappe.whitelist(methods=["POST"])
def solve(plan: str) -> dict:
	doc = _plan(plan)
	rate_limits.consume("timetable.solve", SOLVE_LIMIT, HOUR)
	solving.enqueue_solve(doc)
	return {"queued": True, "job_id": solving.solve_job_id(doc.name)}


@frappe.whitelist(methods=["GET"])
def get_grid(plan: str, view: str = "Student Group", key: str | None = None) -> dict:
	doc = _plan(plan, "read")
	return editing.grid_data(doc, view, key)


@frappe.whitelist(methods=["POST"])
def set_lock(plan: str, lessons: str | list, locked: int = 1) -> dict:
	doc = _plan(plan)
	return {"changed": editing.set_locked(doc, _lesson_list(lessons), bool(int(locked)))}


@frappe.whitelist(methods=["POST"])
def move_lesson(plan: str, lesson: str, day: str, period: int, room: str | None = None) -> dict:
	doc = _plan(plan)
	return editing.move_lesson(doc, lesson, day, int(period), room or None)


@frappe.whitelist(methods=["POST"])
def swap_lessons(plan: str, first: str, second: str) -> dict:
	doc = _plan(plan)
	return editing.swap_lessons(doc, first, second)


@frappe.whitelist(methods=["POST"])
def publish(plan: str) -> dict:
	doc = _plan(plan)
	frappe.has_permission("Course Schedule", "create", throw=True)
	frappe.has_permission("Course Schedule", "delete", throw=True)
	rate_limits.consume("timetable.publish", PUBLISH_LIMIT, HOUR)
	# Nothing is written yet. A new transaction makes the plan lock its first read, so all it reads after
	# waiting for a concurrent publish is current (see ai_school.timetable.publishing).
	frappe.db.commit()
	return publishing.enqueue_or_publish(doc)


@frappe.whitelist(methods=["GET"])
def validate_plan(plan: str) -> dict:
	"""Re-check the stored timetable and the term's published Course Schedules with the core validator."""
	doc = _plan(plan, "read")
	frappe.has_permission("Course Schedule", "read", throw=True)
	out = {"summary": None, "hard_violations": None, "term_conflicts": None}
	if doc.problem_json:
		report = validate(planning.stored_problem(doc), planning.stored_assignments(doc))
		out.update(summary=solving.summarize(report), hard_violations=len(report.hard_violations))
	term = education_data.get_term_dates(doc.academic_term)
	if term:
		out["term_conflicts"] = len(term_conflicts(term.term_start_date, term.term_end_date))
	return out
