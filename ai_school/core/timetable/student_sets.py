"""Atomic student sets from overlapping groups (electives, students shared between groups).

Two lessons may not overlap if any student attends both. Grouping students by the exact set of groups they
belong to gives the coarsest partition where that rule becomes "lessons sharing an atomic set may not
overlap" (FET's subgroups), with as few sets as the data allows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from ai_school.core.timetable.model import StudentSet


def atomic_student_sets(
	members: Mapping[str, Iterable[str]], prefix: str = "S"
) -> tuple[list[StudentSet], dict[str, list[str]]]:
	"""Partition the students of ``members`` (group → students) into atomic sets.

	Returns the sets (``size`` = head count) and, per group, the ids of the sets that make it up. A group
	without students gets an empty set of its own so that its lessons still never overlap each other.
	Ids are deterministic for the same input.
	"""
	groups_of: dict[str, set[str]] = defaultdict(set)
	for group, students in members.items():
		for student in students:
			groups_of[student].add(group)
	classes: dict[frozenset[str], int] = defaultdict(int)
	for groups in groups_of.values():
		classes[frozenset(groups)] += 1

	sets: list[StudentSet] = []
	of_group: dict[str, list[str]] = {group: [] for group in members}
	for number, key in enumerate(sorted(classes, key=sorted), start=1):
		set_id = f"{prefix}{number}"
		sets.append(StudentSet(set_id, name=_describe(key, classes[key]), size=classes[key]))
		for group in key:
			of_group[group].append(set_id)
	for group, set_ids in of_group.items():
		if not set_ids:
			set_id = f"{prefix}-{group}"
			sets.append(StudentSet(set_id, name=f"{group} (no students)", size=0))
			set_ids.append(set_id)
	return sets, of_group


def _describe(groups: frozenset[str], size: int) -> str:
	names = sorted(groups)
	shown = ", ".join(names[:3]) + (f" +{len(names) - 3} more" if len(names) > 3 else "")
	return f"{size} student{'s' if size != 1 else ''} of {shown}"
