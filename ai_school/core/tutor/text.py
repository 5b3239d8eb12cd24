"""Normalising student text before the guard's patterns read it.

Students write "wat r the ans 2 q3 pls", "k1ll", "sooo", "tmrw", accents or none. Patterns are
written against one canonical form: lower case, accents folded, repeated letters squeezed, common
text-speak expanded. A second, harsher form (``leet``) also undoes digit-for-letter spelling and
spaced-out letters; only the unsafe detectors read it, because it would garble maths ("3x" -> "ex").
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

# Whole-token rewrites. Single letters that are also maths variables (r, y, q, x, u in physics is
# rare but "u" = initial velocity) are only expanded in combinations below, never alone, except "u"
# next to a verb-like word ("can u", "u know").
_SLANG = {
	"pls": "please",
	"plz": "please",
	"plss": "please",
	"plzz": "please",
	"pleasee": "please",
	"pleaseee": "please",
	"thx": "thanks",
	"thnx": "thanks",
	"ty": "thank you",
	"wat": "what",
	"wut": "what",
	"wht": "what",
	"whta": "what",
	"waht": "what",
	"wats": "what is",
	"whats": "what is",
	"wots": "what is",
	"wot": "what",
	"hw": "homework",
	"hwk": "homework",
	"homewrk": "homework",
	"hmwk": "homework",
	"ans": "answer",
	"anss": "answers",
	"answr": "answer",
	"answrs": "answers",
	"awnser": "answer",
	"awnsers": "answers",
	"anwser": "answer",
	"anwsers": "answers",
	"answes": "answers",
	"qs": "questions",
	"qns": "questions",
	"ques": "question",
	"qn": "question",
	"qus": "questions",
	"bc": "because",
	"bcoz": "because",
	"bcz": "because",
	"cuz": "because",
	"coz": "because",
	"cus": "because",
	"tmrw": "tomorrow",
	"tmr": "tomorrow",
	"tmrow": "tomorrow",
	"tmrrw": "tomorrow",
	"tomoz": "tomorrow",
	"2moro": "tomorrow",
	"2morrow": "tomorrow",
	"tomorow": "tomorrow",
	"tommorow": "tomorrow",
	"tommorrow": "tomorrow",
	"2day": "today",
	"2nite": "tonight",
	"tonite": "tonight",
	"rn": "right now",
	"atm": "right now",
	"abt": "about",
	"ppl": "people",
	"smth": "something",
	"sth": "something",
	"somthing": "something",
	"im": "i am",
	"iam": "i am",
	"ive": "i have",
	"dont": "do not",
	"doesnt": "does not",
	"didnt": "did not",
	"cant": "can not",
	"cannot": "can not",
	"wont": "will not",
	"wouldnt": "would not",
	"shouldnt": "should not",
	"isnt": "is not",
	"arent": "are not",
	"wasnt": "was not",
	"havent": "have not",
	"hasnt": "has not",
	"aint": "is not",
	"idk": "i do not know",
	"idc": "i do not care",
	"dunno": "do not know",
	"wanna": "want to",
	"wana": "want to",
	"gonna": "going to",
	"gona": "going to",
	"gunna": "going to",
	"finna": "going to",
	"imma": "i am going to",
	"ima": "i am going to",
	"gotta": "got to",
	"gimme": "give me",
	"gimmie": "give me",
	"lemme": "let me",
	"tryna": "trying to",
	"kinda": "kind of",
	"sorta": "sort of",
	"ya": "you",
	"yu": "you",
	"yoo": "you",
	"ur": "your",
	"urself": "yourself",
	"yourslef": "yourself",
	"thru": "through",
	"tho": "though",
	"bout": "about",
	"cud": "could",
	"cld": "could",
	"wud": "would",
	"shud": "should",
	"becuase": "because",
	"becasue": "because",
	"plese": "please",
	"pleas": "please",
	"explian": "explain",
	"expain": "explain",
	"explane": "explain",
	"explan": "explain",
	"undrstand": "understand",
	"understnad": "understand",
	"udnerstand": "understand",
	"kms": "kill myself",
	"kys": "kill yourself",
	"unalive": "kill",
	"unalived": "killed",
	"unaliving": "killing",
	"sewerslide": "suicide",
	"suicde": "suicide",
	"sucide": "suicide",
	"suicid": "suicide",
	"sucidal": "suicidal",
	"suicdal": "suicidal",
	"selfharm": "self harm",
	"slef": "self",
	"myslef": "myself",
	"mysef": "myself",
	"myselff": "myself",
	"mself": "myself",
	"meself": "myself",
	"mysel": "myself",
	"passwrd": "password",
	"pasword": "password",
	"passw": "password",
	"pwd": "password",
	"pw": "password",
	"pword": "password",
	"num": "number",
	"no.": "number",
	"nr": "number",
	"teachr": "teacher",
	"techer": "teacher",
	"teecher": "teacher",
	"exm": "exam",
	"examm": "exam",
	"tst": "test",
	"quizz": "quiz",
	"essey": "essay",
	"esay": "essay",
	"assigment": "assignment",
	"assignmnt": "assignment",
	"asignment": "assignment",
	"wrk": "work",
	"giv": "give",
	"tel": "tell",
	"da": "the",
	"teh": "the",
	"hte": "the",
	"gf": "girlfriend",
	"bf": "boyfriend",
	"b4": "before",
	"l8r": "later",
	"gr8": "great",
}

# multi-word text-speak: applied before the single tokens
_PHRASES = (
	(r"\br\s+u\b", "are you"),
	(r"\bu\s+r\b", "you are"),
	(r"\bur\s+a\b", "you are a"),
	(r"\b(what|how|who|where|why|when|which|were|wat|wut)\s+r\b", r"\1 are"),
	(r"\bu\b", "you"),
	(r"(^|[.?!] )y\s+(?=(?:does|do|did|are|was|were|would|should|can|cant|not)\b)", r"\1why "),
	(
		r"\bill\s+(?=(?:kill|hurt|stab|shoot|do|be|give|tell|get|make|try|just|never|go|send|beat|punch|find|end|jump|show|come|cut|burn|poison|murder|fail|die)\b)",
		"i will ",
	),
	(
		r"\b(how|want|need|going|have|has|got|answer|answers|ans|way|trying|like|due|able|wants|needs|me|you|back|go|talk)\s+2\s+(?=[a-z])",
		r"\1 to ",
	),
	(r"\b(answers?|ans|this|it|that|homework|essay|me|questions?)\s+4\s+(?=[a-z])", r"\1 for "),
	(r"\bw/\s*", "with "),
	(r"\bi\s*'\s*m\b", "i am"),
	(r"\bcan\s*'\s*t\b", "can not"),
	(r"\bwon\s*'\s*t\b", "will not"),
	(r"\bshan\s*'\s*t\b", "shall not"),
	(r"\bain\s*'\s*t\b", "is not"),
	(r"\b(\w+)n\s*'\s*t\b", r"\1 not"),
	(r"\bcan\s+not\b", "can not"),
	(r"\bi\s*'\s*ll\b", "i will"),
	(r"\b(he|she|they|you|we|it|that)\s*'\s*ll\b", r"\1 will"),
	(r"\bi\s*'\s*d\b", "i would"),
	(r"\bi\s*'\s*ve\b", "i have"),
	(r"\b(you|we|they)\s*'\s*re\b", r"\1 are"),
	(r"\b(he|she|it|that|what|who|there|where|how)\s*'\s*s\b", r"\1 is"),
	(r"\blet\s*'\s*s\b", "let us"),
)
_PHRASE_RES = tuple((re.compile(p), r) for p, r in _PHRASES)

_LEET = str.maketrans(
	{"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_TOKEN = re.compile(r"\S+")
_SQUEEZE = re.compile(r"([a-z])\1{2,}")
_SPACED = re.compile(r"\b(?:[a-z][ .\-*_]){3,}[a-z]\b")
_INNER_PUNCT = re.compile(r"(?<=[a-z])[.*\-_](?=[a-z])")
_QUOTES = str.maketrans(
	{
		"‘": "'",
		"’": "'",
		"‛": "'",
		"`": "'",
		"´": "'",
		"“": '"',
		"”": '"',
		"„": '"',
		"–": "-",
		"—": "-",
		"‐": "-",
		"−": "-",
		"×": "x",
		"÷": "/",
	}
)


def fold(text: str) -> str:
	"""Lower case, accents removed, typographic quotes and dashes made plain."""
	text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
	decomposed = unicodedata.normalize("NFKD", text.casefold())
	text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
	return text.replace("ß", "ss")


def _expand(text: str) -> str:
	for pattern, replacement in _PHRASE_RES:
		text = pattern.sub(replacement, text)
	out = []
	for token in _TOKEN.findall(text):
		core = token.strip(".,!?;:()[]{}\"'")
		if core in _SLANG:
			token = token.replace(core, _SLANG[core], 1)
		out.append(token)
	return " ".join(out)


def canonical(text: str) -> str:
	"""The form every pattern reads: folded, letters squeezed to at most two, slang expanded."""
	text = _SQUEEZE.sub(r"\1\1", fold(text))
	text = re.sub(r"\s+", " ", text).strip()
	return _expand(text)


def _deleet_token(token: str) -> str:
	letters = sum(ch.isalpha() for ch in token)
	digits_or_signs = sum(ch in "013457@$!" for ch in token)
	if letters >= 2 and digits_or_signs and not re.fullmatch(r"[\d.,]+[a-z]{1,3}", token):
		core = token.rstrip("!?.,")
		return core.translate(_LEET) + token[len(core) :]
	return token


def leet(text: str) -> str:
	"""A harsher form for the unsafe detectors: leetspeak undone, spaced-out words joined."""
	text = _SQUEEZE.sub(r"\1\1", fold(text))
	text = " ".join(_deleet_token(t) for t in text.split())
	text = _SPACED.sub(lambda m: re.sub(r"[ .\-*_]", "", m.group(0)), text)
	text = _INNER_PUNCT.sub("", text)
	text = re.sub(r"\s+", " ", text).strip()
	return _expand(text)


@dataclass(frozen=True)
class Text:
	"""One message in the forms the detectors need, computed once."""

	raw: str

	@cached_property
	def folded(self) -> str:
		return re.sub(r"\s+", " ", fold(self.raw)).strip()

	@cached_property
	def canon(self) -> str:
		return canonical(self.raw)

	@cached_property
	def leet(self) -> str:
		return leet(self.raw)

	@cached_property
	def words(self) -> list[str]:
		return re.findall(r"[a-z0-9']+", self.canon)
