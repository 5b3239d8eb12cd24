"""The shipped labelled set and held-out sets: size, labels, no overlap, no duplicates."""

import json

from ai_school.core.tutor.labels import Label
from tests.appscan import REPO

DATA = REPO / "tests" / "data" / "tutor"
HELD_OUT = ("guard_holdout.jsonl", "guard_holdout2.jsonl", "guard_holdout3.jsonl")


def rows(name: str) -> list[dict]:
	return [
		json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()
	]


def test_labelled_set_is_large_and_covers_every_label():
	labelled = rows("guard_labelled.jsonl")
	assert len(labelled) >= 600
	assert all(set(r) == {"text", "label"} and r["text"].strip() for r in labelled)
	counts = {label: sum(r["label"] == label.value for r in labelled) for label in Label}
	assert min(counts.values()) >= 50, counts


def test_held_out_sets_cover_every_label():
	held = [r for name in HELD_OUT for r in rows(name)]
	assert len(rows(HELD_OUT[0])) >= 150
	assert {r["label"] for r in held} == {label.value for label in Label}


def test_no_duplicates_and_no_overlap_between_training_and_held_out():
	key = lambda r: " ".join(r["text"].lower().split())  # noqa: E731
	labelled = [key(r) for r in rows("guard_labelled.jsonl")]
	held = [key(r) for name in HELD_OUT for r in rows(name)]
	assert len(labelled) == len(set(labelled))
	assert len(held) == len(set(held))
	assert not set(labelled) & set(held)


def test_other_languages_are_represented():
	texts = " ".join(r["text"].lower() for r in rows("guard_labelled.jsonl"))
	for marker in ("quiero", "je ", "ich ", "mujhe"):
		assert marker in texts
