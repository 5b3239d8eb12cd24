"""Detectors for what a safe message wants: exam content, a finished answer, understanding, or
something that is not school learning at all. They read ``Text.canon``.

The line between ``solve_request`` and ``concept`` is intent, not topic: "solve 2x+3=11" and "what's
the answer to q4" want the result; "how do I solve 2x+3=11", "I got x=4, is that right?" and
"test tomorrow, explain mitosis" want understanding. An explicit wish for the result ("just the
answer", "do it for me", "so I can copy it") outweighs polite framing; a bare task (an equation, a
pasted question, "write an essay on...") counts as a request unless the student asks to understand.
"""

import re

from ai_school.core.tutor.patterns import Hit, find, rule

# --- exam content -----------------------------------------------------------------------------

_EXAM = r"(?:orals?|oral exam|speaking test|listening test|reading test|spelling test|vocab test|exams?|tests?|quiz|quizzes|assessments?|midterms?|mid-terms?|mid terms?|finals|final exam|final test|mocks?|mock exam|papers?|exam paper|boards?|board exams?|sats|gcses?|igcse|a ?levels?|unit test|class test|pop quiz|end of (?:unit|year|term) test|eoy|controlled assessment|examen|examenes|prufung|klausur|klassenarbeit|controle|interro|interrogation|evaluation|bac|brevet|pariksha|imtihan|viva|practical exam|oral exam|speaking exam|listening exam)"
_NOT_EXAM_TEST = r"(?:(?<!end of )unit|blood|covid|pregnancy|t|chi|chi-squared|chi squared|flame|litmus|iodine|benedict'?s|biuret|turing|stress|eye|drug|dna|integration|smoke|ab|a/b|z|f|mann-whitney|spearman|student'?s|hypothesis|significance|acid|starch|glucose|protein|lipid|emulsion|limewater|splint|field|crash|speed|personality|iq|reaction time|penetration)"
_UPCOMING = r"(?:tomorrow|tomorrow's|tomorrows|next|upcoming|coming|friday's|monday's|tuesday's|wednesday's|thursday's|saturday's|sunday's|fridays|mondays|this week's|next week's|today's|todays|this year's|this years|the real|the actual|our|my|the|this|that|final|end of year|end of term|2024|2025|2026|2027|the \w+)"

EXAM = (
	rule(
		"exam.in_now",
		rf"\b(?:i am|i'm|im|we are|we're|currently|right now|at the moment) (?:\w+ )?(?:in|doing|taking|sitting|writing|in the middle of|halfway through|inside|still in|on|answering|stuck on)(?: my| the| an| a| this| our| today's)? (?:\w+ ){{0,3}}{_EXAM}\b(?!.{{0,30}}\b(?:tomorrow|next|later|on (?:monday|tuesday|wednesday|thursday|friday)|soon|this week|revision|practice)\b)(?=.{{0,80}}\b(?:now|right now|at the moment|quick|quickly|hurry|fast|asap|help|what|how|which|answer|question|q\d|number \d|tell|give|minutes?|mins?|left|timer|time|teacher|invigilator|not looking|solve|is it|need|translate|translation|can you|could you|please|pick|choose|which|explain|formula|define)\b|\s*[.!?]*\s*$)",
		unless=rf"\b{_NOT_EXAM_TEST} tests?\b|\bpractice (?:test|exam|paper|quiz)\b|\btest (?:case|cases|tube|suite)\b|\bmock\b.{{0,20}}\b(?:yesterday|last)\b",
	),
	rule(
		"exam.time_left",
		rf"\b(?:\d+|few|ten|five|fifteen|twenty|thirty|two|three|a couple of) (?:more )?(?:minutes?|mins?|min|seconds?|secs?) (?:left|remaining|to go|before (?:the|my|it)|until (?:the|it))\b.{{0,40}}\b(?:{_EXAM}|hand it in|submit|ends|finishes|timer|time is up|time's up)\b|\b{_EXAM}(?: \w+){{0,3}} (?:ends|finishes|closes|is over|shuts|locks|times out) in (?:\d+|a few|ten|five|fifteen|twenty|thirty)\b|\b(?:timer|clock) is (?:running|ticking|going)\b",
	),
	rule(
		"exam.now_tag",
		rf"^\s*(?:(?:quick|hurry|help|urgent)[ ,!:]+)?(?:{_EXAM}) (?:now|right now|rn|atm|in progress|happening now)\b|\b(?:hurry|quick|quickly|fast)\b.{{0,30}}\b(?:teacher|invigilator|proctor|sir|miss) (?:is|'s) (?:coming|coming back|back|walking (?:over|around|past))\b",
	),
	rule(
		"exam.teacher_out",
		rf"\b(?:teacher|invigilator|proctor|sir|miss|examiner)\b (?:\w+ )?(?:stepped out|left the room|went out|walked out|is out of the room|is not in the room|popped out|is outside|left us)\b.{{0,60}}\b{_EXAM}\b|\b{_EXAM}\b.{{0,60}}\b(?:teacher|invigilator|proctor|sir|miss) (?:\w+ )?(?:stepped out|left the room|went out|walked out|is out of the room|popped out|is outside|left)\b",
	),
	rule(
		"exam.on_now",
		rf"\b(?:it is|it's|its|the \w+ is) (?:on|happening|live|going on|open) (?:now|right now|rn|at the moment)\b(?=.{{0,80}}\b(?:{_EXAM}|answer|question|number \d+)\b)|\b{_EXAM}\b.{{0,60}}\b(?:it is|it's|its) (?:on|happening|live|going on) (?:now|right now|rn)\b|\bwhat (?:questions|qs) (?:the |my |our )?(?:\w+ ){{0,3}}{_EXAM} (?:will|is going to|might|would) (?:have|include|contain|ask)\b|\b{_EXAM} (?:\d )?(?:questions|answers|qs) for (?:this|next) (?:summer|year|june|may|term|week|winter|spring)\b",
	),
	rule(
		"exam.covert",
		r"\b(?:teacher|invigilator|proctor|examiner|sir|miss|mr \w+|mrs \w+|ms \w+) (?:is not|isn't|is n't|not|can not|cannot|can't) (?:looking|watching|see|see me|in the room|here)\b|\bbefore (?:the |my |our )?(?:teacher|invigilator|proctor|examiner|sir|miss) (?:sees|notices|comes back|catches|looks)\b|\b(?:sneak\w*|secretly|hidden|hiding) (?:my |a )?(?:phone|this)\b.{0,30}\b(?:exam|test|quiz)\b|\bin the exam hall\b|\bexam hall\b",
	),
	rule(
		"exam.during",
		rf"\b(?:during|mid|in the middle of) (?:the |my |this |an |our )?(?:\w+ ){{0,3}}{_EXAM}\b.{{0,40}}\b(?:now|right now|help|quick|quickly|answer|tell me|what is|what's)\b|\b(?:this|it) is (?:on|from|for|in) (?:the|my|our|this) (?:{_EXAM}) (?:right now|now|i am doing|i'm doing|i am taking|i'm taking|that i am|that i'm|today)\b|\b{_EXAM} (?:started|is on|is happening|is going on|is live|is open|has started)\b(?! (?:on|at) \w+day)",
		unless=rf"\b{_NOT_EXAM_TEST} tests?\b",
	),
	rule(
		"exam.ask_questions",
		rf"\b(?:what|which) (?:questions?|qs|problems|exercises?|tasks?|essay questions?|topics? exactly|extracts?|poems?|texts?|sources?|words|equations) (?:will|are|is|would|might|could|do you think will|are going to|is going to|gonna|come|are likely|is likely|usually)\b.{{0,30}}\b(?:on|in|for|be|come|coming|appear|asked|set|given)\b.{{0,30}}\b{_EXAM}\b|\bwhat (?:will|is going to|are they going to|do you think will|might) (?:be|come|appear|show up|be asked|be set|be given)(?: up)? (?:on|in) (?:the |my |our |tomorrow's |next |this |friday's |monday's |that )?(?:\w+ ){{0,4}}{_EXAM}\b|\bwhat (?:is|'s) (?:on|in) (?:the |my |our |tomorrow's |next |this |friday's |monday's )(?:\w+ ){{0,4}}{_EXAM}\b|\b{_EXAM} (?:questions|answers|qs|paper|answer key|mark ?scheme) (?:for|from|of) (?:tomorrow|next|this (?:week|year|term)|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b|\b(?:get|send|give|find|steal|hack|show|leak|share|bring) (?:me |us )?(?:the |a copy of the |tomorrow's |next week's |this year's |our |my )?(?:\w+ )?{_EXAM} (?:paper|papers|questions|answers|answer key|mark ?scheme)\b|\b(?:exact|actual|real) (?:questions|qs|paper)\b|\bthe (?:questions|qs|paper|essay questions?) (?:that |which )?(?:will|are going to|is going to|gonna|might|are likely to) (?:come|be|appear|show up|be asked|be set)(?: up)? (?:in|on) (?:my |the |our |tomorrow's |next |this |friday's |monday's )?(?:\w+ ){{0,3}}{_EXAM}\b",
		unless=rf"\b{_NOT_EXAM_TEST} tests?\b|\bpractice (?:test|exam|paper|quiz)\b|\btopics?\b(?! exactly)",
	),
	rule(
		"exam.answers_to",
		rf"\b(?:answers?|answer key|answer sheet|mark ?scheme|marking scheme|solutions?|questions?|the paper|the qs|the questions|exam paper|test paper|model answers?|memo)\b (?:\w+ ){{0,2}}(?:to|for|of|on|from|in)\b (?:the |our |my |this )?{_UPCOMING}(?: \w+)? (?:\w+ )?{_EXAM}\b",
		unless=rf"\b{_NOT_EXAM_TEST} tests?\b|\b(?:practice|sample|past|revision|specimen|example|textbook|worksheet|homework|mock|last year's|last years|old) (?:\w+ )?(?:tests?|exams?|papers?|quiz|quizzes|questions)\b|\b(?:end of|at the end of|in) (?:the |this )?(?:chapter|textbook|book|lesson)\b|\b(?:i got|i had|we had|i did|was on|were on|yesterday|last week|got back|returned|marked)\b",
	),
	rule(
		"exam.leak",
		r"\b(?:leak|leaked|leaks|leaking|stolen|got hold of|get hold of|somebody has|someone has|someone got|found) (?:\w+ ){0,3}(?:paper|papers|exam|test|questions|answers|answer key|mark scheme)\b|\bpaper (?:leak|out|leaked)\b|\b(?:exam|test|quiz|paper) (?:leak|leaked)\b|\b(?:paper|papers|exam|test|quiz|questions|answers|answer key|mark scheme) (?:\w+ ){0,2}(?:got |have been |has been |was |were |being |is )?(?:leaked|stolen)\b",
	),
	rule(
		"exam.teacher_will_ask",
		r"\bwhat (?:will|is going to|might|would) (?:mr \w+|mrs \w+|ms \w+|miss \w+|miss|sir|the teacher|my teacher|our teacher|the examiner|the examiners|the exam board|they) (?:ask|put|give|set|include|test us on)\b(?! (?:for homework|in class))|\b(?:predict|guess|tell me|know) (?:me )?(?:the )?(?:exact|actual|real) (?:questions|qs|paper|answers)\b|\b(?:predict|guess) (?:the |what )?(?:questions|qs) (?:on|in|for|will be)\b",
	),
	rule(
		"exam.es",
		r"\bestoy (?:en|haciendo) (?:el |un |pleno |mi )?(?:examen|control|test|prueba)\b|\b(?:respuestas|preguntas|soluciones) (?:del|de la|para el|para la) (?:examen|control|prueba|test) (?:de manana|del lunes|del martes|del miercoles|del jueves|del viernes|de la semana que viene|final)\b|\bque (?:va a|vendra|viene|sale|saldra|entra) en el examen\b|\b(?:respuestas|preguntas|soluciones) del (?:examen|control|test|parcial)(?: \w+){0,4} (?:de manana|del lunes|del martes|del miercoles|del jueves|del viernes|de la proxima semana|de la semana que viene)\b",
	),
	rule(
		"exam.fr",
		r"\bje suis en (?:plein |train de faire (?:mon |un |le )?|train de passer (?:mon |un |le |l')?)?(?:controle|examen|exam|interro|evaluation|bac)\b|\b(?:reponses|questions|sujet|sujets|corrige) (?:du|de l'|de la|de notre) (?:examen|controle|interro|evaluation|bac|brevet|exam) (?:de demain|de lundi|de mardi|de mercredi|de jeudi|de vendredi|prochain|de la semaine prochaine)\b|\ble sujet du (?:bac|brevet) (?:de cette annee|20\d\d)\b",
	),
	rule(
		"exam.de",
		r"\bich (?:schreibe|bin in|habe|sitze in) (?:gerade|jetzt|grad) (?:eine |die |einen |der |meine )?(?:prufung|klausur|klassenarbeit|test|ex)\b|\b(?:antworten|fragen|losungen|aufgaben) (?:fur|zur|der|von der|aus der) (?:morgigen |nachsten |kommenden )?(?:prufung|klausur|klassenarbeit|test)\b|\bich bin (?:gerade|jetzt|grad) in (?:der|einer|meiner) \w*(?:arbeit|klausur|prufung|test)\b|\bwas kommt (?:in|bei|im) (?:der |dem |die )?(?:\w+ )?(?:prufung|klausur|klassenarbeit|test)\b.{0,40}\b(?:dran|vor|genauen fragen)\b|\bdie genauen fragen\b",
	),
	rule(
		"exam.hi",
		r"\b(?:exam|test|paper|pariksha) (?:mein|me|main) kya (?:aayega|ayega|aaega|aega|puchega|puchenge|aane wala)\b|\babhi (?:mera |meri |hamara |mere )?(?:exam|test|paper|quiz) (?:chal raha|chal rahi|de raha|de rahi|mein hoon|me hu|mein hu|me hoon|ho raha)\b|\bkal ke (?:test|exam|paper) (?:ke|ka|ki) (?:answers|questions|jawab|sawal|paper)\b|\bpaper (?:leak|out) (?:ho gaya|hua|hai)\b",
	),
)

# --- solve requests ---------------------------------------------------------------------------

_WORK = r"(?:personal statement|cover letter|statement|cv|application|powerpoint|poster|homework|assignment|assignments|essay|essays|worksheet|worksheets|coursework|project|report|paragraph|paragraphs|paper|lab report|book report|exercise|exercises|questions|problems|task|tasks|sheet|reading log|poem|story|presentation|slides|code|program|letter|speech|conclusion|introduction|intro|summary|answers|maths|math|french|spanish|german|english|science|history|geography|chemistry|physics|biology|review|analysis|evaluation|response|write-up|write up|writeup|work|sums|equations|problem set|stuff|ones|rest|whole thing|thing|revision notes|notes|hw)"
_GIVE = (
	r"(?:give|tell|send|show|get|write|type|list|provide|gimme|pass|drop|post|share|need|want|just|put|bring)"
)
_ANSWER = r"(?:answers?|solutions?|answer key|working ?out|workings|final answer|results?|the correct one|the right one|correct option|right option)"

SOLVE_STRONG = (
	rule(
		"solve.give_answer",
		rf"\b{_GIVE} (?:me |us |out )?(?:just |only |quickly |straight )?(?:the |all the |all |my |your |a |final |full |complete |correct |right |exact |actual |whole |fully |worked |written |step by step )*{_ANSWER}\b(?! (?:is|was|should|must|has to|needs to|to be|format|in (?:cm|m|kg|g|degrees|standard form|terms of|a sentence)))",
	),
	rule(
		"solve.answer_please",
		r"\b(?:the )?answers? (?:please|pls|plz|asap|now|quick|quickly|fast)\b|^\s*answers?\s*(?:please|pls|plz|this|these|it|:)|\b(?:need|needed|want) (?:it|this|the answer|that|them) (?:for|4) (?:my |the |a |our )?(?:homework|worksheet|question \d+|q\d+|questions? \d+|assignment|essay|project|test|quiz|coursework)\b",
	),
	rule(
		"solve.homework_ref",
		r"\b(?:it is|it's|its|this is|that is|thats|that's) (?:q|question|number|no\.?|ex|exercise|task|problem) ?\d+[a-z]? (?:on|of|from|in) (?:my|the|our|this) (?:sheet|worksheet|homework|hw|assignment|paper|textbook|book|packet)\b|\b(?:on|from) my (?:worksheet|homework sheet|hw sheet|homework)\b.{0,20}\b(?:q|question|number) ?\d+",
	),
	rule(
		"solve.what_answer",
		r"\bwhat (?:is|are|was|were|'s|would be|will be) (?:the |my |its |their )?(?:final |correct |right |actual )?(?:answers?|solutions?|result|final answer|outcome)\b(?! (?:supposed|meant) to look| (?:format|like))|\bwhich (?:one|option|answer|letter) is (?:correct|right|the answer|it)\b|\bwhich (?:is|one is) (?:the )?(?:correct|right) (?:answer|option|one)\b",
	),
	rule(
		"solve.do_my",
		rf"\b(?:do|doing|write|writing|finish|finishing|complete|completing|make|making|type|typing|draft|drafting|compose|answer|answering|solve|solving|fill in|fill out|translate|translating|code|program|summari[sz]e|paraphrase|rewrite|re-write|redo|fix|correct|create|build|prepare|produce|plan|take|sit) (?:\w+ )?(?:my|our|the whole|this whole|all (?:my|the|of my|of the|these|those)|these|those|the rest of (?:my|the)|all|the) (?:\w+ ){{0,3}}{_WORK}\b(?! (?:for me to check|so i can check|with me|together))",
		unless=r"\b(?:how (?:do|can|should|would) i|how to|help me (?:understand|learn|plan|structure|start|with how)|teach me|explain how|tips|advice|where (?:do|should) i start|show me how|walk me through|(?:can you |could you |please |pls )?check (?:my|if|whether|this|over)|feedback|improve|mark|look over|read through|proofread)\b",
	),
	rule(
		"solve.for_me",
		r"\b(?:do|write|solve|finish|complete|answer|make|type|translate|draft|compose|calculate|work out|figure out|code|fill in|fill out|find|summari[sz]e|rewrite|create|fix|correct|sort out|deal with) (?:\w+ ){0,5}(?:for me|for us|4 me|for my (?:homework|assignment|class|teacher|essay|project|coursework|worksheet)|instead of me)\b",
		unless=r"\b(?:explain|check|feedback|example|examples|hint|hints|practice|quiz me|test me|how (?:do|to)|flashcards?)\b",
	),
	rule(
		"solve.copy",
		r"\bso (?:that )?i (?:can|could|may) (?:just |simply )?(?:copy|hand (?:it |this )?in|submit|turn (?:it |this )?in|paste|write it down|put it in my book|hand it over|get it done|finish quickly|be done|go to bed|play|chill)\b|\bcopy (?:and|&|n) paste\b|\bi (?:will|can|'ll) (?:just )?copy (?:it|that|them|yours)\b|\b(?:to copy|copy it) (?:down|out|into|word for word)\b|\bi (?:need|want) to (?:hand|turn) (?:it|this) in\b",
	),
	rule(
		"solve.no_explain",
		r"\b(?:no|without|skip|do not need|do not want|don't need|don't want|dont need|dont want|spare me|no need for|never mind|nvm|forget) (?:the |an |any |your |all the |all )?(?:explanations?|explaining|working|working out|steps|lecture|lectures|hints?|methods?|teaching|lesson|lessons|questions|learning)\b(?!.{0,30}\b(?:i (?:want|need) to (?:learn|understand)|please explain)\b)|\b(?:just|only) (?:the |give me the |tell me the |need the |want the |send the )?(?:answers?|final answer|final answers|number|numbers|result|letter|solution|solutions|output|the correct one)\b|\banswers? only\b|\bjust answer\b|\bjust (?:tell|give|show|send|write) (?:me|us|it)\b|\bstop (?:asking|explaining|teaching|giving (?:me )?hints|with the (?:hints|questions))\b|\bi (?:do not|don't|dont) (?:care|need|want) (?:about |to )?(?:how|why|the (?:method|steps|working|explanation)|understand|learn|know how)\b|\bjust do (?:it|this|that|them|the)\b",
		negatable=False,
	),
	rule(
		"solve.due",
		r"\b(?:due|deadline|hand in|handed in|submit|submitted|needs to be in|due in|is due|due at|due by)\b.{0,40}\b(?:tomorrow|tonight|today|in an hour|in \d+ (?:hours?|hrs?|mins?|minutes?)|first thing|monday|morning|asap|midnight)\b.{0,60}\b(?:write|do|finish|complete|answers?|solve|make|give me|send me|type)\b|\b(?:write|do|finish|complete|solve|make|give me|send me|type)\b.{0,60}\b(?:due|deadline|hand in|submit)\b.{0,30}\b(?:tomorrow|tonight|today|in an hour|in \d+ (?:hours?|hrs?|mins?|minutes?)|first thing|asap|midnight)\b",
		unless=r"\b(?:explain|how (?:do|to|should|can)|understand|tips|help me (?:plan|start|understand)|where do i start|check|feedback|hint|advice)\b",
	),
	rule(
		"solve.es",
		r"\b(?:hazme|haz me|haces|hacerme|puedes hacer|puedes hacerme|me haces|me puedes hacer) (?:la|el|mi|mis|los|las) (?:tarea|tareas|deberes|ejercicio|ejercicios|trabajo|redaccion|ensayo|proyecto)\b|\b(?:haz|hace|termina|escribe|escribeme|resuelve|resuelveme) (?:mi|mis|la|el|los|las|este|esta|estos|estas|un|una) (?:\w+ )?(?:tarea|tareas|deberes|ejercicio|ejercicios|ecuacion|ecuaciones|problema|problemas|redaccion|ensayo|trabajo|texto)\b|\bdame (?:la|las|el|los) (?:respuesta|respuestas|solucion|soluciones|resultado)\b|\bcual es la (?:respuesta|solucion)\b|\bresuelve(?:me|lo|la)?\b|\btraduce(?:me)? (?:esto|este|esta|el|la|mi)\b",
	),
	rule(
		"solve.fr",
		r"\b(?:fais|faites|fait|termine|ecris|ecris-moi|ecrire|resous|resoudre) (?:moi )?(?:mes|mon|ma|cet|cette|ces|le|la|les|un|une) (?:\w+ )?(?:devoirs|devoir|exercices?|redaction|dissertation|texte|essai|probleme|equation|equations|expose|commentaire)\b|\bdonne(?:-moi| moi)? (?:la|les|juste la|juste les) (?:reponse|reponses|solution|solutions|resultat)\b|\bquelle est la (?:reponse|solution|bonne reponse)\b|\bresous\b|\btradui(?:s|t)(?:-moi| moi)? (?:ce|cette|ca|mon|ma)\b",
	),
	rule(
		"solve.de",
		r"\b(?:mach|mache|schreib|schreibe|lose|loese|loes|erledige) (?:bitte )?(?:mir )?(?:bitte )?(?:meine|mein|meinen|die|den|das|diese|diesen|dieses|eine|einen) (?:\w+ )?(?:hausaufgaben|hausaufgabe|aufgabe|aufgaben|aufsatz|text|essay|gleichung|gleichungen|referat|erorterung|ubung|ubungen)\b|\bgib mir (?:die|alle|einfach die) (?:antwort|antworten|losung|losungen|ergebnisse|ergebnis)\b|\bwas ist die (?:antwort|losung|richtige antwort)\b|\bubersetz(?:e)? (?:mir )?(?:das|diesen|diese|den)\b",
	),
	rule(
		"solve.hi",
		r"\b(?:mera|meri|mere|ye|yeh|is|iska|iski|ek) (?:\w+ )?(?:homework|hw|assignment|essay|kaam|project|question|sawal|worksheet|nibandh|paragraph|letter) (?:\w+ )?(?:kar|likh|bana|solve kar|pura kar|complete kar)(?: ke)? (?:do|dijiye|de|dena|do na|doge|dogi|denge)\b|\b(?:answer|answers|jawab|uttar|solution|ans) (?:bata|de|likh|bhej|send kar)(?: ke)? (?:do|dijiye|de|dena|na|do na)\b|\bsolve kar(?: ke)? (?:do|dijiye|de|dena)\b|\b(?:iska|iske|inka|is sawal ka|is question ka) (?:answer|jawab|uttar|solution) (?:kya hai|batao|bata do|do|dedo|de do)\b",
	),
)

_TASK_VERB = r"(?:solve|calculate|work out|find|evaluate|simplify|factori[sz]e|fully factori[sz]e|expand|differentiate|integrate|prove|show that|balance|convert|compute|determine|write|translate|answer|complete|fill in|fill out|name|list|state|rearrange|make \w+ the subject|round|estimate|plot|draw|sketch|construct|label|identify|match|sort|classify|conjugate|rewrite|correct|summari[sz]e|paraphrase|compose|draft|code|program|implement|create|design|give|find out|give me \d+)"
SOLVE_TASK = (
	rule(
		"task.imperative",
		rf"^(?:(?:please|pls|plz|can you|could you|can you please|could you please|would you|will you|would you mind|hey|hi|hello|yo|ok|okay|so|quick|quickly|urgent|help|help me|i need you to|i want you to|you need to|need you to|need to|ai|tutor|bot|pls can you|please can you|can u|could u|just|sir|miss|mate|bro)[ ,!:]*)*{_TASK_VERB}\b",
	),
	rule(
		"task.ask_direct",
		rf"\b(?:can|could|would|will) (?:you|u) (?:please |pls |just |quickly |kindly )?{_TASK_VERB} (?:\w+ ){{0,3}}(?:this|these|it|them|that|the following|my|for|x|y|the (?:equation|expression|value|answer|sum|integral|derivative|area|volume|perimeter|angle|length|missing|gradient|mean|median|probability|following|passage|text|sentence|paragraph|poem|essay|story|letter|speech|code|program|function|question|problem|blanks?))\b",
	),
	rule(
		"task.i_need",
		r"\bi (?:need|want|would like|'d like) (?:you to |u to |someone to |somebody to )?(?:write|do|solve|complete|finish|answer|translate|make|get|have) (?:\w+ ){0,3}(?:an? |the |my |this |these |some |\d+ )(?:\w+ ){0,2}(?:essay|paragraph|story|poem|letter|speech|report|answers?|solutions?|summary|conclusion|introduction|paper|code|program|presentation|sentences|words|questions|problems|equation|worksheet|homework|assignment|project)\b",
		unless=r"\b(?:help (?:me )?(?:with|to)|understand|learn|explain|how (?:to|do)|feedback|check|tips|ideas?|plan|practice|example|examples)\b",
	),
	rule(
		"task.need_work",
		r"\bi (?:need|want|would like|'d like) (?:a|an|the|my|some|\d+) (?:\w+ ){0,3}(?:essay|paragraph|story|poem|letter|speech|report|summary|presentation|powerpoint|poster|conclusion|introduction|answers|solutions)\b(?! (?:structure|plan|template|outline|tips|ideas|help|topic|question|checked|marked|feedback))",
	),
	rule(
		"task.make_me",
		r"^(?:(?:please|pls|plz|can you|could you|hey|hi|yo|ok|okay|so|quick|just)[ ,!:]*)*make (?:me |us )?(?:a|an|some|my|the) (?:\w+ ){0,3}(?:powerpoint|presentation|poster|essay|story|poem|report|summary|notes|slides|leaflet|speech|letter|timeline|mind ?map|table|list|paragraph)\b",
	),
	rule(
		"task.numbered",
		r"\b(?:questions?|q|qs|ex|exercise|exercises|numbers?|problems?|nos?|tasks?|parts?|activity|activities) ?\d+[a-z]?(?: ?(?:-|to|and|&|,|through|n|till) ?(?:q ?)?\d+[a-z]?)+\b|\bpage \d+\b.{0,30}\b(?:questions?|exercises?|ex|problems?|answers?|all)\b|\b(?:questions?|exercises?|ex|problems?|answers?|all)\b.{0,30}\bpage \d+\b|(?:^|\n)\s*(?:q?\d+[.)]|\([a-d]\)|[a-d]\))\s+\S.*(?:\n|\s)\s*(?:q?\d+[.)]|\([a-d]\)|[a-d]\))\s+\S",
	),
	rule(
		"task.multiple_choice",
		r"(?:^|\s|\b)(?:a[).:]|\(a\))\s*\S.{0,120}(?:b[).:]|\(b\))\s*\S|\b(?:true or false|t or f|fill in the blanks?|fill the blanks?|which of (?:these|the following))\b|\b(?:is it|is the answer) (?:a|b|c|d|true|false)\b(?! (?:because|since))",
	),
	rule(
		"task.quantity_of",
		r"\bwhat (?:is|are|was|would be) the (?:value|molar mass|relative (?:formula|atomic|molecular) mass|mass|area|volume|perimeter|circumference|gradient|mean|median|mode|range|probability|derivative|integral|square root|cube root|sum|product|lcm|hcf|gcd|gcf|lowest common multiple|highest common factor|answer|result|speed|velocity|acceleration|force|density|resistance|current|voltage|energy|power|ph|formula mass|surface area|hypotenuse|length|angle|momentum|weight|pressure|frequency|wavelength|charge|concentration|percentage|reciprocal|inverse) of (?:a |an |the |this )?(?:\w+ ){0,6}?[a-z0-9()]*\d",
	),
	rule(
		"task.maths_expr",
		r"(?<![a-z])(?:\d|[a-z]\^?\d?)\s*[-+*/^=×÷]\s*\(?-?\s*(?:\d|[a-z]\b)|\b(?:sqrt|root of|square root of|cube root of|derivative of|integral of|log of|sin|cos|tan)\s*\(?\s*-?\d|\b\d+(?:\.\d+)?\s*(?:%|percent) of \d|\b\d+(?:\.\d+)? (?:squared|cubed)\b|\b\d+\s*(?:x|times|multiplied by|divided by|plus|minus|over|squared|cubed|to the power of)\s*\d|\bd/dx\b|\bdy/dx\b|\b\d+(?:\.\d+)? ?(?:cm|m|km|mm|kg|g|s|n|j|w|v|a|ohms?|mol|moles|m/s|ms\^?-?1|degrees|°)\b.{0,80}\b(?:find|calculate|work out|what is|how (?:far|long|fast|much|many)|determine)\b|\b(?:find|calculate|work out|what is|what are|how (?:far|long|fast|much|many)|determine)\b.{0,80}\b\d+(?:\.\d+)? ?(?:cm|m|km|mm|kg|g|s|n|j|w|v|a|ohms?|mol|moles|m/s|ms\^?-?1|degrees|°|cm2|cm3|m2|m3)(?:\b|(?=[²³]))",
	),
	rule(
		"task.pasted_question",
		r"\b(?:explain|describe|discuss|evaluate|analy[sz]e|compare|assess|outline|justify|to what extent|how far do you agree)\b.{0,120}\(\s*\d+ ?(?:marks?|pts|points)\s*\)|\[\s*\d+ ?(?:marks?|pts)\s*\]|\b\d+ marks?\b|\b(?:in|at least|about|around|roughly|exactly|max|maximum|under) \d{2,4} words\b|\b\d{2,4}[- ]words?\b|\b\d{2,4}-word\b",
	),
	rule(
		"task.es_fr_de_hi",
		r"\b(?:resolver|calcula|calcular|encuentra|escribe|traduce|hazme|haz me|calculez|calcule|trouve|trouvez|ecris|ecrivez|traduis|fais-moi|berechne|berechnen|finde|schreibe|ubersetze|nikalo|nikaliye|likho|likhiye|hal karo|bana do|likh do)\b",
	),
)

_CONCEPT = (
	r"explain|explanation|explains|explaining|understand|understanding|do not get|confused|confusing|confuses|lost on|stuck on how|struggle|struggling|makes no sense|make sense|does not make sense",
	r"what does .{1,40} mean|meaning of|what is meant by|mean by|definition of|define|what is|what are|what was|what were|who was|who were|who is|when did|when was|where is|where did|why|how come|what happens|what makes|what causes|what caused|what led",
	r"how (?:does|do|did|is|are|was|were|can|could|would|should|come|many|much|long|far|big|exactly)|how to|how would|how should|how do i|how do you",
	r"teach me|help me (?:understand|learn|revise|study|remember|memori[sz]e|get|see|figure out how|work out how|with)|show me how|walk me through|go through|go over|break (?:it|this) down|step by step how|steps (?:for|to|of)|method|approach|strategy|strategies|technique|tips|advice|trick|tricks|shortcut|mnemonic",
	r"difference between|differences between|compare|similarities|relationship between|the link between|connection between|vs\.?|versus",
	r"example|examples|another one|similar|like this one|practice|practise|practice questions?|quiz me|test me|flashcards|revise|revising|revision|study|studying|prepare|preparing|memori[sz]e|remember",
	r"check my|check this|check if|check whether|is (?:this|it|that|my answer|my working|mine) (?:right|correct|ok|okay|good|wrong)|am i right|did i (?:do|get) (?:this|it|that) (?:right|correct|wrong)|where did i go wrong|what did i do wrong|where i went wrong|i got|i think (?:it is|it's|the answer is)|my (?:answer|attempt|working|essay|paragraph|intro|introduction|conclusion|draft|code|solution|thesis|plan|sentence|translation) (?:is|was|says|so far)|feedback|improve|better|mark my|grade my|what (?:do you think|grade)|rate my|look at my|read my|any mistakes|is this good",
	r"hint|hints|clue|nudge|first step|next step|where do i (?:start|begin)|how do i (?:start|begin)|how (?:should|would|do|can) i (?:approach|begin|start|tackle|structure|plan)|get started|stuck",
	r"remind me|recap|summary of|summari[sz]e (?:the|what)|overview|key (?:points|facts|ideas|dates|terms|features)|main (?:points|ideas|causes|features|themes)|what should i know|need to know|should i learn",
	r"tell me (?:about|more)|talk me through|i want to (?:learn|know|understand)|i would like to (?:learn|know|understand)|curious|wondering|i wonder|interested in|know (?:how|why|what|when|where|which|if|whether)",
	r"explica|explicame|explicar|explicas|que es|que son|por que|como (?:se|funciona|hago|puedo)|no entiendo|diferencia|ayudame a entender|explique|expliquer|expliquez|pourquoi|comment (?:on|faire|ca|est-ce)|c'est quoi|qu'est-ce|difference entre|je ne comprends pas|je comprends pas|erklar\w*|was ist|was sind|was bedeutet|wie funktioniert|wie (?:mache|berechne|rechne) ich|wie (?:berechnet|rechnet|macht|schreibt|bildet|findet|lost|loest|erkennt) man|warum|unterschied|ich verstehe (?:nicht|das nicht)|samjha\w*|samajh\w*|kya (?:hota|hoti|hai|hain|matlab)|kaise|kyun|kyu|matlab|batao (?:ki|kaise)",
)
CONCEPT = tuple(rule(f"concept.{i}", rf"\b(?:{p})\b", negatable=False) for i, p in enumerate(_CONCEPT))
# a student asking to understand a task they were set; this outweighs the bare task
CONCEPT_EXPLICIT = re.compile(
	r"\b(?:my answer (?:was|is)|i wrote|i put|is (?:that|this|it) enough|would (?:that|this|it) get|are (?:these|they|those) the same|is (?:that|this) the same|explica\w*|explique\w*|expliquer|erklar\w*|samjha\w*|samajh\w*|no entiendo|je (?:ne )?comprends pas|ich verstehe|por que|pourquoi|warum|kyun|know (?:how|why)|explain|explanation|understand|do not get|confused|how (?:do|can|should|would) (?:i|you|we)|how to|how does|how is|why|teach me|help me (?:understand|learn|with|to)|show me how|walk me through|method|steps|hint|hints|check|is (?:this|it|that|my answer) (?:right|correct)|i got|where did i go wrong|feedback|improve|example|examples|similar|practice|quiz me|test me|revise|revision|what does .{1,40} mean|meaning|tips|advice|start|tackle|approach|what (?:is|are) (?:a |an |the )?(?:difference|formula|rule|rules|method|way|trick|definition|meaning|concept|idea|point|purpose|role|function|structure|process))\b"
)


def exam_hits(canon: str) -> list[Hit]:
	return find(EXAM, canon)


def solve_strong_hits(canon: str) -> list[Hit]:
	return find(SOLVE_STRONG, canon)


def solve_task_hits(canon: str) -> list[Hit]:
	return find(SOLVE_TASK, canon)


def concept_hits(canon: str) -> list[Hit]:
	return find(CONCEPT, canon)


def asks_to_understand(canon: str) -> bool:
	return bool(CONCEPT_EXPLICIT.search(canon))
