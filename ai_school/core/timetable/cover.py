"""Cover for an absent instructor: rank substitutes and free slots for the lessons they miss.

Plain data in, plain data out. The shell reads Course Schedules, instructors and holidays, builds a
:class:`Calendar` of busy intervals and asks for proposals; it writes nothing back through here.

Ranking
-------
A substitute must be free for the whole lesson (no lesson, no absence overlapping) and must teach
the lesson's course or in its program. Among those, the score is::

    qualification points - LOAD_PENALTY × lessons that day - COVER_PENALTY × covers this term

with ties broken by fewer covers this term (fairness), then fewer lessons that day, then the
instructor id, so the same data always gives the same answer. A move keeps the instructor and
puts the lesson in a slot of the same week where the group, the instructor and the room are all
free; nearer days rank first. When proposing for several lessons the recommended pick for one
lesson is booked into the calendar before the next is considered, so one substitute is never
proposed for two overlapping lessons and the load they take on is counted.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

Resource = tuple[str, str]
"""``("instructor" | "group" | "room", id)``."""

# qualification tiers: same course in the same program > same course elsewhere > same program
SAME_COURSE_AND_PROGRAM = 30
SAME_COURSE = 20
SAME_PROGRAM = 10
LOAD_PENALTY = 3
COVER_PENALTY = 2
MOVE_BASE = 0
MOVE_DAY_PENALTY = 1

WHOLE_DAY = (0, 24 * 60)


def minutes(value: int | str | dt.time | dt.timedelta) -> int:
	"""Minutes after midnight of a time as Frappe hands it out (timedelta from the database, "HH:MM:SS"
	from a form, or a time object)."""
	if isinstance(value, int):
		return value
	if isinstance(value, dt.timedelta):
		return int(value.total_seconds() // 60)
	if isinstance(value, dt.time):
		return value.hour * 60 + value.minute
	hours, mins, *_ = (str(value).split(".")[0] + ":0").split(":")
	return int(hours) * 60 + int(mins)


def clock(value: int) -> str:
	return f"{value // 60:02d}:{value % 60:02d}"


def week_of(day: dt.date) -> list[dt.date]:
	"""Monday to Sunday of the week holding ``day``."""
	monday = day - dt.timedelta(days=day.weekday())
	return [monday + dt.timedelta(days=i) for i in range(7)]


@dataclass(frozen=True)
class Interval:
	day: dt.date
	start: int
	end: int
	ref: str = ""
	"""What occupies it (a Course Schedule name, an absence name); lets a lesson ignore itself."""
	lesson: bool = True
	"""False for absences: they block the time but are not teaching load."""

	def overlaps(self, day: dt.date, start: int, end: int) -> bool:
		return self.day == day and self.start < end and start < self.end


class Calendar:
	"""Busy intervals per resource."""

	def __init__(self, busy: Mapping[Resource, Iterable[Interval]] | None = None):
		self._busy: dict[Resource, list[Interval]] = defaultdict(list)
		for resource, intervals in (busy or {}).items():
			self._busy[resource].extend(intervals)

	def add(self, resource: Resource, interval: Interval) -> None:
		self._busy[resource].append(interval)

	def remove_ref(self, resource: Resource, ref: str) -> None:
		self._busy[resource] = [i for i in self._busy[resource] if i.ref != ref]

	def conflicts(
		self, resource: Resource, day: dt.date, start: int, end: int, ignore: str = ""
	) -> list[Interval]:
		return [
			i
			for i in self._busy.get(resource, ())
			if i.overlaps(day, start, end) and (not ignore or i.ref != ignore)
		]

	def is_free(self, resource: Resource, day: dt.date, start: int, end: int, ignore: str = "") -> bool:
		return not self.conflicts(resource, day, start, end, ignore)

	def lessons_on(self, resource: Resource, day: dt.date) -> int:
		return sum(1 for i in self._busy.get(resource, ()) if i.day == day and i.lesson)

	def clashes(self) -> list[tuple[Resource, Interval, Interval]]:
		"""Pairs of lessons that overlap on one resource (a valid timetable has none)."""
		found = []
		for resource, intervals in sorted(self._busy.items()):
			lessons = sorted((i for i in intervals if i.lesson), key=lambda i: (i.day, i.start, i.ref))
			for index, first in enumerate(lessons):
				for second in lessons[index + 1 :]:
					if second.day != first.day or second.start >= first.end:
						break
					found.append((resource, first, second))
		return found

	def copy(self) -> Calendar:
		return copy.deepcopy(self)


@dataclass(frozen=True)
class CoverLesson:
	"""A lesson whose instructor is absent (one Course Schedule)."""

	id: str
	day: dt.date
	start: int
	end: int
	instructor: str
	course: str
	student_group: str
	program: str = ""
	room: str = ""

	@property
	def duration(self) -> int:
		return self.end - self.start


@dataclass(frozen=True)
class Candidate:
	"""An instructor who might cover: what they teach and how many covers they did this term."""

	instructor: str
	name: str = ""
	teaches: frozenset[tuple[str, str]] = frozenset()
	"""``(course, program)`` pairs; program may be "" when the lesson or group has none."""
	covers_this_term: int = 0

	@property
	def label(self) -> str:
		return self.name or self.instructor


@dataclass
class Proposal:
	lesson: str
	kind: Literal["substitute", "move"]
	score: float
	reasons: list[str]
	instructor: str
	day: dt.date
	start: int
	end: int
	room: str = ""
	recommended: bool = False

	def to_dict(self) -> dict:
		data = asdict(self)
		data["day"] = self.day.isoformat()
		data["start"], data["end"] = clock(self.start), clock(self.end)
		return data


@dataclass
class Plan:
	"""Every option found per lesson, best first, with the recommended one flagged."""

	options: dict[str, list[Proposal]] = field(default_factory=dict)

	def recommended(self, lesson: str) -> Proposal | None:
		return next((p for p in self.options.get(lesson, ()) if p.recommended), None)

	@property
	def uncovered(self) -> list[str]:
		return [lesson for lesson in self.options if self.recommended(lesson) is None]


def _plural(count: int, word: str) -> str:
	return f"{count} {word}{'' if count == 1 else 's'}"


def qualification(lesson: CoverLesson, candidate: Candidate) -> tuple[int, str] | None:
	"""Points and the reason for them, or None when the candidate teaches neither course nor program."""
	courses = {course for course, _ in candidate.teaches}
	programs = {program for _, program in candidate.teaches if program}
	if lesson.program and (lesson.course, lesson.program) in candidate.teaches:
		return SAME_COURSE_AND_PROGRAM, f"teaches {lesson.course} in {lesson.program}"
	if lesson.course in courses:
		return SAME_COURSE, f"teaches {lesson.course}"
	if lesson.program and lesson.program in programs:
		others = sorted(
			course for course, program in candidate.teaches if program == lesson.program and course
		)
		return SAME_PROGRAM, f"teaches {', '.join(others) or 'a group'} in {lesson.program}"
	return None


def rank_substitutes(
	lesson: CoverLesson, candidates: Sequence[Candidate], calendar: Calendar, extra_covers: Mapping[str, int]
) -> list[Proposal]:
	ranked = []
	for candidate in candidates:
		if candidate.instructor == lesson.instructor:
			continue
		resource = ("instructor", candidate.instructor)
		if not calendar.is_free(resource, lesson.day, lesson.start, lesson.end):
			continue
		qualified = qualification(lesson, candidate)
		if qualified is None:
			continue
		points, why = qualified
		load = calendar.lessons_on(resource, lesson.day)
		covers = candidate.covers_this_term + extra_covers.get(candidate.instructor, 0)
		score = points - LOAD_PENALTY * load - COVER_PENALTY * covers
		reasons = [why, f"{_plural(load, 'lesson')} that day", f"{_plural(covers, 'cover')} this term"]
		proposal = Proposal(
			lesson=lesson.id,
			kind="substitute",
			score=score,
			reasons=reasons,
			instructor=candidate.instructor,
			day=lesson.day,
			start=lesson.start,
			end=lesson.end,
			room=lesson.room,
		)
		ranked.append(((-score, covers, load, candidate.instructor), proposal))
	return [proposal for _, proposal in sorted(ranked, key=lambda pair: pair[0])]


def propose_covers(
	lessons: Sequence[CoverLesson], candidates: Sequence[Candidate], calendar: Calendar, *, limit: int = 3
) -> list[Proposal]:
	"""Ranked substitutes for each lesson (at most ``limit`` each), in lesson order; the first of each
	lesson's list is recommended and booked before the next lesson is ranked."""
	return [
		p for options in _plan(lessons, candidates, calendar, {}, limit).options.values() for p in options
	]


def propose_moves(
	lesson: CoverLesson,
	calendar: Calendar,
	*,
	school_days: Iterable[int],
	periods: Iterable[tuple[int, int]],
	holidays: Iterable[dt.date] = (),
	not_before: dt.date | None = None,
	limit: int = 3,
) -> list[Proposal]:
	"""Free slots in the lesson's week for the same group, instructor and room.

	``school_days`` are weekday numbers (Monday 0) and ``periods`` (start, end) minutes seen in the
	group's own schedules: a lesson may start wherever a period starts and must end by the latest
	period end of the school day.
	"""
	periods = sorted(set(periods))
	if not periods:
		return []
	day_end = max(end for _, end in periods)
	starts = sorted({start for start, _ in periods if start + lesson.duration <= day_end})
	skip = set(holidays)
	school_days = set(school_days)
	resources = [("group", lesson.student_group), ("instructor", lesson.instructor)]
	if lesson.room:
		resources.append(("room", lesson.room))
	found = []
	for day in week_of(lesson.day):
		if day.weekday() not in school_days or day in skip or (not_before and day < not_before):
			continue
		for start in starts:
			end = start + lesson.duration
			if (day, start) == (lesson.day, lesson.start):
				continue
			if all(calendar.is_free(r, day, start, end, ignore=lesson.id) for r in resources):
				distance = abs((day - lesson.day).days)
				found.append(((distance, day, start), _move(lesson, day, start, end, distance)))
	return [proposal for _, proposal in sorted(found, key=lambda pair: pair[0])[:limit]]


def _move(lesson: CoverLesson, day: dt.date, start: int, end: int, distance: int) -> Proposal:
	when = f"{day.strftime('%a %d %b')} {clock(start)}–{clock(end)}"
	free = f"{lesson.student_group}, the instructor" + (f" and {lesson.room}" if lesson.room else "")
	if distance == 0:
		shift = "same day"
	else:
		shift = f"{_plural(distance, 'day')} {'later' if day > lesson.day else 'earlier'}"
	return Proposal(
		lesson=lesson.id,
		kind="move",
		score=MOVE_BASE - MOVE_DAY_PENALTY * distance,
		reasons=[f"moves to {when}", f"{free} free then", shift],
		instructor=lesson.instructor,
		day=day,
		start=start,
		end=end,
		room=lesson.room,
	)


@dataclass(frozen=True)
class MoveOptions:
	"""Where a group's lessons may go: weekdays and periods seen in its schedules, holidays to skip."""

	school_days: frozenset[int]
	periods: frozenset[tuple[int, int]]
	holidays: frozenset[dt.date] = frozenset()
	not_before: dt.date | None = None


def plan_cover(
	lessons: Sequence[CoverLesson],
	candidates: Sequence[Candidate],
	calendar: Calendar,
	moves: Mapping[str, MoveOptions],
	*,
	limit: int = 3,
) -> Plan:
	"""Substitutes and moves for every lesson. A substitute is recommended when there is one, else the
	nearest free slot; lessons with neither stay uncovered. ``moves`` is keyed by student group."""
	return _plan(lessons, candidates, calendar, moves, limit)


def _plan(
	lessons: Sequence[CoverLesson],
	candidates: Sequence[Candidate],
	calendar: Calendar,
	moves: Mapping[str, MoveOptions],
	limit: int,
) -> Plan:
	calendar = calendar.copy()
	taken: dict[str, int] = defaultdict(int)
	plan = Plan()
	for lesson in sorted(lessons, key=lambda item: (item.day, item.start, item.id)):
		options = rank_substitutes(lesson, candidates, calendar, taken)[:limit]
		where = moves.get(lesson.student_group)
		if where is not None:
			options += propose_moves(
				lesson,
				calendar,
				school_days=where.school_days,
				periods=where.periods,
				holidays=where.holidays,
				not_before=where.not_before,
				limit=limit,
			)
		plan.options[lesson.id] = options
		if options:
			_book(calendar, lesson, options[0], taken)
	return plan


def _book(calendar: Calendar, lesson: CoverLesson, pick: Proposal, taken: dict[str, int]) -> None:
	pick.recommended = True
	slot = Interval(pick.day, pick.start, pick.end, ref=lesson.id)
	if pick.kind == "substitute":
		calendar.add(("instructor", pick.instructor), slot)
		taken[pick.instructor] += 1
		return
	for resource in (
		("group", lesson.student_group),
		("instructor", lesson.instructor),
		("room", lesson.room),
	):
		if resource[1]:
			calendar.remove_ref(resource, lesson.id)
			calendar.add(resource, slot)
