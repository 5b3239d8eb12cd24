"""Turn a Timetable Plan into the core timetabling model and back.

Only plain data crosses into `ai_school.core.timetable`; everything read from Education goes through the
adapter. Slots are 0-based in the core and shown 1-based (period numbers) on the form.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import to_timedelta

from ai_school import education_data
from ai_school.core.timetable.model import (
	Assignment,
	Lesson,
	MaxGaps,
	MaxHoursDaily,
	MaxLessonsPerDay,
	MinDaysBetween,
	PreferredTimeSlots,
	Problem,
	Room,
	Solution,
	Teacher,
)
from ai_school.core.timetable.student_sets import atomic_student_sets

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# FET's default weight for "min days between activities": strong, but a timetable that needs to put two
# lessons of a course on one day is still found.
DEFAULT_SPREAD_WEIGHT = 95.0
MAX_DEFAULT_PERIODS = 5


def working_days(doc) -> list[str]:
	return [day for day in WEEKDAYS if doc.get(day.lower())]


def period_rows(doc) -> list:
	return sorted(doc.periods, key=lambda row: row.idx)


def teaching_slot_count(doc) -> int:
	return len(working_days(doc)) * sum(1 for row in doc.periods if not row.is_break)


def lesson_ids(row) -> list[str]:
	"""Stable ids of the weekly lessons of a lesson row (they survive re-solving and locking)."""
	base = f"{row.student_group} / {row.course}" if row.course else row.student_group
	return [f"{base} #{k}" for k in range(1, (row.periods_per_week or 0) + 1)]


def row_instructors(row) -> list[str]:
	others = [i.strip() for i in re.split(r"[,\n]", row.other_instructors or "") if i.strip()]
	return list(dict.fromkeys(([row.instructor] if row.instructor else []) + others))


def parse_capacity(value) -> int | None:
	"""Education keeps seating capacity as free text ("30", "30 seats"); None = unknown, i.e. unlimited."""
	match = re.search(r"\d+", str(value or ""))
	return int(match.group()) if match else None


# --- loading lesson rows ---------------------------------------------------------------------------------


def load_from_student_groups(doc) -> int:
	"""Replace the lesson rows by one row per course-based Student Group of the term with its instructors.

	Periods per week default to what fits everybody in the group: the teaching slots of the week divided by
	the largest number of groups one of its students attends or one of its instructors teaches, capped at 5.
	Then no student or instructor has more lessons than slots. Rows keep their edited values when the group
	is still there.
	"""
	term = education_data.get_term_dates(doc.academic_term)
	if not term:
		frappe.throw(_("Academic Term {0} not found").format(doc.academic_term))
	groups = education_data.get_course_groups_of_term(doc.academic_term, term.academic_year)
	names = [g.name for g in groups]
	instructors = education_data.get_group_instructors(names)
	students = education_data.get_group_students(names)
	defaults = default_periods_per_week(doc, students, instructors)
	previous = {(row.student_group, row.course): row for row in doc.lessons}

	doc.set("lessons", [])
	for group in groups:
		kept = previous.get((group.name, group.course))
		teachers = instructors.get(group.name) or []
		doc.append(
			"lessons",
			{
				"student_group": group.name,
				"course": group.course,
				"program": group.program,
				"instructor": teachers[0] if teachers else None,
				"other_instructors": "\n".join(teachers[1:]),
				"periods_per_week": kept.periods_per_week if kept else defaults[group.name],
				"lesson_length": kept.lesson_length if kept else 1,
				"room_kind": kept.room_kind if kept else None,
				"min_days_apart": kept.min_days_apart if kept else 1,
				"student_count": len(set(students.get(group.name) or [])),
			},
		)
	return len(groups)


def default_periods_per_week(
	doc, students: dict[str, list[str]], instructors: dict[str, list[str]]
) -> dict[str, int]:
	"""Group -> periods per week. A person in k groups gets at most slots // k from each, so at most slots."""
	members = {group: {("student", s) for s in students.get(group) or []} for group in students}
	for group, teachers in instructors.items():
		members.setdefault(group, set()).update(("instructor", t) for t in teachers)
	load: dict[tuple[str, str], int] = defaultdict(int)
	for people in members.values():
		for person in people:
			load[person] += 1
	slots = teaching_slot_count(doc)
	return {
		group: max(1, min(MAX_DEFAULT_PERIODS, slots // max((load[p] for p in people), default=1)))
		for group, people in members.items()
	}


# --- the core problem ------------------------------------------------------------------------------------


def build_problem(doc) -> Problem:
	"""The plan as a core :class:`Problem`: lessons, atomic student sets, instructors, rooms, rules and
	preferences, with the lessons locked on the form fixed where they are."""
	days = working_days(doc)
	if not days:
		frappe.throw(_("Choose at least one working day"))
	periods = period_rows(doc)
	if not periods:
		frappe.throw(_("Add the periods of a day to the Period Template"))
	breaks = frozenset((d, p) for d in range(len(days)) for p, row in enumerate(periods) if row.is_break)
	rows = [row for row in doc.lessons if row.student_group and (row.periods_per_week or 0) > 0]
	groups = list(dict.fromkeys(row.student_group for row in rows))
	members = education_data.get_group_students(groups)
	student_sets, sets_of_group = atomic_student_sets(members)

	unavailable: dict[tuple[str, str], set] = defaultdict(set)
	for row in doc.unavailability:
		if row.day not in days:
			continue
		day = days.index(row.day)
		resource = ("teacher", row.instructor) if row.resource_type == "Instructor" else ("room", row.room)
		chosen = [row.period - 1] if row.period and 0 < row.period <= len(periods) else range(len(periods))
		unavailable[resource].update((day, p) for p in chosen)
	for resource, slots in busy_in_other_plans(doc, days, periods).items():
		unavailable[resource].update(slots)

	teacher_ids = list(dict.fromkeys(t for row in rows for t in row_instructors(row)))
	names = education_data.get_instructor_names(teacher_ids)
	teachers = [
		Teacher(t, name=names.get(t) or t, unavailable=frozenset(unavailable["teacher", t]))
		for t in teacher_ids
	]
	rooms = [
		Room(
			r.name,
			name=r.room_name or r.name,
			capacity=parse_capacity(r.seating_capacity),
			kind=r.room_kind or None,
			unavailable=frozenset(unavailable["room", r.name]),
		)
		for r in education_data.get_rooms()
	]

	lessons = []
	for row in rows:
		for lesson_id in lesson_ids(row):
			lessons.append(
				Lesson(
					lesson_id,
					subject=row.course or row.student_group,
					teachers=row_instructors(row),
					student_sets=list(sets_of_group[row.student_group]),
					duration=max(1, row.lesson_length or 1),
					room_kind=row.room_kind or None,
					needs_room=bool(rooms),
					student_count=len(set(members[row.student_group])),
					group=row.name,
					tags=[row.student_group, row.course or ""],
				)
			)
	problem = Problem(
		days=days,
		periods_per_day=len(periods),
		breaks=breaks,
		teachers=teachers,
		student_sets=student_sets,
		rooms=rooms,
		lessons=lessons,
		constraints=constraints_of(doc, rows, len(days), len(periods)),
		name=doc.title or doc.name,
		period_names=[row.period_label for row in periods],
	)
	apply_locks(doc, problem)
	return problem


def busy_in_other_plans(doc, days: list[str], periods: list) -> dict[tuple[str, str], set]:
	"""Rooms and instructors taken by other published plans whose terms overlap this one, as slots of this
	plan's grid (by clock time, so the plans may use different period templates)."""
	term = education_data.get_term_dates(doc.academic_term)
	busy: dict[tuple[str, str], set] = defaultdict(set)
	if not term:
		return busy
	others = frappe.get_all(
		"Timetable Plan",
		# a plan being published has its timetable (partly) in Course Schedules already
		filters={"status": ("in", ("Published", "Publishing")), "name": ("!=", doc.name or "")},
		pluck="name",
	)
	for name in others:
		other = frappe.get_doc("Timetable Plan", name)
		other_term = education_data.get_term_dates(other.academic_term)
		if (
			not other_term
			or other_term.term_end_date < term.term_start_date
			or other_term.term_start_date > term.term_end_date
		):
			continue
		teachers = {le.id: le.teachers for le in stored_problem(other).lessons} if other.problem_json else {}
		for row in other.assignments:
			if row.day not in days or not row.from_time or not row.to_time:
				continue
			start, end = to_timedelta(row.from_time), to_timedelta(row.to_time)
			slots = {
				(days.index(row.day), p)
				for p, period in enumerate(periods)
				if to_timedelta(period.from_time) < end and start < to_timedelta(period.to_time)
			}
			if row.room:
				busy["room", row.room].update(slots)
			for teacher in teachers.get(row.lesson_id) or [row.instructor]:
				busy["teacher", teacher].update(slots)
	return busy


def constraints_of(doc, rows, num_days: int, num_periods: int) -> list:
	prefs = defaultdict(list)
	for pref in doc.preferences:
		prefs[pref.preference].append(pref)
	spread = prefs.get("Spread across the week")
	spread_weight = min(p.weight for p in spread) if spread else DEFAULT_SPREAD_WEIGHT
	out = []
	for row in rows:
		ids = lesson_ids(row)
		if len(ids) > 1 and (row.min_days_apart or 0) > 0:
			out.append(
				MinDaysBetween(
					lessons=ids,
					min_days=row.min_days_apart,
					weight=spread_weight,
					name=_("{0}: lessons {1} day(s) apart").format(row.student_group, row.min_days_apart),
				)
			)
		for pref in prefs.get("Same course at most once a day", []):
			if len(ids) > 1:
				out.append(
					MaxLessonsPerDay(
						lessons=ids,
						max_per_day=1,
						weight=pref.weight,
						name=_("{0}: at most once a day").format(row.student_group),
					)
				)
	for pref in prefs.get("No gaps for students", []):
		out.append(
			MaxGaps(
				resource="students",
				max_gaps=pref.value or 0,
				per="day",
				weight=pref.weight,
				name=_("Students: at most {0} gap(s) a day").format(pref.value or 0),
			)
		)
	for pref in prefs.get("No gaps for instructors", []):
		out.append(
			MaxGaps(
				resource="teacher",
				ids=[pref.instructor] if pref.instructor else [],
				max_gaps=pref.value or 0,
				per="day",
				weight=pref.weight,
				name=_("{0}: at most {1} gap(s) a day").format(
					pref.instructor or _("Instructors"), pref.value or 0
				),
			)
		)
	for pref in prefs.get("Max periods per day per instructor", []):
		out.append(
			MaxHoursDaily(
				resource="teacher",
				ids=[pref.instructor] if pref.instructor else [],
				max_hours=pref.value or num_periods,
				weight=pref.weight,
				name=_("{0}: at most {1} periods a day").format(
					pref.instructor or _("Instructors"), pref.value or num_periods
				),
			)
		)
	for pref in prefs.get("Course in the morning", []):
		morning = pref.value or (num_periods + 1) // 2
		ids = [i for row in rows if row.course == pref.course for i in lesson_ids(row)]
		if ids:
			out.append(
				PreferredTimeSlots(
					lessons=ids,
					slots=frozenset(
						(d, p) for d in range(num_days) for p in range(min(morning, num_periods))
					),
					weight=pref.weight,
					name=_("{0} in the first {1} periods").format(pref.course, morning),
				)
			)
	return out


def apply_locks(doc, problem: Problem) -> None:
	"""Fix locked lessons to the day and period they have on the form.

	Only the time is fixed (hard); rooms come back through the previous timetable as a hint and, with 'keep
	placements', a cost per moved lesson. The core's `locked` flag and `fixed_room` are left unset: either
	one takes the lesson out of the solver's interchangeable-room pools, and on real-size plans the model
	then stalls (reported to the core's maintainer in the notes).
	"""
	lessons = problem.lesson_map()
	for row in doc.assignments:
		lesson = lessons.get(row.lesson_id)
		if not row.locked or lesson is None or row.day not in problem.days or not row.period:
			continue
		lesson.fixed_start = (problem.days.index(row.day), row.period - 1)


# --- stored results --------------------------------------------------------------------------------------


def stored_problem(doc) -> Problem:
	if not doc.problem_json:
		frappe.throw(_("Solve the plan first"))
	return Problem.from_dict(json.loads(doc.problem_json))


def stored_assignments(doc) -> dict[str, Assignment]:
	if not doc.solution_json:
		return {}
	return Solution.from_dict(json.loads(doc.solution_json)).assignments


def previous_hint(doc, problem: Problem) -> dict[str, Assignment]:
	"""The last timetable, restricted to lessons that still exist, as a warm start."""
	lessons = problem.lesson_map()
	return {k: a for k, a in stored_assignments(doc).items() if k in lessons}


def set_assignment_rows(doc, problem: Problem, assignments: dict[str, Assignment]) -> None:
	"""Mirror the timetable into the Placed Lessons table, keeping locks of lessons that are still there."""
	locked = {row.lesson_id for row in doc.assignments if row.locked}
	rows_by_name = {row.name: row for row in doc.lessons}
	periods = period_rows(doc)
	doc.set("assignments", [])
	day_order = {day: i for i, day in enumerate(problem.days)}
	for lesson in sorted(problem.lessons, key=lambda le: _sort_key(assignments.get(le.id), day_order, le.id)):
		placed = assignments.get(lesson.id)
		if placed is None:
			continue
		row = rows_by_name.get(lesson.group)
		last = min(placed.period + lesson.duration - 1, len(periods) - 1)
		doc.append(
			"assignments",
			{
				"lesson_id": lesson.id,
				"lesson_row": lesson.group,
				"student_group": lesson.tags[0] if lesson.tags else None,
				"course": row.course if row else None,
				"instructor": lesson.teachers[0] if lesson.teachers else None,
				"day": problem.days[placed.day],
				"period": placed.period + 1,
				"length": lesson.duration,
				"from_time": periods[placed.period].from_time if placed.period < len(periods) else None,
				"to_time": periods[last].to_time,
				"room": placed.room,
				"locked": lesson.id in locked,
			},
		)


def _sort_key(placed: Assignment | None, day_order, lesson_id: str):
	return (placed.day, placed.period, lesson_id) if placed else (len(day_order), 0, lesson_id)


def save_solution(doc, problem: Problem, solution: Solution) -> None:
	doc.problem_json = json.dumps(problem.to_dict(), separators=(",", ":"))
	doc.solution_json = json.dumps(solution.to_dict(), separators=(",", ":"))
	set_assignment_rows(doc, problem, solution.assignments)


def save_computed(doc, ignore_permissions: bool = False) -> None:
	"""Save a plan whose server-computed fields (status, results) were set by this code, not by a form."""
	doc.flags.server_update = True
	doc.save(ignore_permissions=ignore_permissions)
