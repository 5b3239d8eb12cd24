"""The timetable CLI end to end, in a subprocess like a user would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_school.core.timetable.model import Assignment, Lesson, Problem, StudentSet, Teacher

ROOT = Path(__file__).resolve().parents[3]
TINY = Path(__file__).parent / "data" / "tiny_school.fet"


def run_cli(*args, cwd=None):
	env = {**os.environ, "PYTHONPATH": str(ROOT)}
	return subprocess.run(
		[sys.executable, "-m", "ai_school.core.timetable.cli", *map(str, args)],
		capture_output=True,
		text=True,
		env=env,
		cwd=cwd,
		timeout=300,
		check=False,
	)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
	out = tmp_path_factory.mktemp("solved")
	result = run_cli("solve", TINY, "--time-limit", "20", "--workers", "1", "--out", out)
	return result, out


def test_solve_prints_stats_status_and_report(solved):
	result, _ = solved
	assert result.returncode == 0, result.stdout + result.stderr
	out = result.stdout
	assert "8 lessons (9 lesson-periods), 5 days × 6 periods (29 usable slots)" in out
	assert "ConstraintTeacherMaxRoomChangesPerDay: 1" in out  # unsupported constraints are shown
	assert "status: OPTIMAL" in out or "status: FEASIBLE" in out
	assert "first valid timetable after" in out
	assert "hard violations: 0" in out


def test_solve_writes_timetable_files(solved):
	_, out = solved
	names = {p.name for p in out.iterdir()}
	assert {
		"timetable.json",
		"tiny_school_activities.xml",
		"tiny_school_data_and_timetable.fet",
		"timetable.csv",
		"classes.html",
		"teachers.html",
		"classes.txt",
		"teachers.txt",
		"rooms.html",
	} <= names
	assert "== students 7B" in (out / "classes.txt").read_text()
	data = json.loads((out / "timetable.json").read_text())
	assert data["status"] in ("OPTIMAL", "FEASIBLE")
	assert set(data["assignments"]) == {"1", "2", "3", "4", "5", "6", "7", "9"}


@pytest.mark.parametrize(
	"timetable", ["timetable.json", "tiny_school_activities.xml", "tiny_school_data_and_timetable.fet"]
)
def test_every_written_timetable_validates_with_zero_hard_violations(solved, timetable):
	_, out = solved
	result = run_cli("validate", TINY, "--timetable", out / timetable)
	assert result.returncode == 0, result.stdout + result.stderr
	assert "timetable: 8 of 8 lessons placed" in result.stdout
	assert "hard violations: 0" in result.stdout


def test_import_then_solve_json(tmp_path):
	problem_json = tmp_path / "tiny.json"
	result = run_cli("import", TINY, "--json", problem_json)
	assert result.returncode == 0, result.stderr
	assert Problem.from_dict(json.loads(problem_json.read_text())).lesson_map().keys() == {
		"1",
		"2",
		"3",
		"4",
		"5",
		"6",
		"7",
		"9",
	}
	result = run_cli(
		"solve",
		problem_json,
		"--time-limit",
		"10",
		"--workers",
		"2",
		"--memory-mb",
		"250",
		"--out",
		tmp_path / "o",
	)
	assert result.returncode == 0, result.stdout + result.stderr
	assert "memory budget 250 MB" in result.stdout
	assert (tmp_path / "o" / "tiny_activities.xml").exists()


def _two_lessons_one_slot() -> Problem:
	return Problem(
		days=["Mon"],
		periods_per_day=1,
		teachers=[Teacher("t")],
		student_sets=[StudentSet("c")],
		lessons=[
			Lesson("a", subject="Maths", teachers=["t"], student_sets=["c"]),
			Lesson("b", subject="Art", teachers=["t"], student_sets=["c"]),
		],
	)


def test_infeasible_problem_exits_2(tmp_path):
	path = tmp_path / "impossible.json"
	path.write_text(json.dumps(_two_lessons_one_slot().to_dict()))
	result = run_cli("solve", path, "--time-limit", "5", "--out", tmp_path / "o")
	assert result.returncode == 2, result.stdout + result.stderr
	assert "status: INFEASIBLE" in result.stdout
	assert not (tmp_path / "o").exists()


def test_clashing_timetable_exits_2(tmp_path):
	problem = _two_lessons_one_slot()
	problem.days = ["Mon", "Tue"]
	path = tmp_path / "p.json"
	path.write_text(json.dumps(problem.to_dict()))
	clash = {k: Assignment(k, 0, 0).__dict__ for k in ("a", "b")}
	timetable = tmp_path / "t.json"
	timetable.write_text(json.dumps({"assignments": clash}))
	result = run_cli("validate", path, "--timetable", timetable)
	assert result.returncode == 2
	assert "hard violations: 0" not in result.stdout


def test_input_and_usage_errors_exit_1(tmp_path):
	missing = run_cli("solve", tmp_path / "nope.fet")
	assert missing.returncode == 1 and "cannot read" in missing.stderr
	bad = tmp_path / "bad.fet"
	bad.write_text("<fet><Days_List>")
	assert run_cli("import", bad, "--json", tmp_path / "x.json").returncode == 1
	assert run_cli("frobnicate").returncode == 1
	assert run_cli("validate", TINY).returncode == 1  # --timetable is required
