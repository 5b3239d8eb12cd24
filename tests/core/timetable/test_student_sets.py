"""Atomic student sets: lessons of two groups may overlap exactly when no student attends both."""

import itertools
import random

from ai_school.core.timetable.student_sets import atomic_student_sets


def test_shared_student_splits_groups_into_atomic_sets():
	sets, of_group = atomic_student_sets(
		{"Maths A": ["s1", "s2", "s3"], "Art": ["s3", "s4"], "Music": ["s5"]}
	)
	sizes = {s.id: s.size for s in sets}
	assert sorted(sizes.values()) == [1, 1, 1, 2]
	assert sum(sizes[i] for i in of_group["Maths A"]) == 3
	assert sum(sizes[i] for i in of_group["Art"]) == 2
	shared = set(of_group["Maths A"]) & set(of_group["Art"])
	assert [sizes[i] for i in shared] == [1]
	assert not set(of_group["Music"]) & (set(of_group["Maths A"]) | set(of_group["Art"]))


def test_group_without_students_gets_its_own_empty_set():
	sets, of_group = atomic_student_sets({"Empty": [], "Full": ["s1"]})
	assert len(of_group["Empty"]) == 1
	assert {s.id: s.size for s in sets}[of_group["Empty"][0]] == 0
	assert of_group["Empty"] != of_group["Full"]


def test_sets_share_exactly_when_groups_share_students():
	rng = random.Random(7)
	students = [f"s{i}" for i in range(60)]
	members = {f"G{g}": rng.sample(students, rng.randint(0, 15)) for g in range(12)}
	sets, of_group = atomic_student_sets(members)
	sizes = {s.id: s.size for s in sets}
	for a, b in itertools.combinations(members, 2):
		common = len(set(members[a]) & set(members[b]))
		assert sum(sizes[i] for i in set(of_group[a]) & set(of_group[b])) == common
	for group, students_of in members.items():
		if students_of:
			assert sum(sizes[i] for i in of_group[group]) == len(set(students_of))
	assert atomic_student_sets(members)[1] == of_group  # deterministic
