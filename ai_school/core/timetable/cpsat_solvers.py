"""CP-SAT solver settings shared by the searches: status names, a progress callback, and the
three solver configurations (default, local search only, systematic search for a first timetable)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

Progress = Callable[[dict[str, Any]], None]
"""Receives ``{"event": "solution", "phase", "objective", "elapsed", "first_solution_at"}``."""

STATUS_NAMES = {
	cp_model.OPTIMAL: "OPTIMAL",
	cp_model.FEASIBLE: "FEASIBLE",
	cp_model.INFEASIBLE: "INFEASIBLE",
	cp_model.MODEL_INVALID: "MODEL_INVALID",
	cp_model.UNKNOWN: "UNKNOWN",
}


class ProgressCallback(cp_model.CpSolverSolutionCallback):
	"""Records when the first timetable was found and forwards progress events.

	Objective coefficients are integers, so the reported objective is rounded (CP-SAT returns a
	float that may be off by rounding noise). ``constant`` is added to it: CP-SAT drops an objective
	with no variables (every soft rule already decided by the data), offset included."""

	def __init__(
		self, started: float, phase: str, progress: Progress | None, first_at: float | None, constant: int = 0
	):
		super().__init__()
		self.started = started
		self.phase = phase
		self.progress = progress
		self.first_at = first_at
		self.constant = constant

	def on_solution_callback(self) -> None:
		elapsed = time.perf_counter() - self.started
		if self.first_at is None:
			self.first_at = elapsed
		if self.progress is not None:
			self.progress(
				{
					"event": "solution",
					"phase": self.phase,
					"objective": round(self.objective_value) + self.constant
					if self.phase == "optimise"
					else None,
					"elapsed": elapsed,
					"first_solution_at": self.first_at,
				}
			)


def new_solver(time_limit: float, num_workers: int, seed: int) -> cp_model.CpSolver:
	solver = cp_model.CpSolver()
	solver.parameters.max_time_in_seconds = max(0.01, time_limit)
	solver.parameters.num_workers = num_workers
	solver.parameters.random_seed = seed
	solver.parameters.log_search_progress = False
	return solver


def local_search_solver(time_limit: float, seed: int) -> cp_model.CpSolver:
	"""CP-SAT's feasibility-jump local search alone, on the model as built (no presolve).

	On timetabling models it often finds a first valid timetable one to two orders of magnitude
	faster than the default search (synthetic 20-class school: ~0.2–2 s depending on the seed, vs
	~5 s), but it can never prove infeasibility and sometimes stalls — hence the systematic search."""
	solver = new_solver(time_limit, 1, seed)
	solver.parameters.use_ls_only = True
	solver.parameters.cp_model_presolve = False
	return solver


DECIDED = (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
"""Statuses that end a search for a first timetable: one was found, or there is none."""
