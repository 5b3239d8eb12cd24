"""The memory budget of a solve (:class:`MemoryBudget`): what a solve may add to its process,
watched from the start of :func:`~ai_school.core.timetable.solver.solve` to its end — model
building, the race for a first timetable, optimisation and the explanation of an infeasible
problem — and how many CP-SAT searches may run at once (an estimate from the model's size)."""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from ortools.sat.python import cp_model


class TimetableModel(Protocol):
	"""What this module reads of :class:`~ai_school.core.timetable.encoding.TimetableModel` (which
	imports this module, so it is not imported here)."""

	model: cp_model.CpModel
	no_overlap_sizes: list[int]


MEMORY_BUDGET_MB = 340
"""Default of ``solve(memory_mb=...)``: what a solve may add to its process. The command line
holds 95–116 MB when the solve starts (Python, OR-Tools and a FET file of up to 1,600
activities) and the guard reacts within ~20 MB, so official fet-data files of at most 1,600
activities stay under 500 MB peak RSS: 235–464 MB on the six biggest models (257k–416k items;
30 s, 2 workers), which peaked at 396–824 MB when only the optimisation was bounded."""

MEMORY_KB_PER_ITEM = {
	"model": 0.7,
	"feasibility": 1.5,
	"optimise": 2.0,
	"feasibility at least": 0.9,
	"optimise at least": 1.0,
}
"""Estimated memory (KB) per CP-SAT variable or constraint: of the model itself (with its
local-search copy), and of each search running at once in either phase. Measured with ortools
9.15 on eight FET files of 450–1,500 lessons (22k–133k items): model 0.5–0.8; local search
0.9–1.2 and systematic search 1.3–2.5 per search; optimisation 1.0–3.7 per worker in its first
20 s. An estimate from the model's size rather than a reading of the process keeps runs with a
fixed seed reproducible; :class:`MemoryBudget` catches what the estimate misses. The "at least"
entries are the low ends, for :func:`search_need_mb`: a search that would need more than the
budget even then is not started (CP-SAT loads a model without heeding a stop, so such a search
would carry the process past the budget before the guard could stop it)."""

MEMORY_KB_PER_PAIR = 0.35
"""Estimated memory (KB) per pair of intervals when CP-SAT local search expands a no-overlap
constraint (a room with a choice of lessons) quadratically, which it does for constraints of up to
``feasibility_jump_max_expanded_constraint_size`` intervals (500 by default). Measured with ortools
9.15, local search alone, 3 s: lycee-Farabi-old (718k pairs) 288 MB expanded, 61 MB not;
NehaleSS2017T1a (1.5M pairs) 466 vs 104 MB; Arabic_Saudi_Examination (757k) 271 MB;
input_Lectures_40 (563k) 213 MB."""

EXPANSION_SHARE = 0.25
"""Share of the budget one local search may spend on that expansion (see :func:`expansion_limit`)."""

CP_SAT_EXPANSION_LIMIT = 500
"""CP-SAT's default ``feasibility_jump_max_expanded_constraint_size``."""

MEMORY_POLL = 0.05
"""Seconds between two readings of the process's memory while a solve runs."""


class MemoryBudgetExceeded(Exception):
	"""Raised by :meth:`MemoryBudget.check` while building a model that outgrows the budget."""


def resident_mb() -> float | None:
	"""This process's resident memory now, or None where /proc does not exist (not Linux)."""
	try:
		with open("/proc/self/statm") as statm:
			pages = int(statm.read().split()[1])
	except (OSError, ValueError, IndexError):
		return None
	return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def release_memory() -> None:
	"""Hand memory freed by a finished CP-SAT search back to the system (glibc keeps it in its
	arenas otherwise, so the process would look as big as at the search's peak). No-op elsewhere."""
	try:
		ctypes.CDLL(None).malloc_trim(0)
	except (OSError, AttributeError):
		pass


class MemoryBudget:
	"""What a solve may add to its process (``budget_mb`` above the resident memory when it
	starts), enforced from the first to the last step of the solve.

	A guard thread reads the process's resident memory every ``MEMORY_POLL`` s. Once the process
	holds more than the limit the budget is *spent*, for the rest of the solve:

	* every CP-SAT search running (registered with :meth:`searching`) is stopped — a search for a
	  first timetable, the completion of the hint, an optimisation (which keeps its best
	  timetable) — and none starts any more: CP-SAT memory is what grows fast (learned clauses,
	  presolve copies, one copy per worker), and a process does not shrink back below the limit
	  in time to let a stopped search resume;
	* model building (:meth:`check`, called between the parts of a model) stops with
	  :class:`MemoryBudgetExceeded`;
	* the ejection search (pure Python, a few MB) goes on, with the rest of the time limit.

	CP-SAT's own ``max_memory_in_mb`` does not bound the process (ortools 9.15: 405 MB peak under
	a 300 MB limit), hence a reading of /proc. Where /proc does not exist nothing is enforced.
	:attr:`cuts` says what the budget cut short, for the solution's explanation."""

	def __init__(self, budget_mb: float, started: float | None = None):
		self.budget_mb = budget_mb
		self.started = time.perf_counter() if started is None else started
		self.start_mb = resident_mb()
		self.limit_mb = self.start_mb + budget_mb if self.start_mb is not None else None
		self.spent_after: float | None = None
		"""Seconds from the start of the solve to when the process outgrew the budget."""
		self.spent_at_mb: float | None = None
		"""Resident memory of the process when it outgrew the budget."""
		self.cuts: list[str] = []
		"""What the budget cut short, in order, each once (e.g. "the optimisation")."""
		self.skipped: dict[str, float] = {}
		"""CP-SAT searches not started because the model is too big for them: what → MB needed."""
		self._searches: dict[int, tuple[cp_model.CpSolver, str]] = {}
		self._lock = threading.Lock()
		self._done = threading.Event()
		self._thread = threading.Thread(target=self._watch, name="timetable-memory-budget", daemon=True)

	def __enter__(self) -> MemoryBudget:
		if self.limit_mb is not None:
			self._thread.start()
		return self

	def __exit__(self, *exc: object) -> None:
		self._done.set()
		if self._thread.is_alive():
			self._thread.join()

	@property
	def spent(self) -> bool:
		return self.spent_after is not None

	def _spend(self, resident: float) -> None:
		with self._lock:
			if self.spent_after is None:
				self.spent_after = time.perf_counter() - self.started
				self.spent_at_mb = resident

	@property
	def limited(self) -> bool:
		"""Whether the budget cut something short or kept a search from starting."""
		return bool(self.cuts or self.skipped)

	@property
	def closed(self) -> bool:
		"""No CP-SAT search may run any more: the budget is spent, or a search was skipped because
		the model is too big for it (the ejection search then has the time left)."""
		return self.spent or bool(self.skipped)

	def skip(self, what: str, need_mb: float) -> None:
		"""Record that ``what`` was not started: it would need ``need_mb`` (:func:`search_need_mb`)."""
		with self._lock:
			self.skipped.setdefault(what, need_mb)

	def cut(self, what: str) -> None:
		"""Record that the budget cut ``what`` short (or kept it from starting)."""
		with self._lock:
			if what not in self.cuts:
				self.cuts.append(what)

	def _watch(self) -> None:
		while True:
			resident = resident_mb()
			if resident is not None and resident > self.limit_mb:
				self._spend(resident)
			if self.spent:
				with self._lock:
					running = list(self._searches.values())
				for solver, what in running:
					# Again on every poll: a stop asked before CP-SAT has started its search is lost.
					solver.stop_search()
					self.cut(what)
			if self._done.wait(MEMORY_POLL):
				return

	def check(self, what: str = "building the CP-SAT model") -> None:
		"""Raise :class:`MemoryBudgetExceeded` if the budget is spent (a reading of the process
		now: model building runs between two polls of the guard)."""
		if self.limit_mb is None:
			return
		resident = resident_mb()
		if resident is not None and resident > self.limit_mb:
			self._spend(resident)
		if self.spent:
			self.cut(what)
			raise MemoryBudgetExceeded(what)

	@contextmanager
	def searching(self, solver: cp_model.CpSolver, what: str) -> Iterator[None]:
		"""Run a CP-SAT search (``what``, for humans) that the guard stops once the budget is spent."""
		key = id(solver)
		with self._lock:
			self._searches[key] = (solver, what)
		try:
			yield
		finally:
			with self._lock:
				self._searches.pop(key, None)

	def explanation(self) -> list[str]:
		"""The solution's explanation lines for what the budget cut short or kept from starting."""
		lines = [
			f"{what[0].upper()}{what[1:]} was not started: with this model it would need ~{need:.0f} MB, more "
			f"than the memory budget ({self.budget_mb:g} MB). A bigger budget lets it run."
			for what, need in self.skipped.items()
		]
		if self.cuts:
			lines.append(
				f"The memory budget was reached after {self.spent_after:.0f} s (the solve may add {self.budget_mb:g} "
				f"MB to the {self.start_mb:.0f} MB its process held; it held {self.spent_at_mb:.0f} MB), which "
				f"stopped or skipped {', '.join(self.cuts)}. A bigger budget lets them run."
			)
		return lines


def _expansion_mb(sizes: list[int], limit: int) -> float:
	return sum(n * (n - 1) // 2 for n in sizes if n <= limit) * MEMORY_KB_PER_PAIR / 1024


def expansion_limit(built: TimetableModel, memory_mb: float) -> int | None:
	"""The largest no-overlap constraint CP-SAT local search may expand into pairs so that the
	expansion stays within ``EXPANSION_SHARE`` of the budget, or None when CP-SAT's default fits.

	Expanded, a no-overlap constraint is evaluated in constant time per move; otherwise in
	O(n log n). On room-heavy schools the expansion is most of the local search's memory
	(lycee-Farabi-old: 288 MB of a 64k-item model, 61 MB without it), enough to outgrow the budget
	and have the local search stopped; a smaller limit keeps it running."""
	sizes = built.no_overlap_sizes
	cap = EXPANSION_SHARE * memory_mb
	if _expansion_mb(sizes, CP_SAT_EXPANSION_LIMIT) <= cap:
		return None
	fitting = [n for n in sorted(set(sizes)) if _expansion_mb(sizes, n) <= cap]
	return fitting[-1] if fitting else 0


def concurrent_searches(built: TimetableModel, wanted: int, phase: str, memory_mb: float) -> int:
	"""How many CP-SAT searches (or workers) of ``phase`` fit at once in ``memory_mb``; at least
	one, since a search that does not fit still has to run (alone, until the budget stops it)."""
	items = model_items(built)
	model_mb = items * MEMORY_KB_PER_ITEM["model"] / 1024
	search_mb = items * MEMORY_KB_PER_ITEM[phase] / 1024
	if phase == "feasibility":  # local search: what it expands too
		limit = expansion_limit(built, memory_mb)
		search_mb += _expansion_mb(built.no_overlap_sizes, CP_SAT_EXPANSION_LIMIT if limit is None else limit)
	return max(1, min(wanted, int((memory_mb - model_mb) // search_mb)))


def model_items(built: TimetableModel) -> int:
	proto = built.model.proto
	return len(proto.variables) + len(proto.constraints)


def search_need_mb(built: TimetableModel, phase: str, memory_mb: float, least: bool = True) -> float | None:
	"""The memory a CP-SAT search of ``phase`` ("feasibility" or "optimise") on ``built`` would
	need (the model and one search in its first seconds), when that is more than ``memory_mb``;
	None when it may fit. ``least``: the low end of the estimate, for a search that is the only way
	forward: one that would outgrow the budget even then would do so while CP-SAT is still loading
	the model, before it could find anything. Otherwise the typical need: a search that would
	probably be stopped by the budget is not worth its overshoot when another search can go on
	(CP-SAT's presolve allocates hundreds of MB a second and heeds a stop late: StPaulsColY13T1a,
	tuning half, went from 178 to 590 MB in 1.5 s under a 444 MB limit). A search not started
	is recorded with :meth:`MemoryBudget.skip`."""
	key = f"{phase} at least" if least else phase
	need = model_items(built) * (MEMORY_KB_PER_ITEM["model"] + MEMORY_KB_PER_ITEM[key]) / 1024
	return need if need > memory_mb else None
