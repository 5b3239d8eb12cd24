from ai_school.core.timetable.explain import explain_infeasible, precheck
from ai_school.core.timetable.model import (
	Lesson,
	MaxHoursDaily,
	MinDaysBetween,
	NotOverlapping,
	PreferredStartingTimes,
	Problem,
	Room,
	StudentSet,
	Teacher,
)
from ai_school.core.timetable.solver import solve


def week(lessons, constraints=(), **kwargs) -> Problem:
	"""3 days × 4 periods with a break at the third period (9 usable periods per resource)."""
	data = dict(
		days=["Mon", "Tue", "Wed"],
		periods_per_day=4,
		breaks=frozenset((d, 2) for d in range(3)),
		teachers=[Teacher("smith", "Smith"), Teacher("jones", "Jones")],
		student_sets=[StudentSet(f"c{i}", f"Class {i}", size=25) for i in range(12)],
		lessons=lessons,
		constraints=list(constraints),
	)
	data.update(kwargs)
	return Problem(**data)


def test_over_committed_teacher_is_named_with_the_amount():
	lessons = [Lesson(f"l{i}", "Maths", ["smith"], [f"c{i}"]) for i in range(11)]
	problem = week(lessons, teachers=[Teacher("smith", "Smith", unavailable=frozenset({(0, 0)}))])
	messages = precheck(problem)
	assert messages == ["Teacher Smith needs 11 periods but is available for 8 — over-committed by 3"]
	solution = solve(problem, time_limit=2)
	assert solution.status == "INFEASIBLE" and solution.explanation == messages


def test_hard_daily_maximum_counts_in_availability():
	lessons = [Lesson(f"l{i}", "Maths", ["smith"], [f"c{i}"]) for i in range(7)]
	problem = week(lessons, [MaxHoursDaily(resource="teacher", ids=["smith"], max_hours=2)])
	assert precheck(problem) == [
		"Teacher Smith needs 7 periods but is available for 6 (max 2 per day) — over-committed by 1"
	]


def test_lesson_longer_than_any_stretch_without_a_break():
	problem = week([Lesson("d1", "Art", ["jones"], ["c0"], duration=3)])
	assert precheck(problem) == [
		"Lesson d1 (Art / c0) lasts 3 periods but the longest stretch without a break is 2 periods"
	]


def test_lesson_without_any_allowed_start_names_the_rules():
	lessons = [Lesson("m1", "Maths", ["smith"], ["c0"])]
	slots = frozenset({(0, 0)})
	problem = week(
		lessons,
		[PreferredStartingTimes(lessons=["m1"], starts=slots, name="Maths first thing")],
		teachers=[Teacher("smith", "Smith", unavailable=slots)],
	)
	(message,) = precheck(problem)
	assert message.startswith("Lesson m1 (Maths / c0) has no possible start time")
	assert (
		"Maths first thing (8 of 9 starts)" in message
		and "Teacher Smith availability (1 of 9 starts)" in message
	)


def test_room_problems_are_explained():
	rooms = [Room("lab", "Lab", capacity=20, kind="lab"), Room("r1", "Room 1", capacity=40)]
	big = [Lesson("c1", "Chem", [], ["c0"], room_kind="lab")]
	(message,) = precheck(week(big, rooms=rooms))
	assert (
		"has no suitable room" in message
		and "25 students > capacity 20" in message
		and "needs a lab" in message
	)
	many = [Lesson(f"c{i}", "Chem", [], [f"c{i}"], room_kind="lab", student_count=10) for i in range(10)]
	assert precheck(week(many, rooms=rooms)) == [
		"Lessons limited to room kind lab (Lab) need 10 periods but those rooms offer 9 — short by 1"
	]


def test_min_days_chain_longer_than_the_week():
	lessons = [Lesson(f"m{i}", "Maths", ["smith"], ["c0"]) for i in range(3)]
	problem = week(lessons, [MinDaysBetween(lessons=["m0", "m1", "m2"], min_days=2, name="Maths spread")])
	assert precheck(problem) == [
		"Maths spread: 3 lessons at least 2 days apart need 5 days but the week has 3"
	]


def test_solver_core_names_the_conflicting_rules():
	# Counting passes (each teacher/class has room to spare) but Smith's two lessons must be on
	# different days, both on Monday (allowed starts), and Jones's lessons may not overlap Smith's.
	lessons = [
		Lesson("m1", "Maths", ["smith"], ["c0"], allowed_starts=frozenset({(0, 0), (0, 1)})),
		Lesson("m2", "Maths", ["smith"], ["c1"], allowed_starts=frozenset({(0, 0), (0, 1), (0, 3)})),
		Lesson("e1", "English", ["jones"], ["c2"]),
	]
	constraints = [
		MinDaysBetween(lessons=["m1", "m2"], min_days=1, name="Maths on different days"),
		NotOverlapping(lessons=["m1", "e1"], name="Not with English"),
	]
	problem = week(lessons, constraints)
	assert precheck(problem) == []
	messages = explain_infeasible(problem, time_limit=5)
	assert messages[0] == "These rules cannot all be satisfied together:"
	assert "- Maths on different days" in messages
	assert any("allowed starts" in m for m in messages)
	assert "- Not with English" not in messages
