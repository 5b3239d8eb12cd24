"""Write timetables out: FET-compatible XML and readable per-class / per-teacher tables.

* :func:`activities_timetable_xml` — the ``<Activities_Timetable>`` file ``fet-cl`` writes as
  ``*_activities.xml`` (one ``Id``/``Day``/``Hour``/``Room`` per activity).
* :func:`timetable_fet` — a ``.fet`` file with the timetable stored the way FET stores it in
  ``*_data_and_timetable.fet``: one weight-100 *activity preferred starting time* (and *preferred
  room*) per activity. Given the original FET file it is appended to it; otherwise a minimal FET
  file is built from the problem (entities, breaks, availabilities — the other rules of the
  problem are not written, the file is meant for viewing/locking the timetable in FET).
* :func:`grids`, :func:`tables_text`, :func:`tables_html`, :func:`assignments_csv` — tables.
"""

from __future__ import annotations

import csv
import html
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Literal

from ai_school.core.timetable.model import Assignment, Lesson, Problem, Slot

View = Literal["students", "teacher", "room"]

FET_VERSION = "6.8.5"
"""Format version written in minimal FET files (the version Debian 12 ships)."""


def fet_activity_ids(problem: Problem) -> dict[str, int]:
	"""FET needs positive integer activity ids: keep ours when they are, else number 1..n."""
	ids = [le.id for le in problem.lessons]
	if all(i.isdigit() and int(i) > 0 for i in ids) and len({int(i) for i in ids}) == len(ids):
		return {i: int(i) for i in ids}
	return {le_id: n for n, le_id in enumerate(ids, start=1)}


def _period_names(problem: Problem) -> list[str]:
	return problem.period_names or [f"P{i + 1}" for i in range(problem.periods_per_day)]


def _sub(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
	child = ET.SubElement(parent, tag)
	if text is not None:
		child.text = str(text)
	return child


def _serialize(root: ET.Element, pretty: bool = True) -> bytes:
	if pretty:
		ET.indent(root, space="\t")
	return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def activities_timetable_xml(problem: Problem, assignments: Mapping[str, Assignment]) -> bytes:
	"""``fet-cl``'s ``*_activities.xml`` shape for our assignments."""
	fet_ids = fet_activity_ids(problem)
	hours = _period_names(problem)
	root = ET.Element("Activities_Timetable")
	for lesson in problem.lessons:
		a = assignments.get(lesson.id)
		if a is None:
			continue
		act = _sub(root, "Activity")
		_sub(act, "Id", fet_ids[lesson.id])
		_sub(act, "Day", problem.days[a.day])
		_sub(act, "Hour", hours[a.period])
		_sub(act, "Room", a.room or "")
	return _serialize(root)


def timetable_fet(
	problem: Problem, assignments: Mapping[str, Assignment], base: bytes | None = None
) -> bytes:
	"""A ``.fet`` file carrying the timetable as FET-style weight-100 starting times and rooms."""
	root = ET.fromstring(base) if base is not None else _minimal_fet(problem)
	# ET.indent would re-indent the user's file too; only freshly built files are pretty-printed.
	time_list = _ensure(root, "Time_Constraints_List")
	space_list = _ensure(root, "Space_Constraints_List")
	fet_ids = fet_activity_ids(problem)
	hours = _period_names(problem)
	for lesson in problem.lessons:
		a = assignments.get(lesson.id)
		if a is None:
			continue
		c = _sub(time_list, "ConstraintActivityPreferredStartingTime")
		_sub(c, "Weight_Percentage", 100)
		_sub(c, "Activity_Id", fet_ids[lesson.id])
		_sub(c, "Preferred_Day", problem.days[a.day])
		_sub(c, "Preferred_Hour", hours[a.period])
		_sub(c, "Permanently_Locked", "false")
		_sub(c, "Active", "true")
		_sub(c, "Comments", "")
		if a.room:
			r = _sub(space_list, "ConstraintActivityPreferredRoom")
			_sub(r, "Weight_Percentage", 100)
			_sub(r, "Activity_Id", fet_ids[lesson.id])
			_sub(r, "Room", a.room)
			_sub(r, "Permanently_Locked", "false")
			_sub(r, "Active", "true")
			_sub(r, "Comments", "")
	return _serialize(root, pretty=base is None)


def _ensure(root: ET.Element, tag: str) -> ET.Element:
	found = root.find(tag)
	return found if found is not None else _sub(root, tag)


def _names_list(
	root: ET.Element, list_tag: str, item_tag: str, names: Iterable[str], count_tag: str = ""
) -> None:
	lst = _sub(root, list_tag)
	names = list(names)
	if count_tag:
		_sub(lst, count_tag, len(names))
	for name in names:
		_sub(_sub(lst, item_tag), "Name", name)


def _slots_elem(parent: ET.Element, tag: str, item: str, problem: Problem, slots: Iterable[Slot]) -> None:
	hours = _period_names(problem)
	slots = sorted(slots)
	_sub(parent, tag, len(slots))
	for d, h in slots:
		it = _sub(parent, item)
		_sub(it, "Day", problem.days[d])
		_sub(it, "Hour", hours[h])


def _minimal_fet(problem: Problem) -> ET.Element:
	root = ET.Element("fet", version=FET_VERSION)
	_sub(root, "Mode", "Official")
	_sub(root, "Institution_Name", problem.name or "ai_school")
	_sub(
		root,
		"Comments",
		"Exported by ai_school: entities and availabilities only; other rules are not written.",
	)
	_names_list(root, "Days_List", "Day", problem.days, "Number_of_Days")
	_names_list(root, "Hours_List", "Hour", _period_names(problem), "Number_of_Hours")
	subjects = sorted({_subject(le) for le in problem.lessons})
	_names_list(root, "Subjects_List", "Subject", subjects)
	_names_list(
		root, "Activity_Tags_List", "Activity_Tag", sorted({t for le in problem.lessons for t in le.tags})
	)
	_names_list(root, "Teachers_List", "Teacher", [t.id for t in problem.teachers])
	students = _sub(root, "Students_List")
	for s in problem.student_sets:
		year = _sub(students, "Year")
		_sub(year, "Name", s.id)
		_sub(year, "Number_of_Students", s.size)
	fet_ids = fet_activity_ids(problem)
	activities = _sub(root, "Activities_List")
	for le in problem.lessons:
		act = _sub(activities, "Activity")
		for t in le.teachers:
			_sub(act, "Teacher", t)
		_sub(act, "Subject", _subject(le))
		for tag in le.tags:
			_sub(act, "Activity_Tag", tag)
		for s in le.student_sets:
			_sub(act, "Students", s)
		_sub(act, "Duration", le.duration)
		_sub(act, "Total_Duration", le.duration)
		_sub(act, "Id", fet_ids[le.id])
		_sub(act, "Activity_Group_Id", 0)
		_sub(act, "Active", "true")
		_sub(act, "Comments", le.id)
	buildings = sorted({r.building for r in problem.rooms if r.building})
	_names_list(root, "Buildings_List", "Building", buildings)
	rooms = _sub(root, "Rooms_List")
	for r in problem.rooms:
		room = _sub(rooms, "Room")
		_sub(room, "Name", r.id)
		_sub(room, "Building", r.building or "")
		_sub(room, "Capacity", r.capacity if r.capacity is not None else 30000)
		_sub(room, "Virtual", "false")
	time_list = _sub(root, "Time_Constraints_List")
	_basic(time_list, "ConstraintBasicCompulsoryTime")
	if problem.breaks:
		c = _sub(time_list, "ConstraintBreakTimes")
		_sub(c, "Weight_Percentage", 100)
		_slots_elem(c, "Number_of_Break_Times", "Break_Time", problem, problem.breaks)
		_sub(c, "Active", "true")
	for tag, name_tag, entities in (
		("ConstraintTeacherNotAvailableTimes", "Teacher", problem.teachers),
		("ConstraintStudentsSetNotAvailableTimes", "Students", problem.student_sets),
	):
		for e in entities:
			if e.unavailable:
				_not_available(time_list, tag, name_tag, e.id, problem, e.unavailable)
	space_list = _sub(root, "Space_Constraints_List")
	_basic(space_list, "ConstraintBasicCompulsorySpace")
	for r in problem.rooms:
		if r.unavailable:
			_not_available(
				space_list, "ConstraintRoomNotAvailableTimes", "Room", r.id, problem, r.unavailable
			)
	return root


def _subject(lesson: Lesson) -> str:
	return lesson.subject or lesson.id


def _basic(parent: ET.Element, tag: str) -> None:
	c = _sub(parent, tag)
	_sub(c, "Weight_Percentage", 100)
	_sub(c, "Active", "true")


def _not_available(
	parent: ET.Element, tag: str, name_tag: str, name: str, problem: Problem, slots: Iterable[Slot]
) -> None:
	c = _sub(parent, tag)
	_sub(c, "Weight_Percentage", 100)
	_sub(c, name_tag, name)
	_slots_elem(c, "Number_of_Not_Available_Times", "Not_Available_Time", problem, slots)
	_sub(c, "Active", "true")


# --- tables --------------------------------------------------------------------------------------


def grids(problem: Problem, assignments: Mapping[str, Assignment], by: View) -> dict[str, list[list[str]]]:
	"""Entity id → grid[period][day] of cell texts (several lessons in one cell are joined by ' / ')."""
	if by == "students":
		owners = [s.id for s in problem.student_sets]
	elif by == "teacher":
		owners = [t.id for t in problem.teachers]
	else:
		owners = [r.id for r in problem.rooms]
	out = {o: [["" for _ in problem.days] for _ in range(problem.periods_per_day)] for o in owners}
	for d, h in problem.breaks:
		for grid in out.values():
			grid[h][d] = "(break)"
	lessons = problem.lesson_map()
	for le_id, a in assignments.items():
		lesson = lessons.get(le_id)
		if lesson is None:
			continue
		if by == "students":
			keys, other = lesson.student_sets, ", ".join(lesson.teachers)
		elif by == "teacher":
			keys, other = lesson.teachers, ", ".join(lesson.student_sets)
		else:
			keys, other = ([a.room] if a.room else []), ", ".join(lesson.student_sets)
		text = lesson.subject or lesson.id
		if other:
			text += f" ({other})"
		if a.room and by != "room":
			text += f" @{a.room}"
		for d, h in problem.occupied(lesson, a.start):
			if h >= problem.periods_per_day:
				continue
			for key in keys:
				grid = out.get(key)
				if grid is not None:
					cell = grid[h][d]
					grid[h][d] = f"{cell} / {text}" if cell and cell != "(break)" else text
	return out


def tables_text(
	problem: Problem, assignments: Mapping[str, Assignment], by: View, only: Iterable[str] = ()
) -> str:
	"""Plain-text tables (one per entity), column width capped for terminals."""
	wanted = set(only)
	hours = _period_names(problem)
	blocks = []
	for owner, grid in grids(problem, assignments, by).items():
		if wanted and owner not in wanted:
			continue
		width = 18
		head = "".ljust(8) + "".join(d[:width].ljust(width + 1) for d in problem.days)
		rows = [
			h[:7].ljust(8) + "".join(c[:width].ljust(width + 1) for c in row)
			for h, row in zip(hours, grid, strict=True)
		]
		blocks.append("\n".join([f"== {by} {owner}", head, *rows]))
	return "\n\n".join(blocks) + "\n"


def tables_html(problem: Problem, assignments: Mapping[str, Assignment], by: View) -> str:
	hours = _period_names(problem)
	esc = html.escape
	parts = [
		"<!doctype html><meta charset='utf-8'>",
		f"<title>{esc(problem.name or 'Timetable')} — {by}</title>",
		"<style>table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;"
		"padding:2px 6px;font:12px sans-serif;vertical-align:top}</style>",
	]
	for owner, grid in grids(problem, assignments, by).items():
		parts.append(f"<h2>{esc(owner)}</h2><table><tr><th></th>")
		parts.append("".join(f"<th>{esc(d)}</th>" for d in problem.days) + "</tr>")
		for h, row in zip(hours, grid, strict=True):
			cells = "".join(f"<td>{esc(c)}</td>" for c in row)
			parts.append(f"<tr><th>{esc(h)}</th>{cells}</tr>")
		parts.append("</table>")
	return "\n".join(parts) + "\n"


def assignments_csv(problem: Problem, assignments: Mapping[str, Assignment]) -> str:
	"""One row per lesson: the flat form spreadsheets and the Frappe shell can read."""
	hours = _period_names(problem)
	buf = io.StringIO()
	writer = csv.writer(buf)
	writer.writerow(["lesson", "subject", "teachers", "student_sets", "day", "period", "duration", "room"])
	for le in problem.lessons:
		a = assignments.get(le.id)
		writer.writerow(
			[
				le.id,
				le.subject,
				";".join(le.teachers),
				";".join(le.student_sets),
				problem.days[a.day] if a else "",
				hours[a.period] if a else "",
				le.duration,
				(a.room or "") if a else "",
			]
		)
	return buf.getvalue()
