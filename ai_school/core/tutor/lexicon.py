"""Word lists: what sounds like school learning and what sounds like something else.

They are deliberately broad (subject vocabulary from KS3 to A level / IB, and the everyday topics
teenagers chat about) rather than drawn from the labelled set, so they carry over to unseen messages.
Entries are matched as whole words or phrases against ``Text.canon``.
"""

import re

SCHOOL_TERMS = """
maths math mathematics algebra geometry trigonometry trig calculus statistics stats probability
arithmetic equation equations inequality inequalities expression expressions formula formulae formulas
variable variables coefficient coefficients fraction fractions decimal decimals percentage percentages
percent ratio ratios proportion proportional integer integers prime primes factor factors multiple
multiples factorise factorize factorising factorizing expand expanding simplify simplifying quadratic
quadratics cubic linear polynomial polynomials exponent exponents exponential logarithm logarithms log ln
indices surd surds sqrt pythagoras pythagorean hypotenuse triangle triangles angle angles circle circles
radius diameter circumference area perimeter volume surface parallelogram trapezium rhombus polygon
polygons vertex vertices sin cos tan sine cosine tangent gradient slope intercept graph graphs axis axes
coordinate coordinates vector vectors matrix matrices derivative derivatives differentiate
differentiation integral integrals integrate integration function functions domain mean median average
averages histogram scatter correlation frequency quartile quartiles deviation variance sequence sequences
geometric simultaneous substitution rearrange bearing bearings congruent similar transformation
transformations reflection rotation enlargement translation symmetry locus loci rounding estimate
estimation bounds compound depreciation speed distance velocity acceleration displacement momentum force
forces newton newtons weight gravity gravitational friction resistance drag energy kinetic joules watts
efficiency pressure density electricity electric electrical circuit circuits voltage volts resistor
resistors ohm ohms ohm's magnet magnets magnetic magnetism electromagnet electromagnetic induction motor
generator transformer wave waves wavelength amplitude refraction lens lenses spectrum radiation
radioactive radioactivity decay isotope isotopes nuclear fission fusion atom atoms atomic electron
electrons proton protons neutron neutrons nucleus molecule molecules element elements compounds mixture
mixtures periodic metal metals nonmetal alloy ion ions ionic covalent bonds bonding reaction reactions
reactant reactants catalyst catalysts enzyme enzymes acid acids alkali alkalis ph neutralisation
neutralization salts titration electrolysis oxidation reduction redox mole moles molar concentration
solvent solute crystallisation distillation chromatography filtration hydrocarbon hydrocarbons alkane
alkanes alkene alkenes polymer polymers combustion exothermic endothermic equilibrium organic inorganic
chemistry physics biology science cells cytoplasm mitochondria mitochondrion chloroplast chloroplasts
ribosome ribosomes organelle organelles tissue tissues organ organs organism organisms photosynthesis
respiration aerobic anaerobic diffusion osmosis active transport mitosis meiosis dna rna gene genes
genetic genetics chromosome chromosomes allele alleles dominant recessive inheritance mutation mutations
evolution adaptation adaptations species ecosystem ecosystems habitat biodiversity classification kingdom
bacteria virus viruses pathogen pathogens immune antibodies antibody vaccine vaccines vaccination
antibiotic antibiotics hormone hormones insulin glucose homeostasis neurone neurons reflex
circulatory digestion breathing skeleton protein proteins carbohydrate carbohydrates lipids fats vitamins
minerals diet nutrition plant plants pollination fertilisation fertilization germination transpiration
xylem phloem stomata history historical war wars ww1 ww2 wwi wwii battle empire revolution treaty
monarchy parliament democracy dictatorship government constitution slavery abolition colonial colonialism
imperialism industrial medieval tudor tudors stuart victorian romans roman ancient egypt egyptians greece
greeks vikings normans anglo-saxons feudal feudalism crusades renaissance reformation holocaust nazi
nazis hitler stalin churchill mussolini lenin trench trenches suffragettes suffrage apartheid
independence partition mughal british raj gandhi nehru french russian american prohibition depression
weimar versailles un nato interpretation causes consequences significance geography geographical climate
change global warming weather river rivers erosion deposition meander meanders glacier glaciers volcano
volcanoes earthquake earthquakes tectonic plates plate tsunami population migration urban urbanisation
urbanization rural settlement development economy economic economics contour latitude longitude continent
continents biome biomes rainforest desert tundra coast coastal flood flooding drought sustainability
resources tourism english literature language poem poems poetry poet stanza rhyme rhythm metre meter
sonnet haiku novel novels novella fiction nonfiction non-fiction character characters characterisation
protagonist antagonist narrator narrative plot setting theme themes symbol symbolism imagery metaphor
metaphors simile similes personification alliteration onomatopoeia hyperbole irony foreshadowing quote
quotation quotes analysis analyse analyze paragraph paragraphs essay essays thesis argument persuasive
writing descriptive grammar punctuation apostrophe comma semicolon colon clause clauses noun nouns verb
verbs adjective adjectives adverb adverbs pronoun pronouns preposition conjunction sentence sentences
tense tenses spelling vocabulary vocab synonym synonyms antonym shakespeare macbeth hamlet romeo juliet
othello tempest lear dickens jekyll hyde frankenstein orwell gatsby austen bronte chaucer wordsworth
ozymandias spanish german hindi latin mandarin chinese italian japanese arabic urdu languages conjugate
conjugation conjugating subjunctive preterite imperfect future conditional infinitive gender masculine
feminine plural singular accent pronunciation translate computer computing cs programming python
javascript html css sql database databases algorithm algorithms pseudocode flowchart loop loops while
array arrays dictionary dictionaries string strings boolean methods classes recursion recursive iteration
hexadecimal hex bit bits byte bytes logic gates cpu ram memory network networks internet protocol
encryption cipher sorting sort compile compiler syntax error bug debug debugging exception business
inflation gdp market markets profit revenue tax taxes budget marketing finance accounting entrepreneur
psychology sociology philosophy ethics religion christianity islam judaism hinduism buddhism sikhism
bible quran torah gospel morality art design drawing painting sculpture perspective shading chords chord
tempo melody harmony composer symphony drama anatomy fitness citizenship pshe health homework assignment
assignments coursework worksheet worksheets revision revise revising study studying exam exams test tests
quiz quizzes gcse gcses level a-level levels ib igcse sats curriculum syllabus textbook lesson lessons
teacher teachers topic topics chapter chapters module exercise exercises experiment experiments
hypothesis conclusion evaluation galaxy galaxies planet planets universe orbit orbits astronomy telescope comet asteroid scientific
learn learning understand concept concepts theorem theories definition
define principle law laws
""".split()

SCHOOL_PHRASES = [
	"nervous system",
	"black hole",
	"black holes",
	"solar system",
	"light year",
	"big bang",
	"lord of the flies",
	"of mice and men",
	"to kill a mockingbird",
	"wuthering heights",
	"jane eyre",
	"pride and prejudice",
	"great expectations",
	"a christmas carol",
	"merchant of venice",
	"midsummer night's dream",
	"dulce et decorum est",
	"great depression",
	"civil rights",
	"civil war",
	"united nations",
	"league of nations",
	"primary source",
	"secondary source",
	"physical education",
	"religious studies",
	"religious education",
	"colour theory",
	"music theory",
	"food web",
	"half-life",
	"merge sort",
	"dramatic irony",
	"present tense",
	"past tense",
	"future tense",
	"a level",
	"a levels",
	"sig figs",
	"1984",
	"nth term",
	"world war",
	"cold war",
	"natural selection",
	"food chain",
	"periodic table",
	"climate change",
	"global warming",
	"standard form",
	"significant figures",
	"potential difference",
	"half life",
	"an inspector calls",
	"of mice and men",
	"lord of the flies",
	"animal farm",
	"to kill a mockingbird",
	"computer science",
	"creative writing",
	"supply and demand",
	"linked list",
	"binary search",
	"bubble sort",
	"for loop",
	"while loop",
	"nth term",
	"past paper",
	"past papers",
	"mark scheme",
	"times tables",
	"long division",
	"column method",
	"present perfect",
	"passive voice",
	"direct object",
	"cell membrane",
	"big o",
]

OFF_TOPIC_TERMS = """
fortnite minecraft roblox valorant gta fifa cod warzone apex overwatch pokemon zelda mario nintendo xbox
playstation ps4 ps5 steam twitch streamer streamers streaming youtuber youtubers tiktok tiktoker
instagram insta snapchat discord reddit twitter facebook whatsapp followers follower likes viral meme
memes emoji vbucks v-bucks robux loadout ranked grind noob gamer gaming gameplay controller headset
speedrun genshin skyrim netflix spotify playlist song songs singer rapper rap album albums concert
tickets celebrity celebrities kardashian drake beyonce bts kpop blackpink marvel avengers spiderman
spider-man batman superman anime manga naruto movie movies film films cinema episode actor actress
football soccer messi ronaldo neymar haaland mbappe nba lebron basketball nfl cricket ipl tennis ufc wwe
wrestling boxing crush girlfriend boyfriend dating rizz kissing breakup relationship prom
valentine outfit outfits clothes shoes trainers sneakers nike jordans adidas hoodie fashion makeup
skincare haircut nails perfume pizza burger burgers fries mcdonalds kfc nandos subway chips snacks snack
candy sweets chocolate recipe recipes bake baking pancakes cookies dog dogs puppy puppies cat cats kitten
kittens pet pets hamster birthday vacation christmas halloween joke jokes funny riddle riddles prank
pranks lol lmao haha bruh bro fam vibe vibes sus iphone android samsung gpu skateboard rich crypto
bitcoin nft nap mid rizzler bussin cap slay gyatt skibidi sigma delulu goat aura ratio bestie buy buying
cheapest cheap price prices airpods headphones earbuds phone wifi boxer boxers acne spots pimples slime
uno monopoly cards workout gym abs sixpack ghosts ghost aliens ufo conspiracy egg eggs pasta noodles cake
dye chats chiens perro perros gato gatos hund katze lieblingsessen lieblingsfarbe lieblingsfilm pelicula
peliculas videojuegos futbol jeux khana gaana room brother sister mum dad mom parents
""".split()

CHITCHAT = re.compile(
	r"^\s*(?:hi+|hey+|hello+|yo+|sup|wassup|what'?s up|whats up|what is up|hiya|howdy|hola|bonjour|hallo|namaste|good (?:morning|afternoon|evening|night)|gm|gn|thanks?|thank you|thx|ty|ok+|okay|k|cool|nice|lol|lmao|haha+|bye|see you|cya)\b[\s!.?,]*(?:(?:how are you|how r u|how are u|how is it going|how's it going|wbu|hbu|you there|are you there|there|bot|mate|bro|buddy|again|so much|a lot|lol)\b[\s!.?,]*)*$"
	r"|\b(?:what is up|how are you|how r you|how are u|how old are you|what is your name|who (?:made|created|built) you|are you (?:a )?(?:real|human|robot|bot|sentient|alive|conscious|person|chatgpt|gpt|an ai|ai)|do you (?:have|feel) (?:feelings|emotions|a (?:girlfriend|boyfriend|family|name))|can you be my (?:friend|girlfriend|boyfriend|bestie)|do you like (?:music|songs|games|me|football|anime|movies|films|pizza|dogs|cats)|do you (?:get|ever get) (?:bored|tired|lonely|sad)|do you have (?:a |an )?(?:pet|pets|friends|family|hobbies)|what is good|tu as (?:un|une|des) \w+|hast du (?:ein|eine|einen)? ?\w+|what do you (?:like|listen to|watch|do for fun|eat)|do you listen to|(?:tu|ton|ta) (?:\w+ )?(?:favorit[ao]|prefere|preferee)|lieblings\w+|(?:tumhara|aapka|tera|teri) (?:\w+ )?(?:favourite|favorite|pasandida)|do you like me|i am bored|i'm bored|im bored|so bored|tell me a joke|tell me something funny|say something funny|what is your favou?rite|what's your favou?rite|do you sleep|do you dream|where do you live|are you (?:a boy|a girl|male|female)|wanna talk|can we (?:just )?(?:talk|chat)|let's (?:talk|chat) about something else|i love you|you are (?:dumb|stupid|useless|annoying|the best|cool|funny)|you're (?:dumb|stupid|useless|annoying|the best|cool|funny))\b"
)


def _phrase_pattern(words: list[str]) -> re.Pattern:
	alternatives = sorted({re.escape(w) for w in words}, key=len, reverse=True)
	return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


OFF_TOPIC_PHRASES = [
	"world cup",
	"premier league",
	"champions league",
	"super bowl",
	"video game",
	"video games",
	"tv show",
	"music video",
	"best friend",
	"my crush",
	"ask her out",
	"ask him out",
	"go out with",
	"make money",
	"get rich",
	"lose weight",
	"gain weight",
	"stay up",
	"what should i wear",
	"what should i watch",
	"what should i eat",
	"good night",
	"how are you",
	"cheat code",
	"cheat codes",
	"taylor swift",
	"mr beast",
	"mrbeast",
	"real madrid",
	"man city",
	"man utd",
	"manchester united",
	"liverpool",
	"arsenal",
	"chelsea",
	"barcelona",
	"new shoes",
	"among us",
	"one piece",
	"clash royale",
	"brawl stars",
	"elden ring",
	"league of legends",
	"formula 1",
	"formula one",
	"demon slayer",
	"disney plus",
	"k-pop",
	"part-time job",
	"virat kohli",
	"billie eilish",
	"ariana grande",
	"of all time",
	"earn money",
	"make money",
	"kill time",
	"car journey",
	"car ride",
	"road trip",
	"ask a girl out",
	"ask a guy out",
	"ask a boy out",
	"ask someone out",
	"bath bomb",
	"smoke bomb",
	"weather today",
	"weather tomorrow",
	"weather going to be",
	"weather like",
	"dye my hair",
	"my hair",
	"board game",
	"card game",
	"boil an egg",
	"my room",
	"little brother",
	"little sister",
	"to buy",
	"crisps",
	"hobbies",
	"hobbys",
	"hobby",
	"hast du",
	"do you have hobbies",
	"won the match",
	"the match last night",
	"the game last night",
	"what time is it",
	"sleepover",
	"fun fact",
	"hours of sleep",
	"i sleep",
	"nose piercing",
	"piercing",
	"sleep over",
	"broke up",
	"energy drink",
	"energy drinks",
	"richest person",
	"net worth",
	"not for school",
	"just for fun",
	"for fun",
	"champions",
	"favourite colour",
	"favorite color",
]

SCHOOL = _phrase_pattern(SCHOOL_TERMS + SCHOOL_PHRASES)
OFF_TOPIC = _phrase_pattern(OFF_TOPIC_TERMS + OFF_TOPIC_PHRASES)


# "mean" in "what does that mean" is not statistics
_MEAN_AS_MEANING = re.compile(
	r"(\b(?:does|do|did|i|you|would|that|it|this)\b(?:\s+\S+){0,6}?\s+)mean(?:s|t)?\b"
)


def school_terms(canon: str) -> list[str]:
	"""The distinct school words and phrases in ``canon``."""
	return sorted(set(SCHOOL.findall(_MEAN_AS_MEANING.sub(r"\1", canon))))


def off_topic_terms(canon: str) -> list[str]:
	"""The distinct everyday-life words and phrases in ``canon``."""
	return sorted(set(OFF_TOPIC.findall(canon)))
