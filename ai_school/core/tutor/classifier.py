"""The rule-based message classifier: every detector runs, the label precedence picks one.

``analyse`` returns the label with the evidence (rule names and the matched text) so a teacher-facing
log can say why a message was flagged; ``classify`` returns only the label.
"""

import re
from dataclasses import dataclass, field

from ai_school.core.tutor import intent, lexicon
from ai_school.core.tutor.injection import injection_hits
from ai_school.core.tutor.labels import PRECEDENCE, Label
from ai_school.core.tutor.patterns import Hit
from ai_school.core.tutor.pii import pii_hits
from ai_school.core.tutor.text import Text
from ai_school.core.tutor.unsafe import abuse_hits, self_harm_hits, violence_hits

MAX_CHARS = 4000  # longer messages are judged on their first 4,000 characters


@dataclass(frozen=True)
class Analysis:
	label: Label
	evidence: dict[Label, list[Hit]] = field(default_factory=dict)

	def reasons(self) -> list[str]:
		return [hit.rule for hit in self.evidence.get(self.label, [])]


def analyse(text: str) -> Analysis:
	t = Text((text or "")[:MAX_CHARS])
	evidence: dict[Label, list[Hit]] = {}

	def add(label: Label, hits: list[Hit]) -> None:
		if hits:
			evidence[label] = hits

	add(Label.UNSAFE_SELF_HARM, self_harm_hits(t.leet))
	add(Label.UNSAFE_ABUSE, abuse_hits(t.leet))
	add(Label.UNSAFE_VIOLENCE, violence_hits(t.leet))
	add(Label.INJECTION, injection_hits(t.canon, t.raw))
	add(Label.PII_OVERSHARE, pii_hits(t.folded))
	add(Label.EXAM_CONTENT, intent.exam_hits(t.canon))
	label, hits = _learning_intent(t)
	add(label, hits)
	for candidate in PRECEDENCE:
		if candidate in evidence:
			return Analysis(candidate, evidence)
	return Analysis(label, evidence)


def classify(text: str) -> Label:
	return analyse(text).label


_QUESTION = re.compile(
	r"\?|^(?:what|why|how|who|when|where|which|is|are|can|could|does|do|did|should|would|will|explain|tell me|que|como|por que|qu'est|pourquoi|comment|was|wie|warum|kya|kaise|kyun)\b"
)
_REQUEST = re.compile(
	r"\b(?:help|can you|could you|can u|would you|will you|please|pls|explain|tell me|show me|give me|teach me|i need|i want|need help|how|what|why|which|who|when|where|quiz me|test me|check)\b"
)


def _learning_intent(t: Text) -> tuple[Label, list[Hit]]:
	"""concept, solve_request or off_topic for a message no safety detector claimed."""
	canon = t.canon
	strong = intent.solve_strong_hits(canon)
	if strong:
		return Label.SOLVE_REQUEST, strong
	school = lexicon.school_terms(canon)
	off = lexicon.off_topic_terms(canon)
	chit = lexicon.CHITCHAT.search(canon)
	task = intent.solve_task_hits(canon)
	understand = intent.asks_to_understand(canon)
	concept = intent.concept_hits(canon)
	off_hit = [Hit("off_topic.terms", False, 0, 0, " ".join(off) or (chit.group(0) if chit else ""))]
	# more everyday-life vocabulary than school vocabulary: not school learning, whatever the phrasing;
	# a tie goes to school when the student asks to understand or sets a task
	if (off or chit) and (len(off) > len(school) or (len(off) == len(school) and not (understand or task))):
		return Label.OFF_TOPIC, off_hit
	if task and not understand:
		return Label.SOLVE_REQUEST, task
	if chit and not school:
		return Label.OFF_TOPIC, off_hit
	if not concept and not task and not _QUESTION.search(canon) and not _REQUEST.search(canon):
		# a remark ("my teacher is killing me with homework lol") asks for nothing
		return Label.OFF_TOPIC, [Hit("off_topic.no_request", False, 0, 0, "")]
	if concept or school or task or _QUESTION.search(canon):
		return Label.CONCEPT, concept or task or [Hit("concept.school_terms", False, 0, 0, " ".join(school))]
	return Label.OFF_TOPIC, [Hit("off_topic.no_learning_signal", False, 0, 0, "")]
