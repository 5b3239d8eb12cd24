"""The ABC rule score: tiers, exact cut-points, reasons in plain words that add up to the score."""

import dataclasses
import datetime as dt
import random

import pytest

from ai_school.core.insights.features import CourseStanding, TermFeatures
from ai_school.core.insights.rules import AbcCutpoints, abc_score
from ai_school.core.insights.scores import CRITICAL, HIGH, LOW, MEDIUM, Tiers

DAY = dt.date(2025, 11, 1)


def features(**changes) -> TermFeatures:
	"""A student on track: passing everything comfortably, always present, no incidents."""
	base = TermFeatures(
		student="s",
		term="T1",
		as_of=DAY,
		complete=False,
		pass_mark=50.0,
		courses=(
			CourseStanding("Maths", 72.0, "B", False, 1),
			CourseStanding("English", 80.0, "B", False, 1),
		),
		score_pct=76.0,
		lowest_course_pct=72.0,
		days_recorded=40,
		absence_pct=0.0,
		recent_days=20,
		recent_absence_pct=0.0,
		school_days=40,
		incident_day_pct=0.0,
	)
	return dataclasses.replace(base, **changes)


def failing(*courses: str, **changes) -> TermFeatures:
	standings = tuple(CourseStanding(c, 35.0, "F", True, 1) for c in courses)
	standings += (CourseStanding("Art", 70.0, "B", False, 1),)
	return features(courses=standings, failing_courses=courses, lowest_course_pct=35.0, **changes)


def points(score, name):
	return next(c.points for c in score.contributions if c.name == name)


def test_a_student_on_track_scores_zero_and_low():
	score = abc_score(features())
	assert (score.score, score.tier, score.base, score.method) == (0, LOW, 0, "abc")
	assert all(c.points == 0 for c in score.contributions)
	assert score.reasons() == []
	names = [c.name for c in score.contributions]
	assert names[:3] == ["attendance", "recent_attendance", "course_failures"]
	assert "behaviour" in names


@pytest.mark.parametrize(
	("absence", "expected"),
	[(4.99, 0), (5.0, 10), (9.99, 10), (10.0, 25), (19.99, 25), (20.0, 30), (55.0, 30)],
)
def test_attendance_points_change_exactly_at_the_cut_points(absence, expected):
	assert (
		points(abc_score(features(absence_pct=absence, recent_absence_pct=absence)), "attendance") == expected
	)


def test_tiers_grow_with_the_number_of_abc_flags():
	assert abc_score(features(absence_pct=6.0)).tier == LOW  # approaching only: watch, 10 points
	assert abc_score(features(absence_pct=12.0)).tier == MEDIUM  # chronic: 25
	assert abc_score(failing("Maths")).tier == MEDIUM  # one failure: 25
	assert abc_score(failing("Maths", absence_pct=12.0)).tier == HIGH  # 50
	critical = abc_score(failing("Maths", "English", absence_pct=22.0, incident_day_pct=6.0))
	assert (critical.score, critical.tier) == (30 + 35 + 15, CRITICAL)


def test_reasons_are_plain_words_with_numbers_and_the_school_median():
	f = failing("Maths", absence_pct=14.0, current_absence_streak=3, score_pct=52.5)
	score = abc_score(f, medians={"absence_pct": 4.0, "score_pct": 61.0, "incident_day_pct": 0.0})
	texts = {c.name: c.text for c in score.contributions}
	assert texts["attendance"].startswith("Absent 14 % of days this term (school median 4 %)")
	assert "chronic absence (10 % or more)" in texts["attendance"]
	assert "absent the last 3 school days in a row" in texts["attendance"]
	assert texts["course_failures"] == (
		"Failing 1 course below the pass mark of 50 %: Maths; average 52.5 % (school median 61 %)"
	)
	assert [c.name for c in score.reasons()] == ["attendance", "course_failures"]


def test_points_add_up_exactly_to_the_score():
	rng = random.Random(7)
	for _ in range(300):
		n_failing = rng.choice((0, 0, 1, 2, 3))
		courses = [f"C{i}" for i in range(n_failing)]
		f = failing(*courses) if courses else features(lowest_course_pct=rng.uniform(45, 90))
		f = dataclasses.replace(
			f,
			absence_pct=rng.choice((None, rng.uniform(0, 40))),
			recent_absence_pct=rng.uniform(0, 50),
			recent_days=rng.choice((5, 20)),
			incident_day_pct=rng.choice((None, rng.uniform(0, 10))),
			serious_incidents=rng.choice((0, 0, 1)),
			history_terms=rng.choice((0, 2)),
			past_failures=rng.choice((0, 1, 3)),
			score_change=rng.choice((None, rng.uniform(-20, 20))),
		)
		score = abc_score(f)
		assert score.score == sum(c.points for c in score.contributions)
		assert 0 <= score.score <= 100
		assert score.tier == Tiers().tier(score.score)


def test_no_history_adds_nothing_and_says_so():
	score = abc_score(features())
	past = next(c for c in score.contributions if c.name == "past_failures")
	assert (past.points, past.text) == (0, "No earlier terms on record")
	with_history = abc_score(
		features(history_terms=3, past_failures=3, score_change=-12.0, prev_score_pct=88.0)
	)
	assert points(with_history, "past_failures") == 10  # 5 each, at most 10
	assert points(with_history, "trend") == 10
	trend = next(c for c in with_history.contributions if c.name == "trend")
	assert trend.text == "Average fell 12 points since last term (88 % → 76 %)"


def test_borderline_passes_and_recent_absences_are_early_signs():
	near = abc_score(
		features(lowest_course_pct=52.0, courses=(CourseStanding("Maths", 52.0, "C", False, 1),))
	)
	assert points(near, "course_failures") == 10
	assert "close to failing" in next(c.text for c in near.contributions if c.name == "course_failures")
	recent = abc_score(features(absence_pct=4.0, recent_absence_pct=15.0, recent_days=20, days_recorded=60))
	assert points(recent, "recent_attendance") == 10
	chronic_all_term = abc_score(features(absence_pct=12.0, recent_absence_pct=15.0, days_recorded=60))
	assert points(chronic_all_term, "recent_attendance") == 0  # already counted by the term's rate


def test_behaviour_counts_rates_and_serious_incidents():
	assert points(abc_score(features(incident_day_pct=1.9)), "behaviour") == 0
	assert points(abc_score(features(incident_day_pct=2.0)), "behaviour") == 8
	assert points(abc_score(features(incident_day_pct=5.0)), "behaviour") == 15
	serious = abc_score(features(incident_day_pct=1.0, serious_incidents=1, incident_days=1))
	assert points(serious, "behaviour") == 15
	assert "1 serious behaviour incident this term" in next(
		c.text for c in serious.contributions if c.name == "behaviour"
	)


def test_missing_evidence_scores_nothing_and_says_so():
	empty = TermFeatures(student="new", term="T1", as_of=DAY, complete=False, pass_mark=50.0)
	score = abc_score(empty)
	assert score.score == 0
	texts = [c.text for c in score.contributions]
	assert "Attendance: no records yet this term" in texts
	assert "Course performance: no results yet this term" in texts


def test_cut_points_are_configurable_and_validated():
	strict = AbcCutpoints(chronic_absence_pct=8.0, approaching_absence_pct=4.0, tiers=Tiers(10, 20, 30))
	score = abc_score(features(absence_pct=8.0), strict)
	assert (points(score, "attendance"), score.tier) == (25, HIGH)
	assert strict.feature_settings().chronic_absence_pct == 8.0
	with pytest.raises(ValueError):
		AbcCutpoints(approaching_absence_pct=12.0)
	with pytest.raises(ValueError):
		AbcCutpoints(points_two_failures=80)  # could add up to more than 100
	with pytest.raises(ValueError):
		AbcCutpoints(points_borderline=-1)
	with pytest.raises(ValueError):
		Tiers(50, 40, 60)
