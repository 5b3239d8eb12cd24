"""Benchmark our CP-SAT timetable engine against FET's ``fet-cl`` on real FET example files.

    python benchmarks/timetable_vs_fet/run.py --quick
    python benchmarks/timetable_vs_fet/run.py --limit 120
    python benchmarks/timetable_vs_fet/run.py --files a.fet b.fet --limit 60

Both engines run one after the other on the same file on this machine. Every timetable either
engine produces is checked by OUR validator (hard violations should be 0). See README.md for the
file-selection rule, the columns and how to read them. Needs ``apt-get install fet fet-data``
(FET is skipped with a note when ``fet-cl`` is missing). Results go to
``benchmarks/results/timetable_vs_fet/`` (gitignored) as JSON; the table goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ai_school.core.timetable.fet import import_fet, read_fet_timetable
from ai_school.core.timetable.validator import validate

EXAMPLES = Path("/usr/share/doc/fet-data/examples")
OFFICIAL_DIRS = ("FET-5-official", "FET-6-official")
SIZE_RANGE = (100, 1500)
FET_SEEDS = {"10": 1, "11": 2, "12": 3, "20": 4, "21": 5, "22": 6}
"""Fixed FET random seeds so a rerun gives FET the same search."""


@dataclass
class Row:
	file: str
	activities: int
	unsupported: int
	ours_status: str = ""
	ours_first: float | None = None
	ours_wall: float | None = None
	ours_cost: int | None = None
	ours_hard: int | None = None
	ours_mb: float | None = None
	fet_status: str = ""
	fet_time: float | None = None
	fet_conflicts: float | None = None
	fet_cost: int | None = None
	"""Our validator's soft cost of FET's timetable (same units as ``ours_cost``)."""
	fet_hard: int | None = None
	fet_placed: int | None = None
	fet_mb: float | None = None
	notes: list[str] = field(default_factory=list)

	@property
	def ratio(self) -> float | None:
		if self.ours_first is None or not self.fet_time or self.fet_status != "solved":
			return None
		return self.ours_first / self.fet_time


# --- selection ------------------------------------------------------------------------------------


def candidates() -> list[tuple[int, Path]]:
	"""Official-mode example files the importer supports fully, within the size range."""
	found = []
	for sub in OFFICIAL_DIRS:
		for path in sorted((EXAMPLES / sub).rglob("*.fet")):
			if path.name.endswith("_data_and_timetable.fet"):
				continue
			_, report = import_fet(path)
			if (
				report.fully_supported
				and not report.warnings
				and SIZE_RANGE[0] <= report.activities <= SIZE_RANGE[1]
			):
				found.append((report.activities, path))
	return sorted(found, key=lambda item: (item[0], str(item[1])))


def stratified(found: list[tuple[int, Path]], count: int) -> list[tuple[int, Path]]:
	"""``count`` files evenly spread over the size ranking, always keeping the smallest and largest."""
	if len(found) <= count:
		return found
	if count == 1:
		return [found[-1]]
	step = (len(found) - 1) / (count - 1)
	return [found[round(i * step)] for i in range(count)]


# --- our engine, in a child process (isolation + per-run peak memory) -------------------------------


def worker(args: argparse.Namespace) -> None:
	"""Child mode: solve one problem, print one JSON line with the result."""
	from ai_school.core.timetable.solver import solve

	if args.worker == "synthetic":
		from ai_school.core.timetable.synthetic import synthetic_school

		problem = synthetic_school(seed=args.seed)
	else:
		problem, _ = import_fet(args.worker)
	solution = solve(problem, time_limit=args.limit, num_workers=args.workers, seed=args.seed)
	print(
		json.dumps(
			{
				"status": solution.status,
				"first": solution.time_to_first_solution,
				"wall": solution.wall_time,
				"assignments": {k: [a.day, a.period, a.room] for k, a in solution.assignments.items()},
				"explanation": solution.explanation[:3],
			}
		)
	)


def run_child(cmd: list[str], timeout: float) -> tuple[str, float, float, bool]:
	"""stdout, wall seconds, peak RSS (MB) of one child process, and whether it had to be killed."""
	started = time.perf_counter()
	killed = False
	with tempfile.TemporaryFile() as out:
		proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
		deadline = started + timeout
		while True:
			pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
			if pid:
				break
			if time.perf_counter() > deadline:
				proc.kill()
				killed = True
				_, _, usage = os.wait4(proc.pid, 0)
				break
			time.sleep(0.05)
		proc.returncode = 0
		out.seek(0)
		text = out.read().decode("utf-8", "replace")
	return text, time.perf_counter() - started, usage.ru_maxrss / 1024, killed


def run_ours(target: str, args: argparse.Namespace) -> dict[str, Any]:
	cmd = [
		sys.executable,
		__file__,
		"--worker",
		target,
		"--limit",
		str(args.limit),
		"--workers",
		str(args.workers),
	]
	text, _, peak_mb, _ = run_child(cmd, args.limit * 3 + 120)
	lines = [line for line in text.splitlines() if line.startswith("{")]
	if not lines:
		return {"status": "CRASH", "peak_mb": peak_mb}
	return {**json.loads(lines[-1]), "peak_mb": peak_mb}


# --- FET --------------------------------------------------------------------------------------------


def run_fet(path: Path, limit: int, work: Path) -> dict[str, Any]:
	out = work / "fet"
	shutil.rmtree(out, ignore_errors=True)
	cmd = [
		"fet-cl",
		f"--inputfile={path}",
		f"--outputdir={out}",
		f"--timelimitseconds={limit}",
		"--htmllevel=0",
		"--writetimetablesstatistics=false",
		*(
			f"--writetimetables{kind}=false"
			for kind in ("dayshorizontal", "daysvertical", "timehorizontal", "timevertical")
		),
		*(f"--randomseeds{k}={v}" for k, v in FET_SEEDS.items()),
	]
	# fet-cl checks its limit only between placement attempts; a run far past it is killed.
	_, wall, peak_mb, killed = run_child(cmd, limit + 120)
	result_file = out / "logs" / "result.txt"
	result = result_file.read_text(encoding="utf-8-sig") if result_file.exists() else ""
	if "Simulation successful" in result:
		status = "solved"
	elif "Time exceeded" in result:
		status = "timeout"
	elif killed:
		status = "killed"
	else:
		status = "error"
	timetables = sorted(out.glob("timetables/*/*_activities.xml"))
	conflicts = None
	soft = sorted(out.glob("timetables/*/*_soft_conflicts.txt"))
	if soft:
		match = re.search(r"Total soft conflicts:\s*([\d.]+)", soft[0].read_text(encoding="utf-8-sig"))
		conflicts = float(match.group(1)) if match else None
	return {
		"status": status,
		"wall": wall,
		"peak_mb": peak_mb,
		"timetable": timetables[0] if timetables and status == "solved" else None,
		"conflicts": conflicts,
		"message": result.strip().splitlines()[-1] if result.strip() else "no result file",
	}


# --- one file ---------------------------------------------------------------------------------------


def bench_file(path: Path, args: argparse.Namespace, work: Path) -> Row:
	from ai_school.core.timetable.model import Assignment

	problem, report = import_fet(path)
	row = Row(
		file=str(path.relative_to(EXAMPLES)) if path.is_relative_to(EXAMPLES) else str(path),
		activities=report.activities,
		unsupported=sum(report.unsupported.values()),
	)
	ours = run_ours(str(path), args)
	row.ours_status, row.ours_first, row.ours_wall, row.ours_mb = (
		ours["status"],
		ours.get("first"),
		ours.get("wall"),
		ours["peak_mb"],
	)
	if ours.get("assignments"):
		assignments = {k: Assignment(k, d, p, r) for k, (d, p, r) in ours["assignments"].items()}
		checked = validate(problem, assignments)
		row.ours_cost, row.ours_hard = checked.soft_cost, len(checked.hard_violations)
	elif ours.get("explanation"):
		row.notes.append("ours: " + "; ".join(ours["explanation"])[:160])
	if args.no_fet:
		return row
	fet = run_fet(path, int(args.limit), work)
	row.fet_status, row.fet_time, row.fet_conflicts, row.fet_mb = (
		fet["status"],
		fet["wall"],
		fet["conflicts"],
		fet["peak_mb"],
	)
	if fet["timetable"] is not None:
		timetable = read_fet_timetable(fet["timetable"], problem)
		checked = validate(problem, timetable)
		row.fet_placed = len(timetable)
		row.fet_cost, row.fet_hard = checked.soft_cost, len(checked.hard_violations)
		if checked.hard_violations:
			kinds = sorted({v.kind for v in checked.hard_violations})
			row.notes.append(f"FET timetable breaks our hard rules: {', '.join(kinds)}")
	elif fet["status"] != "solved":
		row.notes.append(f"FET: {fet['message']}")
	return row


# --- output -----------------------------------------------------------------------------------------


def _fmt(value: Any, spec: str = "") -> str:
	if value is None:
		return "—"
	return format(value, spec)


def table(rows: list[Row]) -> str:
	head = (
		f"{'file':52} {'acts':>5} | {'ours':>8} {'1st s':>6} {'cost':>6} {'hard':>4} {'MB':>5} | "
		f"{'FET':>7} {'time s':>6} {'confl':>7} {'cost':>6} {'hard':>4} | {'ratio':>6}"
	)
	lines = [head, "-" * len(head)]
	for r in rows:
		lines.append(
			f"{r.file[-52:]:52} {r.activities:5d} | {r.ours_status[:8]:>8} {_fmt(r.ours_first, '.1f'):>6} "
			f"{_fmt(r.ours_cost):>6} {_fmt(r.ours_hard):>4} {_fmt(r.ours_mb, '.0f'):>5} | "
			f"{r.fet_status[:7]:>7} {_fmt(r.fet_time, '.1f'):>6} {_fmt(r.fet_conflicts, '.1f'):>7} "
			f"{_fmt(r.fet_cost):>6} {_fmt(r.fet_hard):>4} | {_fmt(r.ratio, '.2f'):>6}"
		)
		lines += [f"    note: {n}" for n in r.notes]
	return "\n".join(lines)


def summary(rows: list[Row], limit: float) -> list[str]:
	n = len(rows)
	ours_ok = [r for r in rows if r.ours_hard == 0 and r.ours_first is not None]
	fet_ok = [r for r in rows if r.fet_status == "solved"]
	both = [r for r in rows if r in ours_ok and r in fet_ok]

	def med(values: list[float]) -> str:
		return f"{statistics.median(values):.2f}" if values else "—"

	lines = [
		f"files: {n}; time limit {limit:g} s per engine",
		f"solved (valid timetable within the limit): ours {len(ours_ok)}/{n} ({100 * len(ours_ok) / max(n, 1):.0f} %), "
		f"FET {len(fet_ok)}/{n} ({100 * len(fet_ok) / max(n, 1):.0f} %)",
		f"median time to first valid timetable: ours {med([r.ours_first for r in ours_ok])} s, "
		f"FET {med([r.fet_time for r in fet_ok])} s; median ratio ours/FET {med([r.ratio for r in both if r.ratio])}",
		f"our timetables with hard violations (our validator): {sum(1 for r in rows if r.ours_hard)}; "
		f"FET timetables with hard violations under our validator: {sum(1 for r in rows if r.fet_hard)}",
	]
	compared = [r for r in both if r.ours_cost is not None and r.fet_cost is not None]
	if compared:
		better = sum(1 for r in compared if r.ours_cost < r.fet_cost)
		worse = sum(1 for r in compared if r.ours_cost > r.fet_cost)
		lines.append(
			f"soft cost (our units) where both solved: ours lower on {better}, equal on "
			f"{len(compared) - better - worse}, higher on {worse} of {len(compared)}"
		)
	largest = max((r for r in rows if r.ours_mb), key=lambda r: r.activities, default=None)
	if largest is not None:
		worst = max((r for r in rows if r.ours_mb), key=lambda r: r.ours_mb)
		lines.append(
			f"our peak memory: {largest.ours_mb:.0f} MB on the largest file ({largest.activities} activities); "
			f"highest {worst.ours_mb:.0f} MB ({worst.activities} activities, {worst.file})"
		)
	return lines


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--files", nargs="*", help="explicit .fet files (skips the automatic selection)")
	parser.add_argument(
		"--limit", type=float, default=120.0, help="seconds per engine per file (default 120)"
	)
	parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
	parser.add_argument(
		"--max-files", type=int, default=24, help="files picked by the selection rule (default 24)"
	)
	parser.add_argument("--quick", action="store_true", help="5 files, 20 s limit: a smoke run")
	parser.add_argument("--no-fet", action="store_true", help="run only our engine")
	parser.add_argument("--skip-synthetic", action="store_true")
	parser.add_argument("--seed", type=int, default=0)
	parser.add_argument("--worker", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.worker:
		worker(args)
		return 0
	if args.quick:
		args.limit, args.max_files = min(args.limit, 20.0), min(args.max_files, 5)
	if shutil.which("fet-cl") is None and not args.no_fet:
		print("fet-cl not found (apt-get install fet): running our engine only")
		args.no_fet = True

	if args.files:
		chosen = [Path(f) for f in args.files]
		print(f"files: {len(chosen)} given on the command line")
	else:
		if not EXAMPLES.is_dir():
			print(f"{EXAMPLES} not found: apt-get install fet-data, or pass --files")
			return 1
		found = candidates()
		picked = stratified(found, args.max_files)
		print(
			f"selection: {len(found)} files in {', '.join(OFFICIAL_DIRS)} import with zero unsupported active "
			f"constraints and {SIZE_RANGE[0]}–{SIZE_RANGE[1]} activities; taking {len(picked)} evenly spread "
			f"over the size ranking (smallest and largest included)"
		)
		chosen = [p for _, p in picked]

	rows = []
	with tempfile.TemporaryDirectory() as tmp:
		for path in chosen:
			row = bench_file(path, args, Path(tmp))
			rows.append(row)
			print(table([row]).splitlines()[-1 - len(row.notes)], flush=True)
			for note in row.notes:
				print(f"    note: {note}", flush=True)
	print()
	print(table(rows))
	print()
	print("\n".join(summary(rows, args.limit)))

	synthetic = None
	if not args.skip_synthetic:
		from ai_school.core.timetable.model import Assignment
		from ai_school.core.timetable.synthetic import synthetic_school

		limit = min(args.limit, 30.0)
		sub = argparse.Namespace(**{**vars(args), "limit": limit})
		ours = run_ours("synthetic", sub)
		problem = synthetic_school(seed=args.seed)
		hard = cost = None
		if ours.get("assignments"):
			assignments = {k: Assignment(k, d, p, r) for k, (d, p, r) in ours["assignments"].items()}
			checked = validate(problem, assignments)
			hard, cost = len(checked.hard_violations), checked.soft_cost
		synthetic = {**{k: v for k, v in ours.items() if k != "assignments"}, "hard": hard, "cost": cost}
		print(
			f"\nsynthetic school (20 classes × 30 teachers × 15 subjects × 35 periods/week, "
			f"{len(problem.lessons)} lessons, {args.workers} workers, limit {limit:g} s): {ours['status']}, first valid "
			f"after {_fmt(ours.get('first'), '.2f')} s (target < 10 s), soft cost {_fmt(cost)}, hard violations "
			f"{_fmt(hard)}, peak {ours['peak_mb']:.0f} MB"
		)

	results = ROOT / "benchmarks" / "results" / "timetable_vs_fet"
	results.mkdir(parents=True, exist_ok=True)
	stamp = time.strftime("%Y%m%d-%H%M%S")
	(results / f"{stamp}.json").write_text(
		json.dumps(
			{
				"limit": args.limit,
				"workers": args.workers,
				"rows": [asdict(r) for r in rows],
				"synthetic": synthetic,
			},
			indent=1,
			default=str,
		)
	)
	print(f"\nresults: {results / f'{stamp}.json'}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
