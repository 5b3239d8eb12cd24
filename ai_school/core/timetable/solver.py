"""CP-SAT timetable solver.

Model
-----
* One Boolean ``x[lesson, start]`` per legal start slot (exactly one per lesson). Illegal starts
  (breaks, day end, hard unavailability, fixed/allowed starts, hard preferred times) never get a
  variable.
* Teachers, student sets and single-room lessons: at most one covering start per slot.
* Lessons with several candidate rooms get a Boolean per room and an optional interval per room;
  each such room has a no-overlap constraint. Lessons without room needs take no room.
* Resource-day constraints (gaps, hours, days, early beginnings) use per-slot "busy" Booleans and
  prefix/suffix "has lesson before/after" Booleans, linear in the number of periods.
* Rooms that nothing tells apart (same candidate lessons, no availability or wishes) form pools:
  a per-period count replaces room variables and rooms are assigned after solving.
* Redundant constraints: full-week resources are busy in every usable period; hard "no gaps" +
  hard "early beginnings" make days non-increasing blocks; room-pool counting cuts.
* Soft constraints are helpers returning :class:`Penalty` terms whose costs match
  :mod:`ai_school.core.timetable.validator` exactly, so ``Solution.objective`` equals the
  validator's ``soft_cost`` (plus the move penalty when ``minimize_moves`` is used).
* Symmetry breaking: interchangeable lessons (e.g. the parts of a split activity) are ordered by day.

Search (:func:`solve`): prechecks; then a first timetable, from the ejection search
(:mod:`~ai_school.core.timetable.ejection`, for problems whose hard rules it handles) and from a
lean hard-only CP-SAT model where local search (no presolve) races the systematic search (which
alone can prove infeasibility); then the soft constraints are added to the model and the
optimisation starts from a complete hint of that timetable. The CP-SAT model is only built when a
search needs it.

Determinism: with ``num_workers=1`` and a fixed ``seed`` the search is deterministic (same
problem, same timetable). With several workers CP-SAT races strategies and results may differ
between runs; the time limit also makes results depend on machine speed.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations, pairwise
from typing import Any

from ortools.sat.python import cp_model

from ai_school.core.timetable.ejection import ejection_search
from ai_school.core.timetable.ejection import supports as supports_ejection
from ai_school.core.timetable.model import (
	Assignment,
	Consecutive,
	Constraint,
	EarlyMaxBeginningsAtSecondHour,
	EndsStudentsDay,
	Grouped,
	HomeRooms,
	IntervalMaxDaysPerWeek,
	Lesson,
	MaxDaysBetween,
	MaxDaysPerWeek,
	MaxGaps,
	MaxHoursContinuously,
	MaxHoursDaily,
	MaxLessonsPerDay,
	MinDaysBetween,
	MinDaysPerWeek,
	MinGapsBetween,
	MinHoursDaily,
	NotOverlapping,
	Ordered,
	PreferredRooms,
	PreferredStartingTimes,
	PreferredTimeSlots,
	Problem,
	ResourceConstraint,
	SameStartingDay,
	SameStartingHour,
	SameStartingTime,
	Slot,
	Solution,
	UnavailableTimes,
)
from ai_school.core.timetable.rules import TIME_RESOURCES, ProblemIndex
from ai_school.core.timetable.validator import as_assignments, validate

Progress = Callable[[dict[str, Any]], None]


class UnsupportedConstraint(ValueError):
	"""The problem uses a constraint the solver cannot model (e.g. gaps for rooms)."""


@dataclass
class Penalty:
	"""A soft-constraint term: ``weight × expr`` in the objective, ``name`` for humans."""

	name: str
	expr: Any
	weight: int


class TimetableModel:
	"""Builds the CP-SAT model for a problem. Separate from :class:`Problem` so the problem stays
	plain data; one instance per solve.

	``explain=True`` builds the variant used to explain infeasibility: hard rules become
	implications of named assumption literals (``guards``) instead of domain reductions.
	``soft=False`` leaves soft constraints out: a leaner model to find a first timetable fast.
	``hint`` is the reference timetable (locks, moves) and the initial warm start.
	"""

	def __init__(
		self,
		problem: Problem,
		*,
		hint: Mapping[str, Assignment] | None = None,
		minimize_moves: int = 0,
		explain: bool = False,
		index: ProblemIndex | None = None,
		soft: bool = True,
	):
		self.problem = problem
		self.index = index or ProblemIndex(problem)
		self.model = cp_model.CpModel()
		self.hint = dict(hint or {})
		self.minimize_moves = minimize_moves
		self.explain = explain
		self.soft = soft and not explain
		"""Whether soft constraints are in the model (see :meth:`add_soft`)."""
		self.guards: dict[str, cp_model.IntVar] = {}
		self.notes: list[str] = []
		self.penalties: list[Penalty] = []
		self.constant_cost = 0
		self.x: dict[str, dict[Slot, cp_model.IntVar]] = {}
		self.cover: dict[str, dict[Slot, list[cp_model.IntVar]]] = {}
		self.room_choice: dict[str, dict[str, cp_model.IntVar]] = {}
		self.single_room: dict[str, str] = {}
		self._busy: dict[tuple[str, str, Slot], Any] = {}
		self._used: dict[tuple[str, str, int], Any] = {}
		self._start_var: dict[str, cp_model.IntVar] = {}
		self._on_day: dict[tuple[str, int], Any] = {}
		self.symmetry: cp_model.IntVar | None = None
		self.interchangeable: list[list[str]] = []
		"""Fixed to 1; enforces the symmetry-breaking constraints (0 in :meth:`local_search_model`)."""
		self.pools: dict[frozenset[str], list[str]] = {}
		self.room_options = {**self.index.candidate_rooms, **self.index.optional_rooms}
		self.build()

	# --- helpers -------------------------------------------------------------------------------

	def guard(self, label: str) -> cp_model.IntVar | None:
		"""Enforcement literal for a hard rule group in explain mode, ``None`` otherwise."""
		if not self.explain:
			return None
		if label not in self.guards:
			self.guards[label] = self.model.new_bool_var(label)
		return self.guards[label]

	def hard(self, constraint: cp_model.Constraint, label: str) -> None:
		lit = self.guard(label)
		if lit is not None:
			constraint.only_enforce_if(lit)

	def penalize(self, name: str, expr: Any, weight: int) -> None:
		if weight > 0:
			self.penalties.append(Penalty(name, expr, weight))

	def new_excess(self, expr: Any, limit: int, upper: int) -> cp_model.IntVar:
		"""Integer ``>= max(0, expr - limit)`` (tight under minimisation)."""
		excess = self.model.new_int_var(0, max(0, upper), "")
		self.model.add(excess >= expr - limit)
		return excess

	def new_at_least(self, terms: Iterable[Any]) -> Any:
		"""Boolean forced to 1 when any of the 0/1 linear ``terms`` is positive (constants fold)."""
		terms = list(terms)
		if any(isinstance(t, int) and t > 0 for t in terms):
			return 1
		terms = [t for t in terms if not isinstance(t, int)]
		if not terms:
			return 0
		var = self.model.new_bool_var("")
		for term in terms:
			self.model.add(var >= term)
		return var

	def occ(self, lesson_id: str, slot: Slot) -> Any:
		"""0/1 expression: the lesson occupies ``slot``."""
		return sum(self.cover[lesson_id].get(slot, ()))

	def on_day(self, lesson_id: str, day: int) -> Any:
		"""0/1 expression: the lesson is on ``day``."""
		key = (lesson_id, day)
		if key not in self._on_day:
			self._on_day[key] = sum(v for (d, _), v in self.x[lesson_id].items() if d == day)
		return self._on_day[key]

	def start_var(self, lesson_id: str) -> cp_model.IntVar:
		"""Global start index ``day * periods_per_day + period``."""
		if lesson_id not in self._start_var:
			per_day = self.problem.periods_per_day
			starts = self.x[lesson_id]
			values = [d * per_day + p for d, p in starts] or [0]
			var = self.model.new_int_var_from_domain(
				cp_model.Domain.from_values(values), f"start {lesson_id}"
			)
			self.model.add(var == sum((d * per_day + p) * v for (d, p), v in starts.items()))
			self._start_var[lesson_id] = var
		return self._start_var[lesson_id]

	def busy(self, resource: str, resource_id: str, slot: Slot) -> Any:
		"""0/1 Boolean (or constant 0): the teacher/student set is busy at ``slot``."""
		key = (resource, resource_id, slot)
		if key not in self._busy:
			covering = [
				v
				for le in self.index.lessons_of.get((resource, resource_id), ())
				for v in self.cover[le].get(slot, ())
			]
			if not covering:
				self._busy[key] = 0
			elif len(covering) == 1:
				self._busy[key] = covering[0]
			else:
				var = self.model.new_bool_var("")
				if self.explain:
					self.model.add_bool_or(covering).only_enforce_if(var)
					for v in covering:
						self.model.add_implication(v, var)
				else:
					self.model.add(var == sum(covering))
				self._busy[key] = var
		return self._busy[key]

	def day_busy(self, resource: str, resource_id: str, day: int) -> list[Any]:
		return [
			self.busy(resource, resource_id, (day, p))
			for p in range(self.problem.periods_per_day)
			if (day, p) not in self.problem.breaks
		]

	def used(self, resource: str, resource_id: str, day: int) -> Any:
		"""Boolean: the resource has a lesson on ``day`` (exact, both directions)."""
		key = (resource, resource_id, day)
		if key not in self._used:
			busy = [b for b in self.day_busy(resource, resource_id, day) if not isinstance(b, int)]
			used = self.new_at_least(busy)
			if busy:
				self.model.add(used <= sum(busy))
			self._used[key] = used
		return self._used[key]

	# --- build ---------------------------------------------------------------------------------

	def build(self) -> None:
		for lesson in self.problem.lessons:
			self.add_lesson(lesson)
		self.add_resource_clashes()
		self.add_rooms()
		for constraint in self.problem.constraints:
			if constraint.is_hard:
				self.add_constraint(constraint)
		if not self.explain:
			self.add_compact_days()
			self.add_symmetry_breaking()
		self.warm_start(self.hint)
		if self.soft:
			self.add_soft()

	def add_soft(self) -> None:
		"""Add the soft constraints, the move penalty and the objective (also after a lean solve:
		CP-SAT models can grow between solves)."""
		self.soft = True
		for constraint in self.problem.constraints:
			if not constraint.is_hard:
				self.add_constraint(constraint)
		self.add_moves()
		if self.penalties:
			self.set_objective()

	def locked_start(self, lesson: Lesson) -> Slot | None:
		if lesson.fixed_start is not None:
			return tuple(lesson.fixed_start)
		if lesson.locked and lesson.id in self.hint:
			return self.hint[lesson.id].start
		return None

	def add_lesson(self, lesson: Lesson) -> None:
		index = self.index
		if self.explain:
			starts = index.structural_starts(lesson)
		else:
			starts = index.legal_starts[lesson.id]
			locked = self.locked_start(lesson)
			if locked is not None and lesson.fixed_start is None:
				if locked in starts:
					starts = [locked]
				else:
					self.notes.append(
						f"Locked lesson {index.lesson_label(lesson.id)} cannot stay at "
						f"{self.problem.slot_label(locked)}: {'; '.join(index.start_blockers(lesson, locked))}"
					)
		x = {s: self.model.new_bool_var("") for s in starts}
		self.x[lesson.id] = x
		cover: dict[Slot, list[cp_model.IntVar]] = defaultdict(list)
		for start, var in x.items():
			for slot in self.problem.occupied(lesson, start):
				cover[slot].append(var)
		self.cover[lesson.id] = cover
		self.model.add_exactly_one(x.values())
		if self.explain:
			self.add_explain_blockers(lesson, x)

	def add_explain_blockers(self, lesson: Lesson, x: dict[Slot, cp_model.IntVar]) -> None:
		name = self.index.lesson_label(lesson.id)
		locked = self.locked_start(lesson)
		for start, var in x.items():
			labels = []
			for reason in self.index.start_blockers(lesson, start):
				if reason in ("fixed start", "allowed starts"):
					labels.append(f"Lesson {name}: {reason}")
				else:
					labels.append(reason)
			if lesson.locked and locked is not None and start != locked:
				labels.append(f"Lesson {name}: locked")
			for label in labels:
				self.model.add_implication(self.guard(label), var.Not())

	def add_resource_clashes(self) -> None:
		index = self.index
		for (resource, resource_id), lessons in index.lessons_of.items():
			if len(lessons) < 2:
				continue
			label = f"{index.label(resource, resource_id)}: one lesson at a time"
			self.add_no_clash(lessons, label)
			need = sum(index.lessons[le].duration for le in lessons)
			if not self.explain and need == index.available_slot_count(resource, resource_id):
				self.add_full_week(resource, resource_id, lessons)

	def add_full_week(self, resource: str, resource_id: str, lessons: list[str]) -> None:
		"""Redundant: a resource whose lessons fill all its available periods is busy in each of
		them (classes with a full week are common and this propagates much better)."""
		for day in range(self.problem.num_days):
			for period in self.index.usable_periods(resource, resource_id, day):
				covering = [v for le in lessons for v in self.cover[le].get((day, period), ())]
				self.model.add_bool_or(covering)

	def add_no_clash(self, lessons: list[str], label: str, capacity: int = 1) -> None:
		"""At most ``capacity`` of ``lessons`` in any period."""
		by_slot: dict[Slot, list[cp_model.IntVar]] = defaultdict(list)
		for lesson_id in lessons:
			for slot, vars_ in self.cover[lesson_id].items():
				by_slot[slot].extend(vars_)
		for vars_ in by_slot.values():
			if len(vars_) <= capacity:
				continue
			if self.explain or capacity > 1:
				self.hard(self.model.add(sum(vars_) <= capacity), label)
			else:
				self.model.add_at_most_one(vars_)

	def interchangeable_pools(self) -> dict[frozenset[str], list[str]]:
		"""Room pools whose rooms are interchangeable: every lesson that may use one of them may
		use exactly the pool, and nothing (availability, soft wishes, locks) tells the rooms apart.

		For such pools a per-period count is exact (interval graphs are perfect), so rooms are
		assigned after solving instead of searched for.
		"""
		index = self.index
		by_room: dict[str, set[frozenset[str]]] = defaultdict(set)
		members: dict[frozenset[str], list[str]] = defaultdict(list)
		for lesson_id, rooms in self.room_options.items():
			pool = frozenset(rooms)
			members[pool].append(lesson_id)
			for room in rooms:
				by_room[room].add(pool)
		soft_room_times = [
			c for c in self.problem.constraints if isinstance(c, UnavailableTimes) and c.resource == "room"
		]
		pools = {}
		for pool, lessons in members.items():
			if len(pool) < 2 or any(by_room[r] != {pool} or index.unavailable("room", r) for r in pool):
				continue
			if any(not c.ids or pool & set(c.ids) for c in soft_room_times):
				continue
			if any(not con.is_hard for le in lessons for con, _ in index.room_preferences.get(le, ())) or any(
				index.lessons[le].locked and le in self.hint for le in lessons
			):
				continue
			pools[pool] = lessons
		return pools

	def add_rooms(self) -> None:
		index, per_day = self.index, self.problem.periods_per_day
		self.pools = self.interchangeable_pools() if not self.explain else {}
		pooled = {le for lessons in self.pools.values() for le in lessons}
		for pool, lessons in self.pools.items():
			label = f"Rooms {', '.join(sorted(pool))}: at most {len(pool)} lessons at a time"
			self.add_no_clash(lessons, label, capacity=len(pool))
		room_users: dict[str, list[str]] = defaultdict(list)
		multi = set()
		for lesson_id, rooms in self.room_options.items():
			if lesson_id in pooled:
				continue
			lesson = index.lessons[lesson_id]
			optional = lesson_id in index.optional_rooms
			if len(rooms) == 1 and not optional:
				self.single_room[lesson_id] = rooms[0]
			elif rooms:
				choice = {r: self.model.new_bool_var(f"{lesson_id} in {r}") for r in rooms}
				if optional:
					self.model.add_at_most_one(choice.values())
				else:
					self.model.add_exactly_one(choice.values())
				self.room_choice[lesson_id] = choice
				multi.update(rooms)
				if lesson.locked and lesson.id in self.hint and self.hint[lesson.id].room in choice:
					self.model.add(choice[self.hint[lesson.id].room] == 1)
			elif not optional:
				# No suitable room: the explainer names it; here the model is simply infeasible.
				self.hard(
					self.model.add_bool_or([]), f"Lesson {index.lesson_label(lesson_id)}: a suitable room"
				)
			for room in rooms:
				room_users[room].append(lesson_id)
		for room_id, lessons in room_users.items():
			label = f"{index.label('room', room_id)}: one lesson at a time"
			if room_id not in multi:
				self.add_no_clash(lessons, label)
				continue
			intervals = []
			for lesson_id in lessons:
				duration = index.lessons[lesson_id].duration
				start = self.start_var(lesson_id)
				if lesson_id in self.room_choice:
					presence = self.room_choice[lesson_id][room_id]
					intervals.append(
						self.model.new_optional_fixed_size_interval_var(start, duration, presence, "")
					)
				else:
					intervals.append(self.model.new_fixed_size_interval_var(start, duration, ""))
			for day, period in sorted(index.unavailable("room", room_id)):
				intervals.append(self.model.new_fixed_size_interval_var(day * per_day + period, 1, ""))
			self.hard(self.model.add_no_overlap(intervals), label)
		if not self.explain:
			self.add_room_pool_cuts()

	def pool_rooms(self, starts: Mapping[str, Slot]) -> dict[str, str]:
		"""Give each pooled lesson a room: per day, by start, the room that became free first."""
		out = {}
		for pool, lessons in self.pools.items():
			by_day: dict[int, list[str]] = defaultdict(list)
			for lesson_id in lessons:
				if lesson_id in starts:
					by_day[starts[lesson_id][0]].append(lesson_id)
			for day_lessons in by_day.values():
				free_at = dict.fromkeys(sorted(pool), 0)
				for lesson_id in sorted(day_lessons, key=lambda le: starts[le][1]):
					period = starts[lesson_id][1]
					room = min((r for r, t in free_at.items() if t <= period), key=free_at.get, default=None)
					if room is None:  # cannot happen when the counting constraint holds
						continue
					out[lesson_id] = room
					free_at[room] = period + self.index.lessons[lesson_id].duration
		return out

	def add_room_pool_cuts(self) -> None:
		"""Redundant counting cuts: lessons restricted to a room pool never outnumber the pool.

		Lessons whose room is optional (soft wishes only) may go roomless, so they do not count."""
		required = {
			le: choice for le, choice in self.room_choice.items() if le not in self.index.optional_rooms
		}
		pools = {frozenset(choice) for choice in required.values()}
		for pool in pools:
			members = [le for le, choice in required.items() if set(choice) <= pool]
			members += [le for le, room in self.single_room.items() if room in pool]
			self.add_no_clash(members, "", capacity=len(pool))

	def add_moves(self) -> None:
		if not self.minimize_moves:
			return
		for lesson_id, assignment in self.hint.items():
			var = self.x.get(lesson_id, {}).get(assignment.start)
			if lesson_id in self.x:
				self.penalize(f"move {lesson_id}", 1 - var if var is not None else 1, self.minimize_moves)

	def warm_start(self, assignments: Mapping[str, Assignment]) -> None:
		"""Replace the solver hints by ``assignments`` (decision variables only)."""
		self.model.clear_hints()
		for lesson_id, assignment in assignments.items():
			if lesson_id not in self.x:
				continue
			for start, var in self.x[lesson_id].items():
				self.model.add_hint(var, start == assignment.start)
			for room, var in self.room_choice.get(lesson_id, {}).items():
				self.model.add_hint(var, room == assignment.room)

	def complete_hint(self, assignments: Mapping[str, Assignment], time_limit: float) -> None:
		"""Warm start from ``assignments`` with a value for EVERY variable.

		CP-SAT often ignores a hint on the decision variables alone once the model has many
		auxiliary variables; so solve a copy with the decisions fixed (pure propagation) and hint
		the complete solution. Falls back to the partial hint if that copy cannot be solved.
		"""
		self.warm_start(assignments)
		copy = self.model.clone()
		proto = copy.proto
		for index, value in zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True):
			domain = proto.variables[index].domain
			domain.clear()
			domain.extend([value, value])
		copy.clear_hints()
		solver = _new_solver(min(time_limit, 5.0), 1, 0)
		if solver.solve(copy) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
			values = solver.response_proto.solution
			self.model.clear_hints()
			self.model.proto.solution_hint.vars.extend(range(len(values)))
			self.model.proto.solution_hint.values.extend(values)

	def objective_expr(self) -> Any:
		return sum(p.weight * p.expr for p in self.penalties) + self.constant_cost

	def set_objective(self) -> None:
		self.model.minimize(self.objective_expr())

	# --- constraints ---------------------------------------------------------------------------

	def add_constraint(self, constraint: Constraint) -> None:
		handler = _HANDLERS.get(type(constraint))
		if handler is None:
			raise UnsupportedConstraint(f"The solver does not support {type(constraint).__name__}")
		handler(self, constraint)

	def targets(self, c: ResourceConstraint) -> list[str]:
		if c.resource not in TIME_RESOURCES:
			raise UnsupportedConstraint(f"{type(c).__name__} is not supported for rooms")
		return self.index.resource_ids(c)

	def soft_or_hard(self, c: Constraint, expr: Any, limit: int, upper: int, label: str) -> None:
		"""``expr <= limit``: hard, or soft with one unit of cost per unit above ``limit``."""
		if isinstance(expr, int):
			if expr <= limit:
				return
			if c.is_hard:
				self.hard(self.model.add_bool_or([]), label)
			else:
				self.constant_cost += (expr - limit) * c.penalty
		elif c.is_hard:
			self.hard(self.model.add(expr <= limit), label)
		elif upper > limit:
			self.penalize(label, self.new_excess(expr, limit, upper - limit), c.penalty)

	def add_max_gaps(self, c: MaxGaps) -> None:
		for resource_id in self.targets(c):
			daily = []
			for day in range(self.problem.num_days):
				usable = self.index.usable_periods(c.resource, resource_id, day)
				gaps = self.gap_count(c.resource, resource_id, day, usable)
				if c.per == "day":
					self.soft_or_hard(c, gaps, c.max_gaps, len(usable), c.label())
				daily.append((gaps, len(usable)))
			if c.per == "week":
				total = sum(g for g, _ in daily)
				self.soft_or_hard(c, total, c.max_gaps, sum(n for _, n in daily), c.label())

	def gap_count(self, resource: str, resource_id: str, day: int, usable: list[int]) -> Any:
		"""Linear expression >= idle usable periods between the first and last busy one."""
		model = self.model
		busy = [self.busy(resource, resource_id, (day, p)) for p in usable]
		n = len(busy)
		if n < 3 or sum(1 for b in busy if not isinstance(b, int)) < 2:
			return 0
		before: list[Any] = [0] * n
		after: list[Any] = [0] * n
		for i in range(1, n):
			before[i] = self.new_at_least([before[i - 1], busy[i - 1]])
		for i in range(n - 2, -1, -1):
			after[i] = self.new_at_least([after[i + 1], busy[i + 1]])
		gaps = []
		for i in range(1, n - 1):
			if isinstance(before[i], int) or isinstance(after[i], int):
				continue
			gap = model.new_bool_var("")
			model.add(gap >= before[i] + after[i] - busy[i] - 1)
			gaps.append(gap)
		return sum(gaps)

	def add_max_hours_daily(self, c: MaxHoursDaily) -> None:
		for resource_id in self.targets(c):
			for day in range(self.problem.num_days):
				busy = self.day_busy(c.resource, resource_id, day)
				self.soft_or_hard(c, sum(busy), c.max_hours, len(busy), c.label())

	def add_min_hours_daily(self, c: MinHoursDaily) -> None:
		for resource_id in self.targets(c):
			for day in range(self.problem.num_days):
				busy = self.day_busy(c.resource, resource_id, day)
				need = (
					c.min_hours * self.used(c.resource, resource_id, day)
					if c.allow_empty_days
					else c.min_hours
				)
				self.soft_or_hard(c, need - sum(busy), 0, c.min_hours, c.label())

	def add_max_days(self, c: MaxDaysPerWeek) -> None:
		for resource_id in self.targets(c):
			days = [self.used(c.resource, resource_id, d) for d in range(self.problem.num_days)]
			self.soft_or_hard(c, sum(days), c.max_days, len(days), c.label())

	def add_min_days_per_week(self, c: MinDaysPerWeek) -> None:
		for resource_id in self.targets(c):
			days = [self.used(c.resource, resource_id, d) for d in range(self.problem.num_days)]
			self.soft_or_hard(c, c.min_days - sum(days), 0, c.min_days, c.label())

	def add_interval_max_days(self, c: IntervalMaxDaysPerWeek) -> None:
		for resource_id in self.targets(c):
			days = []
			for day in range(self.problem.num_days):
				busy = [
					self.busy(c.resource, resource_id, (day, p)) for p in range(c.start_period, c.end_period)
				]
				days.append(self.new_at_least(busy))
			self.soft_or_hard(c, sum(days), c.max_days, len(days), c.label())

	def add_max_continuously(self, c: MaxHoursContinuously) -> None:
		length = c.max_hours + 1
		for resource_id in self.targets(c):
			for day in range(self.problem.num_days):
				usable = set(self.index.usable_periods(c.resource, resource_id, day))
				for start in range(self.problem.periods_per_day - length + 1):
					window = range(start, start + length)
					if all(p in usable for p in window):
						busy = sum(self.busy(c.resource, resource_id, (day, p)) for p in window)
						self.soft_or_hard(c, busy, c.max_hours, length, c.label())

	def add_compact_days(self) -> None:
		"""Redundant: with hard "no gaps" and hard "early beginnings" a day is a block of usable
		periods starting at the first (or, if late starts are allowed, the second) one, so busy
		is non-increasing from there on. Very common in FET files; propagates far better."""
		no_gaps: set[tuple[str, str]] = set()
		early: dict[tuple[str, str], int] = {}
		for c in self.problem.constraints:
			if not c.is_hard or not isinstance(c, MaxGaps | EarlyMaxBeginningsAtSecondHour):
				continue
			if c.resource not in TIME_RESOURCES:
				continue
			for resource_id in self.index.resource_ids(c):
				key = (c.resource, resource_id)
				if isinstance(c, MaxGaps) and c.max_gaps == 0:
					no_gaps.add(key)
				elif isinstance(c, EarlyMaxBeginningsAtSecondHour):
					early[key] = min(early.get(key, c.max_beginnings), c.max_beginnings)
		for key in no_gaps & set(early):
			first = 0 if early[key] == 0 else 1
			for day in range(self.problem.num_days):
				usable = self.index.usable_periods(*key, day)
				busy = [self.busy(*key, (day, p)) for p in usable]
				for i in range(first, len(busy) - 1):
					if not isinstance(busy[i + 1], int):
						self.model.add(busy[i + 1] <= busy[i])

	def add_symmetry_breaking(self) -> None:
		"""Redundant: lessons that nothing tells apart (same attributes, named by exactly the same
		constraints, none of which orders them) are interchangeable, so their days are ordered.
		Typical: the components of a split FET activity. Hinted lessons are left alone, as a swap
		would count as moves."""
		mentions: dict[str, set[int]] = defaultdict(set)
		ordered: set[str] = set()
		for i, c in enumerate(self.problem.constraints):
			for lesson_id in getattr(c, "lessons", ()):
				mentions[lesson_id].add(i)
			if isinstance(c, Consecutive | Ordered):
				ordered.update((c.first, c.second))
		classes: dict[tuple, list[str]] = defaultdict(list)
		for lesson in self.problem.lessons:
			if lesson.id in ordered or lesson.id in self.hint or lesson.locked or lesson.id not in self.x:
				continue
			key = (
				tuple(lesson.teachers),
				tuple(lesson.student_sets),
				lesson.duration,
				tuple(lesson.rooms),
				lesson.room_kind,
				lesson.needs_room,
				lesson.student_count,
				lesson.fixed_start,
				lesson.allowed_starts,
				lesson.fixed_room,
				frozenset(mentions[lesson.id]),
			)
			classes[key].append(lesson.id)
		days = range(self.problem.num_days)
		self.interchangeable = [lessons for lessons in classes.values() if len(lessons) > 1]
		for lessons in self.interchangeable:
			for a, b in pairwise(lessons):
				if self.symmetry is None:
					self.symmetry = self.model.new_int_var(1, 1, "symmetry breaking")
				# day(a) <= day(b), as prefix sums of the start Booleans: no extra variables.
				for day in days[:-1]:
					self.model.add(
						sum(self.on_day(b, d) for d in days[: day + 1])
						<= sum(self.on_day(a, d) for d in days[: day + 1])
					).only_enforce_if(self.symmetry)

	def canonical(self, assignments: dict[str, Assignment]) -> dict[str, Assignment]:
		"""The same timetable with interchangeable lessons swapped into symmetry-breaking order
		(local search ignores it), so it is a valid warm start for the full model."""
		out = dict(assignments)
		for lessons in self.interchangeable:
			placed = [le for le in lessons if le in assignments]
			ordered = sorted((assignments[le] for le in placed), key=lambda a: a.start)
			for lesson_id, a in zip(placed, ordered, strict=True):
				out[lesson_id] = Assignment(lesson_id, a.day, a.period, a.room)
		return out

	@cached_property
	def local_search_model(self) -> cp_model.CpModel:
		"""A copy of the model for local search, without the symmetry breaking: it helps the
		systematic search but slows local search down (StAndrewsPSY2016T2a: 0.25 s → 2.3 s).
		One copy shared by every local-search thread (solving only reads it): on a 1,457-lesson
		file each copy costs ~30 MB."""
		copy = self.model.clone()
		if self.symmetry is not None:
			domain = copy.proto.variables[self.symmetry.index].domain
			domain.clear()
			domain.extend([0, 0])
		return copy

	def add_early(self, c: EarlyMaxBeginningsAtSecondHour) -> None:
		model = self.model
		for resource_id in self.targets(c):
			late_days, very_late_days = [], []
			for day in range(self.problem.num_days):
				usable = self.index.usable_periods(c.resource, resource_id, day)
				busy = [self.busy(c.resource, resource_id, (day, p)) for p in usable]
				if not any(not isinstance(b, int) for b in busy[1:]):
					continue
				late_days.append(self.new_at_least(b - busy[0] for b in busy[1:] if not isinstance(b, int)))
				later = [b for b in busy[2:] if not isinstance(b, int)]
				if not later:
					continue
				if c.is_hard:
					for b in later:
						self.hard(model.add(b <= busy[0] + busy[1]), c.label())
				else:
					very_late_days.append(self.new_at_least(b - busy[0] - busy[1] for b in later))
			self.soft_or_hard(c, sum(late_days), c.max_beginnings, len(late_days), c.label())
			for var in very_late_days:
				self.penalize(c.label(), var, c.penalty)

	def add_unavailable(self, c: UnavailableTimes) -> None:
		if c.is_hard:
			# Teachers/student sets: removed from the start domains; rooms: blocked intervals.
			return
		for resource_id in self.index.resource_ids(c):
			if c.resource == "room":
				lessons = [le for le, rooms in self.room_options.items() if resource_id in rooms]
			else:
				lessons = self.index.lessons_of.get((c.resource, resource_id), [])
			for lesson_id in lessons:
				lesson = self.index.lessons[lesson_id]
				for start, var in self.x[lesson_id].items():
					hits = sum(1 for s in self.problem.occupied(lesson, start) if s in c.slots)
					if not hits:
						continue
					choice = (
						self.room_choice.get(lesson_id, {}).get(resource_id) if c.resource == "room" else None
					)
					if choice is not None:
						var = self.new_at_least([var + choice - 1])
					self.penalize(c.label(), var, hits * c.penalty)

	def add_max_lessons_per_day(self, c: MaxLessonsPerDay) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		for day in range(self.problem.num_days):
			total = sum(self.on_day(le, day) for le in lessons)
			self.soft_or_hard(c, total, c.max_per_day, len(lessons), c.label())

	def window_sums(self, lesson_id: str, width: int) -> list[Any]:
		"""For each run of ``width`` consecutive days, 0/1: the lesson falls in it."""
		days = self.problem.num_days
		width = min(width, days)
		per_day = [self.on_day(lesson_id, d) for d in range(days)]
		return [sum(per_day[w : w + width]) for w in range(days - width + 1)]

	def add_min_days(self, c: MinDaysBetween) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		if c.min_days > 0:
			windows = {le: self.window_sums(le, c.min_days) for le in lessons}
			if c.is_hard:
				for w in range(len(next(iter(windows.values()), []))):
					self.hard(self.model.add(sum(windows[le][w] for le in lessons) <= 1), c.label())
			else:
				for a, b in combinations(lessons, 2):
					close = self.new_at_least(
						wa + wb - 1 for wa, wb in zip(windows[a], windows[b], strict=True)
					)
					self.penalize(c.label(), close, c.penalty)
		if c.consecutive_if_same_day and (c.min_days <= 0 or not c.is_hard):
			for a, b in combinations(lessons, 2):
				self.add_adjacent_if_same_day(c, a, b)

	def add_adjacent_if_same_day(self, c: MinDaysBetween, a: str, b: str) -> None:
		dur_a, dur_b = self.index.lessons[a].duration, self.index.lessons[b].duration
		xb = self.x[b]
		terms = []
		for (day, period), var in self.x[a].items():
			neighbours = xb.get((day, period + dur_a), 0) + xb.get((day, period - dur_b), 0)
			terms.append(var + self.on_day(b, day) - neighbours - 1)
		if c.is_hard:
			for term in terms:
				self.hard(self.model.add(term <= 0), c.label())
		else:
			self.penalize(c.label(), self.new_at_least(terms), c.penalty)

	def add_max_days_between(self, c: MaxDaysBetween) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		days = range(self.problem.num_days)
		for a, b in combinations(lessons, 2):
			terms = []
			for day in days:
				far = [self.on_day(b, d) for d in days if abs(d - day) > c.max_days]
				if far:
					terms.append(self.on_day(a, day) + sum(far) - 1)
			self.pair_terms(c, terms)

	def pair_terms(self, c: Constraint, terms: list[Any]) -> None:
		"""Each term ``<= 0`` (hard) or one unit of cost if any term is positive (soft)."""
		if c.is_hard:
			for term in terms:
				if not isinstance(term, int):
					self.hard(self.model.add(term <= 0), c.label())
				elif term > 0:
					self.hard(self.model.add_bool_or([]), c.label())
		else:
			self.penalize(c.label(), self.new_at_least(terms), c.penalty)

	def add_min_gaps_between(self, c: MinGapsBetween) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		for a, b in combinations(lessons, 2):
			dur_a, dur_b = self.index.lessons[a].duration, self.index.lessons[b].duration
			terms = []
			for (day, period), var in self.x[a].items():
				close = [
					v
					for (d, q), v in self.x[b].items()
					if d == day and period - dur_b - c.min_gaps < q < period + dur_a + c.min_gaps
				]
				if close:
					terms.append(var + sum(close) - 1)
			self.pair_terms(c, terms)

	def add_ends_students_day(self, c: EndsStudentsDay) -> None:
		for lesson_id in c.lessons:
			lesson = self.index.lessons.get(lesson_id)
			if lesson is None or lesson_id not in self.x:
				continue
			terms = []
			for (day, period), var in self.x[lesson_id].items():
				for student_set in lesson.student_sets:
					for later in range(period + lesson.duration, self.problem.periods_per_day):
						busy = self.busy("students", student_set, (day, later))
						if not isinstance(busy, int):
							terms.append(var + busy - 1)
			self.pair_terms(c, terms)

	def add_preferred_starts(self, c: PreferredStartingTimes) -> None:
		if c.is_hard:
			return  # enforced in the start domains
		for lesson_id in c.lessons:
			for start, var in self.x.get(lesson_id, {}).items():
				if start not in c.starts:
					self.penalize(c.label(), var, c.penalty)

	def add_preferred_slots(self, c: PreferredTimeSlots) -> None:
		if c.is_hard:
			return  # enforced in the start domains
		for lesson_id in c.lessons:
			lesson = self.index.lessons.get(lesson_id)
			for start, var in self.x.get(lesson_id, {}).items():
				if any(s not in c.slots for s in self.problem.occupied(lesson, start)):
					self.penalize(c.label(), var, c.penalty)

	def add_same_start(self, c: SameStartingTime) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		for other in lessons[1:]:
			first_x, other_x = self.x[lessons[0]], self.x[other]
			slots = set(first_x) | set(other_x)
			if c.is_hard:
				for s in slots:
					self.hard(self.model.add(first_x.get(s, 0) == other_x.get(s, 0)), c.label())
			else:
				differs = self.new_at_least(first_x.get(s, 0) - other_x.get(s, 0) for s in slots)
				self.penalize(c.label(), differs, c.penalty)

	def add_same_day(self, c: SameStartingDay) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		for other in lessons[1:]:
			terms = [self.on_day(lessons[0], d) - self.on_day(other, d) for d in range(self.problem.num_days)]
			self.pair_terms(c, terms)

	def on_period(self, lesson_id: str, period: int) -> Any:
		return sum(v for (_, p), v in self.x[lesson_id].items() if p == period)

	def add_same_hour(self, c: SameStartingHour) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		for other in lessons[1:]:
			periods = range(self.problem.periods_per_day)
			terms = [self.on_period(lessons[0], p) - self.on_period(other, p) for p in periods]
			self.pair_terms(c, terms)

	def add_not_overlapping(self, c: NotOverlapping) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		if c.is_hard:
			self.add_no_clash(lessons, c.label())
			return
		for a, b in combinations(lessons, 2):
			shared = set(self.cover[a]) & set(self.cover[b])
			overlap = self.new_at_least(self.occ(a, s) + self.occ(b, s) - 1 for s in shared)
			self.penalize(c.label(), overlap, c.penalty)

	def add_consecutive(self, c: Consecutive) -> None:
		if c.first not in self.x or c.second not in self.x:
			return
		duration = self.index.lessons[c.first].duration
		second = self.x[c.second]
		terms = [var - second.get((d, p + duration), 0) for (d, p), var in self.x[c.first].items()]
		if c.is_hard:
			for term in terms:
				self.hard(self.model.add(term <= 0), c.label())
		else:
			self.penalize(c.label(), self.new_at_least(terms), c.penalty)

	def violation_literal(self, c: Constraint) -> cp_model.IntVar | None:
		"""For soft constraints, a Boolean meaning "broken" (costing one unit); ``None`` if hard."""
		if c.is_hard:
			return None
		broken = self.model.new_bool_var(c.label())
		self.penalize(c.label(), broken, c.penalty)
		return broken

	def enforce(self, constraint: cp_model.Constraint, c: Constraint, broken: cp_model.IntVar | None) -> None:
		if broken is None:
			self.hard(constraint, c.label())
		else:
			constraint.only_enforce_if(broken.Not())

	def add_ordered(self, c: Ordered) -> None:
		if c.first not in self.x or c.second not in self.x:
			return
		broken = self.violation_literal(c)
		duration = self.index.lessons[c.first].duration
		self.enforce(
			self.model.add(self.start_var(c.second) >= self.start_var(c.first) + duration), c, broken
		)

	def add_grouped(self, c: Grouped) -> None:
		model = self.model
		lessons = [le for le in c.lessons if le in self.x]
		if len(lessons) < 2:
			return
		broken = self.violation_literal(c)
		durations = {le: self.index.lessons[le].duration for le in lessons}
		horizon = self.problem.num_days * self.problem.periods_per_day
		first = model.new_int_var(0, horizon, "")
		last = model.new_int_var(0, horizon, "")
		model.add_min_equality(first, [self.start_var(le) for le in lessons])
		model.add_max_equality(last, [self.start_var(le) + durations[le] for le in lessons])
		self.enforce(model.add(last - first == sum(durations.values())), c, broken)
		for a, b in combinations(lessons, 2):
			for day in range(self.problem.num_days):
				self.enforce(model.add(self.on_day(a, day) == self.on_day(b, day)), c, broken)
			for s in set(self.cover[a]) & set(self.cover[b]):
				self.enforce(model.add(self.occ(a, s) + self.occ(b, s) <= 1), c, broken)

	def add_rooms_preference(self, c: PreferredRooms | HomeRooms) -> None:
		if c.is_hard:
			return  # enforced in the candidate rooms
		wanted = set(c.rooms)
		for lesson_id, prefs in self.index.room_preferences.items():
			if not any(con is c for con, _ in prefs):
				continue
			if lesson_id in self.single_room:
				if self.single_room[lesson_id] not in wanted:
					self.constant_cost += c.penalty
				continue
			choice = self.room_choice.get(lesson_id, {})
			self.penalize(
				c.label(), 1 - sum(var for room, var in choice.items() if room in wanted), c.penalty
			)


_HANDLERS: dict[type, Callable[[TimetableModel, Any], None]] = {
	MaxGaps: TimetableModel.add_max_gaps,
	MaxHoursDaily: TimetableModel.add_max_hours_daily,
	MinHoursDaily: TimetableModel.add_min_hours_daily,
	MaxDaysPerWeek: TimetableModel.add_max_days,
	EarlyMaxBeginningsAtSecondHour: TimetableModel.add_early,
	UnavailableTimes: TimetableModel.add_unavailable,
	MaxLessonsPerDay: TimetableModel.add_max_lessons_per_day,
	MinDaysBetween: TimetableModel.add_min_days,
	PreferredStartingTimes: TimetableModel.add_preferred_starts,
	PreferredTimeSlots: TimetableModel.add_preferred_slots,
	SameStartingTime: TimetableModel.add_same_start,
	NotOverlapping: TimetableModel.add_not_overlapping,
	Consecutive: TimetableModel.add_consecutive,
	Ordered: TimetableModel.add_ordered,
	Grouped: TimetableModel.add_grouped,
	PreferredRooms: TimetableModel.add_rooms_preference,
	HomeRooms: TimetableModel.add_rooms_preference,
	MinDaysPerWeek: TimetableModel.add_min_days_per_week,
	IntervalMaxDaysPerWeek: TimetableModel.add_interval_max_days,
	MaxHoursContinuously: TimetableModel.add_max_continuously,
	MaxDaysBetween: TimetableModel.add_max_days_between,
	MinGapsBetween: TimetableModel.add_min_gaps_between,
	EndsStudentsDay: TimetableModel.add_ends_students_day,
	SameStartingDay: TimetableModel.add_same_day,
	SameStartingHour: TimetableModel.add_same_hour,
}


def unsupported_constraints(problem: Problem) -> list[str]:
	"""Constraints the solver cannot model, as messages (the validator still checks them)."""
	messages = []
	for constraint in problem.constraints:
		if type(constraint) not in _HANDLERS:
			messages.append(f"The solver does not support {type(constraint).__name__}")
		elif (
			isinstance(constraint, ResourceConstraint)
			and not isinstance(constraint, UnavailableTimes)
			and constraint.resource not in TIME_RESOURCES
		):
			messages.append(f"{constraint.label()} is not supported for rooms")
	return messages


_STATUS = {
	cp_model.OPTIMAL: "OPTIMAL",
	cp_model.FEASIBLE: "FEASIBLE",
	cp_model.INFEASIBLE: "INFEASIBLE",
	cp_model.MODEL_INVALID: "MODEL_INVALID",
	cp_model.UNKNOWN: "UNKNOWN",
}


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
	"""Records when the first timetable was found and forwards progress events.

	Objective coefficients are integers, so the reported objective is rounded (CP-SAT returns a
	float that may be off by rounding noise)."""

	def __init__(self, started: float, phase: str, progress: Progress | None, first_at: float | None):
		super().__init__()
		self.started = started
		self.phase = phase
		self.progress = progress
		self.first_at = first_at

	def on_solution_callback(self) -> None:
		elapsed = time.perf_counter() - self.started
		if self.first_at is None:
			self.first_at = elapsed
		if self.progress is not None:
			self.progress(
				{
					"event": "solution",
					"phase": self.phase,
					"objective": round(self.objective_value) if self.phase == "optimise" else None,
					"elapsed": elapsed,
					"first_solution_at": self.first_at,
				}
			)


def _new_solver(time_limit: float, num_workers: int, seed: int) -> cp_model.CpSolver:
	solver = cp_model.CpSolver()
	solver.parameters.max_time_in_seconds = max(0.01, time_limit)
	solver.parameters.num_workers = num_workers
	solver.parameters.random_seed = seed
	solver.parameters.log_search_progress = False
	return solver


LOCAL_SEARCH_SHARE = 0.2
"""With one worker: share of the time limit given to local search before the systematic search."""

LOCAL_SEARCH_BURST = 1.0
"""With several workers: seconds (at most 10 % of the limit) of local search on every worker
before it races the systematic search; easy files are usually solved in this burst."""


def _local_search_solver(time_limit: float, seed: int) -> cp_model.CpSolver:
	"""CP-SAT's feasibility-jump local search alone, on the model as built (no presolve).

	On timetabling models it often finds a first valid timetable one to two orders of magnitude
	faster than the default search (synthetic 20-class school: ~0.2–2 s depending on the seed, vs
	~5 s), but it can never prove infeasibility and sometimes stalls — hence the systematic search."""
	solver = _new_solver(time_limit, 1, seed)
	solver.parameters.use_ls_only = True
	solver.parameters.cp_model_presolve = False
	return solver


def _systematic_solver(time_limit: float, num_workers: int, seed: int) -> cp_model.CpSolver:
	"""The complete search for a first timetable (it alone can prove infeasibility).

	A single worker runs without LP relaxation: the model has no objective, and on FET files the
	LP only slows the search down (VietNamHungYen: first timetable 1.2 s vs none in 20 s;
	anonymous-1-2007: 10.5 s vs 17.5 s with the default 2-worker portfolio)."""
	solver = _new_solver(time_limit, num_workers, seed)
	if num_workers == 1:
		solver.parameters.linearization_level = 0
	return solver


_DECIDED = (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)


class _Racer:
	"""One way of looking for a first timetable, run in its own thread by :func:`_race`."""

	status: int | None = None
	first_at: float | None = None

	def search(self) -> int:
		raise NotImplementedError

	def stop(self) -> None:
		raise NotImplementedError

	def assignments(self) -> dict[str, Assignment]:
		raise NotImplementedError

	def start(self, done: threading.Event) -> None:
		def run() -> None:
			self.status = self.search()
			if self.status in _DECIDED:
				done.set()

		self.thread = threading.Thread(target=run, daemon=True)
		self.thread.start()

	def join(self) -> None:
		# stop_search() before a solve has started is lost, so repeat until the thread returns.
		while self.thread.is_alive():
			self.stop()
			self.thread.join(0.02)


class _CpRacer(_Racer):
	def __init__(self, built: TimetableModel, solver: cp_model.CpSolver, model: cp_model.CpModel, callback):
		self.built, self.solver, self.model, self.callback = built, solver, model, callback

	def search(self) -> int:
		status = self.solver.solve(self.model, self.callback)
		self.first_at = self.callback.first_at
		return status

	def stop(self) -> None:
		self.solver.stop_search()

	def assignments(self) -> dict[str, Assignment]:
		return _extract(self.built, self.solver)


class _EjectionRacer(_Racer):
	"""The ejection search (:mod:`~ai_school.core.timetable.ejection`): pure Python, so it holds
	the GIL while CP-SAT racers run in C++ without it. Its timetable is checked by the validator
	(the search models only some rules; anything else would be a bug, never a timetable)."""

	def __init__(
		self,
		problem: Problem,
		index: ProblemIndex,
		hint,
		seed: int,
		time_limit: float,
		started: float,
		progress,
	):
		self.problem, self.index, self.hint, self.seed = problem, index, hint, seed
		self.time_limit, self.started, self.progress = time_limit, started, progress
		self.stopped = threading.Event()
		self.found: dict[str, Assignment] | None = None

	def search(self) -> int:
		found = ejection_search(
			self.problem,
			index=self.index,
			hint=self.hint,
			seed=self.seed,
			time_limit=self.time_limit,
			should_stop=self.stopped.is_set,
		)
		if found is None or validate(self.problem, found).hard_violations:
			return cp_model.UNKNOWN
		self.found = found
		self.first_at = time.perf_counter() - self.started
		if self.progress is not None:
			self.progress(
				{
					"event": "solution",
					"phase": "feasibility",
					"objective": None,
					"elapsed": self.first_at,
					"first_solution_at": self.first_at,
				}
			)
		return cp_model.FEASIBLE

	def stop(self) -> None:
		self.stopped.set()

	def assignments(self) -> dict[str, Assignment]:
		return dict(self.found or {})


class _Relay(_Racer):
	"""Racers run one after the other in one thread: the next starts if the previous gave up (a
	leg may decline to start by returning None)."""

	def __init__(self, *legs: Callable[[], _Racer | None]):
		self.legs = legs
		self.current: _Racer | None = None
		self.stopped = threading.Event()

	def search(self) -> int:
		status = cp_model.UNKNOWN
		for leg in self.legs:
			if self.stopped.is_set():
				break
			racer = leg()
			if racer is None:  # the leg declined to run (memory budget)
				break
			self.current = racer
			status = racer.search()
			self.first_at = self.current.first_at
			if status in _DECIDED:
				break
		return status

	def stop(self) -> None:
		self.stopped.set()
		if self.current is not None:
			self.current.stop()

	def assignments(self) -> dict[str, Assignment]:
		return self.current.assignments() if self.current is not None else {}


def _race(racers: list[_Racer], done: threading.Event | None = None) -> _Racer | None:
	"""Run the racers not started yet, each in its own thread; the first to find a timetable (or
	prove there is none) stops the others. Returns that racer, or None if all gave up."""
	done = done or threading.Event()
	for racer in racers:
		if getattr(racer, "thread", None) is None:
			racer.start(done)
	while not done.is_set() and any(r.thread.is_alive() for r in racers):
		done.wait(0.02)
	for racer in racers:
		racer.join()
	return next((r for r in racers if r.status in _DECIDED), None)


MEMORY_BUDGET_MB = 400
"""Default of ``solve(memory_mb=...)``: what a solve may add to its process (the CP-SAT model and
the searches running at once), so a 1,500-lesson school stays under ~500 MB on a shared server."""

MEMORY_KB_PER_ITEM = {"model": 0.7, "feasibility": 1.5, "optimise": 2.0}
"""Estimated memory (KB) per CP-SAT variable or constraint: of the model itself (with its
local-search copy), and of each search running at once in either phase. Measured with ortools
9.15 on eight FET files of 450–1,500 lessons (22k–133k items): model 0.5–0.8; local search
0.9–1.2 and systematic search 1.3–2.5 per search; optimisation 1.0–3.7 per worker in its first
20 s. An estimate from the model's size rather than a reading of the process keeps runs with a
fixed seed reproducible; :class:`_MemoryGuard` catches what the estimate misses."""

MEMORY_POLL = 0.25
"""Seconds between two readings of the process's memory while optimising."""


def _resident_mb() -> float | None:
	"""This process's resident memory now, or None where /proc does not exist (not Linux)."""
	try:
		with open("/proc/self/statm") as statm:
			pages = int(statm.read().split()[1])
	except (OSError, ValueError, IndexError):
		return None
	return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _MemoryGuard:
	"""Stops a CP-SAT optimisation once the process holds more than ``limit_mb``; the solver then
	returns the best timetable found so far.

	Optimisation memory grows with time (learned clauses, solution pools): Bethlen-2008-2009-old
	(748 lessons) used 270 MB at its first timetable and 440–736 MB after 120 s, depending on the
	run. CP-SAT's own ``max_memory_in_mb`` does not bound the process (ortools 9.15: 405 MB peak
	under a 300 MB limit), hence a reading of /proc."""

	def __init__(self, solver: cp_model.CpSolver, limit_mb: float | None):
		self.solver = solver
		self.limit_mb = limit_mb
		self.stopped_at_mb: float | None = None
		self._done = threading.Event()
		self._thread = threading.Thread(target=self._watch, name="timetable-memory-guard", daemon=True)

	def __enter__(self) -> _MemoryGuard:
		if self.limit_mb is not None:
			self._thread.start()
		return self

	def __exit__(self, *exc: object) -> None:
		self._done.set()
		if self._thread.is_alive():
			self._thread.join()

	def _watch(self) -> None:
		while True:
			resident = _resident_mb()
			if resident is not None and resident > self.limit_mb:
				self.stopped_at_mb = self.stopped_at_mb or resident
				# Again on every poll: a stop asked before CP-SAT has started its search is lost.
				self.solver.stop_search()
			if self._done.wait(MEMORY_POLL):
				return


def _concurrent_searches(built: TimetableModel, wanted: int, phase: str, memory_mb: float) -> int:
	"""How many CP-SAT searches (or workers) of ``phase`` fit at once in ``memory_mb``; at least
	one, since a search that does not fit still has to run (alone)."""
	proto = built.model.proto
	items = len(proto.variables) + len(proto.constraints)
	model_mb = items * MEMORY_KB_PER_ITEM["model"] / 1024
	search_mb = items * MEMORY_KB_PER_ITEM[phase] / 1024
	return max(1, min(wanted, int((memory_mb - model_mb) // search_mb)))


EJECTION_HEAD_START = 1.0
"""Seconds (at most 10 % of the limit) the ejection search runs alone before the CP-SAT model is
built: most files it supports are solved by then, and building the model costs up to a second."""

EJECTION_SHARE = 0.25
"""Share of the time limit for the ejection search; then CP-SAT local search takes its thread
(ConColY13T1a: local search finds a timetable in ~15 s, the ejection search not in 60 s)."""


def _find_first(
	built_model: Callable[[], TimetableModel],
	problem: Problem,
	index: ProblemIndex,
	hint: Mapping[str, Assignment],
	time_limit: float,
	num_workers: int,
	seed: int,
	started: float,
	progress: Progress | None,
	memory_mb: float,
) -> tuple[int, dict[str, Assignment] | None, float | None]:
	"""First valid timetable: ``(status, assignments or None, seconds to find it)``.

	Problems whose hard rules the ejection search handles (most are clashes): it runs alone for
	a head start, then races the systematic CP-SAT search (which alone can prove infeasibility).
	Other problems, several workers: a short burst of CP-SAT local search on every worker
	(``LOCAL_SEARCH_BURST``), then local search (half of the workers, new seeds) races the
	systematic search (the other half). The two are complementary on FET files (local search:
	StAndrews, ET2012; systematic: VietNamHungYen, anonymous-1-2007, dgspro200809). One worker:
	each method in turn on a share of the time (``LOCAL_SEARCH_SHARE``), so results stay
	reproducible; so do models too big for two CP-SAT searches in ``memory_mb`` (the ejection
	search, which needs little memory, still races the systematic one). ``built_model()`` builds
	the CP-SAT model only when it is needed.
	"""
	deadline = time.perf_counter() + time_limit

	def outcome(racer: _Racer | None) -> tuple[int, dict[str, Assignment] | None, float | None]:
		if racer is None:
			return cp_model.UNKNOWN, None, None
		found = racer.assignments() if racer.status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
		return racer.status, found, racer.first_at

	def cp(solver: cp_model.CpSolver, model: cp_model.CpModel | None = None) -> _CpRacer:
		built = built_model()
		callback = _ProgressCallback(started, "feasibility", progress, None)
		return _CpRacer(built, solver, model or built.model, callback)

	def ejection(limit: float) -> _EjectionRacer:
		return _EjectionRacer(problem, index, hint, seed, limit, started, progress)

	def sequential() -> tuple[int, dict[str, Assignment] | None, float | None]:
		if supports_ejection(problem):
			winner = _race([ejection(LOCAL_SEARCH_SHARE * time_limit)])
			if winner is not None:
				return outcome(winner)
		model = built_model().local_search_model
		local = cp(_local_search_solver(deadline - time.perf_counter(), seed), model)
		local.solver.parameters.max_deterministic_time = max(0.5, LOCAL_SEARCH_SHARE * time_limit)
		winner = _race([local])
		if winner is not None:
			return outcome(winner)
		return outcome(_race([cp(_systematic_solver(deadline - time.perf_counter(), 1, seed))]))

	if num_workers <= 1:
		return sequential()

	def searches() -> int:
		return _concurrent_searches(built_model(), num_workers, "feasibility", memory_mb)

	if supports_ejection(problem):
		done = threading.Event()

		def local_search_leg() -> _CpRacer | None:
			if searches() < 2:  # the systematic search alone fills the memory budget
				return None
			return cp(
				_local_search_solver(deadline - time.perf_counter(), seed + 1),
				built_model().local_search_model,
			)

		head = _Relay(lambda: ejection(EJECTION_SHARE * time_limit), local_search_leg)
		head.start(done)
		done.wait(min(EJECTION_HEAD_START, 0.1 * time_limit))
		if done.is_set():
			return outcome(_race([head], done))
		workers = max(1, searches() - 1)
		systematic = cp(_systematic_solver(deadline - time.perf_counter(), workers, seed))
		return outcome(_race([head, systematic], done))

	def local_entries(count: int, limit: float, first_seed: int) -> list[_Racer]:
		return [
			cp(_local_search_solver(limit, first_seed + i), built_model().local_search_model)
			for i in range(count)
		]

	fitting = searches()
	if fitting < 2:
		return sequential()
	winner = _race(local_entries(fitting, min(LOCAL_SEARCH_BURST, 0.1 * time_limit), seed))
	if winner is not None:
		return outcome(winner)
	local_workers = fitting // 2
	remaining = deadline - time.perf_counter()
	entries = local_entries(local_workers, remaining, seed + num_workers)
	entries.append(cp(_systematic_solver(remaining, fitting - local_workers, seed)))
	return outcome(_race(entries))


def _extract(built: TimetableModel, solver: cp_model.CpSolver) -> dict[str, Assignment]:
	starts = {}
	for lesson_id, choices in built.x.items():
		start = next((s for s, var in choices.items() if solver.boolean_value(var)), None)
		if start is not None:
			starts[lesson_id] = start
	rooms = {**built.single_room, **built.pool_rooms(starts)}
	for lesson_id, choice in built.room_choice.items():
		rooms[lesson_id] = next((r for r, var in choice.items() if solver.boolean_value(var)), None)
	return built.canonical(
		{le: Assignment(le, start[0], start[1], rooms.get(le)) for le, start in starts.items()}
	)


def solve(
	problem: Problem,
	*,
	time_limit: float = 10.0,
	num_workers: int = 2,
	seed: int = 0,
	hint: Mapping[str, Any] | Iterable[Any] | None = None,
	progress: Progress | None = None,
	minimize_moves: int = 0,
	two_phase: bool = True,
	memory_mb: float = MEMORY_BUDGET_MB,
) -> Solution:
	"""Find a timetable for ``problem`` within ``time_limit`` seconds.

	``hint``: a previous timetable (lesson → :class:`Assignment`, or a list of them) used as a warm
	start; lessons with ``locked=True`` and no ``fixed_start`` stay at their hinted place.
	``minimize_moves``: cost per lesson starting elsewhere than in ``hint`` (0 = do not care).
	``two_phase``: first look for any valid timetable ignoring soft constraints (fast first
	solution), then optimise from it with the remaining time.
	``progress``: called from solver threads (several at once while looking for the first timetable)
	with ``{"event": "solution", "phase", "objective", "elapsed", "first_solution_at"}``; keep it
	cheap and thread-safe.
	``num_workers``: CP-SAT workers (and parallel local-search threads while looking for the first
	timetable). ``num_workers=1`` with a fixed ``seed`` is deterministic.
	``memory_mb``: the memory the solve may add to the process. On big models fewer CP-SAT searches
	run at once (never fewer than one), and an optimisation that outgrows it stops early with the
	best timetable found so far (noted in ``explanation``).
	"""
	from ai_school.core.timetable.explain import explain_infeasible, precheck

	started = time.perf_counter()
	resident = _resident_mb()
	memory_limit = resident + memory_mb if resident is not None else None
	hint_map = as_assignments(hint) if hint is not None else {}

	def finish(status: str, **kwargs: Any) -> Solution:
		return Solution(status, wall_time=time.perf_counter() - started, **kwargs)

	unsupported = unsupported_constraints(problem)
	if unsupported:
		return finish("MODEL_INVALID", explanation=unsupported)
	index = ProblemIndex(problem)
	blockers = precheck(problem, index)
	if blockers:
		return finish("INFEASIBLE", explanation=blockers)

	optimise = bool(minimize_moves and hint_map) or any(c.penalty > 0 for c in problem.constraints)
	if two_phase and optimise:
		# A lean hard-only model finds a valid timetable fast; the full model optimises from it.
		phases = [("feasibility", False), ("optimise", True)]
	else:
		phases = [("optimise" if optimise else "feasibility", True)]
	status, assignments, best_bound, first_at = cp_model.UNKNOWN, None, None, None
	built: TimetableModel | None = None
	building = threading.Lock()  # racer threads may ask for the model while it is being built

	def built_model() -> TimetableModel:
		nonlocal built
		with building:
			if built is not None:
				return built
			built = TimetableModel(
				problem, hint=hint_map, minimize_moves=minimize_moves, index=index, soft=len(phases) == 1
			)
			invalid = built.model.validate()
			if invalid:
				built.notes.append(f"Invalid CP-SAT model: {invalid}")
			return built

	for phase, soft in phases:
		remaining = time_limit - (time.perf_counter() - started)
		if assignments is not None and remaining <= 0.05:
			break
		if phase == "feasibility":
			new_status, found, first_at = _find_first(
				built_model,
				problem,
				index,
				hint_map,
				remaining,
				num_workers,
				seed,
				started,
				progress,
				memory_mb,
			)
		else:
			model = built_model()
			if not model.soft:
				model.add_soft()
			if assignments is not None:
				model.complete_hint(
					model.canonical(assignments), time_limit - (time.perf_counter() - started)
				)
			invalid = model.model.validate()
			if invalid:
				return finish("MODEL_INVALID", explanation=[invalid])
			workers = _concurrent_searches(model, num_workers, "optimise", memory_mb)
			solver = _new_solver(time_limit - (time.perf_counter() - started), workers, seed)
			callback = _ProgressCallback(started, phase, progress, first_at)
			with _MemoryGuard(solver, memory_limit) as guard:
				new_status = solver.solve(model.model, callback)
			if guard.stopped_at_mb is not None:
				model.notes.append(
					f"Optimisation stopped after {time.perf_counter() - started:.0f} s: the solve had used its "
					f"memory budget ({memory_mb:g} MB; the process held {guard.stopped_at_mb:.0f} MB)"
				)
			first_at = callback.first_at
			found = _extract(model, solver) if new_status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
		if found is not None:
			assignments = found
			status = new_status if soft else cp_model.FEASIBLE
			best_bound = round(solver.best_objective_bound) if phase == "optimise" else None
		elif assignments is None:
			status = new_status
			break

	if assignments is not None and not optimise:
		status = cp_model.OPTIMAL  # without soft constraints every valid timetable is optimal
	name = _STATUS.get(status, "UNKNOWN")
	if name == "INFEASIBLE":
		budget = max(2.0, time_limit - (time.perf_counter() - started))
		return finish(name, explanation=explain_infeasible(problem, time_limit=budget, skip_precheck=True))
	if assignments is None:
		message = (
			f"No timetable found within {time_limit:g} s" if name == "UNKNOWN" else "The model is invalid"
		)
		return finish(name, explanation=[message, *(built.notes if built else [])])

	report = validate(problem, assignments)
	moved = None
	if hint_map:
		moved = sum(
			1
			for lesson_id, a in assignments.items()
			if lesson_id in hint_map and hint_map[lesson_id].start != a.start
		)
	# Recomputed from the validator rather than read from CP-SAT so the number means the same
	# whichever phase produced the timetable.
	objective = report.soft_cost + minimize_moves * (moved or 0)
	return finish(
		name,
		assignments=assignments,
		objective=objective,
		best_bound=best_bound,
		time_to_first_solution=first_at,
		report=report,
		explanation=built.notes if built else [],
		moved=moved,
	)
