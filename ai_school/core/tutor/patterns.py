"""Small machinery shared by the detectors: named rules, negation scope, hits."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CLAUSE_BREAK = re.compile(r"[.;!?\n]|,\s*(?:but|and|so)\b|\b(?:but|though|although|however|except)\b")
# a negation governs a match when at most two words stand between them ("not going to", "never want to")
_NEGATED_TAIL = re.compile(
	r"\b(?:not|never|no longer|nobody|no one|noone|nothing|no way|hardly|neither|nor)\s+(?:\S+\s+){0,2}$"
)


@dataclass(frozen=True)
class Rule:
	"""A named pattern. ``weak`` rules only count with corroboration (see the detector using them);
	``negatable`` rules are dropped when a negation governs the match; ``unless`` is a pattern that,
	found anywhere in the same message, cancels the rule (a hard negative such as "kill the process")."""

	name: str
	regex: re.Pattern
	weak: bool = False
	negatable: bool = True
	unless: re.Pattern | None = None


def rule(
	name: str, pattern: str, *, weak: bool = False, negatable: bool = True, unless: str | None = None
) -> Rule:
	return Rule(name, re.compile(pattern), weak, negatable, re.compile(unless) if unless else None)


@dataclass(frozen=True)
class Hit:
	rule: str
	weak: bool
	start: int
	end: int
	text: str


# "can't stop hurting myself", "don't know how to stop cutting": the negation is of stopping, not of the act
_NOT_A_NEGATION = re.compile(
	r"\b(?:not|never)\s+(?:\S+\s+){0,1}(?:stop|stopping|help|resist|quit|control|keep from|know how to stop|seem to stop)\b"
)


def negated(text: str, start: int) -> bool:
	"""True when a negation in the same clause governs the words starting at ``start``."""
	before = text[max(0, start - 60) : start]
	pieces = _CLAUSE_BREAK.split(before)
	clause = pieces[-1] if pieces else before
	tail = _NEGATED_TAIL.search(clause)
	return bool(tail) and not _NOT_A_NEGATION.search(clause[tail.start() :])


def find(rules: Iterable[Rule], text: str) -> list[Hit]:
	hits = []
	for r in rules:
		if r.unless is not None and r.unless.search(text):
			continue
		for match in r.regex.finditer(text):
			if r.negatable and negated(text, match.start()):
				continue
			hits.append(Hit(r.name, r.weak, match.start(), match.end(), match.group(0)))
			break
	return hits


def alt(*words: str) -> str:
	"""A non-capturing alternation of the given regex fragments."""
	return "(?:" + "|".join(words) + ")"
