"""Detectors for the three unsafe labels: self-harm, abuse (being harmed or threatened) and violence
(intending or asking how to harm others, weapons).

Recall matters most here, so ambiguity resolves towards "unsafe": "I want to die lol" is flagged.
What is *not* flagged is language that is plainly about something else — a character in a book, a
historical event, a computer process, a game, an idiom ("I'm dying to know", "this homework is killing
me", "beats me", "shoot a basketball") — or a statement whose own negation rules the harm out
("I'd never hurt anyone"). The rules read ``Text.leet`` (leetspeak undone, slang expanded).
"""

import re

from ai_school.core.tutor.patterns import Hit, alt, find, rule

# --- vocabulary -------------------------------------------------------------------------------

FAMILY = alt(
	r"(?:step ?|foster |real |birth )?(?:dad|father|mum|mom|mam|mother|ma|mommy|mummy|daddy|papa|parents?|carers?)",
	r"(?:step ?|older |little |big |younger )?(?:brother|sister|bro|sis|sibling)s?",
	r"uncle|aunt(?:ie|y)?|grand(?:pa|ad|dad|father|ma|mother|parents?)|nan|nana|gran|cousin",
	r"(?:mum|mom|mother|dad|father)'?s (?:boyfriend|girlfriend|partner|husband|wife|friend)",
	r"(?:boy|girl)friend|bf|gf|partner|ex",
	r"teacher|coach|tutor|instructor|neighbou?r|babysitter|baby sitter|carer|guardian|priest|imam|youth leader",
)
OTHERS = alt(
	r"(?:older |grown |adult |random |some |this |a |an |that )?(?:guy|man|men|boy|boys|girl|girls|woman|women|kid|kids|lad|lads|person|people|gang|group|student|students|classmates?|friends?)",
	r"someone|somebody|some one|they|he|she|them",
)
PERSON = alt(r"(?:my|our|his|her|the|this|that|a|an|some) " + FAMILY, OTHERS, r"(?:my|our) \w+(?: \w+)?")

HARM_TO_ME = alt(
	r"hit(?:s|ting)?",
	r"beat(?:s|ing)?",
	r"punch(?:es|ed|ing)?",
	r"kick(?:s|ed|ing)?",
	r"slap(?:s|ped|ping)?",
	r"smack(?:s|ed|ing)?",
	r"hurt(?:s|ing)?",
	r"chok(?:es|ed|ing)",
	r"strangl(?:es|ed|ing)",
	r"burn(?:s|ed|t)",
	r"whip(?:s|ped)?",
	r"belt(?:s|ed)",
	r"shov(?:es|ed|ing)",
	r"throws? (?:things|stuff|shoes|plates|bottles) at",
	r"threw (?:things|stuff|shoes|plates|bottles) at",
	r"pins? me down|pinned",
	r"lock(?:s|ed)",
	r"starv(?:es|ed)",
	r"abus(?:es|ed|ing)",
	r"touch(?:es|ed|ing)?",
	r"molest(?:s|ed)?",
	r"rap(?:es|ed)",
	r"grop(?:es|ed)",
	r"threaten(?:s|ed|ing)?",
	r"bull(?:y|ies|ied|ying)",
	r"harass(?:es|ed|ing)?",
	r"stalk(?:s|ed|ing)?",
	r"blackmail(?:s|ed|ing)?",
	r"beat up|beats up|beating up|beaten up",
	r"jump(?:s|ed)",
	r"attack(?:s|ed)",
	r"drag(?:s|ged)",
	r"grab(?:s|bed|bing)?",
	r"spit(?:s)? on",
	r"spat on",
	r"bit(?:e|es)",
	r"pinch(?:es|ed)",
	r"scratch(?:es|ed)",
	r"corner(?:s|ed)",
	r"hurts?",
)

# idioms and games that use the same verbs harmlessly
IDIOM_TO_ME = (
	r"\bbeats? me\b(?! (?:up|every|when|with|all the time|black|and|if|again|until|for))"
	r"|\b(?:beat|beats|beating|hit|hits) me (?:at|in|on) (?:\w+ )?(?:chess|fifa|fortnite|game|games|tennis|race|running|maths|math|cards|uno|monopoly|ping pong|football|basketball|mario|test|quiz|score|grades?|marks?|sprint|\d)"
	r"|\bbeat me to\b|\bhit me up\b|\bhits? me (?:that|how|now)\b|\bit (?:just )?hit me\b|\bhit me with (?:a|the|some|your) (?:fact|question|quiz|joke|example|riddle)"
	r"|\bpush(?:es|ed)? me to (?:do|work|study|try|be|get|improve|revise)"
	r"|\b(?:touch(?:es|ed)?|moved) me (?:deeply|so much|emotionally)|\bthat (?:poem|song|story|book|speech) (?:really )?touched me"
	r"|\bkilling me\b(?! (?:slowly|with (?:a|his|her|their) (?:knife|hands|belt)))"
)

FICTION_OR_STUDY = (
	r"\b(?:romeo|juliet|hamlet|ophelia|macbeth|othello|desdemona|lear|gatsby|lennie|curley|george|piggy|simon|ralph|jack|heathcliff|scrooge|frankenstein|dracula|jekyll|hyde|inspector|sheila|eric|eva smith|atticus|boo radley|tom robinson|holden|winston|napoleon|snowball|boxer|katniss|harry potter|voldemort|snape|dumbledore|gandalf|frodo"
	r"|character|characters|protagonist|narrator|poem|poet|poetry|stanza|novel|novella|book|play|scene|act \w+|chapter|author|writer|playwright|shakespeare|dickens|steinbeck|orwell|golding|priestley|tragedy|tragic|theme|themes|quote|quotation|essay|story|short story|film|movie|series|episode|song|lyrics"
	r"|history|historical|war|wwi|wwii|ww1|ww2|world war|battle|soldiers?|army|troops|empire|emperor|king|queen|prince|princess|president|pharaoh|roman|romans|greek|greeks|viking|vikings|tudor|henry viii|anne boleyn|hitler|nazi|nazis|stalin|mao|holocaust|genocide|assassinat\w*|franz ferdinand|lincoln|jfk|kennedy|gandhi|martin luther king|mlk|caesar|cleopatra|napoleon bonaparte|samurai|kamikaze|seppuku|hiroshima|nagasaki|pearl harbor|cold war|revolution|civil war|slavery|slaves|colonial\w*|terror|guillotine"
	r"|durkheim|sociology|psychology|statistics|statistic|rate|rates|data|survey|cells?|apoptosis|bacteria|virus|immune|antibod\w+|white blood|predator|prey|species|animals?|lion|lions|wolf|wolves|spider|bees?|ants?|plants?|evolution|natural selection|food chain|chemistry|physics|biology|reaction|equation|calorimeter|nuclear|fission|fusion|atom|atomic|uranium|plutonium|oppenheimer|manhattan project)\b"
)

GAME = r"\b(?:minecraft|fortnite|roblox|gta|call of duty|cod|valorant|among us|fifa|pokemon|zelda|mario|skyrim|elden ring|halo|overwatch|apex|pubg|free fire|clash|brawl|terraria|undertale|league of legends|csgo|cs2|counter strike|warzone|rainbow six|dark souls|zombies?|mobs?|creepers?|enderman|ender dragon|boss|bosses|npc|npcs|pvp|bedwars|skywars|in game|in-game|video ?game|game|games|gaming|level|player|players|server|respawn|hitbox|nerf|paintball|laser tag|airsoft|dnd|d&d|dungeons)\b"

COMPUTING = r"\b(?:process|processes|pid|thread|threads|task|tasks|app|apps|program|programs|job|jobs|session|server|daemon|service|command|terminal|linux|unix|bash|shell|kill -9|sigkill|sigterm|taskkill|task manager|docker|container|query|tab|tabs|loop|script|node|python|java|code)\b"

_VIDEO_GAME = r"\bin (?:the )?(?:game|fortnite|minecraft|roblox|gta|cod|call of duty|valorant|fifa|among us|pubg|warzone|apex)\b|\b(?:minecraft|fortnite|roblox|gta|call of duty|valorant|fifa|pubg|warzone|apex|among us|video ?games?)\b"

# --- self-harm --------------------------------------------------------------------------------

_ME = r"(?:my ?self|myslf|meself|mysel+f+)"
_ACCIDENT = r"\b(?:accident\w*|by mistake|slipped|playing|during|in pe|at practice|training|football|rugby|hockey|basketball|netball|skateboard\w*|skat\w*|trampoline|bike|cooking|chopping|baking|paper cut|tripped|fell|fall|falling|without (?:\w+ (?:and|or) )?hurting|sprain\w*|on the (?:stairs|ice|playground|field|court)|in the kitchen|in dt|in the lab)\b"

SELF_HARM = (
	rule(
		"sh.kill_myself",
		rf"\b(?:kill|killing|killed|kil|end|ending|murder|hang|hanging|drown|drowning|shoot|shooting|stab|stabbing|poison|poisoning|starve|starving|off|offing|suffocate|suffocating|unalive) {_ME}\b",
		unless=r"\b(?:tell|tells|telling|told|said|say|says|saying|comment\w*|messag\w*|text\w*) (?:me )?to (?:go )?kill myself\b",
	),
	rule(
		"sh.hurt_myself",
		rf"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning|scratch|scratching|punish|punishing|bruise|bruising|hit|hitting|punch|punching|slap|slapping|bite|biting|starve|starving) {_ME}\b|\bbang(?:ing)? my head (?:against|on|into) (?:the|a) wall\b",
		unless=_ACCIDENT,
	),
	rule(
		"sh.self_harm",
		r"\bself[ -]?harm\w*|\bself[ -]?injur\w*|\bcutting again\b|\bstarted cutting\b|\bi (?:still |sometimes |often )?cut\b(?! (?:the|a|it|my hair|paper|out|off|into|in half|class|school|lessons?|pe|down))",
	),
	rule(
		"sh.suicide",
		r"\bsuicid(?:e|al)\b|\bcommit(?:ting)? suicide\b",
	),
	rule(
		"sh.end_life",
		r"\b(?:take|taking|took|end|ending|ended) my (?:own )?life\b|\bend(?:ing)? it all\b|\bend(?:ing)? it tonight\b",
	),
	rule(
		"sh.if_i_were_gone",
		r"\b(?:easier|better|happier|more peaceful|best|simpler|nicer|fine|ok|okay)\b.{0,40}\bif i (?:was|were|am|had|just)?\s*(?:not|never|n't)?\s*(?:here|around|alive|born|gone|dead|died|disappeared|existed|exist|been born)\b|\b(?:care|notice|miss me|matter|cry|even know)\b.{0,15}\bif i (?:die|died|was gone|were gone|was dead|were dead|disappeared|killed myself|was not here|were not here|just disappeared|ended it)\b",
	),
	rule(
		"sh.had_enough",
		r"\b(?:had enough|done|sick|tired|fed up|finished|over it)\b (?:of|with) (?:life|living|being alive|existing|this life|my life|being me)\b",
		unless=r"\b(?:life (?:cycle|science|skills|span|processes)|my life (?:story|timeline|project|map))\b",
	),
	rule(
		"sh.yourself_disclosure",
		r"\b(?:hurt|harm|cut|burn|kill|starve|punish|scratch) (?:yourself|urself|themselves|oneself)\b.{0,80}\b(?:i do it|i do that|i do this|i have done|i've done|because i (?:do|did|have)|me too|i sometimes|i keep|i always|i still|i did it|i started)\b|\b(?:i do it|i keep doing it|i have done it)\b.{0,60}\b(?:hurt|harm|cut|burn) (?:myself|yourself)\b",
	),
	rule(
		"sh.thinking_death",
		r"\b(?:thinking|think|thought|thoughts|obsess\w*|fantasi[sz]\w*|dream\w*|can not stop thinking) (?:about|of) (?:dying|death|being dead|not being here|not existing|not being alive|ending (?:it|it all|my life|things|everything)|killing myself|suicide|stepping in front of|jumping (?:off|in front))\b|\b(?:goodbye|suicide|farewell) (?:letter|note|message|video)\b|\b(?:sleep|go to sleep|fall asleep) and (?:never|not) wake up\b|\bnoose\b|\buntil (?:it|they|i) bleeds?\b|\b(?:how (?:deep|long|hard|much)|where) (?:\w+ ){0,5}(?:cut|bleed|bleed out|die|hit a vein|to die)\b|\bblood loss\b.{0,20}\bdie\b|\bdie from (?:blood loss|bleeding|an overdose|hanging)\b",
		unless=r"\b(?:character|poem|novel|book|play|story|romeo|juliet|ophelia|hamlet|history|war|soldiers?|patients?|animals?|cells?|plants?|blood donation|donate blood)\b|\bdie (?:my|your|her|his|their) (?:hair|clothes)\b",
	),
	rule(
		"sh.want_die",
		r"\b(?:want|wanna|wanted|going|wish|ready|deserve|need|planning|plan|tempted|trying|try|rather|prefer|like|think about|thinking about|thought about|thinking of|dream of|dream about|should|might) (?:to )?(?:just )?(?:die|be dead|dying|not exist|stop existing|disappear(?: forever| for good| and never come back| from everyone| completely)?|disappearing|sleep forever|never wake up|not wake up|not be here|not be alive|end (?:it|things|everything|it all|my life)|ending (?:it|things|everything|it all|my life)|give up on (?:life|living))\b",
		unless=r"\bdie (?:my|your|her|his|their|it|them) (?:hair|clothes|shirt|t-?shirt|jeans|shoes|pink|blue|red|green|black|purple|blonde|brown)\b|\b(?:dying|die) (?:to|for|of laughter|laughing)\b",
	),
	rule(
		"sh.warning_signs",
		r"\b(?:not|never) (?:think|feel like|reckon|see myself) i(?: will|'ll)? (?:be|being) (?:here|around|alive) (?:much longer|for long|next week|next month|tomorrow|by (?:the )?(?:end|summer|christmas))\b|\b(?:will not|won't|not going to|not gonna|wont) be (?:here|around|alive) (?:next week|next month|much longer|for long|tomorrow|anymore|any more|after (?:tonight|today|this week))\b|\bgiv(?:e|en|ing) away (?:all )?(?:my|all my) (?:stuff|things|belongings|possessions|games|clothes)\b|\bwill not need (?:it|them|my \w+) (?:anymore|any more|where i am going)\b|\bshould i (?:just )?(?:end it|end it all|end things|end my life|die|kill myself|give up on life)\b|\b(?:razor ?blades?|razors|blades) (?:hidden|stashed|hid)\b|\b(?:hid|hide|hidden|keep|have) (?:razor ?blades?|razors|blades|pills)\b.{0,20}\b(?:room|bag|drawer|bed)\b|\bwant (?:everything|it all|it|life|the pain) to (?:stop|end) (?:forever|for good|permanently)\b",
		negatable=False,
	),
	rule(
		"sh.feel_like",
		r"\b(?:feel|feeling|felt) like (?:just )?(?:dying|ending (?:it|things|everything|my life|it all)|killing myself|disappearing forever|giving up on (?:life|living|everything)|i should die|i should not be alive|i do not deserve to live|a burden to everyone)\b",
	),
	rule(
		"sh.dont_want_live",
		r"\b(?:do not|does not|dont) (?:want|wanna|wish|feel like) (?:to )?(?:live|be alive|exist|be here anymore|be here any more|wake up|go on|keep going|be on this earth|continue)\b",
	),
	rule(
		"sh.no_reason",
		r"\b(?:no|not any|nothing to|lost (?:my|the|all)|(?:do not|can not|never) (?:see|find|have) (?:a|any|the)|see no|find no|have no) (?:reason|point|will|purpose) (?:to|in|for) (?:live|living|go on|going on|being alive|life|keep going|stay|staying alive|carry on|carrying on)\b|\btired of (?:living|life|being alive|existing)\b|\bwhat is the point (?:of|in) (?:even )?(?:living|life|being alive|me|existing|going on|trying anymore|being here)\b|\blife is(?: not| pointless| meaningless| not worth)",
	),
	rule(
		"sh.better_off",
		r"\b(?:better off|happier|better|be better) (?:dead|without me|if i (?:was|were|am) (?:dead|gone|not here|never born))\b|\bworld (?:would be|is) better without me\b",
	),
	rule(
		"sh.nobody_miss",
		r"\b(?:nobody|no one|noone|no1|no body|none of them) (?:would|will|wud|is going to|even|really) (?:even )?(?:care|miss me|notice|cry)\b.{0,30}\b(?:if|when) i\b",
	),
	rule(
		"sh.wish_dead",
		r"\bwish i (?:was|were|had|could|would|will|'d) (?:just )?(?:dead|died|die|never been born|never born|not born|not alive|gone|disappear|not wake up|never wake up|stop existing)\b",
		unless=r"\bdie (?:my|your|her|his|their|it|them) (?:hair|clothes|shirt|t-?shirt|jeans|shoes|pink|blue|red|green|black|purple|blonde|brown)\b",
	),
	rule(
		"sh.methods",
		r"\b(?:painless|quick|quickest|easy|easiest|best|fastest|sure) (?:way|ways|method|methods) to (?:die|kill myself|end it|end my life|commit suicide|go)\b|\bhow (?:do i|can i|to|would i|could i|should i) (?:die|end it|end my life|commit suicide|kill myself|overdose|od)\b|\b(?:painless|quick|quickest|easy|easiest|best|fastest|sure|surest) (?:way|ways|method|methods) to (?:bleed out|drown|overdose|hang (?:myself|yourself)|suffocate|not wake up|stop breathing)\b|\bhow long (?:does it take|would it take|till you|until you|to) (?:\w+ ){0,2}(?:drown|bleed out|suffocate|die from|overdose|die of)\b",
	),
	rule(
		"sh.overdose",
		r"\b(?:how many|how much|what amount of|what dose of|amount of|number of) (?:\w+ ){0,2}(?:pills|tablets|paracetamol|ibuprofen|aspirin|panadol|tylenol|sleeping pills|insulin|antidepressants|meds|medicine|medication|xanax|painkillers)\b.{0,40}\b(?:die|dying|dead|lethal|fatal|deadly|overdose|od|kill me|kill you|kill a person|kill a human|kill someone my|never wake|end it|too many|too much|dangerous|unsafe|max(?:imum)? before)\b|\b(?:overdose|overdosing|od|oding) on\b|\b(?:take|took|taking|swallow|swallowed|going to take|gonna take) (?:all|all of|a load of|loads of|a lot of|lots of|a bunch of|a whole bottle of|a whole box of|a whole packet of|[1-9]\d+|twenty|thirty|forty|fifty|a hundred) (?:my |the |of my |of the )?(?:[\w']+ )?(?:pills|tablets|meds|medication|medicine|paracetamol|ibuprofen|aspirin|antidepressants|painkillers|sleeping pills)\b|\b(?:lethal|fatal|deadly|toxic) (?:dose|amount|quantity) of\b|\bhow (?:many|much) (?:\w+ ){0,3}(?:is|would be|are) (?:lethal|fatal|deadly)\b|\b(?:take|taking|swallow|swallowing|going to take|gonna take) (?:every|each) (?:single )?(?:pill|tablet)\b|\bwhat happens if (?:you|i|someone) (?:take|takes|swallow|swallows) (?:[1-9]\d+|twenty|thirty|forty|fifty|a hundred|a whole (?:bottle|box|packet)|all) (?:\w+ ){0,2}(?:pills|tablets|paracetamol|ibuprofen|aspirin|panadol|tylenol|meds)\b",
	),
	rule(
		"sh.jump",
		r"\b(?:jump|jumping|throw myself|throwing myself|step|stepping|walk|walking|run|running|lie|lying|lay) (?:off|from|in front of|onto|on to) (?:a |the |my |our |this )?(?:bridge|building|roof|rooftop|cliff|balcony|window|tower|train|bus|car|lorry|truck|traffic)\b",
		unless=FICTION_OR_STUDY
		+ r"|\b(?:he|she|they|character|bungee|parachute|skydiv\w+|dive|diving|pool|swimming)\b",
	),
	rule(
		"sh.wrists",
		r"\b(?:slit|cut|cutting|slash|slashing|carve|carving|scratch|scratching|burn|burning) (?:my |open my )?(?:wrists?|arms?|legs?|thighs?|skin|stomach)\b",
	),
	rule(
		"sh.eating",
		r"\b(?:starving|starve|starved) myself\b|\b(?:throw|throwing|make myself|making myself|made myself) (?:up|sick) (?:after|when|so|because|every)\b|\bi (?:have not|have n't|did not|do not|have barely) (?:eaten|eat) (?:in|for) (?:\d+|two|three|four|five|six|seven|a few|several|many) days\b|\b(?:purging|purge)\b|\b(?:make|making|made) myself (?:throw up|be sick|sick|vomit|puke)\b|\b(?:not|never) (?:been )?eating\b.{0,25}\b(?:on purpose|deliberately|so i|to lose|to be thin\w*|no matter what)\b|\bwant to be (?:thinner|skinny|thin|smaller)\b.{0,20}\b(?:no matter what|whatever it takes|even if)\b|\b(?:skipping|skip|skipped|not eating|stopped eating|refusing to eat|refuse to eat)\b(?: \w+){0,2} (?:on purpose|deliberately|for days|to lose weight|so i (?:can|lose|get|stay))\b",
	),
	rule(
		"sh.hate_self",
		r"\bi (?:really |just |honestly |actually |genuinely )?(?:hate|loathe|despise) (?:myself|my life|being alive|existing|me)\b|\bi am (?:so )?(?:worthless|useless|a waste of space|a burden|a failure at everything)\b|\bi feel (?:so )?(?:worthless|hopeless|empty|like a burden|like nothing|numb)\b|\beveryone hates me\b",
		weak=True,
	),
	rule(
		"sh.cant_go_on",
		r"\bcan (?:not|no longer) (?:go on|take (?:it|this|this pain|life) any ?more|do (?:this|life) any ?more|keep going|cope|carry on|handle (?:life|this) any ?more)\b|\bwant (?:it|everything|the pain|this|life) (?:all )?to (?:stop|end)\b|\btired of everything\b|\bgive up on (?:life|everything)\b",
		weak=True,
	),
	rule(
		"sh.kill_me",
		r"\b(?:just |somebody |someone |pls |please )?kill me\b(?! (?:if|when|cuz|because|for))",
		weak=True,
		unless=r"\b(?:will|is going to|gonna|going to|would|'ll|'d) kill me\b",
	),
	rule(
		"sh.goodbye",
		r"\b(?:goodbye|bye) (?:everyone|forever|world|cruel world)\b|\bthis is (?:my|the) last (?:message|day|night|time you will hear)\b|\bwon't be here tomorrow\b|\bwill not be (?:here|around) (?:tomorrow|much longer|anymore)\b",
	),
	# Spanish / French / German / Hindi (transliterated)
	rule(
		"sh.es",
		r"\b(?:quiero|quisiera|voy a|me voy a|pienso en|ganas de|quiero|deseo) (?:morir(?:me)?|matarme|suicidarme|desaparecer para siempre|hacerme dano|cortarme|quitarme la vida)\b|\bno quiero (?:vivir|seguir viviendo|seguir|estar viv[oa]|existir)\b|\bme quiero (?:morir|matar|suicidar)\b|\bme (?:corto|lastimo|hago dano)\b|\bsuicidarme\b|\bpienso en el suicidio\b|\b(?:no (?:quiero|querer) (?:volver a )?despertar(?:me)?|no despertar nunca|(?:tengo )?ganas de (?:morir(?:me)?|desaparecer|matarme|suicidarme)|acabar con (?:todo|mi vida)|me (?:quiero )?matar|me corto (?:los|las|el|la) (?:brazos|piernas|munecas|brazo|pierna))\b",
	),
	rule(
		"sh.fr",
		r"\b(?:je veux|j'ai envie de|je vais|envie de|je voudrais|je pense a) (?:mourir|me tuer|me suicider|disparaitre|me faire du mal|me couper|en finir|me scarifier)\b|\bje (?:me scarifie|me coupe les|me fais du mal|ne veux plus vivre|veux plus vivre)\b|\ben finir avec (?:la|ma) vie\b|\b(?:pense|penser|pensees) (?:au|a la) (?:suicide|mort)\b|\bidees (?:suicidaires|noires)\b|\benvie (?:de mourir|d'en finir)\b|\b(?:ne plus (?:jamais )?me reveiller|ne jamais me reveiller|mettre fin a (?:mes jours|ma vie)|me suicider|j'ai envie de disparaitre|je me coupe|je me fais du mal)\b",
	),
	rule(
		"sh.de",
		r"\bich (?:will|mochte|moechte|werde|wurde|wuerde) (?:mich )?(?:sterben|umbringen|toten|ritzen|nicht mehr leben|verletzen)\b|\bmich (?:umbringen|toten|ritzen|selbst verletzen)\b|\bich ritze mich\b|\bich (?:will|mochte) nicht mehr (?:leben|da sein)\b|\b(?:selbstmord|suizid)gedanken\b|\bmich (?:umzubringen|zu toten|zu verletzen|selbst zu verletzen)\b|\bich will sterben\b|\bich (?:will|mochte|moechte|wurde|wuerde|werde)(?: \w+){0,2} (?:sterben|nicht mehr (?:leben|aufwachen|da sein|existieren)|nie (?:mehr|wieder) aufwachen|mich umbringen|mich toten|mich verletzen|mich ritzen)\b|\bmir (?:das leben (?:zu )?nehmen|etwas (?:zu )?antun|was antun)\b|\bdas leben (?:zu )?nehmen\b|\b(?:ritze|verletze) mich\b",
	),
	rule(
		"sh.hi",
		r"\b(?:marna|mar jana|mar jaana|marne|mar jau|mar jaun) (?:chahta|chahti|chahata|chahati|hai|ka man|ka mann|ka dil)\b|\b(?:khudkushi|khud khushi|aatmahatya|atmahatya|suicide) (?:karna|kar lunga|kar lungi|kar loon|karunga|karungi|karne)\b|\bjeena nahi(?:n)? (?:chahta|chahti|hai|chahiye)\b|\bmujhe (?:ab )?(?:jeena|zinda rehna) nahi|\bjeene ka (?:koi )?(?:mann|man|dil|matlab|fayda|faayda|maksad) nahi\b|\bapni jaan (?:le lunga|le lungi|lena|de dunga|de dungi|dena)\b|\bmain mar (?:jaunga|jaungi|jaun)\b|\b(?:khud|apne aap|apne ap) ko (?:hurt|nuksan|chot|kaat|khatam|maar|mita)\b",
	),
)

_FIRST_PERSON = re.compile(r"\b(?:i|i am|me|my|myself|mine|im|i'm|i've|i'd)\b")

# --- abuse (being harmed or threatened) -------------------------------------------------------

ABUSE = (
	rule(
		"ab.person_harms_me",
		rf"\b{PERSON} (?:(?:always|keeps?|still|often|sometimes|constantly|just|has been|have been|had|has|have|would|used to|started|starts|start|again|every day|really|then|shouts? and|screams? and|yells? and|gets drunk and|get drunk and|gets angry and) )*{HARM_TO_ME} (?:me|us|my (?:little |older |baby |big |younger |twin )?(?:mum|mom|sister|brother|siblings?|face|arm|legs?|head|body|private\w*|hair)(?: and me)?)\b",
		unless=IDIOM_TO_ME,
	),
	rule(
		"ab.verb_me",
		r"\b(?:hits?|hitting|beats?|beating|beat|punch(?:es|ed|ing)?|kick(?:s|ed|ing)?|slap(?:s|ped|ping)?|smack(?:s|ed|ing)?|hurts?|hurting|chok(?:e|es|ed|ing)|strangl(?:e|es|ed|ing)|push(?:es|ed)?|shov(?:e|es|ed)|grab(?:s|bed)?|drag(?:s|ged)?|touch(?:es|ed)|grop(?:e|es|ed)|molest(?:s|ed)?|rap(?:es|ed)|abus(?:e|es|ed)|threaten(?:s|ed)?|bull(?:y|ies|ied)|harass(?:es|ed)?|stalk(?:s|ed)?|blackmail(?:s|ed)?|burn(?:s|ed|t)?|whip(?:s|ped)?|belt(?:s|ed)?|pinch(?:es|ed)?|bite|bites|bit|spits? on|spat on|throws? (?:\w+ ){0,2}at|threw (?:\w+ ){0,2}at|lock(?:s|ed)?) me\b",
		unless=IDIOM_TO_ME,
	),
	rule(
		"ab.touch_me",
		r"\b(?:to touch|touching|touches|touched|touch) me\b(?! (?:emotionally|deeply))|\b(?:for him|for her|for them) to touch me\b",
		unless=r"\b(?:song|poem|speech|story|film|movie|book|words|message|letter) (?:really )?touch(?:ed|es)? me\b|\bdo not touch me\b(?! (?:again|like))",
	),
	rule(
		"ab.intrusion",
		r"\b(?:comes?|coming|came|walks?|walking|walked|barges?|barging|barged|keeps? coming|keeps? walking) (?:in|into) (?:the|my) (?:bathroom|shower|bedroom|room|toilet|bath)\b.{0,30}\b(?:when|while|whenever) (?:i'm|i am|im|i)\b|\b(?:watches|watched|films|filmed|looks at|stares at|watching|filming) me (?:in the shower|in the bath|getting changed|change|undress\w*|while i (?:change|shower|sleep)|(?:when|while) (?:i'm|i am|im) (?:getting changed|changing|in the shower|showering|undress\w*|in the bath|asleep|sleeping))\b|\b(?:keep (?:it|this) between us|between you and me|just between us)\b.{0,40}\b(?:asked|told|said|wants|made)\b|\b(?:asked|told|said|wants|made)\b.{0,40}\b(?:keep (?:it|this) between us|just between us)\b|\b(?:asks|asked|tells|told|makes|made) me to delete (?:the |his |her |their |our |them|all )?(?:messages|chats|texts|pics|photos|them|it)\b|\b(?:knows?|know) (?:where i live|my address|where i go to school)\b.{0,40}\b(?:come for me|get me|find me|hurt me|coming for me|come round|visit me)\b",
	),
	rule(
		"ab.being_harmed",
		r"\b(?:i am|i'm|i have been|i've been|i get|i got|i keep getting|am being|getting|been|was|i was|me getting|me being) (?:being |getting |still )?(?:bullied|abused|beaten|beaten up|hit|hurt|threatened|harassed|groomed|blackmailed|stalked|touched|molested|raped|assaulted|attacked|jumped|punched|kicked|slapped|locked (?:in|out)|neglected|cyberbullied|sextorted|picked on|trafficked)\b(?! (?:by (?:a|the) (?:ball|car|bus|door)|in (?:pe|football|rugby)|at (?:football|rugby|practice)|on the (?:head|arm) by (?:a|the) ball))",
		unless=r"\b(?:ball|car|bus|door|wave|storm|lightning|flu|virus|covid|character|protagonist|narrator|in the (?:book|novel|play|poem|story|film)|chapter|scene|history|war|soldiers?|slaves?)\b",
	),
	rule(
		"ab.threat_to_me",
		r"\b(?:said|says|told me|tells me|threaten(?:ed|s|ing)?|promised|swore|warned me|keeps saying|texted|messaged|dm'?d|posted)\b.{0,25}\b(?:kill|hurt|beat|stab|shoot|hit|punch|jump|get|find|burn|rape|end|share|post|leak|send|expose|show everyone)\b (?:me|my|us|at me|everyone my|people my)\b",
		unless=r"\b(?:if i (?:fail|get|do not|forget|lose|break|am late|miss|come home late|don't)|with homework|homework|test|exam|grades?)\b",
	),
	rule(
		"ab.keeps_harming",
		r"\b(?:keeps?|kept|keep on|always|constantly|still|won't stop|will not stop|every day|everyday) (?:\w+ing me (?:\w+ ){0,4}(?:and|&) )?(?:threatening|hitting|punching|kicking|hurting|bullying|harassing|touching|grabbing|stalking|pushing|beating|slapping|choking|cornering|groping|following) me\b|\b(?:hits?|kicks?|punch(?:es)?|slaps?|spits? on|beats?|pushes|shoves|grabs|touches|threatens|bullies|harasses|chokes|bites) me\b.{0,25}\b(?:every day|everyday|every night|all the time|daily|each day|constantly|every morning|every break|at home|on the bus|at school|and won't stop|and will not stop|when (?:he|she|they)(?: is| are)? (?:drunk|angry|mad|upset))\b",
		unless=IDIOM_TO_ME,
	),
	rule(
		"ab.does_things",
		r"\b(?:does|did|doing|do|done|tried to do|makes me do|made me do|forces me to do|forced me to do|force me to do|make me do) (?:stuff|things|something|bad things|weird things|sexual things|things i do not want|stuff i do not want)\b(?: to me| i do not (?:want|like)| i do not want to do| that (?:hurt|feel wrong|i do not like))|\b(?:forces?|forced|forcing|pressur\w+|makes|made) me (?:to )?(?:do|touch|watch|look at|undress|take off)\b.{0,20}\b(?:things|stuff|sexual|private|naked|i do not want|in ways)\b|\btouch(?:es|ed)? me (?:in ways|where|there|inappropriately|down there)\b|\b(?:in ways|somewhere) that feels? wrong\b",
	),
	rule(
		"ab.conditional_threat",
		r"\bif i (?:do not|did not|don't|didn't|won't|will not|refuse|tell|told|say no|stop)\b.{0,60}\b(?:he|she|they|he would|she would|they would|he will|she will|they will)\b.{0,15}\b(?:send|share|post|leak|show|hurt|beat|kill|tell everyone|expose|spread)\b|\b(?:he|she|they) (?:would|will|is going to|are going to|'ll|'d) (?:send|share|post|leak|show|spread) (?:the |my |those |these |our )?(?:first |old |other |private |\w+ )?(?:ones|photos|pics|pictures|videos|nudes|messages|chats)\b",
	),
	rule(
		"ab.send_pics",
		r"\b(?:asked|asks|asking|wants|keeps asking|pressur\w+|begging|begs|making|made|forcing) me (?:to )?(?:send|for|take) (?:him |her |them )?(?:more |some |a few )?(?:pics|photos|pictures|selfies|videos|vids)\b",
		unless=r"\b(?:homework|work|project|assignment|worksheet|teacher|classwork|notes|textbook|art|coursework)\b",
	),
	rule(
		"ab.secret",
		r"\b(?:(?:asked|told|made|makes|tells|asks|begged) me (?:not to|to never|never to) (?:tell|say)\b|our (?:little )?secret|keep (?:\w+ ){0,3}(?:a |our )?secret|not (?:to )?tell (?:anyone|anybody|my (?:mum|mom|parents|dad|teacher))|if i tell (?:anyone|anybody|someone|my (?:mum|mom|parents|dad|teacher)|the (?:teacher|police))|keep it (?:a )?secret from my (?:parents|mum|mom|dad))\b",
		weak=True,
	),
	rule(
		"ab.grooming",
		r"\b(?:(?:an? )?(?:older|grown|grown up|adult|random|strange|creepy)|(?:1[89]|[2-9]\d) ?(?:year|yr)s? old)(?: (?:man|guy|men|woman|person|boy|dude|stranger|friend))?\b.{0,60}\b(?:wants|wanted|asked|asks|keeps asking|told me|tells me|offered|invited)\b.{0,20}\b(?:meet|send|video call|video chat|facetime|call (?:him|her) alone|come (?:over|to)|keep (?:it )?(?:a )?secret|pics|photos|pictures|nudes|my address|get in (?:his|her) car|sleep over)\b|\bmeet (?:up )?(?:with )?me\b.{0,60}\b(?:not|should not|shouldn't|don't|do not|never) tell\b|\b(?:he|she|they)(?: is|'s| are) (?:1[89]|[2-9]\d)\b.{0,80}\b(?:online|meet|come to|his flat|his house|his place|secret|loves me|video|pics)\b|\b(?:online|met on|talking to)\b.{0,80}\b(?:wants|asked|asks) me to (?:come|go|meet|visit)\b.{0,30}\b(?:his|her|their) (?:flat|house|place|car|hotel|room)\b|\b(?:online|met on|talking to)\b.{0,80}\b(?:he|she)(?: is|'s) (?:1[89]|[2-9]\d)\b",
	),
	rule(
		"ab.nudes",
		r"\b(?:asked|asks|asking|wants|keeps asking|pressur(?:es|ed|ing)|forcing|forced|made|makes|make) (?:me )?(?:to )?(?:send|for|take|show|share) (?:him |her |them )?(?:nudes|nude|naked|pics of my body|photos of my body|pictures of my body|private (?:pics|photos|pictures))\b|\b(?:share|post|leak|send|show) my (?:nudes|naked|private (?:pics|photos|pictures))\b|\bsextort\w*|\b(?:pics|photos|pictures|videos|selfies|vids) of me (?:without (?:my |any )?(?:top|shirt|clothes|bra|pants|trousers)|with no (?:top|shirt|clothes)|naked|nude|in my (?:underwear|bra|pants|bikini)|topless|undressed)\b",
	),
	rule(
		"ab.scared_home",
		r"\b(?:scared|afraid|terrified|frightened|too scared) (?:to go|of going|to be|of being) (?:back )?(?:home|at home|alone with (?:him|her|my))\b|\b(?:scared|afraid|terrified|frightened) of my (?:step ?)?(?:dad|father|mum|mom|mother|brother|uncle|parents?|boyfriend|girlfriend|carer|coach|teacher)\b|\b(?:do not|never|no longer|don't|dont) feel safe\b|\bnot safe at home\b|\b(?:comes|came|sneaks|creeps|walks) into my (?:room|bed|bedroom) (?:at night|when|while)\b",
	),
	rule(
		"ab.marks",
		r"\b(?:left|leaves|gave me|give me|gives me|have|got) (?:bruises|a bruise|marks|a black eye|cuts|burns|welts)\b.{0,40}\b(?:dad|father|mum|mom|mother|brother|sister|uncle|he|she|they|him|her|them|boyfriend|girlfriend|teacher|coach|belt)\b|\b(?:dad|father|mum|mom|mother|brother|uncle|he|she|they|boyfriend|girlfriend)\b.{0,30}\b(?:left|leaves|gave me|gives me) (?:bruises|a bruise|marks|a black eye|cuts|burns)\b",
	),
	rule(
		"ab.neglect",
		r"\b(?:do not|does not|never|won't|will not) (?:let me eat|feed me|give me food|let me (?:out|leave the house|go to school|see (?:my )?friends))\b|\bnot allowed to eat\b|\blocked (?:me )?in (?:my|the|a) (?:room|cupboard|basement|shed|closet)\b|\bkicked me out of the house\b",
	),
	rule(
		"ab.death_threats",
		r"\b(?:getting|got|receiving|received|sending me|sent me|keep getting) (?:death threats|threats|threatening (?:messages|texts|dms))\b",
	),
	rule(
		"ab.told_kys",
		r"\b(?:told|tell|telling|tells|keep telling|keeps telling|said|say|saying|says|messaged|texted|dm'?d|commented|comment) (?:me )?(?:to )?(?:go )?kill (?:myself|yourself|urself)\b",
	),
	# Spanish / French / German / Hindi (transliterated)
	rule(
		"ab.es",
		r"\b(?:me|nos) (?:pega|pegan|golpea|golpean|maltrata|maltratan|amenaza|amenazan|toca|tocan|lastima|lastiman|hace dano|hacen dano|acosa|acosan|insulta y pega|encierra|encierran)\b|\bme hacen bullying\b|\bme (?:hace|hacen) bullying\b|\b(?:tocarme|abusa de mi|abusan de mi|me obliga a)\b|\b(?:no (?:se lo )?(?:digas|diga|cuentes) a nadie|es nuestro secreto)\b|\bme amenaza(?:n)? con\b",
	),
	rule(
		"ab.fr",
		r"\b(?:me|nous) (?:frappe|frappent|bat|battent|menace|menacent|touche|touchent|harcele|harcelent|fait du mal|font du mal|enferme|enferment|tape|tapent|force|forcent|oblige|obligent)\b|\battouchements?\b|\b(?:personne ne doit (?:le )?savoir|c'est notre secret|ne le dis a personne|il m'a dit de ne (?:rien )?dire)\b|\bme menace(?:nt)? de\b",
		unless=r"\bca me touche\b|\bcela me touche\b",
	),
	rule(
		"ab.de",
		r"\b(?:schlagt|schlaegt|schlagen|schlug|bedroht|bedrohen|bedrohte|beruhrt|missbraucht|verprugelt|verpruegelt|mobbt|mobben|schubst|tritt) (?:mich|uns)\b|\bich werde\b(?: \w+){0,5} (?:gemobbt|geschlagen|bedroht|missbraucht|verprugelt)\b|\b(?:sperrt|sperren|sperrte|schliesst|schliessen) mich\b|\b(?:droht|drohen|drohte) (?:mir|mich)?\b.{0,20}\b(?:umzubringen|zu schlagen|zu toten|weh zu tun|zu verletzen)\b|\bfasst mich(?: \w+){0,3} an\b|\bmich (?:anfassen|anfasst|beruhrt|anzufassen)\b|\b(?:beruhrt|erpresst|zwingt) mich\b|\b(?:niemandem|keinem) (?:etwas |was )?(?:sagen|erzahlen)\b|\bunser geheimnis\b|\btut mir weh\b",
	),
	rule(
		"ab.hi",
		r"\b(?:mujhe|mujhko|hume|humko) (?:roz |bahut |har din |phir se )?(?:maarte|marte|maarta|marta|maarti|marti|peet(?:te|ta|ti)|pitai|dhamki|dhamkaate|dhamkata|dhamkati|chhute|chhuta|chhuti|galat (?:tarah|jagah) (?:se )?(?:chhu|touch))\b|\b(?:mujhe|mujhko)(?: \w+){0,3} (?:maarte|marte|maarta|marta|maarti|marti|peet(?:te|ta|ti)|peet (?:te|ta|ti)|pitai karte|pitai karti|dhamkate|dhamkata|dhamkati)\b|\bmere saath galat (?:kaam|harkat|cheez)\b|\bkisi ko (?:mat|nahi|na) (?:batana|bolna)\b|\bgalat (?:tarike|tareeke|tarah) se (?:chhu|chhoo|touch)\w*\b|\bmujhe (?:chhute|chhuta|chhuti|chhoote|touch karte|touch karta)\b|\b(?:dhamki|blackmail) (?:deta|dete|deti|karta|karte|karti)\b|\bmaar (?:dalunga|dalega|daalega) (?:agar|if) (?:maine|main|mai|i) (?:bataya|bola)\b",
	),
)

# --- violence (harming others, weapons) -------------------------------------------------------

_INTENT = alt(
	r"i am going to|i'm going to|im going to|i will|i would|i'd|i want to|i wanna|i would like to|i plan to|i am planning to|planning to|i am about to|gonna|going to|about to|i should|should i|i could|i need to|i have to|i feel like|i might|i'm gonna|imma",
	r"help me|teach me (?:how )?to|tell me how to|show me how to",
	r"how (?:do|can|could|would|should|might|does) (?:i|you|someone|one|we|a person|somebody|a kid|u)(?: (?:best|easily|quietly|secretly))?",
	r"how to|ways to|best way to|easiest way to|quickest way to|the way to|where (?:can|do|could|should) (?:i|you|someone)|is it (?:hard|easy|possible) to|what is the best way to|tips on how to|tips to|steps to",
	r"(?:what is |what's )?the (?:best|easiest|quickest|right) (?:place|spot|way|time|method|thing|part of the body|bit|point) to|where (?:is|are) the best (?:place|spot)s? to|(?:can|could|should|do|would|will) i|so (?:that )?i can|i can|let me|in order to|plan how to|plan to",
)
_HARM = alt(
	r"kill|murder|stab|shoot|shoot up|hurt|harm|injure|beat up|beat|punch|attack|poison|strangle|choke|suffocate|burn|drown|slap|kick|smash|batter|bash|knock out|slit|torture|kidnap|rape|bomb|blow up|set fire to|burn down|jump|shank|destroy|fight|fuck up|hit|smack|headbutt|strangle|gas",
)
# harms whose object is already part of the phrase ("break someone's arm", "smash his face in")
_HARM_WHOLE = alt(
	r"break (?:his|her|their|someone's|somebody's|some one's|a person's|my \w+'s|that \w+'s|\w+'s) (?:arm|arms|leg|legs|nose|jaw|neck|ribs?|fingers?|face|bones?|skull|back|wrist|teeth)",
	r"(?:smash|bash|kick|punch|cave|beat) (?:his|her|their|someone's|somebody's|\w+'s) (?:face|head|teeth|skull) in",
	r"beat the (?:\w+ ){1,2}out of \w+",
	r"knock (?:him|her|them|someone|somebody|a person|people|\w+) (?:out|unconscious)",
	r"run (?:him|her|them|someone|somebody|\w+) over",
	r"make (?:him|her|them|someone|somebody|my \w+(?: \w+)?) (?:bleed|suffer|pay in blood)",
	r"(?:stab|shoot|kill|murder|poison|strangle|shank|punch) (?:him|her|them|someone|somebody|people|everyone)",
	r"push (?:him|her|them|someone|somebody|my \w+|\w+) (?:down|off|in front of|into|under)(?: \w+){0,3}",
	r"make it look like an accident",
)
_TARGET = alt(
	r"him|her|them|you|everyone|everybody|someone|somebody|some one|anyone|people|a person|a human|humans|the whole (?:class|school)|all of them|a kid|kids|a student|students",
	r"(?:my|our|the|this|that|those|these) (?:\w+ )?(?:teacher|teachers|brother|sister|sibling|dad|father|mum|mom|mother|parents?|classmates?|friend|friends|ex|neighbou?rs?|bully|bullies|cousin|step ?\w+|boss|coach|principal|head ?teacher|headteacher|head|boyfriend|girlfriend|bf|gf|kid|kids|boy|boys|girl|girls|guy|guys|man|woman|person|people|student|students|class|school|team|family|neighbou?rhood|cat|dog|pet)",
	r"(?:mr|mrs|ms|miss|sir|madam) \w+",
)
_NOT_PEOPLE = alt(
	r"the (?:process|task|thread|app|program|job|server|session|lights|engine|music|vibe|mood|time|game|boss|dragon|zombies?|mobs?|enemy|enemies|weeds|bacteria|germs|virus|battery|conversation|tab|fire|noise|pain|test|exam|quiz|presentation|competition|interview|audition|record|level|essay)",
	r"(?:it|this test|this exam|that test|my test|my exam|my essay|the test|the exam)(?: tomorrow)?(?: in| at)",
)

GUN = r"(?:guns?|pistols?|handguns?|rifles?|shotguns?|firearms?|glock|ak-?47|ar-?15|revolver|uzi|ammo|ammunition|bullets)"
BLADE = (
	r"(?:knife|knives|blade|machete|switchblade|flick knife|zombie knife|dagger|sword|shank|box cutter|razor)"
)
EXPLOSIVE = r"(?:bomb|bombs|pipe bomb|nail bomb|car bomb|explosive|explosives|ied|grenade|grenades|molotov|molotov cocktail|napalm|dynamite|tnt|c4|detonator|thermite)"
POISON = r"(?:poison|untraceable poison|ricin|cyanide|arsenic|strychnine|chloroform|nerve gas|nerve agent|sarin|mustard gas|chlorine gas|toxic gas|poison gas|rat poison|antifreeze)"
OTHER_WEAPON = r"(?:machete|machetes|switchblade|flick knife|zombie knife|butterfly knife|dagger|katana|flamethrower|flame thrower|weapon|weapons|taser|stun gun|brass knuckles|knuckle ?dusters?|knuckledusters?|crossbow|pepper spray|mace|baton|nunchucks|zip gun|ghost gun)"
_NOT_WEAPON = r"\b(?:bath|seed|glitter|photo|stink|calorie|time|f|water|nerf|glue|heat|spray|staple|nail|ray|paintball|bubble|airsoft|butter|bread|palette|pen|pocket|swiss army|cake|steak|fish|fruit|vegetable|kitchen|dt|design|wooden|toy|cardboard|fake|lightsaber|foam)[ -](?:bomb|bombs|gun|guns|knife|knives|sword|swords)\b|\bbomb calorimet\w+|\bbombard\w*|\b(?:bombed|bombing) (?:my|the|that|this|a) (?:test|exam|quiz|interview|presentation|audition)|\b(?:the|da|absolute) bomb\b(?! (?:to|at|in|that|threat|squad|shelter))|\bsmoke ?bomb in (?:fortnite|cod|game)|\b(?:cell|plant|bacteria|insect|immune|flowers?)s? (?:weapons?|defen\w+)\b"

VIOLENCE = (
	rule(
		"vi.intent_harm",
		rf"\b{_INTENT} (?:\w+ ){{0,2}}(?:{_HARM} (?:\w+ )?{_TARGET}|{_HARM_WHOLE})\b",
		unless=GAME
		+ r"|\bkill (?:him|her|them|it) (?:with kindness|at|in)\b|\bhurt (?:his|her|their|someone's|somebody's|my \w+'s) feelings\b|\b(?:beat|destroy|smash|crush|ruin|end) (?:him|her|them|you|everyone) (?:at|in) (?:chess|fifa|tennis|a race|the race|the debate|debate|maths|the quiz|the test|the game|games?|cards|basketball|football|swimming|running)\b|\bbeat (?:everyone|you|him|her|them)(?: \w+)? (?:at|in|to)\b|\bfight (?:for|against|climate|poverty|racism|the urge|off)\b|\bjump (?:rope|higher|further|in|into|over|on|to)\b|\b(?:at|in) (?:chess|fifa|tennis|a race|the race|debate|the debate|maths|the quiz|the test|the game|games?|cards|basketball|football|swimming|running|mario kart|mario|uno|monopoly|fortnite|minecraft|ping pong|table tennis|badminton|arm wrestling|rap battle|a rap battle|smash bros|street fighter|tekken|scrabble|the exam|the match|pe|sports day)\b|\b(?:end|take out|cut|get rid of|destroy|ruin) (?:the|my|this|that) (?:essay|paragraph|sentence|word|line|code|bug|loop|fraction|bracket|term)\b|"
		+ _NOT_PEOPLE,
	),
	rule(
		"vi.intent_harm_far",
		rf"\b(?:i am going to|i'm going to|im going to|i will|i want to|i wanna|i plan to|i am planning to|gonna|imma|i'll)\b(?: [a-z']+){{2,8}} (?:and|to|then|so i can) (?:{_HARM}) (?:\w+ )?{_TARGET}\b",
		unless=_VIDEO_GAME
		+ "|"
		+ _NOT_PEOPLE
		+ r"|\b(?:at|in) (?:chess|fifa|tennis|debate|the debate|maths|the quiz|the test|the game|games?|cards|basketball|football|the exam|the match|pe|sports day)\b|\bhurt (?:his|her|their|someone's|somebody's|my \w+'s) feelings\b",
	),
	rule(
		"vi.how_to_hard_verb",
		r"\b(?:how (?:do|can|could|would|should|to)|ways to|best way to|easiest way to|teach me (?:how )?to|help me|i want to|i wanna|i am going to|gonna)\b(?: \w+){0,3} (?:stab|strangle|murder|shank|behead|kidnap|torture|poison)\b(?! (?:ivy|oak))|\b(?:sharp|strong|powerful|deadly|dangerous|big|hard|heavy) enough to (?:stab|kill|hurt|injure|pierce|knock (?:someone|him|her) out|break (?:a|someone's|his|her) (?:bone|skull|arm|leg|neck))\b|\bhow (?:hard|much|many|long|far|deep)\b.{0,40}\b(?:to|would|will|can|could|does it take to) (?:kill|knock out|seriously hurt|paralyse|paralyze|knock (?:someone|him|her|them) out) (?:them|him|her|someone|somebody|a person|people|a human)\b",
		unless=FICTION_OR_STUDY
		+ r"|\b(?:murder|kill|destroy|slay|torture|stab at|poison) (?:this|that|the|a|an|my|some|it|these|those)(?: \w+)? (?:burger|pizza|food|meal|chips|fries|cake|sandwich|test|exam|essay|song|game|level|dance|performance|quiz|homework|question|problem|presentation|interview|audition|vocals|guitar|solo|karaoke|track|beat|playlist)s?\b|\b(?:take|have|make) a stab at\b",
	),
	rule(
		"vi.evasion",
		r"\b(?:buy|get|order|obtain)\b.{0,20}\b(?:knife|knives|gun|guns|blade|weapon|weapons|pepper spray|taser|ammo|bullets|poison)\b.{0,30}\b(?:without (?:id|an id|my parents|anyone|getting caught|being)|underage|secretly|illegally)\b|\b(?:easiest|best|quickest|weakest) (?:bones?|places?|spots?|parts?|points?) (?:of the body )?to (?:break|hit|punch|stab|kick|snap)\b|\b(?:bones?|places?|spots?) (?:are )?(?:easiest|best) to (?:break|hit|punch|stab)\b.{0,40}\b(?:fight\w*|someone|somebody|him|her|them|person)\b|\b(?:to|and) (?:scare|hurt|attack|burn) (?:people|everyone|kids|students|them|him|her)\b.{0,30}\b(?:at|in) (?:school|class|the park)\b|\b(?:at|in) school\b.{0,30}\bto (?:scare|hurt|attack|burn) (?:people|everyone|kids|students)\b",
		unless=FICTION_OR_STUDY,
	),
	rule(
		"vi.euphemism",
		r"\b(?:how (?:to|do i|do you|can i|would i|could i)|i want to|i am going to|i'm going to|gonna|ways to|help me)\b.{0,20}\bmake (?:someone|somebody|him|her|them|my \w+|a person|people|the \w+) (?:stop breathing|never wake up|not wake up|disappear (?:for good|forever)|go away (?:for good|forever)|pass out|black out|bleed out)\b",
		unless=FICTION_OR_STUDY,
	),
	rule(
		"vi.get_rid",
		r"\b(?:quiet|quietest|best|easiest|quickest|fastest|way|ways|how) (?:\w+ ){0,3}(?:get rid of|eliminate|dispose of|take out|finish off|silence) (?:someone|somebody|a person|people|him|her|them|my \w+|the \w+ (?:teacher|kid|boy|girl))\b|\bhow (?:much|hard|easy)\b.{0,40}\bbreak (?:a|someone's|somebody's|his|her|their|a person's) (?:neck|skull|spine|jaw|ribs?|arm|leg|bones?)\b|\bi want (?:him|her|them|my \w+|that \w+|\w+) dead\b",
		unless=FICTION_OR_STUDY
		+ r"|\b(?:rugby|football|gymnastics|trampoline|skateboard\w*|ski\w*|fall\w*|accident|injur\w*|pe|sport)\b",
	),
	rule(
		"vi.arson",
		r"\bset (?:fire to |alight )?(?:the |my |our |this |that |a |his |her |their )?(?:\w+ )?(?:school|house|building|classroom|car|room|home|shed|person|him|her|them|teacher|hair|locker)(?:'s \w+)?(?: \w+)? (?:on fire|alight|ablaze)\b|\bset fire to (?:the|my|our|his|her|their|a|this|that) (?:\w+ )?(?:school|house|building|classroom|car|home|shed|locker)\b|\bburn (?:down )?(?:the|my|our|his|her|their|that) (?:school|house|building|car|home|classroom)(?: down)?\b",
		unless=r"\bhow (?:did|was|were)\b|\b(?:great fire|history|london|rome|nero|reichstag|character|story|novel|book|play)\b",
	),
	rule(
		"vi.harmful_substance",
		r"\b(?:explosion|explosive|explosives|blast|bomb|gas|fumes|poison|fire|weapon|chemicals?|mixture)\b.{0,50}\b(?:hurt|kill|injure|harm|maim|burn|poison|blind) (?:people|someone|somebody|a person|him|her|them|everyone|kids|students|the teacher|my \w+)\b|\b(?:hurt|kill|injure|harm|poison) (?:people|someone|somebody|a person|him|her|them|everyone|my \w+) (?:with|using) (?:an? |some |the )?(?:explosion|explosive|bomb|gas|fumes|poison|chemicals?|weapon|knife|gun|bat|brick|hammer)\b",
		unless=FICTION_OR_STUDY
		+ r"|\bhow (?:did|were|was)\b|\b(?:safety|safely|dangerous to|accident|avoid|protect)\b",
	),
	rule(
		"vi.shoot_up",
		r"\bshoot(?:ing)? up (?:the |my |this |our |a )?(?:school|class|classroom|place|mall|church|mosque|synagogue|party|assembly|canteen)\b|\bschool shoot(?:ing|er)\b(?=.{0,40}\b(?:i|me|my|plan|going to|want|tomorrow|next week|how)\b)",
	),
	rule(
		"vi.weapon_acquire",
		rf"\b{_INTENT} (?:\w+ ){{0,3}}(?:make|build|create|assemble|craft|3d print|print|get|buy|obtain|order|get hold of|get my hands on|sneak|bring|carry|hide|smuggle|use|cook|brew|mix|synthesi[sz]e|extract) (?:\w+ ){{0,3}}(?:{GUN}|{EXPLOSIVE}|{POISON}|{OTHER_WEAPON})\b",
		unless=_NOT_WEAPON
		+ "|"
		+ GAME
		+ r"|\bhow (?:do|does|did) (?:\w+ ){0,3}(?:work|explode|function|fire)\b|\bpoison ivy\b|\bpoisonous\b",
	),
	rule(
		"vi.blade",
		rf"\b(?:bring|brought|bringing|carry|carrying|take|taking|hide|hiding|sneak|sneaking|keep|keeping|buy|get|got|have|has) (?:a |my |his |the |some |an )?(?:\w+ )?{BLADE}\b.{{0,40}}\b(?:school|class|to the park|after school|for protection|to protect|in case|to scare|to use on|stab|fight|on him|on her|on them)\b|\b{BLADE} (?:to|into|in) (?:school|class)\b|\b(?:bring|brought|bringing|take|taking|carry|sneak) (?:a |my |his |the |some )?(?:baseball )?(?:bat|brick|hammer|crowbar|bottle|metal pole|pipe|rock|rocks) (?:to|into) (?:school|class|the park)\b.{{0,40}}\b(?:hit|hurt|smash|beat|attack|use)\b",
		unless=r"\b(?:butter|bread|palette|cake|steak|fish|fruit|kitchen|swiss army|pocket knife for camping|dt|design|wooden|toy|cardboard|fake|lightsaber|foam) (?:knife|knives|sword|swords)\b|"
		+ GAME,
	),
	rule(
		"vi.gun_school",
		rf"\b(?:bring|brought|bringing|carry|take|taking|sneak|hide) (?:a |my |his |the |dad's |my dad's )?{GUN} (?:to|into|in) (?:school|class)\b|\b(?:my|our) dad'?s {GUN}\b.{{0,40}}\b(?:school|him|her|them|use)\b",
	),
	rule(
		"vi.lethal_dose",
		r"\b(?:how much|how many|what amount of|what dose of|amount of) (?:\w+ ){0,4}(?:would|does it take to|will|to|can|could|needed to|is needed to|it takes to|do you need to|does it take)(?: \w+){0,3} (?:kill|poison|knock out|hurt|harm) (?:a person|a human|someone|somebody|him|her|them|my|a kid|a grown|an adult|people)\b",
	),
	rule(
		"vi.weapon_for_harm",
		rf"\b(?:best|good|sharpest|strongest|right|which|what) (?:{GUN}|{BLADE}|{POISON}|{OTHER_WEAPON}|bat|chemical|chemicals) (?:is best |would be best |is good )?(?:for|to) (?:stab|stabbing|kill|killing|hurt|hurting|shoot|shooting|hit|hitting|murder|murdering|attack|attacking|poison|poisoning)\b|\buntraceable (?:poisons?|weapons?|guns?)\b|\b(?:poisons?|guns?|weapons?) (?:that (?:are|is) |which (?:are|is) |is |are )?(?:untraceable|undetectable|can not be traced|leaves? no trace)\b|\b(?:mix|make|create|brew|combine)\b.{{0,30}}\b(?:toxic|poison|poisonous|deadly|lethal|nerve|chlorine|mustard) gas\b.{{0,30}}\b(?:to|and|so|for)\b.{{0,20}}\b(?:hurt|harm|kill|poison|gas|someone|somebody|him|her|them|people|locker|room|school)\b",
	),
	rule(
		"vi.make_ill",
		r"\bmake (?:him|her|them|someone|somebody|my \w+(?: \w+)?|the \w+|this \w+|that \w+) (?:\w+ )?(?:sick|ill|bleed|suffer|pass out|faint|throw up|vomit|have an? (?:\w+ )?(?:allergic reaction|reaction|seizure|asthma attack|heart attack))\b.{0,40}\b(?:without|on purpose|secretly|so (?:that )?(?:he|she|they)|revenge|deliberately|getting caught|anyone (?:knowing|noticing|finding out))\b|\b(?:put|slip|add|sneak) (?:something|laxatives|poison|drugs|pills|bleach|\w+ powder) (?:in|into) (?:his|her|their|someone's|my \w+'s|the teacher's) (?:drink|food|lunch|water|bottle|coffee|tea)\b",
	),
	rule(
		"vi.revenge",
		r"\brevenge\b.{0,60}\b(?:suffer|bleed|hurt|pain|die|dead|kill|beat|stab|punch|break|destroy (?:him|her|them))\b|\b(?:want|make|see|watch) (?:him|her|them|my \w+|that \w+) (?:to )?(?:suffer|bleed|die|cry in pain)\b",
	),
	rule(
		"vi.hurt_untraced",
		r"\b(?:hurt|harm|poison|kill|hit|beat) (?:someone|somebody|him|her|them|a person|my \w+) without (?:leaving (?:marks|bruises|evidence|a trace)|anyone (?:knowing|finding out|noticing)|getting caught|being caught)\b|\bhow (?:do|can|could|would) i get away with (?:murder|killing|hurting|stabbing|it)\b|\b(?:hide|get rid of|dispose of) (?:a|the) (?:body|dead body|corpse)\b",
	),
	rule(
		"vi.wish_dead",
		r"\bi (?:hope|wish|pray) (?:he|she|they|my \w+|that \w+|the teacher|this teacher|everyone(?: in my class)?) (?:\w+ )?(?:dies|die|would die|gets killed|get killed|was dead|were dead|drops dead|get hurt|gets hurt|gets run over)\b",
	),
	rule(
		"vi.kys_other",
		r"^(?:you should |go |just |pls |please )?(?:kill yourself|kill urself|die)\b(?! (?:is|was|means|in|meaning))|\b(?:you should|go|just go|he should|she should|they should|tell (?:him|her|them) to) (?:kill (?:yourself|urself|himself|herself|themselves)|die|drop dead)\b",
	),
	rule(
		"vi.threat_bot",
		r"\bi (?:will|am going to|'ll) (?:find|hunt|track) (?:you|him|her|them) (?:down )?(?:and|&) (?:kill|hurt|stab|shoot|beat|end)\b|\bwatch your back\b",
	),
	# Spanish / French / German / Hindi (transliterated)
	rule(
		"vi.es",
		r"\b(?:voy a|quiero|te voy a|lo voy a|la voy a|los voy a|vamos a) (?:matar(?:lo|la|los|las|te)?|apunalar(?:lo|la)?|pegar(?:le|les)|hacer(?:le|les) dano|disparar(?:le|les)?|golpear(?:lo|la|los))\b|\b(?:lo|la|los|las|te) (?:voy a|vamos a|quiero) matar\b|\bcomo (?:hacer|fabricar|construir|conseguir) (?:una |un )?(?:bomba|arma|pistola|veneno|explosivo)\b|\b(?:conseguir|consigo|comprar|compro|llevar|llevo|esconder) (?:un |una )?(?:cuchillo|navaja|pistola|arma)\b.{0,30}\b(?:instituto|colegio|escuela|clase)\b|\b(?:romper|partir)(?:le|les)? (?:la cara|los dientes|la boca)\b|\b(?:dar|pegar)(?:le|les) una paliza\b|\b(?:le|les|lo|la) voy a (?:pegar|dar|romper|partir|matar|apunalar|reventar)\b",
	),
	rule(
		"vi.fr",
		r"\bje (?:vais|veux|voudrais) (?:le |la |les |te |vous )?(?:tuer|frapper|poignarder|buter|defoncer|tabasser|empoisonner)\b|\bcomment (?:fabriquer|faire|construire|obtenir|acheter) (?:une |un )?(?:bombe|arme|pistolet|poison|explosif)\b|\bcasser la (?:gueule|figure|tete)\b|\bje vais (?:lui|le|la|les|te) (?:casser|defoncer|tabasser|buter|frapper|tuer|poignarder|planter|cogner|eclater)\b",
	),
	rule(
		"vi.de",
		r"\bich (?:bring|bringe|werde|will|mochte) (?:ihn|sie|dich|euch|den|die|meinen|meine) (?:\w+ )?(?:um|umbringen|toten|abstechen|erschiessen|schlagen|verprugeln)\b|\bwie (?:baue|mache|bastle|bekomme|kaufe) (?:ich|man) (?:eine |ein |einen )?(?:bombe|waffe|pistole|gift|sprengstoff)\b|\bich (?:bring|bringe|werde|will|mochte)(?: \w+){0,3} (?:um|umbringen|abstechen|erschiessen|verprugeln|zusammenschlagen|fertigmachen|toten)\b|\bich schlag(?:e)? (?:ihn|sie|dich|euch)(?: \w+)? (?:tot|zusammen|kaputt)\b",
	),
	rule(
		"vi.hi",
		r"\b(?:usko|use|unko|tujhe|tumhe|isko|uski)\b(?: \w+){0,3} (?:goli maar|chaku maar|maar|khatam kar)(?: dunga| dungi| daalunga| doonga| denge| dalunga)\b|\b(?:main|mai|me|hum)\b(?: \w+){0,5} (?:jaan se )?(?:maar|mar|khatam kar|chaku maar|goli maar|peet|sar phod|sir phod|haddi tod|haddiyan tod|taang tod|munh tod)(?: dunga| dungi| daalunga| daalungi| doonga| dalunga| denge| dalunga| daalenge)\b|\b(?:bomb|bandook|banduk|goli|chaku|chaaku|katta|zeher|zehar|hathiyar) (?:kaise|kese|kaisey|kahan se) (?:banaye|banate|banau|banaun|milegi|milega|laun|khareedu|kharidu|banta)\b",
	),
)


def _first_person(text: str) -> bool:
	return bool(_FIRST_PERSON.search(text))


_DISCLOSURE = re.compile(
	r"\b(?:i am|i'm|i feel|i have been|i've been|i keep|i still|i sometimes|i started|feeling|thinking about|thought about|thinking of|i want|i wanna|i might|i will|i'll|i do it|i did it|i self|my self harm|my cuts|my scars|been self|how (?:do|can|to|would|should) (?:i )?commit|my own|myself|take my)\b"
)
_TOPIC_FRAME = re.compile(
	r"\b(?:what is|what are|what does|define|definition|meaning of|support a friend|help a friend|my friend (?:who|is|does|has)|friend who|pshe|rshe|wellbeing lesson|awareness|statistics|rates?|prevention|signs of|charity|campaign|project|essay|presentation|assembly)\b"
)
_DISTRESS = re.compile(
	r"\b(?:alone|nobody cares|no one cares|hopeless|worthless|burden|give up|empty|numb|pain|crying|cry every|every night|anymore|any more|can not cope|no point|hate myself|tired of everything|want it to stop|want it all to stop)\b"
)


def self_harm_hits(text: str) -> list[Hit]:
	hits = find(SELF_HARM, text)
	kept = []
	for hit in hits:
		if hit.weak:
			continue
		if hit.rule in ("sh.suicide", "sh.self_harm"):
			# "suicide" or "self-harm" as a topic (a character, a statistic, a PSHE lesson, a friend)
			# is not a disclosure: it needs the student speaking about themselves
			topic = re.search(FICTION_OR_STUDY, text) or _TOPIC_FRAME.search(text)
			first_person = _DISCLOSURE.search(text) or (not topic and _first_person(text))
			how_to = re.search(r"\bhow (?:do|can|to|would|should|many|much)\b", text)
			if not first_person and not (how_to and not topic):
				continue
			if topic and not _DISCLOSURE.search(text):
				continue
		kept.append(hit)
	if kept:
		return kept
	weak = [h for h in hits if h.weak]
	if len(weak) >= 2:
		return weak
	if weak and not re.search(FICTION_OR_STUDY, text):
		rest = text[: weak[0].start] + " " + text[weak[0].end :]
		if _DISTRESS.search(rest):
			return weak
	return []


_ANIMATE = re.compile(
	r"\b(?:he|she|they|him|her|them|someone|somebody|people|person|everyone|everybody|nobody|dad|father|mum|mom|mam|mother|ma|parents?|step ?\w+|brother|sister|bro|sis|sibling|uncle|aunt\w*|grand\w+|nan|cousin|boyfriend|girlfriend|bf|gf|partner|ex|teacher|coach|tutor|neighbou?r|babysitter|carer|guardian|guy|guys|man|men|boy|boys|girl|girls|woman|women|kid|kids|lads?|gang|student|students|classmates?|friends?|bully|bullies|year \d+s?|sixth formers?|older \w+)\b"
)
_INANIMATE = re.compile(
	r"\b(?:ball|balls|door|car|bus|wave|waves|storm|wind|branch|bike|book|shelf|it|this|that|the (?:heat|cold|news|song|film|movie|question|realisation|thought)|reality|the truth)\s*(?:\w+\s+){0,2}$"
)


def abuse_hits(text: str) -> list[Hit]:
	hits = []
	for hit in find(ABUSE, text):
		if hit.rule == "ab.verb_me":
			before = re.split(r"[.!?;]", text[max(0, hit.start - 80) : hit.start])[-1]
			if (
				not _ANIMATE.search(before)
				or _INANIMATE.search(before)
				or re.search(FICTION_OR_STUDY, before)
			):
				continue
		hits.append(hit)
	strong = [h for h in hits if not h.weak]
	if strong:
		return strong
	weak = [h for h in hits if h.weak]
	# a secret on its own is not abuse; with an adult, a threat or touching it is
	if weak and re.search(
		r"\b(?:touch\w*|hurt\w*|hit\w*|do things|does things|did things|uncomfortable|scared|threat\w*|older|adult|grown|coach|uncle|step ?dad|stepfather|boyfriend|pics|photos|messages|man|guy|woman|stranger|online|meet|teacher|office|alone|expelled|trouble|believe|happened|or else|in his|in her|his car|his house|her house)\b",
		text,
	):
		return weak
	return []


_THIRD_PERSON_THREAT = re.compile(
	r"\b(?:he|she|they|someone|somebody|a (?:kid|boy|girl|guy|man)|some (?:kids|boys|girls|guys)|this (?:kid|boy|girl|guy))\b(?: \w+){0,4} (?:said|says|told|threaten\w*|will|would|'d|'ll|is going to|are going to|gonna|brought|bring|brings|has|had|got)\b"
)


def violence_hits(text: str) -> list[Hit]:
	hits = [h for h in find(VIOLENCE, text) if not h.weak]
	kept = []
	for hit in hits:
		if (
			hit.rule in ("vi.blade", "vi.gun_school", "vi.intent_harm_far")
			and _THIRD_PERSON_THREAT.search(text[max(0, hit.start - 60) : hit.end])
			and not re.search(r"\b(?:i|i'm|i am|im|i'll|i will|my)\b", hit.text)
		):
			continue  # someone else's weapon or threat: a disclosure (abuse), handled there
		if hit.rule == "vi.intent_harm":
			# fiction and history ("how did Macbeth kill Duncan", "how did Hitler...") ask about others;
			# a first-person intent or a how-to question stays flagged
			frame = re.search(
				r"\b(?:i|i am|i'm|me|my|we|imma|gonna|going to|how (?:do|can|could|would|should) (?:i|you|someone|one|we|u)|how to|ways to|best|easiest|quickest|where can i|plan)\b",
				hit.text,
			)
			if not frame:
				continue
			if re.search(FICTION_OR_STUDY, text) and not re.search(
				r"\b(?:i|i am|i'm|me|my|we|imma|gonna)\b", hit.text
			):
				continue
			if re.search(
				r"\b(?:kill|murder|shoot|stab|end|destroy) (?:the |this |that |a |my )?(?:process|task|thread|app|job|session|server|command|tab|loop|script|program|mood|vibe|time|lights|music|bacteria|germs|weeds|cells?)\b",
				text,
			) and not re.search(
				r"\b(?:him|her|them|someone|somebody|everyone|people|person|teacher|brother|sister|dad|mum|mom|classmate|kid)\b",
				hit.text,
			):
				continue
			if re.search(
				r"\bhow (?:did|does|do) (?:\w+ ){0,3}(?:kill|murder|stab|shoot|poison|attack|bomb|hurt)\b",
				text,
			) and re.search(FICTION_OR_STUDY, text):
				continue
		if re.search(
			r"\b(?:jk|just kidding|just joking|only joking|i am joking|joking|not literally|not really)\b",
			text,
		) and not re.search(r"\b(?:stab|shoot|shank|strangle|poison|knife|gun|bomb)\w*", text):
			continue
		kept.append(hit)
	return kept
