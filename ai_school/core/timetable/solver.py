"""Timetable solver: :func:`solve` finds a timetable for a problem within a time limit.

Search (:func:`solve`): prechecks; then a first timetable, from the ejection search
(:mod:`~ai_school.core.timetable.ejection`, for problems whose hard rules it handles) and from a
lean hard-only CP-SAT model where local search (no presolve) races the systematic search (which
alone can prove infeasibility); then the soft constraints are added to the model and the
optimisation starts from a complete hint of that timetable. The CP-SAT model is only built when a
search needs it.

Determinism: with ``num_workers=1`` and a fixed ``seed`` the search is deterministic (same
problem, same timetable). With several workers CP-SAT races strategies and results may differ
between runs; the time limit also makes results depend on machine speed.

Modules:

* :mod:`~ai_school.core.timetable.encoding` — :class:`TimetableModel`, the CP-SAT model of a
  problem; :mod:`~ai_school.core.timetable.encoding_constraints` encodes each constraint type.
* :mod:`~ai_school.core.timetable.first_timetable` — the race for a first valid timetable.
* :mod:`~ai_school.core.timetable.memory` — the memory budget, watched over the whole solve.
* :mod:`~ai_school.core.timetable.cpsat_solvers` — CP-SAT solver configurations, status names.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ortools.sat.python import cp_model

from ai_school.core.timetable.cpsat_solvers import STATUS_NAMES, Progress, ProgressCallback, new_solver
from ai_school.core.timetable.encoding import (
	Penalty,
	TimetableModel,
	UnsupportedConstraint,
	unsupported_constraints,
)
from ai_school.core.timetable.explain import explain_infeasible, precheck
from ai_school.core.timetable.first_timetable import find_first
from ai_school.core.timetable.memory import (
	MEMORY_BUDGET_MB,
	MemoryBudget,
	MemoryBudgetExceeded,
	concurrent_searches,
	release_memory,
	search_need_mb,
)
from ai_school.core.timetable.model import Assignment, Problem, Solution
from ai_school.core.timetable.rules import ProblemIndex
from ai_school.core.timetable.validator import as_assignments, validate

__all__ = [
	"MEMORY_BUDGET_MB",
	"Penalty",
	"Progress",
	"TimetableModel",
	"UnsupportedConstraint",
	"solve",
	"unsupported_constraints",
]


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
	``memory_mb``: the memory the solve may add to its process, from model building to the
	end (:class:`~ai_school.core.timetable.memory.MemoryBudget`). On big models fewer CP-SAT
	searches run at once (never fewer than one); once the process outgrows it the CP-SAT searches
	stop — an optimisation keeps its best timetable, a model being built is dropped — and only
	the ejection search (little memory) goes on looking for a first timetable. ``explanation``
	says what the budget cut short.
	"""
	started = time.perf_counter()
	with MemoryBudget(memory_mb, started) as budget:
		return _solve(
			problem,
			time_limit=time_limit,
			num_workers=num_workers,
			seed=seed,
			hint=hint,
			progress=progress,
			minimize_moves=minimize_moves,
			two_phase=two_phase,
			budget=budget,
			started=started,
		)


def _solve(
	problem: Problem,
	*,
	time_limit: float,
	num_workers: int,
	seed: int,
	hint: Mapping[str, Any] | Iterable[Any] | None,
	progress: Progress | None,
	minimize_moves: int,
	two_phase: bool,
	budget: MemoryBudget,
	started: float,
) -> Solution:
	hint_map = as_assignments(hint) if hint is not None else {}

	def finish(status: str, **kwargs: Any) -> Solution:
		wall_time = time.perf_counter() - started
		return Solution(status, wall_time=wall_time, memory_limited=budget.limited, **kwargs)

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

	def built_model() -> TimetableModel | None:
		"""The CP-SAT model, built on first use; None if building it outgrew the memory budget."""
		nonlocal built
		with building:
			if built is not None or budget.spent:
				return built
			try:
				built = TimetableModel(
					problem,
					hint=hint_map,
					minimize_moves=minimize_moves,
					index=index,
					soft=len(phases) == 1,
					budget=budget,
				)
			except MemoryBudgetExceeded:
				release_memory()
				return None
			invalid = built.model.validate()
			if invalid:
				built.notes.append(f"Invalid CP-SAT model: {invalid}")
			return built

	for phase, soft in phases:
		remaining = time_limit - (time.perf_counter() - started)
		if assignments is not None and remaining <= 0.05:
			break
		if phase == "feasibility":
			new_status, found, first_at = find_first(
				built_model,
				problem,
				index,
				hint_map,
				remaining,
				num_workers,
				seed,
				started,
				progress,
				budget,
			)
			if built is not None:
				built.drop_local_search_model()
			release_memory()  # what the CP-SAT searches of the race held
		else:
			model = _optimisation_model(built_model, assignments, budget, time_limit, started)
			if model is None:
				break
			invalid = model.model.validate()
			if invalid:
				return finish("MODEL_INVALID", explanation=[invalid])
			workers = concurrent_searches(model, num_workers, "optimise", budget.budget_mb)
			solver = new_solver(time_limit - (time.perf_counter() - started), workers, seed)
			fixed = model.objective_expr()
			constant = fixed if isinstance(fixed, int) else 0
			callback = ProgressCallback(started, phase, progress, first_at, constant)
			with budget.searching(solver, "the optimisation"):
				new_status = solver.solve(model.model, callback)
			first_at = callback.first_at
			found = model.extract(solver) if new_status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
		if found is not None:
			assignments = found
			status = new_status if soft else cp_model.FEASIBLE
			best_bound = round(solver.best_objective_bound) if phase == "optimise" else None
		elif assignments is None:
			status = new_status
			break

	notes = (built.notes if built else []) + budget.explanation()
	if assignments is not None and not optimise:
		status = cp_model.OPTIMAL  # without soft constraints every valid timetable is optimal
	name = STATUS_NAMES.get(status, "UNKNOWN")
	if name == "INFEASIBLE":
		budget_s = max(2.0, time_limit - (time.perf_counter() - started))
		reasons = explain_infeasible(problem, time_limit=budget_s, skip_precheck=True, budget=budget)
		return finish(name, explanation=reasons + budget.explanation())
	if assignments is None:
		if name != "UNKNOWN":
			message = "The model is invalid"
		elif budget.spent:
			message = (
				f"No timetable found: the memory budget stopped the search after {budget.spent_after:.0f} s"
			)
		elif budget.skipped:
			message = "No timetable found: the model is too big for a CP-SAT search within the memory budget"
		else:
			message = f"No timetable found within {time_limit:g} s"
		return finish(name, explanation=[message, *notes])

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
		explanation=notes,
		moved=moved,
	)


def _optimisation_model(
	built_model: Callable[[], TimetableModel | None],
	assignments: dict[str, Assignment] | None,
	budget: MemoryBudget,
	time_limit: float,
	started: float,
) -> TimetableModel | None:
	"""The full model (soft constraints added, warm start from ``assignments``), or None when the
	memory budget leaves no room for the optimisation."""
	if budget.spent:
		budget.cut("the optimisation")
		return None
	try:
		model = built_model()
		if model is None:
			raise MemoryBudgetExceeded
		if not model.soft:
			model.add_soft()
		need = search_need_mb(model, "optimise", budget.budget_mb) if assignments is not None else None
		if need is not None:  # (without a first timetable the optimisation is the only search)
			budget.skip("the optimisation (the timetable is the first valid one found)", need)
			return None
		if assignments is not None:
			model.complete_hint(model.canonical(assignments), time_limit - (time.perf_counter() - started))
	except MemoryBudgetExceeded:
		budget.cut("the optimisation")
		return None
	release_memory()  # what the completion of the warm start held
	if budget.spent:
		budget.cut("the optimisation")
		return None
	return model
