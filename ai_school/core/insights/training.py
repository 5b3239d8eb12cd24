"""Training a risk model version on a school's own history, and deciding whether it replaces the ABC rule.

The school's history becomes labelled examples (:func:`training_examples`): each student's features as known
at a quarter, half and three quarters of every term that has ended (what a teacher could have acted on),
with the term's outcome (failed at least one course by the pass mark) and the ABC rule's score at that
moment. Several moments per term let the model score a student on any day of a term, not only mid-term.

:func:`train_version` validates the way the model will be used, in time order: for each term after the
first, a model trained on the earlier terms predicts it (never trained on the future); the ABC rule is
scored on the same held-out rows, its points turned into a probability by Platt scaling fitted on the same
training rows (:class:`CalibratedRule`), so both are compared as probabilities. The version kept is then
fitted on all terms.

The model is used instead of the rule only when both hold (:attr:`TrainingResult.activate`):

* **Enough labelled history** (:class:`HistoryRequirement`): at least two ended terms (one to learn from, a
  later one to test on); at least 20 student-terms that failed and 20 that passed, and 10 of each in the
  terms tested; and as many student-terms as it takes to know the school's failure rate within ±5
  percentage points, ``n >= (1.96 / 0.05)² φ(1 - φ)`` for a failure rate φ (Riley et al., *Calculating the
  sample size required for developing a clinical prediction model*, BMJ 2020, criterion i): 196 student-terms
  at a 15 % rate, 384 at most. These do not depend on any one school.
* **It beats or matches the rule** on the held-out terms: Brier score no worse than the rule's by more than
  0.002 and ROC AUC no lower than the rule's by more than 0.01 (differences smaller than that are noise at
  these sizes).

Otherwise the version is stored with the reasons and the rule stays in use.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ai_school.core.insights.features import FeatureSettings, labelled_examples
from ai_school.core.insights.records import SchoolData
from ai_school.core.insights.rules import AbcCutpoints, abc_score

CUTOFFS = (0.25, 0.5, 0.75)  # moments of each term the examples are taken at (share of the term's days)
RULE_COLUMN = "abc_score"
BRIER_TOLERANCE = 0.002
AUC_TOLERANCE = 0.01


@dataclass(frozen=True)
class Example:
	"""One student in one term at one moment: the model's inputs, the outcome and the rule's score then."""

	student: str
	term: str
	at: float
	row: dict[str, float | None]
	label: int  # 1 = failed at least one course by the pass mark
	rule_score: float


def training_examples(
	data: SchoolData,
	*,
	today: dt.date | None = None,
	at: Iterable[float] = CUTOFFS,
	cutpoints: AbcCutpoints | None = None,
	settings: FeatureSettings | None = None,
) -> list[Example]:
	"""Labelled examples of every term of ``data`` that had ended by ``today`` (see the module docstring)."""
	cutpoints = cutpoints or AbcCutpoints()
	settings = settings or cutpoints.feature_settings()
	examples = []
	for moment in at:
		for features, outcome in labelled_examples(data, at=moment, today=today, settings=settings):
			examples.append(
				Example(
					student=features.student,
					term=features.term,
					at=float(moment),
					row=features.as_row(),
					label=int(outcome),
					rule_score=float(abc_score(features, cutpoints).score),
				)
			)
	return examples


@dataclass(frozen=True)
class HistoryRequirement:
	"""How much labelled history a school needs before its own model replaces the rule (module docstring)."""

	min_terms: int = 2
	min_per_class: int = 20
	min_test_per_class: int = 10
	rate_margin: float = 0.05

	def required_rows(self, rate: float) -> int:
		"""Riley et al. (2020) criterion i: student-terms to estimate a failure rate ``rate`` within the margin."""
		return math.ceil((1.96 / self.rate_margin) ** 2 * rate * (1 - rate))

	def problems(
		self, outcomes: dict[tuple[Hashable, Hashable], int], order: Sequence[Hashable]
	) -> list[str]:
		"""Why the history is not enough, in plain words (empty: it is). ``outcomes`` maps (student, term) to
		the term's outcome; ``order`` lists the terms oldest first."""
		problems = []
		terms = [t for t in order if any(term == t for _, term in outcomes)]
		if len(terms) < self.min_terms:
			problems.append(
				f"{len(terms)} ended term{'s' if len(terms) != 1 else ''} with results; needs {self.min_terms} "
				"(one to learn from, a later one to test on)"
			)
		counts = Counter(outcomes.values())
		failed, passed = counts.get(1, 0), counts.get(0, 0)
		if min(failed, passed) < self.min_per_class:
			problems.append(
				f"{failed} student-terms failed a course and {passed} passed; needs {self.min_per_class} of each"
			)
		if terms:
			tested = Counter(label for (_, term), label in outcomes.items() if term in set(terms[1:]))
			if (
				len(terms) >= self.min_terms
				and min(tested.get(1, 0), tested.get(0, 0)) < self.min_test_per_class
			):
				problems.append(
					f"the later terms have {tested.get(1, 0)} failed and {tested.get(0, 0)} passed student-terms "
					f"to test on; needs {self.min_test_per_class} of each"
				)
		n = failed + passed
		if n:
			needed = self.required_rows(failed / n)
			if n < needed:
				problems.append(
					f"{n} labelled student-terms; a failure rate of {100 * failed / n:.0f} % needs {needed} to be "
					f"known within ±{100 * self.rate_margin:.0f} points"
				)
		return problems


class CalibratedRule:
	"""The ABC rule as a probability: Platt scaling of its points (column ``abc_score``) fitted on the
	training rows, so it can be compared with the model on the Brier score too. Monotone: the rule's ranking
	(and so its ROC AUC) is unchanged."""

	def __init__(self, column: str = RULE_COLUMN):
		self.column = column

	def fit(self, X, y) -> CalibratedRule:
		import numpy as np

		from ai_school.core.insights.model import _platt
		from ai_school.core.insights.tabular import as_columns

		scores = np.array([float(v) for v in as_columns(X)[self.column]]) / 10.0
		self.a_, self.b_ = _platt(scores, np.asarray(y, dtype=int))
		return self

	def predict_proba(self, X):
		import numpy as np

		from ai_school.core.insights.tabular import as_columns

		z = self.a_ * np.array([float(v) for v in as_columns(X)[self.column]]) / 10.0 + self.b_
		p = 1.0 / (1.0 + np.exp(-z))
		return np.column_stack([1 - p, p])


@dataclass
class TrainingResult:
	"""The fitted model (None when nothing could be trained), its stored form and the decision."""

	model: Any
	version: dict[str, Any] | None
	activate: bool
	reasons: list[str] = field(default_factory=list)  # why it is (not) used, in plain words
	problems: list[str] = field(default_factory=list)  # what the history lacks


def train_version(
	examples: Sequence[Example],
	order: Sequence[Hashable],
	*,
	requirement: HistoryRequirement | None = None,
	make_model: Callable[[], Any] | None = None,
	threshold: float = 0.5,
	progress: Callable[[str], None] | None = None,
) -> TrainingResult:
	"""Validate in time order, fit on all examples and decide (module docstring). ``order`` lists the terms
	oldest first; ``make_model`` builds a fresh model (default: :class:`~.model.RiskModel`)."""
	from threadpoolctl import threadpool_limits

	with threadpool_limits(1):  # small fits: BLAS threads cost more than they save
		return _train_version(examples, order, requirement, make_model, threshold, progress)


def _train_version(examples, order, requirement, make_model, threshold, progress) -> TrainingResult:
	from ai_school.core.insights.model import RiskModel
	from ai_school.core.insights.validation import classification_metrics

	requirement = requirement or HistoryRequirement()
	make = make_model or (lambda: RiskModel(random_state=0))
	say = progress or (lambda message: None)
	order = [t for t in order if any(e.term == t for e in examples)]
	outcomes = {(e.student, e.term): e.label for e in examples}
	problems = requirement.problems(outcomes, order)
	labels = [e.label for e in examples]
	if len(set(labels)) < 2:
		reason = "no labelled history" if not labels else "every student-term has the same outcome"
		return TrainingResult(None, None, False, [f"Nothing to learn: {reason}"], problems)

	# validation in time order: each term predicted by a model of the terms before it
	held_out = []  # (example, model probability, rule probability)
	by_term, skipped = [], []
	for k in range(1, len(order)):
		earlier = set(order[:k])
		train = [e for e in examples if e.term in earlier]
		test = [e for e in examples if e.term == order[k]]
		if len({e.label for e in train}) < 2:
			skipped.append([str(order[k]), "the earlier terms have only one outcome"])
			continue
		say(f"Testing on {order[k]} (trained on {k} earlier term{'s' if k > 1 else ''})")
		model = make().fit([e.row for e in train], [e.label for e in train])
		rule = CalibratedRule().fit({RULE_COLUMN: [e.rule_score for e in train]}, [e.label for e in train])
		p_model = model.predict_proba([e.row for e in test])[:, 1]
		p_rule = rule.predict_proba({RULE_COLUMN: [e.rule_score for e in test]})[:, 1]
		y = [e.label for e in test]
		by_term.append(
			{
				"term": str(order[k]),
				"train_rows": len(train),
				"model": classification_metrics(y, p_model, threshold),
				"rule": classification_metrics(y, p_rule, threshold),
			}
		)
		held_out.extend(zip(test, p_model.tolist(), p_rule.tolist(), strict=True))

	def scored(rows) -> dict[str, Any]:
		y = [e.label for e, _, _ in rows]
		return {
			"model": classification_metrics(y, [p for _, p, _ in rows], threshold),
			"rule": classification_metrics(y, [r for _, _, r in rows], threshold),
			# the rule as staff see it: High or Critical (40 points or more) means at risk
			"rule_tiers": classification_metrics(
				y, [1.0 if e.rule_score >= AbcCutpoints().tiers.high else 0.0 for e, _, _ in rows], threshold
			),
		}

	pooled = scored(held_out) if held_out else {}
	by_moment = {}
	for moment in sorted({e.at for e in examples}):
		rows = [row for row in held_out if row[0].at == moment]
		if rows:
			by_moment[f"{moment:g}"] = scored(rows)

	say(f"Training on all {len(order)} terms ({len(examples)} examples)")
	model = make().fit([e.row for e in examples], labels)
	version = model.to_dict()
	student_terms = Counter(outcomes.values())
	version["training"] = {
		"terms": [str(t) for t in order],
		"rows": len(examples),
		"student_terms": len(outcomes),
		"positives": student_terms.get(1, 0),
		"moments": sorted({e.at for e in examples}),
		"outcome": "failed at least one course by the pass mark",
	}
	version["validation"] = {
		"kind": "trained on earlier terms, tested on the next (ABC rule calibrated on the same training rows)",
		"pooled": pooled,
		"by_term": by_term,
		"by_moment": by_moment,
		"skipped": skipped,
	}
	activate, reasons = decide(pooled, problems)
	version["decision"] = {"activate": activate, "reasons": reasons, "history_problems": problems}
	return TrainingResult(model, version, activate, reasons, problems)


def decide(pooled: dict[str, Any], problems: Sequence[str]) -> tuple[bool, list[str]]:
	"""Whether the model replaces the rule, with the reasons (see the module docstring)."""
	reasons = [f"Not enough labelled history: {problem}" for problem in problems]
	model, rule = pooled.get("model"), pooled.get("rule")
	if not model or not rule:
		reasons.append("No later term to test the model on, so it cannot be compared with the rule")
		return False, reasons
	brier_ok = model["brier"] <= rule["brier"] + BRIER_TOLERANCE
	auc_ok = (
		model["roc_auc"] is not None
		and rule["roc_auc"] is not None
		and model["roc_auc"] >= rule["roc_auc"] - AUC_TOLERANCE
	)
	comparison = (
		f"Brier {model['brier']:.3f} vs the rule's {rule['brier']:.3f}, ROC AUC "
		f"{_fmt(model['roc_auc'])} vs {_fmt(rule['roc_auc'])} on {model['n']} held-out examples"
	)
	if brier_ok and auc_ok:
		reasons.append(f"Beats or matches the ABC rule: {comparison}")
	else:
		reasons.append(f"Does not beat the ABC rule: {comparison}")
	return bool(brier_ok and auc_ok and not problems), reasons


def _fmt(value: float | None) -> str:
	return "n/a" if value is None else f"{value:.3f}"
