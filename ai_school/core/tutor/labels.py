"""The guard's labels and tutoring modes, with their precedence."""

from enum import Enum


class Label(str, Enum):
	"""What a student's message is, exactly one per message."""

	CONCEPT = "concept"
	SOLVE_REQUEST = "solve_request"
	EXAM_CONTENT = "exam_content"
	OFF_TOPIC = "off_topic"
	INJECTION = "injection"
	UNSAFE_SELF_HARM = "unsafe_self_harm"
	UNSAFE_ABUSE = "unsafe_abuse"
	UNSAFE_VIOLENCE = "unsafe_violence"
	PII_OVERSHARE = "pii_overshare"

	def __str__(self) -> str:
		return self.value

	@property
	def unsafe(self) -> bool:
		return self in UNSAFE


class Mode(str, Enum):
	"""How much help the tutor gives, from most to least."""

	LEARNING = "learning"  # explanations and examples
	GUIDED = "guided"  # hints and questions, never the final answer to the student's task
	RESTRICTED = "restricted"  # redirect to the teacher / resources
	BLOCKED = "blocked"  # no help

	def __str__(self) -> str:
		return self.value

	@property
	def strictness(self) -> int:
		return _STRICTNESS[self]


_STRICTNESS = {Mode.LEARNING: 0, Mode.GUIDED: 1, Mode.RESTRICTED: 2, Mode.BLOCKED: 3}

UNSAFE = (Label.UNSAFE_SELF_HARM, Label.UNSAFE_ABUSE, Label.UNSAFE_VIOLENCE)

# When a message carries several signals, the first label in this list wins. The issue fixes
# unsafe > injection > exam_content > solve_request > concept; it leaves pii_overshare and off_topic
# open. Shared personal data outranks exam and homework signals (the student must be told before
# anything else happens to the message), and off_topic is what is left when nothing school-related is.
# Among the unsafe labels the student's own stated intent comes first (to harm themselves, then others:
# "I want to hurt the kids who bully me" is about what they mean to do); a disclosure of being harmed is
# still in the evidence, so the shell escalates it either way.
PRECEDENCE = (
	Label.UNSAFE_SELF_HARM,
	Label.UNSAFE_VIOLENCE,
	Label.UNSAFE_ABUSE,
	Label.INJECTION,
	Label.PII_OVERSHARE,
	Label.EXAM_CONTENT,
	Label.SOLVE_REQUEST,
	Label.CONCEPT,
	Label.OFF_TOPIC,
)


def strictest(*modes: Mode) -> Mode:
	return max(modes, key=lambda mode: mode.strictness)


def parse_label(value: str) -> Label:
	try:
		return Label(value.strip().lower())
	except ValueError:
		raise ValueError(
			f"unknown label {value!r}; expected one of {', '.join(label.value for label in Label)}"
		) from None


def parse_mode(value: str) -> Mode:
	try:
		return Mode(value.strip().lower())
	except ValueError:
		raise ValueError(
			f"unknown mode {value!r}; expected one of {', '.join(m.value for m in Mode)}"
		) from None
