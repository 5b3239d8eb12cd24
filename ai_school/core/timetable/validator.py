"""Check any timetable (ours, FET's, hand-made in ERPNext) against a :class:`Problem`.

The validator defines what every rule and constraint means; the solver's objective is built to
match the soft costs computed here, and :func:`ai_school.core.timetable.solver.solve` attaches
this report to every solution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations, pairwise
from typing import Any

from ai_school.core.timetable.model import (
	Assignment,
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
	Report,
	SameRoomIfConsecutive,
	SameStartingDay,
	SameStartingHour,
	SameStartingTime,
	Slot,
	UnavailableTimes,
	Violation,
	assignment_from_dict,
)
from ai_school.core.timetable.rules import ProblemIndex

Finding = tuple[int, str, list[str]]
"""``(amount, message, lesson ids)`` produced by a constraint check."""


def as_assignments(assignments: Mapping[str, Any] | Iterable[Any]) -> dict[str, Assignment]:
	"""Accept a dict lesson → Assignment/dict, or a list of Assignment/dict."""
	items = assignments.values() if isinstance(assignments, Mapping) else assignments
	out = {}
	for item in items:
		assignment = item if isinstance(item, Assignment) else assignment_from_dict(item)
		out[assignment.lesson] = assignment
	return out


def validate(problem: Problem, assignments: Mapping[str, Any] | Iterable[Any]) -> Report:
	"""List every hard violation and the weighted soft cost of ``assignments`` (may be partial)."""
	return _Validator(problem, as_assignments(assignments)).run()


class _Validator:
	def __init__(self, problem: Problem, assignments: dict[str, Assignment]):
		self.problem = problem
		self.index = ProblemIndex(problem)
		self.assignments = assignments
		self.report = Report()
		# lesson id → occupied in-grid slots
		self.occupied: dict[str, list[Slot]] = {}
		# (resource, id) → slot → lesson ids
		self.busy: dict[tuple[str, str], dict[Slot, list[str]]] = defaultdict(lambda: defaultdict(list))

	def run(self) -> Report:
		self.check_placement()
		self.check_clashes()
		for constraint in self.problem.constraints:
			self.check_constraint(constraint)
		return self.report

	def hard(self, kind: str, message: str, lessons: list[str], amount: int = 1) -> None:
		self.report.hard_violations.append(Violation(kind, message, True, "", amount, 0, lessons))

	def slot(self, slot: Slot) -> str:
		return self.problem.slot_label(slot)

	# --- built-in hard rules -------------------------------------------------------------------

	def check_placement(self) -> None:
		index, problem = self.index, self.problem
		for lesson_id in self.assignments:
			if lesson_id not in index.lessons:
				self.hard("unknown_lesson", f"Timetable places unknown lesson {lesson_id}", [lesson_id])
		for lesson in problem.lessons:
			assignment = self.assignments.get(lesson.id)
			name = index.lesson_label(lesson.id)
			if assignment is None:
				self.hard("unplaced", f"Lesson {name} is not placed", [lesson.id])
				continue
			start = assignment.start
			if not (
				0 <= assignment.day < problem.num_days and 0 <= assignment.period < problem.periods_per_day
			):
				self.hard("outside_grid", f"Lesson {name} starts outside the week grid", [lesson.id])
				continue
			occupied = problem.occupied(lesson, start)
			if assignment.period + lesson.duration > problem.periods_per_day:
				self.hard(
					"day_end",
					f"Lesson {name} runs past the end of {problem.days[assignment.day]}",
					[lesson.id],
				)
				occupied = [s for s in occupied if s[1] < problem.periods_per_day]
			self.occupied[lesson.id] = occupied
			for slot in occupied:
				for teacher in lesson.teachers:
					self.busy["teacher", teacher][slot].append(lesson.id)
				for student_set in lesson.student_sets:
					self.busy["students", student_set][slot].append(lesson.id)
				if assignment.room:
					self.busy["room", assignment.room][slot].append(lesson.id)
			on_break = [s for s in occupied if s in problem.breaks]
			if on_break:
				self.hard(
					"break", f"Lesson {name} overlaps the break at {self.slot(on_break[0])}", [lesson.id]
				)
			if lesson.fixed_start is not None and tuple(lesson.fixed_start) != start:
				self.hard(
					"fixed_start",
					f"Lesson {name} must start at {self.slot(tuple(lesson.fixed_start))}, not {self.slot(start)}",
					[lesson.id],
				)
			if lesson.allowed_starts is not None and start not in lesson.allowed_starts:
				self.hard("allowed_starts", f"Lesson {name} may not start at {self.slot(start)}", [lesson.id])
			for resource, ids in (("teacher", lesson.teachers), ("students", lesson.student_sets)):
				for resource_id in ids:
					unavailable = index.entity_unavailable(resource, resource_id)
					for slot in occupied:
						if slot in unavailable:
							self.hard(
								"availability",
								f"{index.label(resource, resource_id)} is not available at {self.slot(slot)} "
								f"(lesson {name})",
								[lesson.id],
							)
			self.check_room(lesson.id, assignment, occupied)

	def check_room(self, lesson_id: str, assignment: Assignment, occupied: list[Slot]) -> None:
		index = self.index
		lesson = index.lessons[lesson_id]
		name = index.lesson_label(lesson_id)
		if not assignment.room:
			if index.takes_room(lesson):
				self.hard("no_room", f"Lesson {name} has no room", [lesson_id])
			return
		room = index.rooms.get(assignment.room)
		if room is None:
			self.hard("unknown_room", f"Lesson {name} is in unknown room {assignment.room}", [lesson_id])
			return
		# Hard room constraints are reported by their own checks, so skip their labels here.
		own_labels = {c.label() for c, _ in index.room_preferences.get(lesson_id, ())}
		reasons = [r for r in index.room_blockers(lesson, room.id) if r not in own_labels]
		if reasons:
			self.hard(
				"room_unsuitable",
				f"Lesson {name} cannot use room {room.label}: {'; '.join(reasons)}",
				[lesson_id],
			)
		for slot in occupied:
			if slot in room.unavailable:
				self.hard(
					"availability",
					f"Room {room.label} is not available at {self.slot(slot)} (lesson {name})",
					[lesson_id],
				)

	def check_clashes(self) -> None:
		kinds = {"teacher": "teacher_clash", "students": "students_clash", "room": "room_clash"}
		for (resource, resource_id), slots in self.busy.items():
			for slot, lessons in sorted(slots.items()):
				if len(lessons) > 1:
					names = ", ".join(self.index.lesson_label(le) for le in lessons)
					self.hard(
						kinds[resource],
						f"{self.index.label(resource, resource_id)} has {len(lessons)} lessons at "
						f"{self.slot(slot)}: {names}",
						list(lessons),
						amount=len(lessons) - 1,
					)

	# --- typed constraints ---------------------------------------------------------------------

	def check_constraint(self, constraint: Constraint) -> None:
		check = _CHECKS.get(type(constraint))
		if check is None:
			raise ValueError(f"No validator for constraint type {type(constraint).__name__}")
		label = constraint.label()
		kind = type(constraint).__name__
		for amount, message, lessons in check(self, constraint):
			if amount <= 0:
				continue
			text = f"{label}: {message}"
			if constraint.is_hard:
				self.report.hard_violations.append(Violation(kind, text, True, label, amount, 0, lessons))
			else:
				cost = amount * constraint.penalty
				self.report.soft_violations.append(Violation(kind, text, False, label, amount, cost, lessons))
				self.report.soft_cost += cost
				self.report.breakdown[label] = self.report.breakdown.get(label, 0) + cost

	def placed(self, lesson_ids: Iterable[str]) -> list[str]:
		return [le for le in lesson_ids if le in self.occupied]

	def start(self, lesson_id: str) -> Slot:
		return self.assignments[lesson_id].start

	def busy_periods(self, resource: str, resource_id: str, day: int, tag: str = "") -> set[int]:
		return {
			p
			for (d, p), lessons in self.busy.get((resource, resource_id), {}).items()
			if d == day and (not tag or any(tag in self.index.lessons[le].tags for le in lessons))
		}

	def per_resource_day(self, constraint):
		"""Yield ``(resource_id, label, day, busy periods)`` for each targeted resource and day (periods of
		lessons with the constraint's tag only, for the rules that take one)."""
		tag = getattr(constraint, "tag", "")
		for resource_id in self.index.resource_ids(constraint):
			who = self.index.label(constraint.resource, resource_id)
			for day in range(self.problem.num_days):
				yield resource_id, who, day, self.busy_periods(constraint.resource, resource_id, day, tag)

	def gaps(self, resource: str, resource_id: str, day: int, busy: set[int]) -> int:
		usable = self.index.usable_periods(resource, resource_id, day)
		positions = [i for i, p in enumerate(usable) if p in busy]
		if not positions:
			return 0
		return sum(1 for p in usable[positions[0] : positions[-1] + 1] if p not in busy)

	def check_max_gaps(self, c: MaxGaps) -> Iterable[Finding]:
		weekly: dict[str, int] = defaultdict(int)
		for resource_id, who, day, busy in self.per_resource_day(c):
			gaps = self.gaps(c.resource, resource_id, day, busy)
			if c.per == "day":
				yield (
					gaps - c.max_gaps,
					f"{who} has {gaps} gaps on {self.problem.days[day]} (max {c.max_gaps})",
					[],
				)
			weekly[resource_id] += gaps
		if c.per == "week":
			for resource_id, gaps in weekly.items():
				who = self.index.label(c.resource, resource_id)
				yield gaps - c.max_gaps, f"{who} has {gaps} gaps per week (max {c.max_gaps})", []

	def check_max_hours_daily(self, c: MaxHoursDaily) -> Iterable[Finding]:
		for _, who, day, busy in self.per_resource_day(c):
			yield (
				len(busy) - c.max_hours,
				f"{who} has {len(busy)} periods on {self.problem.days[day]} (max {c.max_hours})",
				[],
			)

	def check_min_hours_daily(self, c: MinHoursDaily) -> Iterable[Finding]:
		for _, who, day, busy in self.per_resource_day(c):
			if busy or not c.allow_empty_days:
				yield (
					c.min_hours - len(busy),
					f"{who} has {len(busy)} periods on {self.problem.days[day]} (min {c.min_hours})",
					[],
				)

	def check_max_days(self, c: MaxDaysPerWeek) -> Iterable[Finding]:
		days: dict[str, int] = defaultdict(int)
		for resource_id, _, _, busy in self.per_resource_day(c):
			days[resource_id] += bool(busy)
		for resource_id, count in days.items():
			who = self.index.label(c.resource, resource_id)
			yield count - c.max_days, f"{who} works {count} days (max {c.max_days})", []

	def check_min_days_per_week(self, c: MinDaysPerWeek) -> Iterable[Finding]:
		days: dict[str, int] = dict.fromkeys(self.index.resource_ids(c), 0)
		for resource_id, _, _, busy in self.per_resource_day(c):
			days[resource_id] += bool(busy)
		for resource_id, count in days.items():
			who = self.index.label(c.resource, resource_id)
			yield c.min_days - count, f"{who} works {count} days (min {c.min_days})", []

	def check_interval_max_days(self, c: IntervalMaxDaysPerWeek) -> Iterable[Finding]:
		days: dict[str, int] = defaultdict(int)
		for resource_id, _, _, busy in self.per_resource_day(c):
			days[resource_id] += any(c.start_period <= p < c.end_period for p in busy)
		names = self.problem.period_names or [f"P{i + 1}" for i in range(self.problem.periods_per_day)]
		window = (
			f"{names[c.start_period]}–{names[c.end_period - 1]}" if c.end_period > c.start_period else "-"
		)
		for resource_id, count in days.items():
			who = self.index.label(c.resource, resource_id)
			yield count - c.max_days, f"{who} is busy in {window} on {count} days (max {c.max_days})", []

	def continuous_windows(self, resource: str, resource_id: str, day: int, length: int) -> list[list[int]]:
		"""Runs of ``length`` consecutive periods with no break or unavailable slot inside."""
		usable = set(self.index.usable_periods(resource, resource_id, day))
		return [
			list(range(start, start + length))
			for start in range(self.problem.periods_per_day - length + 1)
			if all(p in usable for p in range(start, start + length))
		]

	def check_max_continuously(self, c: MaxHoursContinuously) -> Iterable[Finding]:
		for resource_id, who, day, busy in self.per_resource_day(c):
			windows = self.continuous_windows(c.resource, resource_id, day, c.max_hours + 1)
			over = sum(1 for w in windows if all(p in busy for p in w))
			if over:
				yield (
					over,
					f"{who} has more than {c.max_hours} periods in a row on {self.problem.days[day]}",
					[],
				)

	def check_max_span(self, c: MaxSpanPerDay) -> Iterable[Finding]:
		forgiven: set[str] = set()
		for resource_id, who, day, busy in self.per_resource_day(c):
			span = max(busy) - min(busy) + 1 if busy else 0
			over = span - c.max_span
			if over > 0 and c.allow_one_day_exception and resource_id not in forgiven:
				forgiven.add(resource_id)  # one day may span one period more
				over -= 1
			yield over, f"{who} spans {span} periods on {self.problem.days[day]} (max {c.max_span})", []

	def check_min_resting(self, c: MinRestingHours) -> Iterable[Finding]:
		periods, days = self.problem.periods_per_day, self.problem.days
		pairs = [(d, d + 1) for d in range(len(days) - 1)] + ([(len(days) - 1, 0)] if c.circular else [])
		for resource_id in self.index.resource_ids(c):
			who = self.index.label(c.resource, resource_id)
			for day, following in pairs:
				late = self.busy_periods(c.resource, resource_id, day)
				early = self.busy_periods(c.resource, resource_id, following)
				# a day without lessons is free all day (FET)
				rest = (periods - 1 - max(late) if late else periods) + (min(early) if early else periods)
				yield (
					c.min_hours - rest,
					f"{who} rests {rest} periods from {days[day]} to {days[following]} (min {c.min_hours})",
					[],
				)

	def check_early(self, c: EarlyMaxBeginningsAtSecondHour) -> Iterable[Finding]:
		second: dict[str, list[str]] = defaultdict(list)
		for resource_id, who, day, busy in self.per_resource_day(c):
			usable = self.index.usable_periods(c.resource, resource_id, day)
			first = next((i for i, p in enumerate(usable) if p in busy), None)
			if first is None or first == 0:
				continue
			second[resource_id].append(self.problem.days[day])
			if first >= 2:
				yield 1, f"{who} starts {self.problem.days[day]} after the second period", []
		for resource_id, days in second.items():
			who = self.index.label(c.resource, resource_id)
			yield (
				len(days) - c.max_beginnings,
				f"{who} starts late on {len(days)} days ({', '.join(days)}; max {c.max_beginnings})",
				[],
			)

	def check_unavailable(self, c: UnavailableTimes) -> Iterable[Finding]:
		for resource_id in self.index.resource_ids(c):
			slots = self.busy.get((c.resource, resource_id), {})
			hits = [(s, lessons) for s, lessons in sorted(slots.items()) if s in c.slots]
			if hits:
				amount = sum(len(lessons) for _, lessons in hits)
				when = ", ".join(self.slot(s) for s, _ in hits)
				lessons = sorted({le for _, ls in hits for le in ls})
				yield amount, f"{self.index.label(c.resource, resource_id)} is busy at {when}", lessons

	def check_max_lessons_per_day(self, c: MaxLessonsPerDay) -> Iterable[Finding]:
		per_day: dict[int, list[str]] = defaultdict(list)
		for lesson_id in self.placed(c.lessons):
			per_day[self.start(lesson_id)[0]].append(lesson_id)
		for day, lessons in sorted(per_day.items()):
			yield (
				len(lessons) - c.max_per_day,
				f"{len(lessons)} lessons on {self.problem.days[day]} (max {c.max_per_day})",
				lessons,
			)

	def check_min_days(self, c: MinDaysBetween) -> Iterable[Finding]:
		for a, b in combinations(self.placed(c.lessons), 2):
			(day_a, period_a), (day_b, period_b) = self.start(a), self.start(b)
			names = f"{self.index.lesson_label(a)} and {self.index.lesson_label(b)}"
			if abs(day_a - day_b) < c.min_days:
				yield 1, f"{names} are {abs(day_a - day_b)} days apart (min {c.min_days})", [a, b]
			if c.consecutive_if_same_day and day_a == day_b:
				dur_a, dur_b = self.index.lessons[a].duration, self.index.lessons[b].duration
				if period_b != period_a + dur_a and period_a != period_b + dur_b:
					yield 1, f"{names} share {self.problem.days[day_a]} but are not consecutive", [a, b]

	def check_max_days_between(self, c: MaxDaysBetween) -> Iterable[Finding]:
		for a, b in combinations(self.placed(c.lessons), 2):
			apart = abs(self.start(a)[0] - self.start(b)[0])
			if apart > c.max_days:
				names = f"{self.index.lesson_label(a)} and {self.index.lesson_label(b)}"
				yield 1, f"{names} are {apart} days apart (max {c.max_days})", [a, b]

	def check_min_gaps_between(self, c: MinGapsBetween) -> Iterable[Finding]:
		for a, b in combinations(self.placed(c.lessons), 2):
			(day_a, start_a), (day_b, start_b) = self.start(a), self.start(b)
			if day_a != day_b:
				continue
			end_a = start_a + self.index.lessons[a].duration
			end_b = start_b + self.index.lessons[b].duration
			between = max(start_b - end_a, start_a - end_b)
			if between < c.min_gaps:
				names = f"{self.index.lesson_label(a)} and {self.index.lesson_label(b)}"
				yield 1, f"{names} are {max(between, 0)} periods apart (min {c.min_gaps})", [a, b]

	def check_min_gaps_ordered_tags(self, c: MinGapsBetweenOrderedTags) -> Iterable[Finding]:
		lessons = self.index.lessons
		for resource_id in self.index.resource_ids(c):
			who = self.index.label(c.resource, resource_id)
			mine = self.placed(self.index.lessons_of.get((c.resource, resource_id), ()))
			for a in mine:
				if c.first_tag not in lessons[a].tags:
					continue
				day, start = self.start(a)
				end = start + lessons[a].duration
				for b in mine:
					if b == a or c.second_tag not in lessons[b].tags:
						continue
					other_day, other_start = self.start(b)
					if other_day == day and end <= other_start < end + c.min_gaps:
						names = f"{self.index.lesson_label(a)} and {self.index.lesson_label(b)}"
						between = other_start - end
						yield 1, f"{who}: {names} are {between} periods apart (min {c.min_gaps})", [a, b]

	def check_ends_students_day(self, c: EndsStudentsDay) -> Iterable[Finding]:
		for lesson_id in self.placed(c.lessons):
			lesson = self.index.lessons[lesson_id]
			day, period = self.start(lesson_id)
			end = period + lesson.duration
			later = sorted(
				{
					other
					for student_set in lesson.student_sets
					for (d, p), lessons in self.busy.get(("students", student_set), {}).items()
					if d == day and p >= end
					for other in lessons
				}
			)
			if later:
				names = ", ".join(self.index.lesson_label(le) for le in later)
				yield 1, f"{self.index.lesson_label(lesson_id)} is followed by {names}", [lesson_id, *later]

	def check_preferred_starts(self, c: PreferredStartingTimes) -> Iterable[Finding]:
		for lesson_id in self.placed(c.lessons):
			if self.start(lesson_id) not in c.starts:
				name = self.index.lesson_label(lesson_id)
				yield 1, f"{name} starts at {self.slot(self.start(lesson_id))}", [lesson_id]

	def check_preferred_slots(self, c: PreferredTimeSlots) -> Iterable[Finding]:
		for lesson_id in self.placed(c.lessons):
			outside = [s for s in self.occupied[lesson_id] if s not in c.slots]
			if outside:
				name = self.index.lesson_label(lesson_id)
				yield 1, f"{name} is at {self.slot(outside[0])}", [lesson_id]

	def check_same_start(self, c: SameStartingTime) -> Iterable[Finding]:
		placed = self.placed(c.lessons)
		for lesson_id in placed[1:]:
			if self.start(lesson_id) != self.start(placed[0]):
				names = f"{self.index.lesson_label(lesson_id)} and {self.index.lesson_label(placed[0])}"
				yield 1, f"{names} start at different times", [placed[0], lesson_id]

	def check_same_day(self, c: SameStartingDay) -> Iterable[Finding]:
		placed = self.placed(c.lessons)
		for lesson_id in placed[1:]:
			if self.start(lesson_id)[0] != self.start(placed[0])[0]:
				names = f"{self.index.lesson_label(lesson_id)} and {self.index.lesson_label(placed[0])}"
				yield 1, f"{names} are on different days", [placed[0], lesson_id]

	def check_same_hour(self, c: SameStartingHour) -> Iterable[Finding]:
		placed = self.placed(c.lessons)
		for lesson_id in placed[1:]:
			if self.start(lesson_id)[1] != self.start(placed[0])[1]:
				names = f"{self.index.lesson_label(lesson_id)} and {self.index.lesson_label(placed[0])}"
				yield 1, f"{names} start at different periods", [placed[0], lesson_id]

	def check_not_overlapping(self, c: NotOverlapping) -> Iterable[Finding]:
		for a, b in combinations(self.placed(c.lessons), 2):
			if set(self.occupied[a]) & set(self.occupied[b]):
				yield 1, f"{self.index.lesson_label(a)} and {self.index.lesson_label(b)} overlap", [a, b]

	def global_start(self, lesson_id: str) -> int:
		day, period = self.start(lesson_id)
		return day * self.problem.periods_per_day + period

	def check_consecutive(self, c: Consecutive) -> Iterable[Finding]:
		if self.placed([c.first, c.second]) == [c.first, c.second]:
			day, period = self.start(c.first)
			# A break in between is allowed (FET: breaks are not time slots).
			follows = self.index.next_teaching_period(day, period + self.index.lessons[c.first].duration)
			if self.start(c.second) != (day, follows):
				names = f"{self.index.lesson_label(c.second)} does not directly follow {self.index.lesson_label(c.first)}"
				yield 1, names, [c.first, c.second]

	def check_ordered(self, c: Ordered) -> Iterable[Finding]:
		if self.placed([c.first, c.second]) == [c.first, c.second]:
			end_first = self.global_start(c.first) + self.index.lessons[c.first].duration
			if self.global_start(c.second) < end_first:
				names = f"{self.index.lesson_label(c.second)} is not after {self.index.lesson_label(c.first)}"
				yield 1, names, [c.first, c.second]

	def check_ordered_if_same_day(self, c: OrderedIfSameDay) -> Iterable[Finding]:
		if self.placed([c.first, c.second]) == [c.first, c.second]:
			(day, period), (other_day, other_period) = self.start(c.first), self.start(c.second)
			if day == other_day and other_period < period + self.index.lessons[c.first].duration:
				names = f"{self.index.lesson_label(c.second)} is not after {self.index.lesson_label(c.first)}"
				yield 1, f"{names} on {self.problem.days[day]}", [c.first, c.second]

	def check_occupy_max_slots(self, c: OccupyMaxSlots) -> Iterable[Finding]:
		placed = self.placed(c.lessons)
		used = sorted({s for le in placed for s in self.occupied[le] if s in c.slots})
		if len(used) > c.max_slots:
			where = ", ".join(self.slot(s) for s in used)
			yield (
				len(used) - c.max_slots,
				f"they occupy {len(used)} of the selected slots ({where}; max {c.max_slots})",
				placed,
			)

	def check_max_simultaneous(self, c: MaxSimultaneous) -> Iterable[Finding]:
		placed = self.placed(c.lessons)
		for slot in sorted(c.slots):
			there = [le for le in placed if slot in self.occupied[le]]
			if len(there) > c.max_simultaneous:
				yield (
					len(there) - c.max_simultaneous,
					f"{len(there)} of them at {self.slot(slot)} (max {c.max_simultaneous})",
					there,
				)

	def check_grouped(self, c: Grouped) -> Iterable[Finding]:
		placed = self.placed(c.lessons)
		if len(placed) < 2:
			return
		slots = [s for le in placed for s in self.occupied[le]]
		days = {d for d, _ in slots}
		periods = sorted(p for _, p in slots)
		# Back to back: every period from the first to the last is taken or a break (FET).
		day = slots[0][0]
		holes = [
			p
			for p in range(periods[0], periods[-1] + 1)
			if p not in periods and (day, p) not in self.problem.breaks
		]
		if len(days) > 1 or len(set(periods)) != len(periods) or holes:
			yield 1, "lessons are not back to back on one day", placed

	def buildings(self, resource: str, resource_id: str, day: int) -> list[tuple[int, str]]:
		"""``(period, building)`` for each period of ``day`` the resource spends in a room with a building."""
		out = []
		for (d, p), lessons in sorted(self.busy.get((resource, resource_id), {}).items()):
			if d != day:
				continue
			rooms = [self.index.rooms.get(self.assignments[le].room or "") for le in lessons]
			building = next((r.building for r in rooms if r is not None and r.building), None)
			if building is not None:
				out.append((p, building))
		return out

	def building_changes(self, c: MaxBuildingChanges | MinGapsBetweenBuildingChanges):
		"""Yield ``(who, day, periods between, building before, building after)`` per building change."""
		for resource_id in self.index.resource_ids(c):
			who = self.index.label(c.resource, resource_id)
			for day in range(self.problem.num_days):
				seen = self.buildings(c.resource, resource_id, day)
				for (before, a), (after, b) in pairwise(seen):
					if a != b:
						yield resource_id, who, day, after - before - 1, a, b

	def check_max_building_changes(self, c: MaxBuildingChanges) -> Iterable[Finding]:
		counts: dict[tuple[str, int], int] = defaultdict(int)
		for resource_id, _, day, _, _, _ in self.building_changes(c):
			counts[resource_id, day if c.per == "day" else -1] += 1
		for (resource_id, day), count in sorted(counts.items()):
			who = self.index.label(c.resource, resource_id)
			when = f"on {self.problem.days[day]}" if day >= 0 else "per week"
			yield (
				count - c.max_changes,
				f"{who} changes building {count} times {when} (max {c.max_changes})",
				[],
			)

	def check_min_gaps_building_changes(self, c: MinGapsBetweenBuildingChanges) -> Iterable[Finding]:
		for _, who, day, between, a, b in self.building_changes(c):
			if between < c.min_gaps:
				yield (
					1,
					f"{who} goes from {a} to {b} on {self.problem.days[day]} with {between} periods between "
					f"(min {c.min_gaps})",
					[],
				)

	def check_occupy_max_rooms(self, c: OccupyMaxRooms) -> Iterable[Finding]:
		placed = [le for le in self.placed(c.lessons) if self.assignments[le].room]
		rooms = sorted({self.assignments[le].room for le in placed})
		if len(rooms) > c.max_rooms:
			yield (
				len(rooms) - c.max_rooms,
				f"they use {len(rooms)} rooms ({', '.join(rooms)}; max {c.max_rooms})",
				placed,
			)

	def check_same_room_if_consecutive(self, c: SameRoomIfConsecutive) -> Iterable[Finding]:
		for a, b in combinations(self.placed(c.lessons), 2):
			(day_a, start_a), (day_b, start_b) = self.start(a), self.start(b)
			room_a, room_b = self.assignments[a].room, self.assignments[b].room
			if day_a != day_b or not room_a or not room_b or room_a == room_b:
				continue
			end_a = start_a + self.index.lessons[a].duration
			end_b = start_b + self.index.lessons[b].duration
			if start_b == end_a or start_a == end_b:
				names = f"{self.index.lesson_label(a)} and {self.index.lesson_label(b)}"
				yield 1, f"{names} are consecutive but in {room_a} and {room_b}", [a, b]

	def check_rooms(self, c: PreferredRooms | HomeRooms) -> Iterable[Finding]:
		for lesson_id, prefs in self.index.room_preferences.items():
			if lesson_id not in self.occupied or not any(con is c for con, _ in prefs):
				continue
			room = self.assignments[lesson_id].room
			if room not in c.rooms:
				yield 1, f"{self.index.lesson_label(lesson_id)} is in {room or 'no room'}", [lesson_id]


_CHECKS = {
	MaxGaps: _Validator.check_max_gaps,
	MaxHoursDaily: _Validator.check_max_hours_daily,
	MinHoursDaily: _Validator.check_min_hours_daily,
	MaxDaysPerWeek: _Validator.check_max_days,
	EarlyMaxBeginningsAtSecondHour: _Validator.check_early,
	UnavailableTimes: _Validator.check_unavailable,
	MaxLessonsPerDay: _Validator.check_max_lessons_per_day,
	MinDaysBetween: _Validator.check_min_days,
	PreferredStartingTimes: _Validator.check_preferred_starts,
	PreferredTimeSlots: _Validator.check_preferred_slots,
	SameStartingTime: _Validator.check_same_start,
	NotOverlapping: _Validator.check_not_overlapping,
	Consecutive: _Validator.check_consecutive,
	Ordered: _Validator.check_ordered,
	OrderedIfSameDay: _Validator.check_ordered_if_same_day,
	OccupyMaxSlots: _Validator.check_occupy_max_slots,
	MaxSimultaneous: _Validator.check_max_simultaneous,
	Grouped: _Validator.check_grouped,
	PreferredRooms: _Validator.check_rooms,
	HomeRooms: _Validator.check_rooms,
	MinDaysPerWeek: _Validator.check_min_days_per_week,
	IntervalMaxDaysPerWeek: _Validator.check_interval_max_days,
	MaxHoursContinuously: _Validator.check_max_continuously,
	MaxDaysBetween: _Validator.check_max_days_between,
	MinGapsBetween: _Validator.check_min_gaps_between,
	EndsStudentsDay: _Validator.check_ends_students_day,
	SameStartingDay: _Validator.check_same_day,
	SameStartingHour: _Validator.check_same_hour,
	MaxBuildingChanges: _Validator.check_max_building_changes,
	MaxSpanPerDay: _Validator.check_max_span,
	MinRestingHours: _Validator.check_min_resting,
	MinGapsBetweenOrderedTags: _Validator.check_min_gaps_ordered_tags,
	MinGapsBetweenBuildingChanges: _Validator.check_min_gaps_building_changes,
	OccupyMaxRooms: _Validator.check_occupy_max_rooms,
	SameRoomIfConsecutive: _Validator.check_same_room_if_consecutive,
}
