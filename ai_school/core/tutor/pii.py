"""Detectors for personal data a student should not share: contact details, addresses, passwords and
PINs, ID, card and account numbers, social handles, a full name with another identifying detail.

A detector needs the *data*, not only the word: "how do I make a strong password", "what is an IP
address", "the Gettysburg Address", "phone number regex" are questions, not disclosures. The patterns
read ``Text.folded`` (lower case, accents folded, slang not expanded, digits untouched).
"""

import re

from ai_school.core.tutor.patterns import Hit

_EXAMPLE_DOMAINS = r"(?:example|domain|email|test|mail|yourdomain|company|school)\.(?:com|org|net)"
EMAIL = re.compile(r"\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")

_PHONE_CONTEXT = re.compile(
	r"\b(?:phone|mobile|cell|cellphone|number|no|num|call|text|txt|ring|whatsapp|whatsap|wa|contact|tel|telephone|digits|reach me|hmu|my line|numero|telefono|movil|celular|portable|handy|handynummer|nummer|telefonnummer|fon|phone no)\b"
)
_PHONE_SHAPES = (
	re.compile(r"(?<![\w.])\+\d{1,3}[\s.-]?\(?\d{1,5}\)?(?:[\s.-]?\d{2,5}){2,4}(?![\w.])"),  # +44 7700 900123
	re.compile(r"(?<![\w.])0\d{3,4}[\s-]?\d{3}[\s-]?\d{3,4}(?![\w.])"),  # 07700 900123, 0161 496 0000
	re.compile(r"(?<![\w.])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w.])"),  # (555) 123-4567
	re.compile(r"(?<![\w.+-])[6-9]\d{9}(?![\w.])"),  # Indian mobile
)
_DIGIT_RUN = re.compile(r"(?<![\w.])\+?\d[\d\s().-]{6,18}\d(?![\w.])")
_MATHS = re.compile(
	r"[=*/^×÷]|\b(?:solve|calculate|simplify|digits of pi|sequence|series|next number|divisible|prime|factor|sum of|product of|round|significant figures|standard form|scientific notation|binary|hex|convert)\b"
)

_STREET = r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|cl|way|court|ct|crescent|cres|place|pl|boulevard|blvd|terrace|grove|gardens|gdns|park|square|sq|hill|row|mews|walk|view|rise|parade|calle|avenida|av|rue|strasse|str|weg|platz|gasse|allee|nagar|marg|colony|sector|chowk|gali)"
ADDRESS = re.compile(
	rf"\b\d{{1,5}}[a-z]?,? (?:[a-z'-]+ ){{1,3}}{_STREET}\b|\b\d{{1,5}},? (?:rue|avenue|boulevard|bd|allee|impasse|chemin|place|calle|avenida|via|plaza|paseo|carrer|strada|viale) (?:[a-z'-]+ ?){{1,4}}|\b(?:calle|avenida|rue|via|avenue de la|avenue du) (?:[a-z'-]+ ){{1,3}}\d{{1,4}}\b|\b[a-z]+(?:strasse|str\.|weg|gasse|allee|platz) \d{{1,4}}[a-z]?\b|\b(?:house|flat|apartment|apt|h\.?no\.?|plot|unit) (?:no\.? ?|number |#)?\d{{1,5}}[a-z]?\b"
)
_FAMOUS_ADDRESS = re.compile(
	r"\b(?:221b baker|10 downing|wall street|sesame street|1600 pennsylvania|abbey road|privet drive|elm street|penny lane|gettysburg)\b"
)
_ADDRESS_CONTEXT = re.compile(
	r"\b(?:i live|we live|i stay|we stay|i'm at|i am at|we are at|we're at|live at|live on|my (?:home |house |full |postal |new )?address|our (?:home |house )?address|address is|my house|our house|my flat|our flat|my apartment|our apartment|my home|come to|come over to|pick me up|find me at|send it to|deliver to|postcode|post code|zip code|zip|vivo en|mi direccion|mi casa|j'habite|mon adresse|ich wohne|meine adresse|mera ghar|mera address|hamara ghar|mera pata)\b"
)
POSTCODE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]? ?\d[abd-hjlnp-uw-z]{2}\b")
_POSTCODE_CONTEXT = re.compile(r"\b(?:postcode|post code|my address|live|house|home|zip)\b")

_SECRET_WORD = r"(?:password|passwords|passcode|passwd|pass word|pw|pwd|pin|pin code|pin number|login|log in|log-in|username and password|user ?name and pass|credentials|contrasena|clave|mot de passe|mdp|passwort|kennwort)"
_SECRET_OWNER = r"(?:my|mine|our|me|mums?|moms?|dads?|mum's|mom's|dad's|my (?:mum|mom|dad|sister|brother|friend|teacher)'?s?|the school|school|wifi|wi-fi|the wifi|email|instagram|insta|snap|snapchat|account|laptop|phone|ipad|computer|steam|roblox|fortnite|discord|google|apple|icloud|netflix|bank|card|mi|ma|mon|mein|meine|mera|meri)"
_NOT_A_SECRET = r"(?:is|was|it's|its)?\s*(?:too|so|very|not|a|an|the|strong|weak|secure|safe|long|short|required|incorrect|wrong|reset|forgotten|forgot|changed|expired|asking|different|same|easy|hard|hashed|encrypted|stored|saved|correct|right|invalid|good|bad|ok|okay|fine|working|broken|for|in|on|of|with|and|or|to|that|this|which|what|how|when|still|always|just|hidden|case|lowercase|uppercase|secret|private|something|numbers?|letters?|characters?|digits?|\?)\b"
SECRET = re.compile(
	rf"\b{_SECRET_OWNER} (?:\w+ )?{_SECRET_WORD}\s*(?:is|=|:|was|it's|its|:-|-|es|est|ist|hai|c'est)?\s*[\"']?(?!{_NOT_A_SECRET})([^\s\"'?]{{3,}})"
)
SECRET_FOR = re.compile(
	rf"\b(?:my|our|mi|mon|mein|meine|mera|meri) (?:\w+ ){{0,2}}(?:password|passcode|pin|login|passwort|contrasena|mot de passe)\b (?:for|on|to|of|in) (?:\w+ ){{1,3}}?(?:is|=|:|was)\s*[\"']?(?!{_NOT_A_SECRET})([^\s\"'?]{{3,}})"
)
CREDENTIAL_PAIR = re.compile(
	r"\b(?:username|user name|user|login|email|id)\s*(?:is|:|=)?\s*[^\s:=]{3,}\s*,?\s+(?:and |& )?(?:password|passwort|contrasena|pw|pass|pwd|pin)\s*(?:is|:|=)?\s*[^\s]{3,}"
)
DOOR_CODE = re.compile(
	r"\b(?:door|gate|alarm|safe|locker|lock|garage|front door|back door|building|entry|entrance|bike lock|padlock|key ?safe|keypad)(?: \w+)? (?:code|pin|combination|combo|passcode|password)\b.{0,30}\d{3,}|\b(?:code|pin|combination|combo|passcode) (?:to|for|of) (?:our|my|the|his|her) (?:\w+ ){0,3}(?:door|gate|alarm|safe|locker|house|flat|building|block|garage|lock)\b.{0,20}\d{3,}"
)
SECRET_LABELLED = re.compile(
	rf"\b(?:{_SECRET_WORD}|username|user name|user|login|email)\s*[:=]\s*[\"']?(?!{_NOT_A_SECRET})[^\s\"']{{3,}}"
)

_ID_WORD = r"(?:student|school|candidate|exam|roll|admission|enrol?ment|enrollment|library|national|social security|ssn|national insurance|ni|nhs|passport|aadhaar|aadhar|adhar|pan|driver'?s? licen[cs]e|driving licen[cs]e|licen[cs]e|id|identity|dni|nie|curp|insee|personalausweis|ausweis|steuer|tax|medical|health|insurance|bank account|account|iban|sort code|card|credit card|debit card|cvv|cvc|visa|mastercard|uci|upn|uln|membership|customer|routing|bsn|sin|tfn|medicare)"
ID_NUMBER = re.compile(
	rf"\b{_ID_WORD}(?: card)?\s*(?:number|no\.?|num|nr|#|id|code|numero|nummer)?\s*(?:is|=|:|-|was|its|it's|es|est|ist|hai)?\s*#?\s*([a-z]{{0,3}}[\s-]?\d[\d\s-]{{3,}}[a-z]?)\b"
)
_OWNED_ID = re.compile(
	rf"\b(?:my|mine|our|his|her|mi|mon|ma|mein|meine|mera|meri|my \w+'?s)\b.{{0,30}}\b{_ID_WORD}\b"
)
SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
NI_NUMBER = re.compile(r"\b[a-ceghj-pr-tw-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[a-d]\b")
AADHAAR = re.compile(r"\b[2-9]\d{3} \d{4} \d{4}\b")
CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
IBAN = re.compile(r"\b[a-z]{2}\d{2} ?(?:[a-z0-9]{4} ?){2,7}[a-z0-9]{1,4}\b")

_PLATFORM = r"(?:snap|snapchat|sc|insta|instagram|ig|tiktok|tt|discord|twitter|psn|xbox|xbox live|gamertag|roblox|fortnite|steam|whatsapp|telegram|kik|wattpad|facebook|fb|epic|twitch|youtube|yt|minecraft|valorant|riot)"
HANDLE = re.compile(
	rf"\b(?:add|follow|dm|message|text|find|hmu|hit me up|friend|friend me|msg|reach|contact|catch|talk to) (?:me )?(?:on|at|@|via|through) {_PLATFORM}\b\s*[:\-@=]?\s*@?([a-z0-9_.#]{{3,}})"
	rf"|\b(?:my|mine|our|his|her|my \w+'s) {_PLATFORM}(?: (?:name|username|user name|handle|user|id|tag|account|gamertag|code|@))?\s*(?:is|:|=|-|its|it's|@)\s*@?([a-z0-9_.#]{{3,}})"
)
_HANDLE_NOT = re.compile(
	r"^(?:down|broken|banned|hacked|blocked|not|so|too|really|addictive|bad|good|boring|private|deleted|gone|the|a|an|for|and|to|because|account|streak|full|empty|new|old|dead|lagging|slow|glitching|public|open|closed|off|on|back|fine|ok|okay|weird|annoying)$"
)
AT_HANDLE = re.compile(r"(?<![\w.])@[a-z0-9_.]{3,}\b")
_AT_HANDLE_CONTEXT = re.compile(
	r"\b(?:add me|follow me|dm me|hmu|message me|my (?:snap|insta|tiktok|discord|account|handle|username|ig)|find me)\b"
)

DOB = re.compile(
	r"\b(?:born on|date of birth|dob|d\.o\.b|birthday is|fecha de nacimiento|ne le|nee le|geboren am)\b.{0,12}\b\d{1,4}[/.\-\s](?:\d{1,2}|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*)[/.\-\s]\d{2,4}\b"
)
FULL_NAME = re.compile(
	r"\b(?:my (?:full |real |whole )?name is|i am called|i'm called|me llamo|je m'appelle|ich heisse|mera naam)\s+[a-z][a-z'-]+ (?!(?:and|i|im|i'm|from|but|or|so|in|at|is|the|a|my|to|he|she|we|they|y|et|und|aur|hai|with|because|also)\b)[a-z][a-z'-]+"
)
_IDENTIFYING_EXTRA = re.compile(
	r"\b(?:in \d{1,2}[a-z]|form \w+|at st\.? \w+|at saint \w+|go to|i'm \d+|i am \d+|im \d+|aged? \d+|primary|secondary|i go to|i attend|my school is|at [a-z]+ (?:school|academy|high|college)|school|academy|high school|i live|years? old|born|birthday|class \w+|year \d+|grade \d+|from [a-z]+|in [a-z]+ (?:city|town)|street|road)\b"
)


def _luhn(digits: str) -> bool:
	total, parity = 0, len(digits) % 2
	for i, ch in enumerate(digits):
		d = int(ch)
		if i % 2 == parity:
			d *= 2
			if d > 9:
				d -= 9
		total += d
	return total % 10 == 0


def _hit(name: str, match: re.Match) -> Hit:
	return Hit(name, False, match.start(), match.end(), match.group(0))


def pii_hits(text: str) -> list[Hit]:
	"""Personal data in ``text`` (``Text.folded``); empty when there is none."""
	hits: list[Hit] = []
	for m in EMAIL.finditer(text):
		if not re.search(rf"@{_EXAMPLE_DOMAINS}\b", m.group(0)) and not re.search(
			r"\b(?:format|example|valid|regex|validate|fake|like)\b", text
		):
			hits.append(_hit("pii.email", m))
			break
	maths = _MATHS.search(text)
	for shape in _PHONE_SHAPES:
		m = shape.search(text)
		if (
			m
			and (not maths or _PHONE_CONTEXT.search(text))
			and not re.search(r"\b(?:regex|format|validate|validation|example)\b", text)
		):
			hits.append(_hit("pii.phone", m))
			break
	else:
		if _PHONE_CONTEXT.search(text) and not maths:
			for m in _DIGIT_RUN.finditer(text):
				if sum(c.isdigit() for c in m.group(0)) >= 8 and re.search(
					r"\b(?:my|me|mine|our|his|her|call|text|ring|whatsapp|mi|mon|meine?|mera)\b", text
				):
					hits.append(_hit("pii.phone", m))
					break
	if not _FAMOUS_ADDRESS.search(text):
		m = ADDRESS.search(text)
		if m and _ADDRESS_CONTEXT.search(text):
			hits.append(_hit("pii.address", m))
		else:
			m = POSTCODE.search(text)
			if m and _POSTCODE_CONTEXT.search(text) and re.search(r"\d", m.group(0)):
				hits.append(_hit("pii.postcode", m))
	m = DOOR_CODE.search(text)
	if m:
		hits.append(_hit("pii.secret", m))
	m = (
		SECRET.search(text)
		or SECRET_FOR.search(text)
		or SECRET_LABELLED.search(text)
		or CREDENTIAL_PAIR.search(text)
	)
	if m and not re.search(
		r"\b(?:how|what|why|should|does|is it|are)\b.{0,30}\b(?:make|create|choose|pick|strong|secure|safe|good|hash|store|encrypt|generate)\b",
		text[: m.start()] or "",
	):
		value = m.group(m.lastindex or 0)
		if re.search(r"[a-z0-9]", value) and not re.fullmatch(r"(?:x+|\*+|1234|abcd|password|pass)", value):
			hits.append(_hit("pii.secret", m))
	m = ID_NUMBER.search(text)
	if m and _OWNED_ID.search(text) and sum(c.isdigit() for c in m.group(1)) >= 4:
		hits.append(_hit("pii.id_number", m))
	for pattern, name in ((SSN, "pii.ssn"), (AADHAAR, "pii.id_number")):
		m = pattern.search(text)
		if m and not maths:
			hits.append(_hit(name, m))
	m = NI_NUMBER.search(text)
	if m and re.search(r"\b(?:national insurance|ni number|ni no|ni)\b", text):
		hits.append(_hit("pii.id_number", m))
	for m in CARD.finditer(text):
		digits = re.sub(r"\D", "", m.group(0))
		if 13 <= len(digits) <= 19 and _luhn(digits) and not maths:
			hits.append(_hit("pii.card", m))
			break
	m = IBAN.search(text)
	if m and re.search(r"\b(?:iban|bank|account)\b", text) and sum(c.isdigit() for c in m.group(0)) >= 8:
		hits.append(_hit("pii.iban", m))
	m = HANDLE.search(text)
	if m and not _HANDLE_NOT.match(m.group(1) or m.group(2) or ""):
		hits.append(_hit("pii.handle", m))
	else:
		m = AT_HANDLE.search(text)
		if m and _AT_HANDLE_CONTEXT.search(text):
			hits.append(_hit("pii.handle", m))
	m = DOB.search(text)
	if m:
		hits.append(_hit("pii.dob", m))
	m = FULL_NAME.search(text)
	if m and _IDENTIFYING_EXTRA.search(text[m.end() :] + " " + text[: m.start()]):
		hits.append(_hit("pii.full_name", m))
	return hits
