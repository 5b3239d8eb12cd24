"""Class and subject summaries on hand-built records: mean scores, failing shares, pooled attendance with the
5 % / 10 % bands, tier counts, pass rates, grade counts by the course's scale and the weakest criteria."""

import datetime as dt

import pytest

from ai_school.core.insights.cohorts import (
	GroupSpec,
	student_score,
	summarise_courses,
	summarise_groups,
	tier_counts,
)
from ai_school.core.insights.features import extract_features
from ai_school.core.insights.records import (
	ABSENT,
	PRESENT,
	AssessmentRecord,
	AttendanceRecord,
	CriterionScore,
	GradeBand,
	GradingScale,
	SchoolData,
	Term,
)

TERM = Term("T1", dt.date(2026, 1, 5), dt.date(2026, 3, 27))
SCALE = GradingScale((GradeBand("A", 80), GradeBand("B", 65), GradeBand("C", 50), GradeBand("F", 0)))


def days(n: int) -> list[dt.date]:
	out, day = [], TERM.start
	while len(out) < n:
		if day.weekday() < 5:
			out.append(day)
		day += dt.timedelta(days=1)
	return out


def attendance(student: str, absent: int, total: int = 20) -> list[AttendanceRecord]:
	return [
		AttendanceRecord(student, d, ABSENT if i < absent else PRESENT) for i, d in enumerate(days(total))
	]


def result(student, course, written, oral) -> AssessmentRecord:
	return AssessmentRecord(
		student,
		course,
		TERM.name,
		criteria=(CriterionScore("Written", written, 50), CriterionScore("Oral", oral, 50)),
	)


@pytest.fixture
def school():
	results = [
		result("ann", "Maths", 45, 45),  # 90 %
		result("ann", "Art", 35, 35),  # 70 %
		result("ben", "Maths", 10, 30),  # 40 %: failing
		result("ben", "Art", 30, 30),  # 60 %
		result("cy", "Maths", 25, 35),  # 60 %
	]
	rows = attendance("ann", 0) + attendance("ben", 1) + attendance("cy", 2) + attendance("dee", 4)
	data = SchoolData(terms=[TERM], results=results, attendance=rows, pass_mark=50.0)
	features = {f.student: f for f in extract_features(data)}
	return features, results


def test_student_score_overall_and_in_one_course(school):
	features, _results = school
	assert student_score(features["ann"]) == (pytest.approx(80.0), False)
	assert student_score(features["ben"]) == (pytest.approx(50.0), True)
	assert student_score(features["ben"], "Art") == (pytest.approx(60.0), False)
	assert student_score(features["cy"], "Art") is None
	assert student_score(features["dee"]) is None  # attendance only


def test_group_summary_means_failing_share_attendance_bands_and_tiers(school):
	features, _results = school
	tiers = {"ann": "Low", "ben": "High", "cy": "Medium", "dee": "Critical", "eve": "bogus"}
	whole, maths = summarise_groups(
		[
			GroupSpec("9A", ["ann", "ben", "cy", "dee", "eve"]),
			GroupSpec("9A Maths", ["ann", "ben", "cy"], course="Maths"),
		],
		features,
		tiers,
	)
	assert whole.students == 5 and whole.assessed == 3
	assert whole.mean_score_pct == pytest.approx((80 + 50 + 60) / 3)
	assert whole.failing_pct == pytest.approx(100 / 3)
	# 7 of 80 recorded days absent, pooled over the four students with records
	assert whole.attendance_pct == pytest.approx(100 * (1 - 7 / 80))
	# ben 1/20 = 5 % is approaching (the boundary), cy 2/20 = 10 % and dee 4/20 chronic
	assert (whole.approaching, whole.chronic) == (1, 2)
	assert whole.tiers == {"Low": 1, "Medium": 1, "High": 1, "Critical": 1}
	# the course group counts the group's course only
	assert maths.assessed == 3
	assert maths.mean_score_pct == pytest.approx((90 + 40 + 60) / 3)
	assert maths.failing_pct == pytest.approx(100 / 3)


def test_group_without_records_has_no_averages():
	(empty,) = summarise_groups([GroupSpec("Empty", ["x", "x"])], {}, {})
	assert empty.students == 1 and empty.assessed == 0
	assert empty.mean_score_pct is None and empty.failing_pct is None and empty.attendance_pct is None
	assert empty.tiers == {"Low": 0, "Medium": 0, "High": 0, "Critical": 0}


def test_course_summary_pass_rate_grades_and_weakest_criteria(school):
	features, results = school
	art, maths = summarise_courses(features.values(), results, {"Maths": SCALE})
	assert maths.course == "Maths" and maths.students == 3 and maths.results == 3
	assert maths.mean_pct == pytest.approx((90 + 40 + 60) / 3)
	assert maths.median_pct == pytest.approx(60)
	assert maths.failing == 1 and maths.pass_rate_pct == pytest.approx(200 / 3)
	assert maths.grades == (("A", 1), ("C", 1), ("F", 1))  # best first
	# Written 80/150, Oral 110/150: written is the weakest
	assert maths.criteria == (("Written", pytest.approx(160 / 3)), ("Oral", pytest.approx(220 / 3)))
	assert maths.weakest[0][0] == "Written"
	assert art.grades == ()  # no scale given for Art
	assert art.pass_rate_pct == 100


def test_course_summary_keeps_only_the_courses_asked_for(school):
	features, results = school
	assert [c.course for c in summarise_courses(features.values(), results, courses=["Art"])] == ["Art"]


def test_tier_counts_lists_every_tier():
	assert tier_counts(["High", "High", "Low", None, "?"]) == {
		"Low": 1,
		"Medium": 0,
		"High": 2,
		"Critical": 0,
	}
