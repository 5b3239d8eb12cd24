"""The guardian digest's week: one status per day, and an encouraging observation that is computed from the
records, positive or neutral, and absent when the week gives nothing to say."""

from datetime import date

from ai_school.core.guardians.week import (
	ABSENT,
	LEAVE,
	PRESENT,
	ResultLine,
	WardWeek,
	attendance_week,
	day_statuses,
	encouraging_observation,
	percent_of,
)

MON, TUE, WED, THU, FRI = (date(2026, 11, day) for day in (23, 24, 25, 26, 27))


def test_a_day_is_present_if_any_lesson_was_attended_and_absent_only_if_every_lesson_was_missed():
	rows = [(MON, ABSENT), (MON, PRESENT), (TUE, ABSENT), (TUE, ABSENT), (WED, LEAVE), (WED, ABSENT)]
	assert day_statuses(rows) == {MON: PRESENT, TUE: ABSENT, WED: LEAVE}


def test_attendance_week_counts_days_not_rows():
	week = attendance_week([(MON, PRESENT), (MON, PRESENT), (TUE, ABSENT), (WED, LEAVE), (THU, PRESENT)])
	assert (week.days_recorded, week.days_present, week.days_absent, week.days_leave) == (4, 2, 1, 1)
	assert week.absent_dates == (TUE,)
	assert week.rate == 50
	assert attendance_week([]).rate is None


def test_an_improved_result_comes_first_and_the_largest_improvement_wins():
	week = WardWeek(
		"Ada",
		attendance=attendance_week([(d, PRESENT) for d in (MON, TUE, WED, THU, FRI)]),
		results=(
			ResultLine("History", 62, "C", previous_percent=55),
			ResultLine("Maths", 48, "D", previous_percent=30),
			ResultLine("Art", 90, "A", previous_percent=88),
		),
	)
	observation = encouraging_observation(week)
	assert observation.kind == "improved_result"
	assert observation.values == {"name": "Ada", "course": "Maths", "percent": 48, "previous_percent": 30}


def test_a_full_week_at_school_needs_three_recorded_days():
	full = WardWeek("Ada", attendance=attendance_week([(d, PRESENT) for d in (MON, TUE, WED)]))
	assert encouraging_observation(full).kind == "full_attendance"
	assert encouraging_observation(full).values["days"] == 3
	short = WardWeek("Ada", attendance=attendance_week([(MON, PRESENT), (TUE, PRESENT)]))
	assert encouraging_observation(short).kind == "days_at_school"


def test_a_strong_result_is_one_at_or_above_the_pass_mark():
	week = WardWeek(
		"Ben",
		attendance=attendance_week([(MON, ABSENT), (TUE, PRESENT)]),
		results=(ResultLine("Maths", 50, "D"), ResultLine("Art", 49.9, "F")),
		pass_mark=50,
	)
	observation = encouraging_observation(week)
	assert observation.kind == "strong_result"
	assert observation.values["course"] == "Maths"
	below = WardWeek("Ben", results=(ResultLine("Art", 49.9, "F"),), pass_mark=50)
	assert encouraging_observation(below) is None


def test_attendance_up_on_the_term_so_far():
	days = attendance_week([(MON, PRESENT), (TUE, PRESENT), (WED, PRESENT), (THU, ABSENT)])  # 75 %
	assert encouraging_observation(WardWeek("Cy", attendance=days, earlier_attendance_rate=65)).kind == (
		"attendance_up"
	)
	assert encouraging_observation(WardWeek("Cy", attendance=days, earlier_attendance_rate=65.1)).kind == (
		"days_at_school"
	)


def test_tutor_practice_and_nothing_to_say():
	week = WardWeek("Di", tutor_sessions=2, tutor_questions=7, tutor_courses=("Maths",))
	observation = encouraging_observation(week)
	assert observation.kind == "tutor_practice"
	assert observation.values == {"name": "Di", "sessions": 2, "questions": 7, "courses": ["Maths"]}
	# absences only, no results, no tutor: nothing positive can be computed, so nothing is said
	assert encouraging_observation(WardWeek("Di", attendance=attendance_week([(MON, ABSENT)]))) is None
	assert encouraging_observation(WardWeek("Di")) is None


def test_percent_of():
	assert percent_of(15, 20) == 75
	assert percent_of(None, 20) is None
	assert percent_of(5, 0) is None
