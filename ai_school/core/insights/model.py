"""The trained risk model: calibrated logistic regression whose reasons add up to the score.

Why a linear model: the issue asks for reasons a teacher can read that add up to the score. In a logistic
regression the log-odds *are* a sum over the inputs, so each input's share is exact, not an after-the-fact
approximation (SHAP on boosted trees). On the small, tabular school data it is meant for (hundreds of
students, a few dozen columns) regularised logistic regression is also as accurate as boosted trees or
random forests in the literature (e.g. Christodoulou et al., *J. Clin. Epidemiol.* 2019); ``cli evaluate``
prints the comparison for any CSV.

Pipeline (all learned on the training rows only):

1. Inputs: every column is numeric (all present values are numbers) or categorical; ``numeric``/
   ``categorical`` override the guess. Numeric: missing -> training median plus a 0/1 "missing" column;
   non-negative, right-skewed counts (skewness > 1, e.g. absences) -> log(1 + x) and, when 10-90 % of
   them are 0, a 0/1 "is zero" column (a hurdle: no absences recorded at all can mean something else than
   few); then standardised.
   Categorical: one 0/1 column per level seen at least ``min_category_count`` times, rarer and unseen
   levels share an "other" column, missing is a level of its own. Constant columns are dropped.
2. L2-regularised logistic regression; the strength C is picked from ``Cs`` by the log loss of
   stratified ``cv``-fold out-of-fold predictions.
3. Calibration: Platt scaling (``calibration="sigmoid"``) fitted on those out-of-fold log-odds, so the
   calibrated log-odds are ``a * (model log-odds) + b`` and stay a sum over the inputs. ``metrics_`` are the
   same out-of-fold predictions scored (slightly optimistic, since C was picked on them; use
   :func:`validation.temporal_validation` for held-out numbers).

Explanations (:meth:`RiskModel.explain`): with ``z`` a student's transformed inputs and ``z̄`` the training
means, the calibrated log-odds are ``L = L_base + Σ_f c_f`` where ``L_base`` is the log-odds of a student
with the training mean of every input and ``c_f = a · Σ_{j in f} w_j (z_j - z̄_j)`` sums the terms of input
``f`` (all of a categorical column's levels, a numeric column's missing and zero flags; inputs whose
coefficients are all 0, as L1 leaves many, add nothing and are not listed). The score shown is the
probability in percent, ``score = 100 σ(L)``, and each input's points are its log-odds term scaled by the
secant slope of the logistic curve between the base and the student:
``points_f = c_f · 100 (σ(L) - σ(L_base)) / (L - L_base)``. So points keep the sign and the ratios of the
log-odds terms, do not depend on any ordering of the inputs, and ``base + Σ points = score`` exactly
(up to rounding of floats).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ai_school.core.insights.scores import Contribution, RiskScore, Tiers
from ai_school.core.insights.tabular import (
	CATEGORICAL,
	NUMERIC,
	Columns,
	as_columns,
	infer_kind,
	is_missing,
	n_rows,
	to_number,
)
from ai_school.core.insights.wording import describe, label

FORMAT = "ai_school.risk_model/1"
MISSING_LEVEL, OTHER_LEVEL = "(missing)", "(other)"
DEFAULT_CS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


class Preprocessor:
	"""Turns columns into the model's design matrix and remembers which input each column came from."""

	def __init__(self, *, numeric=None, categorical=None, min_category_count=5, log_skewed=True):
		self.numeric = numeric
		self.categorical = categorical
		self.min_category_count = min_category_count
		self.log_skewed = log_skewed

	def fit(self, columns: Columns) -> Preprocessor:
		forced_numeric = set(self.numeric or ())
		forced_categorical = set(self.categorical or ())
		self.specs_: list[dict[str, Any]] = []
		for name, values in columns.items():
			if name in forced_categorical:
				kind = CATEGORICAL
			elif name in forced_numeric:
				kind = NUMERIC
			else:
				kind = infer_kind(values)
			spec = self._fit_numeric(name, values) if kind == NUMERIC else self._fit_categorical(name, values)
			if spec is not None:
				self.specs_.append(spec)
		self.design_names_ = [(s["name"], part) for s in self.specs_ for part in _parts(s)]
		return self

	def _fit_numeric(self, name: str, values: Sequence[Any]) -> dict[str, Any] | None:
		try:
			numbers = [to_number(v) for v in values]
		except (TypeError, ValueError) as exc:
			raise ValueError(f"column {name!r} was declared numeric: {exc}") from None
		present = [x for x in numbers if x is not None]
		if not present or (len(set(present)) < 2 and len(present) == len(numbers)):
			return None  # no information
		median = statistics.median(present)
		log = bool(self.log_skewed and min(present) >= 0 and len(set(present)) > 2 and _skewness(present) > 1)
		filled = [_transform(median if x is None else x, log) for x in numbers]
		mean = statistics.fmean(filled)
		scale = statistics.pstdev(filled) or 1.0
		missing_rate = (len(numbers) - len(present)) / len(numbers)
		zero_rate = sum(1 for x in present if x == 0) / len(present)
		return {
			"name": name,
			"kind": NUMERIC,
			"median": median,
			"log": log,
			"mean": mean,
			"scale": scale,
			"missing_flag": 0 < missing_rate,
			# zero-inflated counts (hurdle): "none at all" may mean something else than "few"
			"zero_flag": log and 0.1 <= zero_rate <= 0.9,
		}

	def _fit_categorical(self, name: str, values: Sequence[Any]) -> dict[str, Any] | None:
		counts = Counter(_level(v) for v in values)
		if len(counts) < 2:
			return None
		levels = sorted(k for k, n in counts.items() if n >= self.min_category_count)
		rare = [k for k, n in counts.items() if n < self.min_category_count]
		if len(levels) + bool(rare) < 2:
			return None  # every row in "other"
		return {
			"name": name,
			"kind": CATEGORICAL,
			"levels": levels,
			"other": bool(rare),
			"mode": counts.most_common(1)[0][0],
		}

	def transform(self, columns: Columns):
		import numpy as np

		rows = n_rows(columns)
		blocks = []
		for spec in self.specs_:
			values = columns.get(spec["name"], [None] * rows)
			if spec["kind"] == NUMERIC:
				numbers = []
				for v in values:
					try:
						numbers.append(to_number(v))
					except (TypeError, ValueError):
						numbers.append(None)  # unreadable at predict time: treated as missing
				filled = np.array(
					[_transform(spec["median"] if x is None else x, spec["log"]) for x in numbers]
				)
				block = [(filled - spec["mean"]) / spec["scale"]]
				if spec["missing_flag"]:
					block.append(np.array([float(x is None) for x in numbers]))
				if spec.get("zero_flag"):
					block.append(np.array([float(x == 0) for x in numbers]))
				blocks.extend(block)
			else:
				levels = spec["levels"]
				position = {level: j for j, level in enumerate(levels)}
				width = len(levels) + spec["other"]
				block = np.zeros((rows, width))
				for i, v in enumerate(values):
					j = position.get(_level(v))
					if j is None and spec["other"]:
						j = width - 1
					if j is not None:
						block[i, j] = 1.0
				blocks.extend(block.T)
		if not blocks:
			return np.zeros((rows, 0))
		return np.column_stack(blocks)

	def to_dict(self) -> dict[str, Any]:
		return {
			"numeric": self.numeric,
			"categorical": self.categorical,
			"min_category_count": self.min_category_count,
			"log_skewed": self.log_skewed,
			"specs": self.specs_,
		}

	@classmethod
	def from_dict(cls, data: dict[str, Any]) -> Preprocessor:
		self = cls(
			numeric=data["numeric"],
			categorical=data["categorical"],
			min_category_count=data["min_category_count"],
			log_skewed=data["log_skewed"],
		)
		self.specs_ = [dict(s) for s in data["specs"]]
		self.design_names_ = [(s["name"], part) for s in self.specs_ for part in _parts(s)]
		return self


def _parts(spec: dict[str, Any]) -> list[str]:
	if spec["kind"] == NUMERIC:
		return [
			"value",
			*(["missing"] if spec["missing_flag"] else []),
			*(["zero"] if spec.get("zero_flag") else []),
		]
	return [*spec["levels"], *([OTHER_LEVEL] if spec["other"] else [])]


def _level(value: Any) -> str:
	if is_missing(value):
		return MISSING_LEVEL
	if isinstance(value, float) and value.is_integer():
		return str(int(value))
	return str(value).strip()


def _transform(x: float, log: bool) -> float:
	return math.log1p(x) if log else x


def _skewness(values: Sequence[float]) -> float:
	mean = statistics.fmean(values)
	sd = statistics.pstdev(values)
	if not sd:
		return 0.0
	return statistics.fmean(((v - mean) / sd) ** 3 for v in values)


def _sigmoid(x: float) -> float:
	if x >= 0:
		return 1.0 / (1.0 + math.exp(-x))
	e = math.exp(x)
	return e / (1.0 + e)


def _labels(y: Sequence[Any]) -> list[int]:
	out = []
	for v in y:
		if v in (0, 1) or isinstance(v, bool):
			out.append(int(v))
		else:
			raise ValueError(f"labels must be 0/1 (1 = at risk), got {v!r}")
	return out


class RiskModel:
	"""Calibrated logistic regression with additive, plain-words reasons (scikit-learn style estimator).

	``fit(X, y)``: X is any table :func:`tabular.as_columns` reads (a list of ``TermFeatures`` too), y is
	0/1 with 1 = at risk. Learned state ends in ``_``; ``metrics_`` holds the cross-validated metrics stored
	with each model version (:meth:`to_dict`)."""

	def __init__(
		self,
		*,
		Cs: Sequence[float] = DEFAULT_CS,
		penalty: str = "auto",
		cv: int = 5,
		calibration: str = "sigmoid",
		min_category_count: int = 5,
		log_skewed: bool = True,
		numeric: Sequence[str] | None = None,
		categorical: Sequence[str] | None = None,
		threshold: float = 0.5,
		tiers: Tiers | None = None,
		random_state: int | None = 0,
	):
		self.Cs = Cs
		self.penalty = penalty
		self.cv = cv
		self.calibration = calibration
		self.min_category_count = min_category_count
		self.log_skewed = log_skewed
		self.numeric = numeric
		self.categorical = categorical
		self.threshold = threshold
		self.tiers = tiers
		self.random_state = random_state

	def get_params(self, deep: bool = True) -> dict[str, Any]:
		return {name: getattr(self, name) for name in _PARAMS}

	def set_params(self, **params) -> RiskModel:
		for name, value in params.items():
			if name not in _PARAMS:
				raise ValueError(f"unknown parameter {name!r}")
			setattr(self, name, value)
		return self

	# -- training -----------------------------------------------------------------------------------
	def fit(self, X, y) -> RiskModel:
		from threadpoolctl import threadpool_limits

		# small problems: BLAS threads cost far more than they save (8x slower on a 2-core machine)
		with threadpool_limits(1):
			return self._fit(X, y)

	def _fit(self, X, y) -> RiskModel:
		import numpy as np
		from sklearn.model_selection import StratifiedKFold

		from ai_school.core.insights.validation import classification_metrics

		if self.penalty not in PENALTIES:
			raise ValueError(f"penalty must be one of {', '.join(PENALTIES)}")
		if self.calibration not in ("sigmoid", "none"):
			raise ValueError("calibration must be 'sigmoid' or 'none'")
		if not self.Cs:
			raise ValueError("Cs must name at least one regularisation strength")
		columns = as_columns(X)
		labels = np.array(_labels(y))
		if len(labels) != n_rows(columns):
			raise ValueError(f"X has {n_rows(columns)} rows but y has {len(labels)}")
		counts = np.bincount(labels, minlength=2)
		if counts.min() == 0:
			raise ValueError("y must contain both classes (at risk and not) to train a risk model")
		self.preprocessor_ = Preprocessor(
			numeric=self.numeric,
			categorical=self.categorical,
			min_category_count=self.min_category_count,
			log_skewed=self.log_skewed,
		).fit(columns)
		Z = self.preprocessor_.transform(columns)
		folds = min(self.cv, int(counts.min())) if Z.shape[1] else 0  # no usable inputs: the base rate
		oof = None
		penalties = ("l2", "l1") if self.penalty == "auto" else (self.penalty,)
		self.C_ = float(sorted(self.Cs)[len(self.Cs) // 2])
		self.penalty_ = penalties[0]
		if folds >= 2:
			splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
			splits = list(splitter.split(Z, labels))
			best = None
			for penalty in penalties:
				found = _search_path(Z, labels, splits, sorted(self.Cs), penalty, self.random_state)
				if best is None or found[0] < best[0] - 1e-12:
					best = (*found, penalty)
			_, self.C_, oof, self.penalty_ = best
		if Z.shape[1]:
			linear = _logistic(Z, labels, self.C_, self.penalty_, seed=self.random_state)
			self.coef_ = linear.coef_[0].copy()
			self.intercept_ = float(linear.intercept_[0])
		else:
			self.coef_ = np.zeros(0)
			self.intercept_ = math.log(counts[1] / counts[0])
		self.calibration_ = (1.0, 0.0)
		if oof is not None and self.calibration == "sigmoid":
			self.calibration_ = _platt(oof, labels)
		self.baseline_ = Z.mean(axis=0) if len(Z) else np.zeros(Z.shape[1])
		self.classes_ = np.array([0, 1])
		self.feature_names_in_ = list(columns)
		self.n_features_in_ = len(columns)
		self.n_train_ = len(labels)
		self.positives_ = int(counts[1])
		self.medians_ = self._typical(columns)
		self.metrics_ = {}
		if oof is not None:
			a, b = self.calibration_
			proba = 1.0 / (1.0 + np.exp(-(a * oof + b)))
			self.metrics_ = {
				"kind": f"{folds}-fold out-of-fold",
				**classification_metrics(labels, proba, self.threshold),
			}
		return self

	def _typical(self, columns: Columns) -> dict[str, Any]:
		typical = {}
		for spec in self.preprocessor_.specs_:
			if spec["kind"] == NUMERIC:
				typical[spec["name"]] = spec["median"]
			else:
				typical[spec["name"]] = spec["mode"]
		return typical

	# -- prediction ---------------------------------------------------------------------------------
	def _raw_terms(self, X):
		"""Per design column ``w_j (z_j - z̄_j)`` and the base (uncalibrated) log-odds."""
		self._check_fitted()
		Z = self.preprocessor_.transform(as_columns(X))
		terms = (Z - self.baseline_) * self.coef_
		base = self.intercept_ + float(self.baseline_ @ self.coef_)
		return terms, base

	def decision_function(self, X):
		"""Calibrated log-odds of being at risk."""
		terms, base = self._raw_terms(X)
		a, b = self.calibration_
		return a * (base + terms.sum(axis=1)) + b

	def predict_proba(self, X):
		import numpy as np

		p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
		return np.column_stack([1.0 - p, p])

	def predict(self, X):
		return (self.predict_proba(X)[:, 1] >= self.threshold).astype(int)

	def explain(self, X, *, medians: dict[str, Any] | None = None) -> list[RiskScore]:
		"""A :class:`RiskScore` per row: score = calibrated probability (%), contributions per input column
		whose points add up to ``score - base`` (see the module docstring). ``medians`` replaces the training
		medians quoted in the reasons (e.g. this term's school medians); rows that are ``TermFeatures`` get
		their full wording (failing course names, streaks)."""
		rows = list(X) if not isinstance(X, dict) else None
		term_features = rows if rows and hasattr(rows[0], "as_row") else None
		columns = as_columns(X)
		terms, base = self._raw_terms(columns)
		a, b = self.calibration_
		base_logit = a * base + b
		typical = {**self.medians_, **(medians or {})}
		tiers = self.tiers or Tiers()
		owners = [name for name, _ in self.preprocessor_.design_names_]
		used = {owner for owner, w in zip(owners, self.coef_, strict=True) if w != 0}
		order = [spec["name"] for spec in self.preprocessor_.specs_ if spec["name"] in used]
		scores = []
		for i in range(terms.shape[0]):
			by_input: dict[str, float] = dict.fromkeys(order, 0.0)
			for owner, term in zip(owners, terms[i], strict=True):
				if owner in used:
					by_input[owner] += a * float(term)
			logit = base_logit + sum(by_input.values())
			p, p_base = _sigmoid(logit), _sigmoid(base_logit)
			gap = logit - base_logit
			slope = (p - p_base) / gap if abs(gap) > 1e-9 else p_base * (1.0 - p_base)
			features = term_features[i] if term_features else None
			contributions = []
			for name in order:
				value = columns.get(name, [None] * terms.shape[0])[i]
				value = None if is_missing(value) else value
				shown = _shown(value)
				contributions.append(
					Contribution(
						name=name,
						label=label(name),
						value=shown,
						points=100.0 * slope * by_input[name],
						text=describe(name, shown, median=typical.get(name), features=features),
						log_odds=by_input[name],
					)
				)
			score = 100.0 * p
			scores.append(
				RiskScore(
					score=score,
					tier=tiers.tier(score),
					base=100.0 * p_base,
					contributions=tuple(contributions),
					method="model",
					probability=p,
				)
			)
		return scores

	def _check_fitted(self):
		if not hasattr(self, "coef_"):
			raise RuntimeError("this RiskModel is not fitted yet; call fit(X, y) first")

	# -- storage ------------------------------------------------------------------------------------
	def to_dict(self) -> dict[str, Any]:
		"""JSON-ready model version: parameters, preprocessing, coefficients, calibration and metrics."""
		self._check_fitted()
		params = self.get_params()
		params["Cs"] = list(params["Cs"])
		params["tiers"] = None if self.tiers is None else vars(self.tiers)
		for key in ("numeric", "categorical"):
			params[key] = None if params[key] is None else list(params[key])
		return {
			"format": FORMAT,
			"params": params,
			"preprocessor": self.preprocessor_.to_dict(),
			"coef": [float(w) for w in self.coef_],
			"intercept": self.intercept_,
			"baseline": [float(v) for v in self.baseline_],
			"C": self.C_,
			"penalty": self.penalty_,
			"calibration": list(self.calibration_),
			"feature_names_in": self.feature_names_in_,
			"n_train": self.n_train_,
			"positives": self.positives_,
			"medians": self.medians_,
			"metrics": self.metrics_,
		}

	@classmethod
	def from_dict(cls, data: dict[str, Any]) -> RiskModel:
		import numpy as np

		if data.get("format") != FORMAT:
			raise ValueError(f"not a stored risk model (format {data.get('format')!r}, expected {FORMAT!r})")
		params = dict(data["params"])
		params["tiers"] = None if params.get("tiers") is None else Tiers(**params["tiers"])
		self = cls(**params)
		self.preprocessor_ = Preprocessor.from_dict(data["preprocessor"])
		self.coef_ = np.array(data["coef"], dtype=float)
		self.intercept_ = float(data["intercept"])
		self.baseline_ = np.array(data["baseline"], dtype=float)
		self.C_ = float(data["C"])
		self.penalty_ = data["penalty"]
		self.calibration_ = tuple(float(v) for v in data["calibration"])
		self.classes_ = np.array([0, 1])
		self.feature_names_in_ = list(data["feature_names_in"])
		self.n_features_in_ = len(self.feature_names_in_)
		self.n_train_ = int(data["n_train"])
		self.positives_ = int(data["positives"])
		self.medians_ = dict(data["medians"])
		self.metrics_ = dict(data["metrics"])
		return self


_PARAMS = (
	"Cs",
	"penalty",
	"cv",
	"calibration",
	"min_category_count",
	"log_skewed",
	"numeric",
	"categorical",
	"threshold",
	"tiers",
	"random_state",
)


def _shown(value: Any) -> Any:
	"""The value as a reason shows it: numbers as numbers, anything else as text."""
	if value is None:
		return None
	try:
		number = to_number(value)
	except (TypeError, ValueError):
		return str(value).strip()
	return (
		int(number) if number is not None and number.is_integer() and not isinstance(value, float) else number
	)


PENALTIES = ("auto", "l2", "l1")


def _search_path(Z, y, splits, Cs: Sequence[float], penalty: str, seed: int | None = 0):
	"""(out-of-fold log loss, C, out-of-fold log-odds) of the best C, walking up the regularisation path
	(from strong to weak) with warm starts, and stopping once two further steps have not improved on the
	best (the loss is U-shaped in log C; the weakest penalties are also the slowest to fit)."""
	import numpy as np

	models = [None] * len(splits)
	best = None
	worse = 0
	for C in Cs:
		logits = np.empty(len(y))
		for k, (train, test) in enumerate(splits):
			models[k] = _logistic(Z[train], y[train], float(C), penalty, start=models[k], tol=1e-4, seed=seed)
			logits[test] = models[k].decision_function(Z[test])
		loss = _log_loss(y, logits)
		if best is None or loss < best[0] - 1e-12:
			best, worse = (loss, float(C), logits), 0
		else:
			worse += 1
			if worse >= 2:
				break
	return best


def _logistic(Z, y, C: float, penalty: str, *, start=None, tol: float = 1e-6, seed: int | None = 0):
	"""L2: lbfgs (warm-started from ``start``). L1 (sparse: keeps the few strong inputs, e.g. last grades, at
	full strength instead of shrinking them with the many weak ones): liblinear, with a large intercept
	scaling so its penalised intercept is effectively free (``seed`` fixes its coordinate order)."""
	import inspect

	from sklearn.linear_model import LogisticRegression

	if penalty == "l2":
		model = start if start is not None else LogisticRegression(max_iter=5000, warm_start=True)
		return model.set_params(C=C, tol=tol).fit(Z, y)
	if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated":
		options = {"l1_ratio": 1.0}  # scikit-learn >= 1.8
	else:
		options = {"penalty": "l1"}
	return LogisticRegression(
		C=C, solver="liblinear", intercept_scaling=100.0, max_iter=5000, tol=tol, random_state=seed, **options
	).fit(Z, y)


def _log_loss(y, logits) -> float:
	import numpy as np

	# log(1 + e^{-s}) with s = logit for positives and -logit for negatives, computed stably
	signed = np.where(y == 1, logits, -logits)
	return float(np.mean(np.logaddexp(0.0, -signed)))


def _platt(logits, y) -> tuple[float, float]:
	"""Platt scaling ``σ(a·s + b)`` fitted by maximum likelihood on out-of-fold log-odds, with Platt's
	(1999) smoothed targets so a perfectly separated fold does not push ``a`` to infinity. ``a`` is kept
	non-negative: a model whose out-of-fold ranking is backwards predicts the base rate instead of the
	reverse of its own reasons."""
	import numpy as np
	from scipy.optimize import minimize

	positives = float(np.sum(y == 1))
	negatives = float(len(y) - positives)
	target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

	def loss(params):
		a, b = params
		z = a * logits + b
		value = np.sum(np.logaddexp(0.0, z) - target * z)
		p = 1.0 / (1.0 + np.exp(-z))
		grad = p - target
		return value, np.array([np.sum(grad * logits), np.sum(grad)])

	prior = (positives + 1) / (len(y) + 2)
	start = np.array([1.0, math.log(prior / (1 - prior))])
	found = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=[(0.0, None), (None, None)])
	a, b = (float(v) for v in found.x)
	return a, b
