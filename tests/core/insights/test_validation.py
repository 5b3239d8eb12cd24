"""Metrics, repeated stratified cross-validation, validation in time order, baselines, and the whole path
from school records to a model validated on later terms."""

import datetime as dt
import json
import random

import numpy as np
import pytest

from ai_school.core.insights.features import extract_features, labelled_examples, school_medians
from ai_school.core.insights.model import RiskModel
from ai_school.core.insights.records import (
	ABSENT,
	PRESENT,
	AssessmentRecord,
	AttendanceRecord,
	Incident,
	SchoolData,
	Term,
)
from ai_school.core.insights.rules import abc_score
from ai_school.core.insights.validation import (
	MajorityBaseline,
	SingleFeatureBaseline,
	StratifiedRandomBaseline,
	check_folds,
	classification_metrics,
	cross_validate,
	enough_history,
	fit_version,
	summarise,
	temporal_validation,
)


def test_classification_metrics_by_hand():
	found = classification_metrics([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1])
	assert found["pcc"] == 50.0
	assert found["f1"] == 0.5  # one of two at-risk found, one false alarm
	assert found["roc_auc"] == 0.75
	assert found["brier"] == pytest.approx((0.01 + 0.36 + 0.36 + 0.01) / 4)
	assert (found["n"], found["positives"]) == (4, 2)
	assert classification_metrics([0, 0], [0.2, 0.3])["roc_auc"] is None


def test_cross_validation_repeats_pooled_out_of_fold_predictions():
	rng = np.random.default_rng(0)
	x = rng.normal(size=200)
	y = (x > 0.3).astype(int)
	seen = []
	found = cross_validate(
		lambda seed: RiskModel(random_state=seed, Cs=(1.0,)),
		{"x": x.tolist(), "noise": rng.normal(size=200).tolist()},
		y,
		folds=5,
		repeats=3,
		on_fit=seen.append,
	)
	assert {k: len(v) for k, v in found.items()} == {"pcc": 3, "f1": 3, "roc_auc": 3, "brier": 3}
	assert len(seen) == 15
	assert min(found["pcc"]) > 95 and min(found["roc_auc"]) > 0.99
	mean, sd = summarise(found["pcc"])
	assert mean > 95 and sd >= 0
	assert summarise([None, None]) == (None, None)


def test_folds_shrink_to_the_rarer_class_and_refuse_impossible_labels():
	assert check_folds([1, 1, 1, 0, 0, 0, 0], 10) == 3
	with pytest.raises(ValueError, match="one class"):
		check_folds([0, 0, 0], 10)
	with pytest.raises(ValueError, match="at least 2"):
		check_folds([0, 0, 1], 10)


class Spy:
	"""Records which periods each fit saw; predicts the training rate."""

	fits: list = []

	def fit(self, X, y):
		Spy.fits.append(sorted(set(X["period"])))
		self.rate = float(np.mean(y))
		return self

	def predict_proba(self, X):
		p = np.full(len(X["period"]), self.rate)
		return np.column_stack([1 - p, p])


def test_temporal_validation_trains_on_earlier_terms_only():
	Spy.fits = []
	periods = ["T1"] * 4 + ["T2"] * 4 + ["T3"] * 4 + ["T4"] * 4
	y = [0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0]
	order = ["T1", "T2", "T3", "T4"]
	report = temporal_validation(Spy, {"period": periods}, y, periods, order=order)
	assert report.skipped == [("T2", "the earlier periods have only one class")]  # T1 is all 0
	assert Spy.fits == [["T1", "T2"], ["T1", "T2", "T3"]]
	assert [p["period"] for p in report.periods] == ["T3", "T4"]
	assert [p["train_rows"] for p in report.periods] == [8, 12]
	assert report.pooled["n"] == 8
	with pytest.raises(ValueError, match="not in the order"):
		temporal_validation(Spy, {"period": periods}, y, periods, order=["T1", "T2"])


def test_enough_history():
	assert not enough_history([0] * 30 + [1] * 30, ["T1"] * 60)
	assert not enough_history([0] * 50 + [1] * 10, ["T1", "T2"] * 30)
	assert enough_history([0, 1] * 30, ["T1", "T2"] * 30, min_per_class=20)


def test_baselines():
	X = {"a": [0] * 10}
	majority = MajorityBaseline().fit(X, [1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
	np.testing.assert_allclose(majority.predict_proba(X)[:, 1], 0.2)
	guesses = (
		StratifiedRandomBaseline(random_state=1).fit(X, [1] * 3 + [0] * 7).predict_proba({"a": [0] * 4000})
	)
	assert set(guesses[:, 1]) == {0.0, 1.0}
	assert 0.25 < guesses[:, 1].mean() < 0.35

	rng = random.Random(2)
	n = 300
	grade = [rng.randint(0, 20) for _ in range(n)]
	student_id = [f"S{i:04d}" for i in range(n)]  # unique: must not look informative
	y = [int(g < 10) for g in grade]
	single = SingleFeatureBaseline().fit(
		{"id": student_id, "noise": [rng.random() for _ in range(n)], "G2": grade}, y
	)
	assert single.feature_ == "G2"
	assert single.predict_proba({"id": ["x"], "noise": [0.5], "G2": [2]})[0, 1] > 0.9


# -- end to end: records -> features -> model, validated on later terms -------------------------------------
TERMS = [
	Term(
		f"Y{year} T{half}",
		dt.date(2020 + year, 1 if half == 1 else 7, 1),
		dt.date(2020 + year, 5 if half == 1 else 11, 30),
	)
	for year in range(3)
	for half in (1, 2)
]


def simulated_school(n_students: int = 120, seed: int = 0) -> SchoolData:
	"""Students with a latent engagement that drifts each term: low engagement means absences, incidents
	and low marks, dated mid-term and at the end of the term."""
	rng = random.Random(seed)
	results, attendance, incidents = [], [], []
	for s in range(n_students):
		student = f"S{s:03d}"
		engagement = rng.gauss(0, 1)
		for term in TERMS:
			engagement = 0.8 * engagement + rng.gauss(0, 0.6)
			days = [term.start + dt.timedelta(days=d) for d in range((term.end - term.start).days + 1)]
			days = [d for d in days if d.weekday() < 5]
			absent_rate = min(0.6, max(0.0, 0.05 - 0.06 * engagement + rng.gauss(0, 0.02)))
			attendance += [
				AttendanceRecord(student, d, ABSENT if rng.random() < absent_rate else PRESENT) for d in days
			]
			incidents += [
				Incident(student, d) for d in days if rng.random() < max(0.0, 0.01 - 0.02 * engagement)
			]
			for course in ("Maths", "English", "Science"):
				for when in (days[len(days) // 3], days[-3]):
					mark = 60 + 15 * engagement + rng.gauss(0, 12)
					results.append(
						AssessmentRecord(student, course, term.name, max(0, min(100, mark)), 100, date=when)
					)
	return SchoolData(terms=TERMS, results=results, attendance=attendance, incidents=incidents, pass_mark=50)


def test_from_records_to_a_model_validated_on_later_terms():
	data = simulated_school()
	pairs = labelled_examples(data, at=0.5)
	assert len(pairs) == 120 * len(TERMS)
	rows = [features.as_row() for features, _ in pairs]
	y = [int(outcome) for _, outcome in pairs]
	periods = [features.term for features, _ in pairs]
	assert 0.1 < np.mean(y) < 0.6
	assert enough_history(y, periods)

	report = temporal_validation(
		lambda: RiskModel(random_state=0),
		rows,
		y,
		periods,
		order=[t.name for t in TERMS],
		min_train_periods=2,
	)
	assert [p["period"] for p in report.periods] == [t.name for t in TERMS[2:]]
	assert report.pooled["roc_auc"] > 0.8

	model, version = fit_version(rows, y, periods, order=[t.name for t in TERMS], min_train_periods=2)
	stored = json.loads(json.dumps(version))
	assert stored["validation"]["pooled"] == pytest.approx(report.pooled)
	assert [p["period"] for p in stored["validation"]["by_term"]] == [t.name for t in TERMS[2:]]
	assert set(stored["metrics"]) >= {"pcc", "f1", "roc_auc", "brier"}
	assert model.n_train_ == len(y)

	# the rule needs no history and is already informative; the mid-term features rank the students
	rule = [abc_score(features).score for features, _ in pairs]
	assert classification_metrics(y, np.array(rule) / 100)["roc_auc"] > 0.65

	# a model trained on the past explains this term's students in the school's own terms
	model = RiskModel(random_state=0).fit(rows, y)
	current = extract_features(data, as_of=dt.date(2022, 9, 1))
	current = [f for f in current if f.term == TERMS[-1].name]
	medians = school_medians(current)[TERMS[-1].name]
	scores = model.explain(current, medians=medians)
	assert len(scores) == 120
	worst = max(scores, key=lambda s: s.score)
	assert worst.base + sum(c.points for c in worst.contributions) == pytest.approx(worst.score)
	texts = " ".join(c.text for c in worst.reasons())
	assert "school median" in texts
