"""Training a model version on a school's history and deciding whether it replaces the ABC rule; the pass
mark read from a grading scale that does not name its pass grade (Education's never do)."""

import datetime as dt
import json
import random

import pytest

from ai_school.core.insights.features import extract_features
from ai_school.core.insights.model import RiskModel
from ai_school.core.insights.records import (
	PRESENT,
	AssessmentRecord,
	AttendanceRecord,
	GradeBand,
	GradingScale,
	SchoolData,
	Term,
)
from ai_school.core.insights.training import (
	CUTOFFS,
	CalibratedRule,
	Example,
	HistoryRequirement,
	decide,
	train_version,
	training_examples,
)
from tests.core.insights.test_validation import TERMS, simulated_school

# -- the pass mark of a grading scale ---------------------------------------------------------------------


def scale(*bands) -> GradingScale:
	return GradingScale(tuple(GradeBand(*band) for band in bands))


@pytest.mark.parametrize(
	("bands", "grade", "mark"),
	[
		# Education's demo-like A-F scale: the description says which grade passes
		((("A", 85, "Excellent"), ("B", 70), ("C", 55), ("D", 40, "Pass"), ("F", 0, "Fail")), "D", 40),
		# no descriptions: the bottom band (from 0 %) is the failing grade
		((("A", 80), ("B", 65), ("C", 50), ("F", 0)), "C", 50),
		((("A*", 90), ("A", 80), ("B", 70), ("C", 60), ("D", 50), ("E", 40), ("U", 0)), "E", 40),
		# two failing grades that say so
		((("A", 80), ("B", 60), ("C", 45), ("E", 30, "Failed"), ("F", 0, "Fail")), "C", 45),
		# "Pass" as a grade code of its own
		((("Distinction", 75), ("Merit", 60), ("Pass", 40), ("Not yet", 0)), "Pass", 40),
		# a scale whose lowest band starts above 0 %: below it there is no grade at all
		((("A", 80), ("B", 60), ("C", 45)), "C", 45),
		# one band from 0 %: nothing to read
		((("All", 0),), None, None),
	],
)
def test_the_pass_grade_is_read_from_the_scale(bands, grade, mark):
	found = scale(*bands)
	assert found.inferred_pass_grade() == grade
	assert found.pass_mark == mark


def test_a_named_pass_grade_wins_and_the_school_setting_wins_over_both():
	named = GradingScale((GradeBand("A", 80), GradeBand("B", 60), GradeBand("F", 0)), pass_grade="B")
	assert named.pass_mark == 60
	t1 = Term("T1", dt.date(2026, 1, 5), dt.date(2026, 3, 27))
	results = [AssessmentRecord("s", "Maths", "T1", score=45, maximum=100)]
	demo = scale(("A", 85), ("B", 70), ("C", 55), ("D", 40, "Pass"), ("F", 0, "Fail"))
	# the demo school passes at 40 %: 45 % passes, unless the school sets 50 % itself
	assert extract_features(SchoolData(terms=[t1], results=results, grading_scale=demo))[0].failed is False
	strict = SchoolData(terms=[t1], results=results, grading_scale=demo, pass_mark=50)
	assert extract_features(strict)[0].failed is True
	assert extract_features(SchoolData(terms=[t1], results=results))[0].pass_mark == 50  # no scale: 50 %


# -- examples ---------------------------------------------------------------------------------------------


def test_examples_at_three_moments_of_every_ended_term_with_the_rule_score():
	data = simulated_school(n_students=20, seed=1)
	examples = training_examples(data, today=TERMS[2].end)
	assert {e.term for e in examples} == {t.name for t in TERMS[:3]}
	assert {e.at for e in examples} == set(CUTOFFS)
	assert len(examples) == 20 * 3 * len(CUTOFFS)
	for example in examples[:10]:
		assert example.label in (0, 1)
		assert 0 <= example.rule_score <= 100
		assert "score_pct" in example.row
	# the outcome is the term's, whatever the moment
	by_key = {}
	for e in examples:
		by_key.setdefault((e.student, e.term), set()).add(e.label)
	assert all(len(labels) == 1 for labels in by_key.values())


def test_features_at_a_moment_know_only_what_was_known_then():
	t1 = Term("T1", dt.date(2026, 1, 5), dt.date(2026, 3, 27))
	days = [
		t1.start + dt.timedelta(days=d)
		for d in range(0, 82)
		if (t1.start + dt.timedelta(days=d)).weekday() < 5
	]
	results = [
		AssessmentRecord("s", "Maths", "T1", score=90, maximum=100, date=days[10]),
		AssessmentRecord("s", "Maths", "T1", score=0, maximum=100, date=days[-2]),  # the final sinks the term
	]
	data = SchoolData(
		terms=[t1], results=results, attendance=[AttendanceRecord("s", d, PRESENT) for d in days]
	)
	(early,) = [e for e in training_examples(data, at=(0.5,))]
	assert early.label == 1  # 45 % over the term: failed
	assert early.row["score_pct"] == 90  # mid-term, only the first result was known


# -- how much history is enough ---------------------------------------------------------------------------


def outcomes(per_term: dict[str, tuple[int, int]]) -> dict:
	found = {}
	for term, (failed, passed) in per_term.items():
		for i in range(failed + passed):
			found[(f"S{i}", term)] = int(i < failed)
	return found


def test_history_requirement_in_plain_words():
	need = HistoryRequirement()
	assert need.required_rows(0.15) == 196
	assert need.required_rows(0.5) == 385
	assert need.problems(outcomes({"T1": (40, 200), "T2": (40, 200)}), ["T1", "T2"]) == []

	(one_term,) = need.problems(outcomes({"T1": (80, 400)}), ["T1"])
	assert one_term.startswith("1 ended term with results; needs 2")

	few = need.problems(outcomes({"T1": (10, 40), "T2": (5, 45)}), ["T1", "T2"])
	assert "15 student-terms failed a course and 85 passed; needs 20 of each" in few
	assert "the later terms have 5 failed and 45 passed student-terms to test on; needs 10 of each" in few
	assert any(p.startswith("100 labelled student-terms; a failure rate of 15 % needs 196") for p in few)


def test_decision_needs_history_and_a_model_that_beats_or_matches_the_rule():
	model = {"brier": 0.100, "roc_auc": 0.85, "n": 500}
	rule = {"brier": 0.101, "roc_auc": 0.855, "n": 500}
	assert decide({"model": model, "rule": rule}, [])[0] is True  # matches within the tolerances
	worse = {"brier": 0.110, "roc_auc": 0.86, "n": 500}
	activate, reasons = decide({"model": worse, "rule": rule}, [])
	assert not activate
	assert reasons == [
		"Does not beat the ABC rule: Brier 0.110 vs the rule's 0.101, ROC AUC 0.860 vs 0.855 on 500 held-out examples"
	]
	ranks_worse = {"brier": 0.09, "roc_auc": 0.80, "n": 500}
	assert decide({"model": ranks_worse, "rule": rule}, [])[0] is False
	activate, reasons = decide({"model": model, "rule": rule}, ["1 ended term with results; needs 2"])
	assert not activate
	assert reasons[0] == "Not enough labelled history: 1 ended term with results; needs 2"
	assert decide({}, [])[0] is False


# -- training ---------------------------------------------------------------------------------------------


def test_calibrated_rule_keeps_the_ranking_and_turns_points_into_rates():
	rng = random.Random(0)
	points = [rng.choice([0, 10, 25, 35, 50, 70]) for _ in range(600)]
	y = [int(rng.random() < 0.05 + p / 100) for p in points]
	rule = CalibratedRule().fit({"abc_score": points}, y)
	p = rule.predict_proba({"abc_score": [0, 25, 70]})[:, 1]
	assert p[0] < p[1] < p[2]
	assert 0.0 < p[0] < 0.15 and 0.55 < p[2] < 0.95


def test_a_version_on_enough_history_is_validated_in_time_order_against_the_rule():
	data = simulated_school(n_students=120, seed=0)
	examples = training_examples(data)
	messages = []
	result = train_version(examples, [t.name for t in TERMS], progress=messages.append)
	version = json.loads(json.dumps(result.version))  # stored as JSON: no pickle
	assert result.problems == []
	assert [row["term"] for row in version["validation"]["by_term"]] == [t.name for t in TERMS[1:]]
	pooled = version["validation"]["pooled"]
	assert pooled["model"]["n"] == pooled["rule"]["n"] == 120 * 5 * len(CUTOFFS)
	assert pooled["model"]["roc_auc"] > 0.8
	assert set(version["validation"]["by_moment"]) == {"0.25", "0.5", "0.75"}
	assert version["training"]["student_terms"] == 120 * len(TERMS)
	assert version["training"]["rows"] == len(examples)
	assert result.activate == (
		pooled["model"]["brier"] <= pooled["rule"]["brier"] + 0.002
		and pooled["model"]["roc_auc"] >= pooled["rule"]["roc_auc"] - 0.01
	)
	assert version["decision"]["reasons"] == result.reasons
	assert messages[-1].startswith("Training on all 6 terms")

	# the stored version scores like the fitted model, with reasons that add up to the score
	stored = RiskModel.from_dict(version)
	rows = [e.row for e in examples[:5]]
	assert stored.predict_proba(rows)[:, 1] == pytest.approx(result.model.predict_proba(rows)[:, 1])
	for score in stored.explain(rows):
		assert score.base + sum(c.points for c in score.contributions) == pytest.approx(score.score)


def test_too_little_history_keeps_the_rule_and_says_why():
	examples = [
		Example(f"S{i}", "T1", 0.5, {"score_pct": 30.0 + i}, int(i < 5), 25.0 if i < 5 else 0.0)
		for i in range(40)
	]
	result = train_version(examples, ["T1"])
	assert not result.activate
	assert result.version is not None  # trained and stored, but not used
	assert result.version["validation"]["by_term"] == []
	assert any("1 ended term with results; needs 2" in r for r in result.reasons)
	assert "No later term to test the model on, so it cannot be compared with the rule" in result.reasons

	one_outcome = [Example(f"S{i}", "T1", 0.5, {"score_pct": 60.0}, 0, 0.0) for i in range(10)]
	nothing = train_version(one_outcome, ["T1"])
	assert (nothing.model, nothing.version, nothing.activate) == (None, None, False)
	assert nothing.reasons == ["Nothing to learn: every student-term has the same outcome"]
	assert train_version([], ["T1"]).reasons == ["Nothing to learn: no labelled history"]
