"""Derived facts about a :class:`Problem` shared by the solver, the validator and the explainer.

Keeping "which lessons does this teacher have", "which rooms may this lesson use" and "which
periods count for gaps" in one place is what makes the validator the single source of truth for
the solver's semantics.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from ai_school.core.timetable.model import (
	HomeRooms,
	Lesson,
	PreferredRooms,
	PreferredStartingTimes,
	PreferredTimeSlots,
	Problem,
	Resource,
	ResourceConstraint,
	Slot,
	UnavailableTimes,
)

TIME_RESOURCES: tuple[Resource, ...] = ("teacher", "students")


class ProblemIndex:
	def __init__(self, problem: Problem):
		self.problem = problem
		self.lessons = problem.lesson_map()
		self.teachers = problem.teacher_map()
		self.student_sets = problem.student_set_map()
		self.rooms = problem.room_map()
		self._unavailable_cache: dict[tuple[str, str], frozenset[Slot]] = {}

	# --- resources ---------------------------------------------------------------------------

	@cached_property
	def lessons_of(self) -> dict[tuple[str, str], list[str]]:
		"""``(resource, id)`` → ids of the lessons that always use it (teachers, student sets)."""
		out: dict[tuple[str, str], list[str]] = defaultdict(list)
		for lesson in self.problem.lessons:
			for teacher in lesson.teachers:
				out["teacher", teacher].append(lesson.id)
			for student_set in lesson.student_sets:
				out["students", student_set].append(lesson.id)
		return out

	def resource_ids(self, constraint: ResourceConstraint) -> list[str]:
		if constraint.ids:
			return list(constraint.ids)
		entities = {"teacher": self.teachers, "students": self.student_sets, "room": self.rooms}
		return list(entities[constraint.resource])

	def label(self, resource: str, resource_id: str) -> str:
		if resource == "teacher":
			entity = self.teachers.get(resource_id)
			return f"Teacher {entity.label if entity else resource_id}"
		if resource == "students":
			entity = self.student_sets.get(resource_id)
			return f"Students {entity.label if entity else resource_id}"
		entity = self.rooms.get(resource_id)
		return f"Room {entity.label if entity else resource_id}"

	def lesson_label(self, lesson_id: str) -> str:
		lesson = self.lessons.get(lesson_id)
		if lesson is None:
			return lesson_id
		parts = [p for p in (lesson.subject, ", ".join(lesson.student_sets)) if p]
		return f"{lesson_id} ({' / '.join(parts)})" if parts else lesson_id

	def entity_unavailable(self, resource: str, resource_id: str) -> frozenset[Slot]:
		entities = {"teacher": self.teachers, "students": self.student_sets, "room": self.rooms}
		entity = entities[resource].get(resource_id)
		return entity.unavailable if entity else frozenset()

	@cached_property
	def _hard_unavailable(self) -> dict[tuple[str, str], frozenset[Slot]]:
		out: dict[tuple[str, str], frozenset[Slot]] = defaultdict(frozenset)
		for constraint in self.problem.constraints:
			if isinstance(constraint, UnavailableTimes) and constraint.is_hard:
				for resource_id in self.resource_ids(constraint):
					key = (constraint.resource, resource_id)
					out[key] = out[key] | constraint.slots
		return out

	def unavailable(self, resource: str, resource_id: str) -> frozenset[Slot]:
		"""Hard unavailability: the entity's own plus hard :class:`UnavailableTimes`."""
		key = (resource, resource_id)
		if key not in self._unavailable_cache:
			self._unavailable_cache[key] = self.entity_unavailable(
				resource, resource_id
			) | self._hard_unavailable.get(key, frozenset())
		return self._unavailable_cache[key]

	def usable_periods(self, resource: str, resource_id: str, day: int) -> list[int]:
		"""Periods of ``day`` that count for gaps/beginnings: not a break, not unavailable."""
		blocked = self.problem.breaks | self.unavailable(resource, resource_id)
		return [p for p in range(self.problem.periods_per_day) if (day, p) not in blocked]

	def available_slot_count(self, resource: str, resource_id: str) -> int:
		return sum(
			len(self.usable_periods(resource, resource_id, day)) for day in range(self.problem.num_days)
		)

	# --- time ----------------------------------------------------------------------------------

	@cached_property
	def teaching_periods(self) -> list[list[int]]:
		"""Day → its periods that are not breaks, in order.

		As in FET, a break is not a time slot: lessons that must follow each other directly
		(:class:`~ai_school.core.timetable.model.Consecutive`,
		:class:`~ai_school.core.timetable.model.Grouped`) may have a break between them, while
		counts of periods (min gaps between lessons, consecutive-if-same-day) still include it."""
		breaks = self.problem.breaks
		return [
			[p for p in range(self.problem.periods_per_day) if (day, p) not in breaks]
			for day in range(self.problem.num_days)
		]

	@cached_property
	def teaching_position(self) -> dict[Slot, int]:
		"""Slot that is not a break → its position among its day's :attr:`teaching_periods`."""
		return {
			(day, p): i for day, periods in enumerate(self.teaching_periods) for i, p in enumerate(periods)
		}

	def next_teaching_period(self, day: int, period: int) -> int | None:
		"""The first period of ``day`` at or after ``period`` that is not a break (None: none left):
		where a lesson directly following one that ends at ``period`` starts."""
		breaks = self.problem.breaks
		while period < self.problem.periods_per_day:
			if (day, period) not in breaks:
				return period
			period += 1
		return None

	def structural_starts(self, lesson: Lesson) -> list[Slot]:
		"""Starts where the lesson fits inside one day without touching a break."""
		problem = self.problem
		starts = []
		for day in range(problem.num_days):
			for period in range(problem.periods_per_day - lesson.duration + 1):
				if not any(slot in problem.breaks for slot in problem.occupied(lesson, (day, period))):
					starts.append((day, period))
		return starts

	@cached_property
	def hard_time_windows(self) -> dict[str, list[tuple[str, frozenset[Slot], bool]]]:
		"""Lesson id → hard time restrictions from constraints: ``(label, slots, whole_lesson)``.

		``whole_lesson`` is true for time slots (every occupied period inside), false for starts.
		"""
		out: dict[str, list[tuple[str, frozenset[Slot], bool]]] = defaultdict(list)
		for constraint in self.problem.constraints:
			if not constraint.is_hard:
				continue
			if isinstance(constraint, PreferredStartingTimes):
				for lesson_id in constraint.lessons:
					out[lesson_id].append((constraint.label(), constraint.starts, False))
			elif isinstance(constraint, PreferredTimeSlots):
				for lesson_id in constraint.lessons:
					out[lesson_id].append((constraint.label(), constraint.slots, True))
		return out

	def start_blockers(self, lesson: Lesson, start: Slot) -> list[str]:
		"""Why ``lesson`` may not start at a structurally valid ``start`` (empty = it may)."""
		occupied = self.problem.occupied(lesson, start)
		reasons = []
		if lesson.fixed_start is not None and tuple(lesson.fixed_start) != start:
			reasons.append("fixed start")
		if lesson.allowed_starts is not None and start not in lesson.allowed_starts:
			reasons.append("allowed starts")
		for label, slots, whole in self.hard_time_windows.get(lesson.id, ()):
			if (whole and not all(s in slots for s in occupied)) or (not whole and start not in slots):
				reasons.append(label)
		rooms = self.candidate_rooms.get(lesson.id, [])
		single_room = rooms if len(rooms) == 1 else []
		for resource, ids in (
			("teacher", lesson.teachers),
			("students", lesson.student_sets),
			("room", single_room),
		):
			for resource_id in ids:
				unavailable = self.unavailable(resource, resource_id)
				if any(s in unavailable for s in occupied):
					reasons.append(f"{self.label(resource, resource_id)} availability")
		return reasons

	@cached_property
	def legal_starts(self) -> dict[str, list[Slot]]:
		"""Lesson id → starts with no :meth:`start_blockers` (same rules, computed in bulk)."""
		return {lesson.id: self._legal_starts(lesson) for lesson in self.problem.lessons}

	def _legal_starts(self, lesson: Lesson) -> list[Slot]:
		rooms = self.candidate_rooms.get(lesson.id, [])
		resources = [
			*(("teacher", t) for t in lesson.teachers),
			*(("students", s) for s in lesson.student_sets),
			*(("room", r) for r in (rooms if len(rooms) == 1 else ())),
		]
		blocked = self.problem.breaks.union(*(self.unavailable(*r) for r in resources))
		windows = self.hard_time_windows.get(lesson.id, ())
		starts = []
		for day in range(self.problem.num_days):
			for period in range(self.problem.periods_per_day - lesson.duration + 1):
				start = (day, period)
				occupied = [(day, period + k) for k in range(lesson.duration)]
				if any(s in blocked for s in occupied):
					continue
				if lesson.fixed_start is not None and tuple(lesson.fixed_start) != start:
					continue
				if lesson.allowed_starts is not None and start not in lesson.allowed_starts:
					continue
				if any(
					(whole and not all(s in slots for s in occupied)) or (not whole and start not in slots)
					for _, slots, whole in windows
				):
					continue
				starts.append(start)
		return starts

	# --- rooms ---------------------------------------------------------------------------------

	@cached_property
	def room_preferences(self) -> dict[str, list[tuple[PreferredRooms | HomeRooms, frozenset[str]]]]:
		"""Lesson id → the room constraints applying to it, with their room sets."""
		out: dict[str, list[tuple[PreferredRooms | HomeRooms, frozenset[str]]]] = {}
		named = set()
		for constraint in self.problem.constraints:
			if isinstance(constraint, PreferredRooms):
				for lesson_id in constraint.lessons:
					out.setdefault(lesson_id, []).append((constraint, frozenset(constraint.rooms)))
					named.add(lesson_id)
		for constraint in self.problem.constraints:
			if isinstance(constraint, HomeRooms):
				for resource_id in self.resource_ids(constraint):
					for lesson_id in self.lessons_of.get((constraint.resource, resource_id), ()):
						lesson = self.lessons[lesson_id]
						if lesson_id in named or lesson.rooms or lesson.fixed_room:
							continue
						out.setdefault(lesson_id, []).append((constraint, frozenset(constraint.rooms)))
		return out

	def takes_room(self, lesson: Lesson) -> bool:
		"""Must have a room: asks for one itself or is named by a HARD room constraint.

		As in FET, a soft room preference alone leaves the room optional (see
		:attr:`optional_rooms`)."""
		return lesson.takes_room() or any(c.is_hard for c, _ in self.room_preferences.get(lesson.id, ()))

	@cached_property
	def optional_rooms(self) -> dict[str, list[str]]:
		"""Lesson id → rooms it may use without needing one: lessons with only soft room wishes
		may go to a wished room that fits, or to no room (paying the wish's cost)."""
		out = {}
		for lesson_id, prefs in self.room_preferences.items():
			lesson = self.lessons.get(lesson_id)
			if lesson is None or self.takes_room(lesson):
				continue
			wished = set().union(*(rooms for _, rooms in prefs))
			out[lesson_id] = [
				r.id for r in self.problem.rooms if r.id in wished and not self.room_blockers(lesson, r.id)
			]
		return out

	def room_blockers(self, lesson: Lesson, room_id: str) -> list[str]:
		"""Why ``lesson`` may not use ``room_id`` (hard rules; empty = it may)."""
		room = self.rooms.get(room_id)
		if room is None:
			return ["unknown room"]
		reasons = []
		if lesson.fixed_room and room_id != lesson.fixed_room:
			reasons.append("fixed room")
		if lesson.rooms and room_id not in lesson.rooms:
			reasons.append("allowed rooms")
		if lesson.room_kind and room.kind != lesson.room_kind:
			reasons.append(f"needs a {lesson.room_kind}")
		count = self.problem.student_count(lesson)
		if room.capacity is not None and count > room.capacity:
			reasons.append(f"{count} students > capacity {room.capacity}")
		for constraint, rooms in self.room_preferences.get(lesson.id, ()):
			if constraint.is_hard and room_id not in rooms:
				reasons.append(constraint.label())
		return reasons

	@cached_property
	def candidate_rooms(self) -> dict[str, list[str]]:
		"""Lesson id → rooms it may use; only for lessons that take a room."""
		return {
			lesson.id: [r.id for r in self.problem.rooms if not self.room_blockers(lesson, r.id)]
			for lesson in self.problem.lessons
			if self.takes_room(lesson)
		}
