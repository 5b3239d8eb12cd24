"""The risk model on synthetic data with a known signal: it learns the signal, its probabilities are
calibrated, each student's contributions add up to the score shown, and a stored version predicts the same."""

import json
import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from ai_school.core.insights.model import RiskModel
from ai_school.core.insights.scores import Tiers


def synthetic(n: int, seed: int, *, missing: float = 0.1) -> tuple[dict, np.ndarray, np.ndarray]:
	"""Absence raises risk, the score lowers it, house "red" raises it, "noise" does nothing.
	Returns columns, labels and the true probabilities."""
	rng = np.random.default_rng(seed)
	absence = rng.gamma(2.0, 3.0, n)
	score = rng.normal(65, 12, n)
	house = rng.choice(["red", "blue", "green", "grey"], n, p=[0.3, 0.3, 0.3, 0.1])
	noise = rng.normal(size=n)
	logit = -1.0 + 0.15 * (absence - 6) - 0.1 * (score - 65) + 1.2 * (house == "red")
	truth = 1 / (1 + np.exp(-logit))
	y = (rng.random(n) < truth).astype(int)
	shown_score = [None if rng.random() < missing else float(v) for v in score]
	columns = {
		"absence_pct": absence.tolist(),
		"score_pct": shown_score,
		"house": house.tolist(),
		"noise": noise.tolist(),
	}
	return columns, y, truth


@pytest.fixture(scope="module")
def fitted():
	X, y, _ = synthetic(1500, 1)
	return RiskModel(random_state=0).fit(X, y)


def test_it_learns_the_signal(fitted):
	X, y, truth = synthetic(3000, 2)
	p = fitted.predict_proba(X)[:, 1]
	assert p.shape == (3000,)
	np.testing.assert_allclose(fitted.predict_proba(X).sum(axis=1), 1.0)
	assert roc_auc_score(y, truth) > 0.75  # the signal is there
	assert roc_auc_score(y, p) > roc_auc_score(y, truth) - 0.02  # and the model finds nearly all of it
	scores = fitted.explain({k: v[:200] for k, v in X.items()})
	by_name = {
		name: [s for r in scores for c in r.contributions if c.name == name for s in [c]] for name in X
	}
	absence = np.array([c.value for c in by_name["absence_pct"]])
	absence_points = np.array([c.points for c in by_name["absence_pct"]])
	assert np.corrcoef(absence, absence_points)[0, 1] > 0.9  # more absence, more risk
	red = [c.points for c in by_name["house"] if c.value == "red"]
	other = [c.points for c in by_name["house"] if c.value != "red"]
	assert min(red) > 0 > max(other)
	noise = [abs(c.log_odds) for c in by_name["noise"]] or [0.0]  # not listed at all if L1 dropped it
	assert max(noise) < 0.15 * max(abs(c.log_odds) for c in by_name["absence_pct"])


def expected_calibration_error(p, y, bins=10) -> float:
	edges = np.quantile(p, np.linspace(0, 1, bins + 1))
	index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
	return float(
		sum(abs(p[index == b].mean() - y[index == b].mean()) * (index == b).mean() for b in range(bins))
	)


def test_probabilities_are_calibrated(fitted):
	X, y, _ = synthetic(6000, 3)
	p = fitted.predict_proba(X)[:, 1]
	assert abs(p.mean() - y.mean()) < 0.03
	assert expected_calibration_error(p, y) < 0.04


def test_platt_scaling_repairs_an_over_regularised_model():
	X, y, _ = synthetic(1500, 4)
	test_X, test_y, _ = synthetic(6000, 5)
	shrunk = {"Cs": (0.002,), "penalty": "l2"}  # strong penalty: probabilities squeezed towards the mean
	raw = RiskModel(calibration="none", **shrunk).fit(X, y)
	calibrated = RiskModel(calibration="sigmoid", **shrunk).fit(X, y)
	assert raw.calibration_ == (1.0, 0.0)
	assert calibrated.calibration_[0] > 1.5  # stretches the squeezed log-odds
	raw_ece = expected_calibration_error(raw.predict_proba(test_X)[:, 1], test_y)
	calibrated_ece = expected_calibration_error(calibrated.predict_proba(test_X)[:, 1], test_y)
	assert calibrated_ece < raw_ece / 2


def test_contributions_add_up_to_the_score(fitted):
	X, _, _ = synthetic(300, 6, missing=0.3)
	X["house"][0] = "purple"  # a level never seen in training
	X["absence_pct"][1] = None
	logits = fitted.decision_function(X)
	for score, logit in zip(fitted.explain(X), logits, strict=True):
		assert score.method == "model"
		assert score.score == pytest.approx(100 / (1 + math.exp(-logit)), abs=1e-9)
		assert score.base + sum(c.points for c in score.contributions) == pytest.approx(score.score, abs=1e-9)
		base_logit = math.log(score.base / (100 - score.base))
		assert base_logit + sum(c.log_odds for c in score.contributions) == pytest.approx(logit, abs=1e-9)
		for c in score.contributions:  # points keep the sign of the log-odds term
			assert c.points * c.log_odds >= 0
		assert score.tier == Tiers().tier(score.score)
		assert score.probability == pytest.approx(score.score / 100)


def test_reasons_are_words_with_numbers(fitted):
	X = {"absence_pct": [24.0], "score_pct": [None], "house": ["red"], "noise": [0.1]}
	(score,) = fitted.explain(X, medians={"absence_pct": 4.0})
	texts = {c.name: c.text for c in score.contributions}
	assert texts["absence_pct"] == "Absent 24 % of days this term (school median 4 %)"
	assert texts["score_pct"] == "Average score: no data yet"
	assert texts["house"].startswith("house = red (most common ")
	assert score.reasons()[0].name == "absence_pct"


def test_a_stored_version_predicts_the_same(fitted):
	X, _, _ = synthetic(200, 7)
	stored = json.loads(json.dumps(fitted.to_dict()))
	assert stored["format"] == "ai_school.risk_model/1"
	assert set(stored["metrics"]) >= {"pcc", "f1", "roc_auc", "brier"}
	assert 0.5 < stored["metrics"]["roc_auc"] <= 1
	again = RiskModel.from_dict(stored)
	np.testing.assert_allclose(again.predict_proba(X), fitted.predict_proba(X), rtol=0, atol=1e-12)
	assert [s.as_dict() for s in again.explain(X)] == [s.as_dict() for s in fitted.explain(X)]
	with pytest.raises(ValueError):
		RiskModel.from_dict({"format": "something else"})


def test_scikit_learn_conventions():
	X, y, _ = synthetic(400, 8)
	model = RiskModel(random_state=3, min_category_count=2)
	params = model.get_params()
	assert model.fit(X, y) is model
	assert model.get_params() == params  # fit never changes parameters
	copy = clone(model)
	assert copy.get_params() == params and not hasattr(copy, "coef_")
	np.testing.assert_array_equal(copy.fit(X, y).predict_proba(X), model.predict_proba(X))  # seeded
	assert set(model.predict(X)) <= {0, 1}
	assert model.classes_.tolist() == [0, 1]
	assert model.feature_names_in_ == list(X)
	with pytest.raises(ValueError):
		model.set_params(alpha=1)
	with pytest.raises(RuntimeError):
		RiskModel().predict_proba(X)


def test_inputs_the_model_does_not_use_are_not_listed():
	rng = np.random.default_rng(12)
	n = 300
	strong = rng.normal(size=n)
	X = {"strong": strong.tolist(), **{f"junk{j}": rng.normal(size=n).tolist() for j in range(10)}}
	y = (rng.random(n) < 1 / (1 + np.exp(-3 * strong))).astype(int)
	model = RiskModel(penalty="l1", Cs=(0.05,)).fit(X, y)
	(score,) = model.explain({k: v[:1] for k, v in X.items()})
	listed = {c.name for c in score.contributions}
	assert "strong" in listed and len(listed) < 11
	assert score.base + sum(c.points for c in score.contributions) == pytest.approx(score.score, abs=1e-9)


def test_penalty_and_strength_are_chosen_by_cross_validation():
	rng = np.random.default_rng(9)
	n = 400
	strong = rng.normal(size=n)
	X = {"strong": strong.tolist(), **{f"junk{j}": rng.normal(size=n).tolist() for j in range(40)}}
	y = (rng.random(n) < 1 / (1 + np.exp(-3 * strong))).astype(int)
	auto = RiskModel(Cs=(0.01, 0.1, 1.0)).fit(X, y)
	assert auto.penalty_ in ("l1", "l2") and auto.C_ in (0.01, 0.1, 1.0)
	l1 = RiskModel(penalty="l1", Cs=(auto.C_,)).fit(X, y)
	assert l1.penalty_ == "l1"
	assert int(np.sum(np.abs(l1.coef_) > 1e-9)) < 20  # sparse: most junk dropped


def test_it_refuses_what_it_cannot_learn_from():
	X, y, _ = synthetic(50, 10)
	with pytest.raises(ValueError, match="both classes"):
		RiskModel().fit(X, np.zeros(50, dtype=int))
	with pytest.raises(ValueError, match="0/1"):
		RiskModel().fit(X, ["yes"] * 50)
	with pytest.raises(ValueError, match="rows"):
		RiskModel().fit(X, y[:10])
	with pytest.raises(ValueError, match="penalty"):
		RiskModel(penalty="l3").fit(X, y)


def test_a_single_at_risk_student_still_fits_without_cross_validation():
	X, _, _ = synthetic(30, 11)
	y = np.zeros(30, dtype=int)
	y[0] = 1
	model = RiskModel().fit(X, y)
	assert model.metrics_ == {} and model.calibration_ == (1.0, 0.0)
	assert model.predict_proba(X).shape == (30, 2)


def test_inputs_can_be_rows_and_declared_categorical():
	rows = [{"grade_band": i % 4, "absent": float(i % 7)} for i in range(120)]
	y = [int(r["grade_band"] == 3 or r["absent"] > 5) for r in rows]
	model = RiskModel(categorical=["grade_band"], min_category_count=2).fit(rows, y)
	kinds = {s["name"]: s["kind"] for s in model.preprocessor_.specs_}
	assert kinds == {"grade_band": "categorical", "absent": "numeric"}
	assert model.predict_proba(rows[:3]).shape == (3, 2)


def test_without_usable_inputs_it_predicts_the_base_rate():
	X = {"constant": [1.0] * 40, "empty": [None] * 40}
	y = [1] * 10 + [0] * 30
	model = RiskModel().fit(X, y)
	np.testing.assert_allclose(model.predict_proba(X)[:, 1], 0.25)
	(score,) = model.explain({"constant": [1.0], "empty": [None]})
	assert (score.contributions, score.score) == ((), pytest.approx(25.0))
