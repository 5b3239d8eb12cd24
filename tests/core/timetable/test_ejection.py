"""The ejection search: the fast first timetable for clash-dominated problems."""

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from ai_school.core.timetable.ejection import NATIVE_HARD, ejection_search, supports
from ai_school.core.timetable.fet import import_fet
from ai_school.core.timetable.model import (
	Assignment,
	Consecutive,
	Lesson,
	MaxGaps,
	MinDaysBetween,
	NotOverlapping,
	Problem,
	Room,
	SameStartingTime,
	StudentSet,
	Teacher,
)
from ai_school.core.timetable.synthetic import synthetic_school
from ai_school.core.timetable.validator import validate

from .test_solver import explain_model_timetable, random_problems

FET_EXAMPLES = Path("/usr/share/doc/fet-data/examples")


def week_school() -> Problem:
	"""Two classes, four teachers, two labs, three days × three periods; a science double that
	must start with the other class's science (so both labs are needed), PE right after maths."""
	lessons = [
		Lesson("m1", "Maths", ["t"], ["a"]),
		Lesson("m2", "Maths", ["t"], ["a"]),
		Lesson("m3", "Maths", ["t"], ["a"]),
		Lesson("e1", "English", ["u"], ["b"]),
		Lesson("e2", "English", ["u"], ["b"]),
		Lesson("sa", "Science", ["v"], ["a"], duration=2, room_kind="lab"),
		Lesson("sb", "Science", ["w"], ["b"], duration=2, room_kind="lab"),
		Lesson("pa", "PE", ["t"], ["a"]),
	]
	return Problem(
		days=["Mon", "Tue", "Wed"],
		periods_per_day=3,
		teachers=[Teacher(t) for t in "tuvw"],
		student_sets=[StudentSet("a", size=20), StudentSet("b", size=20)],
		rooms=[Room("lab1", kind="lab"), Room("lab2", kind="lab", unavailable=frozenset({(0, 0)}))],
		lessons=lessons,
		constraints=[
			MinDaysBetween(lessons=["m1", "m2", "m3"], min_days=1),
			MinDaysBetween(lessons=["e1", "e2"], min_days=2),
			SameStartingTime(lessons=["sa", "sb"]),
			NotOverlapping(lessons=["e1", "pa"]),
			# Same teacher and class, one after the other: allowed, they never overlap.
			Consecutive(first="m1", second="pa"),
		],
	)


def test_finds_a_valid_timetable_respecting_every_native_rule():
	problem = week_school()
	found = ejection_search(problem, seed=3)
	assert found is not None and set(found) == {le.id for le in problem.lessons}
	assert validate(problem, found).hard_violations == []
	assert found["sa"].start == found["sb"].start
	assert {found["sa"].room, found["sb"].room} == {"lab1", "lab2"}
	assert found["sa"].start != (0, 0)  # lab2 is closed then, and both labs are needed
	assert len({found[m].day for m in ("m1", "m2", "m3")}) == 3
	assert abs(found["e1"].day - found["e2"].day) >= 2
	assert found["pa"].start == (found["m1"].day, found["m1"].period + 1)


def test_same_seed_same_timetable():
	problem = synthetic_school(4, 8, 6, 20, seed=3, with_preferences=False)
	assert supports(problem)
	first = ejection_search(problem, seed=11)
	assert first is not None and first == ejection_search(problem, seed=11)
	assert validate(problem, first).hard_violations == []


def test_problems_with_other_hard_rules_are_left_to_the_solver():
	problem = week_school()
	gaps = dataclasses.replace(problem, constraints=[*problem.constraints, MaxGaps(resource="teacher")])
	assert not supports(gaps) and ejection_search(gaps) is None
	soft_gaps = dataclasses.replace(
		problem, constraints=[*problem.constraints, MaxGaps(resource="teacher", weight=50)]
	)
	assert supports(soft_gaps)


def test_infeasible_problem_gives_up_in_time():
	# Four maths lessons on distinct days of a three-day week.
	problem = week_school()
	problem.lessons.append(Lesson("m4", "Maths", ["t"], ["a"]))
	problem.constraints[0] = MinDaysBetween(lessons=["m1", "m2", "m3", "m4"], min_days=1)
	assert ejection_search(problem, time_limit=0.5) is None


def test_starts_from_the_hint_and_keeps_locked_lessons():
	problem = week_school()
	before = ejection_search(problem, seed=1)
	locked = dataclasses.replace(
		problem,
		lessons=[dataclasses.replace(le, locked=le.id in ("sa", "sb", "e1")) for le in problem.lessons],
	)
	after = ejection_search(locked, hint=before, seed=9)
	assert after is not None and validate(locked, after).hard_violations == []
	for lesson_id in ("sa", "sb", "e1"):
		assert after[lesson_id] == before[lesson_id]
	# A complete valid hint is already a timetable: nothing moves.
	assert ejection_search(problem, hint=before, seed=9) == before


def test_a_locked_lesson_that_cannot_stay_makes_it_give_up():
	problem = week_school()
	clash = {
		"m1": Assignment("m1", 0, 0),
		"pa": Assignment("pa", 0, 0),  # same teacher and class at the same time
	}
	locked = dataclasses.replace(
		problem, lessons=[dataclasses.replace(le, locked=le.id in clash) for le in problem.lessons]
	)
	assert ejection_search(locked, hint=clash, time_limit=0.5) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_random_problems_never_get_an_invalid_timetable(problem):
	# Keep the hard rules the search handles natively (soft ones are ignored by it anyway).
	problem = dataclasses.replace(
		problem, constraints=[c for c in problem.constraints if not c.is_hard or isinstance(c, NATIVE_HARD)]
	)
	found = ejection_search(problem, time_limit=0.3)
	if found is not None:
		assert validate(problem, found).hard_violations == []
	else:
		# It may miss a timetable, but on these tiny problems it should only when there is none.
		assert explain_model_timetable(problem) is None


@pytest.mark.skipif(
	not FET_EXAMPLES.is_dir(), reason="FET example files not installed (apt-get install fet-data)"
)
@pytest.mark.parametrize(
	"rel",
	[
		"FET-5-official/Namibia/by-Bobby/set-2/WTHS.fet",
		"FET-5-official/Namibia/by-Bobby/set-6-2016/MAPSY16T1d.fet",
		"FET-5-official/India/St-Marys-College/St-Marys-College-Puthanagadi.fet",
	],
)
def test_real_school_files(rel):
	problem, report = import_fet(FET_EXAMPLES / rel)
	assert report.fully_supported and supports(problem)
	found = ejection_search(problem, time_limit=20)
	assert found is not None and len(found) == len(problem.lessons)
	assert validate(problem, found).hard_violations == []
