"""The memory budget of a solve: how many CP-SAT searches may run at once (an estimate from the
model's size) and a guard that stops an optimisation once the process outgrows the budget."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
	from ai_school.core.timetable.encoding import TimetableModel

MEMORY_BUDGET_MB = 400
"""Default of ``solve(memory_mb=...)``: what a solve may add to its process (the CP-SAT model and
the searches running at once), so a 1,500-lesson school stays under ~500 MB on a shared server."""

MEMORY_KB_PER_ITEM = {"model": 0.7, "feasibility": 1.5, "optimise": 2.0}
"""Estimated memory (KB) per CP-SAT variable or constraint: of the model itself (with its
local-search copy), and of each search running at once in either phase. Measured with ortools
9.15 on eight FET files of 450–1,500 lessons (22k–133k items): model 0.5–0.8; local search
0.9–1.2 and systematic search 1.3–2.5 per search; optimisation 1.0–3.7 per worker in its first
20 s. An estimate from the model's size rather than a reading of the process keeps runs with a
fixed seed reproducible; :class:`MemoryGuard` catches what the estimate misses."""

MEMORY_POLL = 0.25
"""Seconds between two readings of the process's memory while optimising."""


def resident_mb() -> float | None:
	"""This process's resident memory now, or None where /proc does not exist (not Linux)."""
	try:
		with open("/proc/self/statm") as statm:
			pages = int(statm.read().split()[1])
	except (OSError, ValueError, IndexError):
		return None
	return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class MemoryGuard:
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

	def __enter__(self) -> MemoryGuard:
		if self.limit_mb is not None:
			self._thread.start()
		return self

	def __exit__(self, *exc: object) -> None:
		self._done.set()
		if self._thread.is_alive():
			self._thread.join()

	def _watch(self) -> None:
		while True:
			resident = resident_mb()
			if resident is not None and resident > self.limit_mb:
				self.stopped_at_mb = self.stopped_at_mb or resident
				# Again on every poll: a stop asked before CP-SAT has started its search is lost.
				self.solver.stop_search()
			if self._done.wait(MEMORY_POLL):
				return


def concurrent_searches(built: TimetableModel, wanted: int, phase: str, memory_mb: float) -> int:
	"""How many CP-SAT searches (or workers) of ``phase`` fit at once in ``memory_mb``; at least
	one, since a search that does not fit still has to run (alone)."""
	proto = built.model.proto
	items = len(proto.variables) + len(proto.constraints)
	model_mb = items * MEMORY_KB_PER_ITEM["model"] / 1024
	search_mb = items * MEMORY_KB_PER_ITEM[phase] / 1024
	return max(1, min(wanted, int((memory_mb - model_mb) // search_mb)))
