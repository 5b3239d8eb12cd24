"""The memory budget of a solve (ai_school.core.timetable.memory): in process, with the reading of
the process's memory replaced by a number the test controls, and end to end in a subprocess on a
large synthetic school, where the child's real peak RSS is measured."""

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from ortools.sat.python import cp_model

from ai_school.core.timetable import memory
from ai_school.core.timetable.encoding import TimetableModel
from ai_school.core.timetable.first_timetable import _EjectionRacer
from ai_school.core.timetable.memory import (
	MEMORY_KB_PER_ITEM,
	MemoryBudget,
	MemoryBudgetExceeded,
	concurrent_searches,
	expansion_limit,
)
from ai_school.core.timetable.model import MaxGaps
from ai_school.core.timetable.rules import ProblemIndex
from ai_school.core.timetable.solver import solve
from ai_school.core.timetable.synthetic import synthetic_school

ROOT = Path(__file__).resolve().parents[3]


class FakeProcess:
	"""Stands in for /proc/self/statm: the process holds ``mb``, or ``high`` from the
	``grow_after``-th reading on."""

	def __init__(self):
		self.mb = 100.0
		self.readings = 0
		self.grow_after: int | None = None
		self.high = 100_000.0

	def __call__(self) -> float:
		self.readings += 1
		if self.grow_after is not None and self.readings > self.grow_after:
			return self.high
		return self.mb


@pytest.fixture
def process(monkeypatch):
	fake = FakeProcess()
	monkeypatch.setattr(memory, "resident_mb", fake)
	return fake


def school_with_wishes():
	"""Ejection-supported hard rules (clashes, different days) and soft wishes to optimise."""
	return synthetic_school(8, 12, 10, 30, seed=3)


def school_with_hard_gaps():
	"""Hard 'no more than 3 gaps': a rule the ejection search does not handle, so only CP-SAT solves it."""
	problem = synthetic_school(6, 12, 6, 20, days=5, seed=0, with_preferences=False)
	return dataclasses.replace(problem, constraints=[MaxGaps(resource="students", max_gaps=3)])


def test_model_building_stops_once_the_process_outgrows_the_budget(process):
	problem = school_with_wishes()
	budget = MemoryBudget(50)  # the process holds 100 MB: the limit is 150 MB
	TimetableModel(problem, budget=budget)  # fits
	assert not budget.spent
	process.grow_after = process.readings + 5
	with pytest.raises(MemoryBudgetExceeded):
		TimetableModel(problem, budget=budget)
	# Stopped at the first reading over the limit, long before the end of the model.
	assert process.readings == process.grow_after + 1
	assert budget.spent and budget.spent_at_mb == process.high
	assert budget.cuts == ["building the CP-SAT model"]


def test_the_guard_stops_a_running_cp_sat_search_once_the_budget_is_spent(process):
	# The optimisation of a school's wishes does not end (optimal) within 60 s.
	model = TimetableModel(school_with_wishes()).model
	solver = cp_model.CpSolver()
	solver.parameters.max_time_in_seconds = 60
	solver.parameters.num_workers = 2
	process.grow_after = 1  # every reading after the one at the start is over the limit
	started = time.perf_counter()
	with MemoryBudget(50) as budget, budget.searching(solver, "the test search"):
		status = solver.solve(model)
	assert status in (cp_model.FEASIBLE, cp_model.UNKNOWN, cp_model.OPTIMAL)
	assert time.perf_counter() - started < 30  # the search's own limit is 60 s
	assert budget.cuts == ["the test search"]
	assert "memory budget was reached" in budget.explanation()[0]


def test_a_spent_budget_leaves_the_ejection_search_to_find_the_first_timetable(process):
	for workers in (1, 2):
		process.grow_after = process.readings + 1  # over the limit from the first reading after the start
		solution = solve(school_with_wishes(), time_limit=20, num_workers=workers, seed=1, memory_mb=50)
		assert solution.found and solution.report.is_valid and solution.status == "FEASIBLE"
		assert solution.wall_time < 15  # no optimisation ran to the 20 s limit
		(note,) = [line for line in solution.explanation if "memory budget" in line]
		assert "the optimisation" in note


def test_the_ejection_search_keeps_the_time_cp_sat_can_no_longer_use(process):
	problem = school_with_wishes()
	index = ProblemIndex(problem)
	now = time.perf_counter()
	budget = MemoryBudget(50)
	# Its turn is over (yield_at = now): with memory to spare it makes way for CP-SAT local search…
	yielding = _EjectionRacer(problem, index, {}, 0, now, now + 20, now, None, budget)
	assert yielding.search() == cp_model.UNKNOWN and not yielding.ran_out
	# …but once the budget is spent no CP-SAT search will start, so it goes on and finds one.
	process.grow_after = process.readings
	with pytest.raises(MemoryBudgetExceeded):
		budget.check()
	staying = _EjectionRacer(problem, index, {}, 0, now, now + 20, now, None, budget)
	assert staying.search() == cp_model.FEASIBLE
	assert len(staying.assignments()) == len(problem.lessons)


def test_without_the_ejection_search_a_spent_budget_ends_the_solve_early_and_says_why(process):
	process.grow_after = 1
	solution = solve(school_with_hard_gaps(), time_limit=20, num_workers=2, seed=1, memory_mb=50)
	assert solution.status == "UNKNOWN" and not solution.found
	assert solution.wall_time < 15
	assert solution.explanation[0].startswith("No timetable found: the memory budget stopped the search")
	assert any("for a first timetable" in line for line in solution.explanation[1:])


def test_an_optimisation_that_outgrows_the_budget_stops_with_its_best_timetable(process):
	# The process "grows" as soon as the optimisation reports its first timetable; unbounded the
	# optimisation would run to its 30 s limit.
	def progress(event):
		if event["phase"] == "optimise":
			process.mb = process.high

	solution = solve(
		school_with_wishes(), time_limit=30, num_workers=2, seed=1, memory_mb=10_000, progress=progress
	)
	assert solution.found and solution.report.is_valid and solution.status == "FEASIBLE"
	assert solution.wall_time < 20
	(note,) = [line for line in solution.explanation if "memory budget" in line]
	assert note.endswith("stopped or skipped the optimisation. A bigger budget lets them run.")


def test_an_optimisation_that_cannot_fit_is_not_started(process):
	solution = solve(school_with_wishes(), time_limit=20, num_workers=2, seed=1, memory_mb=1)
	assert solution.found and solution.report.is_valid and solution.status == "FEASIBLE"
	assert solution.best_bound is None  # no optimisation ran
	(note,) = [line for line in solution.explanation if "memory budget" in line]
	assert note.startswith("The optimisation (the timetable is the first valid one found) was not started")


def test_a_first_timetable_search_too_big_for_the_budget_is_not_started(process, monkeypatch):
	# Hard gaps: only CP-SAT can solve this school. Every search would need more than the budget
	# even at its least, so none starts (none would get past loading the model) and the solve
	# ends at once, saying why, instead of running until the guard stops it past the budget.
	monkeypatch.setitem(MEMORY_KB_PER_ITEM, "feasibility at least", 10**6)
	started = time.perf_counter()
	solution = solve(school_with_hard_gaps(), time_limit=20, num_workers=2, seed=1, memory_mb=300)
	assert solution.status == "UNKNOWN" and not solution.found
	assert time.perf_counter() - started < 5
	assert solution.explanation[0] == (
		"No timetable found: the model is too big for a CP-SAT search within the memory budget"
	)
	skipped = [line for line in solution.explanation if "was not started" in line]
	assert skipped and all("more than the memory budget (300 MB)" in line for line in skipped)
	assert not any("memory budget was reached" in line for line in solution.explanation)  # nothing ran
	assert solution.memory_limited


def test_a_search_is_let_in_at_its_least_only_when_it_is_the_only_way_forward():
	built = TimetableModel(school_with_hard_gaps(), soft=False)
	items = memory.model_items(built)
	least = items * (MEMORY_KB_PER_ITEM["model"] + MEMORY_KB_PER_ITEM["feasibility at least"]) / 1024
	typical = items * (MEMORY_KB_PER_ITEM["model"] + MEMORY_KB_PER_ITEM["feasibility"]) / 1024
	between = (least + typical) / 2
	assert memory.search_need_mb(built, "feasibility", between) is None  # it may fit: it runs
	assert memory.search_need_mb(built, "feasibility", between, least=False) == pytest.approx(typical)
	assert memory.search_need_mb(built, "feasibility", least / 2) == pytest.approx(least)


def test_when_cp_sat_cannot_fit_the_ejection_search_has_the_whole_time(process):
	# Ejection-supported rules: with CP-SAT barred by the model's size the ejection search keeps
	# going past its turn (yield_at = now) instead of making way for a CP-SAT search that will
	# never run.
	problem = school_with_wishes()
	budget = MemoryBudget(300)
	now = time.perf_counter()
	budget.skip("the systematic CP-SAT search for a first timetable", 10**6)
	staying = _EjectionRacer(problem, ProblemIndex(problem), {}, 0, now, now + 20, now, None, budget)
	assert staying.search() == cp_model.FEASIBLE
	assert len(staying.assignments()) == len(problem.lessons)


def test_the_estimate_limits_concurrent_searches_never_the_solve(monkeypatch):
	problem = school_with_hard_gaps()
	built = TimetableModel(problem, soft=False)
	assert concurrent_searches(built, 2, "feasibility", memory_mb=10_000) == 2
	assert concurrent_searches(built, 8, "optimise", memory_mb=10_000) == 8
	assert concurrent_searches(built, 2, "feasibility", memory_mb=1) == 1
	# A model the estimate finds too big for two searches runs as with one worker: the same
	# timetable for a seed (the budget itself, 10 GB, is never reached).
	monkeypatch.setitem(MEMORY_KB_PER_ITEM, "feasibility", 10**9)
	assert concurrent_searches(built, 2, "feasibility", memory_mb=10_000) == 1
	tight = solve(problem, time_limit=20, num_workers=2, seed=5, memory_mb=10_000)
	assert tight.found and tight.report.is_valid
	assert tight.assignments == solve(problem, time_limit=20, num_workers=1, seed=5).assignments


def test_local_search_expands_only_the_room_constraints_that_fit_in_a_quarter_of_the_budget():
	# 400 intervals: 79,800 pairs, ~27 MB expanded by CP-SAT local search; 50 intervals: 1,225 pairs.
	small, large = [50] * 10, [400] * 10
	assert expansion_limit(SimpleNamespace(no_overlap_sizes=small + large), memory_mb=10_000) is None
	assert expansion_limit(SimpleNamespace(no_overlap_sizes=small + large), memory_mb=340) == 50
	assert expansion_limit(SimpleNamespace(no_overlap_sizes=large), memory_mb=340) == 0
	assert expansion_limit(SimpleNamespace(no_overlap_sizes=[]), memory_mb=1) is None


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the budget reads /proc (Linux)")
@pytest.mark.parametrize("budget_mb", [30, 180])
def test_memory_budget_respected_in_a_subprocess_on_a_large_synthetic_school(tmp_path, budget_mb):
	"""The command line on a 1,584-lesson school: the child's peak RSS (the kernel's VmHWM)
	stays within what it held when the solve started plus the budget (and the guard's reaction
	time). Unbounded, this solve peaks ~210 MB above its start. 30 MB stops the model being
	built (the ejection search finds the timetable); 180 MB leaves room for the model and stops
	or skips the optimisation."""
	problem = synthetic_school(48, 72, 15, 35, seed=1)
	source = tmp_path / "school.json"
	source.write_text(json.dumps(problem.to_dict()))
	summary = tmp_path / "summary.json"
	cmd = [sys.executable, "-m", "ai_school.core.timetable.cli", "solve", str(source), "--time-limit", "20"]
	cmd += ["--workers", "2", "--memory-mb", str(budget_mb), "--summary", str(summary)]
	cmd += ["--out", str(tmp_path / "out")]
	env = {**os.environ, "PYTHONPATH": str(ROOT)}
	child = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, check=False)
	text = child.stdout.decode()
	assert child.returncode == 0, text
	result = json.loads(summary.read_text())
	# The child's own high-water mark (VmHWM), as the kernel counts it for its program. The rusage a parent
	# gets from wait4 would not do: Linux carries the parent's peak into a forked child across exec, so
	# after heavier tests had grown this test runner to ~280 MB, every child "peaked" at that size.
	peak_mb = result["peak_mb"]
	reaction_mb = 40  # what CP-SAT can allocate between two readings (50 ms) and its stop
	assert result["start_mb"] < peak_mb <= result["start_mb"] + budget_mb + reaction_mb, (peak_mb, text)
	assert result["status"] == "FEASIBLE"
	assert f"(--memory-mb sets the budget; it was {budget_mb} MB)" in text
	(note,) = [line for line in result["explanation"] if "memory budget" in line]
	if budget_mb == 30:
		assert "building the CP-SAT model" in note
