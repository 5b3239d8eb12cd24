"""How well the guard does, measured by the evaluation code on the shipped sets.

Floors (not tuned to pass trivially — neither half of the guard alone passes them):
- 5-fold stratified cross-validation on the labelled set: accuracy >= 0.955 (the guard scores 0.973;
  the hand-written rules alone 0.938 and the naive Bayes alone 0.942), unsafe recall >= 0.97 and
  precision >= 0.95 per unsafe label (naive Bayes alone has unsafe precision 0.93-0.95).
- The held-out sets (588 messages written after freezing the classifier; their first, honest scores
  were 0.957, 0.921 and 0.957, and later rule fixes looked at their errors): accuracy >= 0.95 and unsafe
  recall >= 0.95 (the rules alone score 0.87 on them).
"""

import pytest

from ai_school.core.tutor.evaluation import Example, cross_validate, evaluate_on, load_jsonl, stratified_folds
from ai_school.core.tutor.labels import UNSAFE, Label
from ai_school.core.tutor.model import GuardModel, default_model
from tests.appscan import REPO

DATA = REPO / "tests" / "data" / "tutor"


@pytest.fixture(scope="module")
def labelled() -> list[Example]:
	return load_jsonl(DATA / "guard_labelled.jsonl")


def test_cross_validated_quality(labelled):
	report = cross_validate(labelled, GuardModel, k=5, seed=0)
	assert report.accuracy >= 0.955, report.to_dict()
	for label in UNSAFE:
		assert report.recall(label) >= 0.97, (label, report.to_dict()["per_label"])
		assert report.precision(label) >= 0.95, (label, report.to_dict()["per_label"])


def test_held_out_quality():
	held = [
		e
		for name in ("guard_holdout", "guard_holdout2", "guard_holdout3")
		for e in load_jsonl(DATA / f"{name}.jsonl")
	]
	report = evaluate_on(held, default_model())
	assert report.accuracy >= 0.95, report.to_dict()
	flagged = sum(1 for text, truth, guess in report.errors if truth in UNSAFE and guess not in UNSAFE)
	unsafe_total = sum(1 for e in held if e.label in UNSAFE)
	assert 1 - flagged / unsafe_total >= 0.95


def test_folds_are_stratified_and_deterministic(labelled):
	labels = [e.label for e in labelled]
	folds = stratified_folds(labels, k=5, seed=0)
	assert folds == stratified_folds(labels, k=5, seed=0)
	assert folds != stratified_folds(labels, k=5, seed=1)
	for label in Label:
		per_fold = [
			sum(1 for f, l_ in zip(folds, labels, strict=True) if f == k and l_ == label) for k in range(5)
		]
		assert max(per_fold) - min(per_fold) <= 1, (label, per_fold)
