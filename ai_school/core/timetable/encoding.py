"""The CP-SAT model of a timetabling :class:`~ai_school.core.timetable.model.Problem`.

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

The structure (variables, clashes, rooms, redundant constraints, hints) is here; the encoding of
each typed constraint is in :mod:`~ai_school.core.timetable.encoding_constraints`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any

from ortools.sat.python import cp_model

from ai_school.core.timetable.cpsat_solvers import new_solver
from ai_school.core.timetable.encoding_constraints import (
	ConstraintEncodings,
	UnsupportedConstraint,
	unsupported_constraints,
)
from ai_school.core.timetable.memory import MemoryBudget
from ai_school.core.timetable.model import (
	Assignment,
	Consecutive,
	EarlyMaxBeginningsAtSecondHour,
	Lesson,
	MaxBuildingChanges,
	MaxGaps,
	MinGapsBetweenBuildingChanges,
	OccupyMaxRooms,
	Ordered,
	Problem,
	SameRoomIfConsecutive,
	Slot,
	UnavailableTimes,
)
from ai_school.core.timetable.rules import TIME_RESOURCES, ProblemIndex

__all__ = ["Penalty", "TimetableModel", "UnsupportedConstraint", "unsupported_constraints"]


@dataclass
class Penalty:
	"""A soft-constraint term: ``weight × expr`` in the objective, ``name`` for humans."""

	name: str
	expr: Any
	weight: int


class TimetableModel(ConstraintEncodings):
	"""Builds the CP-SAT model for a problem. Separate from :class:`Problem` so the problem stays
	plain data; one instance per solve.

	``explain=True`` builds the variant used to explain infeasibility: hard rules become
	implications of named assumption literals (``guards``) instead of domain reductions.
	``soft=False`` leaves soft constraints out: a leaner model to find a first timetable fast.
	``hint`` is the reference timetable (locks, moves) and the initial warm start.
	``budget``: the solve's :class:`~ai_school.core.timetable.memory.MemoryBudget`; building stops
	with :class:`~ai_school.core.timetable.memory.MemoryBudgetExceeded` once it is spent.
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
		budget: MemoryBudget | None = None,
	):
		self.problem = problem
		self.budget = budget
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
		self._busy: dict[tuple[str, str, Slot, str], Any] = {}
		self._used: dict[tuple[str, str, int], Any] = {}
		self._start_var: dict[str, cp_model.IntVar] = {}
		self._teaching_start_var: dict[str, cp_model.IntVar] = {}
		self._on_day: dict[tuple[str, int], Any] = {}
		self._in_building: dict[tuple[str, Slot, str], Any] = {}
		self._at_building: dict[tuple[str, str, Slot, str], Any] = {}
		self._building_changes: dict[tuple[str, str, int], list[Any]] = {}
		self._reach: dict[tuple[str, str, int], tuple[list[Any], list[Any]]] = {}
		self.symmetry: cp_model.IntVar | None = None
		self.interchangeable: list[list[str]] = []
		"""Fixed to 1; enforces the symmetry-breaking constraints (0 in :meth:`local_search_model`)."""
		self.pools: dict[frozenset[str], list[str]] = {}
		self.room_options = {**self.index.candidate_rooms, **self.index.optional_rooms}
		self.no_overlap_sizes: list[int] = []
		"""Intervals in each no-overlap constraint (rooms with a choice): CP-SAT local search expands
		small ones into pairs, see :func:`~ai_school.core.timetable.memory.expansion_limit`."""
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
		if weight <= 0:
			return
		if isinstance(expr, int):
			# a known cost (e.g. a wished room no lesson can take) is not a term of the CP-SAT objective
			self.constant_cost += expr * weight
		else:
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

	def teaching_start_var(self, lesson_id: str) -> cp_model.IntVar:
		"""Start on the time line without breaks: ``day * periods_per_day`` + the start's position
		among the day's non-break periods. Lessons never span a break, so a lesson of duration
		``n`` covers ``n`` consecutive values of it."""
		if lesson_id not in self._teaching_start_var:
			per_day, position = self.problem.periods_per_day, self.index.teaching_position
			value = {start: start[0] * per_day + position[start] for start in self.x[lesson_id]}
			var = self.model.new_int_var_from_domain(
				cp_model.Domain.from_values(sorted(set(value.values())) or [0]), f"teaching start {lesson_id}"
			)
			self.model.add(var == sum(value[s] * v for s, v in self.x[lesson_id].items()))
			self._teaching_start_var[lesson_id] = var
		return self._teaching_start_var[lesson_id]

	def busy(self, resource: str, resource_id: str, slot: Slot, tag: str = "") -> Any:
		"""0/1 Boolean (or constant 0): the teacher/student set is busy at ``slot`` (with a lesson tagged
		``tag``, when given)."""
		key = (resource, resource_id, slot, tag)
		if key not in self._busy:
			covering = [
				v
				for le in self.index.lessons_of.get((resource, resource_id), ())
				if not tag or tag in self.index.lessons[le].tags
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

	def day_busy(self, resource: str, resource_id: str, day: int, tag: str = "") -> list[Any]:
		return [
			self.busy(resource, resource_id, (day, p), tag)
			for p in range(self.problem.periods_per_day)
			if (day, p) not in self.problem.breaks
		]

	def raw_day_busy(self, resource: str, resource_id: str, day: int) -> list[Any]:
		"""``busy`` for every period of ``day``, breaks included: FET's span and resting rules count raw periods."""
		return [self.busy(resource, resource_id, (day, p)) for p in range(self.problem.periods_per_day)]

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

	def check_memory(self) -> None:
		"""Between two parts of the model: stop building once the solve's memory budget is spent."""
		if self.budget is not None:
			self.budget.check()

	def build(self) -> None:
		for lesson in self.problem.lessons:
			self.add_lesson(lesson)
			self.check_memory()
		self.add_resource_clashes()
		self.add_rooms()
		for constraint in self.problem.constraints:
			if constraint.is_hard:
				self.add_constraint(constraint)
				self.check_memory()
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
				self.check_memory()
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
			self.check_memory()
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
		# Building rules read a lesson's building from its room: a pool must not mix buildings then.
		by_building = any(
			isinstance(c, MaxBuildingChanges | MinGapsBetweenBuildingChanges)
			for c in self.problem.constraints
		)
		# Rules on the rooms of several lessons read each lesson's own room: such lessons are not pooled.
		named = {
			le
			for c in self.problem.constraints
			if isinstance(c, OccupyMaxRooms | SameRoomIfConsecutive)
			for le in c.lessons
		}
		pools = {}
		for pool, lessons in members.items():
			if named.intersection(lessons):
				continue
			if len(pool) < 2 or any(by_room[r] != {pool} or index.unavailable("room", r) for r in pool):
				continue
			if by_building and len({index.rooms[r].building for r in pool}) > 1:
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
			self.check_memory()
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
			self.no_overlap_sizes.append(len(intervals))
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
		self.check_memory()
		proto = copy.proto
		for index, value in zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True):
			domain = proto.variables[index].domain
			domain.clear()
			domain.extend([value, value])
		copy.clear_hints()
		solver = new_solver(min(time_limit, 5.0), 1, 0)
		if self.budget is None:
			status = solver.solve(copy)
		else:
			with self.budget.searching(solver, "the completion of the warm start"):
				status = solver.solve(copy)
		if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
			values = solver.response_proto.solution
			self.model.clear_hints()
			self.model.proto.solution_hint.vars.extend(range(len(values)))
			self.model.proto.solution_hint.values.extend(values)

	def objective_expr(self) -> Any:
		return sum(p.weight * p.expr for p in self.penalties) + self.constant_cost

	def set_objective(self) -> None:
		self.model.minimize(self.objective_expr())

	# --- redundant constraints, symmetry, reading solutions ------------------------------------

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
		systematic search but slows local search down (tuning half of the FET benchmark, 69 files,
		15 s, seed 1: 35 first timetables either way, found in 124 s in all with it vs 100 s
		without, slower on 18 of the 35, 16 % slower in geometric mean). One copy shared by every
		local-search thread (solving only reads it): on a 1,457-lesson file each copy costs ~30 MB."""
		copy = self.model.clone()
		self.check_memory()
		if self.symmetry is not None:
			domain = copy.proto.variables[self.symmetry.index].domain
			domain.clear()
			domain.extend([0, 0])
		return copy

	def drop_local_search_model(self) -> None:
		"""Free the local-search copy once the search for a first timetable is over."""
		self.__dict__.pop("local_search_model", None)

	def extract(self, solver: cp_model.CpSolver) -> dict[str, Assignment]:
		"""The timetable of the solution ``solver`` found (canonical order, pooled rooms assigned)."""
		starts = {}
		for lesson_id, choices in self.x.items():
			start = next((s for s, var in choices.items() if solver.boolean_value(var)), None)
			if start is not None:
				starts[lesson_id] = start
		rooms = {**self.single_room, **self.pool_rooms(starts)}
		for lesson_id, choice in self.room_choice.items():
			rooms[lesson_id] = next((r for r, var in choice.items() if solver.boolean_value(var)), None)
		return self.canonical(
			{le: Assignment(le, start[0], start[1], rooms.get(le)) for le, start in starts.items()}
		)
