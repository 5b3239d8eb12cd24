"""Clashes between Course Schedules, found by the core timetable validator (the one source of truth).

Course Schedules have free times, not periods, so each date becomes a day of the model and the periods are
the elementary intervals between all distinct start and end times: two schedules overlap exactly when they
share one of those intervals. Student conflicts use atomic student sets, so students shared between groups
(electives) are caught as well as a group booked twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from frappe import _
from frappe.utils import getdate, to_timedelta

from ai_school import education_data
from ai_school.core.timetable.model import Assignment, Lesson, Problem, Room
from ai_school.core.timetable.student_sets import atomic_student_sets
from ai_school.core.timetable.validator import validate
from ai_school.timetable.planning import parse_capacity

KINDS = {
	"teacher_clash": "Instructor double-booked",
	"room_clash": "Room double-booked",
	"room_unsuitable": "Room capacity exceeded",
}
GROUP_CLASH = "Student group double-booked"
SHARED_CLASH = "Shared students double-booked"


def find_conflicts(schedules: list[dict]) -> list[dict]:
	"""One row per clash among `schedules` (dicts with the Course Schedule fields), sorted by date/time."""
	schedules = [s for s in schedules if _seconds(s["to_time"]) > _seconds(s["from_time"])]
	if not schedules:
		return []
	by_name = {s["name"]: s for s in schedules}
	groups = sorted({s["student_group"] for s in schedules if s.get("student_group")})
	members = {g: set(v) for g, v in education_data.get_group_students(groups).items()}
	student_sets, sets_of_group = atomic_student_sets(members)
	room_rows = {r.name: r for r in education_data.get_rooms()}
	used_rooms = sorted({s["room"] for s in schedules if s.get("room")})
	rooms = [
		Room(r, name=room_rows[r].room_name if r in room_rows else r, capacity=_capacity(room_rows.get(r)))
		for r in used_rooms
	]

	dates = sorted({getdate(s["schedule_date"]) for s in schedules})
	day_of = {d: i for i, d in enumerate(dates)}
	bounds = sorted(
		{_seconds(s["from_time"]) for s in schedules} | {_seconds(s["to_time"]) for s in schedules}
	)
	period_of = {t: i for i, t in enumerate(bounds)}

	lessons, assignments = [], {}
	for s in schedules:
		start, end = period_of[_seconds(s["from_time"])], period_of[_seconds(s["to_time"])]
		group = s.get("student_group")
		lessons.append(
			Lesson(
				s["name"],
				subject=s.get("course") or "",
				teachers=[s["instructor"]] if s.get("instructor") else [],
				student_sets=list(sets_of_group.get(group, [])),
				duration=end - start,
				fixed_room=s.get("room") or None,
				student_count=len(members.get(group, ())),
			)
		)
		assignments[s["name"]] = Assignment(
			s["name"], day_of[getdate(s["schedule_date"])], start, s.get("room")
		)
	problem = Problem(
		days=[str(d) for d in dates],
		periods_per_day=len(bounds) - 1,
		student_sets=student_sets,
		rooms=rooms,
		lessons=lessons,
		period_names=[_clock(t) for t in bounds[:-1]],
	)
	report = validate(problem, assignments)

	found: dict[tuple[str, frozenset], list] = {}
	for violation in report.hard_violations:
		if violation.kind == "students_clash" or violation.kind in KINDS:
			key = (violation.kind, frozenset(violation.lessons))
			found.setdefault(key, []).append(violation.message)
	rows = [
		_row(kind, [by_name[n] for n in sorted(names)], messages, members)
		for (kind, names), messages in found.items()
	]
	return sorted(rows, key=lambda r: (r["date"], r["from_time"], r["conflict"]))


def _row(kind: str, schedules: list[dict], messages: list[str], members: dict[str, set]) -> dict:
	groups = [s.get("student_group") for s in schedules]
	students = 0
	if kind == "students_clash":
		counts = Counter(student for group in set(groups) for student in members.get(group, ()))
		same_group = len(set(groups)) < len(groups)
		conflict = GROUP_CLASH if same_group else SHARED_CLASH
		students = len(members.get(groups[0], ())) if same_group else sum(1 for c in counts.values() if c > 1)
	else:
		conflict = KINDS[kind]
		if kind == "room_unsuitable":
			students = len(members.get(groups[0], ()))
	return {
		"conflict": _(conflict),
		"date": getdate(schedules[0]["schedule_date"]),
		"from_time": min(to_timedelta(s["from_time"]) for s in schedules),
		"to_time": max(to_timedelta(s["to_time"]) for s in schedules),
		"schedules": ", ".join(s["name"] for s in schedules),
		"student_groups": ", ".join(dict.fromkeys(g for g in groups if g)),
		"instructors": ", ".join(dict.fromkeys(s["instructor"] for s in schedules if s.get("instructor"))),
		"rooms": ", ".join(dict.fromkeys(s["room"] for s in schedules if s.get("room"))),
		"students": students,
		"details": messages[0],
		"schedule_names": [s["name"] for s in schedules],
	}


def term_conflicts(from_date, to_date, student_group=None, instructor=None, room=None) -> list[dict]:
	"""Clashes among the Course Schedules of a date range. Filters keep the clashes that involve the given
	group, instructor or room; the check itself always looks at every schedule in the range."""
	rows = find_conflicts(education_data.get_course_schedules(from_date, to_date))
	filters = {"student_groups": student_group, "instructors": instructor, "rooms": room}
	for column, value in filters.items():
		if value:
			rows = [r for r in rows if value in r[column].split(", ")]
	return rows


def _capacity(room) -> int | None:
	return parse_capacity(room.seating_capacity) if room else None


def _seconds(value) -> int:
	return int(to_timedelta(value).total_seconds())


def _clock(seconds: int) -> str:
	return str(timedelta(seconds=seconds))[:-3]
