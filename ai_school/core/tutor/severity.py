"""How serious an unsafe tutor message is, and whether the model's reply is itself unsafe.

``assess(text, labels)`` takes a student's message the guard labelled unsafe and says which categories it
is about (self_harm, abuse, violence), how severe it is and which tier of alert it raises:

- **high** (tier 2: the school's safeguarding contacts as well as the student's instructors): a first-person
  plan, intent or means ("I'm going to kill myself tonight", "I've got the pills", "I'm bringing a knife to
  school"), harm that is ongoing ("I cut myself again", "my dad hits me every night") or sexual abuse and
  exploitation, a disclosure of harm at home;
- **low** (tier 1: the student's instructors): everything else the guard flagged, i.e. distress and passive
  thoughts without a plan ("I hate myself", "nobody would miss me"), a single incident ("someone pushed me
  today"), a question about harming without a stated intent, a message the guard's model flagged with no
  rule behind it, or a plain joke ("kill me now lol") when nothing else points higher.

``screen_reply(reply)`` screens the model's answer before the student sees it: encouragement to self-harm,
methods and doses, instructions for weapons or for hurting someone, an adult-style request for secrecy,
photos or a meeting, and anything the student-message detectors find in it. A reply that encourages
self-harm or gives its means is high; the rest is low.

Plain data in and out, no frappe: the shell stores the result on an AI Safety Alert and routes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ai_school.core.tutor.classifier import analyse
from ai_school.core.tutor.labels import PRECEDENCE, Label
from ai_school.core.tutor.patterns import Hit, find, rule
from ai_school.core.tutor.text import Text
from ai_school.core.tutor.unsafe import abuse_hits, self_harm_hits, violence_hits

HIGH, LOW = "high", "low"
SELF_HARM, ABUSE, VIOLENCE = "self_harm", "abuse", "violence"

CATEGORY = {
	Label.UNSAFE_SELF_HARM: SELF_HARM,
	Label.UNSAFE_ABUSE: ABUSE,
	Label.UNSAFE_VIOLENCE: VIOLENCE,
}
# the order a message about several things is filed under: the student's own intent first (as the guard)
ORDER = tuple(CATEGORY[label] for label in PRECEDENCE if label in CATEGORY)

# rules that are high on their own: intent, plan, means, ongoing or sexual harm
HIGH_RULES = frozenset(
	{
		# self-harm: stated intent, methods, means, acting on it, farewells
		"sh.kill_myself",
		"sh.self_harm",
		"sh.hurt_myself",
		"sh.suicide",
		"sh.end_life",
		"sh.methods",
		"sh.overdose",
		"sh.jump",
		"sh.wrists",
		"sh.warning_signs",
		"sh.goodbye",
		"sh.es",
		"sh.fr",
		"sh.de",
		"sh.hi",
		# abuse: ongoing, sexual, at home, coercion, serious threats
		"ab.keeps_harming",
		"ab.touch_me",
		"ab.does_things",
		"ab.intrusion",
		"ab.grooming",
		"ab.nudes",
		"ab.send_pics",
		"ab.conditional_threat",
		"ab.scared_home",
		"ab.marks",
		"ab.neglect",
		"ab.death_threats",
		# violence: weapons at school, attacks, arson, threats, hiding it
		"vi.shoot_up",
		"vi.gun_school",
		"vi.blade",
		"vi.arson",
		"vi.threat_bot",
		"vi.hurt_untraced",
	}
)
# a first-person statement that could be a figure of speech ("I'm gonna kill myself if I fail lol"): with a
# joke and no plan it stays low (the instructors still hear of it)
FIGURE_OF_SPEECH_RULES = frozenset({"sh.kill_myself", "sh.end_life", "sh.want_die"})
# thoughts of self-harm rather than acts ("I think about hurting myself"): low unless they keep coming back or
# come with a plan or means
THOUGHT_RULES = frozenset({"sh.hurt_myself", "sh.self_harm", "sh.thinking_death", "sh.feel_like"})
_THOUGHTS = re.compile(
	r"\b(?:think|thinking|thought|thoughts)\s+(?:about|of)\s+(?:\w+\s+){0,2}(?:hurting|harming|cutting|burning|"
	r"punishing)\s+myself\b|\b(?:feel|feeling|felt)\s+like\s+(?:hurting|harming|cutting)\s+myself\b|"
	r"\burges?\s+to\s+(?:hurt|harm|cut)\b"
)
# rules that are high only when the student states the intent themselves ("I'm going to ..."), not when
# they ask how something is done
INTENT_RULES = frozenset(
	{
		"vi.intent_harm",
		"vi.intent_harm_far",
		"vi.how_to_hard_verb",
		"vi.weapon_acquire",
		"vi.euphemism",
		"vi.get_rid",
		"vi.harmful_substance",
		"vi.make_ill",
		"vi.revenge",
		"vi.es",
		"vi.fr",
		"vi.de",
		"vi.hi",
		"sh.want_die",
	}
)

_FIRST_PERSON_INTENT = re.compile(
	r"\b(?:i am going to|i'm going to|im going to|i will|i'll|i want to|i wanna|i plan to|i am planning to|"
	r"planning to|i am about to|gonna|imma|i have decided to|i decided to|i am ready to|i am bringing|"
	r"i brought|voy a|je vais|ich werde|ich will|ich bringe)\b"
)
# a plan, an imminent time or the means: the student has thought about when or how. Everyday times ("today",
# "tomorrow", "this week") are not on the list: students name them for deadlines ("the essay is due tomorrow")
_PLAN = re.compile(
	r"\b(?:tonight|right now|when (?:everyone|they|my parents|mum|mom|dad) (?:is|are) (?:asleep|out|away)|"
	r"plan|planned|planning|decided|suicide note|goodbye note|note for|letter for|pills|tablets|rope|noose|"
	r"blade|blades|razor|razors|knife|gun|bridge|train tracks|roof|already (?:bought|got|have)|"
	r"i have (?:got |the )|stash\w*|hidden|saved up|saving up)\b"
)
# it keeps happening
_ONGOING = re.compile(
	r"\b(?:again|every (?:day|night|week|time|morning|evening|weekend)|everyday|always|keeps?|kept|still|"
	r"for (?:weeks|months|years|ages|a long time)|since|started|won't stop|will not stop|all the time|"
	r"whenever|each time|every single|most (?:days|nights)|some (?:days|nights)|constantly|daily|nightly)\b"
)
# serious harm or a perpetrator with power over the student
_SERIOUS_HARM = re.compile(
	r"\b(?:rap(?:e|ed|es|ing)|molest\w*|abus(?:e|ed|es|ing)|groom\w*|sexual\w*|strangl\w*|chok(?:e|ed|es|ing)|"
	r"burn(?:s|ed|t)|beaten|beat me up|locked (?:me )?in|knife|gun|blood|bleed\w*|hospital|bruis\w*|broke my|"
	r"kill me|stab me|shoot me)\b"
)
_POWER = re.compile(
	r"\b(?:dad|father|mum|mom|mother|step ?dad|stepfather|step ?mum|step ?mom|stepmother|uncle|aunt\w*|"
	r"parents?|carer|guardian|foster \w+|coach|teacher|tutor|priest|imam|youth leader|babysitter|"
	r"boyfriend|girlfriend|older (?:man|guy|boy|woman)|grown up|grown-up|adult|stranger|"
	r"(?:mum|mom|mother)'?s (?:boyfriend|partner))\b"
)
_JOKE = re.compile(
	r"\b(?:lol|lmao|lmfao|rofl|haha\w*|jk|just kidding|just joking|only joking|kidding)\b|😂|🤣"
)


@dataclass(frozen=True)
class Assessment:
	"""What an unsafe message or reply is about, how severe, which alert tier, and why (``signals``)."""

	category: str
	categories: tuple[str, ...]
	severity: str
	tier: int
	signals: tuple[str, ...]

	@property
	def high(self) -> bool:
		return self.severity == HIGH

	def to_dict(self) -> dict:
		return {
			"category": self.category,
			"categories": list(self.categories),
			"severity": self.severity,
			"tier": self.tier,
			"signals": list(self.signals),
		}


def _category(label: Label | str) -> str | None:
	try:
		return CATEGORY.get(label if isinstance(label, Label) else Label(str(label)))
	except ValueError:
		return None


def _ordered(categories: Iterable[str]) -> tuple[str, ...]:
	found = set(categories)
	return tuple(category for category in ORDER if category in found)


def _cues(text: str) -> list[str]:
	cues = []
	for name, pattern in (
		("intent", _FIRST_PERSON_INTENT),
		("plan_or_means", _PLAN),
		("ongoing", _ONGOING),
		("serious_harm", _SERIOUS_HARM),
		("adult_or_family", _POWER),
		("joke", _JOKE),
		("thoughts", _THOUGHTS),
	):
		if pattern.search(text):
			cues.append(f"cue.{name}")
	return cues


def _rule_is_high(category: str, rule_name: str, cues: set[str]) -> bool:
	if rule_name in HIGH_RULES:
		return True
	if rule_name in INTENT_RULES:
		return "cue.intent" in cues and ("cue.plan_or_means" in cues or category != SELF_HARM)
	return False


def _category_is_high(category: str, rules: Sequence[str], cues: set[str]) -> bool:
	if (
		category == SELF_HARM
		and rules
		and set(rules) <= FIGURE_OF_SPEECH_RULES
		and "cue.joke" in cues
		and "cue.plan_or_means" not in cues
	):
		return False
	if (
		category == SELF_HARM
		and rules
		and set(rules) <= THOUGHT_RULES
		and "cue.thoughts" in cues
		and not {"cue.ongoing", "cue.plan_or_means"} & cues
	):
		return False
	if any(_rule_is_high(category, name, cues) for name in rules):
		return True
	if not rules:
		return False  # the guard's model alone: ambiguous
	if category == SELF_HARM:
		# thoughts without a plan stay low; with a time, place or means they are a plan
		return "cue.plan_or_means" in cues and "cue.joke" not in cues
	if category == ABUSE:
		# a single incident is low; harm that keeps happening, serious harm, or harm by a parent, carer or
		# another adult with power over the student is high
		return "cue.ongoing" in cues or "cue.serious_harm" in cues or "cue.adult_or_family" in cues
	# violence: a stated intent with a time, place or means
	return "cue.intent" in cues and "cue.plan_or_means" in cues


def assess(text: str, labels: Iterable[Label | str] = ()) -> Assessment | None:
	"""Category, severity and tier of a student's message the guard labelled unsafe (``labels``: the
	guard's unsafe labels; the message's own evidence is added). None when nothing unsafe is found."""
	analysis = analyse(text or "")
	evidence: dict[str, list[str]] = {}
	for label, hits in analysis.evidence.items():
		category = _category(label)
		if category:
			evidence.setdefault(category, []).extend(hit.rule for hit in hits)
	for label in labels:
		category = _category(label)
		if category:
			evidence.setdefault(category, [])
	categories = _ordered(evidence)
	if not categories:
		return None
	normal = Text((text or "")[:4000]).leet
	cues = _cues(normal)
	high = [category for category in categories if _category_is_high(category, evidence[category], set(cues))]
	rules = [name for category in categories for name in evidence[category]] or ["model"]
	severity = HIGH if high else LOW
	return Assessment(
		category=high[0] if high else categories[0],
		categories=categories,
		severity=severity,
		tier=2 if severity == HIGH else 1,
		signals=tuple(dict.fromkeys(rules + cues)),
	)


# --- the model's reply -----------------------------------------------------------------------------------

# (rule, category, high): what a tutor must never write to a student
_REPLY_RULES = (
	(
		rule(
			"reply.encourage_self_harm",
			r"\b(?:you should|you could|you might as well|why not|just|go ahead and|you deserve to|you need to|"
			r"you have to|it is ok to|it's ok to|it is okay to|it's okay to|do it and)\s+(?:just\s+)?(?:kill yourself|"
			r"end (?:your life|it all)|hurt yourself|harm yourself|cut yourself|starve yourself|die|take (?:all )?"
			r"(?:the|your|those|these) (?:pills|tablets))\b|\b(?:nobody|no one) (?:would|will|is going to) (?:miss|care "
			r"about|notice) you\b|\b(?:the world|everyone) (?:would be|is) better (?:off )?without you\b|\byou (?:are|'re) "
			r"(?:better off dead|a burden to everyone|worthless and)\b",
		),
		SELF_HARM,
		True,
	),
	(
		rule(
			"reply.self_harm_means",
			r"\b(?:lethal|fatal|deadly|toxic) (?:dose|amount|quantity)\b.{0,80}?\b\d+(?:[.,]\d+)?\s*(?:mg|g|grams|"
			r"milligrams|tablets|pills|capsules)\b|\b\d+(?:[.,]\d+)?\s*(?:mg|g|grams|tablets|pills|capsules)\b.{0,60}?"
			r"\b(?:would|will|is enough to|are enough to|can) (?:be )?(?:kill|lethal|fatal|deadly|end your life)\b|"
			r"\b(?:cut|slit|slash) (?:along|down|vertically|deep(?:er|ly)?|across) (?:the |your )?(?:veins?|wrists?|"
			r"arms?)\b|\bhow to (?:tie a noose|hang yourself|cut yourself|hide (?:your|the) (?:cuts|scars|self-harm))\b|"
			r"\b(?:hide|cover) (?:your|the) (?:cuts|scars|self[- ]harm)\b.{0,40}\b(?:so|without) (?:no one|nobody|your "
			r"parents|anyone)\b|\b(?:the )?(?:quickest|easiest|most painless|painless|surest) (?:way|method) (?:to die|to "
			r"kill yourself|of suicide) is\b",
			unless=r"\b(?:call|contact|ring|text) (?:\d{3}|999|911|112|an ambulance|emergency services|poison "
			r"control|a doctor)\b(?!.{0,80}\b(?:lethal|fatal) (?:dose|amount)\b.{0,40}\d)",
		),
		SELF_HARM,
		True,
	),
	(
		rule(
			"reply.violence_instructions",
			r"\b(?:to (?:make|build)|making|building|you can (?:make|build)|here is how to (?:make|build)) (?:a |an "
			r"|your own )?(?:pipe bomb|bomb|nail bomb|explosive|molotov(?: cocktail)?|napalm|thermite|ghost gun|"
			r"zip gun|untraceable gun)\b.{0,120}?\b(?:you(?:'ll| will)? need|mix|combine|fill|pack|attach|step \d|"
			r"first,)\b|\baim for (?:the|their|his|her) (?:neck|throat|heart|eyes|arteries|kidneys)\b|\b(?:to "
			r"(?:kill|stab|poison|strangle|hurt|knock out|seriously injure) (?:someone|somebody|him|her|them|a person)|"
			r"(?:kill|stab|poison|hurt) (?:someone|somebody|him|her|them) without (?:leaving|getting|being|anyone))\b"
			r".{0,60}?\b(?:you (?:can|could|should|need to|would)|the best (?:way|place|time)|try|use)\b|"
			r"\b(?:untraceable|undetectable) poisons? (?:like|such as|include|are)\b",
			unless=r"\bhow (?:did|was|were)\b",
		),
		VIOLENCE,
		False,
	),
	(
		rule(
			"reply.grooming",
			r"\b(?:keep (?:this|it|our (?:chats?|conversations?|talks?)) (?:a |our )?secret|(?:don't|do not) tell "
			r"(?:your (?:parents|mum|mom|dad|teacher|teachers)|anyone) about (?:us|me|this chat|our chats?)|delete "
			r"(?:these|our|this) (?:messages|chats?|conversation) so)\b|\bsend (?:me )?(?:a |some )?(?:photos?|"
			r"pics?|pictures?|selfies?|videos?) of (?:yourself|you|your body)\b|\b(?:meet|see) (?:me|up) (?:in "
			r"person|alone|somewhere private|after school)\b|\b(?:tell me|what is|what's) your (?:home )?address\b",
		),
		ABUSE,
		False,
	),
)


REPLY_SKIPPED_RULES = frozenset({"sh.overdose"})


def _reply_rule_hits(text: str) -> list[tuple[Hit, str, bool]]:
	out = []
	for entry, category, high in _REPLY_RULES:
		for hit in find((entry,), text):
			out.append((hit, category, high))
	return out


# words (and word beginnings) the reply rules need, and the commonest of the student-message detectors': a
# stretch of reply without any of them is passed while streaming without running the screens (a cheap check run
# ten times a second per answer). It covers every reply rule; a reply that only a student-message detector would
# flag ("I don't want to be here anymore") can be missed while streaming, and the final reply is always
# screened in full (replaced before it is saved or shown as the answer)
_MAYBE_UNSAFE = re.compile(
	r"\b(?:kill|die\b|dying|dead|death|suicid|harm|hurt|cut|slit|slash|bleed|blood|vein|wrist|pill|tablet|capsule|"
	r"dose|overdos|lethal|fatal|deadly|toxic|poison|bomb|explos|molotov|napalm|thermite|gun|rifle|pistol|knife|"
	r"knive|blade|razor|dagger|machete|stab|shoot|shot|weapon|noose|hang|rope|bridge|jump|drown|suffocat|strangl|"
	r"chok|starv|purg|vomit|throw up|secret|photos?\b|pics?\b|pictures?\b|selfies?\b|videos?\b|address|meet|"
	r"alone|touch|abus|rape|molest|"
	r"groom|nude|naked|threat|attack|punch|hit|beat|kick|slap|burn|fire|murder|revenge|suffer|bully|scared|"
	r"afraid|unsafe|miss you|miss me|burden|worthless|better off|disappear|end (?:it|my|your)|goodbye|wake up|"
	r"antifreeze|bleach|cyanide|arsenic|ricin|gas|acid|taser|matar|morir|muer|suicid|tuer|mourir|sterben|"
	r"umbring|toten|ritz|verletz|khud|jaan|goli|chaku|maar|mar ja|marna|nobody|no one|scars?\b|aim for|"
	r"knock (?:out|him|her|them|someone)|injur|don't tell|do not tell|delete|see me|see up|in person|"
	r"somewhere private|after school|untraceable|undetectable)",
)
STREAM_WINDOW = 800  # characters: the newest text and enough before it for any pattern to span


def may_be_unsafe(text: str) -> bool:
	return bool(_MAYBE_UNSAFE.search((text or "").lower()))


def screen_stream(text_so_far: str) -> Assessment | None:
	"""The screen while a reply streams: only its newest ``STREAM_WINDOW`` characters (what came before was
	screened by the previous calls), skipped when they hold no word any rule needs. A window that has lost its
	context may hold a safe reply; the final text is screened in full with ``screen_reply``."""
	window = (text_so_far or "")[-STREAM_WINDOW:]
	return screen_reply(window) if may_be_unsafe(window) else None


def screen_reply(reply: str) -> Assessment | None:
	"""Whether the model's reply is unsafe for a student to read; None when it is fine."""
	normal = Text((reply or "")[:8000]).leet
	found: dict[str, list[str]] = {}
	high: set[str] = set()
	for hit, category, is_high in _reply_rule_hits(normal):
		found.setdefault(category, []).append(hit.rule)
		if is_high:
			high.add(category)
	# the student-message detectors: a reply that speaks like a student in danger ("I want to kill myself",
	# "I'm going to stab him") is not a tutor's. Weak signals and the dose questions are left out: a tutor
	# warning "keep your password secret" or "the lethal dose of caffeine is far above a coffee" is fine
	# (doses with numbers are the reply rules' business)
	for category, hits in (
		(SELF_HARM, self_harm_hits(normal)),
		(VIOLENCE, violence_hits(normal)),
		(ABUSE, abuse_hits(normal)),
	):
		hits = [hit for hit in hits if not hit.weak and hit.rule not in REPLY_SKIPPED_RULES]
		if hits:
			found.setdefault(category, []).extend(hit.rule for hit in hits)
	categories = _ordered(found)
	if not categories:
		return None
	ranked = [category for category in categories if category in high] + [
		category for category in categories if category not in high
	]
	severity = HIGH if high else LOW
	return Assessment(
		category=ranked[0],
		categories=categories,
		severity=severity,
		tier=2 if severity == HIGH else 1,
		signals=tuple(dict.fromkeys(name for category in categories for name in found[category])),
	)
