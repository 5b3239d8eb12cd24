"""A fast first timetable for problems whose hard rules are mostly clashes: ejection search.

CP-SAT spends seconds presolving and searching files that FET's placement heuristic solves in
under one (Namibian schools: clashes, rooms, *min days between* and *same starting time* only).
This module places lessons one at a time the way a timetabler would: take the hardest lesson not
yet placed, put it where it displaces the fewest others, send the displaced lessons back to the
queue, repeat. Lessons that keep being displaced grow heavier, so the search stops shuffling the
same few and works around the hard ones (the conflict weighting of iterative forward search).

It models only: legal starts (breaks, availability, fixed/allowed starts, hard time windows, as
:class:`~ai_school.core.timetable.rules.ProblemIndex` computes them), teacher / student set /
room clashes, room choice, and hard :class:`MinDaysBetween`, :class:`SameStartingTime`,
:class:`Consecutive` and :class:`NotOverlapping`. Problems with any other hard constraint are left
to the solver (:func:`supports` says which). Soft constraints are ignored: this only finds a valid timetable,
which the solver then optimises from. The caller checks the result with the validator.
"""

from __future__ import annotations

import heapq
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from itertools import combinations

from ai_school.core.timetable.model import (
	Assignment,
	Consecutive,
	MinDaysBetween,
	NotOverlapping,
	Problem,
	SameStartingTime,
	UnavailableTimes,
)
from ai_school.core.timetable.rules import ProblemIndex

NATIVE_HARD = (Consecutive, MinDaysBetween, NotOverlapping, SameStartingTime, UnavailableTimes)
"""Hard constraint types this search respects (unavailability through the legal starts)."""

STALL_STEPS_PER_LESSON = 30
"""Default patience before starting over: placements without progress, per lesson. On the 36
fet-data files the search supports (2 seeds, 5 s each): 55 of 72 runs solved at 30, 53 at 10, 56
at 100; 30 had the lowest median time."""

_BLOCKED = -2
_FREE = -1
RANDOM_WALK = 0.02
"""Chance of placing a lesson at a random start instead of the least disruptive one (escapes
plateaus where the same lessons keep displacing each other)."""


def supports(problem: Problem) -> bool:
	"""Whether every hard constraint of ``problem`` is one this search respects."""
	return all(isinstance(c, NATIVE_HARD) for c in problem.constraints if c.is_hard)


class _Units:
	"""Lessons grouped into units that move together (hard *same starting time* and
	*consecutive*), with the precomputed facts the search needs as small integers and lists
	(this is the hot loop).

	Time is counted in *cells*: ``day * periods_per_day`` + the position among the day's periods
	that are not breaks. Breaks are not cells, so a consecutive pair with a break between them
	(allowed, as in FET) is a fixed offset apart, and no lesson is ever placed on a break."""

	def __init__(self, problem: Problem, index: ProblemIndex, hint: Mapping[str, Assignment]):
		self.per_day = problem.periods_per_day
		week = problem.num_days * problem.periods_per_day
		self.cell_of = {
			(day, period): day * self.per_day + i for (day, period), i in index.teaching_position.items()
		}
		self.slot_of = {cell: slot for slot, cell in self.cell_of.items()}
		"""Cell → its ``(day, period)``."""
		grouped = self._group(problem)
		self.feasible = grouped is not None
		grouped = grouped or []
		self.members = [[lesson_id for lesson_id, _ in unit] for unit in grouped]
		self.offsets = [[offset for _, offset in unit] for unit in grouped]
		self.unit_of = {le: u for u, members in enumerate(self.members) for le in members}
		resource_ids: dict[tuple[str, str], int] = {}

		def rid(key: tuple[str, str]) -> int:
			return resource_ids.setdefault(key, len(resource_ids))

		overlap_groups = defaultdict(list)
		for n, c in enumerate(problem.constraints):
			if isinstance(c, NotOverlapping) and c.is_hard:
				for lesson_id in c.lessons:
					overlap_groups[lesson_id].append(("not overlapping", str(n)))
		self.durations: list[list[int]] = []
		self.resources: list[list[list[int]]] = []
		"""Unit → member → resources it always holds (teachers, student sets, its only room)."""
		self.room_options: list[list[list[int]]] = []
		"""Unit → member → candidate rooms when there is a choice (else empty)."""
		self.starts: list[list[int]] = []
		for members, offsets in zip(self.members, self.offsets, strict=True):
			durations, resources, options, starts = [], [], [], None
			for lesson_id, offset in zip(members, offsets, strict=True):
				lesson = index.lessons[lesson_id]
				rooms = index.candidate_rooms.get(lesson_id)
				locked = hint.get(lesson_id) if lesson.locked and lesson.fixed_start is None else None
				if locked is not None and rooms and locked.room in rooms:
					rooms = [locked.room]
				held = [rid(("teacher", t)) for t in lesson.teachers]
				held += [rid(("students", s)) for s in lesson.student_sets]
				held += [rid(key) for key in overlap_groups.get(lesson_id, ())]
				if rooms is not None and not rooms:
					self.feasible = False  # needs a room and none suits it
				if rooms is not None and len(rooms) == 1:
					held.append(rid(("room", rooms[0])))
				options.append([rid(("room", r)) for r in rooms] if rooms and len(rooms) > 1 else [])
				durations.append(lesson.duration)
				resources.append(held)
				legal = index.legal_starts[lesson_id]
				if locked is not None:
					legal = [s for s in legal if s == locked.start]
				# Unit starts putting this member at a legal start of the unit's day.
				position = index.teaching_position
				mine = {self.cell_of[s] - offset for s in legal if position[s] >= offset}
				starts = mine if starts is None else starts & mine
				if len(set(held)) < len(held):
					self.feasible = False  # e.g. a teacher twice in one lesson
			for a, b in combinations(range(len(members)), 2):
				overlap = offsets[a] < offsets[b] + durations[b] and offsets[b] < offsets[a] + durations[a]
				if overlap and set(resources[a]) & set(resources[b]):
					self.feasible = False  # simultaneous lessons share a teacher, class or room
			self.durations.append(durations)
			self.resources.append(resources)
			self.room_options.append(options)
			self.starts.append(sorted(starts or ()))
			if not starts:
				self.feasible = False
		self.room_ids = {i: key[1] for key, i in resource_ids.items() if key[0] == "room"}
		self.owner = [[_FREE] * week for _ in resource_ids]
		"""Resource → week period → the unit holding it, ``_FREE`` or ``_BLOCKED``."""
		for (kind, resource_id), i in resource_ids.items():
			if kind == "room":
				for slot in index.unavailable("room", resource_id):
					if slot in self.cell_of:
						self.owner[i][self.cell_of[slot]] = _BLOCKED
		self.apart = self._min_days(problem)

	@staticmethod
	def _group(problem: Problem) -> list[list[tuple[str, int]]] | None:
		"""Units as ``(lesson, offset)`` lists: a member starts ``offset`` cells after its unit
		(0 for *same starting time*, the first's duration for *consecutive*). None when the
		rules contradict each other (left to the solver to explain)."""
		parent = {lesson.id: lesson.id for lesson in problem.lessons}
		shift = dict.fromkeys(parent, 0)  # start(x) = start(parent[x]) + shift[x]

		def find(x: str) -> tuple[str, int]:
			offset = 0
			while parent[x] != x:
				offset += shift[x]
				x = parent[x]
			return x, offset

		def link(a: str, b: str, delta: int) -> bool:
			"""start(b) = start(a) + delta."""
			(root_a, off_a), (root_b, off_b) = find(a), find(b)
			if root_a == root_b:
				return off_b - off_a == delta
			parent[root_b], shift[root_b] = root_a, off_a + delta - off_b
			return True

		durations = {lesson.id: lesson.duration for lesson in problem.lessons}
		for c in problem.constraints:
			if not c.is_hard:
				continue
			if isinstance(c, SameStartingTime):
				known = [le for le in c.lessons if le in parent]
				if not all(link(known[0], other, 0) for other in known[1:]):
					return None
			elif isinstance(c, Consecutive) and c.first in parent and c.second in parent:
				if not link(c.first, c.second, durations[c.first]):
					return None
		groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
		for lesson in problem.lessons:
			root, offset = find(lesson.id)
			groups[root].append((lesson.id, offset))
		units = []
		for members in groups.values():
			low = min(offset for _, offset in members)
			units.append([(lesson_id, offset - low) for lesson_id, offset in members])
		return units

	def _min_days(self, problem: Problem) -> list[list[tuple[int, int, int, int, int]]]:
		"""Unit → ``(other unit, min days, consecutive if same day, own member, other member)``
		for each hard *min days between* pair (member indexes locate durations)."""
		out: list[list] = [[] for _ in self.members]
		position = {le: i for members in self.members for i, le in enumerate(members)}
		for c in problem.constraints:
			if not (isinstance(c, MinDaysBetween) and c.is_hard):
				continue
			known = [le for le in c.lessons if le in self.unit_of]
			for i, a in enumerate(known):
				for b in known[i + 1 :]:
					ua, ub = self.unit_of[a], self.unit_of[b]
					if ua == ub:
						if c.min_days > 0 or c.consecutive_if_same_day:
							self.feasible = False  # always on the same day as itself
						continue
					flag = int(c.consecutive_if_same_day)
					out[ua].append((ub, c.min_days, flag, position[a], position[b]))
					out[ub].append((ua, c.min_days, flag, position[b], position[a]))
		return out


class _Search:
	def __init__(self, units: _Units, seed: int):
		self.u = units
		self.random = random.Random(seed)
		count = len(units.members)
		self.at = [-1] * count
		self.rooms: list[list[int]] = [[-1] * len(m) for m in units.members]
		self.weight = [1] * count
		self.unplaced = set(range(count))
		# Static difficulty: few starts, long, many resources first.
		self.difficulty = [
			sum(d * (len(r) + bool(o)) for d, r, o in zip(durs, res, opts, strict=True)) / max(1, len(starts))
			for durs, res, opts, starts in zip(
				units.durations, units.resources, units.room_options, units.starts, strict=True
			)
		]
		self.queue: list[tuple[int, float, float, int]] = []
		"""Unplaced units, heaviest first; stale entries (placed since, or reweighed) are skipped."""
		for unit in range(count):
			self.enqueue(unit)

	def restart(self) -> None:
		"""Start over from an empty timetable. Runs that stall are usually stuck around a few
		lessons; a fresh start with new random choices beats learning more weights (36 fet-data
		files × 3 seeds, 5 s each, patience 10: 85 solved restarting from scratch, 82 keeping half
		the weights, 78 keeping all)."""
		for unit in range(len(self.at)):
			if self.at[unit] >= 0:
				self.remove(unit)
		self.weight = [1] * len(self.at)
		self.queue = []
		for unit in range(len(self.at)):
			self.enqueue(unit)

	def enqueue(self, unit: int) -> None:
		heapq.heappush(self.queue, (-self.weight[unit], -self.difficulty[unit], self.random.random(), unit))

	def next_unit(self) -> int:
		while True:
			weight, _, _, unit = heapq.heappop(self.queue)
			if unit in self.unplaced and -weight == self.weight[unit]:
				return unit

	def conflicts(self, unit: int, start: int) -> tuple[set[int], list[int]] | None:
		"""Units displaced by putting ``unit`` at ``start`` and the rooms it would take; None if
		it cannot go there at all (a room unavailable, no candidate room free of blocks)."""
		u, owner = self.u, self.u.owner
		hit: set[int] = set()
		rooms = []
		# (room, period) pairs the unit's own members hold: members at the same time may not
		# share a room.
		taken = {
			(r, c)
			for m, held in enumerate(u.resources[unit])
			for r in held
			if r in u.room_ids
			for c in self.cells(unit, m, start)
		}
		for m, held in enumerate(u.resources[unit]):
			cells = self.cells(unit, m, start)
			for r in held:
				row = owner[r]
				for c in cells:
					o = row[c]
					if o >= 0 and o != unit:
						hit.add(o)
					elif o == _BLOCKED:
						return None
			options = u.room_options[unit][m]
			if options:
				best, best_hit = -1, None
				for r in options:
					if any((r, c) in taken for c in cells):
						continue
					row = owner[r]
					found: set[int] | None = set()
					for c in cells:
						o = row[c]
						if o == _BLOCKED:
							found = None
							break
						if o >= 0 and o != unit:
							found.add(o)
					if found is None:
						continue
					if not found:
						best, best_hit = r, found
						break
					if best_hit is None or len(found) < len(best_hit):
						best, best_hit = r, found
				if best_hit is None:
					return None
				hit |= best_hit
				rooms.append(best)
				taken.update((best, c) for c in cells)
			else:
				rooms.append(-1)
		per_day = u.per_day
		day = start // per_day
		for other, min_days, consecutive, mine, theirs in u.apart[unit]:
			there = self.at[other]
			if there < 0:
				continue
			other_day = there // per_day
			if abs(day - other_day) < min_days:
				hit.add(other)
			elif consecutive and day == other_day:
				# Adjacent periods, a break between them not allowed (FET counts it here).
				a = u.slot_of[start + u.offsets[unit][mine]][1]
				b = u.slot_of[there + u.offsets[other][theirs]][1]
				if b != a + u.durations[unit][mine] and a != b + u.durations[other][theirs]:
					hit.add(other)
		return hit, rooms

	def cells(self, unit: int, member: int, start: int) -> range:
		"""Cells a member holds when its unit starts at ``start``."""
		begin = start + self.u.offsets[unit][member]
		return range(begin, begin + self.u.durations[unit][member])

	def place(self, unit: int, start: int, rooms: list[int]) -> None:
		u = self.u
		for m, held in enumerate(u.resources[unit]):
			cells = self.cells(unit, m, start)
			for r in (*held, rooms[m]) if rooms[m] >= 0 else held:
				row = u.owner[r]
				for c in cells:
					row[c] = unit
		self.at[unit] = start
		self.rooms[unit] = rooms
		self.unplaced.discard(unit)

	def remove(self, unit: int) -> None:
		u, start = self.u, self.at[unit]
		for m, held in enumerate(u.resources[unit]):
			cells = self.cells(unit, m, start)
			room = self.rooms[unit][m]
			for r in (*held, room) if room >= 0 else held:
				row = u.owner[r]
				for c in cells:
					row[c] = _FREE
		self.at[unit] = -1
		self.unplaced.add(unit)
		self.weight[unit] += 1
		self.enqueue(unit)

	def step(self) -> None:
		unit = self.next_unit()
		starts = self.u.starts[unit]
		choice = None
		if self.random.random() < RANDOM_WALK:
			for start in self.random.sample(starts, len(starts)):
				found = self.conflicts(unit, start)
				if found is not None:
					choice = (start, *found)
					break
		else:
			best_cost = None
			for start in starts:
				found = self.conflicts(unit, start)
				if found is None:
					continue
				cost = sum(self.weight[v] for v in found[0]) + self.random.random() * 0.5
				if best_cost is None or cost < best_cost:
					best_cost, choice = cost, (start, *found)
					if not found[0]:
						break
		if choice is None:
			# Nowhere to go while its room options are blocked: retry later, heavier.
			self.weight[unit] += 1
			self.enqueue(unit)
			return
		start, hit, rooms = choice
		for other in hit:
			self.remove(other)
		self.place(unit, start, rooms)


def ejection_search(
	problem: Problem,
	*,
	index: ProblemIndex | None = None,
	hint: Mapping[str, Assignment] | None = None,
	seed: int = 0,
	time_limit: float = 10.0,
	stall_steps: int | None = None,
	should_stop: Callable[[], bool] | None = None,
) -> dict[str, Assignment] | None:
	"""A timetable placing every lesson with no clash and respecting the natively supported hard
	rules, or None (unsupported rules, no timetable found in time, or ``should_stop()``).

	``hint``: a previous timetable to start from (locked lessons stay at their hinted start).
	``stall_steps``: start over after this many placements without a new low in unplaced
	lessons (default: grows with the problem); counting steps rather than seconds keeps a run
	reproducible on any machine unless ``time_limit`` or ``should_stop`` cuts it short.
	"""
	if not supports(problem):
		return None
	index = index or ProblemIndex(problem)
	hint = dict(hint or {})
	units = _Units(problem, index, hint)
	if not units.feasible:
		return None
	search = _Search(units, seed)
	for unit, members in enumerate(units.members):
		first = hint.get(members[0])
		if first is None:
			continue
		cell = units.cell_of.get((first.day, first.period))
		start = cell - units.offsets[unit][0] if cell is not None else None
		found = search.conflicts(unit, start) if start in units.starts[unit] else None
		if found is not None and not found[0]:
			search.place(unit, start, found[1])
	deadline = time.perf_counter() + time_limit
	stall_steps = stall_steps or STALL_STEPS_PER_LESSON * len(problem.lessons)
	steps = best_step = 0
	best = len(search.unplaced)
	while search.unplaced:
		steps += 1
		if len(search.unplaced) < best:
			best, best_step = len(search.unplaced), steps
		elif steps - best_step > stall_steps:
			search.restart()
			best, best_step = len(search.unplaced), steps
		if steps % 64 == 0 and (time.perf_counter() > deadline or (should_stop and should_stop())):
			return None
		search.step()
	out = {}
	for unit, members in enumerate(units.members):
		for m, lesson_id in enumerate(members):
			day, period = units.slot_of[search.at[unit] + units.offsets[unit][m]]
			room = search.rooms[unit][m]
			if room < 0:
				held = [r for r in units.resources[unit][m] if r in units.room_ids]
				room = held[0] if held else -1
			out[lesson_id] = Assignment(lesson_id, day, period, units.room_ids.get(room))
	return out
