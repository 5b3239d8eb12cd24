"""Explain, in a timetabler's words, why a problem has no valid timetable.

Two layers:

* :func:`precheck` — counting arguments that need no solver (over-committed teachers, lessons
  with no possible start or room, room pools too small, min-days chains longer than the week).
  Every message it returns is a certain cause of infeasibility.
* :func:`explain_infeasible` — if the counts pass, re-solves with one assumption literal per
  hard rule group (a teacher's availability, a class's one-lesson-at-a-time rule, one min-days
  constraint…) and reports a small set of groups that cannot hold together, from CP-SAT's
  ``sufficient_assumptions_for_infeasibility``.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ai_school.core.timetable.model import MaxDaysPerWeek, MaxHoursDaily, MinDaysBetween, Problem
from ai_school.core.timetable.rules import TIME_RESOURCES, ProblemIndex


def precheck(problem: Problem, index: ProblemIndex | None = None) -> list[str]:
	"""Certain reasons why no timetable exists (empty list: none found by counting)."""
	index = index or ProblemIndex(problem)
	messages = _unknown_references(index)
	if messages:
		return messages
	messages += _lessons_without_start(index)
	messages += _lessons_without_room(index)
	messages += _over_committed(index)
	messages += _room_pools(index)
	messages += _min_days_chains(index)
	return messages


def _unknown_references(index: ProblemIndex) -> list[str]:
	messages = []
	for lesson in index.problem.lessons:
		name = index.lesson_label(lesson.id)
		for teacher in lesson.teachers:
			if teacher not in index.teachers:
				messages.append(f"Lesson {name} names unknown teacher {teacher}")
		for student_set in lesson.student_sets:
			if student_set not in index.student_sets:
				messages.append(f"Lesson {name} names unknown student set {student_set}")
		for room in [*lesson.rooms, *([lesson.fixed_room] if lesson.fixed_room else [])]:
			if room not in index.rooms:
				messages.append(f"Lesson {name} names unknown room {room}")
		if lesson.duration < 1:
			messages.append(f"Lesson {name} has duration {lesson.duration}")
	if len(index.lessons) != len(index.problem.lessons):
		messages.append("Some lesson ids are used twice")
	return messages


def _longest_free_stretch(problem: Problem) -> int:
	best = 0
	for day in range(problem.num_days):
		run = 0
		for period in range(problem.periods_per_day):
			run = 0 if (day, period) in problem.breaks else run + 1
			best = max(best, run)
	return best


def _lessons_without_start(index: ProblemIndex) -> list[str]:
	messages = []
	longest = _longest_free_stretch(index.problem)
	for lesson in index.problem.lessons:
		if index.legal_starts[lesson.id]:
			continue
		name = index.lesson_label(lesson.id)
		structural = index.structural_starts(lesson)
		if not structural:
			messages.append(
				f"Lesson {name} lasts {lesson.duration} periods but the longest stretch without a break "
				f"is {longest} periods"
			)
			continue
		reasons = Counter(r for start in structural for r in index.start_blockers(lesson, start))
		because = ", ".join(
			f"{reason} ({count} of {len(structural)} starts)" for reason, count in reasons.most_common()
		)
		messages.append(f"Lesson {name} has no possible start time: ruled out by {because}")
	return messages


def _lessons_without_room(index: ProblemIndex) -> list[str]:
	messages = []
	for lesson_id, rooms in index.candidate_rooms.items():
		if rooms:
			continue
		lesson = index.lessons[lesson_id]
		details = "; ".join(
			f"{r.label}: {', '.join(index.room_blockers(lesson, r.id))}" for r in index.problem.rooms
		)
		messages.append(
			f"Lesson {index.lesson_label(lesson_id)} has no suitable room ({details or 'no rooms defined'})"
		)
	return messages


def _hard_limits(index: ProblemIndex) -> dict[tuple[str, str], tuple[int | None, int | None]]:
	"""(resource, id) → (hard max hours per day, hard max days per week)."""
	limits: dict[tuple[str, str], list[int | None]] = defaultdict(lambda: [None, None])
	for constraint in index.problem.constraints:
		if isinstance(constraint, MaxHoursDaily):
			slot, value = 0, constraint.max_hours
		elif isinstance(constraint, MaxDaysPerWeek):
			slot, value = 1, constraint.max_days
		else:
			continue
		# a tag's limit bounds only the tagged lessons, not the resource's load
		if (
			not constraint.is_hard
			or constraint.resource not in TIME_RESOURCES
			or getattr(constraint, "tag", "")
		):
			continue
		for resource_id in index.resource_ids(constraint):
			current = limits[constraint.resource, resource_id][slot]
			limits[constraint.resource, resource_id][slot] = value if current is None else min(current, value)
	return {key: (v[0], v[1]) for key, v in limits.items()}


def _over_committed(index: ProblemIndex) -> list[str]:
	messages = []
	problem = index.problem
	limits = _hard_limits(index)
	for (resource, resource_id), lessons in sorted(index.lessons_of.items()):
		need = sum(index.lessons[le].duration for le in lessons)
		max_hours, max_days = limits.get((resource, resource_id), (None, None))
		per_day = sorted(
			(len(index.usable_periods(resource, resource_id, d)) for d in range(problem.num_days)),
			reverse=True,
		)
		if max_hours is not None:
			per_day = [min(n, max_hours) for n in per_day]
		if max_days is not None:
			per_day = per_day[:max_days]
		available = sum(per_day)
		if need > available:
			rules = [
				f"max {max_hours} per day" if max_hours is not None else "",
				f"max {max_days} days" if max_days is not None else "",
			]
			detail = f" ({', '.join(r for r in rules if r)})" if any(rules) else ""
			messages.append(
				f"{index.label(resource, resource_id)} needs {need} periods but is available for {available}"
				f"{detail} — over-committed by {need - available}"
			)
	return messages


def _room_pools(index: ProblemIndex) -> list[str]:
	"""Lessons restricted to a set of rooms cannot need more periods than those rooms offer."""
	messages = []
	pools = {frozenset(rooms) for rooms in index.candidate_rooms.values() if rooms}
	for pool in sorted(pools, key=sorted):
		members = [le for le, rooms in index.candidate_rooms.items() if rooms and set(rooms) <= pool]
		need = sum(index.lessons[le].duration for le in members)
		available = sum(index.available_slot_count("room", r) for r in pool)
		if need > available:
			kinds = {index.lessons[le].room_kind for le in members} - {None}
			what = f"room kind {', '.join(sorted(kinds))}" if kinds else "rooms"
			names = ", ".join(index.rooms[r].label for r in sorted(pool))
			messages.append(
				f"Lessons limited to {what} ({names}) need {need} periods but those rooms offer {available}"
				f" — short by {need - available}"
			)
	return messages


def _min_days_chains(index: ProblemIndex) -> list[str]:
	messages = []
	days = index.problem.num_days
	for constraint in index.problem.constraints:
		if isinstance(constraint, MinDaysBetween) and constraint.is_hard and constraint.min_days > 0:
			count = len([le for le in constraint.lessons if le in index.lessons])
			span = (count - 1) * constraint.min_days + 1
			if count > 1 and span > days:
				messages.append(
					f"{constraint.label()}: {count} lessons at least {constraint.min_days} days apart need "
					f"{span} days but the week has {days}"
				)
	return messages


def explain_infeasible(
	problem: Problem, *, time_limit: float = 20.0, skip_precheck: bool = False, budget=None
) -> list[str]:
	"""Human-readable reasons why ``problem`` has no valid timetable.

	``budget``: the solve's :class:`~ai_school.core.timetable.memory.MemoryBudget`, which also
	bounds the model built to explain (and its searches)."""
	import time
	from contextlib import nullcontext

	from ortools.sat.python import cp_model

	from ai_school.core.timetable.encoding import TimetableModel
	from ai_school.core.timetable.memory import MemoryBudgetExceeded

	if not skip_precheck:
		messages = precheck(problem)
		if messages:
			return messages
	started = time.perf_counter()
	cut_short = [
		"The hard rules cannot all be satisfied together; which of them conflict could not be "
		"worked out within the memory budget"
	]
	if budget is not None and budget.spent:
		return cut_short
	try:
		built = TimetableModel(problem, explain=True, budget=budget)
	except MemoryBudgetExceeded:
		return cut_short
	labels = {var.index: label for label, var in built.guards.items()}
	guards = list(built.guards.values())

	def infeasible_core(candidates: list, limit: float) -> list | None:
		built.model.clear_assumptions()
		built.model.add_assumptions(candidates)
		solver = cp_model.CpSolver()
		solver.parameters.max_time_in_seconds = max(0.1, limit)
		solver.parameters.num_workers = 1
		watch = budget.searching(solver, "the explanation") if budget is not None else nullcontext()
		with watch:
			status = solver.solve(built.model)
		if status != cp_model.INFEASIBLE:
			return None
		core = set(solver.sufficient_assumptions_for_infeasibility())
		return [g for g in candidates if g.index in core]

	core = infeasible_core(guards, time_limit / 2)
	if core is None and budget is not None and budget.spent:
		return cut_short
	if core is None:
		return [f"No conflict between the hard rules could be identified within {time_limit:g} s"]
	# Shrink the core by deletion while time allows: fewer, more precise reasons.
	for guard in list(core):
		remaining = time_limit - (time.perf_counter() - started)
		if remaining < 0.5 or len(core) <= 1:
			break
		if not any(g is guard for g in core):
			continue
		trial = [g for g in core if g is not guard]
		smaller = infeasible_core(trial, min(remaining, time_limit / 10))
		if smaller is not None:
			core = smaller
	return ["These rules cannot all be satisfied together:"] + [f"- {labels[g.index]}" for g in core]
