"""Command line for the timetable engine — no Frappe bench needed.

    python -m ai_school.core.timetable.cli solve school.fet --time-limit 60 --out out/
    python -m ai_school.core.timetable.cli validate school.fet --timetable out/timetable.json
    python -m ai_school.core.timetable.cli import school.fet --json school.json

Problems are ``.fet`` files (FET 5/6) or JSON written by ``Problem.to_dict`` / ``import``.
Timetables are our ``timetable.json``, FET's ``*_activities.xml`` or a ``*_data_and_timetable.fet``.

Exit codes: 0 = done (a valid timetable was found / the timetable is valid), 2 = no valid
timetable (infeasible, unsolved within the limit, or hard violations), 1 = usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ai_school.core.timetable.fet import FetFormatError, ImportReport, import_fet, read_fet_timetable
from ai_school.core.timetable.fet_export import (
	activities_timetable_xml,
	assignments_csv,
	tables_html,
	tables_text,
	timetable_fet,
)
from ai_school.core.timetable.model import Assignment, Problem, Report, Solution, assignment_from_dict

EXIT_OK, EXIT_INPUT, EXIT_UNSOLVED = 0, 1, 2


class InputError(Exception):
	"""A file is missing or unreadable; reported as one line, exit code 1."""


class _Parser(argparse.ArgumentParser):
	def error(self, message: str) -> NoReturn:
		self.print_usage(sys.stderr)
		self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def load_problem(path: str | Path) -> tuple[Problem, ImportReport | None, bytes | None]:
	"""The problem in ``path``, the import report (FET only) and the raw FET bytes (for export)."""
	path = Path(path)
	try:
		data = path.read_bytes()
	except OSError as exc:
		raise InputError(f"cannot read {path}: {exc.strerror}") from None
	if path.suffix.lower() == ".fet":
		try:
			problem, report = import_fet(data)
		except FetFormatError as exc:
			raise InputError(f"{path}: {exc}") from None
		report.source = str(path)
		problem.name = problem.name or path.stem
		return problem, report, data
	try:
		raw = json.loads(data)
		return Problem.from_dict(raw.get("problem", raw)), None, None
	except (ValueError, TypeError, KeyError, AttributeError) as exc:
		raise InputError(f"{path}: not a problem JSON ({exc})") from None


def load_timetable(path: str | Path, problem: Problem) -> dict[str, Assignment]:
	path = Path(path)
	try:
		data = path.read_bytes()
	except OSError as exc:
		raise InputError(f"cannot read {path}: {exc.strerror}") from None
	if path.suffix.lower() in (".xml", ".fet"):
		try:
			return read_fet_timetable(data, problem)
		except FetFormatError as exc:
			raise InputError(f"{path}: {exc}") from None
	try:
		raw = json.loads(data)
		items = raw.get("assignments", raw) if isinstance(raw, dict) else raw
		values = items.values() if isinstance(items, dict) else items
		found = [assignment_from_dict(v) for v in values]
	except (ValueError, TypeError, KeyError, AttributeError) as exc:
		raise InputError(f"{path}: not a timetable JSON ({exc})") from None
	return {a.lesson: a for a in found}


def problem_stats(problem: Problem) -> str:
	hard = sum(1 for c in problem.constraints if c.is_hard)
	periods = sum(le.duration for le in problem.lessons)
	slots = problem.num_days * problem.periods_per_day - len(problem.breaks)
	return (
		f"{len(problem.lessons)} lessons ({periods} lesson-periods), {problem.num_days} days × "
		f"{problem.periods_per_day} periods ({slots} usable slots), {len(problem.teachers)} teachers, "
		f"{len(problem.student_sets)} student sets, {len(problem.rooms)} rooms, "
		f"{len(problem.constraints)} constraints ({hard} hard, {len(problem.constraints) - hard} soft)"
	)


def report_lines(report: Report, limit: int = 20) -> list[str]:
	lines = [f"hard violations: {len(report.hard_violations)}; soft cost: {report.soft_cost}"]
	lines += [f"  HARD {v.message}" for v in report.hard_violations[:limit]]
	if len(report.hard_violations) > limit:
		lines.append(f"  … {len(report.hard_violations) - limit} more hard violations")
	top = sorted(report.breakdown.items(), key=lambda kv: -kv[1])[:limit]
	if top:
		lines.append("soft cost by constraint (largest first):")
		lines += [f"  {cost:6d}  {label}" for label, cost in top]
	return lines


def write_outputs(
	out_dir: Path, problem: Problem, solution: Solution, base_fet: bytes | None, stem: str
) -> list[Path]:
	"""timetable.json, FET activities XML + .fet with the timetable, CSV, HTML and text tables."""
	out_dir.mkdir(parents=True, exist_ok=True)
	assignments = solution.assignments
	files = {
		"timetable.json": json.dumps(solution.to_dict(), indent=1, ensure_ascii=False).encode(),
		f"{stem}_activities.xml": activities_timetable_xml(problem, assignments),
		f"{stem}_data_and_timetable.fet": timetable_fet(problem, assignments, base_fet),
		"timetable.csv": assignments_csv(problem, assignments).encode(),
		"classes.html": tables_html(problem, assignments, "students").encode(),
		"teachers.html": tables_html(problem, assignments, "teacher").encode(),
		"classes.txt": tables_text(problem, assignments, "students").encode(),
		"teachers.txt": tables_text(problem, assignments, "teacher").encode(),
	}
	if problem.rooms:
		files["rooms.html"] = tables_html(problem, assignments, "room").encode()
	written = []
	for name, content in files.items():
		target = out_dir / name
		target.write_bytes(content)
		written.append(target)
	return written


def _print(lines: Sequence[str] | str) -> None:
	print(lines if isinstance(lines, str) else "\n".join(lines))


def peak_rss_mb() -> float | None:
	"""Peak resident memory of this process so far (Linux and macOS), or None.

	On Linux this is VmHWM, the high-water mark of this program's own memory. getrusage's ru_maxrss would
	also count the parent: Linux carries the parent's peak into a forked child across exec, so a CLI started
	from a big process (a test runner, a Frappe worker) would report that process's size as its own."""
	try:
		with open("/proc/self/status") as status:
			for line in status:
				if line.startswith("VmHWM:"):
					return int(line.split()[1]) / 1024
	except OSError:
		pass
	try:
		import resource
	except ImportError:
		return None
	peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
	return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def cmd_solve(args: argparse.Namespace) -> int:
	from ai_school.core.timetable.memory import MEMORY_BUDGET_MB, resident_mb
	from ai_school.core.timetable.solver import solve

	problem, report, base = load_problem(args.file)
	_print(f"problem: {problem.name or Path(args.file).stem}: {problem_stats(problem)}")
	if report is not None:
		_print(report.summary_lines())
	memory_mb = MEMORY_BUDGET_MB if args.memory_mb is None else args.memory_mb
	_print(
		f"solving: time limit {args.time_limit:g} s, {args.workers} workers, seed {args.seed}, "
		f"memory budget {memory_mb:g} MB"
	)

	def progress(event: Mapping[str, Any]) -> None:
		if args.verbose:
			_print(
				f"  {event.get('elapsed', 0):7.2f} s  {event.get('phase', '')}: objective {event.get('objective')}"
			)

	started = time.perf_counter()
	started_at, resident = time.time(), resident_mb()
	solution = solve(
		problem,
		time_limit=args.time_limit,
		num_workers=args.workers,
		seed=args.seed,
		progress=progress,
		memory_mb=memory_mb,
	)
	peak = peak_rss_mb()
	first = solution.time_to_first_solution
	_print(
		f"status: {solution.status}; first valid timetable after "
		f"{f'{first:.2f} s' if first is not None else '—'}; wall time {time.perf_counter() - started:.2f} s; "
		f"objective {solution.objective if solution.objective is not None else '—'} "
		f"(bound {solution.best_bound if solution.best_bound is not None else '—'})"
	)
	if solution.explanation:
		_print([f"  {line}" for line in solution.explanation])
	if solution.memory_limited:
		_print(f"  (--memory-mb sets the budget; it was {memory_mb:g} MB)")
	if resident is not None and peak is not None:
		_print(
			f"memory: {resident:.0f} MB when the solve started, peak {peak:.0f} MB "
			f"(budget: the solve may add {memory_mb:g} MB)"
		)
	if args.summary:
		summary = {
			"status": solution.status,
			"solve_started_at": started_at,
			"time_to_first_solution": first,
			"wall_time": solution.wall_time,
			"objective": solution.objective,
			"explanation": solution.explanation,
			"start_mb": resident,
			"peak_mb": peak,
			"memory_mb": memory_mb,
		}
		Path(args.summary).write_text(json.dumps(summary, indent=1), encoding="utf-8")
	if not solution.found:
		return EXIT_UNSOLVED
	from ai_school.core.timetable.validator import validate

	checked = validate(problem, solution.assignments)
	_print(report_lines(checked))
	out_dir = Path(args.out) if args.out else Path(f"{Path(args.file).stem}_timetable")
	written = write_outputs(out_dir, problem, solution, base, Path(args.file).stem)
	_print(["wrote:", *[f"  {p}" for p in written]])
	return EXIT_OK if checked.is_valid else EXIT_UNSOLVED


def cmd_validate(args: argparse.Namespace) -> int:
	from ai_school.core.timetable.validator import validate

	problem, report, _ = load_problem(args.file)
	assignments = load_timetable(args.timetable, problem)
	_print(f"problem: {problem_stats(problem)}")
	if report is not None and not report.fully_supported:
		_print(f"note: {sum(report.unsupported.values())} FET constraints are not checked (unsupported)")
	_print(f"timetable: {len(assignments)} of {len(problem.lessons)} lessons placed")
	checked = validate(problem, assignments)
	_print(report_lines(checked, limit=args.limit))
	return EXIT_OK if checked.is_valid else EXIT_UNSOLVED


def cmd_import(args: argparse.Namespace) -> int:
	problem, report, _ = load_problem(args.file)
	_print(f"problem: {problem_stats(problem)}")
	if report is not None:
		_print(report.summary_lines())
	out = Path(args.json)
	out.parent.mkdir(parents=True, exist_ok=True)
	out.write_text(json.dumps(problem.to_dict(), ensure_ascii=False), encoding="utf-8")
	_print(f"wrote {out}")
	return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
	parser = _Parser(prog="python -m ai_school.core.timetable.cli", description=__doc__.split("\n")[0])
	sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

	solve_p = sub.add_parser("solve", help="find a timetable and write it out")
	solve_p.add_argument("file", help="problem: .fet or .json")
	solve_p.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
	solve_p.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
	solve_p.add_argument("--seed", type=int, default=0)
	solve_p.add_argument(
		"--memory-mb",
		type=float,
		help="MB the solve may add to the process, from model building to the end: big models "
		"run fewer searches at once, and CP-SAT searches stop rather than exceed it (the ejection "
		"search goes on); the output says what it cut short (default: memory.MEMORY_BUDGET_MB)",
	)
	solve_p.add_argument(
		"--summary", help="also write the status, timings and memory as JSON to this file (benchmarks)"
	)
	solve_p.add_argument("--out", help="output directory (default ./<file stem>_timetable)")
	solve_p.add_argument("-v", "--verbose", action="store_true", help="print each improving solution")
	solve_p.set_defaults(run=cmd_solve)

	val_p = sub.add_parser("validate", help="check a timetable against a problem")
	val_p.add_argument("file", help="problem: .fet or .json")
	val_p.add_argument("--timetable", required=True, help="timetable.json, FET *_activities.xml or .fet")
	val_p.add_argument("--limit", type=int, default=20, help="max violations listed per kind (default 20)")
	val_p.set_defaults(run=cmd_validate)

	imp_p = sub.add_parser("import", help="convert a .fet file to problem JSON")
	imp_p.add_argument("file", help=".fet file")
	imp_p.add_argument("--json", required=True, help="output JSON path")
	imp_p.set_defaults(run=cmd_import)
	return parser


def main(argv: Sequence[str] | None = None) -> int:
	args = build_parser().parse_args(argv)
	try:
		return args.run(args)
	except InputError as exc:
		print(f"error: {exc}", file=sys.stderr)
		return EXIT_INPUT


if __name__ == "__main__":
	sys.exit(main())
