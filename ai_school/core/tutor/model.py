"""Classifiers with the scikit-learn shape (``fit`` / ``predict``) used by the guard and its evaluation.

``RuleClassifier`` is the shipped guard: the hand-written rules, nothing learned. ``HybridClassifier``
adds a small multinomial naive Bayes over character and word n-grams plus the rules' own signals,
trained on the labelled set, and lets it speak only where the rules leave room (see ``mode``). It is
pure Python — no numpy or scikit-learn at import or call time — and deterministic: the same data
gives the same weights, so it can be retrained from the shipped JSONL at any time.
"""

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

from ai_school.core.tutor import classifier, intent, lexicon
from ai_school.core.tutor.labels import Label
from ai_school.core.tutor.text import Text

_SAFETY = (
	Label.UNSAFE_SELF_HARM,
	Label.UNSAFE_VIOLENCE,
	Label.UNSAFE_ABUSE,
	Label.INJECTION,
	Label.PII_OVERSHARE,
	Label.EXAM_CONTENT,
)
_LEARNING = (Label.CONCEPT, Label.SOLVE_REQUEST, Label.OFF_TOPIC)


class RuleClassifier:
	"""The rules alone; ``fit`` learns nothing (kept for the common interface)."""

	def fit(self, texts: Sequence[str], labels: Sequence[Label]) -> "RuleClassifier":
		return self

	def predict(self, texts: Sequence[str]) -> list[Label]:
		return [classifier.classify(t) for t in texts]


def features(text: str) -> Counter:
	"""Binary bag of character 3–5-grams, words, word pairs and the names of the rules that fired."""
	t = Text(text[: classifier.MAX_CHARS])
	canon = t.canon
	feats: Counter = Counter()
	padded = f" {re.sub(r'[^a-z0-9 ]+', ' ', canon)} "
	padded = re.sub(r"\s+", " ", padded)
	for n in (3, 4, 5):
		for i in range(len(padded) - n + 1):
			feats["c:" + padded[i : i + n]] = 1
	words = t.words
	for w in words:
		feats["w:" + w] = 1
	for a, b in itertools.pairwise(words):
		feats[f"b:{a} {b}"] = 1
	analysis = classifier.analyse(text)
	for label, hits in analysis.evidence.items():
		feats["r:" + label.value] = 3
		for hit in hits:
			feats["r:" + hit.rule] = 3
	if lexicon.school_terms(canon):
		feats["r:school"] = 2
	if lexicon.off_topic_terms(canon):
		feats["r:off"] = 2
	if intent.asks_to_understand(canon):
		feats["r:understand"] = 2
	if "?" in text:
		feats["r:question"] = 1
	return feats


class NaiveBayes:
	"""Multinomial naive Bayes with Laplace smoothing; parameters in ``__init__``, learned state ends in ``_``."""

	def __init__(self, alpha: float = 0.3):
		self.alpha = alpha

	def fit(self, texts: Sequence[str], labels: Sequence[Label]) -> "NaiveBayes":
		counts: dict[Label, Counter] = {}
		docs = Counter(labels)
		vocabulary: set[str] = set()
		for text, label in zip(texts, labels, strict=True):
			feats = features(text)
			counts.setdefault(label, Counter()).update(feats)
			vocabulary.update(feats)
		self.classes_ = sorted(docs, key=lambda label: label.value)
		total_docs = sum(docs.values())
		self.log_prior_ = {c: math.log(docs[c] / total_docs) for c in self.classes_}
		size = len(vocabulary)
		self.log_likelihood_ = {}
		self.log_unseen_ = {}
		for c in self.classes_:
			total = sum(counts[c].values()) + self.alpha * size
			self.log_likelihood_[c] = {f: math.log((n + self.alpha) / total) for f, n in counts[c].items()}
			self.log_unseen_[c] = math.log(self.alpha / total)
		self.vocabulary_ = vocabulary
		return self

	def log_scores(self, text: str) -> dict[Label, float]:
		feats = [(f, n) for f, n in features(text).items() if f in self.vocabulary_]
		return {
			c: self.log_prior_[c]
			+ sum(n * self.log_likelihood_[c].get(f, self.log_unseen_[c]) for f, n in feats)
			for c in self.classes_
		}

	def probabilities(self, text: str) -> dict[Label, float]:
		scores = self.log_scores(text)
		top = max(scores.values())
		exp = {c: math.exp(s - top) for c, s in scores.items()}
		total = sum(exp.values())
		return {c: v / total for c, v in exp.items()}

	def predict(self, texts: Sequence[str]) -> list[Label]:
		return [max(self.log_scores(t).items(), key=lambda kv: kv[1])[0] for t in texts]


class HybridClassifier:
	"""Rules first, the learned model where the rules leave room.

	``mode="residual"``: a safety label from the rules stands; otherwise the model chooses among
	concept / solve_request / off_topic. ``mode="full"``: as residual, and the model may also raise a
	safety label the rules missed when it is at least ``threshold`` sure.
	"""

	def __init__(self, mode: str = "residual", alpha: float = 0.3, threshold: float = 0.9):
		self.mode = mode
		self.alpha = alpha
		self.threshold = threshold

	def fit(self, texts: Sequence[str], labels: Sequence[Label]) -> "HybridClassifier":
		self.model_ = NaiveBayes(self.alpha).fit(texts, labels)
		return self

	def predict(self, texts: Sequence[str]) -> list[Label]:
		return [self._predict_one(t) for t in texts]

	def _predict_one(self, text: str) -> Label:
		rules = classifier.classify(text)
		if rules in _SAFETY:
			return rules
		probs = self.model_.probabilities(text)
		if self.mode == "full":
			best = max(probs.items(), key=lambda kv: kv[1])
			if best[0] in _SAFETY and best[1] >= self.threshold:
				return best[0]
		return max(((c, p) for c, p in probs.items() if c in _LEARNING), key=lambda kv: kv[1])[0]
