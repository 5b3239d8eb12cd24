"""Features from hand-built records: attendance bands at exactly 5 % and 10 %, per-lesson marking, streaks,
results, grades and failures, behaviour as a share of school days, history, tutor use, cut-off dates."""

import datetime as dt

import pytest

from ai_school.core.insights.features import (
	APPROACHING,
	CHRONIC,
	DECLINING,
	IMPROVING,
	OK,
	FeatureSettings,
	extract_features,
	labelled_examples,
	school_medians,
)
from ai_school.core.insights.records import (
	ABSENT,
	LEAVE,
	PRESENT,
	AssessmentRecord,
	AttendanceRecord,
	CriterionScore,
	GradeBand,
	GradingScale,
	Incident,
	SchoolData,
	Term,
	TutorActivity,
)

T1 = Term("2025-26 (Term 1)", dt.date(2025, 9, 1), dt.date(2025, 12, 19))
T2 = Term("2025-26 (Term 2)", dt.date(2026, 1, 5), dt.date(2026, 4, 3))
SCALE = GradingScale(
	(GradeBand("A", 85), GradeBand("B", 70), GradeBand("C", 55), GradeBand("D", 40), GradeBand("F", 0)),
	pass_grade="D",
)


def school_days(term: Term, n: int) -> list[dt.date]:
	days, day = [], term.start
	while len(days) < n:
		if day.weekday() < 5:
			days.append(day)
		day += dt.timedelta(days=1)
	return days


def daily(
	student: str, days: list[dt.date], absent_on: set[int], status: str = ABSENT
) -> list[AttendanceRecord]:
	return [AttendanceRecord(student, d, status if i in absent_on else PRESENT) for i, d in enumerate(days)]


def one(features, student, term=T1.name):
	found = [f for f in features if f.student == student and f.term == term]
	assert len(found) == 1, found
	return found[0]


def test_absence_bands_at_exactly_5_and_10_percent():
	days = school_days(T1, 20)
	attendance = (
		daily("ok", days, set())
		+ daily("just-below", school_days(T1, 21), {3})  # 1 of 21 = 4.76 %
		+ daily("five", days, {4})  # 1 of 20 = 5 % exactly: approaching
		+ daily("almost-ten", school_days(T1, 21), {1, 2})  # 2 of 21 = 9.52 %: still approaching
		+ daily("ten", days, {5, 6})  # 2 of 20 = 10 % exactly: chronic
	)
	found = extract_features(SchoolData(terms=[T1], attendance=attendance))
	assert [(f.student, f.absence_pct, f.absence_band) for f in found] == [
		("almost-ten", pytest.approx(100 * 2 / 21), APPROACHING),
		("five", 5.0, APPROACHING),
		("just-below", pytest.approx(100 / 21), OK),
		("ok", 0.0, OK),
		("ten", 10.0, CHRONIC),
	]


def test_lesson_by_lesson_marking_counts_the_share_of_each_day_exactly():
	# three lessons a day; missing one lesson on each of 3 days is one whole day of 10: exactly 10 %
	days = school_days(T1, 10)
	rows = []
	for i, day in enumerate(days):
		rows += [
			AttendanceRecord("s", day, ABSENT if i < 3 and lesson == 0 else PRESENT) for lesson in range(3)
		]
	f = one(extract_features(SchoolData(terms=[T1], attendance=rows)), "s")
	assert f.days_recorded == 10
	assert f.days_absent == 1.0
	assert f.absence_pct == 10.0
	assert f.absence_band == CHRONIC  # thirds summed as floats would give 9.999... and miss the band
	assert f.current_absence_streak == 0  # no whole day missed
	assert f.longest_absence_streak == 0


def test_leave_counts_as_absence_unless_the_school_says_otherwise():
	rows = daily("s", school_days(T1, 20), {0, 1}, status=LEAVE)
	data = SchoolData(terms=[T1], attendance=rows)
	assert one(extract_features(data), "s").absence_pct == 10.0
	unexcused = extract_features(data, settings=FeatureSettings(count_leave_as_absent=False))
	assert one(unexcused, "s").absence_pct == 0.0
	assert one(unexcused, "s").absence_band == OK


def test_streaks_and_the_recent_rate():
	days = school_days(T1, 30)
	rows = daily("s", days, {2, 3, 4, 5, 27, 28, 29})
	f = one(
		extract_features(SchoolData(terms=[T1], attendance=rows), settings=FeatureSettings(recent_days=10)),
		"s",
	)
	assert f.longest_absence_streak == 4
	assert f.current_absence_streak == 3
	assert f.recent_days == 10
	assert f.recent_absence_pct == 30.0  # 3 of the last 10 days
	assert f.absence_pct == pytest.approx(100 * 7 / 30)


def test_course_percentages_criteria_grades_and_failures():
	results = [
		AssessmentRecord(
			"s",
			"Maths",
			T1.name,
			criteria=(CriterionScore("Written", 20, 60), CriterionScore("Coursework", 10, 40)),
		),  # 30 / 100
		AssessmentRecord("s", "Maths", T1.name, score=30, maximum=50),  # course: 60 / 150 = 40 %, exactly D
		AssessmentRecord("s", "English", T1.name, score=39.5, maximum=100),  # 39.5 %: fails
		AssessmentRecord(
			"s", "Art", T1.name, score=90, maximum=100, criteria=(CriterionScore("Written", 45, 50),)
		),
	]
	f = one(extract_features(SchoolData(terms=[T1], results=results, grading_scale=SCALE)), "s")
	assert f.pass_mark == 40.0  # from the scale's pass grade
	assert [(c.course, c.pct, c.grade, c.failing, c.results) for c in f.courses] == [
		("Art", 90.0, "A", False, 1),
		("English", 39.5, "F", True, 1),
		("Maths", 40.0, "D", False, 2),
	]
	assert f.failing_courses == ("English",)
	assert f.n_failing == 1
	assert f.failed is True
	assert f.score_pct == pytest.approx((90 + 39.5 + 40) / 3)
	assert f.grade == "C"  # 56.5 %
	assert f.lowest_course_pct == 39.5
	assert f.criteria_pct == {"Coursework": 25.0, "Written": pytest.approx(100 * 65 / 110)}


def test_the_pass_mark_setting_wins_over_the_scale_and_defaults_to_50():
	results = [AssessmentRecord("s", "Maths", T1.name, score=45, maximum=100)]
	assert (
		one(extract_features(SchoolData(terms=[T1], results=results, grading_scale=SCALE)), "s").failed
		is False
	)
	strict = SchoolData(terms=[T1], results=results, grading_scale=SCALE, pass_mark=50)
	assert one(extract_features(strict), "s").failing_courses == ("Maths",)
	assert one(extract_features(SchoolData(terms=[T1], results=results)), "s").pass_mark == 50.0


def test_results_without_a_usable_maximum_are_ignored():
	results = [
		AssessmentRecord("s", "Maths", T1.name, score=5, maximum=0),
		AssessmentRecord("s", "Maths", T1.name, score=None, maximum=None),
	]
	f = one(extract_features(SchoolData(terms=[T1], results=results, enrolments={T1.name: ["s"]})), "s")
	assert f.courses == ()
	assert f.failed is None


def test_empty_inputs_and_students_with_no_records():
	assert extract_features(SchoolData(terms=[])) == []
	assert extract_features(SchoolData(terms=[T1])) == []
	f = one(extract_features(SchoolData(terms=[T1], enrolments={T1.name: ["new"]})), "new")
	assert (f.score_pct, f.absence_pct, f.absence_band, f.failed, f.grade) == (None, None, None, None, None)
	assert f.tutor_messages is None  # the school does not use the tutor
	row = f.as_row()
	assert row["score_pct"] is None
	assert row["n_failing"] is None  # no results is not "no failures"
	assert row["absence_pct"] is None
	assert row["incident_day_pct"] == 0.0  # school days passed without incidents
	assert f.school_days == len([d for d in school_days(T1, 200) if d <= T1.end])


def test_behaviour_is_the_share_of_school_days_with_an_incident():
	days = school_days(T1, 20)
	incidents = [
		Incident("s", days[0]),
		Incident("s", days[0], severity=2),  # same day: one incident day
		Incident("s", days[5], severity=3),
		Incident("s", dt.date(2026, 2, 1)),  # another term
	]
	data = SchoolData(terms=[T1], incidents=incidents, school_days=days)
	f = one(extract_features(data), "s")
	assert (f.incidents, f.incident_days, f.serious_incidents, f.school_days) == (3, 2, 1, 20)
	assert f.incident_day_pct == 10.0


def test_a_behaviour_rate_falls_again_when_incidents_stop():
	days = school_days(T1, 60)
	data = SchoolData(
		terms=[T1], incidents=[Incident("s", days[0]), Incident("s", days[1])], school_days=days
	)
	early = one(extract_features(data, as_of=days[9]), "s")
	late = one(extract_features(data, as_of=days[59]), "s")
	assert early.incident_day_pct == 20.0
	assert late.incident_day_pct == pytest.approx(100 * 2 / 60)


def test_history_from_earlier_terms():
	results = [
		AssessmentRecord("s", "Maths", T1.name, score=35, maximum=100),
		AssessmentRecord("s", "English", T1.name, score=75, maximum=100),
		AssessmentRecord("s", "Maths", T2.name, score=45, maximum=100),
		AssessmentRecord("s", "English", T2.name, score=45, maximum=100),
		AssessmentRecord("up", "Maths", T1.name, score=50, maximum=100),
		AssessmentRecord("up", "Maths", T2.name, score=70, maximum=100),
	]
	attendance = daily("s", school_days(T1, 20), {0, 1, 2})
	data = SchoolData(terms=[T2, T1], results=results, attendance=attendance, pass_mark=40)
	found = extract_features(data)
	first, second = one(found, "s", T1.name), one(found, "s", T2.name)
	assert (first.history_terms, first.prev_score_pct, first.score_change, first.trend) == (
		0,
		None,
		None,
		None,
	)
	assert second.history_terms == 1
	assert second.past_failures == 1
	assert second.past_failed_terms == 1
	assert second.prev_score_pct == 55.0
	assert second.score_change == -10.0
	assert second.trend == DECLINING
	assert second.prev_absence_pct == 15.0
	assert one(found, "up", T2.name).trend == IMPROVING


def test_as_of_uses_only_what_was_known_then():
	days = school_days(T1, 40)
	mid = days[19]
	results = [
		AssessmentRecord("s", "Maths", T1.name, score=80, maximum=100, date=days[10]),
		AssessmentRecord("s", "Maths", T1.name, score=0, maximum=100, date=days[35]),
	]
	attendance = daily("s", days, set(range(30, 40)))
	data = SchoolData(terms=[T1, T2], results=results, attendance=attendance)
	early = extract_features(data, as_of=mid)
	assert [f.term for f in early] == [T1.name]  # term 2 had not started
	f = early[0]
	assert (f.as_of, f.complete, f.score_pct, f.failed, f.absence_pct) == (mid, False, 80.0, False, 0.0)
	end = one(extract_features(data), "s")
	assert (end.complete, end.score_pct, end.failed, end.absence_pct) == (True, 40.0, True, 25.0)


def test_labelled_examples_pair_mid_term_features_with_the_term_outcome():
	days = school_days(T1, 40)
	results = [
		AssessmentRecord("s", "Maths", T1.name, score=80, maximum=100, date=days[5]),
		AssessmentRecord("s", "Maths", T1.name, score=0, maximum=100, date=dt.date(2025, 12, 10)),
		AssessmentRecord("t", "Maths", T1.name, score=90, maximum=100, date=days[5]),
		AssessmentRecord("u", "Maths", T2.name, score=10, maximum=100),  # term not over on "today"
	]
	data = SchoolData(terms=[T1, T2], results=results, enrolments={T1.name: ["no-results"]})
	pairs = labelled_examples(data, at=0.5, today=dt.date(2026, 2, 1))
	assert [(f.student, f.term, f.score_pct, outcome) for f, outcome in pairs] == [
		("s", T1.name, 80.0, True),
		("t", T1.name, 90.0, False),
	]
	assert all(f.as_of < T1.end for f, _ in pairs)
	with pytest.raises(ValueError):
		labelled_examples(data, at=1.5)


def test_tutor_use_when_the_school_has_the_tutor():
	days = school_days(T1, 5)
	tutor = [TutorActivity("s", days[0], 3), TutorActivity("s", days[0], 2), TutorActivity("s", days[2])]
	data = SchoolData(terms=[T1], tutor=tutor, enrolments={T1.name: ["quiet"]})
	found = extract_features(data)
	assert (one(found, "s").tutor_messages, one(found, "s").tutor_active_days) == (6, 2)
	assert (one(found, "quiet").tutor_messages, one(found, "quiet").tutor_active_days) == (0, 0)


def test_school_medians_per_term():
	days = school_days(T1, 20)
	attendance = daily("a", days, set()) + daily("b", days, {0}) + daily("c", days, {0, 1, 2, 3})
	medians = school_medians(extract_features(SchoolData(terms=[T1], attendance=attendance)))
	assert medians[T1.name]["absence_pct"] == 5.0


def test_grading_scale_boundaries_follow_education():
	assert SCALE.grade_for(85) == "A"
	assert SCALE.grade_for(84.99) == "B"
	assert SCALE.grade_for(0) == "F"
	assert SCALE.grade_for(None) is None
	assert SCALE.pass_mark == 40
	with pytest.raises(ValueError):
		GradingScale((GradeBand("P", 50),), pass_grade="Q")


def test_settings_and_records_reject_nonsense():
	with pytest.raises(ValueError):
		FeatureSettings(approaching_absence_pct=12, chronic_absence_pct=10)
	with pytest.raises(ValueError):
		Term("x", dt.date(2026, 1, 2), dt.date(2026, 1, 1))
	with pytest.raises(ValueError):
		SchoolData(terms=[T1, T1])
	with pytest.raises(ValueError):
		extract_features(SchoolData(terms=[T1]), terms=["no such term"])
