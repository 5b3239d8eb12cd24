from ai_school.core.timetable.model import (
	Assignment,
	EarlyMaxBeginningsAtSecondHour,
	EndsStudentsDay,
	IntervalMaxDaysPerWeek,
	Lesson,
	MaxDaysBetween,
	MaxGaps,
	MaxHoursContinuously,
	MaxSpanPerDay,
	MinDaysBetween,
	MinDaysPerWeek,
	MinGapsBetween,
	MinRestingHours,
	PreferredRooms,
	Problem,
	Room,
	SameStartingDay,
	SameStartingHour,
	StudentSet,
	Teacher,
)
from ai_school.core.timetable.validator import validate


def school(**overrides) -> Problem:
	"""2 days × 5 periods, break at period 3 (index 2) on both days; two classes, two teachers."""
	data = dict(
		days=["Mon", "Tue"],
		periods_per_day=5,
		breaks=frozenset({(0, 2), (1, 2)}),
		teachers=[Teacher("smith", "Smith", unavailable=frozenset({(1, 4)})), Teacher("jones", "Jones")],
		student_sets=[StudentSet("7a", "7A", size=28), StudentSet("7b", "7B", size=20)],
		rooms=[Room("lab", "Lab", capacity=24, kind="lab"), Room("r1", "Room 1", capacity=30)],
		lessons=[
			Lesson("m1", "Maths", ["smith"], ["7a"]),
			Lesson("m2", "Maths", ["smith"], ["7b"]),
			Lesson("e1", "English", ["jones"], ["7a"], duration=2),
			Lesson("c1", "Chem", ["jones"], ["7b"], room_kind="lab"),
		],
	)
	data.update(overrides)
	return Problem(**data)


GOOD = {
	"m1": Assignment("m1", 0, 0),
	"m2": Assignment("m2", 0, 1),
	"e1": Assignment("e1", 0, 3),
	"c1": Assignment("c1", 1, 0, "lab"),
}


def kinds(report):
	return sorted(v.kind for v in report.hard_violations)


def test_valid_timetable_has_no_violations():
	report = validate(school(), GOOD)
	assert report.is_valid and report.soft_cost == 0 and report.messages() == []


def test_teacher_double_booking_names_who_and_when():
	report = validate(school(), {**GOOD, "m2": Assignment("m2", 0, 0)})
	assert kinds(report) == ["teacher_clash"]
	message = report.hard_violations[0].message
	assert "Teacher Smith" in message and "Mon P1" in message
	assert set(report.hard_violations[0].lessons) == {"m1", "m2"}


def test_student_and_room_double_bookings():
	problem = school()
	problem.lessons.append(Lesson("c2", "Chem", ["jones"], ["7b"], room_kind="lab"))
	clash = {**GOOD, "e1": Assignment("e1", 0, 0), "c2": Assignment("c2", 1, 0, "lab")}
	report = validate(problem, clash)
	assert kinds(report) == ["room_clash", "students_clash", "students_clash", "teacher_clash"]
	assert any("Room Lab" in m for m in report.messages())


def test_break_spanning_and_day_end_are_hard():
	report = validate(school(), {**GOOD, "e1": Assignment("e1", 0, 1)})
	assert "break" in kinds(report)
	report = validate(school(), {**GOOD, "e1": Assignment("e1", 1, 4)})
	assert "day_end" in kinds(report)


def test_unplaced_unknown_and_unavailable():
	assignments = {**GOOD, "zz": Assignment("zz", 0, 0), "m2": Assignment("m2", 1, 4)}
	del assignments["m1"]
	report = validate(school(), assignments)
	assert kinds(report) == ["availability", "unknown_lesson", "unplaced"]
	assert any("Teacher Smith is not available at Tue P5" in m for m in report.messages())


def test_room_kind_and_capacity_are_checked():
	problem = school()
	problem.lessons[3].student_sets = ["7a"]  # 28 students > lab capacity 24
	problem.lessons[1].student_sets = ["7b"]
	report = validate(problem, {**GOOD, "c1": Assignment("c1", 1, 0, "r1")})
	assert kinds(report) == ["room_unsuitable"]
	assert "needs a lab" in report.hard_violations[0].message
	report = validate(problem, GOOD)
	assert "28 students > capacity 24" in report.hard_violations[0].message
	report = validate(problem, {**GOOD, "c1": Assignment("c1", 1, 0)})
	assert kinds(report) == ["no_room"]


def test_gaps_ignore_breaks_and_cost_by_weight():
	problem = school(constraints=[MaxGaps(weight=50, resource="teacher", ids=["smith"], max_gaps=0)])
	# P1 and P4 on Monday with the break at P3 between: one gap (P2), the break is not a gap.
	report = validate(problem, {**GOOD, "m2": Assignment("m2", 0, 3), "e1": Assignment("e1", 1, 3)})
	assert report.is_valid
	assert report.soft_cost == 10 and report.breakdown == {"MaxGaps (smith)": 10}
	assert "Teacher Smith has 1 gaps per week" in report.soft_violations[0].message


def test_hard_min_days_between_is_a_hard_violation():
	problem = school(constraints=[MinDaysBetween(lessons=["m1", "m2"], min_days=1)])
	report = validate(problem, GOOD)
	assert kinds(report) == ["MinDaysBetween"]
	assert "0 days apart" in report.hard_violations[0].message


def test_early_beginnings_counts_late_days():
	problem = school(constraints=[EarlyMaxBeginningsAtSecondHour(weight=95, ids=["7a"], max_beginnings=0)])
	late = {**GOOD, "m1": Assignment("m1", 1, 1), "e1": Assignment("e1", 0, 3)}
	report = validate(problem, late)
	# Monday starts after the second usable period (P1, P2 free; P3 is the break) and Tuesday
	# at the second: 2 late days over an allowance of 0, plus 1 very late day; 43 each at 95 %.
	assert report.soft_cost == 3 * 43


def test_soft_room_wish_leaves_the_room_optional():
	problem = school(constraints=[PreferredRooms(weight=50, lessons=["m1"], rooms=["r1"])])
	report = validate(problem, GOOD)
	assert report.is_valid and report.soft_cost == 10
	report = validate(problem, {**GOOD, "m1": Assignment("m1", 0, 0, "r1")})
	assert report.is_valid and report.soft_cost == 0


def test_accepts_a_list_of_plain_dicts():
	rows = [{"lesson": a.lesson, "day": a.day, "period": a.period, "room": a.room} for a in GOOD.values()]
	assert validate(school(), rows).is_valid


def test_fet_style_constraints_have_precise_costs():
	both = ["m1", "m2"]
	problem = school(
		constraints=[
			MaxHoursContinuously(weight=50, resource="students", ids=["7a"], max_hours=1),
			MinGapsBetween(weight=50, lessons=both, min_gaps=2, name="gaps"),
			EndsStudentsDay(weight=50, lessons=["m1"], name="ends"),
			MaxDaysBetween(weight=50, lessons=["m1", "c1"], max_days=0, name="max days"),
			MinDaysPerWeek(weight=50, resource="teacher", ids=["smith"], min_days=2, name="min days"),
			IntervalMaxDaysPerWeek(
				weight=50,
				resource="teacher",
				ids=["jones"],
				start_period=3,
				end_period=5,
				max_days=0,
				name="afternoons",
			),
			SameStartingDay(weight=50, lessons=["m1", "c1"], name="same day"),
			SameStartingHour(weight=50, lessons=["m1", "c1"], name="same hour"),
		]
	)
	report = validate(problem, GOOD)
	assert report.is_valid
	assert report.breakdown == {
		# 7A: e1 at P4–P5 is two periods in a row (the break at P3 interrupts nothing else).
		"MaxHoursContinuously (7a)": 10,
		# m1 at P1 and m2 at P2 are adjacent: 0 periods between them.
		"gaps": 10,
		# 7A has English after m1 on Monday.
		"ends": 10,
		"max days": 10,
		"min days": 10,
		# Jones teaches P4–P5 on Monday.
		"afternoons": 10,
		"same day": 10,
	}


def test_span_counts_the_break_and_the_exception_forgives_one_period():
	# Smith: m1 Mon P1, m2 Mon P5 (span 5 over the break at P3); Tue P2 only (span 1)
	timetable = {
		"m1": Assignment("m1", 0, 0),
		"m2": Assignment("m2", 0, 4),
		"e1": Assignment("e1", 1, 0),
		"c1": Assignment("c1", 1, 3, "lab"),
	}
	rule = MaxSpanPerDay(weight=50, resource="teacher", ids=["smith"], max_span=3)
	report = validate(school(constraints=[rule]), timetable)
	assert [(v.amount, v.message) for v in report.soft_violations] == [
		(2, "MaxSpanPerDay (smith): Teacher Smith spans 5 periods on Mon (max 3)")
	]
	exception = MaxSpanPerDay(
		weight=50, resource="teacher", ids=["smith"], max_span=3, allow_one_day_exception=True
	)
	assert [v.amount for v in validate(school(constraints=[exception]), timetable).soft_violations] == [1]
	assert validate(school(constraints=[MaxSpanPerDay(resource="teacher", max_span=5)]), timetable).is_valid


def test_resting_hours_count_free_periods_at_both_ends_and_circular_wraps():
	# 7A: e1 Mon P4-P5 (ends the day), m1 Tue P1; 7B: m2 Mon P1, c1 Tue P5
	timetable = {
		"e1": Assignment("e1", 0, 3),
		"m1": Assignment("m1", 1, 0),
		"m2": Assignment("m2", 0, 0),
		"c1": Assignment("c1", 1, 4, "lab"),
	}
	rule = MinRestingHours(weight=50, resource="students", min_hours=2)
	report = validate(school(constraints=[rule]), timetable)
	# 7A rests 0 from Mon to Tue; 7B rests 4 + 4
	assert [(v.amount, v.message) for v in report.soft_violations] == [
		(2, "MinRestingHours (all students): Students 7A rests 0 periods from Mon to Tue (min 2)")
	]
	circular = MinRestingHours(weight=50, resource="students", ids=["7b"], min_hours=2, circular=True)
	report = validate(school(constraints=[circular]), timetable)
	# 7B ends Tue at P5 and starts Mon at P1
	assert [v.message for v in report.soft_violations] == [
		"MinRestingHours (7b): Students 7B rests 0 periods from Tue to Mon (min 2)"
	]
