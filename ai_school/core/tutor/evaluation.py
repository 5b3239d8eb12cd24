"""Measuring the guard on a labelled JSONL set: stratified k-fold cross-validation, accuracy, per-label
precision / recall / F1 and a confusion matrix. Plain Python, deterministic for a given seed."""

import json
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ai_school.core.tutor.labels import Label, parse_label


class Classifier(Protocol):
	def fit(self, texts: Sequence[str], labels: Sequence[Label]) -> "Classifier": ...

	def predict(self, texts: Sequence[str]) -> list[Label]: ...


@dataclass(frozen=True)
class Example:
	text: str
	label: Label


def load_jsonl(path: str | Path) -> list[Example]:
	"""``{"text": ..., "label": ...}`` per line; blank lines are skipped, anything else is an error."""
	examples = []
	with open(path, encoding="utf-8") as handle:
		for number, line in enumerate(handle, 1):
			if not line.strip():
				continue
			try:
				row = json.loads(line)
				examples.append(Example(str(row["text"]), parse_label(row["label"])))
			except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
				raise ValueError(f"{path}:{number}: {exc}") from exc
	return examples


def stratified_folds(labels: Sequence[Label], k: int = 5, seed: int = 0) -> list[int]:
	"""The fold (0..k-1) of each example: every label is spread evenly over the folds."""
	if k < 2:
		raise ValueError("k-fold cross-validation needs k >= 2")
	rng = random.Random(seed)
	folds = [0] * len(labels)
	by_label: dict[Label, list[int]] = {}
	for index, label in enumerate(labels):
		by_label.setdefault(label, []).append(index)
	offset = 0
	for label in sorted(by_label, key=lambda label: label.value):
		indices = by_label[label]
		rng.shuffle(indices)
		for position, index in enumerate(indices):
			folds[index] = (position + offset) % k
		offset += len(indices)
	return folds


@dataclass
class LabelScore:
	precision: float
	recall: float
	f1: float
	support: int


@dataclass
class Report:
	accuracy: float
	per_label: dict[Label, LabelScore]
	confusion: dict[Label, Counter]
	n: int
	fold_accuracies: list[float] = field(default_factory=list)
	errors: list[tuple[str, Label, Label]] = field(default_factory=list)

	def recall(self, label: Label) -> float:
		return self.per_label[label].recall

	def precision(self, label: Label) -> float:
		return self.per_label[label].precision

	def to_dict(self) -> dict:
		return {
			"n": self.n,
			"accuracy": round(self.accuracy, 4),
			"fold_accuracies": [round(a, 4) for a in self.fold_accuracies],
			"per_label": {
				label.value: {
					"precision": round(s.precision, 4),
					"recall": round(s.recall, 4),
					"f1": round(s.f1, 4),
					"support": s.support,
				}
				for label, s in self.per_label.items()
			},
			"confusion": {t.value: {p.value: c for p, c in row.items()} for t, row in self.confusion.items()},
		}


def score(truth: Sequence[Label], predicted: Sequence[Label], texts: Sequence[str] = ()) -> Report:
	labels = [label for label in Label if label in set(truth) | set(predicted)]
	confusion = {t: Counter() for t in labels}
	for t, p in zip(truth, predicted, strict=True):
		confusion[t][p] += 1
	per_label = {}
	for label in labels:
		tp = confusion[label][label]
		predicted_as = sum(confusion[t][label] for t in labels)
		actual = sum(confusion[label].values())
		precision = tp / predicted_as if predicted_as else 0.0
		recall = tp / actual if actual else 0.0
		f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
		per_label[label] = LabelScore(precision, recall, f1, actual)
	correct = sum(t == p for t, p in zip(truth, predicted, strict=True))
	errors = [(x, t, p) for x, t, p in zip(texts, truth, predicted, strict=False) if t != p]
	return Report(correct / len(truth) if truth else 0.0, per_label, confusion, len(truth), errors=errors)


def cross_validate(
	examples: Sequence[Example], make: Callable[[], Classifier], k: int = 5, seed: int = 0
) -> Report:
	"""Stratified k-fold: each fold is predicted by a classifier fitted on the other folds only."""
	labels = [e.label for e in examples]
	folds = stratified_folds(labels, k, seed)
	predicted: list[Label | None] = [None] * len(examples)
	fold_accuracies = []
	for fold in range(k):
		train = [e for e, f in zip(examples, folds, strict=True) if f != fold]
		test_idx = [i for i, f in enumerate(folds) if f == fold]
		model = make().fit([e.text for e in train], [e.label for e in train])
		guesses = model.predict([examples[i].text for i in test_idx])
		for i, guess in zip(test_idx, guesses, strict=True):
			predicted[i] = guess
		fold_accuracies.append(
			sum(examples[i].label == g for i, g in zip(test_idx, guesses, strict=True)) / len(test_idx)
		)
	report = score(labels, predicted, [e.text for e in examples])
	report.fold_accuracies = fold_accuracies
	return report


def evaluate_on(examples: Sequence[Example], model: Classifier) -> Report:
	return score(
		[e.label for e in examples], model.predict([e.text for e in examples]), [e.text for e in examples]
	)


def format_report(report: Report, title: str = "") -> str:
	lines = []
	if title:
		lines.append(title)
	lines.append(f"examples: {report.n}   accuracy: {report.accuracy:.3f}")
	if report.fold_accuracies:
		lines.append("fold accuracies: " + " ".join(f"{a:.3f}" for a in report.fold_accuracies))
	lines.append("")
	lines.append(f"{'label':18} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>5}")
	for label, s in report.per_label.items():
		lines.append(f"{label.value:18} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.support:5d}")
	lines.append("")
	labels = list(report.per_label)
	short = {
		label: label.value.replace("unsafe_", "u_").replace("_request", "").replace("_content", "")[:9]
		for label in labels
	}
	lines.append("confusion (rows = true, columns = predicted)")
	lines.append(" " * 18 + "".join(f"{short[label]:>10}" for label in labels))
	for t in labels:
		lines.append(f"{t.value:18}" + "".join(f"{report.confusion[t][p]:>10}" for p in labels))
	return "\n".join(lines)


def format_errors(report: Report, limit: int = 50) -> Iterable[str]:
	for text, truth, guess in report.errors[:limit]:
		yield f"{truth.value:>16} -> {guess.value:<16} {text}"
