"""Look at and hand-edit a solved plan: the weekly grid, lock, move and swap lessons.

Every edit goes through the core validator against the plan's stored problem: an edit that adds a hard
violation (a clash, a room that does not fit, an unavailable instructor...) is refused with the reasons.
"""

from __future__ import annotations

import json

import frappe
from frappe import _

from ai_school.core.timetable import cover
from ai_school.core.timetable.model import Assignment, Problem, Solution
from ai_school.core.timetable.rules import ProblemIndex
from ai_school.core.timetable.validator import validate
from ai_school.timetable import planning
from ai_school.timetable.solving import summarize

VIEWS = ("Student Group", "Students", "Instructor", "Room")
"""Students = an atomic student set: students with exactly the same groups, e.g. a class's whole week."""


class EditRefused(frappe.ValidationError):
	pass


# --- grid ------------------------------------------------------------------------------------------------


def grid_data(doc, view: str = "Student Group", key: str | None = None) -> dict:
	"""What the form needs to draw the week of one student group, instructor or room."""
	if view not in VIEWS:
		frappe.throw(_("Unknown view {0}").format(view))
	periods = [
		{
			"label": r.period_label,
			"from_time": _clock(r.from_time),
			"to_time": _clock(r.to_time),
			"is_break": r.is_break,
		}
		for r in planning.period_rows(doc)
	]
	base = {
		"view": view,
		"views": VIEWS,
		"status": doc.status,
		"periods": periods,
		"days": planning.working_days(doc),
	}
	if not doc.problem_json:
		return {**base, "keys": [], "key": None, "cells": {}}
	problem = planning.stored_problem(doc)
	assignments = planning.stored_assignments(doc)
	locked = {row.lesson_id for row in doc.assignments if row.locked}
	lessons = problem.lesson_map()
	teacher_names = {t.id: t.label for t in problem.teachers}
	room_names = {r.id: r.label for r in problem.rooms}
	labels = {
		"Students": {s.id: s.label for s in problem.student_sets},
		"Instructor": teacher_names,
		"Room": room_names,
	}.get(view, {})

	def keys_of(lesson, placed) -> list[str]:
		if view == "Student Group":
			return lesson.tags[:1]
		if view == "Students":
			return lesson.student_sets
		if view == "Instructor":
			return lesson.teachers
		return [placed.room] if placed.room else []

	options: dict[str, str] = {}
	for lesson_id, placed in assignments.items():
		for k in keys_of(lessons[lesson_id], placed):
			options[k] = labels.get(k, k)
	keys = [{"value": k, "label": options[k]} for k in sorted(options, key=lambda k: options[k])]
	key = key if key in options else (keys[0]["value"] if keys else None)

	cells: dict[str, list] = {}
	for lesson_id, placed in assignments.items():
		lesson = lessons[lesson_id]
		if key not in keys_of(lesson, placed):
			continue
		for offset in range(lesson.duration):
			cells.setdefault(f"{placed.day}-{placed.period + offset}", []).append(
				{
					"lesson": lesson_id,
					"course": lesson.tags[1] if len(lesson.tags) > 1 and lesson.tags[1] else lesson.subject,
					"student_group": lesson.tags[0] if lesson.tags else "",
					"instructors": ", ".join(teacher_names.get(t, t) for t in lesson.teachers),
					"room": room_names.get(placed.room, placed.room or ""),
					"locked": lesson_id in locked,
					"continued": offset > 0,
				}
			)
	return {**base, "days": problem.days, "keys": keys, "key": key, "cells": cells}


# --- edits -----------------------------------------------------------------------------------------------


def set_locked(doc, lessons: list[str], locked: bool) -> int:
	changed = 0
	for row in doc.assignments:
		if row.lesson_id in lessons and bool(row.locked) != bool(locked):
			row.locked = 1 if locked else 0
			changed += 1
	planning.save_computed(doc)
	return changed


def move_lesson(doc, lesson: str, day: str, period: int, room: str | None = None) -> dict:
	"""Move a lesson to `day`/`period` (1-based), keeping its room if it is free there, else any suitable room."""
	problem, assignments = _editable(doc, [lesson])
	if day not in problem.days:
		frappe.throw(_("{0} is not a working day of this plan").format(day))
	if not 1 <= period <= problem.periods_per_day:
		frappe.throw(_("Period must be between 1 and {0}").format(problem.periods_per_day))
	current = assignments[lesson]
	rooms = [room] if room else _room_choices(problem, lesson, current.room)
	start = (problem.days.index(day), period - 1)
	options = [{lesson: Assignment(lesson, *start, r)} for r in rooms]
	return _apply_first_valid(doc, problem, assignments, options, _("Cannot move {0}").format(lesson))


def swap_lessons(doc, first: str, second: str) -> dict:
	"""Exchange the times of two lessons; rooms go along with the times or stay with the lessons."""
	problem, assignments = _editable(doc, [first, second])
	a, b = assignments[first], assignments[second]
	options = [
		{
			first: Assignment(first, b.day, b.period, b.room),
			second: Assignment(second, a.day, a.period, a.room),
		},
		{
			first: Assignment(first, b.day, b.period, a.room),
			second: Assignment(second, a.day, a.period, b.room),
		},
	]
	return _apply_first_valid(
		doc, problem, assignments, options, _("Cannot swap {0} and {1}").format(first, second)
	)


def _editable(doc, lessons: list[str]) -> tuple[Problem, dict[str, Assignment]]:
	if doc.status not in ("Solved", "Published"):
		frappe.throw(_("Only a solved plan can be edited (status: {0})").format(_(doc.status)))
	problem = planning.stored_problem(doc)
	sync_locks(doc, problem)
	assignments = planning.stored_assignments(doc)
	for lesson in lessons:
		if lesson not in assignments:
			frappe.throw(_("Lesson {0} is not in the timetable").format(lesson))
		if problem.lesson_map()[lesson].fixed_start is not None:
			frappe.throw(_("Lesson {0} is locked; unlock it first").format(lesson))
	return problem, assignments


def sync_locks(doc, problem: Problem) -> None:
	"""The stored problem fixes the lessons that were locked when solving; use today's locks instead."""
	for lesson in problem.lessons:
		lesson.fixed_start = None
	planning.apply_locks(doc, problem)


def _room_choices(problem: Problem, lesson: str, current: str | None) -> list[str | None]:
	index = ProblemIndex(problem)
	if not index.takes_room(index.lessons[lesson]):
		return [None]
	others = [r for r in index.candidate_rooms.get(lesson, []) if r != current]
	return [current, *others] if current else others


def _apply_first_valid(doc, problem, assignments, options: list[dict], title: str) -> dict:
	before = {v.message for v in validate(problem, assignments).hard_violations}
	first_refusal = None
	for change in options:
		candidate = {**assignments, **change}
		report = validate(problem, candidate)
		added = [v.message for v in report.hard_violations if v.message not in before]
		if not added:
			_store(doc, problem, candidate, report)
			return {
				"moved": sorted(change),
				"hard_violations": len(report.hard_violations),
				"soft_cost": report.soft_cost,
			}
		first_refusal = first_refusal or added
	frappe.throw("<br>".join(first_refusal or [_("No suitable room is free")]), exc=EditRefused, title=title)


def _store(doc, problem: Problem, assignments: dict[str, Assignment], report) -> None:
	solution = Solution.from_dict(json.loads(doc.solution_json))
	solution.assignments, solution.report = assignments, report
	doc.solution_json = json.dumps(solution.to_dict(), separators=(",", ":"))
	doc.problem_json = json.dumps(problem.to_dict(), separators=(",", ":"))
	planning.set_assignment_rows(doc, problem, assignments)
	doc.hard_violations = len(report.hard_violations)
	doc.soft_cost = report.soft_cost
	doc.violation_summary = summarize(report)
	if doc.status == "Published":
		doc.status = "Solved"  # the published schedules no longer match: publish again
	planning.save_computed(doc)


def load_lessons(doc) -> int:
	count = planning.load_from_student_groups(doc)
	doc.save()
	return count


def _clock(value) -> str:
	"""08:00 for a Time value (a timedelta from the database, or a string)."""
	return cover.clock(cover.minutes(value)) if value else ""
