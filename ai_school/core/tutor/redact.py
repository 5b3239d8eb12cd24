"""Personal data out of a provider payload, and back into the reply the student sees.

Before a tutor prompt leaves the server, the names of the site's students, guardians and staff, email
addresses, phone numbers, street addresses and ID numbers (the site's own record IDs, national IDs, card and
account numbers, numbers labelled as an ID) are replaced by placeholders such as ``[NAME_1]``. The same value
gets the same placeholder for the whole conversation, so the model can still follow who is who; the
reply's placeholders are put back before the student sees it.

    redactor = Redactor(names=["Aisha Khan", "Tom Berry"], identifiers=["EDU-STU-2026-00012"])
    payload = redactor.redact_messages(messages)  # what the provider receives
    shown = redactor.restore(completion_text)  # what the student reads

Names are matched whole ("Aisha Khan", any case) and by their parts ("Aisha", "Khan") when written with a
capital letter, except parts that are also everyday words ("Will", "May", "Grace"...); they are looked up word by
word in sets, so thousands of names cost milliseconds. Numbers in a maths
question ("348 x 27", "x = 1945") are not phone numbers: a phone needs a phone's shape (a +country code, a
leading 0 with groups, (555) 123-4567) and a bare digit run needs a word such as "phone" or "call" nearby.

``StreamRestorer`` restores a streamed answer piece by piece, holding back a placeholder cut in two by the
stream until its end arrives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise

KINDS = ("NAME", "EMAIL", "PHONE", "ADDRESS", "ID")

PLACEHOLDER = re.compile(r"\[(NAME|EMAIL|PHONE|ADDRESS|ID)_(\d{1,4})\]", re.IGNORECASE)
# the start of a placeholder a stream may have cut: "[", "[NA", "[NAME_", "[NAME_1"
_PARTIAL = re.compile(r"\[(?:[A-Za-z]{0,7}(?:_\d{0,4})?)?$")

# name parts that are also everyday words: replacing them would garble ordinary questions
_COMMON_WORDS = frozenset(
	"""
	will may june april august mark grace hope faith joy rose summer dawn bill art sunny rich
	young white black brown green gray grey long short king bell hall wood hill page rice
	lane park may bishop cook baker carter mason miller taylor turner walker porter hunter
	the and for not you can are our new all one two ten day sun son man max ray guy sky
	""".split()
)

EMAIL = re.compile(
	r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)

_PHONE_SHAPES = (
	r"(?<![\w.])\+\d{1,3}[\s.-]?\(?\d{1,5}\)?(?:[\s.-]?\d{2,5}){2,4}(?![\w.])",  # +44 7700 900123
	r"(?<![\w.])0\d{3,4}[\s-]?\d{3}[\s-]?\d{3,4}(?![\w.])",  # 07700 900123, 0161 496 0000
	r"(?<![\w.])\(\d{3}\)\s?\d{3}[\s.-]\d{4}(?![\w.])",  # (555) 123-4567
	r"(?<![\w.])\d{3}[.-]\d{3}[.-]\d{4}(?![\w.])",  # 555-123-4567
)
PHONE = re.compile("|".join(_PHONE_SHAPES))
_PHONE_WORDS = re.compile(
	r"\b(?:phone|mobile|cell|number|call|text|ring|whats ?app|contact|tel|telephone|reach me|numero|telefono|"
	r"movil|celular|portable|handy|nummer)\b",
	re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\w.])\+?\d[\d\s().-]{6,16}\d(?![\w.])")

_STREET = (
	r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|crescent|place|boulevard|blvd|"
	r"terrace|grove|gardens|park|square|sq|hill|row|mews|walk|rise|parade|calle|avenida|rue|strasse|str|weg|"
	r"platz|gasse|allee|nagar|marg|colony|sector)"
)
ADDRESS = re.compile(
	rf"\b\d{{1,5}}[A-Za-z]?,? (?:[A-Za-z'-]+ ){{1,3}}{_STREET}\b\.?"
	r"|\b(?:calle|avenida|rue|via) (?:[A-Za-z'-]+ ){1,3}\d{1,4}\b"
	r"|\b[A-Za-z]+(?:strasse|straße|weg|gasse|allee|platz) \d{1,4}[A-Za-z]?\b"
	r"|\b(?:flat|apartment|apt|house|plot|unit) (?:no\.? ?|number |#)?\d{1,5}[A-Za-z]?\b",
	re.IGNORECASE,
)
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")

_ID_WORDS = (
	r"(?:student|school|candidate|exam|roll|admission|enrol?ment|library|national|social security|ssn|"
	r"national insurance|nhs|passport|aadhaa?r|pan|licen[cs]e|id|identity|dni|nie|tax|medical|insurance|"
	r"account|iban|card|membership|customer|uln|upn)"
)
LABELLED_ID = re.compile(
	rf"\b{_ID_WORDS}(?: card)?\s*(?:number|no\.?|num|nr|#|id|code)?\s*(?:is|=|:|-)?\s*#?\s*"
	r"((?=[A-Za-z0-9-]*\d)[A-Za-z]{0,4}[-\s]?\d[\dA-Za-z-]{3,}\d?)",
	re.IGNORECASE,
)
SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
NI_NUMBER = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
AADHAAR = re.compile(r"\b[2-9]\d{3} \d{4} \d{4}\b")
CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_ANY_DIGIT = re.compile(r"\d")
IBAN = re.compile(r"\b[A-Z]{2}\d{2} ?(?:[A-Z0-9]{4} ?){2,7}[A-Z0-9]{1,4}\b")


def _luhn(digits: str) -> bool:
	total, parity = 0, len(digits) % 2
	for i, ch in enumerate(digits):
		d = int(ch)
		if i % 2 == parity:
			d = d * 2 - 9 if d > 4 else d * 2
		total += d
	return total % 10 == 0


_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _clean_names(names: Iterable[str]) -> list[str]:
	seen: dict[str, str] = {}
	for name in names:
		name = " ".join((name or "").split())
		if len(name) >= 2:
			seen.setdefault(name.casefold(), name)
	return list(seen.values())


def _alternation(values: Iterable[str]) -> str:
	return "|".join(re.escape(v) for v in sorted(set(values), key=lambda v: (-len(v), v)))


class NameIndex:
	"""The site's people names prepared for lookup: whole names and their parts in sets, looked up word by
	word (a school has thousands of people: one big regex is slow). Immutable: build it once per process and
	share it between conversations."""

	def __init__(self, names: Iterable[str] = ()):
		full_names: set[str] = set()
		starts: set[str] = set()  # first words of the whole names: most words start none, and skip the search
		parts: set[str] = set()
		self.longest = 1
		for name in _clean_names(names):
			words = _NAME_WORD.findall(name)
			if len(words) > 1:
				full_names.add(" ".join(words).casefold())
				starts.add(words[0].casefold())
				self.longest = max(self.longest, len(words))
			for word in words:
				for part in {word, *word.replace("’", "'").split("-")}:
					if len(part) >= 3 and part.casefold() not in _COMMON_WORDS:
						parts.add(part.casefold())
		self.full_names, self.starts, self.parts = frozenset(full_names), frozenset(starts), frozenset(parts)

	def __bool__(self) -> bool:
		return bool(self.parts or self.full_names)


class Redactor:
	"""Stable placeholders for one conversation's personal data.

	``names``: full names of the site's students, guardians and staff (or a prepared ``NameIndex`` of them);
	``identifiers``: the site's record IDs (Student IDs, user emails) that must not leave either. Every value
	found is remembered, so the history, the new message and the reply share one numbering.
	"""

	def __init__(self, names: Iterable[str] | NameIndex = (), identifiers: Iterable[str] = ()):
		self._names = names if isinstance(names, NameIndex) else NameIndex(names)
		ids = [i.strip() for i in identifiers if i and len(i.strip()) >= 3]
		self._identifiers = (
			re.compile(rf"(?<![\w])(?:{_alternation(ids)})(?![\w])", re.IGNORECASE) if ids else None
		)
		self._by_value: dict[tuple[str, str], str] = {}
		self.mapping: dict[str, str] = {}  # placeholder -> original text
		self._counts = dict.fromkeys(KINDS, 0)

	# --- redaction ------------------------------------------------------------------------------------

	def placeholder(self, kind: str, value: str) -> str:
		key = (kind, " ".join(value.split()).casefold())
		if key not in self._by_value:
			self._counts[kind] += 1
			token = f"[{kind}_{self._counts[kind]}]"
			self._by_value[key] = token
			self.mapping[token] = value
		return self._by_value[key]

	def redact(self, text: str) -> str:
		"""``text`` with every piece of personal data replaced by its placeholder."""
		if not text:
			return text or ""
		if "@" in text:
			text = self._sub(EMAIL, "EMAIL", text)
		if self._identifiers:
			text = self._sub(self._identifiers, "ID", text)
		if _ANY_DIGIT.search(text):  # every pattern below needs a digit: most chat messages skip them all
			text = self._redact_numbers(text)
		if self._names:
			text = self._outside_placeholders(text, self._redact_names)
		return text

	def _redact_numbers(self, text: str) -> str:
		# "exam 2023 paper" is a year, not an ID: a labelled ID has five digits or more
		text = self._sub(LABELLED_ID, "ID", text, group=1, keep=lambda v: sum(c.isdigit() for c in v) < 5)
		text = self._sub(CARD, "ID", text, keep=lambda v: not _is_card(v))
		for pattern in (SSN, NI_NUMBER, AADHAAR, IBAN):
			text = self._sub(pattern, "ID", text)
		text = self._sub(PHONE, "PHONE", text)
		if _PHONE_WORDS.search(text):
			text = _DIGIT_RUN.sub(
				lambda m: (
					self.placeholder("PHONE", m.group(0))
					if sum(c.isdigit() for c in m.group(0)) >= 8
					else m.group(0)
				),
				text,
			)
		text = self._sub(ADDRESS, "ADDRESS", text)
		text = self._sub(POSTCODE, "ADDRESS", text)
		return text

	def _sub(self, pattern: re.Pattern, kind: str, text: str, group: int = 0, keep=None) -> str:
		def replace(match: re.Match) -> str:
			if PLACEHOLDER.fullmatch(match.group(group)) or (keep and keep(match.group(group))):
				return match.group(0)
			if group:
				start, end = match.span(group)
				whole_start = match.start()
				token = self.placeholder(kind, match.group(group))
				return match.group(0)[: start - whole_start] + token + match.group(0)[end - whole_start :]
			return self.placeholder(kind, match.group(0))

		# placeholders already in the text are left alone: split around them
		pieces = PLACEHOLDER.split(text)
		if len(pieces) == 1:
			return pattern.sub(replace, text)
		out, cursor = [], 0
		for match in PLACEHOLDER.finditer(text):
			out.append(pattern.sub(replace, text[cursor : match.start()]))
			out.append(match.group(0))
			cursor = match.end()
		out.append(pattern.sub(replace, text[cursor:]))
		return "".join(out)

	def _redact_names(self, text: str) -> str:
		"""Full names (any case, e.g. "aisha khan") first, longest first; then a single part written as a
		name (capitalised: "Khan" but not "khan" or "hill"). A possessive "'s" stays outside the placeholder."""
		names = self._names
		words = list(_NAME_WORD.finditer(text))
		bare = [_POSSESSIVE.sub("", w.group(0)) for w in words]
		out, cursor, i = [], 0, 0
		while i < len(words):
			found = None
			if bare[i].casefold() in names.starts:
				for n in range(min(names.longest, len(words) - i), 1, -1):
					run = words[i : i + n]
					if any(text[a.end() : b.start()].strip() for a, b in pairwise(run)):
						continue  # only words separated by spaces make one name
					if " ".join(bare[i : i + n]).casefold() in names.full_names:
						found = n
						break
			if found is None and bare[i][:1].isupper() and bare[i].casefold() in names.parts:
				found = 1
			if found is None:
				i += 1
				continue
			last = i + found - 1
			start, end = words[i].start(), words[last].start() + len(bare[last])
			out += [text[cursor:start], self.placeholder("NAME", text[start:end])]
			cursor, i = end, i + found
		out.append(text[cursor:])
		return "".join(out)

	@staticmethod
	def _outside_placeholders(text: str, redact) -> str:
		out, cursor = [], 0
		for match in PLACEHOLDER.finditer(text):
			out += [redact(text[cursor : match.start()]), match.group(0)]
			cursor = match.end()
		out.append(redact(text[cursor:]))
		return "".join(out)

	def redact_messages(self, messages: Sequence[dict]) -> list[dict]:
		"""Copies of chat messages with their text content redacted."""
		redacted = []
		for message in messages:
			copy = dict(message)
			if isinstance(copy.get("content"), str):
				copy["content"] = self.redact(copy["content"])
			redacted.append(copy)
		return redacted

	# --- restoring ------------------------------------------------------------------------------------

	def restore(self, text: str) -> str:
		"""``text`` with the placeholders this redactor made put back (unknown ones are left as they are)."""
		if not text:
			return text or ""

		def put_back(match: re.Match) -> str:
			token = f"[{match.group(1).upper()}_{int(match.group(2))}]"
			return self.mapping.get(token, match.group(0))

		return PLACEHOLDER.sub(put_back, text)

	def leaks(self, text: str) -> list[str]:
		"""The original values of this redactor's placeholders that appear in ``text`` (for tests and checks
		of a payload before it is sent)."""
		folded = (text or "").casefold()
		return [value for value in self.mapping.values() if value.casefold() in folded]


def _is_card(value: str) -> bool:
	digits = re.sub(r"\D", "", value)
	return 13 <= len(digits) <= 19 and _luhn(digits)


class StreamRestorer:
	"""Restores a streamed reply: ``feed`` each delta and get the text that can be shown now; a placeholder
	cut by the stream ("[NAM") is held back until it is complete. ``finish`` returns what is left."""

	def __init__(self, redactor: Redactor):
		self.redactor = redactor
		self._pending = ""

	def feed(self, delta: str) -> str:
		text = self._pending + (delta or "")
		tail = _PARTIAL.search(text)
		if tail and tail.start() >= len(text) - 12:
			self._pending, text = text[tail.start() :], text[: tail.start()]
		else:
			self._pending = ""
		return self.redactor.restore(text)

	def finish(self) -> str:
		text, self._pending = self._pending, ""
		return self.redactor.restore(text)
