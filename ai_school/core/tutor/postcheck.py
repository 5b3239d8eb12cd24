"""The check on the model's reply before the student sees it.

In guided mode (and restricted, which should only redirect) a reply must not hand over the final
answer or a full worked solution to the student's own task. The check looks for:

- the answer itself: a value that solves the equation the student pasted (checked by substitution),
  or the result of the calculation they asked for ("348 x 27" -> 9396);
- answer statements: "the answer is", "Answer:", "final answer", "\\boxed{...}", "option B is correct";
- a complete worked solution: several working steps ending in ``variable = value``;
- finished written work when the student asked for it (an essay, paragraph, story, code).

A flagged reply is rewritten into hints: the first steps of the working without the lines that give
the result away, and a question that hands the next step back to the student; if nothing usable is
left, a standard hint message. In blocked mode no reply goes out at all. Learning mode is untouched.
Given the system prompt, a reply that quotes it is withheld in every mode.
"""

import re

from ai_school.core.tutor import intent, mathcheck
from ai_school.core.tutor.labels import Label, Mode, parse_mode
from ai_school.core.tutor.modes import GuardContext, context_mode
from ai_school.core.tutor.prompting import leaks_system_prompt
from ai_school.core.tutor.text import canonical

BLOCKED_REPLY = (
	"I can't help with this course right now: the tutor is paused during an assessment, or because your "
	"teacher has paused it for your class. If you have a question, please ask your teacher."
)
# a request for an assessment's questions or answers while the course itself is open
EXAM_CONTENT_REPLY = (
	"I can't help with the questions or answers of a test, quiz or exam, before it or during it. I can help "
	"you revise the topic it covers: which idea would you like to go over first?"
)
WITHHELD_REPLY = (
	"I can't give you the finished answer, but let's work it out together. "
	"What do you already know, and what would be a sensible first step? Tell me what you try and I'll check it."
)
PROMPT_WITHHELD_REPLY = (
	"I can't share how I'm set up, but I'm happy to help you learn. What are you working on?"
)
_HAND_BACK = "Now try the next step yourself — what do you get? Tell me your answer and I'll check it."

_ANSWER_STATEMENT = re.compile(
	r"(?:\bthe (?:final |correct |right )?answer (?:is|=|would be|will be)\b|^\s*(?:\*\*|__)?(?:final )?answer(?:s)?\s*(?:\*\*|__)?\s*[:=]|\bfinal answer\b|\\boxed\{|"
	r"\b(?:so|therefore|thus|hence|∴)\b,?\s*(?:the )?(?:answer|result|solution)\b|\bthe (?:solution|result) is\b|"
	r"\b(?:option|choice|answer)\s*\(?[a-d]\)?\s*(?:is|would be)\s*(?:the )?(?:correct|right|answer)\b|\bthe (?:correct|right) (?:option|choice|answer|one) is\b)",
	re.IGNORECASE | re.MULTILINE,
)
_ASSIGNMENT = re.compile(
	r"(?<![\w.])([a-z])\s*(?:=|is|equals)\s*(-?\d+(?:\.\d+)?(?:/\d+)?)(?!\w|\.\d|/\d|\s*[-+*/^×÷]\s*\d)",
	re.IGNORECASE,
)
_STEP = re.compile(r"^\s*(?:step\s*\d+|\d+[.)]|[-*•])|=", re.IGNORECASE)
_CODE_LINE = re.compile(
	r"^\s*(?:def |class |for |while |if |elif |else:|return |print\(|import |public |private |static |int |string |var |let |const |function |#include|[{}]\s*$|\w+\s*=\s*.+)"
)
_WRITING_REQUEST = re.compile(
	r"\b(?:write|writing|draft|compose|rewrite|paraphrase|summari[sz]e|do|finish|complete|make)\b.{0,60}\b(?:essay|paragraph|story|poem|haiku|limerick|letter|speech|report|conclusion|introduction|intro|summary|statement|reflection|review|analysis|article|answer|response)\b"
)
_CODE_REQUEST = re.compile(
	r"\b(?:write|code|program|make|create|build|finish|complete|do)\b.{0,60}\b(?:code|program|function|script|class|method|algorithm|bubble sort|loop|app)\b"
)


def _asks_for_work(student: str) -> bool:
	canon = canonical(student)
	return bool(
		intent.solve_strong_hits(canon) or intent.solve_task_hits(canon)
	) and not intent.asks_to_understand(canon)


def _answer_values(student: str, reply: str) -> set[str]:
	"""Number forms of the student's task's answer that appear in the reply."""
	values: set[float] = set()
	for equation in mathcheck.equations(student):
		for match in _ASSIGNMENT.finditer(reply):
			if match.group(1).lower() != equation.variable:
				continue
			value = mathcheck.parse_number(match.group(2))
			if value is not None and equation.satisfied_by(value):
				values.add(value)
	student_numbers = mathcheck.numbers_in(student)
	in_reply = mathcheck.numbers_in(reply)
	for result in mathcheck.arithmetic_results(student):
		forms = mathcheck.number_forms(result) - student_numbers
		if forms & in_reply:
			values.add(result)
	found = set()
	for value in values:
		found |= mathcheck.number_forms(value)
	return found & (in_reply | {m.group(2) for m in _ASSIGNMENT.finditer(reply)})


def _full_solution(reply: str) -> bool:
	lines = [line for line in reply.splitlines() if line.strip()]
	steps = [line for line in lines if _STEP.search(line)]
	ends_with_value = bool(lines) and bool(_ASSIGNMENT.search(" ".join(lines[-2:])))
	return len(steps) >= 3 and ends_with_value


def _finished_writing(student: str, reply: str) -> bool:
	canon = canonical(student)
	if _CODE_REQUEST.search(canon):
		code_lines = [line for line in reply.splitlines() if _CODE_LINE.match(line)]
		if len(code_lines) >= 5 or ("```" in reply and reply.count("\n") >= 6):
			return True
	if _WRITING_REQUEST.search(canon):
		prose = re.sub(r"```.*?```", " ", reply, flags=re.DOTALL)
		words = len(re.findall(r"\b\w+\b", prose))
		questions = prose.count("?")
		paragraphs = len([p for p in re.split(r"\n\s*\n", prose) if len(p.split()) >= 25])
		if (
			(words >= 150 and questions <= 2)
			or (paragraphs >= 2 and questions <= 1)
			or (words >= 80 and questions == 0 and "poem" not in canon and "haiku" not in canon)
		):
			return True
		if (
			re.search(r"\b(?:poem|haiku|limerick)\b", canon)
			and len([line for line in reply.splitlines() if line.strip()]) >= 3
			and questions == 0
		):
			return True
	return False


def gives_away(reply: str, student_text: str) -> list[str]:
	"""Why ``reply`` hands the student the finished answer to their task (empty when it doesn't)."""
	reasons = []
	if _answer_values(student_text, reply):
		reasons.append("answer_value")
	if _ANSWER_STATEMENT.search(reply):
		reasons.append("answer_statement")
	if _full_solution(reply) and (
		mathcheck.equations(student_text)
		or mathcheck.arithmetic_results(student_text)
		or _asks_for_work(student_text)
	):
		reasons.append("worked_solution")
	if _asks_for_work(student_text) and _finished_writing(student_text, reply):
		reasons.append("finished_work")
	return reasons


def _sentences(reply: str) -> list[str]:
	pieces = []
	for line in reply.splitlines():
		if line.strip():
			pieces += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", line.strip()) if s]
	return pieces


def rewrite_as_hints(reply: str, student_text: str, reasons: list[str]) -> str:
	"""The reply's first steps, without anything that gives the answer away, plus a question."""
	if "finished_work" in reasons:
		return WITHHELD_REPLY
	leaks = _answer_values(student_text, reply)
	has_equation = bool(mathcheck.equations(student_text))
	kept = []
	for sentence in _sentences(reply):
		cut = _first_leak(sentence, leaks, has_equation)
		if cut is None:
			kept.append(sentence)
			continue
		# everything from the first give-away on is the rest of the solution; the clause before it
		# ("Use a common denominator:") is still a useful hint
		head = re.split(r"[:;,—–]|\s-\s", sentence[:cut])
		lead = ",".join(head[:-1]).strip() if len(head) > 1 else ""
		if len(lead.split()) >= 3 and not mathcheck.numbers_in(lead) & leaks:
			kept.append(lead.rstrip(".,;: ") + ".")
		break
	kept = kept[:3]
	if not kept:
		return WITHHELD_REPLY
	return " ".join(kept) + "\n\n" + _HAND_BACK


def _first_leak(sentence: str, leaks: set[str], has_equation: bool) -> int | None:
	"""Where ``sentence`` starts giving the answer away, or None."""
	positions = []
	statement = _ANSWER_STATEMENT.search(sentence)
	if statement:
		positions.append(statement.start())
	for token in leaks:
		match = re.search(rf"(?<![\w./]){re.escape(token)}(?![\w/]|\.\d)", sentence)
		if match:
			positions.append(match.start())
	if has_equation:
		assignment = _ASSIGNMENT.search(sentence)
		if assignment:
			positions.append(assignment.start())
	return min(positions) if positions else None


def blocked_reply(label: Label, context: GuardContext | None = None) -> str:
	"""The reply to a message whose mode is blocked: the course is paused (an assessment now, a teacher's
	group mode), or the student asked for an assessment's content, which the reply says instead of a pause
	the student's badge does not show."""
	if label is Label.EXAM_CONTENT and (context is None or context_mode(context) is not Mode.BLOCKED):
		return EXAM_CONTENT_REPLY
	return BLOCKED_REPLY


def post_check(
	reply: str, student_text: str, mode: Mode | str, system_prompt: str | None = None
) -> tuple[str, bool]:
	"""``(text to show, flagged)``: the reply itself when it is fine for ``mode``, otherwise a rewrite.
	With ``system_prompt``, a reply quoting it is replaced in every mode."""
	mode = mode if isinstance(mode, Mode) else parse_mode(mode)
	if system_prompt and reply and leaks_system_prompt(reply, system_prompt):
		return PROMPT_WITHHELD_REPLY, True
	if mode is Mode.BLOCKED:
		return BLOCKED_REPLY, bool((reply or "").strip()) and reply.strip() != BLOCKED_REPLY
	if mode is Mode.LEARNING or not (reply or "").strip():
		return reply, False
	reasons = gives_away(reply, student_text or "")
	if not reasons:
		return reply, False
	return rewrite_as_hints(reply, student_text or "", reasons), True
