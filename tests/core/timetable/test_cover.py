import datetime as dt

import pytest

from ai_school.core.timetable.cover import (
	Calendar,
	Candidate,
	CoverLesson,
	Interval,
	MoveOptions,
	minutes,
	plan_cover,
	propose_covers,
	propose_moves,
)

MON = dt.date(2026, 11, 23)
TUE = MON + dt.timedelta(days=1)
WED = MON + dt.timedelta(days=2)
PERIODS = frozenset({(480, 525), (525, 570), (600, 645), (645, 690)})  # 08:00 08:45 10:00 10:45


def lesson(id="CS-1", day=MON, start=480, end=525, course="Mathematics", program="Grade 9", room="R1"):
	return CoverLesson(
		id=id,
		day=day,
		start=start,
		end=end,
		instructor="ABS",
		course=course,
		student_group="9A",
		program=program,
		room=room,
	)


def busy(day, start, end, ref="x", lesson=True):
	return Interval(day, start, end, ref=ref, lesson=lesson)


def math9(instructor, covers=0):
	return Candidate(instructor, teaches=frozenset({("Mathematics", "Grade 9")}), covers_this_term=covers)


def test_minutes_reads_frappe_time_values():
	assert minutes(dt.timedelta(hours=9, minutes=5)) == 545
	assert minutes("09:05:00") == 545
	assert minutes("9:05") == 545
	assert minutes(dt.time(9, 5)) == 545
	assert minutes("09:05:00.000000") == 545


def test_least_loaded_free_qualified_instructor_is_chosen_with_reasons():
	calendar = Calendar(
		{
			("instructor", "BUSY"): [busy(MON, 500, 560)],  # overlaps the lesson
			("instructor", "TWO"): [busy(MON, 600, 645), busy(MON, 645, 690)],
			("instructor", "ONE"): [busy(MON, 600, 645), busy(TUE, 480, 525), busy(TUE, 525, 570)],
		}
	)
	candidates = [math9("BUSY"), math9("TWO"), math9("ONE", covers=1)]
	proposals = propose_covers([lesson()], candidates, calendar)
	assert [p.instructor for p in proposals] == ["ONE", "TWO"]
	best = proposals[0]
	assert best.recommended and not proposals[1].recommended
	assert best.reasons == ["teaches Mathematics in Grade 9", "1 lesson that day", "1 cover this term"]
	assert best.score == 30 - 3 * 1 - 2 * 1
	assert proposals[1].score == 30 - 3 * 2


def test_absent_and_unqualified_instructors_are_never_proposed():
	calendar = Calendar(
		{
			("instructor", "AWAY"): [busy(MON, 0, 1440, ref="ABS-2", lesson=False)],
			("instructor", "ABS"): [busy(MON, 480, 525, ref="CS-1")],
		}
	)
	candidates = [
		math9("AWAY"),
		math9("ABS"),
		Candidate("ART", teaches=frozenset({("Art", "Grade 5")})),
		math9("FREE"),
	]
	assert [p.instructor for p in propose_covers([lesson()], candidates, calendar)] == ["FREE"]


def test_an_absence_does_not_count_as_load():
	calendar = Calendar({("instructor", "HALF"): [busy(MON, 700, 900, lesson=False)]})
	[proposal] = propose_covers([lesson()], [math9("HALF")], calendar)
	assert proposal.reasons[1] == "0 lessons that day"


def test_qualification_tiers_order_course_in_program_then_course_then_program():
	candidates = [
		Candidate("PROG", teaches=frozenset({("Physics", "Grade 9"), ("Biology", "Grade 9")})),
		Candidate("COURSE", teaches=frozenset({("Mathematics", "Grade 11")})),
		math9("EXACT"),
	]
	proposals = propose_covers([lesson()], candidates, Calendar())
	assert [(p.instructor, p.score) for p in proposals] == [("EXACT", 30), ("COURSE", 20), ("PROG", 10)]
	assert proposals[1].reasons[0] == "teaches Mathematics"
	assert proposals[2].reasons[0] == "teaches Biology, Physics in Grade 9"


def test_fairness_breaks_a_tie_in_score():
	# 3 covers and 2 lessons cost the same; the one who has covered less goes first
	calendar = Calendar({("instructor", "LOADED"): [busy(MON, 600, 645), busy(MON, 645, 690)]})
	candidates = [math9("COVERED", covers=3), math9("LOADED", covers=0)]
	proposals = propose_covers([lesson()], candidates, calendar)
	assert [p.score for p in proposals] == [24, 24]
	assert [p.instructor for p in proposals] == ["LOADED", "COVERED"]


def test_identical_candidates_are_ordered_by_id():
	proposals = propose_covers([lesson()], [math9("B"), math9("A")], Calendar())
	assert [p.instructor for p in proposals] == ["A", "B"]


def test_covers_are_shared_across_the_lessons_of_one_absence():
	lessons = [lesson("CS-1", start=480, end=525), lesson("CS-2", start=600, end=645)]
	proposals = propose_covers(lessons, [math9("A"), math9("B")], Calendar())
	recommended = {p.lesson: p.instructor for p in proposals if p.recommended}
	# A covers the first lesson; that cover and that lesson make B better for the second
	assert recommended == {"CS-1": "A", "CS-2": "B"}
	second = [p for p in proposals if p.lesson == "CS-2"]
	assert second[1].instructor == "A"
	assert second[1].reasons[1:] == ["1 lesson that day", "1 cover this term"]


def test_one_substitute_is_not_booked_twice_for_overlapping_lessons():
	lessons = [lesson("CS-1"), CoverLesson("CS-2", MON, 480, 525, "ABS", "Mathematics", "9B", "Grade 9")]
	plan = plan_cover(lessons, [math9("ONLY")], Calendar(), {})
	assert plan.recommended("CS-1").instructor == "ONLY"
	assert plan.recommended("CS-2") is None
	assert plan.uncovered == ["CS-2"]


def test_nobody_free_gives_a_move_to_the_nearest_free_slot():
	calendar = Calendar(
		{
			("instructor", "ABS"): [busy(MON, 0, 1440, ref="ABSENCE", lesson=False), busy(TUE, 480, 525)],
			("instructor", "BUSY"): [busy(MON, 480, 525)],
			("group", "9A"): [busy(MON, 480, 525, ref="CS-1"), busy(TUE, 525, 570)],
			("room", "R1"): [busy(TUE, 600, 645)],
		}
	)
	moves = {"9A": MoveOptions(school_days=frozenset(range(5)), periods=PERIODS)}
	plan = plan_cover([lesson()], [math9("BUSY")], calendar, moves, limit=2)
	best = plan.recommended("CS-1")
	assert best.kind == "move"
	# Tuesday 08:00 instructor busy, 08:45 group busy, 10:00 room busy -> 10:45
	assert (best.day, best.start, best.end) == (TUE, 645, 690)
	assert best.instructor == "ABS"
	assert best.reasons == [
		"moves to Tue 24 Nov 10:45–11:30",
		"9A, the instructor and R1 free then",
		"1 day later",
	]
	assert [(p.day, p.start) for p in plan.options["CS-1"]] == [(TUE, 645), (WED, 480)]


def test_moves_skip_holidays_weekends_the_past_and_over_long_slots():
	calendar = Calendar({("instructor", "ABS"): [busy(MON, 0, 1440, lesson=False)]})
	double = lesson(start=480, end=570)
	found = propose_moves(
		double,
		calendar,
		school_days=range(5),
		periods=PERIODS,
		holidays=[TUE],
		not_before=MON,
		limit=10,
	)
	days = {p.day for p in found}
	assert days == {WED, WED + dt.timedelta(days=1), WED + dt.timedelta(days=2)}
	# a 90-minute lesson cannot start at 10:45 (school ends 11:30)
	assert {p.start for p in found} == {480, 525, 600}
	past = propose_moves(double, calendar, school_days=range(5), periods=PERIODS, not_before=WED, limit=10)
	assert min(p.day for p in past) == WED


def test_moves_to_an_earlier_day_say_so():
	friday = MON + dt.timedelta(days=4)
	calendar = Calendar({("instructor", "ABS"): [busy(friday, 0, 1440, lesson=False)]})
	moves = propose_moves(
		lesson(day=friday), calendar, school_days=range(5), periods=PERIODS, not_before=MON, limit=1
	)
	assert moves[0].day == friday - dt.timedelta(days=1)
	assert moves[0].reasons[2] == "1 day earlier"
	assert moves[0].score == -1


def test_no_periods_means_no_moves():
	assert propose_moves(lesson(), Calendar(), school_days=range(5), periods=[]) == []


def test_a_move_is_booked_so_two_lessons_do_not_take_the_same_slot():
	calendar = Calendar({("instructor", "ABS"): [busy(MON, 0, 1440, lesson=False)]})
	lessons = [lesson("CS-1", start=480, end=525), lesson("CS-2", start=525, end=570)]
	moves = {"9A": MoveOptions(school_days=frozenset({0, 1}), periods=frozenset({(480, 525), (525, 570)}))}
	plan = plan_cover(lessons, [], calendar, moves)
	first, second = plan.recommended("CS-1"), plan.recommended("CS-2")
	assert (first.day, first.start) == (TUE, 480)
	assert (second.day, second.start) == (TUE, 525)


def test_plan_is_deterministic_and_serialisable():
	calendar = Calendar({("instructor", "B"): [busy(MON, 600, 645)]})
	args = ([lesson()], [math9("B"), math9("A"), math9("C", covers=2)], calendar, {})
	first = [p.to_dict() for p in plan_cover(*args).options["CS-1"]]
	assert first == [p.to_dict() for p in plan_cover(*args).options["CS-1"]]
	assert first[0] == {
		"lesson": "CS-1",
		"kind": "substitute",
		"score": 30,
		"reasons": ["teaches Mathematics in Grade 9", "0 lessons that day", "0 covers this term"],
		"instructor": "A",
		"day": "2026-11-23",
		"start": "08:00",
		"end": "08:45",
		"room": "R1",
		"recommended": True,
	}


def test_planning_does_not_change_the_callers_calendar():
	calendar = Calendar()
	plan_cover([lesson()], [math9("A")], calendar, {})
	assert calendar.is_free(("instructor", "A"), MON, 480, 525)


@pytest.mark.parametrize("program", ["", "Grade 9"])
def test_lessons_without_program_still_match_on_course(program):
	candidate = Candidate("A", teaches=frozenset({("Mathematics", program)}))
	[proposal] = propose_covers([lesson(program="")], [candidate], Calendar())
	assert proposal.reasons[0] == "teaches Mathematics"


def test_clashes_lists_overlapping_lessons_per_resource_only():
	calendar = Calendar(
		{
			("room", "R1"): [busy(MON, 480, 525, "A"), busy(MON, 500, 600, "B"), busy(MON, 525, 570, "C")],
			("instructor", "X"): [
				busy(MON, 480, 525, "A"),
				busy(MON, 525, 570, "C"),
				busy(MON, 0, 1440, lesson=False),
			],
		}
	)
	assert [(r, a.ref, b.ref) for r, a, b in calendar.clashes()] == [
		(("room", "R1"), "A", "B"),
		(("room", "R1"), "B", "C"),
	]


def test_a_program_known_only_from_a_group_without_course_still_qualifies():
	candidate = Candidate("HOMEROOM", teaches=frozenset({("", "Grade 9")}))
	[proposal] = propose_covers([lesson()], [candidate], Calendar())
	assert (proposal.score, proposal.reasons[0]) == (10, "teaches a group in Grade 9")
