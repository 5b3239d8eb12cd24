"""Concept tags for the learned model: words that mean the same thing for the guard, across English,
Spanish, French, German and transliterated Hindi, collapse into one tag ("morir", "mourir", "sterben",
"marna" and "die" are all DEATH). Tags and their pairs (DEATH+SELF, HARM+FAMILY, WEAPON+VIOLENT) let a
model trained on a few hundred messages recognise phrasings it has not seen.
"""

import re

_CONCEPTS = {
	"DEATH": r"die|dies|died|dying|dead|death|deaths|mar jaane|marne|suicide|suicidal|kill myself|killing myself|end my life|end it all|ending it|end things|not be here|not here anymore|was not here|wasnt here|disappear\w*|never (?:been )?born|not wake up|never wake up|unalive|overdose|morir|morirme|muerte|matarme|suicid\w*|quitarme la vida|mourir|mort|me tuer|en finir|sterben|tot|tod|umbringen|umzubringen|selbstmord|marna|mar jaana|mar jau\w*|maut|khudkushi|aatmahatya|khatam|jeena nahi",
	"DISTRESS": r"sad|sadness|crying|cry|cried|depressed|depression|anxious|anxiety|pain|painful|suffer\w*|deserve\w*|jump|jumping|bridge|roof|rooftop|tracks|pills|blood|bleed\w*|scars?|bruis\w*|hurt\w*|hate|alone|lonely|scared|afraid|unsafe|worthless|useless|exhausted|give up|anymore|any more|goodbye|gone|vanish\w*|kill\w*|die|dead|revenge|furious|rage|teach (?:him|her|them) a lesson|make (?:him|her|them) pay|to myself|on myself|mar jaane|marne|mar jaun|dard|dukhi|rona|triste|llorar|dolor|douleur|pleurer|traurig|weinen|schmerz|aufwachen|despertar|reveiller|stop breathing|niemandem|nadie|personne ne|kisi ko mat|gueule|paliza|tabass\w*|defonc\w*|fasst|anfass\w*|toca|touche|chhu\w*",
	"SELF": r"myself|my self|me|my|i|im|i am|i have|mi|moi|je|j|mich|mir|ich|mujhe|main|mera|meri|khud|apne aap|apni",
	"SELF_HARM_ACT": r"cut|cutting|cuts|hurting myself|harming myself|hurt yourself|burn myself|burning myself|eating|eat|meals|thinner|skinny|weight|scratch\w*|bleed\w*|blood|pills|tablets|paracetamol|painkillers|sleeping pills|noose|hang|jump off|throw up|starv\w*|not eating|skip\w* meals|purg\w*|wrists?|thighs?|self harm\w*|hurt myself|harm myself|hacerme dano|cortarme|me faire du mal|me couper|ritzen|verletzen|kaat",
	"HOPELESS": r"pointless|worthless|hopeless|burden|empty|numb|alone|lonely|nobody|no one|noone|tired of|had enough|give up|giving up|no point|better without|better off|cannot go on|can not go on|cant go on|no reason|hate myself|hate my life|done with|sin sentido|nadie|personne|niemand|koi nahi|bekaar",
	"VIOLENT": r"hit|hits|hitting|beat|beats|beating|push\w*|shov\w*|grab\w*|drag\w*|throw\w* things|threw|lock\w* (?:me|out|in)|fire|flames?|pass out|knock\w* out|hurt|hurts|hurting|violent|violence|pay for|revenge|punch\w*|kick\w*|slap\w*|stab\w*|shoot|shooting|shot|kill|kills|killing|murder\w*|strangl\w*|chok\w*|attack\w*|fight\w*|smash\w*|jump him|jump her|jump them|shank\w*|batter\w*|break his|break her|bleed|hurt him|hurt her|hurt them|hurt someone|hurt people|set fire|burn down|pegar\w*|golpe\w*|matar\w*|apunal\w*|frapp\w*|tuer|poignard\w*|tabass\w*|schlag\w*|schlagt|toten|verprugel\w*|erstech\w*|umbring\w*|maar\w*|mar dunga|peet\w*|goli",
	"WEAPON": r"knife|knives|blade|gun|guns|pistol|rifle|airsoft|bb gun|bomb|bombs|explosive\w*|weapon\w*|poison\w*|bat|brick|hammer|molotov|taser|flamethrower|acid|bleach|cuchillo|navaja|pistola|bomba|arma|armas|veneno|couteau|pistolet|bombe|arme|messer|waffe|pistole|gift|chaku|chaaku|bandook|banduk|katta|zeher|zehar",
	"OTHERS": r"him|her|them|he|she|they|someone|somebody|people|everyone|kid|kids|boy|boys|girl|girls|guy|teacher|brother|sister|classmate\w*|bully|bullies|ex|lo|la|le|les|ihn|sie|usko|use|unko",
	"FAMILY_ADULT": r"dad|father|mum|mom|mam|mother|mummy|daddy|papa|parents?|step ?dad|step ?mum|step ?mom|stepfather|stepmother|step ?brother|uncle|aunt\w*|grand\w+|cousin|boyfriend|girlfriend|partner|coach|teacher|man|men|guy|adult|older|carer|babysitter|neighbou?r|padre|madre|padrastro|madrastra|hermano|tio|pere|mere|beau-pere|oncle|vater|mutter|stiefvater|onkel|bruder|chacha|mama|mummy|bhai|bhaiya",
	"SECRECY": r"secret|not tell|do not tell|dont tell|never tell|if i tell|keep it quiet|no digas|ne dis pas|nicht sagen|mat batana|kisi ko mat",
	"SEXUAL": r"his flat|his place|his house|come over|meet up|meet me|loves me|video call|facetime|alone with|touch\w*|nudes?|naked|pics|photos|pictures|body|kiss\w*|undress\w*|top off|without my top|underwear|bed|room at night|desnud\w*|nue|nackt|beruhr\w*|galat harkat",
	"THREAT": r"droht\w*|threat\w*|said (?:he|she|they) would|said (?:he|she|they) will|will get me|going to get me|leak|blackmail\w*|expose|or else|amenaz\w*|menac\w*|bedroh\w*|dhamki",
	"FEAR": r"scared|afraid|terrified|frightened|unsafe|not safe|do not feel safe|miedo|peur|angst|darr|dar lagta",
	"RULES": r"instructions?|rules?|prompt|system|mode|restrictions?|filters?|guidelines|programming|configuration|settings|instrucciones|reglas|regles|consignes|anweisungen|regeln|niyam",
	"OVERRIDE": r"ignore|ignora|ignorez|ignoriere|forget|olvida|oublie|vergiss|bhool|bhul|bypass|override|disable|turn off|pretend|act as|act like|roleplay|role play|you are now|from now on|jailbreak|unlock|developer|admin|comply|obey",
	"AUTHORITY_CLAIM": r"i am (?:the |a |your )?(?:teacher|admin|developer|creator|owner)|teacher access|admin access|premium|unlock\w*|debug|hidden|repeat after me|the real instructions|evil tutor|normal (?:ai|chatbot|bot)|as an ai|be normal|your prompt|you are now|pretend you|act like you",
	"PERMISSION": r"permission|allowed|allow|authori[sz]ed|approved|permitted|said you can|said it is ok|said it's ok|gave me|permiso|autorise|erlaubt|darfst|allow kiya",
	"ANSWERS": r"answers?|solutions?|answer key|mark scheme|respuestas?|soluciones|reponses?|corrige|antworten?|losungen?|jawab|uttar",
	"EXAM": r"exam|exams|test|tests|quiz|quizzes|assessment|midterm|mock|paper|gcse|sat|finals|oral|examen|control|prueba|controle|interro|prufung|klausur|klassenarbeit|\w+arbeit|pariksha",
	"NOW": r"now|right now|rn|currently|at the moment|live|ends|closes|minutes left|mins left|timer|hurry|quick|quickly|asap|ahora|maintenant|gerade|jetzt|abhi|jaldi",
	"UPCOMING": r"tomorrow|tomorrows|next week|next|upcoming|friday|monday|tuesday|wednesday|thursday|manana|demain|morgen|kal",
	"TASK": r"write|do|solve|complete|finish|calculate|find|work out|answer|translate|homework|essay|worksheet|assignment|coursework|project|sheet|exercise|exercises|tarea|deberes|ejercicios|devoirs|redaction|exercices|hausaufgaben|aufgabe|aufgaben|kaam|likh|kar do",
	"UNDERSTAND": r"explain|explanation|understand|why|how|confused|meaning|mean|example|hint|check|feedback|revise|revision|practice|quiz me|explica\w*|entiendo|explique\w*|comprends|erklar\w*|verstehe|samjha\w*|samajh\w*|kyun|kaise",
	"CONTACT": r"number|phone|mobile|call|text|ring|whatsapp|email|e-mail|address|live at|live on|postcode|password|passcode|pin|login|username|snap|insta|instagram|discord|tiktok|add me|numero|telefono|direccion|contrasena|adresse|mot de passe|nummer|adresse|passwort|handy",
	"GAME_IDIOM": r"hit the roof|hit the ceiling|dead tired|killed me|killing it|to die for|die for|bore|bored|boring|minecraft|fortnite|roblox|fifa|game|games|gaming|level|boss|lol|lmao|jk|joking|haha|xd|dying to|dying of|killing me|killed it|kill time|kill it",
	"FICTION_STUDY": r"romeo|juliet|macbeth|hamlet|character|poem|novel|book|play|story|history|war|ww1|ww2|hitler|soldiers?|chapter|author|essay about|film|movie|process|linux|python|code|cell|cells|bacteria|chemistry|physics|biology",
}
_PATTERNS = {name: re.compile(rf"\b(?:{body})\b") for name, body in _CONCEPTS.items()}
_PAIRS = [
	("DEATH", "SELF"),
	("DEATH", "HOPELESS"),
	("SELF_HARM_ACT", "SELF"),
	("HOPELESS", "SELF"),
	("VIOLENT", "OTHERS"),
	("VIOLENT", "WEAPON"),
	("WEAPON", "OTHERS"),
	("VIOLENT", "FAMILY_ADULT"),
	("FAMILY_ADULT", "SEXUAL"),
	("FAMILY_ADULT", "SECRECY"),
	("FAMILY_ADULT", "FEAR"),
	("THREAT", "SELF"),
	("SEXUAL", "SECRECY"),
	("RULES", "OVERRIDE"),
	("PERMISSION", "ANSWERS"),
	("OVERRIDE", "ANSWERS"),
	("EXAM", "NOW"),
	("EXAM", "UPCOMING"),
	("EXAM", "ANSWERS"),
	("TASK", "ANSWERS"),
	("TASK", "UNDERSTAND"),
	("DEATH", "FICTION_STUDY"),
	("VIOLENT", "FICTION_STUDY"),
	("VIOLENT", "GAME_IDIOM"),
	("DEATH", "GAME_IDIOM"),
]
_LONG_DIGITS = re.compile(r"\d[\d\s-]{6,}\d")
_STREET = re.compile(
	r"\b\d{1,4},? \w+ (?:street|st|road|rd|avenue|ave|lane|close|drive|way|crescent|rue|calle|strasse|nagar|sector)\b"
)


# "die" is also the German article: in a German sentence it says nothing about death
_GERMAN = re.compile(
	r"\b(?:der|das|und|ich|nicht|mir|mich|ist|fur|bitte|meine?|einen?|zum|zur|auf|mit|wie|was|gibt|schreib\w*|aufgabe\w*|seite|antworten)\b"
)


# Harmless uses of harm words, removed before looking for signs of harm: idioms, games, computing,
# sport, and harm a negation rules out ("I would never hurt anyone").
_HARMLESS = re.compile(
	r"\b(?:beat|beats|beating|beaten|destroy\w*|smash\w*|thrash\w*|wreck\w*|crush\w*|murder\w*|kill\w*) (?:me|us|you|him|her|them|everyone|my \w+) (?:at|in|on) (?:\w+ ){0,2}\w+"
	r"|\bbeats? me\b(?! up)|\bbeat me to\b|\bhit me up\b|\bit (?:just )?hit me\b|\bhit the (?:roof|ceiling|books|gym|sack|road|jackpot|target|nail on the head)\b"
	r"|\b(?:this|that|it|homework|school|maths|math|the teacher|my teacher|revision|the test|the exam|exams|work|the heat|my feet|my back|these shoes|you)\b(?: \w+){0,3} (?:is|are|was|were)? ?(?:killing|killed|kills|kill) me\b(?! (?:with (?:a|his|her|their) (?:knife|hands|belt)|slowly))"
	r"|\b(?:killing|killed|kill|smash\w*|nail\w*|slay\w*|destroy\w*) it\b|\bkill (?:the |a |this |that |my |all |every )?(?:\w+ )?(?:process\w*|task\w*|thread\w*|app\w*|program\w*|job\w*|pid|session|server|command|tab\w*|loop|script|time|vibe|mood|lights|battery|bacteria|germs|weeds|virus\w*|cells?|zombies?|mobs?|creepers?|dragon|boss|bosses|enemies|enemy|npcs?|players?|character)\b|\bkill -9\b|\bkill two birds\b"
	r"|\b(?:dying|die|dyin) (?:to|for|of (?:laughter|laughing|boredom|embarrassment|cringe|shame|thirst|hunger))\b|\bto die for\b|\bdie (?:my|your|her|his|their|it|them) (?:hair|clothes|shirt|jeans|shoes|pink|blue|red|green|black|purple|blonde)\b|\b(?:i'm|i am|im) (?:literally |actually )?dead\b(?= *(?:lol|lmao|haha|xd|💀|😂|$))|\bdead (?:tired|funny|serious|easy|boring)\b|\bdrop dead gorgeous\b"
	r"|\bshoot (?:a |the |some |my |your |his |her |more )?(?:ball|basketball|hoops?|threes?|free throws?|baskets?|goals?|video|videos|photos?|pictures?|film|scene|music video|shot|message|text|email|dm|for the stars)\b|\bshot my shot\b|\bshoot your shot\b|\bphoto ?shoot\b|\bshooting (?:star|stars|hoops|practice|guard|a video)\b|\bshot (?:a|the|some) (?:video|film|photo|scene)\b"
	r"|\b(?:the|da|absolute) bomb\b|\b(?:bath|seed|glitter|photo|stink|smoke) ?bombs?\b|\bbomb(?:ed)? (?:my|the|that|this|a) (?:test|exam|quiz|interview|presentation|audition|driving test|lesson)\b|\bbomb calorimet\w+|\bbombed\b"
	r"|\b(?:my )?(?:mum|mom|dad|mam|parents|teacher|nan|gran)(?: \w+){0,2} (?:is going to|is gonna|will|would|gonna|'ll|'d) kill me\b(?!.{0,20}\bif i (?:tell|told|say)\b)"
	r"|\bfight (?:for|against|climate|poverty|racism|injustice|off|the urge|a cold)\b|\b(?:hurt|hurts|hurting) (?:his|her|their|my|your|someone's|somebody's) feelings\b|\bmy (?:head|leg|arm|back|knee|ankle|foot|stomach|tooth|eyes?) (?:hurts?|is killing me|kills)\b"
	r"|\b(?:kill|killing|smash|smashing|nail|nailing|ace|acing|crush|crushing|slay|slaying|destroy|destroying|murder|murdering) (?:this|that|the|my|our|his|her) (?:presentation|test|exam|performance|audition|interview|game|match|race|speech|essay|show|concert|solo|dance|recital|quiz|trial|tryouts?|song)\b"
	r"|\bwithout (?:\w+ (?:and|or) )?(?:hurting|injuring|harming|killing) (?:yourself|myself|themselves|yourselves|anyone|anybody)\b|\bwithout getting (?:hurt|injured)\b|\b(?:safely|safe way to|avoid (?:getting )?(?:hurt|injur\w*))\b"
	r"|\bin (?:the )?(?:game|fortnite|minecraft|roblox|gta|cod|call of duty|valorant|fifa|among us|pubg|warzone|apex|mario kart|smash bros)\b(?: \w+){0,3}"
)
_NEGATED_HARM = re.compile(
	r"\b(?:never|not)\s+(?:ever\s+|going to\s+|gonna\s+|want to\s+|wanna\s+|plan to\s+|mean to\s+|intend to\s+|ever want to\s+)?(?:hurt|harm|kill|attack|hit|stab|shoot)\b(?:\s+(?:anyone|anybody|people|him|her|them|a fly|a soul))"
)


def neutralise(canon: str) -> str:
	"""``canon`` without the harmless uses of harm words, for judging whether any sign of harm is left."""
	return _NEGATED_HARM.sub(" ", _HARMLESS.sub(" ", canon))


UNSAFE_SIGNS = {
	"DISTRESS",
	"DEATH",
	"SELF_HARM_ACT",
	"HOPELESS",
	"VIOLENT",
	"WEAPON",
	"THREAT",
	"FEAR",
	"SEXUAL",
	"SECRECY",
}


def concept_tags(canon: str) -> set[str]:
	"""The concept tags present in a canonical text, with their meaningful pairs."""
	if len(_GERMAN.findall(canon)) >= 2:
		canon = re.sub(r"\bdie\b", " ", canon)
	tags = {name for name, pattern in _PATTERNS.items() if pattern.search(canon)}
	if _LONG_DIGITS.search(canon):
		tags.add("LONG_DIGITS")
	if "@" in canon:
		tags.add("AT_SIGN")
	if _STREET.search(canon):
		tags.add("STREET")
	tags |= {f"{a}+{b}" for a, b in _PAIRS if a in tags and b in tags}
	if "CONTACT" in tags and ({"LONG_DIGITS", "AT_SIGN", "STREET"} & tags):
		tags.add("CONTACT+DATA")
	return tags
