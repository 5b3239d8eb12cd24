"""Validating risk models: metrics, repeated stratified k-fold cross-validation, validation in time order
(train on earlier terms, test on later ones) and the naive baselines every model is compared with.

Models here are anything with ``fit(columns, y)`` and ``predict_proba(columns)`` (``RiskModel`` and the
baselines below); tables are :mod:`.tabular` columns.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ai_school.core.insights.tabular import Columns, as_columns, n_rows, take

METRICS = ("pcc", "f1", "roc_auc", "brier")


def classification_metrics(
	y: Sequence[int], proba: Sequence[float], threshold: float = 0.5
) -> dict[str, Any]:
	"""PCC (accuracy, %), F1 of the at-risk class (1), ROC AUC (None with one class only) and Brier score of
	probabilities ``proba`` of class 1."""
	import numpy as np
	from sklearn.metrics import brier_score_loss, f1_score, roc_auc_score

	y = np.asarray(y, dtype=int)
	p = np.asarray(proba, dtype=float)
	predicted = (p >= threshold).astype(int)
	both = len(set(y.tolist())) == 2
	return {
		"pcc": float(100.0 * np.mean(predicted == y)),
		"f1": float(f1_score(y, predicted, pos_label=1, zero_division=0)),
		"roc_auc": float(roc_auc_score(y, p)) if both else None,
		"brier": float(brier_score_loss(y, p, pos_label=1)) if len(y) else None,
		"n": len(y),
		"positives": int(y.sum()),
	}


def cross_validate(
	make_model: Callable[[int], Any],
	X: Any,
	y: Sequence[int],
	*,
	folds: int = 10,
	repeats: int = 10,
	seed: int = 0,
	threshold: float = 0.5,
	on_fit: Callable[[Any], None] | None = None,
) -> dict[str, list[float]]:
	"""Repeated stratified k-fold cross-validation. Each repeat reshuffles the folds; its out-of-fold
	predictions (every row predicted once, by a model that never saw it) are pooled and scored, so each
	metric gets one value per repeat. ``make_model(seed)`` builds a fresh model; ``on_fit`` sees each fitted
	model (e.g. to record which feature a baseline chose)."""
	import numpy as np
	from threadpoolctl import threadpool_limits

	columns = as_columns(X)
	labels = np.asarray(y, dtype=int)
	folds = check_folds(labels, folds)
	with threadpool_limits(1):  # many small fits: BLAS threads only add overhead
		return _cross_validate(make_model, columns, labels, folds, repeats, seed, threshold, on_fit)


def _cross_validate(make_model, columns, labels, folds, repeats, seed, threshold, on_fit):
	import numpy as np
	from sklearn.model_selection import StratifiedKFold

	out: dict[str, list[float]] = {name: [] for name in METRICS}
	for repeat in range(repeats):
		splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed + repeat)
		proba = np.empty(len(labels))
		for k, (train, test) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
			model = make_model(seed + 1000 * repeat + k)
			model.fit(take(columns, train), labels[train])
			proba[test] = model.predict_proba(take(columns, test))[:, 1]
			if on_fit is not None:
				on_fit(model)
		found = classification_metrics(labels, proba, threshold)
		for name in METRICS:
			out[name].append(found[name])
	return out


def check_folds(y: Sequence[int], folds: int) -> int:
	counts = Counter(int(v) for v in y)
	if len(counts) < 2:
		raise ValueError("the label has only one class; nothing to predict")
	smallest = min(counts.values())
	if smallest < 2:
		raise ValueError(f"the rarer class has {smallest} row; cross-validation needs at least 2")
	if folds < 2:
		raise ValueError("need at least 2 folds")
	return min(folds, smallest)


@dataclass
class TemporalReport:
	"""Held-out metrics per test period (each trained on all earlier periods) and over all test rows."""

	periods: list[dict[str, Any]] = field(default_factory=list)
	pooled: dict[str, Any] = field(default_factory=dict)
	skipped: list[tuple[Hashable, str]] = field(default_factory=list)


def temporal_validation(
	make_model: Callable[[], Any],
	X: Any,
	y: Sequence[int],
	periods: Sequence[Hashable],
	*,
	order: Sequence[Hashable] | None = None,
	min_train_periods: int = 1,
	threshold: float = 0.5,
) -> TemporalReport:
	"""Train on earlier periods (terms), test on the next one, for every period after the first
	``min_train_periods`` (an expanding window, as a school would use the model: never trained on the
	future). ``order`` lists the periods oldest first (default: sorted). Periods whose training rows lack a
	class are skipped with the reason."""
	import numpy as np

	columns = as_columns(X)
	labels = np.asarray(y, dtype=int)
	if len(periods) != len(labels) or n_rows(columns) != len(labels):
		raise ValueError("X, y and periods must have the same number of rows")
	sequence = list(order) if order is not None else sorted(set(periods))
	if missing := set(periods) - set(sequence):
		raise ValueError(f"periods not in the order: {sorted(map(str, missing))}")
	report = TemporalReport()
	all_y, all_p = [], []
	for k in range(min_train_periods, len(sequence)):
		earlier = set(sequence[:k])
		train = [i for i, p in enumerate(periods) if p in earlier]
		test = [i for i, p in enumerate(periods) if p == sequence[k]]
		if not test:
			continue
		if len(set(labels[train].tolist())) < 2:
			report.skipped.append((sequence[k], "the earlier periods have only one class"))
			continue
		model = make_model().fit(take(columns, train), labels[train])
		proba = model.predict_proba(take(columns, test))[:, 1]
		found = classification_metrics(labels[test], proba, threshold)
		report.periods.append({"period": sequence[k], "train_rows": len(train), **found})
		all_y.extend(labels[test].tolist())
		all_p.extend(proba.tolist())
	if all_y:
		report.pooled = classification_metrics(all_y, all_p, threshold)
	return report


def fit_version(
	X: Any,
	y: Sequence[int],
	periods: Sequence[Hashable],
	*,
	order: Sequence[Hashable] | None = None,
	make_model: Callable[[], Any] | None = None,
	min_train_periods: int = 1,
) -> tuple[Any, dict[str, Any]]:
	"""Train a model version on all labelled history and validate it the way it will be used: the fitted
	model and its stored form (``to_dict``) whose ``validation`` holds the time-ordered held-out metrics
	(pooled and per term) next to the cross-validated ``metrics``."""
	from ai_school.core.insights.model import RiskModel

	make = make_model or RiskModel
	report = temporal_validation(make, X, y, periods, order=order, min_train_periods=min_train_periods)
	model = make().fit(X, y)
	version = model.to_dict()
	version["validation"] = {
		"kind": "trained on earlier terms, tested on the next",
		"pooled": report.pooled,
		"by_term": report.periods,
		"skipped": [[str(period), reason] for period, reason in report.skipped],
		"terms": [str(p) for p in (order if order is not None else sorted(set(periods)))],
	}
	return model, version


def enough_history(
	y: Sequence[int], periods: Sequence[Hashable], *, min_periods: int = 2, min_per_class: int = 20
) -> bool:
	"""Whether a school has enough labelled history to train the model instead of using the ABC rule: at
	least ``min_periods`` terms with outcomes and ``min_per_class`` students who failed and who passed."""
	counts = Counter(int(v) for v in y)
	return len(set(periods)) >= min_periods and min(counts.get(0, 0), counts.get(1, 0)) >= min_per_class


def summarise(values: Sequence[float | None]) -> tuple[float | None, float | None]:
	"""Mean and sample standard deviation, ignoring None (e.g. an undefined AUC)."""
	present = [v for v in values if v is not None and not math.isnan(v)]
	if not present:
		return None, None
	return statistics.fmean(present), statistics.stdev(present) if len(present) > 1 else 0.0


# -- baselines --------------------------------------------------------------------------------------------
class MajorityBaseline:
	"""Predicts the training majority class for everyone, with the training rate as the probability."""

	def fit(self, X, y):
		self.rate_ = statistics.fmean(int(v) for v in y)
		return self

	def predict_proba(self, X):
		import numpy as np

		p = np.full(n_rows(as_columns(X)), self.rate_)
		# at exactly 50 % the majority is ambiguous; predict "not at risk"
		if self.rate_ == 0.5:
			p = np.full(len(p), 0.5 - 1e-12)
		return np.column_stack([1 - p, p])


class StratifiedRandomBaseline:
	"""Guesses at random with the training class rates (scikit-learn's DummyClassifier "stratified"):
	0/1 probabilities, so its Brier score is its error rate."""

	def __init__(self, random_state: int | None = 0):
		self.random_state = random_state

	def fit(self, X, y):
		import numpy as np

		self.rate_ = statistics.fmean(int(v) for v in y)
		self.rng_ = np.random.default_rng(self.random_state)
		return self

	def predict_proba(self, X):
		import numpy as np

		p = (self.rng_.random(n_rows(as_columns(X))) < self.rate_).astype(float)
		return np.column_stack([1 - p, p])


class SingleFeatureBaseline:
	"""The best single column, picked on the training rows by ROC AUC (e.g. the previous grade), in a
	calibrated logistic regression of its own: the "prior-grade rule" a model must beat."""

	def __init__(self, random_state: int | None = 0, **model_params):
		self.random_state = random_state
		self.model_params = model_params

	def fit(self, X, y):
		from ai_school.core.insights.model import RiskModel

		columns = as_columns(X)
		labels = [int(v) for v in y]
		self.feature_ = max(columns, key=lambda name: (_single_auc(columns[name], labels), name))
		params = {"penalty": "l2", **self.model_params}  # one input: nothing for L1 to select
		self.model_ = RiskModel(random_state=self.random_state, **params).fit(
			{self.feature_: columns[self.feature_]}, labels
		)
		return self

	def predict_proba(self, X):
		columns = as_columns(X)
		return self.model_.predict_proba({self.feature_: columns[self.feature_]})


def _single_auc(values: Sequence[Any], y: Sequence[int]) -> float:
	"""How well one column alone ranks the rows: AUC of its values (numeric, missing as the median) or of
	its levels' at-risk rates (categorical), whichever direction is better."""
	from sklearn.metrics import roc_auc_score

	from ai_school.core.insights.tabular import NUMERIC, infer_kind, is_missing, to_number

	if infer_kind(values) == NUMERIC:
		numbers = [to_number(v) for v in values]
		present = [v for v in numbers if v is not None]
		if len(set(present)) < 2:
			return 0.0
		middle = statistics.median(present)
		score = [middle if v is None else v for v in numbers]
	else:
		levels = ["" if is_missing(v) else str(v).strip() for v in values]
		counts = Counter(levels)
		levels = [level if counts[level] >= 5 else "(other)" for level in levels]  # no ID columns
		totals: dict[str, list[int]] = {}
		for level, label in zip(levels, y, strict=True):
			totals.setdefault(level, [0, 0])
			totals[level][0] += label
			totals[level][1] += 1
		if len(totals) < 2:
			return 0.0
		score = [totals[level][0] / totals[level][1] for level in levels]
	auc = roc_auc_score(y, score)
	return max(auc, 1 - auc)


def columns_without(columns: Columns, drop: Sequence[str]) -> Columns:
	return {k: v for k, v in columns.items() if k not in set(drop)}
