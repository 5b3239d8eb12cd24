"""A small BM25 retriever over a course's study material (Education Articles, split into passages).

    index = Retriever.from_documents([Document("ART-1", "Fractions", "<p>To add fractions...</p>")])
    for hit in index.search("how do I add 1/2 and 1/3", k=3):
        hit.title, hit.text, hit.score

Plain Python, no index files: a course has tens of articles, so the index is built per call. HTML is
stripped; passages are paragraphs merged up to about ``passage_chars`` characters.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
	"""
	a an and are as at be but by can could do does did for from has have how i if in is it its me my of on
	or so that the their them then there these they this to was we what when where which who why will with
	you your u pls please help explain tell know just about into than also not no yes want need get give
	""".split()
)


def plain_text(value: str) -> str:
	"""Text of an HTML fragment (Article content is a Text Editor field), whitespace collapsed per line."""
	text = re.sub(r"(?i)<\s*(?:br|/p|/div|/li|/h\d)\s*/?>", "\n", value or "")
	text = html.unescape(_TAG.sub(" ", text))
	lines = [" ".join(line.split()) for line in text.splitlines()]
	return "\n".join(line for line in lines if line)


def terms(text: str) -> list[str]:
	"""Lower-case word tokens without stopwords; a crude plural fold ("fractions" -> "fraction")."""
	out = []
	for word in _WORD.findall((text or "").lower()):
		if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
			continue
		if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
			word = word[:-1]
		out.append(word)
	return out


@dataclass(frozen=True)
class Document:
	name: str
	title: str
	text: str


@dataclass(frozen=True)
class Passage:
	name: str  # the document's name
	title: str
	text: str
	score: float = 0.0


def passages_of(document: Document, passage_chars: int = 600) -> list[Passage]:
	paragraphs = [p for p in plain_text(document.text).split("\n") if p.strip()]
	out, current = [], ""
	for paragraph in paragraphs:
		if current and len(current) + len(paragraph) + 1 > passage_chars:
			out.append(current)
			current = ""
		current = f"{current}\n{paragraph}" if current else paragraph
	if current:
		out.append(current)
	return [Passage(document.name, document.title, text[: passage_chars * 2]) for text in out] or [
		Passage(document.name, document.title, "")
	]


class Retriever:
	"""Okapi BM25 (k1, b) over passages; a passage's title counts as part of its text."""

	def __init__(self, passages: Sequence[Passage], k1: float = 1.5, b: float = 0.75):
		self.passages = list(passages)
		self.k1, self.b = k1, b
		self._terms = [Counter(terms(f"{p.title} {p.title} {p.text}")) for p in self.passages]
		self._lengths = [sum(c.values()) for c in self._terms]
		self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
		frequency: Counter = Counter()
		for counts in self._terms:
			frequency.update(counts.keys())
		n = len(self.passages)
		self._idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}

	@classmethod
	def from_documents(cls, documents: Iterable[Document], passage_chars: int = 600) -> Retriever:
		return cls([p for d in documents for p in passages_of(d, passage_chars)])

	def score(self, query_terms: Sequence[str], index: int) -> float:
		counts, length = self._terms[index], self._lengths[index] or 1
		total = 0.0
		for term in set(query_terms):
			tf = counts.get(term, 0)
			if not tf:
				continue
			norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / (self._average or 1)))
			total += self._idf.get(term, 0.0) * norm
		return total

	def search(self, query: str, k: int = 3) -> list[Passage]:
		"""The ``k`` best passages with a positive score, best first (ties: original order)."""
		query_terms = terms(query)
		if not query_terms:
			return []
		scored = [(self.score(query_terms, i), i) for i in range(len(self.passages))]
		scored = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:k]
		return [
			Passage(self.passages[i].name, self.passages[i].title, self.passages[i].text, round(score, 4))
			for score, i in scored
		]


def rank_topics(query: str, topics: Sequence[str]) -> list[str]:
	"""Topics sharing words with the query first (by overlap), then the rest in their course order."""
	wanted = set(terms(query))
	overlap = [(len(wanted & set(terms(topic))), i) for i, topic in enumerate(topics)]
	return [topics[i] for _, i in sorted(overlap, key=lambda o: (-o[0], o[1]))]
