"""`python -m ai_school.core.insights.cli evaluate` end to end, in a subprocess as a user would run it, on
CSV files made here: a small comma-separated one and one shaped like the UCI student data (semicolons)."""

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ai_school.core.insights.tabular import TableError, make_label, read_csv
from tests.core.insights.uci_like import COLUMNS, write_uci_like_csv

ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args):
	env = {**os.environ, "PYTHONPATH": str(ROOT)}
	return subprocess.run(
		[sys.executable, "-m", "ai_school.core.insights.cli", *map(str, args)],
		capture_output=True,
		text=True,
		env=env,
		cwd=ROOT,
		timeout=600,
		check=False,
	)


def small_csv(path: Path, n: int = 160, seed: int = 0) -> Path:
	rng = random.Random(seed)
	with path.open("w", newline="") as handle:
		writer = csv.writer(handle)
		writer.writerow(["student", "absent_days", "midterm", "club", "result"])
		for i in range(n):
			absent = rng.randint(0, 20)
			midterm = rng.randint(20, 100)
			club = rng.choice(["chess", "music", "none", ""])
			risk = 0.25 * absent - 0.08 * (midterm - 60) + (club == "none")
			result = "fail" if rng.random() < 1 / (1 + pow(2.718, -(risk - 2))) else "pass"
			writer.writerow([f"S{i:03d}", absent, midterm, club, result])
	return path


def test_evaluate_prints_the_model_next_to_baselines(tmp_path):
	data = small_csv(tmp_path / "small.csv")
	out = tmp_path / "out.json"
	result = run_cli(
		"evaluate", "--csv", data, "--label", "result", "--positive", "fail", "--repeats", "2", "--folds", "5",
		"--drop", "student", "--json", out,
	)  # fmt: skip
	assert result.returncode == 0, result.stderr
	lines = result.stdout.splitlines()
	assert "160 rows, 3 input columns (2 numeric, 1 categorical); left out: student" in lines[0]
	assert lines[1].startswith("at risk (positive class): result = fail")
	assert "2 × stratified 5-fold cross-validation" in lines[2]
	header = next(line for line in lines if line.startswith("model"))
	for column in ("PCC (accuracy)", "F1 (fail)", "ROC AUC", "Brier"):
		assert column in header
	table = "\n".join(lines)
	for row in (
		"risk model (calibrated logistic regression)",
		"best single column",
		"majority class",
		"stratified random",
	):
		assert row in table
	assert "±" in table
	report = json.loads(out.read_text())
	results = report["results"]
	model = results["risk model (calibrated logistic regression)"]
	majority = results["majority class"]
	assert len(model["roc_auc"]) == 2
	assert min(model["roc_auc"]) > 0.75
	assert max(model["brier"]) < min(majority["brier"])


@pytest.fixture(scope="module")
def uci_like(tmp_path_factory):
	return write_uci_like_csv(tmp_path_factory.mktemp("uci") / "student-like.csv", n=395, seed=3)


def test_evaluate_on_a_table_shaped_like_the_uci_student_data(uci_like, tmp_path):
	columns = read_csv(uci_like)
	assert list(columns) == COLUMNS
	out = tmp_path / "uci.json"
	result = run_cli(
		"evaluate", "--csv", uci_like, "--label", "G3", "--threshold", "10", "--repeats", "1", "--folds", "5",
		"--json", out,
	)  # fmt: skip
	assert result.returncode == 0, result.stderr
	assert "395 rows, 32 input columns (15 numeric, 17 categorical)" in result.stdout
	assert "at risk (positive class): G3 < 10" in result.stdout
	assert "best single column (G2 " in result.stdout
	results = json.loads(out.read_text())["results"]
	model = results["risk model (calibrated logistic regression)"]
	assert model["roc_auc"][0] > 0.9
	assert model["pcc"][0] > results["majority class"]["pcc"][0] + 15

	# without the period grades (Cortez & Silva's setup C) the task is much harder, but still learnable
	result = run_cli(
		"evaluate", "--csv", uci_like, "--label", "G3", "--threshold", "10", "--repeats", "1", "--folds", "5",
		"--drop", "G1", "G2", "--json", out,
	)  # fmt: skip
	assert result.returncode == 0, result.stderr
	assert "30 input columns" in result.stdout and "left out: G1, G2" in result.stdout
	model = json.loads(out.read_text())["results"]["risk model (calibrated logistic regression)"]
	assert 0.6 < model["roc_auc"][0] < 0.95


@pytest.mark.parametrize(
	("args", "message"),
	[
		(("--label", "nope"), "no column 'nope'"),
		(("--label", "absent_days"), "give --positive VALUE or --threshold NUMBER"),
		(("--label", "result", "--positive", "maybe"), "no row has result = 'maybe'"),
		(("--label", "student", "--threshold", "3"), "is not numeric"),
		(("--label", "result", "--positive", "fail", "--threshold", "3"), "either --positive or --threshold"),
		(("--label", "result", "--drop", "ghost"), "unknown columns: ghost"),
		(("--label", "result", "--folds", "1"), "--folds must be at least 2"),
		(("--label", "result", "--repeats", "0"), "must be at least 1"),
	],
)
def test_input_errors_exit_1_with_one_line(tmp_path, args, message):
	data = small_csv(tmp_path / "small.csv", n=40)
	result = run_cli("evaluate", "--csv", data, *args)
	assert result.returncode == 1
	assert message in result.stderr
	assert "Traceback" not in result.stderr


def test_rows_without_a_label_are_left_out(tmp_path):
	data = small_csv(tmp_path / "small.csv", n=120)
	result = run_cli(
		"evaluate", "--csv", data, "--label", "club", "--positive", "none", "--repeats", "1", "--folds", "3"
	)
	assert result.returncode == 0, result.stderr
	missing = sum(1 for row in csv.DictReader(data.open()) if not row["club"])
	assert f"{missing} rows without a value in club left out" in result.stdout
	assert f"{120 - missing} rows" in result.stdout.splitlines()[0]


def test_a_missing_file_is_an_input_error(tmp_path):
	result = run_cli("evaluate", "--csv", tmp_path / "none.csv", "--label", "x")
	assert (result.returncode, "cannot read" in result.stderr) == (1, True)


def test_reading_tables_and_labels(tmp_path):
	path = tmp_path / "t.csv"
	path.write_text('"a";"b";"y"\n"GP";"5";1\n"MS";"";0\n"GP";"7";1\n', encoding="utf-8")
	assert read_csv(path) == {"a": ["GP", "MS", "GP"], "b": ["5", "", "7"], "y": ["1", "0", "1"]}
	rarer = make_label(["1", "0", "1"], "y")
	assert (rarer.y, rarer.description) == ([0, 1, 0], "y = 0")  # the rarer value is at risk by default
	assert make_label(["1", "1.0", "0"], "y", positive="1").y == [1, 1, 0]
	above = make_label(["12", "9", "10"], "G3", threshold=10, positive_above=True)
	assert (above.y, above.description) == ([1, 0, 1], "G3 ≥ 10")
	with pytest.raises(TableError, match="missing"):
		make_label(["1", "", "0"], "y")
	bad = tmp_path / "bad.csv"
	bad.write_text("a,b\n1,2\n3\n", encoding="utf-8")
	with pytest.raises(TableError, match="row 3 has 1 values"):
		read_csv(bad)
