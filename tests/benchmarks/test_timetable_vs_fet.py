"""The timetable benchmark's own logic (it runs for hours; a wrong resume check would mix engines)."""

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("ortools")

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "timetable_vs_fet" / "run.py"


@pytest.fixture(scope="module")
def bench():
	spec = importlib.util.spec_from_file_location("timetable_vs_fet_run", RUN)
	module = importlib.util.module_from_spec(spec)
	sys.modules[spec.name] = module
	spec.loader.exec_module(module)
	yield module
	del sys.modules[spec.name]


SOURCE = '''"""A module."""

LIMIT = 2
"""What the limit is for."""


def twice(x):
	"""Doubles."""
	return x * LIMIT  # why two
'''


def test_the_engine_fingerprint_ignores_comments_and_docstrings_but_not_code(bench, tmp_path):
	engine = tmp_path / "engine"
	engine.mkdir()
	(engine / "a.py").write_text(SOURCE)
	before = bench.engine_fingerprint(engine)

	(engine / "a.py").write_text(
		SOURCE.replace("Doubles.", "Multiplies by LIMIT.")
		.replace("What the limit is for.", "The factor.")
		.replace("# why two", "# reworded")
	)
	assert bench.engine_fingerprint(engine) == before

	(engine / "a.py").write_text(SOURCE.replace("LIMIT = 2", "LIMIT = 3"))
	assert bench.engine_fingerprint(engine) != before

	(engine / "a.py").write_text(SOURCE)
	shutil.copy(engine / "a.py", engine / "b.py")  # a new module is a new engine
	assert bench.engine_fingerprint(engine) != before
