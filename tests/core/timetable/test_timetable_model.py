import json

import pytest

from ai_school.core.timetable.model import (
	Assignment,
	Consecutive,
	Constraint,
	EarlyMaxBeginningsAtSecondHour,
	EndsStudentsDay,
	Grouped,
	HomeRooms,
	IntervalMaxDaysPerWeek,
	Lesson,
	MaxBuildingChanges,
	MaxDaysBetween,
	MaxDaysPerWeek,
	MaxGaps,
	MaxHoursContinuously,
	MaxHoursDaily,
	MaxLessonsPerDay,
	MaxSimultaneous,
	MaxSpanPerDay,
	MinDaysBetween,
	MinDaysPerWeek,
	MinGapsBetween,
	MinGapsBetweenBuildingChanges,
	MinGapsBetweenOrderedTags,
	MinHoursDaily,
	MinRestingHours,
	NotOverlapping,
	OccupyMaxRooms,
	OccupyMaxSlots,
	Ordered,
	OrderedIfSameDay,
	PreferredRooms,
	PreferredStartingTimes,
	PreferredTimeSlots,
	Problem,
	Report,
	Room,
	SameRoomIfConsecutive,
	SameStartingDay,
	SameStartingHour,
	SameStartingTime,
	Solution,
	StudentSet,
	Teacher,
	UnavailableTimes,
	Violation,
	constraint_from_dict,
	soft_penalty,
)


def full_problem() -> Problem:
	slots = frozenset({(0, 0), (1, 2)})
	return Problem(
		days=["Mon", "Tue"],
		periods_per_day=4,
		breaks=frozenset({(0, 2)}),
		teachers=[Teacher("t1", "Smith", unavailable=frozenset({(1, 3)}))],
		student_sets=[StudentSet("7a", "7A", size=25)],
		rooms=[Room("lab", capacity=30, kind="lab", building="B")],
		lessons=[
			Lesson("l1", "Maths", ["t1"], ["7a"], fixed_start=(0, 1), allowed_starts=slots, locked=True),
			Lesson("l2", "Chem", [], ["7a"], duration=2, room_kind="lab", group="chem", tags=["x"]),
		],
		constraints=[
			UnavailableTimes(weight=80, resource="teacher", ids=["t1"], slots=slots),
			MaxGaps(resource="students", max_gaps=1, per="day"),
			MaxHoursDaily(weight=90, max_hours=5),
			MinHoursDaily(resource="students", min_hours=2, allow_empty_days=False),
			MaxDaysPerWeek(max_days=1),
			EarlyMaxBeginningsAtSecondHour(ids=["7a"], max_beginnings=1),
			MaxLessonsPerDay(lessons=["l1", "l2"]),
			MinDaysBetween(weight=95, lessons=["l1", "l2"], consecutive_if_same_day=True),
			PreferredStartingTimes(lessons=["l1"], starts=slots),
			PreferredTimeSlots(lessons=["l2"], slots=slots, name="Chem early"),
			SameStartingTime(lessons=["l1", "l2"]),
			NotOverlapping(lessons=["l1", "l2"]),
			Consecutive(first="l1", second="l2"),
			Ordered(first="l1", second="l2"),
			Grouped(lessons=["l1", "l2"]),
			PreferredRooms(weight=50, lessons=["l2"], rooms=["lab"]),
			HomeRooms(ids=["7a"], rooms=["lab"]),
			MinDaysPerWeek(weight=95, min_days=2),
			IntervalMaxDaysPerWeek(start_period=2, end_period=4, max_days=1),
			MaxHoursContinuously(resource="students", max_hours=3, tag="x"),
			OrderedIfSameDay(first="l2", second="l1"),
			OccupyMaxSlots(weight=70, lessons=["l1", "l2"], slots=slots, max_slots=1),
			MaxSimultaneous(lessons=["l1", "l2"], slots=slots, max_simultaneous=1),
			MaxDaysBetween(lessons=["l1", "l2"], max_days=1),
			MinGapsBetween(lessons=["l1", "l2"], min_gaps=1),
			EndsStudentsDay(lessons=["l2"]),
			SameStartingDay(lessons=["l1", "l2"]),
			SameStartingHour(lessons=["l1", "l2"]),
			MaxBuildingChanges(weight=80, resource="students", max_changes=2, per="week"),
			MinGapsBetweenBuildingChanges(resource="teacher", ids=["t1"], min_gaps=1),
			MaxSpanPerDay(resource="teacher", ids=["t1"], max_span=3, allow_one_day_exception=True),
			MinRestingHours(weight=90, resource="students", min_hours=2, circular=True),
			MinGapsBetweenOrderedTags(resource="teacher", first_tag="lab", second_tag="sport", min_gaps=2),
			OccupyMaxRooms(lessons=["l1", "l2"], max_rooms=1),
			SameRoomIfConsecutive(weight=90, lessons=["l1", "l2"]),
		],
		name="demo",
		period_names=["8:00", "9:00", "10:00", "11:00"],
	)


def test_problem_survives_json_round_trip_with_every_constraint_type():
	problem = full_problem()
	concrete = {t for t in Constraint.TYPES if t != "ResourceConstraint"}
	assert {type(c).__name__ for c in problem.constraints} == concrete
	restored = Problem.from_dict(json.loads(json.dumps(problem.to_dict())))
	assert restored == problem
	assert restored.lessons[0].fixed_start == (0, 1)
	assert restored.constraints[0].slots == frozenset({(0, 0), (1, 2)})


def test_solution_survives_json_round_trip():
	report = Report(
		[Violation("teacher_clash", "Teacher Smith has 2 lessons")], soft_cost=43, breakdown={"x": 43}
	)
	solution = Solution(
		"FEASIBLE",
		{"l1": Assignment("l1", 0, 1, "lab")},
		objective=43,
		time_to_first_solution=0.2,
		report=report,
	)
	assert Solution.from_dict(json.loads(json.dumps(solution.to_dict()))) == solution


def test_soft_penalty_grows_steeply_towards_hard():
	assert [soft_penalty(w) for w in (50, 75, 90, 95, 99)] == [10, 20, 33, 43, 66]
	assert soft_penalty(100) == soft_penalty(0) == 0
	assert MaxGaps(weight=100).is_hard and not MaxGaps(weight=99.9).is_hard


def test_unknown_constraint_type_is_rejected():
	with pytest.raises(ValueError, match="Unknown constraint type"):
		constraint_from_dict({"type": "Nope", "weight": 100})


def test_helpers_describe_the_grid():
	problem = full_problem()
	assert problem.slot_label((1, 2)) == "Tue 10:00"
	assert problem.occupied(problem.lessons[1], (1, 1)) == [(1, 1), (1, 2)]
	assert problem.student_count(problem.lessons[1]) == 25
	assert MaxGaps(resource="students", ids=["7a"]).label() == "MaxGaps (7a)"
	assert PreferredTimeSlots(name="Chem early").label() == "Chem early"
