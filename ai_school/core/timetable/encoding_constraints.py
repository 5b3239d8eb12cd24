"""CP-SAT encodings of the typed constraints, one method per constraint type (see :data:`HANDLERS`).

:class:`ConstraintEncodings` is mixed into :class:`~ai_school.core.timetable.encoding.TimetableModel`;
its methods use the model's decision variables (``x``, ``cover``, ``room_choice``) and helpers
(``busy``, ``used``, ``on_day``, ``start_var``, ``new_at_least``, ``hard``, ``penalize``), defined
there. A hard rule becomes CP-SAT constraints (``hard`` attaches the explain-mode guard); a soft rule
adds :class:`~ai_school.core.timetable.encoding.Penalty` terms whose costs match
:mod:`ai_school.core.timetable.validator` exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import Any

from ortools.sat.python import cp_model

from ai_school.core.timetable.model import (
	Consecutive,
	Constraint,
	EarlyMaxBeginningsAtSecondHour,
	EndsStudentsDay,
	Grouped,
	HomeRooms,
	IntervalMaxDaysPerWeek,
	MaxBuildingChanges,
	MaxDaysBetween,
	MaxDaysPerWeek,
	MaxGaps,
	MaxHoursContinuously,
	MaxHoursDaily,
	MaxLessonsPerDay,
	MaxSimultaneous,
	MaxSpanPerDay,
	MinDaysBetween,
	MinDaysPerWeek,
	MinGapsBetween,
	MinGapsBetweenBuildingChanges,
	MinGapsBetweenOrderedTags,
	MinHoursDaily,
	MinRestingHours,
	NotOverlapping,
	OccupyMaxRooms,
	OccupyMaxSlots,
	Ordered,
	OrderedIfSameDay,
	PreferredRooms,
	PreferredStartingTimes,
	PreferredTimeSlots,
	Problem,
	ResourceConstraint,
	SameRoomIfConsecutive,
	SameStartingDay,
	SameStartingHour,
	SameStartingTime,
	Slot,
	UnavailableTimes,
)
from ai_school.core.timetable.rules import TIME_RESOURCES, ProblemIndex


class UnsupportedConstraint(ValueError):
	"""The problem uses a constraint the solver cannot model (e.g. gaps for rooms)."""


class ConstraintEncodings:
	"""The constraint methods of :class:`~ai_school.core.timetable.encoding.TimetableModel`."""

	problem: Problem
	index: ProblemIndex
	model: cp_model.CpModel
	x: dict[str, dict[Slot, cp_model.IntVar]]
	cover: dict[str, dict[Slot, list[cp_model.IntVar]]]
	room_choice: dict[str, dict[str, cp_model.IntVar]]
	single_room: dict[str, str]
	room_options: dict[str, list[str]]
	pools: dict[frozenset[str], list[str]]
	constant_cost: int
	explain: bool
	_in_building: dict[tuple[str, Slot, str], Any]
	_at_building: dict[tuple[str, str, Slot, str], Any]
	_building_changes: dict[tuple[str, str, int], list[Any]]
	_reach: dict[tuple[str, str, int], tuple[list[Any], list[Any]]]

	def add_constraint(self, constraint: Constraint) -> None:
		handler = HANDLERS.get(type(constraint))
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
				busy = self.day_busy(c.resource, resource_id, day, c.tag)
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
						busy = sum(self.busy(c.resource, resource_id, (day, p), c.tag) for p in window)
						self.soft_or_hard(c, busy, c.max_hours, length, c.label())

	# --- span and rest: raw periods, breaks and unavailable periods included (FET) -----------------

	def exclude_pair(self, a: Any, b: Any, label: str) -> None:
		"""Hard: the 0/1 ``a`` and ``b`` are not both 1 (nothing to add when one is the constant 0)."""
		if not isinstance(a, int) and not isinstance(b, int):
			self.hard(self.model.add(a + b <= 1), label)

	def day_reach(self, resource: str, resource_id: str, day: int) -> tuple[list[Any], list[Any]]:
		"""``(started, ending)``, per period of ``day``: 0/1, at least "busy at or before" / "busy at or after"
		that period (exact when minimised or bounded from above). Shared by the span and resting rules."""
		key = (resource, resource_id, day)
		if key not in self._reach:
			busy = self.raw_day_busy(resource, resource_id, day)
			started: list[Any] = []
			ending: list[Any] = []
			for out, order in ((started, busy), (ending, busy[::-1])):
				reached: Any = 0
				for b in order:
					if isinstance(reached, int):
						reached = b
					elif not isinstance(b, int):
						reached = self.new_at_least([reached, b])
					out.append(reached)
			self._reach[key] = (started, ending[::-1])
		return self._reach[key]

	def span_expr(self, resource: str, resource_id: str, day: int) -> Any:
		"""At least the day's span (periods from the first busy one to the last; exact when minimised)."""
		started, ending = self.day_reach(resource, resource_id, day)
		return sum(
			self.new_at_least([s + e - 1])
			for s, e in zip(started, ending, strict=True)
			if not isinstance(s, int) and not isinstance(e, int)
		)

	def add_max_span(self, c: MaxSpanPerDay) -> None:
		periods, limit = self.problem.periods_per_day, c.max_span
		if limit >= periods:
			return
		for resource_id in self.targets(c):
			over_days = []
			for day in range(self.problem.num_days):
				busy = self.raw_day_busy(c.resource, resource_id, day)
				if c.is_hard:
					# two busy periods further apart than the span allows (one more with the exception)
					allowed = limit + 1 if c.allow_one_day_exception else limit
					for p in range(periods):
						for q in range(p + allowed, periods):
							self.exclude_pair(busy[p], busy[q], c.label())
					if c.allow_one_day_exception:
						over_days.append(
							self.new_at_least(
								busy[p] + busy[p + limit] - 1
								for p in range(periods - limit)
								if not isinstance(busy[p], int) and not isinstance(busy[p + limit], int)
							)
						)
				elif c.allow_one_day_exception:
					over_days.append(
						self.new_excess(self.span_expr(c.resource, resource_id, day), limit, periods - limit)
					)
				else:
					self.soft_or_hard(
						c, self.span_expr(c.resource, resource_id, day), limit, periods, c.label()
					)
			if c.allow_one_day_exception:
				# the exception forgives one period above the maximum on one day
				self.soft_or_hard(c, sum(over_days), 1, periods * len(over_days), c.label())

	def add_min_resting(self, c: MinRestingHours) -> None:
		periods, days = self.problem.periods_per_day, self.problem.num_days
		pairs = [(d, d + 1) for d in range(days - 1)] + ([(days - 1, 0)] if c.circular else [])
		for resource_id in self.targets(c):
			for day, following in pairs:
				if c.is_hard and c.min_hours <= periods:
					# the last period of one day and the first of the next, too close
					late = self.raw_day_busy(c.resource, resource_id, day)
					early = self.raw_day_busy(c.resource, resource_id, following)
					for p in range(periods):
						for q in range(max(0, c.min_hours - (periods - 1 - p))):
							self.exclude_pair(late[p], early[q], c.label())
					continue
				# free at the end of the day: periods minus those with a lesson at or after them; same at the start
				_, ending = self.day_reach(c.resource, resource_id, day)
				started, _ = self.day_reach(c.resource, resource_id, following)
				self.soft_or_hard(
					c, sum(ending) + sum(started), 2 * periods - c.min_hours, 2 * periods, c.label()
				)

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

	def ordered_tag_pairs(self, c: MinGapsBetweenOrderedTags) -> list[tuple[str, str]]:
		"""``(first, second)`` lessons of one targeted resource carrying the first and the second tag (a pair
		shared by several resources is listed once for each, as FET counts it per teacher or subgroup)."""
		pairs = []
		for resource_id in self.targets(c):
			lessons = [le for le in self.index.lessons_of.get((c.resource, resource_id), ()) if le in self.x]
			tags = {le: self.index.lessons[le].tags for le in lessons}
			pairs += [
				(a, b)
				for a in lessons
				if c.first_tag in tags[a]
				for b in lessons
				if b != a and c.second_tag in tags[b]
			]
		return pairs

	def add_min_gaps_ordered_tags(self, c: MinGapsBetweenOrderedTags) -> None:
		for a, b in self.ordered_tag_pairs(c):
			end = self.index.lessons[a].duration
			xb = self.x[b]
			# b starting after a has ended, with fewer than min_gaps periods between
			terms = [
				var
				+ sum(v for q in range(p + end, p + end + c.min_gaps) if (v := xb.get((d, q))) is not None)
				- 1
				for (d, p), var in self.x[a].items()
				if any((d, q) in xb for q in range(p + end, p + end + c.min_gaps))
			]
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
		# The second starts at the first period after the first ends that is not a break (FET).
		follows = self.index.next_teaching_period
		terms = [
			var - second.get((d, follows(d, p + duration)), 0) for (d, p), var in self.x[c.first].items()
		]
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

	def add_ordered_if_same_day(self, c: OrderedIfSameDay) -> None:
		if c.first not in self.x or c.second not in self.x:
			return
		broken = self.violation_literal(c)
		duration = self.index.lessons[c.first].duration
		first, second = self.x[c.first], self.x[c.second]
		# every same-day pair of starts with the second starting before the first has ended is excluded
		for (day, period), var in first.items():
			for (other_day, other_period), other in second.items():
				if other_day == day and other_period < period + duration:
					self.enforce(self.model.add(var + other <= 1), c, broken)

	def add_occupy_max_slots(self, c: OccupyMaxSlots) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		used = [self.new_at_least(self.occ(le, slot) for le in lessons) for slot in sorted(c.slots)]
		self.soft_or_hard(c, sum(used), c.max_slots, len(used), c.label())

	def add_max_simultaneous(self, c: MaxSimultaneous) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		for slot in sorted(c.slots):
			self.soft_or_hard(
				c, sum(self.occ(le, slot) for le in lessons), c.max_simultaneous, len(lessons), c.label()
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
		# On the time line without breaks, so a break between two of them is allowed (FET).
		model.add_min_equality(first, [self.teaching_start_var(le) for le in lessons])
		model.add_max_equality(last, [self.teaching_start_var(le) + durations[le] for le in lessons])
		self.enforce(model.add(last - first == sum(durations.values())), c, broken)
		for a, b in combinations(lessons, 2):
			for day in range(self.problem.num_days):
				self.enforce(model.add(self.on_day(a, day) == self.on_day(b, day)), c, broken)
			for s in set(self.cover[a]) & set(self.cover[b]):
				self.enforce(model.add(self.occ(a, s) + self.occ(b, s) <= 1), c, broken)

	# --- buildings -------------------------------------------------------------------------------
	# A lesson's building follows from its room: constant for a single room or a pool (pools never mix
	# buildings when building rules exist), the sum of its room choices in that building otherwise.

	def lesson_buildings(self, lesson_id: str) -> set[str]:
		rooms = self.index.rooms
		return {b for r in self.room_options.get(lesson_id, ()) if (b := rooms[r].building)}

	def lesson_in_building(self, lesson_id: str, building: str) -> Any:
		"""0/1: the lesson is in a room of ``building``."""
		rooms = self.index.rooms
		if lesson_id in self.room_choice:
			choices = {rooms[r].building for r in self.room_choice[lesson_id]}
			if len(choices) == 1 and lesson_id not in self.index.optional_rooms:
				return int(building in choices)
			return sum(var for r, var in self.room_choice[lesson_id].items() if rooms[r].building == building)
		if lesson_id in self.single_room:
			return int(rooms[self.single_room[lesson_id]].building == building)
		pool = next((p for p, lessons in self.pools.items() if lesson_id in lessons), frozenset())
		return int(any(rooms[r].building == building for r in pool))

	def in_building(self, lesson_id: str, slot: Slot, building: str) -> Any:
		"""0/1: the lesson occupies ``slot`` in a room of ``building``."""
		key = (lesson_id, slot, building)
		if key not in self._in_building:
			inside, occ = self.lesson_in_building(lesson_id, building), self.occ(lesson_id, slot)
			if isinstance(inside, int) or isinstance(occ, int):
				value = occ * inside
			else:
				value = self.model.new_bool_var("")
				self.model.add(value <= occ)
				self.model.add(value <= inside)
				self.model.add(value >= occ + inside - 1)
			self._in_building[key] = value
		return self._in_building[key]

	def at_building(self, resource: str, resource_id: str, slot: Slot, building: str) -> Any:
		"""0/1 (exact): the resource spends ``slot`` in a room of ``building``. A sum of the lessons' terms (one
		lesson at a time), a Boolean in explain mode, where clashes may be switched off."""
		key = (resource, resource_id, slot, building)
		if key not in self._at_building:
			terms = [
				self.in_building(le, slot, building)
				for le in self.index.lessons_of.get((resource, resource_id), ())
				if slot in self.cover[le] and building in self.lesson_buildings(le)
			]
			if not self.explain:
				value = sum(terms)
			else:
				value = self.new_at_least(terms)
				if not isinstance(value, int):
					self.model.add(value <= sum(terms))
			self._at_building[key] = value
		return self._at_building[key]

	def building_changes(
		self, resource: str, resource_id: str, day: int, at: list[dict[str, Any]]
	) -> list[Any]:
		"""0/1 per period from the second: the resource changes building there (at least; exact when minimised or
		bounded). Shared by the rules on the same resource and day."""
		key = (resource, resource_id, day)
		if key not in self._building_changes:
			last = self.last_building(at)
			self._building_changes[key] = [
				self.new_at_least(self.building_change_terms(at, last, p)) for p in range(1, len(at))
			]
		return self._building_changes[key]

	def building_days(self, c: MaxBuildingChanges | MinGapsBetweenBuildingChanges):
		"""Yield ``(resource_id, day, at)`` with ``at[period][building]`` for each targeted resource that can
		reach two buildings."""
		for resource_id in self.targets(c):
			buildings = sorted(
				set().union(
					*(
						self.lesson_buildings(le)
						for le in self.index.lessons_of.get((c.resource, resource_id), ())
					)
				)
			)
			if len(buildings) < 2:
				continue
			for day in range(self.problem.num_days):
				at = [
					{b: self.at_building(c.resource, resource_id, (day, p), b) for b in buildings}
					for p in range(self.problem.periods_per_day)
				]
				yield resource_id, day, at

	def last_building(self, at: list[dict[str, Any]]) -> list[dict[str, Any]]:
		"""``last[p][b]``: 1 if the last period up to ``p`` spent in a room with a building was in ``b`` (at least:
		the rules built on it only count more changes when it is 1 elsewhere too, so no upper bound is needed)."""
		model, last = self.model, []
		previous: dict[str, Any] = dict.fromkeys(at[0], 0)
		for here in at:
			if all(isinstance(v, int) and v == 0 for v in here.values()):
				last.append(previous)
				continue
			somewhere = self.new_at_least(here.values()) if self.explain else sum(here.values())
			now = {}
			for b, var in here.items():
				if isinstance(var, int) and isinstance(previous[b], int) and var == previous[b] == 0:
					now[b] = 0
					continue
				lit = model.new_bool_var("")
				model.add(lit >= var)
				model.add(lit >= previous[b] - somewhere)
				now[b] = lit
			last.append(now)
			previous = now
		return last

	def building_change_terms(
		self, at: list[dict[str, Any]], last: list[dict[str, Any]], p: int
	) -> list[Any]:
		"""Terms whose positivity means "a building change at period ``p``" (one per building)."""
		before = sum(last[p - 1].values())
		return [var + before - last[p - 1][b] - 1 for b, var in at[p].items()]

	def add_max_building_changes(self, c: MaxBuildingChanges) -> None:
		weekly: dict[str, list[Any]] = {}
		for resource_id, day, at in self.building_days(c):
			if c.is_hard and c.per == "day" and c.max_changes == 0:
				# No change at all: one building that day (propagates better than counting).
				used = [self.new_at_least(p[b] for p in at) for b in at[0]]
				self.hard(self.model.add(sum(used) <= 1), c.label())
				continue
			changes = self.building_changes(c.resource, resource_id, day, at)
			if c.per == "day":
				self.soft_or_hard(c, sum(changes), c.max_changes, len(changes), c.label())
			else:
				weekly.setdefault(resource_id, []).extend(changes)
		for changes in weekly.values():
			self.soft_or_hard(c, sum(changes), c.max_changes, len(changes), c.label())

	def add_min_gaps_building_changes(self, c: MinGapsBetweenBuildingChanges) -> None:
		for _, _, at in self.building_days(c):
			periods = range(len(at))
			if c.is_hard:
				# Equivalent: no two periods in different buildings with fewer than min_gaps periods between.
				for p in periods:
					for q in range(max(0, p - c.min_gaps), p):
						for b, var in at[p].items():
							others = [v for o, v in at[q].items() if o != b and not isinstance(v, int)]
							if not isinstance(var, int) and others:
								self.hard(self.model.add(var + sum(others) <= 1), c.label())
				continue
			last = self.last_building(at)
			for p in periods[1:]:
				near = self.new_at_least(v for q in range(max(0, p - c.min_gaps), p) for v in at[q].values())
				terms = [t + near - 1 for t in self.building_change_terms(at, last, p)]
				self.penalize(c.label(), self.new_at_least(terms), c.penalty)

	# --- rooms of several lessons -------------------------------------------------------------------
	# Lessons named by these rules are never pooled, so their room is a choice variable or a single room.

	def lesson_room(self, lesson_id: str, room: str) -> Any:
		"""0/1: the lesson is in ``room``."""
		if lesson_id in self.room_choice:
			return self.room_choice[lesson_id].get(room, 0)
		return int(self.single_room.get(lesson_id) == room)

	def add_occupy_max_rooms(self, c: OccupyMaxRooms) -> None:
		lessons = [le for le in c.lessons if le in self.x]
		rooms = sorted({r for le in lessons for r in self.room_options.get(le, ())})
		used = [self.new_at_least(self.lesson_room(le, r) for le in lessons) for r in rooms]
		self.soft_or_hard(c, sum(used), c.max_rooms, len(used), c.label())

	def add_same_room_if_consecutive(self, c: SameRoomIfConsecutive) -> None:
		lessons = [le for le in c.lessons if le in self.x and self.room_options.get(le)]
		for a, b in combinations(lessons, 2):
			rooms_a, rooms_b = self.room_options[a], self.room_options[b]
			if len(rooms_a) == 1 and rooms_a == rooms_b and a in self.single_room and b in self.single_room:
				continue  # always the same room
			dur_a, dur_b = self.index.lessons[a].duration, self.index.lessons[b].duration
			xb = self.x[b]
			# back to back on raw periods: a break in between makes them not consecutive (FET)
			adjacent = self.new_at_least(
				var + xb.get((d, p + dur_a), 0) + xb.get((d, p - dur_b), 0) - 1
				for (d, p), var in self.x[a].items()
			)
			if isinstance(adjacent, int):
				continue
			broken = self.violation_literal(c)
			in_b = sum(self.lesson_room(b, r) for r in rooms_b)
			for room in rooms_a:
				# adjacent, a in this room and b in a room: b is in this room too
				elsewhere = adjacent + self.lesson_room(a, room) + in_b - self.lesson_room(b, room)
				if broken is None:
					self.hard(self.model.add(elsewhere <= 2), c.label())
				else:
					self.model.add(elsewhere <= 2 + broken)

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


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
	MaxGaps: ConstraintEncodings.add_max_gaps,
	MaxHoursDaily: ConstraintEncodings.add_max_hours_daily,
	MinHoursDaily: ConstraintEncodings.add_min_hours_daily,
	MaxDaysPerWeek: ConstraintEncodings.add_max_days,
	EarlyMaxBeginningsAtSecondHour: ConstraintEncodings.add_early,
	UnavailableTimes: ConstraintEncodings.add_unavailable,
	MaxLessonsPerDay: ConstraintEncodings.add_max_lessons_per_day,
	MinDaysBetween: ConstraintEncodings.add_min_days,
	PreferredStartingTimes: ConstraintEncodings.add_preferred_starts,
	PreferredTimeSlots: ConstraintEncodings.add_preferred_slots,
	SameStartingTime: ConstraintEncodings.add_same_start,
	NotOverlapping: ConstraintEncodings.add_not_overlapping,
	Consecutive: ConstraintEncodings.add_consecutive,
	Ordered: ConstraintEncodings.add_ordered,
	OrderedIfSameDay: ConstraintEncodings.add_ordered_if_same_day,
	OccupyMaxSlots: ConstraintEncodings.add_occupy_max_slots,
	MaxSimultaneous: ConstraintEncodings.add_max_simultaneous,
	Grouped: ConstraintEncodings.add_grouped,
	PreferredRooms: ConstraintEncodings.add_rooms_preference,
	HomeRooms: ConstraintEncodings.add_rooms_preference,
	MinDaysPerWeek: ConstraintEncodings.add_min_days_per_week,
	IntervalMaxDaysPerWeek: ConstraintEncodings.add_interval_max_days,
	MaxHoursContinuously: ConstraintEncodings.add_max_continuously,
	MaxDaysBetween: ConstraintEncodings.add_max_days_between,
	MinGapsBetween: ConstraintEncodings.add_min_gaps_between,
	EndsStudentsDay: ConstraintEncodings.add_ends_students_day,
	SameStartingDay: ConstraintEncodings.add_same_day,
	SameStartingHour: ConstraintEncodings.add_same_hour,
	MaxBuildingChanges: ConstraintEncodings.add_max_building_changes,
	MaxSpanPerDay: ConstraintEncodings.add_max_span,
	MinRestingHours: ConstraintEncodings.add_min_resting,
	MinGapsBetweenOrderedTags: ConstraintEncodings.add_min_gaps_ordered_tags,
	MinGapsBetweenBuildingChanges: ConstraintEncodings.add_min_gaps_building_changes,
	OccupyMaxRooms: ConstraintEncodings.add_occupy_max_rooms,
	SameRoomIfConsecutive: ConstraintEncodings.add_same_room_if_consecutive,
}


def unsupported_constraints(problem: Problem) -> list[str]:
	"""Constraints the solver cannot model, as messages (the validator still checks them)."""
	messages = []
	for constraint in problem.constraints:
		if type(constraint) not in HANDLERS:
			messages.append(f"The solver does not support {type(constraint).__name__}")
		elif (
			isinstance(constraint, ResourceConstraint)
			and not isinstance(constraint, UnavailableTimes)
			and constraint.resource not in TIME_RESOURCES
		):
			messages.append(f"{constraint.label()} is not supported for rooms")
	return messages
