"""Breaks and unavailable periods mean what they mean in FET, for every rule the importer maps.

FET (``timeconstraint.cpp`` / ``generate.cpp``) treats a break as "not a time slot" in *two
activities consecutive* and *two/three activities grouped* (the second activity starts at the first
non-break hour after the first one ends), but counts raw hours in *min gaps between activities* and
in *consecutive if same day* of *min days between activities*. Gaps, early beginnings and runs of
hours skip breaks and the resource's not-available hours.

Each rule is checked three ways on a small hand-built day with a break: the validator's verdict,
every engine (the CP-SAT model, its explain-mode variant, the ejection search where it applies,
``solve``) finding the only timetable the rule allows, and — when ``fet-cl`` is installed — FET
itself solving the same problem written as a ``.fet`` file, its timetable passing our validator.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from ai_school.core.timetable.ejection import ejection_search, supports
from ai_school.core.timetable.encoding import TimetableModel
from ai_school.core.timetable.fet import import_fet
from ai_school.core.timetable.model import (
	Assignment,
	Consecutive,
	Constraint,
	EarlyMaxBeginningsAtSecondHour,
	Grouped,
	Lesson,
	MaxGaps,
	MaxHoursContinuously,
	MinDaysBetween,
	MinGapsBetween,
	Ordered,
	Problem,
	StudentSet,
	Teacher,
)
from ai_school.core.timetable.solver import solve
from ai_school.core.timetable.validator import validate

from .test_fet import FET_EXAMPLES, _fet_timetable, needs_fet_cl
from .test_solver import explain_model_timetable


def day(
	lessons: int | list[Lesson],
	constraints: list[Constraint],
	*,
	periods: int = 4,
	breaks: tuple[int, ...] = (1,),
	unavailable: tuple[int, ...] = (),
) -> Problem:
	"""One day, one teacher ``t`` and one class ``c``; ``lessons`` single periods a, b, c…"""
	if isinstance(lessons, int):
		lessons = [Lesson(name, "Maths", ["t"], ["c"]) for name in "abcdef"[:lessons]]
	return Problem(
		days=["Mon"],
		periods_per_day=periods,
		breaks=frozenset((0, p) for p in breaks),
		teachers=[Teacher("t", unavailable=frozenset((0, p) for p in unavailable))],
		student_sets=[StudentSet("c")],
		lessons=lessons,
		constraints=constraints,
		period_names=[f"H{p + 1}" for p in range(periods)],
	)


def at(**periods: int) -> dict[str, Assignment]:
	return {lesson: Assignment(lesson, 0, period) for lesson, period in periods.items()}


def hard_kinds(problem: Problem, timetable: dict[str, Assignment]) -> list[str]:
	return sorted(v.kind for v in validate(problem, timetable).hard_violations)


def cp_sat_timetable(problem: Problem) -> dict[str, Assignment] | None:
	built = TimetableModel(problem)
	solver = cp_model.CpSolver()
	solver.parameters.num_workers = 1
	solver.parameters.max_time_in_seconds = 10
	status = solver.solve(built.model)
	assert status != cp_model.UNKNOWN
	return built.extract(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def timetables_of_every_engine(problem: Problem) -> dict[str, dict[str, Assignment] | None]:
	found = {
		"cp-sat model": cp_sat_timetable(problem),
		"explain model": explain_model_timetable(problem),
		"solve": solve(problem, time_limit=10, num_workers=1).assignments or None,
	}
	if supports(problem):
		found["ejection search"] = ejection_search(problem, seed=1, time_limit=10)
	return found


def starts(timetable: dict[str, Assignment]) -> dict[str, int]:
	return {lesson: a.period for lesson, a in timetable.items()}


# --- two activities consecutive ---------------------------------------------------------------------


def test_consecutive_lessons_may_have_a_break_between_them():
	problem = day(2, [Consecutive(first="a", second="b")])  # H2 is a break
	assert hard_kinds(problem, at(a=0, b=2)) == []
	assert hard_kinds(problem, at(a=2, b=3)) == []
	assert hard_kinds(problem, at(a=0, b=3)) == ["Consecutive"]
	assert hard_kinds(problem, at(a=2, b=0)) == ["Consecutive"]


def test_consecutive_across_a_break_is_what_every_engine_finds_when_nothing_else_fits():
	problem = day(2, [Consecutive(first="a", second="b")], unavailable=(3,))
	for engine, timetable in timetables_of_every_engine(problem).items():
		assert timetable is not None, engine
		assert starts(timetable) == {"a": 0, "b": 2}, engine


def test_an_unavailable_period_between_consecutive_lessons_is_not_a_break():
	"""FET skips breaks only: the teacher's not-available H2 separates the lessons."""
	problem = day(2, [Consecutive(first="a", second="b")], breaks=(), unavailable=(1,))
	assert hard_kinds(problem, at(a=0, b=2)) == ["Consecutive"]
	assert hard_kinds(problem, at(a=2, b=3)) == []
	blocked = day(2, [Consecutive(first="a", second="b")], breaks=(), unavailable=(1, 3))
	assert solve(blocked, time_limit=10, num_workers=1).status == "INFEASIBLE"


def test_a_double_lesson_followed_across_a_break():
	lessons = [Lesson("a", "Maths", ["t"], ["c"], duration=2), Lesson("b", "Maths", ["t"], ["c"])]
	problem = day(lessons, [Consecutive(first="a", second="b")], periods=5, breaks=(2,), unavailable=(4,))
	assert hard_kinds(problem, at(a=0, b=3)) == []
	for engine, timetable in timetables_of_every_engine(problem).items():
		assert timetable is not None and starts(timetable) == {"a": 0, "b": 3}, engine


# --- two / three activities grouped -------------------------------------------------------------


def test_grouped_lessons_may_have_a_break_between_them_in_any_order():
	three = day(3, [Grouped(lessons=["a", "b", "c"])], periods=5, breaks=(2,))
	assert hard_kinds(three, at(a=0, b=1, c=3)) == []
	assert hard_kinds(three, at(c=1, a=3, b=4)) == []
	assert hard_kinds(three, at(c=0, a=3, b=4)) == ["Grouped"]  # H2 is free
	assert hard_kinds(three, at(a=0, b=3, c=4)) == ["Grouped"]  # H2 is taken by nothing
	two = day(2, [Grouped(lessons=["a", "b"])], periods=5, breaks=(2,))
	assert hard_kinds(two, at(b=1, a=3)) == []
	assert hard_kinds(two, at(a=0, b=3)) == ["Grouped"]


def test_grouped_across_a_break_is_what_every_engine_finds_when_nothing_else_fits():
	problem = day(3, [Grouped(lessons=["a", "b", "c"])], periods=5, breaks=(2,), unavailable=(4,))
	for engine, timetable in timetables_of_every_engine(problem).items():
		assert timetable is not None, engine
		assert sorted(starts(timetable).values()) == [0, 1, 3], engine


# --- rules that count break periods like any other ------------------------------------------------


def test_ordered_lessons_ignore_breaks():
	problem = day(2, [Ordered(first="a", second="b")])
	assert hard_kinds(problem, at(a=0, b=2)) == []
	assert hard_kinds(problem, at(b=0, a=2)) == ["Ordered"]


def test_a_break_counts_as_a_gap_between_lessons():
	"""FET's min gaps between activities counts hours, breaks included."""
	problem = day(2, [MinGapsBetween(lessons=["a", "b"], min_gaps=1)])
	assert hard_kinds(problem, at(a=0, b=2)) == []
	assert hard_kinds(problem, at(a=2, b=3)) == ["MinGapsBetween"]
	two = day(2, [MinGapsBetween(lessons=["a", "b"], min_gaps=2)])
	assert hard_kinds(two, at(a=0, b=2)) == ["MinGapsBetween"]
	forced = day(2, [MinGapsBetween(lessons=["a", "b"], min_gaps=1)], unavailable=(3,))
	for engine, timetable in timetables_of_every_engine(forced).items():
		assert timetable is not None and sorted(starts(timetable).values()) == [0, 2], engine


def test_consecutive_if_same_day_means_adjacent_periods_a_break_between_is_not():
	"""FET's generator requires ``hour1 + duration1 == hour2`` here: breaks are not skipped."""
	rule = MinDaysBetween(weight=95, lessons=["a", "b"], min_days=1, consecutive_if_same_day=True)
	problem = day(2, [rule])
	across = validate(problem, at(a=0, b=2))
	adjacent = validate(problem, at(a=2, b=3))
	assert across.hard_violations == [] and adjacent.hard_violations == []
	assert any("not consecutive" in v.message for v in across.soft_violations)
	assert not any("not consecutive" in v.message for v in adjacent.soft_violations)
	assert across.soft_cost > adjacent.soft_cost > 0


# --- rules over a resource's day: breaks and unavailable periods are skipped ----------------------


@pytest.mark.parametrize("breaks,unavailable", [((1,), ()), ((), (1,))])
def test_breaks_and_unavailable_periods_are_not_gaps(breaks, unavailable):
	rules = [MaxGaps(resource="teacher", max_gaps=0), MaxGaps(resource="students", max_gaps=0)]
	problem = day(2, rules, breaks=breaks, unavailable=unavailable)
	# A break is nobody's gap; the teacher's unavailable H2 is not hers, but the class has one.
	expected = [] if breaks else ["MaxGaps"]
	assert hard_kinds(problem, at(a=0, b=2)) == expected
	assert hard_kinds(day(2, rules, breaks=()), at(a=0, b=2)) == ["MaxGaps", "MaxGaps"]


def test_a_break_interrupts_a_run_of_hours():
	rule = MaxHoursContinuously(resource="students", max_hours=1)
	assert hard_kinds(day(2, [rule]), at(a=0, b=2)) == []
	assert hard_kinds(day(2, [rule], breaks=()), at(a=0, b=1)) == ["MaxHoursContinuously"]


def test_a_day_that_opens_with_a_break_begins_at_its_first_period_after_it():
	rule = EarlyMaxBeginningsAtSecondHour(resource="students", max_beginnings=0)
	assert hard_kinds(day(1, [rule], breaks=(0,)), at(a=1)) == []
	assert hard_kinds(day(1, [rule], breaks=()), at(a=1)) == ["EarlyMaxBeginningsAtSecondHour"]


# --- FET itself: fet-cl solves the same days, our validator accepts its timetables ----------------


def fet_xml(problem: Problem, constraints: list[str]) -> bytes:
	"""``problem`` (one teacher ``t``, one class ``c``) as a FET 6 file with extra time
	constraints given as XML snippets."""
	hours = problem.period_names

	def names(tag: str, items: list[str]) -> str:
		return "".join(f"<{tag}><Name>{i}</Name></{tag}>" for i in items)

	activities = "".join(
		f"<Activity><Teacher>t</Teacher><Subject>Maths</Subject><Students>c</Students>"
		f"<Duration>{le.duration}</Duration><Total_Duration>{le.duration}</Total_Duration>"
		f"<Id>{n}</Id><Activity_Group_Id>0</Activity_Group_Id><Active>true</Active></Activity>"
		for n, le in enumerate(problem.lessons, start=1)
	)
	breaks = "".join(
		f"<Break_Time><Day>Mon</Day><Hour>{hours[p]}</Hour></Break_Time>" for _, p in problem.breaks
	)
	unavailable = sorted(problem.teachers[0].unavailable)
	not_available = "".join(
		f"<Not_Available_Time><Day>Mon</Day><Hour>{hours[p]}</Hour></Not_Available_Time>"
		for _, p in unavailable
	)
	return (
		'<?xml version="1.0" encoding="UTF-8"?><fet version="6.8.5"><Mode>Official</Mode>'
		f"<Institution_Name>{problem.name or 'test'}</Institution_Name>"
		f"<Days_List><Number_of_Days>1</Number_of_Days>{names('Day', ['Mon'])}</Days_List>"
		f"<Hours_List><Number_of_Hours>{len(hours)}</Number_of_Hours>{names('Hour', hours)}</Hours_List>"
		f"<Subjects_List>{names('Subject', ['Maths'])}</Subjects_List>"
		f"<Teachers_List>{names('Teacher', ['t'])}</Teachers_List>"
		"<Students_List><Year><Name>c</Name><Number_of_Students>20</Number_of_Students></Year></Students_List>"
		f"<Activities_List>{activities}</Activities_List><Rooms_List></Rooms_List>"
		"<Time_Constraints_List><ConstraintBasicCompulsoryTime><Weight_Percentage>100</Weight_Percentage>"
		"<Active>true</Active></ConstraintBasicCompulsoryTime>"
		f"<ConstraintBreakTimes><Weight_Percentage>100</Weight_Percentage>"
		f"<Number_of_Break_Times>{len(problem.breaks)}</Number_of_Break_Times>{breaks}<Active>true</Active>"
		"</ConstraintBreakTimes>"
		"<ConstraintTeacherNotAvailableTimes><Weight_Percentage>100</Weight_Percentage><Teacher>t</Teacher>"
		f"<Number_of_Not_Available_Times>{len(unavailable)}</Number_of_Not_Available_Times>{not_available}"
		"<Active>true</Active></ConstraintTeacherNotAvailableTimes>"
		f"{''.join(constraints)}</Time_Constraints_List>"
		"<Space_Constraints_List><ConstraintBasicCompulsorySpace><Weight_Percentage>100</Weight_Percentage>"
		"<Active>true</Active></ConstraintBasicCompulsorySpace></Space_Constraints_List></fet>"
	).encode()


def pair(tag: str, first: int, second: int, extra: str = "") -> str:
	return (
		f"<{tag}><Weight_Percentage>100</Weight_Percentage><First_Activity_Id>{first}</First_Activity_Id>"
		f"<Second_Activity_Id>{second}</Second_Activity_Id>{extra}<Active>true</Active></{tag}>"
	)


def activities(tag: str, ids: list[int], extra: str) -> str:
	listed = "".join(f"<Activity_Id>{i}</Activity_Id>" for i in ids)
	return (
		f"<{tag}><Weight_Percentage>100</Weight_Percentage><Number_of_Activities>{len(ids)}</Number_of_Activities>"
		f"{listed}{extra}<Active>true</Active></{tag}>"
	)


THREE_GROUPED = (
	"<ConstraintThreeActivitiesGrouped><Weight_Percentage>100</Weight_Percentage>"
	"<First_Activity_Id>1</First_Activity_Id><Second_Activity_Id>2</Second_Activity_Id>"
	"<Third_Activity_Id>3</Third_Activity_Id><Active>true</Active></ConstraintThreeActivitiesGrouped>"
)
NO_GAPS = (
	"<ConstraintTeacherMaxGapsPerDay><Weight_Percentage>100</Weight_Percentage><Teacher_Name>t</Teacher_Name>"
	"<Max_Gaps>0</Max_Gaps><Active>true</Active></ConstraintTeacherMaxGapsPerDay>"
	"<ConstraintStudentsSetMaxGapsPerWeek><Weight_Percentage>100</Weight_Percentage><Max_Gaps>0</Max_Gaps>"
	"<Students>c</Students><Active>true</Active></ConstraintStudentsSetMaxGapsPerWeek>"
)

# name, lessons, periods, break, teacher unavailable, FET constraints, FET's only timetable (periods)
ROUND_TRIPS = [
	("consecutive", 2, 4, 1, (3,), [pair("ConstraintTwoActivitiesConsecutive", 1, 2)], [0, 2]),
	("two grouped", 2, 4, 1, (3,), [pair("ConstraintTwoActivitiesGrouped", 1, 2)], None),
	("three grouped", 3, 5, 2, (4,), [THREE_GROUPED], None),
	("ordered", 2, 4, 1, (3,), [pair("ConstraintTwoActivitiesOrdered", 1, 2)], [0, 2]),
	(
		"min gaps between",
		2,
		4,
		1,
		(3,),
		[activities("ConstraintMinGapsBetweenActivities", [1, 2], "<MinGaps>1</MinGaps>")],
		None,
	),
	("no gaps across a break", 2, 4, 1, (3,), [NO_GAPS], None),
]


@needs_fet_cl
@pytest.mark.parametrize(
	"name,lessons,periods,break_at,unavailable,constraints,expected",
	ROUND_TRIPS,
	ids=[r[0] for r in ROUND_TRIPS],
)
def test_fet_solves_the_break_day_and_our_validator_accepts_its_timetable(
	tmp_path, name, lessons, periods, break_at, unavailable, constraints, expected
):
	shape = day(lessons, [], periods=periods, breaks=(break_at,), unavailable=unavailable)
	fet_file = tmp_path / f"{name.replace(' ', '_')}.fet"
	fet_file.write_bytes(fet_xml(shape, constraints))
	problem, report = import_fet(fet_file)
	assert report.fully_supported and not report.warnings
	assert len(problem.constraints) >= 1 and problem.breaks == {(0, break_at)}
	timetable = _fet_timetable(tmp_path, fet_file)
	periods_used = sorted(a.period for a in timetable.values())
	# Every case leaves one set of periods: the lessons on both sides of the break.
	assert break_at - 1 in periods_used and break_at + 1 in periods_used
	if expected is not None:
		assert [timetable[str(n)].period for n in range(1, lessons + 1)] == expected
	assert validate(problem, timetable).hard_violations == []
	ours = solve(problem, time_limit=10, num_workers=1)
	assert ours.found and sorted(a.period for a in ours.assignments.values()) == periods_used


ET2012 = FET_EXAMPLES / "FET-5-official/Algeria/Mechanical-Batna_Univ/ET2012-2013-S1.fet"


@needs_fet_cl
@pytest.mark.skipif(not ET2012.is_file(), reason="fet-data not installed (apt-get install fet-data)")
def test_fet_timetable_of_a_real_school_with_grouped_lessons_and_breaks_passes_our_validator(tmp_path):
	"""ET2012-2013-S1 (fet-data, 373 activities): two activities grouped and breaks; FET solves
	it in about a second."""
	problem, report = import_fet(ET2012)
	assert report.fully_supported and problem.breaks
	assert report.supported["ConstraintTwoActivitiesGrouped"] >= 1
	timetable = _fet_timetable(tmp_path, ET2012, seconds=60)
	assert set(timetable) == {le.id for le in problem.lessons}
	assert validate(problem, timetable).hard_violations == []


INSIGHT = FET_EXAMPLES / "FET-5-official/South-Africa/difficult/Insight_Learning_Centre2.fet"


def one_class_of(fet_file: Path, students: str) -> bytes:
	"""``fet_file`` reduced to the activities of one students set (FET needs minutes for the whole
	school): constraints on removed activities, and filters matching no activity left, go too."""
	root = ET.parse(fet_file).getroot()
	covering = {students}
	for year in root.find("Students_List").findall("Year"):
		for group in year.findall("Group"):
			members = {group.findtext("Name")} | {s.findtext("Name") for s in group.findall("Subgroup")}
			if students in members:
				covering |= {year.findtext("Name"), group.findtext("Name")}
	activities = root.find("Activities_List")
	removed = set()
	for activity in list(activities):
		if [s.text for s in activity.findall("Students")] != [students]:
			removed.add(activity.findtext("Id").strip())
			activities.remove(activity)
	kept = list(activities)

	def selects_some(constraint: ET.Element) -> bool:
		teacher, group, subject = (
			constraint.findtext(tag, "") for tag in ("Teacher_Name", "Students_Name", "Subject_Name")
		)
		return any(
			(not teacher or teacher in [t.text for t in a.findall("Teacher")])
			and (not group or group in covering)
			and (not subject or subject == a.findtext("Subject"))
			for a in kept
		)

	for tag in ("Time_Constraints_List", "Space_Constraints_List"):
		constraints = root.find(tag)
		for constraint in list(constraints):
			ids = {e.text.strip() for e in constraint.iter() if e.tag.endswith("Activity_Id") and e.text}
			if ids & removed or (
				constraint.tag.startswith("ConstraintActivities") and not selects_some(constraint)
			):
				constraints.remove(constraint)
	return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@needs_fet_cl
@pytest.mark.skipif(not INSIGHT.is_file(), reason="fet-data not installed (apt-get install fet-data)")
def test_fet_timetable_of_a_real_class_with_consecutive_lessons_across_breaks_passes_our_validator(tmp_path):
	"""Insight_Learning_Centre2 (fet-data): 79 hard *two activities consecutive* and five breaks a
	day. Its class 12A alone (34 activities, chains of consecutive lessons) takes FET a second;
	FET puts some consecutive pairs on both sides of a break, and our model must accept that."""
	fet_file = tmp_path / "insight_12A.fet"
	fet_file.write_bytes(one_class_of(INSIGHT, "12A"))
	problem, report = import_fet(fet_file)
	assert report.fully_supported and not report.warnings and len(problem.lessons) == 34
	pairs = [c for c in problem.constraints if isinstance(c, Consecutive)]
	assert len(pairs) >= 10 and all(c.is_hard for c in pairs)
	timetable = _fet_timetable(tmp_path, fet_file, seconds=60)
	assert set(timetable) == {le.id for le in problem.lessons}
	lessons = problem.lesson_map()
	across = [
		c
		for c in pairs
		if timetable[c.second].period != timetable[c.first].period + lessons[c.first].duration
	]
	assert across, "FET put no consecutive pair across a break: the test would prove nothing"
	assert validate(problem, timetable).hard_violations == []
	# The CP-SAT model accepts FET's times as they are (symmetry-broken order aside).
	built = TimetableModel(problem, soft=False)
	for lesson_id, assignment in built.canonical(timetable).items():
		built.model.add(built.x[lesson_id][assignment.start] == 1)
	solver = cp_model.CpSolver()
	solver.parameters.num_workers = 1
	solver.parameters.max_time_in_seconds = 30
	assert solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_the_fet_writer_of_these_tests_round_trips_through_our_importer():
	shape = day(3, [], periods=5, breaks=(2,), unavailable=(4,))
	root = ET.fromstring(fet_xml(shape, [THREE_GROUPED]))
	assert root.tag == "fet"
	problem, report = import_fet(fet_xml(shape, [THREE_GROUPED]))
	assert report.fully_supported and not report.warnings
	assert problem.breaks == shape.breaks and problem.teachers[0].unavailable == shape.teachers[0].unavailable
	assert [type(c).__name__ for c in problem.constraints] == ["Grouped"]
	assert [le.id for le in problem.lessons] == ["1", "2", "3"]
