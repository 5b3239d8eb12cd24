"""Plain-data description of a school timetabling problem.

Everything here is framework-free and solver-free: the FET importer, the Frappe shell and the
CLI build a :class:`Problem`; the solver and the validator read it.

Conventions
-----------
* Time is a grid of ``len(days)`` days × ``periods_per_day`` periods. A slot is the tuple
  ``(day_index, period_index)``, both 0-based.
* ``breaks`` are slots nobody can use; a multi-period lesson can neither span a break nor a day
  boundary. As in FET, a break is not a time slot: lessons that must follow each other directly
  (:class:`Consecutive`, :class:`Grouped`) may have a break between them. Rules that count
  periods between lessons (:class:`MinGapsBetween`, ``consecutive_if_same_day`` of
  :class:`MinDaysBetween`) count break periods like any other, and gaps, early beginnings and
  runs of hours (:class:`MaxGaps`, :class:`EarlyMaxBeginningsAtSecondHour`,
  :class:`MaxHoursContinuously`) skip breaks and the resource's unavailable periods.
* Student sets are ATOMIC (FET subgroups): two lessons sharing a student set may not overlap.
  Importers expand years/groups to their atomic sets.
* A lesson takes a room only if it asks for one (``rooms``, ``room_kind`` or ``needs_room``);
  problems without rooms are fine.
* Every constraint has a ``weight`` in FET's percent sense: ``100`` is hard, below 100 is soft and
  each unit of violation costs :func:`soft_penalty` (weight) in the objective.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

Slot = tuple[int, int]
"""``(day_index, period_index)``, both 0-based."""

Resource = Literal["teacher", "students", "room"]

HARD = 100.0
"""Weight of a hard constraint (FET's 100 %)."""


def soft_penalty(weight: float) -> int:
	"""Integer objective cost of one unit of violation of a soft constraint with this weight.

	FET weights are percentages whose meaning is roughly "probability of being respected", so
	99 % must cost far more than 50 %. The cost is 10 × the number of halvings of the failure
	probability: 50 % → 10, 75 % → 20, 90 % → 33, 95 % → 43, 99 % → 66, 99.9 % → 100.
	Weights at or above 100 are hard and have no penalty (returns 0).
	"""
	if weight >= HARD:
		return 0
	if weight <= 0:
		return 0
	return max(1, round(10 * -math.log2(1 - weight / 100)))


# --- entities ------------------------------------------------------------------------------------


@dataclass
class Teacher:
	id: str
	name: str = ""
	unavailable: frozenset[Slot] = frozenset()
	"""Slots where the teacher cannot teach (hard). Soft wishes go in :class:`UnavailableTimes`."""

	@property
	def label(self) -> str:
		return self.name or self.id


@dataclass
class StudentSet:
	"""An atomic group of students (a FET subgroup, or a whole class if it is never split)."""

	id: str
	name: str = ""
	size: int = 0
	unavailable: frozenset[Slot] = frozenset()

	@property
	def label(self) -> str:
		return self.name or self.id


@dataclass
class Room:
	id: str
	name: str = ""
	capacity: int | None = None
	"""``None`` means unlimited."""
	kind: str | None = None
	"""E.g. ``"lab"``, ``"gym"``; matched against :attr:`Lesson.room_kind`."""
	building: str | None = None
	unavailable: frozenset[Slot] = frozenset()

	@property
	def label(self) -> str:
		return self.name or self.id


@dataclass
class Lesson:
	"""One activity placed once per week, occupying ``duration`` consecutive periods of one day.

	A course taught 4×/week is 4 lessons (FET's split activity), typically sharing ``group`` and
	linked by a :class:`MinDaysBetween` constraint.
	"""

	id: str
	subject: str = ""
	teachers: list[str] = field(default_factory=list)
	student_sets: list[str] = field(default_factory=list)
	duration: int = 1
	rooms: list[str] = field(default_factory=list)
	"""Allowed rooms (hard). Empty = any room that fits, if the lesson needs a room at all."""
	room_kind: str | None = None
	"""Required room kind (hard); implies the lesson needs a room."""
	needs_room: bool = False
	"""Needs some room even though ``rooms`` and ``room_kind`` are empty."""
	student_count: int | None = None
	"""Head count for room capacity; ``None`` = sum of the sizes of ``student_sets``."""
	fixed_start: Slot | None = None
	"""Hard: the lesson starts exactly here."""
	allowed_starts: frozenset[Slot] | None = None
	"""Hard: the lesson starts in one of these slots (``None`` = anywhere legal)."""
	fixed_room: str | None = None
	"""Hard: the lesson takes this room."""
	locked: bool = False
	"""Keep where it is: fixed to ``fixed_start``/``fixed_room`` or, if unset, to the solver hint."""
	group: str | None = None
	"""Split-activity group: components of one course-per-week share it."""
	tags: list[str] = field(default_factory=list)

	def takes_room(self) -> bool:
		return bool(self.rooms or self.room_kind or self.needs_room or self.fixed_room)


@dataclass
class Assignment:
	"""Where a lesson went: start slot and (optional) room."""

	lesson: str
	day: int
	period: int
	room: str | None = None

	@property
	def start(self) -> Slot:
		return (self.day, self.period)


# --- constraints ---------------------------------------------------------------------------------


@dataclass
class Constraint:
	"""Base of all typed constraints. ``weight`` 100 = hard, below = soft (FET percent)."""

	weight: float = HARD
	name: str = ""
	"""Human-readable label used in reports; a default is derived from the type and fields."""

	TYPES: ClassVar[dict[str, type[Constraint]]] = {}

	def __init_subclass__(cls, **kwargs: Any) -> None:
		super().__init_subclass__(**kwargs)
		Constraint.TYPES[cls.__name__] = cls

	@property
	def is_hard(self) -> bool:
		return self.weight >= HARD

	@property
	def penalty(self) -> int:
		return soft_penalty(self.weight)

	def label(self) -> str:
		return self.name or self.describe()

	def describe(self) -> str:
		return type(self).__name__


@dataclass
class ResourceConstraint(Constraint):
	"""A constraint applying to each of ``ids`` of a resource kind (empty ``ids`` = all of them)."""

	resource: Resource = "teacher"
	ids: list[str] = field(default_factory=list)

	def describe(self) -> str:
		who = ", ".join(self.ids) if self.ids else f"all {self.resource}"
		return f"{type(self).__name__} ({who})"


@dataclass
class UnavailableTimes(ResourceConstraint):
	"""The resource should not be busy in ``slots`` (FET's *NotAvailableTimes*, possibly soft).

	Cost: one unit per busy period inside ``slots``.
	"""

	slots: frozenset[Slot] = frozenset()


@dataclass
class MaxGaps(ResourceConstraint):
	"""At most ``max_gaps`` idle periods between the first and last busy period.

	``per`` is ``"week"`` (summed over days) or ``"day"`` (each day). Breaks and the resource's
	own unavailable slots are not gaps (FET semantics). Resource: teacher or students.
	Cost: one unit per gap above the maximum.
	"""

	max_gaps: int = 0
	per: Literal["week", "day"] = "week"


@dataclass
class MaxHoursDaily(ResourceConstraint):
	"""At most ``max_hours`` busy periods per day. Cost: one unit per period above.

	With ``tag``, only periods of lessons carrying that tag count (FET's *activity tag max hours daily*)."""

	max_hours: int = 0
	tag: str = ""

	def describe(self) -> str:
		base = super().describe()
		return f"{base} [{self.tag}]" if self.tag else base


@dataclass
class MinHoursDaily(ResourceConstraint):
	"""At least ``min_hours`` busy periods on each day (on each non-empty day if
	``allow_empty_days``). Cost: one unit per missing period."""

	min_hours: int = 0
	allow_empty_days: bool = True


@dataclass
class MaxDaysPerWeek(ResourceConstraint):
	"""Busy on at most ``max_days`` days. Cost: one unit per extra day."""

	max_days: int = 0


@dataclass
class EarlyMaxBeginningsAtSecondHour(ResourceConstraint):
	"""FET's *students early max beginnings at second hour*.

	On every day with lessons the resource starts at its first usable period of the day (not a
	break, not unavailable) or — on at most ``max_beginnings`` days — at the second one. Usually
	``resource="students"``. Cost: one unit per day starting at the second usable period beyond
	the allowance, plus one per day starting even later.
	"""

	resource: Resource = "students"
	max_beginnings: int = 0


@dataclass
class MinDaysPerWeek(ResourceConstraint):
	"""Busy on at least ``min_days`` days. Cost: one unit per missing day."""

	min_days: int = 0


@dataclass
class IntervalMaxDaysPerWeek(ResourceConstraint):
	"""Busy within periods ``[start_period, end_period)`` on at most ``max_days`` days (FET's
	*interval max days per week*). Cost: one unit per extra day."""

	start_period: int = 0
	end_period: int = 0
	max_days: int = 0


@dataclass
class MaxHoursContinuously(ResourceConstraint):
	"""At most ``max_hours`` busy periods in a row; breaks and the resource's unavailable slots
	interrupt a run. Cost: one unit per run of ``max_hours + 1`` consecutive busy periods (a run
	two periods too long counts twice).

	With ``tag``, only periods of lessons carrying that tag count, so a lesson without the tag also ends
	the run (FET's *activity tag max hours continuously*)."""

	max_hours: int = 0
	tag: str = ""

	def describe(self) -> str:
		base = super().describe()
		return f"{base} [{self.tag}]" if self.tag else base


@dataclass
class MaxSpanPerDay(ResourceConstraint):
	"""Each day, from the first busy period to the last, spans at most ``max_span`` periods (FET's *max span
	per day*: the time spent at school). As in FET, the span counts raw periods: breaks and unavailable
	periods inside it count. With ``allow_one_day_exception`` one day of the week may span ``max_span + 1``
	(FET offers it for teachers). Resource: teacher or students. Cost: one unit per period above the maximum
	per day (less the one period the exception forgives)."""

	max_span: int = 0
	allow_one_day_exception: bool = False


@dataclass
class MinRestingHours(ResourceConstraint):
	"""Between the last busy period of a day and the first of the next day at least ``min_hours`` periods are
	free (FET's *min resting hours*): the free periods at the end of the day plus those at the start of the
	next, counting breaks and unavailable periods; a day without lessons is free all day. ``circular`` also
	checks the last day of the week against the first. Resource: teacher or students. Cost: one unit per
	period missing, per pair of days."""

	min_hours: int = 0
	circular: bool = False


@dataclass
class MinGapsBetweenOrderedTags(ResourceConstraint):
	"""When a lesson tagged ``first_tag`` is followed later the same day by one tagged ``second_tag`` (both the
	resource's), at least ``min_gaps`` periods lie between them (FET's *min gaps between an ordered pair of
	activity tags*). Every period between counts, busy or a break, as in FET; the other order is free. FET
	refuses a lesson carrying both tags; here such a lesson is simply never paired with itself. Resource:
	teacher or students. Cost: one unit per pair too close.
	"""

	first_tag: str = ""
	second_tag: str = ""
	min_gaps: int = 1

	def describe(self) -> str:
		return f"{super().describe()} [{self.first_tag} → {self.second_tag}]"


@dataclass
class MaxBuildingChanges(ResourceConstraint):
	"""At most ``max_changes`` building changes per day or (``per="week"``) summed over the week (FET's *max
	building changes per day / per week*).

	As in FET, each day is read period by period and only periods spent in a room of some building count: a
	change is a period in another building than the last such period that day; free periods, breaks, lessons
	without a room and rooms without a building neither count nor interrupt. Resource: teacher or students.
	Cost: one unit per change above the maximum.
	"""

	max_changes: int = 0
	per: Literal["week", "day"] = "day"


@dataclass
class MinGapsBetweenBuildingChanges(ResourceConstraint):
	"""A building change (see :class:`MaxBuildingChanges`) needs at least ``min_gaps`` periods between the
	two lessons (FET's *min gaps between building changes*; every period in between counts: free periods,
	breaks, lessons without a room or building). Cost: one unit per change with fewer periods between."""

	min_gaps: int = 1


@dataclass
class MaxLessonsPerDay(Constraint):
	"""At most ``max_per_day`` of ``lessons`` on the same day (e.g. "same subject twice a day").

	Cost: one unit per lesson above the maximum per day.
	"""

	lessons: list[str] = field(default_factory=list)
	max_per_day: int = 1


@dataclass
class MinDaysBetween(Constraint):
	"""Every pair of ``lessons`` is at least ``min_days`` days apart (FET's *min days between
	activities*).

	If ``consecutive_if_same_day`` and two of them fall on the same day they must be adjacent
	(back to back, with no break between them: FET checks adjacent periods here). Cost: one unit
	per pair closer than ``min_days``, and one per same-day pair that is not adjacent.
	"""

	lessons: list[str] = field(default_factory=list)
	min_days: int = 1
	consecutive_if_same_day: bool = False


@dataclass
class MaxDaysBetween(Constraint):
	"""Every pair of ``lessons`` is at most ``max_days`` days apart. Cost: one unit per pair
	further apart."""

	lessons: list[str] = field(default_factory=list)
	max_days: int = 0


@dataclass
class MinGapsBetween(Constraint):
	"""Two of ``lessons`` on the same day have at least ``min_gaps`` periods between them (FET's
	*min gaps between activities*; break periods count, as in FET). Cost: one unit per pair too
	close (or overlapping)."""

	lessons: list[str] = field(default_factory=list)
	min_gaps: int = 1


@dataclass
class EndsStudentsDay(Constraint):
	"""After each of ``lessons`` its student sets have no other lesson that day (FET's *activity
	ends students day*). Cost: one unit per lesson followed by another."""

	lessons: list[str] = field(default_factory=list)


@dataclass
class PreferredStartingTimes(Constraint):
	"""Each of ``lessons`` starts in one of ``starts``. Cost: one unit per lesson outside."""

	lessons: list[str] = field(default_factory=list)
	starts: frozenset[Slot] = frozenset()


@dataclass
class PreferredTimeSlots(Constraint):
	"""Every period occupied by each of ``lessons`` lies in ``slots`` (e.g. maths in the morning).

	Cost: one unit per lesson with some period outside.
	"""

	lessons: list[str] = field(default_factory=list)
	slots: frozenset[Slot] = frozenset()


@dataclass
class SameStartingTime(Constraint):
	"""All of ``lessons`` start in the same slot. Cost: one unit per lesson not starting where
	the first lesson starts."""

	lessons: list[str] = field(default_factory=list)


@dataclass
class SameStartingDay(Constraint):
	"""All of ``lessons`` are on the same day. Cost: one unit per lesson not on the first
	lesson's day."""

	lessons: list[str] = field(default_factory=list)


@dataclass
class SameStartingHour(Constraint):
	"""All of ``lessons`` start at the same period (any day). Cost: one unit per lesson not
	starting at the first lesson's period."""

	lessons: list[str] = field(default_factory=list)


@dataclass
class NotOverlapping(Constraint):
	"""No two of ``lessons`` share a period. Cost: one unit per overlapping pair."""

	lessons: list[str] = field(default_factory=list)


@dataclass
class Consecutive(Constraint):
	"""``second`` starts right after ``first`` ends, same day, breaks in between allowed (FET *two
	activities consecutive*: ``second`` starts at the first period after ``first`` that is not a
	break). Cost: one unit if not."""

	first: str = ""
	second: str = ""


@dataclass
class Ordered(Constraint):
	"""``second`` starts after ``first`` ends, in week order (FET *two activities ordered*).

	Cost: one unit if not."""

	first: str = ""
	second: str = ""


@dataclass
class OrderedIfSameDay(Constraint):
	"""When ``first`` and ``second`` fall on the same day, ``second`` starts after ``first`` ends (FET *two
	activities ordered if same day*); on different days either order is fine. Cost: one unit if not."""

	first: str = ""
	second: str = ""


@dataclass
class OccupyMaxSlots(Constraint):
	"""``lessons`` together occupy at most ``max_slots`` of the ``slots`` (a slot counts once however many
	of them share it; FET *activities occupy max time slots from selection*). Cost: one unit per slot
	above."""

	lessons: list[str] = field(default_factory=list)
	slots: frozenset[Slot] = frozenset()
	max_slots: int = 0


@dataclass
class MaxSimultaneous(Constraint):
	"""At most ``max_simultaneous`` of ``lessons`` in each of the ``slots`` (FET *activities max
	simultaneous in selected time slots*). Cost: one unit per lesson above, in each slot."""

	lessons: list[str] = field(default_factory=list)
	slots: frozenset[Slot] = frozenset()
	max_simultaneous: int = 0


@dataclass
class OccupyMaxRooms(Constraint):
	"""``lessons`` together use at most ``max_rooms`` different rooms (FET *activities occupy max different
	rooms*, which FET accepts only hard); lessons without a room do not count. Cost: one unit per room above."""

	lessons: list[str] = field(default_factory=list)
	max_rooms: int = 1


@dataclass
class SameRoomIfConsecutive(Constraint):
	"""Two of ``lessons`` on the same day, one starting in the period right after the other ends, are in the
	same room (FET *activities same room if consecutive*, hard only in FET). A break between them makes them
	not consecutive (fet-cl gives such a pair different rooms), and a lesson without a room binds nothing.
	Cost: one unit per consecutive pair in different rooms."""

	lessons: list[str] = field(default_factory=list)


@dataclass
class Grouped(Constraint):
	"""``lessons`` (2 or 3) are back to back on the same day in any order, breaks in between
	allowed (FET *two/three activities grouped*). Cost: one unit if not."""

	lessons: list[str] = field(default_factory=list)


@dataclass
class PreferredRooms(Constraint):
	"""Each of ``lessons`` is in one of ``rooms``.

	As in FET, a hard one makes the lessons take a room and restricts their candidate rooms; a
	soft one alone leaves the room optional (the lesson may get a wished room or none).
	Cost: one unit per lesson elsewhere or without a room."""

	lessons: list[str] = field(default_factory=list)
	rooms: list[str] = field(default_factory=list)


@dataclass
class HomeRooms(ResourceConstraint):
	"""Lessons of the given teachers/student sets are in one of ``rooms`` (FET *home room(s)*).

	As in FET, it does not apply to lessons that already name rooms (``rooms``, ``fixed_room``
	or a :class:`PreferredRooms` constraint); hard/soft as for :class:`PreferredRooms`.
	Cost: one unit per lesson elsewhere or without a room."""

	resource: Resource = "students"
	rooms: list[str] = field(default_factory=list)


# --- the problem ---------------------------------------------------------------------------------


@dataclass
class Problem:
	days: list[str]
	periods_per_day: int
	breaks: frozenset[Slot] = frozenset()
	teachers: list[Teacher] = field(default_factory=list)
	student_sets: list[StudentSet] = field(default_factory=list)
	rooms: list[Room] = field(default_factory=list)
	lessons: list[Lesson] = field(default_factory=list)
	constraints: list[Constraint] = field(default_factory=list)
	name: str = ""
	period_names: list[str] = field(default_factory=list)
	"""Optional labels for periods (e.g. ``"08:00"``); defaults to ``"P1"``…"""

	@property
	def num_days(self) -> int:
		return len(self.days)

	def slot_label(self, slot: Slot) -> str:
		day, period = slot
		names = self.period_names or [f"P{i + 1}" for i in range(self.periods_per_day)]
		return f"{self.days[day]} {names[period]}"

	def teacher_map(self) -> dict[str, Teacher]:
		return {t.id: t for t in self.teachers}

	def student_set_map(self) -> dict[str, StudentSet]:
		return {s.id: s for s in self.student_sets}

	def room_map(self) -> dict[str, Room]:
		return {r.id: r for r in self.rooms}

	def lesson_map(self) -> dict[str, Lesson]:
		return {le.id: le for le in self.lessons}

	def student_count(self, lesson: Lesson) -> int:
		if lesson.student_count is not None:
			return lesson.student_count
		sizes = self.student_set_map()
		return sum(sizes[s].size for s in lesson.student_sets if s in sizes)

	def occupied(self, lesson: Lesson, start: Slot) -> list[Slot]:
		"""The slots a lesson occupies if it starts at ``start``."""
		day, period = start
		return [(day, period + k) for k in range(lesson.duration)]

	def to_dict(self) -> dict[str, Any]:
		return _encode(self)

	@classmethod
	def from_dict(cls, data: dict[str, Any]) -> Problem:
		return _decode(cls, data)


# --- results -------------------------------------------------------------------------------------


@dataclass
class Violation:
	"""One broken rule in a timetable, in words a timetabler understands."""

	kind: str
	"""Short code: ``"teacher_clash"``, ``"unplaced"``, ``"MaxGaps"``…"""
	message: str
	hard: bool = True
	constraint: str = ""
	"""Label of the violated constraint (empty for built-in rules such as clashes)."""
	amount: int = 1
	"""Units of violation (extra gaps, missing periods, clashing pairs…)."""
	cost: int = 0
	"""Soft cost: ``amount`` × :func:`soft_penalty` (0 for hard violations)."""
	lessons: list[str] = field(default_factory=list)


@dataclass
class Report:
	"""Validator output: every hard violation and the weighted soft cost, per constraint."""

	hard_violations: list[Violation] = field(default_factory=list)
	soft_violations: list[Violation] = field(default_factory=list)
	soft_cost: int = 0
	breakdown: dict[str, int] = field(default_factory=dict)
	"""Soft cost per constraint label."""

	@property
	def is_valid(self) -> bool:
		return not self.hard_violations

	def messages(self) -> list[str]:
		return [v.message for v in self.hard_violations + self.soft_violations]


SolveStatus = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID"]


@dataclass
class Solution:
	status: SolveStatus
	assignments: dict[str, Assignment] = field(default_factory=dict)
	"""Lesson id → assignment; empty unless ``status`` is OPTIMAL or FEASIBLE."""
	objective: float | None = None
	best_bound: float | None = None
	time_to_first_solution: float | None = None
	"""Seconds from the start of :func:`solve` to the first hard-feasible timetable."""
	wall_time: float = 0.0
	report: Report | None = None
	"""Validator report on ``assignments`` (the one source of truth for violations)."""
	explanation: list[str] = field(default_factory=list)
	"""Why the problem is infeasible (or why the model is invalid), for humans."""
	moved: int | None = None
	"""Lessons starting elsewhere than in the hint, when a hint was given."""
	memory_limited: bool = False
	"""Whether the memory budget cut a search short or kept one from starting (``explanation`` says
	which); a bigger budget may find a timetable, or a better one."""

	@property
	def found(self) -> bool:
		return self.status in ("OPTIMAL", "FEASIBLE")

	def to_dict(self) -> dict[str, Any]:
		return _encode(self)

	@classmethod
	def from_dict(cls, data: dict[str, Any]) -> Solution:
		return _decode(cls, data)


# --- JSON round-trip -----------------------------------------------------------------------------
# Slots become [day, period] lists, slot sets sorted lists of them; constraints carry a "type".


def _encode(value: Any) -> Any:
	if dataclasses.is_dataclass(value) and not isinstance(value, type):
		out = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
		if isinstance(value, Constraint):
			out = {"type": type(value).__name__, **out}
		return out
	if isinstance(value, frozenset | set):
		return [list(v) if isinstance(v, tuple) else v for v in sorted(value)]
	if isinstance(value, tuple):
		return list(value)
	if isinstance(value, list):
		return [_encode(v) for v in value]
	if isinstance(value, dict):
		return {k: _encode(v) for k, v in value.items()}
	return value


_NESTED = {
	"teachers": Teacher,
	"student_sets": StudentSet,
	"rooms": Room,
	"lessons": Lesson,
}


def _decode_field(annotation: str, value: Any) -> Any:
	if value is None:
		return None
	if annotation.startswith("frozenset[Slot]"):
		return frozenset(tuple(v) for v in value)
	if annotation.startswith("Slot"):
		return tuple(value)
	return value


def _decode(cls: type, data: dict[str, Any]) -> Any:
	kwargs = {}
	for f in dataclasses.fields(cls):
		if f.name not in data:
			continue
		value = data[f.name]
		if cls is Problem and f.name in _NESTED:
			value = [_decode(_NESTED[f.name], v) for v in value]
		elif cls is Problem and f.name == "constraints":
			value = [constraint_from_dict(v) for v in value]
		elif cls is Solution and f.name == "assignments":
			value = {k: _decode(Assignment, v) for k, v in value.items()}
		elif cls is Solution and f.name == "report" and value is not None:
			value = _decode(Report, value)
		elif cls is Report and f.name in ("hard_violations", "soft_violations"):
			value = [_decode(Violation, v) for v in value]
		else:
			value = _decode_field(str(f.type), value)
		kwargs[f.name] = value
	return cls(**kwargs)


def constraint_from_dict(data: dict[str, Any]) -> Constraint:
	data = dict(data)
	kind = data.pop("type")
	try:
		cls = Constraint.TYPES[kind]
	except KeyError:
		raise ValueError(f"Unknown constraint type {kind!r}") from None
	return _decode(cls, data)


def assignment_from_dict(data: dict[str, Any]) -> Assignment:
	return _decode(Assignment, data)
