"""The search for a first valid timetable (:func:`find_first`).

Several methods race, each in its own thread (a :class:`_Racer`); the first to find a timetable, or
to prove there is none, stops the others:

* the ejection search (:mod:`~ai_school.core.timetable.ejection`), for problems whose hard rules
  it handles: pure Python, FET-style placement;
* CP-SAT local search (feasibility jump, no presolve) on a copy of the lean hard-only model;
* the systematic CP-SAT search, which alone can prove infeasibility.

How many run at once depends on the workers and on the memory budget
(:func:`~ai_school.core.timetable.memory.concurrent_searches`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from ortools.sat.python import cp_model

from ai_school.core.timetable.cpsat_solvers import (
	DECIDED,
	Progress,
	ProgressCallback,
	local_search_solver,
	new_solver,
)
from ai_school.core.timetable.ejection import ejection_search
from ai_school.core.timetable.ejection import supports as supports_ejection
from ai_school.core.timetable.encoding import TimetableModel
from ai_school.core.timetable.memory import (
	MemoryBudget,
	MemoryBudgetExceeded,
	concurrent_searches,
	expansion_limit,
	search_need_mb,
)
from ai_school.core.timetable.model import Assignment, Problem
from ai_school.core.timetable.rules import ProblemIndex
from ai_school.core.timetable.validator import validate

LOCAL_SEARCH_SHARE = 0.2
"""With one worker: share of the time limit given to local search before the systematic search."""

LOCAL_SEARCH_BURST = 1.0
"""With several workers: seconds (at most 10 % of the limit) of local search on every worker
before it races the systematic search; easy files are usually solved in this burst."""

EJECTION_HEAD_START = 1.0
"""Seconds (at most 10 % of the limit) the ejection search runs alone before the CP-SAT model is
built: most files it supports are solved by then, and building the model costs up to a second."""

EJECTION_SHARE = 0.25
"""Share of the time limit for the ejection search; then CP-SAT local search takes its thread.
Most schools the ejection search supports are solved in its head start; the hand-over is for the
rest (tuning half of the FET benchmark, the 20 files it supports, 30 s, seed 1: 17 first
timetables with a hand-over at 0.1 or 0.25 of the time, 16 with the ejection search to the
end)."""


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
			if self.status in DECIDED:
				done.set()

		self.thread = threading.Thread(target=run, daemon=True)
		self.thread.start()

	def join(self) -> None:
		# stop_search() before a solve has started is lost, so repeat until the thread returns.
		while self.thread.is_alive():
			self.stop()
			self.thread.join(0.02)


class _CpRacer(_Racer):
	def __init__(
		self,
		built: TimetableModel,
		solver: cp_model.CpSolver,
		model: cp_model.CpModel,
		callback,
		budget: MemoryBudget,
		what: str,
	):
		self.built, self.solver, self.model, self.callback = built, solver, model, callback
		self.budget, self.what = budget, what

	def search(self) -> int:
		with self.budget.searching(self.solver, self.what):
			status = self.solver.solve(self.model, self.callback)
		self.first_at = self.callback.first_at
		return status

	def stop(self) -> None:
		self.solver.stop_search()

	def assignments(self) -> dict[str, Assignment]:
		return self.built.extract(self.solver)


class _EjectionRacer(_Racer):
	"""The ejection search (:mod:`~ai_school.core.timetable.ejection`): pure Python, so it holds
	the GIL while CP-SAT racers run in C++ without it. Its timetable is checked by the validator
	(the search models only some rules; anything else would be a bug, never a timetable).

	It gives up at ``yield_at`` (to let CP-SAT local search take its thread) unless the memory
	budget is closed (spent, or the model too big for a CP-SAT search): then no CP-SAT search runs
	any more and it keeps going until ``deadline``."""

	def __init__(
		self,
		problem: Problem,
		index: ProblemIndex,
		hint,
		seed: int,
		yield_at: float,
		deadline: float,
		started: float,
		progress,
		budget: MemoryBudget,
	):
		self.problem, self.index, self.hint, self.seed = problem, index, hint, seed
		self.yield_at, self.deadline, self.started, self.progress = yield_at, deadline, started, progress
		self.budget = budget
		self.stopped = threading.Event()
		self.found: dict[str, Assignment] | None = None
		self.ran_out = False
		"""Whether the search ran until the deadline (rather than yielding or being stopped)."""

	def should_stop(self) -> bool:
		return self.stopped.is_set() or (time.perf_counter() > self.yield_at and not self.budget.closed)

	def search(self) -> int:
		found = ejection_search(
			self.problem,
			index=self.index,
			hint=self.hint,
			seed=self.seed,
			time_limit=max(0.0, self.deadline - time.perf_counter()),
			should_stop=self.should_stop,
		)
		if found is None:
			self.ran_out = time.perf_counter() >= self.deadline
			return cp_model.UNKNOWN
		if validate(self.problem, found).hard_violations:
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
			if status in DECIDED:
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
	return next((r for r in racers if r.status in DECIDED), None)


def find_first(
	built_model: Callable[[], TimetableModel | None],
	problem: Problem,
	index: ProblemIndex,
	hint: Mapping[str, Assignment],
	time_limit: float,
	num_workers: int,
	seed: int,
	started: float,
	progress: Progress | None,
	budget: MemoryBudget,
) -> tuple[int, dict[str, Assignment] | None, float | None]:
	"""First valid timetable: ``(status, assignments or None, seconds to find it)``.

	Problems whose hard rules the ejection search handles (most are clashes): it runs alone for
	a head start, then races the systematic CP-SAT search (which alone can prove infeasibility).
	Other problems, several workers: a short burst of CP-SAT local search on every worker
	(``LOCAL_SEARCH_BURST``), then local search (half of the workers, new seeds) races the
	systematic search (the other half): local search can be far faster (see
	:func:`~ai_school.core.timetable.cpsat_solvers.local_search_solver`) but can stall and never
	proves infeasibility. One worker:
	each method in turn on a share of the time (``LOCAL_SEARCH_SHARE``), so results stay
	reproducible; so do models too big for two CP-SAT searches in the memory budget (the ejection
	search, which needs little memory, still races the systematic one).

	``built_model()`` builds the CP-SAT model only when it is needed; it returns None when the
	model outgrew the memory budget. A CP-SAT search that would outgrow the budget
	(:func:`~ai_school.core.timetable.memory.search_need_mb`: typically when the ejection search
	can go on alone, even at its least otherwise) is not started. Once the budget
	is spent no CP-SAT search starts and those running are stopped. Either way the ejection
	search, if the problem allows it, runs until the time limit.
	"""
	deadline = time.perf_counter() + time_limit
	supported = supports_ejection(problem)

	def outcome(racer: _Racer | None) -> tuple[int, dict[str, Assignment] | None, float | None]:
		if racer is None:
			return cp_model.UNKNOWN, None, None
		found = racer.assignments() if racer.status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
		return racer.status, found, racer.first_at

	def cp(solver: cp_model.CpSolver, local: bool = False) -> _CpRacer | None:
		"""A CP-SAT racer, or None when the memory budget leaves no room for one."""
		what = "the CP-SAT local search" if local else "the systematic CP-SAT search"
		what += " for a first timetable"
		built = None if budget.spent else built_model()
		# the ejection search, when the rules allow it, goes on alone: then only a typical search is let in
		need = None
		if built is not None:
			need = search_need_mb(built, "feasibility", budget.budget_mb, least=not supported)
		if need is not None:  # checked before the local-search copy of the model is made
			budget.skip(what, need)
			return None
		try:
			if built is None or budget.spent:
				raise MemoryBudgetExceeded(what)
			model = built.local_search_model if local else built.model
		except MemoryBudgetExceeded:
			budget.cut(what)
			return None
		limit = expansion_limit(built, budget.budget_mb) if local else None
		if limit is not None:
			solver.parameters.feasibility_jump_max_expanded_constraint_size = limit
		callback = ProgressCallback(started, "feasibility", progress, None)
		return _CpRacer(built, solver, model, callback, budget, what)

	ejections: list[_EjectionRacer] = []

	def ejection(share: float) -> _EjectionRacer:
		now = time.perf_counter()
		racer = _EjectionRacer(problem, index, hint, seed, now + share, deadline, started, progress, budget)
		ejections.append(racer)
		return racer

	def finish(winner: _Racer | None) -> tuple[int, dict[str, Assignment] | None, float | None]:
		"""The race's outcome; if the memory budget stopped or barred CP-SAT before anything was
		decided, the ejection search takes the time left (unless it already had it)."""
		if winner is not None or not supported or not budget.closed:
			return outcome(winner)
		if any(racer.ran_out for racer in ejections) or deadline - time.perf_counter() < 0.05:
			return outcome(winner)
		return outcome(_race([ejection(0.0)]))

	def sequential() -> tuple[int, dict[str, Assignment] | None, float | None]:
		if supported:
			winner = _race([ejection(LOCAL_SEARCH_SHARE * time_limit)])
			if winner is not None:
				return outcome(winner)
		local = cp(local_search_solver(deadline - time.perf_counter(), seed), local=True)
		if local is not None:
			local.solver.parameters.max_deterministic_time = max(0.5, LOCAL_SEARCH_SHARE * time_limit)
			winner = _race([local])
			if winner is not None:
				return outcome(winner)
		systematic = cp(new_solver(deadline - time.perf_counter(), 1, seed))
		return finish(_race([systematic]) if systematic is not None else None)

	if num_workers <= 1:
		return sequential()

	def searches() -> int:
		"""CP-SAT searches that fit at once in the budget (0: the model itself did not fit)."""
		built = None if budget.spent else built_model()
		if built is None:
			return 0
		return concurrent_searches(built, num_workers, "feasibility", budget.budget_mb)

	if supported:
		done = threading.Event()

		def local_search_leg() -> _CpRacer | None:
			if searches() < 2:  # the systematic search alone fills the memory budget
				return None
			return cp(local_search_solver(deadline - time.perf_counter(), seed + 1), local=True)

		head = _Relay(lambda: ejection(EJECTION_SHARE * time_limit), local_search_leg)
		head.start(done)
		done.wait(min(EJECTION_HEAD_START, 0.1 * time_limit))
		if done.is_set():
			return outcome(_race([head], done))
		fitting = searches()
		systematic = cp(new_solver(deadline - time.perf_counter(), max(1, fitting - 1), seed))
		return finish(_race([head, *([systematic] if systematic is not None else [])], done))

	def local_entries(count: int, limit: float, first_seed: int) -> list[_Racer]:
		entries = (cp(local_search_solver(limit, first_seed + i), local=True) for i in range(count))
		return [entry for entry in entries if entry is not None]

	fitting = searches()
	if fitting < 2:
		return sequential()
	burst = local_entries(fitting, min(LOCAL_SEARCH_BURST, 0.1 * time_limit), seed)
	winner = _race(burst) if burst else None
	if winner is not None:
		return outcome(winner)
	local_workers = fitting // 2
	remaining = deadline - time.perf_counter()
	entries = local_entries(local_workers, remaining, seed + num_workers)
	systematic = cp(new_solver(remaining, fitting - local_workers, seed))
	entries += [systematic] if systematic is not None else []
	return outcome(_race(entries) if entries else None)
