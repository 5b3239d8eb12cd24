"""Benchmark our timetable engine against FET's ``fet-cl`` on the official FET example files.

    python benchmarks/timetable_vs_fet/run.py                           # every file, 120 s, seed 1
    python benchmarks/timetable_vs_fet/run.py --seeds 1 2               # the reference run
    python benchmarks/timetable_vs_fet/run.py --max-files 3 --limit 10  # smoke run
    python benchmarks/timetable_vs_fet/run.py --files a.fet b.fet --limit 60

Both engines run as whole processes, one after the other, on the same file and machine: our
command line (``python -m ai_school.core.timetable.cli solve``, FET import included) and
``fet-cl``, each timed from its start and with its peak RSS recorded. Every timetable either
produces is checked by OUR validator. See README.md for the file list, the tuning / held-out
split, the columns and how to read them. Needs ``apt-get install fet fet-data`` (FET is skipped
with a note when ``fet-cl`` is missing). The file list, the rows and the totals are written as JSON
to ``benchmarks/results/timetable_vs_fet/<date-time>/`` (gitignored); the tables go to stdout.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import math
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

from ai_school.core.timetable.cli import InputError, load_timetable
from ai_school.core.timetable.fet import FetFormatError, import_fet, read_fet_timetable
from ai_school.core.timetable.validator import validate

EXAMPLES = Path("/usr/share/doc/fet-data/examples")
OFFICIAL_DIRS = ("FET-5-official", "FET-6-official")
SIZE_RANGE = (100, 1600)
FET_SEEDS = {"10": 1, "11": 2, "12": 3, "20": 4, "21": 5, "22": 6}
"""FET's six random seeds for ``--seeds 0``; seed ``s`` adds ``1000 * s`` to each."""
MEMORY_TARGET_MB = 500


@dataclass
class Entry:
	"""A file of the corpus."""

	path: str
	school: str
	"""The school folder: the file's folder below ``FET-N-official`` (the split's key)."""
	half: str
	activities: int
	unsupported: dict[str, int] = field(default_factory=dict)
	"""FET constraint types (or features) our importer does not translate → active count."""
	warnings: int = 0


@dataclass
class Row:
	file: str
	half: str
	activities: int
	unsupported: int
	seed: int
	ours_status: str = ""
	ours_first: float | None = None
	"""Seconds from the start of our process (import included) to its first valid timetable."""
	ours_wall: float | None = None
	"""Wall time of our whole process (it optimises until the limit once it has a timetable)."""
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
	def ours_solved(self) -> bool:
		return self.ours_hard is not None

	@property
	def fet_solved(self) -> bool:
		return self.fet_status == "solved"

	@property
	def ratio(self) -> float | None:
		if not (self.ours_solved and self.fet_solved) or not self.fet_time:
			return None
		return self.ours_first / self.fet_time


# --- the corpus and its split ---------------------------------------------------------------------


def school_of(path: Path) -> str:
	"""The file's folder below ``FET-N-official`` (e.g. ``Namibia/by-Bobby/set-1``), so the FET-5
	and FET-6 copies of a school, and the variants in one folder, fall in the same half."""
	parts = path.parent.parts
	for i, part in enumerate(parts):
		if part in OFFICIAL_DIRS:
			return "/".join(parts[i + 1 :]) or "."
	return path.parent.name


def half_of(school: str) -> str:
	"""The split rule: ``held-out`` when the first byte of SHA-256(school folder) is odd, else
	``tuning``. Deterministic, independent of file sizes and results, about half the schools each."""
	return "held-out" if hashlib.sha256(school.encode()).digest()[0] % 2 else "tuning"


def entry(path: Path) -> Entry | None:
	try:
		_, report = import_fet(path)
	except (FetFormatError, OSError) as exc:
		print(f"skipped {path}: {exc}")
		return None
	school = school_of(path)
	return Entry(
		path=str(path),
		school=school,
		half=half_of(school),
		activities=report.activities,
		unsupported=dict(sorted(report.unsupported.items())),
		warnings=len(report.warnings),
	)


def corpus() -> list[Entry]:
	"""Every official-mode example file with 100–1,600 active activities, whatever our importer
	supports, sorted by activity count (ties by path)."""
	found = []
	for sub in OFFICIAL_DIRS:
		for path in sorted((EXAMPLES / sub).rglob("*.fet")):
			if path.name.endswith("_data_and_timetable.fet"):
				continue
			item = entry(path)
			if item is not None and SIZE_RANGE[0] <= item.activities <= SIZE_RANGE[1]:
				found.append(item)
	return sorted(found, key=lambda e: (e.activities, e.path))


def stratified(found: list[Entry], count: int) -> list[Entry]:
	"""``count`` files evenly spread over the size ranking, smallest and largest included (smoke runs)."""
	if count <= 0 or len(found) <= count:
		return found
	if count == 1:
		return [found[-1]]
	step = (len(found) - 1) / (count - 1)
	return [found[round(i * step)] for i in range(count)]


# --- running a process -----------------------------------------------------------------------------


def engine_fingerprint(engine: Path = ROOT / "ai_school" / "core" / "timetable") -> str:
	"""SHA-256 of our engine's code (``ai_school/core/timetable``) and the OR-Tools version: a run
	resumed with ``--resume`` must measure the same engine as the rows it already holds. The code is
	hashed as parsed, without comments and docstrings, so rewording them doesn't end a run."""
	from ortools import __version__ as ortools_version

	digest = hashlib.sha256(ortools_version.encode())
	for path in sorted(engine.rglob("*.py")):
		tree = ast.parse(path.read_bytes())
		for node in ast.walk(tree):
			body = getattr(node, "body", None)
			if isinstance(body, list):  # every bare string statement: docstrings, attribute docstrings
				node.body = [
					s
					for s in body
					if not (
						isinstance(s, ast.Expr)
						and isinstance(s.value, ast.Constant)
						and isinstance(s.value.value, str)
					)
				] or [ast.Pass()]
		digest.update(path.relative_to(engine).as_posix().encode() + b"\0" + ast.dump(tree).encode())
	return digest.hexdigest()[:16]


def run_child(
	cmd: list[str], timeout: float, cwd: Path | None = None
) -> tuple[str, float, float, float, bool]:
	"""stdout+stderr, start (epoch), wall seconds and peak RSS (MB) of one child process, and
	whether it had to be killed."""
	killed = False
	high_water = 0.0
	with tempfile.TemporaryFile() as out:
		started_at, started = time.time(), time.perf_counter()
		proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
		deadline = started + timeout
		while True:
			pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
			if pid:
				break
			high_water = max(high_water, _vm_hwm_mb(proc.pid))
			if time.perf_counter() > deadline:
				proc.kill()
				killed = True
				_, _, usage = os.wait4(proc.pid, 0)
				break
			time.sleep(0.02)
		wall = time.perf_counter() - started
		proc.returncode = 0  # reaped by wait4
		out.seek(0)
		text = out.read().decode("utf-8", "replace")
	# ru_maxrss also counts this runner's RSS at the fork (Linux keeps the peak across exec); the child's own
	# high-water mark, read while it ran, is the program's. A child too quick to be sampled keeps ru_maxrss.
	return text, started_at, wall, high_water or usage.ru_maxrss / 1024, killed


def _vm_hwm_mb(pid: int) -> float:
	try:
		with open(f"/proc/{pid}/status") as status:
			for line in status:
				if line.startswith("VmHWM:"):
					return int(line.split()[1]) / 1024
	except OSError:
		pass
	return 0.0


# --- our engine: the command line, as a user runs it --------------------------------------------------


def run_ours(problem_file: Path, seed: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
	out = work / "ours"
	shutil.rmtree(out, ignore_errors=True)
	out.mkdir(parents=True)
	summary = out / "summary.json"
	cmd = [
		sys.executable,
		"-m",
		"ai_school.core.timetable.cli",
		"solve",
		str(problem_file),
		"--time-limit",
		str(args.limit),
		"--workers",
		str(args.workers),
		"--seed",
		str(seed),
		"--out",
		str(out / "timetable"),
		"--summary",
		str(summary),
		*(["--memory-mb", str(args.memory_mb)] if args.memory_mb is not None else []),
	]
	text, started_at, wall, peak_mb, killed = run_child(cmd, args.limit * 3 + 120, cwd=ROOT)
	result: dict[str, Any] = {"wall": wall, "peak_mb": peak_mb}
	if not summary.exists():
		tail = text.strip().splitlines()[-1:] or ["no output"]
		return {**result, "status": "KILLED" if killed else "CRASH", "notes": [f"ours: {tail[0][:200]}"]}
	data = json.loads(summary.read_text())
	first = data.get("time_to_first_solution")
	result.update(
		status=data["status"],
		first=data["solve_started_at"] - started_at + first if first is not None else None,
		explanation=data.get("explanation") or [],
		timetable=out / "timetable" / "timetable.json",
	)
	return result


# --- FET ---------------------------------------------------------------------------------------------


def run_fet(path: Path, limit: float, seed: int, work: Path) -> dict[str, Any]:
	out = work / "fet"
	shutil.rmtree(out, ignore_errors=True)
	cmd = [
		"fet-cl",
		f"--inputfile={path}",
		f"--outputdir={out}",
		f"--timelimitseconds={max(1, round(limit))}",
		"--htmllevel=0",
		"--writetimetablesstatistics=false",
		*(
			f"--writetimetables{kind}=false"
			for kind in ("dayshorizontal", "daysvertical", "timehorizontal", "timevertical")
		),
		*(f"--randomseeds{k}={v + 1000 * seed}" for k, v in FET_SEEDS.items()),
	]
	# fet-cl checks its limit only between placement attempts; a run far past it is killed.
	_, _, wall, peak_mb, killed = run_child(cmd, limit + 120)
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


# --- one file, one seed ------------------------------------------------------------------------------


def shown_path(item: Entry) -> str:
	"""The file as rows name it: below the fet-data examples folder when it is there."""
	return item.path[len(str(EXAMPLES)) + 1 :] if item.path.startswith(str(EXAMPLES)) else item.path


def bench(item: Entry, seed: int, args: argparse.Namespace, work: Path) -> Row:
	problem, _ = import_fet(item.path)
	row = Row(
		file=shown_path(item),
		half=item.half,
		activities=item.activities,
		unsupported=sum(item.unsupported.values()),
		seed=seed,
	)
	ours = run_ours(Path(item.path), seed, args, work)
	row.ours_status, row.ours_first, row.ours_wall, row.ours_mb = (
		ours["status"],
		ours.get("first"),
		ours["wall"],
		ours["peak_mb"],
	)
	row.notes += ours.get("notes", [])
	timetable = ours.get("timetable")
	if timetable is not None and timetable.exists():
		try:
			checked = validate(problem, load_timetable(timetable, problem))
			row.ours_cost, row.ours_hard = checked.soft_cost, len(checked.hard_violations)
		except InputError as exc:
			row.notes.append(f"ours: unreadable timetable ({exc})")
	else:
		row.ours_first = None
	explanation = ours.get("explanation", [])
	if row.ours_solved:  # what the memory budget cut short, if anything
		row.notes += [f"ours: {line}" for line in explanation if "memory budget" in line]
	elif explanation:
		row.notes.append("ours: " + " ".join(explanation)[:300])
	if args.no_fet:
		return row
	fet = run_fet(Path(item.path), args.limit, seed, work)
	row.fet_status, row.fet_time, row.fet_conflicts, row.fet_mb = (
		fet["status"],
		fet["wall"],
		fet["conflicts"],
		fet["peak_mb"],
	)
	if fet["timetable"] is not None:
		found = read_fet_timetable(fet["timetable"], problem)
		checked = validate(problem, found)
		row.fet_placed = len(found)
		row.fet_cost, row.fet_hard = checked.soft_cost, len(checked.hard_violations)
		if checked.hard_violations:
			kinds = sorted({v.kind for v in checked.hard_violations})
			row.notes.append(f"FET timetable breaks our hard rules: {', '.join(kinds)}")
	elif not row.fet_solved:
		row.notes.append(f"FET: {fet['message']}")
	return row


# --- output --------------------------------------------------------------------------------------


def _fmt(value: Any, spec: str = "") -> str:
	if value is None:
		return "—"
	return format(value, spec)


HEAD = (
	f"{'file':44} {'half':4} {'acts':>5} {'uns':>3} {'seed':>4} | {'ours':>8} {'1st s':>6} {'wall s':>6} "
	f"{'cost':>6} {'hard':>4} {'MB':>4} | {'FET':>7} {'time s':>6} {'cost':>6} {'hard':>4} {'MB':>4} | "
	f"{'ratio':>6}"
)


def row_line(r: Row) -> str:
	return (
		f"{r.file[-44:]:44} {r.half[:4]:4} {r.activities:5d} {r.unsupported:3d} {r.seed:4d} | "
		f"{r.ours_status[:8]:>8} {_fmt(r.ours_first, '.1f'):>6} {_fmt(r.ours_wall, '.1f'):>6} "
		f"{_fmt(r.ours_cost):>6} {_fmt(r.ours_hard):>4} {_fmt(r.ours_mb, '.0f'):>4} | "
		f"{r.fet_status[:7]:>7} {_fmt(r.fet_time, '.1f'):>6} {_fmt(r.fet_cost):>6} {_fmt(r.fet_hard):>4} "
		f"{_fmt(r.fet_mb, '.0f'):>4} | {_fmt(r.ratio, '.2f'):>6}"
	)


def quantile(times: list[float], q: float) -> float:
	"""Nearest-rank quantile; unsolved files count as infinitely slow."""
	ordered = sorted(times)
	return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def totals(rows: list[Row], limit: float, with_fet: bool) -> dict[str, Any]:
	n = len(rows)
	ours = [r for r in rows if r.ours_solved]
	fet = [r for r in rows if r.fet_solved]
	both = [r for r in rows if r.ours_solved and r.fet_solved]
	ours_times = [r.ours_first if r.ours_solved else math.inf for r in rows]
	fet_times = [r.fet_time if r.fet_solved else math.inf for r in rows]
	ratios = [r.ratio for r in both if r.ratio is not None]
	compared = [r for r in both if r.ours_cost is not None and r.fet_cost is not None]
	out: dict[str, Any] = {
		"files": n,
		"limit": limit,
		"solved": {"ours": len(ours), "fet": len(fet) if with_fet else None},
		"solved_by_one_only": {
			"ours": sum(1 for r in rows if r.ours_solved and not r.fet_solved) if with_fet else None,
			"fet": sum(1 for r in rows if r.fet_solved and not r.ours_solved) if with_fet else None,
		},
		"time_median": {"ours": quantile(ours_times, 0.5) if n else None},
		"time_p90": {"ours": quantile(ours_times, 0.9) if n else None},
		"ratio_median": statistics.median(ratios) if ratios else None,
		# the time target is set on these: files both engines solved
		"solved_by_both": len(both),
		"time_median_both": {
			"ours": quantile([r.ours_first for r in both], 0.5) if both else None,
			"fet": quantile([r.fet_time for r in both], 0.5) if both else None,
		},
		"memory_max_mb": {"ours": max((r.ours_mb for r in rows if r.ours_mb), default=None)},
		"ours_over_target": sum(1 for r in rows if r.ours_mb and r.ours_mb > MEMORY_TARGET_MB),
		"timetables_with_hard_violations": {"ours": sum(1 for r in rows if r.ours_hard)},
		"hard_violations": {"ours": sum(r.ours_hard or 0 for r in rows)},
		"soft_cost_where_both_solved": {
			"ours_lower": sum(1 for r in compared if r.ours_cost < r.fet_cost),
			"equal": sum(1 for r in compared if r.ours_cost == r.fet_cost),
			"ours_higher": sum(1 for r in compared if r.ours_cost > r.fet_cost),
		},
	}
	if with_fet:
		out["time_median"]["fet"] = quantile(fet_times, 0.5) if n else None
		out["time_p90"]["fet"] = quantile(fet_times, 0.9) if n else None
		out["memory_max_mb"]["fet"] = max((r.fet_mb for r in rows if r.fet_mb), default=None)
		out["timetables_with_hard_violations"]["fet"] = sum(1 for r in rows if r.fet_hard)
		out["hard_violations"]["fet"] = sum(r.fet_hard or 0 for r in rows)
	return out


def json_safe(value: Any) -> Any:
	"""Infinite times (unsolved files at a quantile) as the string "unsolved" in JSON."""
	if isinstance(value, float) and math.isinf(value):
		return "unsolved"
	if isinstance(value, dict):
		return {k: json_safe(v) for k, v in value.items()}
	return value


def total_lines(label: str, t: dict[str, Any]) -> list[str]:
	n = t["files"]

	def pct(count: int | None) -> str:
		return "—" if count is None else f"{count}/{n} ({100 * count / max(n, 1):.0f} %)"

	def secs(value: float | None) -> str:
		if value is None:
			return "—"
		return f"> {t['limit']:g} s (unsolved)" if math.isinf(value) else f"{value:.1f} s"

	solved, one, median, p90 = t["solved"], t["solved_by_one_only"], t["time_median"], t["time_p90"]
	memory, hard, bad = t["memory_max_mb"], t["hard_violations"], t["timetables_with_hard_violations"]
	soft, both = t["soft_cost_where_both_solved"], t["time_median_both"]
	return [
		f"{label}: {n} files, time limit {t['limit']:g} s per engine",
		f"  solved (a complete timetable): ours {pct(solved['ours'])}, FET {pct(solved.get('fet'))}; "
		f"by one engine only: ours {_fmt(one['ours'])}, FET {_fmt(one['fet'])}",
		f"  time to a timetable, process start to first valid (unsolved = slower than the limit): "
		f"median ours {secs(median['ours'])}, FET {secs(median.get('fet'))}; "
		f"p90 ours {secs(p90['ours'])}, FET {secs(p90.get('fet'))}",
		f"  where both solved ({t['solved_by_both']} files): median time ours {secs(both['ours'])}, "
		f"FET {secs(both['fet'])}; median ratio ours/FET {_fmt(t['ratio_median'], '.2f')}",
		f"  peak RSS max: ours {_fmt(memory['ours'], '.0f')} MB ({t['ours_over_target']} files over "
		f"{MEMORY_TARGET_MB} MB), FET {_fmt(memory.get('fet'), '.0f')} MB",
		f"  hard violations under our validator: ours {hard['ours']} ({bad['ours']} of {solved['ours']} "
		f"timetables have any), FET {_fmt(hard.get('fet'))} ({_fmt(bad.get('fet'))} of "
		f"{_fmt(solved.get('fet'))} timetables have any)",
		f"  soft cost (our units) where both solved: ours lower on {soft['ours_lower']}, equal on "
		f"{soft['equal']}, higher on {soft['ours_higher']}",
	]


def synthetic_run(args: argparse.Namespace, seed: int, work: Path) -> dict[str, Any]:
	from ai_school.core.timetable.synthetic import synthetic_school

	problem = synthetic_school(seed=seed)
	problem_file = work / "synthetic.json"
	problem_file.write_text(json.dumps(problem.to_dict()), encoding="utf-8")
	sub = argparse.Namespace(**{**vars(args), "limit": min(args.limit, 30.0)})
	ours = run_ours(problem_file, seed, sub, work)
	hard = cost = None
	timetable = ours.get("timetable")
	if timetable is not None and timetable.exists():
		checked = validate(problem, load_timetable(timetable, problem))
		hard, cost = len(checked.hard_violations), checked.soft_cost
	print(
		f"synthetic school, seed {seed} (20 classes × 30 teachers × 15 subjects × 35 periods/week, "
		f"{len(problem.lessons)} lessons, {args.workers} workers, limit {sub.limit:g} s): {ours['status']}, "
		f"first valid {_fmt(ours.get('first'), '.2f')} s after the process started (target < 10 s), soft "
		f"cost {_fmt(cost)}, hard violations {_fmt(hard)}, peak {ours['peak_mb']:.0f} MB"
	)
	return {"seed": seed, "status": ours["status"], "first": ours.get("first"), "hard": hard, "cost": cost}


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--files", nargs="*", help="explicit .fet files (instead of the corpus)")
	parser.add_argument(
		"--limit", type=float, default=120.0, help="seconds per engine per file (default 120)"
	)
	parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
	parser.add_argument("--seeds", type=int, nargs="+", help="seeds, each run on every file (default 1)")
	parser.add_argument("--seed", type=int, help="one seed (same as --seeds N)")
	parser.add_argument(
		"--half", choices=("all", "tuning", "held-out"), default="all", help="run one half of the split only"
	)
	parser.add_argument(
		"--max-files", type=int, default=0, help="a subset evenly spread over the sizes (smoke runs; 0 = all)"
	)
	parser.add_argument("--memory-mb", type=float, help="our --memory-mb (default: the engine's default)")
	parser.add_argument("--no-fet", action="store_true", help="run only our engine")
	parser.add_argument("--skip-synthetic", action="store_true")
	parser.add_argument(
		"--resume",
		metavar="DIR",
		help="go on with an interrupted run in DIR (its files, seeds and options; the engine must be unchanged)",
	)
	args = parser.parse_args()
	done: list[Row] = []
	if args.resume:
		results = Path(args.resume)
		stored = json.loads((results / "run.json").read_text())
		if stored["engine"] != engine_fingerprint():
			print(
				f"{results}: the engine changed since this run started (ai_school/core/timetable or OR-Tools)"
			)
			print("its rows would mix two engines: start a new run instead")
			return 1
		args = argparse.Namespace(**{**stored["options"], "resume": args.resume})
		done = (
			[Row(**r) for r in json.loads((results / "rows.json").read_text())]
			if (results / "rows.json").exists()
			else []
		)
		print(f"resuming {results}: {len(done)} rows done, engine {stored['engine']}")
	seeds = args.seeds or ([args.seed] if args.seed is not None else [1])
	if shutil.which("fet-cl") is None and not args.no_fet:
		print("fet-cl not found (apt-get install fet): running our engine only")
		args.no_fet = True

	if args.resume:
		found = [Entry(**e) for e in json.loads((results / "files.json").read_text())]
	elif args.files:
		found = [e for e in (entry(Path(f)) for f in args.files) if e is not None]
		print(f"files: {len(found)} given on the command line")
	else:
		if not EXAMPLES.is_dir():
			print(f"{EXAMPLES} not found: apt-get install fet-data, or pass --files")
			return 1
		found = corpus()
		halves = {h: sum(1 for e in found if e.half == h) for h in ("tuning", "held-out")}
		print(
			f"corpus: {len(found)} files in {', '.join(OFFICIAL_DIRS)} with {SIZE_RANGE[0]}–{SIZE_RANGE[1]} "
			f"active activities, {sum(1 for e in found if not e.unsupported)} of them imported with no "
			f"unsupported rule; split by school folder (held-out when SHA-256 of the folder's name starts "
			f"with an odd byte): {halves['tuning']} tuning, {halves['held-out']} held-out files"
		)
	chosen = [e for e in found if args.half == "all" or e.half == args.half]
	if args.max_files:
		if not args.resume:  # a resumed run's files.json already holds the subset
			chosen = stratified(chosen, args.max_files)
		print(f"smoke run: {len(chosen)} files evenly spread over the sizes — NOT the corpus totals")
	print(f"running {len(chosen)} files × seeds {seeds}, {args.limit:g} s per engine\n")

	if not args.resume:
		results = ROOT / "benchmarks" / "results" / "timetable_vs_fet" / time.strftime("%Y%m%d-%H%M%S")
		results.mkdir(parents=True, exist_ok=True)
		(results / "files.json").write_text(json.dumps([asdict(e) for e in chosen], indent=1))
		options = {k: v for k, v in vars(args).items() if k != "resume"}
		(results / "run.json").write_text(
			json.dumps({"engine": engine_fingerprint(), "options": {**options, "seeds": seeds}}, indent=1)
		)

	rows: list[Row] = list(done)
	finished = {(r.file, r.seed) for r in done}
	print(HEAD)
	print("-" * len(HEAD))
	for row in done:
		print(row_line(row))
	with tempfile.TemporaryDirectory() as tmp:
		for item in chosen:
			todo = [seed for seed in seeds if (shown_path(item), seed) not in finished]
			if not todo:
				continue
			if item.unsupported:
				listed = ", ".join(f"{name} ×{count}" for name, count in item.unsupported.items())
				print(f"    {Path(item.path).name}: unsupported by our importer (not enforced): {listed}")
			for seed in todo:
				row = bench(item, seed, args, Path(tmp))
				rows.append(row)
				print(row_line(row), flush=True)
				for note in row.notes:
					print(f"    note: {note}", flush=True)
				(results / "rows.json").write_text(
					json.dumps([asdict(r) for r in rows], indent=1, default=str)
				)
		synthetic = []
		if not args.skip_synthetic:
			print()
			synthetic = [synthetic_run(args, seed, Path(tmp)) for seed in seeds]

	summary: dict[str, Any] = {}
	print()
	for seed in seeds:
		for half in ("all", "held-out"):
			subset = [r for r in rows if r.seed == seed and (half == "all" or r.half == half)]
			if half == "held-out" and args.half == "held-out":
				continue  # the same rows as "all"
			if not subset:
				print(f"seed {seed}, {half} half: no file of this half in this run")
				continue
			t = totals(subset, args.limit, not args.no_fet)
			summary[f"seed {seed}, {half}"] = t
			label = "all files" if half == "all" else "held-out half"
			print("\n".join(total_lines(f"seed {seed}, {label}", t)))
	(results / "results.json").write_text(
		json.dumps(
			{
				"limit": args.limit,
				"workers": args.workers,
				"seeds": seeds,
				"memory_mb": args.memory_mb,
				"rows": [asdict(r) for r in rows],
				"totals": json_safe(summary),
				"synthetic": synthetic,
			},
			indent=1,
			default=str,
		)
	)
	print(f"\nfile list: {results / 'files.json'}\nresults: {results / 'results.json'}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
