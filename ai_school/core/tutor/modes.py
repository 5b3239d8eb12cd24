"""Which tutoring mode applies to a message: from its label and from the student's context.

Context is plain data the shell reads from ERPNext/Education: the chat's course, the student's groups,
the current time, the assessment windows (from submitted Assessment Plans) and instructors' stricter
modes for a Student Group over a date range. Nothing here reads a database or a clock.

Window boundaries: an assessment on ``schedule_date`` from ``from_time`` to ``to_time`` blocks its
course for its student group from ``from_time - margin`` (inclusive) to ``to_time + margin``
(exclusive), i.e. the half-open interval ``[start - margin, end + margin)``. A window whose
``to_time`` is not after ``from_time`` ends the next day at ``to_time`` (an exam over midnight).
Group overrides apply on every date from ``from_date`` to ``to_date``, both inclusive; the strictest one
active for the student's groups counts. ``explain_context_mode`` says which rule set the mode (an assessment,
a group's override, the chat's own mode) and until when, for the student's badge.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ai_school.core.tutor.labels import Label, Mode, parse_mode, strictest

# What each label allows at most, before the context is applied. Unsafe messages get the
# safeguarding redirect (restricted: trusted adult, helplines), never "blocked" — a child in crisis
# must always get that answer, assessment or not.
LABEL_MODE = {
	Label.CONCEPT: Mode.LEARNING,
	Label.SOLVE_REQUEST: Mode.GUIDED,
	Label.EXAM_CONTENT: Mode.BLOCKED,
	Label.OFF_TOPIC: Mode.RESTRICTED,
	Label.INJECTION: Mode.RESTRICTED,
	Label.PII_OVERSHARE: Mode.RESTRICTED,
	Label.UNSAFE_SELF_HARM: Mode.RESTRICTED,
	Label.UNSAFE_ABUSE: Mode.RESTRICTED,
	Label.UNSAFE_VIOLENCE: Mode.RESTRICTED,
}

DEFAULT_MARGIN = timedelta(minutes=15)


def _as_date(value: date | str) -> date:
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def _as_time(value: time | timedelta | str) -> time:
	"""A Frappe Time field arrives as a timedelta from the database, a str from JSON, or a time."""
	if isinstance(value, time):
		return value
	if isinstance(value, timedelta):
		seconds = int(value.total_seconds()) % 86400
		return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
	text = str(value).strip()
	parts = [int(float(p)) for p in text.split(":")]
	while len(parts) < 3:
		parts.append(0)
	return time(parts[0], parts[1], parts[2])


def _as_minutes(value: timedelta | int | float) -> timedelta:
	return value if isinstance(value, timedelta) else timedelta(minutes=float(value))


@dataclass(frozen=True)
class AssessmentWindow:
	"""One Assessment Plan: its course is blocked for its student group while it runs."""

	course: str
	student_group: str
	schedule_date: date
	from_time: time
	to_time: time
	name: str = ""

	@classmethod
	def from_dict(cls, data: dict) -> "AssessmentWindow":
		return cls(
			course=data["course"],
			student_group=data["student_group"],
			schedule_date=_as_date(data["schedule_date"]),
			from_time=_as_time(data["from_time"]),
			to_time=_as_time(data["to_time"]),
			name=data.get("name", ""),
		)

	def bounds(self, margin: timedelta | int | float = DEFAULT_MARGIN) -> tuple[datetime, datetime]:
		"""``[start, end)`` with the margin applied on both sides."""
		margin = _as_minutes(margin)
		start = datetime.combine(_as_date(self.schedule_date), _as_time(self.from_time))
		end = datetime.combine(_as_date(self.schedule_date), _as_time(self.to_time))
		if end <= start:
			end += timedelta(days=1)
		return start - margin, end + margin


@dataclass(frozen=True)
class GroupModeOverride:
	"""An instructor's stricter mode for a Student Group over a date range (e.g. coursework week).
	``course`` narrows it to one course; empty means every course the group studies."""

	student_group: str
	mode: Mode
	from_date: date
	to_date: date
	course: str = ""
	reason: str = ""  # the instructor's words, shown to the student
	name: str = ""

	@classmethod
	def from_dict(cls, data: dict) -> "GroupModeOverride":
		mode = data["mode"]
		return cls(
			student_group=data["student_group"],
			mode=mode if isinstance(mode, Mode) else parse_mode(mode),
			from_date=_as_date(data["from_date"]),
			to_date=_as_date(data["to_date"]),
			course=data.get("course") or "",
			reason=data.get("reason") or "",
			name=data.get("name") or "",
		)

	def applies(self, when: datetime, groups: Iterable[str], course: str | None) -> bool:
		if self.student_group not in set(groups):
			return False
		if self.course and course and self.course != course:
			return False
		return _as_date(self.from_date) <= when.date() <= _as_date(self.to_date)


@dataclass(frozen=True)
class GuardContext:
	"""Everything ``decide_mode`` needs about the student's situation, as plain data.

	``course`` is the chat's course (empty for a general chat); ``student_groups`` are the groups the
	student belongs to; ``margin`` is minutes (or a timedelta) added before and after each window.
	"""

	now: datetime
	course: str = ""
	student_groups: Sequence[str] = ()
	assessment_windows: Sequence[AssessmentWindow] = ()
	group_overrides: Sequence[GroupModeOverride] = ()
	margin: timedelta | int | float = DEFAULT_MARGIN
	base_mode: Mode = Mode.LEARNING

	@classmethod
	def from_dict(cls, data: dict) -> "GuardContext":
		now = data["now"]
		return cls(
			now=now if isinstance(now, datetime) else datetime.fromisoformat(str(now)),
			course=data.get("course") or "",
			student_groups=tuple(data.get("student_groups") or ()),
			assessment_windows=tuple(
				w if isinstance(w, AssessmentWindow) else AssessmentWindow.from_dict(w)
				for w in data.get("assessment_windows") or ()
			),
			group_overrides=tuple(
				o if isinstance(o, GroupModeOverride) else GroupModeOverride.from_dict(o)
				for o in data.get("group_overrides") or ()
			),
			margin=data.get("margin", DEFAULT_MARGIN),
			base_mode=parse_mode(data["base_mode"]) if data.get("base_mode") else Mode.LEARNING,
		)


def in_assessment_window(
	now: datetime, window: AssessmentWindow, margin: timedelta | int | float = DEFAULT_MARGIN
) -> bool:
	"""True when ``now`` falls in ``[start - margin, end + margin)`` of the window."""
	start, end = window.bounds(margin)
	return start <= now < end


def active_windows(context: GuardContext) -> list[AssessmentWindow]:
	"""Windows blocking this chat now: the student's group sits an assessment in the chat's course.
	A general chat (no course) is blocked by any of the student's running assessments, so it can't
	be used to get round the course block."""
	groups = set(context.student_groups)
	return [
		w
		for w in context.assessment_windows
		if w.student_group in groups
		and (not context.course or w.course == context.course)
		and in_assessment_window(context.now, w, context.margin)
	]


def active_overrides(context: GuardContext) -> list[GroupModeOverride]:
	"""Group overrides in force now for this chat: a group of the student's, today within the dates (both
	inclusive), and the chat's course when the override names one."""
	return [
		o for o in context.group_overrides if o.applies(context.now, context.student_groups, context.course)
	]


@dataclass(frozen=True)
class ModeReason:
	"""The mode the situation imposes and the rule that set it.

	``source`` is ``"assessment"`` (``window`` is the running assessment), ``"group_mode"`` (``override`` is
	the strictest override in force; it wins a tie with the chat's own mode, being the one to explain),
	``"chat"`` (the chat's own integrity mode) or ``""`` (nothing restricts the tutor). ``until`` is when that
	rule stops applying: the end of the window with its margin, or midnight after the override's last day.
	"""

	mode: Mode
	source: str = ""
	window: AssessmentWindow | None = None
	override: GroupModeOverride | None = None
	until: datetime | None = None


def explain_context_mode(context: GuardContext) -> ModeReason:
	"""The strictest mode the situation imposes, whatever the message says, and why."""
	windows = active_windows(context)
	if windows:
		window = max(windows, key=lambda w: w.bounds(context.margin)[1])
		return ModeReason(Mode.BLOCKED, "assessment", window=window, until=window.bounds(context.margin)[1])
	overrides = active_overrides(context)
	if overrides:
		# the strictest; among equally strict ones the one lasting longest
		override = max(overrides, key=lambda o: (o.mode.strictness, _as_date(o.to_date)))
		if override.mode.strictness >= context.base_mode.strictness:
			until = datetime.combine(_as_date(override.to_date) + timedelta(days=1), time())
			return ModeReason(override.mode, "group_mode", override=override, until=until)
	if context.base_mode is not Mode.LEARNING:
		return ModeReason(context.base_mode, "chat")
	return ModeReason(Mode.LEARNING)


def context_mode(context: GuardContext) -> Mode:
	"""The strictest mode the situation imposes, whatever the message says."""
	return explain_context_mode(context).mode


def decide_mode(label: Label | str, context: GuardContext | dict | None = None) -> Mode:
	"""The mode for a message with this label in this context.

	The label caps the help (a solve request is at most guided, exam content is blocked) and the
	context can only make it stricter — a claimed permission or an earlier message never loosens it.
	Unsafe labels always get the restricted safeguarding redirect, even in an assessment window.
	"""
	label = label if isinstance(label, Label) else Label(label)
	if label.unsafe:
		return Mode.RESTRICTED
	if context is None:
		return LABEL_MODE[label]
	if isinstance(context, dict):
		context = GuardContext.from_dict(context)
	return strictest(LABEL_MODE[label], context_mode(context))


@dataclass(frozen=True)
class Decision:
	label: Label
	mode: Mode
	reasons: list[str] = field(default_factory=list)
