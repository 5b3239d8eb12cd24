# Copyright (c) 2026, ai_school contributors
# For license information, please see license.txt

"""Tutor Usage: chats, students, messages, the modes the guard chose and safety alerts, per Student Group,
course or day, over a date range.

Scope follows the record rules (ai_school/permissions.py): read-all staff see the whole school, an Instructor
the students of the groups they teach this academic year (and per group only those groups). A student
message counts for a course group when the chat is about the group's course, for a batch group (no course)
whatever the course; a student in two groups counts in both rows, so per-group rows need not add up (the
summary above the table counts each once).

Auto Email Report runs a report from a background job as Administrator, not as the report's user; its
validate hook (``stamp_auto_email_user``) stores the user in the filters as ``run_as``, and the report then
shows what that user may see. ``run_as`` only narrows: for a user who is not read-all staff it is ignored.
"""

from collections import defaultdict

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Coalesce, Count, Date
from frappe.utils import add_days, getdate

from ai_school import education_data
from ai_school.permissions import get_scope, report_user, stamp_report_user

REPORT = "Tutor Usage"
SESSION = "AI Chat Session"
MESSAGE = "AI Chat Message"
ALERT = "AI Safety Alert"
MODES = ("learning", "guided", "restricted", "blocked")
GROUP_BY = ("Student Group", "Course", "Day")
MAX_DAYS = 366


def execute(filters=None):
	filters = frappe._dict(filters or {})
	from_date, to_date = _dates(filters)
	group_by = filters.get("group_by") or "Student Group"
	if group_by not in GROUP_BY:
		frappe.throw(_("Per must be one of {0}.").format(", ".join(GROUP_BY)), frappe.ValidationError)
	user = report_user(filters)
	scope = get_scope(user)
	groups = _groups(user, scope.read_all, filters.get("student_group"))
	students = None if scope.read_all else set(scope.taught)
	if filters.get("student_group"):
		members = set(
			education_data.get_group_students([filters.student_group]).get(filters.student_group) or []
		)
		students = members if students is None else students & members
	course = filters.get("course")
	if filters.get("student_group") and not course and groups.get(filters.student_group):
		course = groups[filters.student_group]  # a course group: its own course
	columns = _columns(group_by)
	nobody = students is not None and not students
	not_yours = bool(filters.get("student_group")) and filters.student_group not in groups
	if nobody or not_yours:
		return columns, [], _("No students of yours match these filters."), None, _summary([], [])

	messages = _messages(from_date, to_date, students, course)
	alerts = _alerts(from_date, to_date, students, course)
	keys = _keyer(group_by, groups, filters.get("student_group"))
	# only what some row counts (per group: a course group counts its course's chats only)
	messages = [row for row in messages if keys(row)]
	alerts = [row for row in alerts if keys(row)]
	rows = _aggregate(messages, alerts, keys, group_by)
	return columns, rows, None, _chart(rows, group_by), _summary(messages, alerts)


def _dates(filters) -> tuple:
	today = getdate()
	from_date = getdate(filters.get("from_date") or add_days(today, -30))
	to_date = getdate(filters.get("to_date") or today)
	if to_date < from_date:
		frappe.throw(_("To Date can't be before From Date."), frappe.ValidationError)
	if (to_date - from_date).days > MAX_DAYS:
		frappe.throw(_("Choose at most {0} days.").format(MAX_DAYS), frappe.ValidationError)
	return from_date, to_date


def _groups(user: str, read_all: bool, student_group: str | None) -> dict[str, str]:
	"""Student Group -> its course ("" for a batch group): the groups this user may see usage per group of."""
	if read_all:
		groups = (
			education_data.get_student_group_details([student_group])
			if student_group
			else education_data.get_current_student_groups()
		)
	else:
		groups = education_data.get_current_groups_taught_by_user(user)
	return {group.name: group.course or "" for group in groups}


def _messages(from_date, to_date, students: set | None, course: str | None) -> list:
	"""Student messages in the date range: one row per chat, day and mode with their count."""
	if students is not None and not students:
		return []
	message, session = DocType(MESSAGE), DocType(SESSION)
	day = Date(Coalesce(message.timestamp, message.creation))
	query = (
		frappe.qb.from_(message)
		.join(session)
		.on((message.parent == session.name) & (message.parenttype == SESSION))
		.select(
			session.name.as_("session"),
			session.student,
			session.course,
			day.as_("day"),
			message.guard_mode,
			Count("*").as_("messages"),
		)
		.where(message.role == "user")
		.where(day >= from_date)
		.where(day <= to_date)
		.groupby(session.name, session.student, session.course, day, message.guard_mode)
	)
	if students is not None:
		query = query.where(session.student.isin(sorted(students)))
	if course:
		query = query.where(session.course == course)
	return query.run(as_dict=True)


def _alerts(from_date, to_date, students: set | None, course: str | None) -> list:
	"""AI Safety Alerts raised in the date range (false alarms included: they were raised)."""
	if students is not None and not students:
		return []
	alert = DocType(ALERT)
	day = Date(alert.creation)
	query = (
		frappe.qb.from_(alert)
		.select(alert.student, alert.course, alert.session, alert.tier, day.as_("day"))
		.where(day >= from_date)
		.where(day <= to_date)
	)
	if students is not None:
		query = query.where(alert.student.isin(sorted(students)))
	if course:
		query = query.where(alert.course == course)
	return query.run(as_dict=True)


def _keyer(group_by: str, groups: dict[str, str], student_group: str | None):
	"""A function giving the row keys a message or alert counts under."""
	if group_by == "Day":
		return lambda row: [row.day]
	if group_by == "Course":
		return lambda row: [row.course or ""]
	if student_group:
		groups = {student_group: groups.get(student_group, "")}
	members = education_data.get_group_students(list(groups))
	groups_of = defaultdict(list)
	for group, students in members.items():
		for student in students:
			groups_of[student].append(group)
	return lambda row: [
		group for group in groups_of.get(row.student, ()) if not groups[group] or groups[group] == row.course
	]


def _aggregate(messages: list, alerts: list, keys, group_by: str) -> list[dict]:
	totals = defaultdict(
		lambda: (
			{"sessions": set(), "students": set(), "messages": 0, "alerts": 0, "serious_alerts": 0}
			| {mode: 0 for mode in MODES}
		)
	)
	for row in messages:
		for key in keys(row):
			total = totals[key]
			total["sessions"].add(row.session)
			total["students"].add(row.student)
			total["messages"] += row.messages
			if row.guard_mode in MODES:
				total[row.guard_mode] += row.messages
	for row in alerts:
		for key in keys(row):
			totals[key]["alerts"] += 1
			totals[key]["serious_alerts"] += int((row.tier or 0) >= 2)
	field = _key_field(group_by)
	rows = []
	for key in sorted(totals, key=lambda k: (k is None, str(k))):
		total = totals[key]
		rows.append(
			{
				field: key,
				**total,
				"sessions": len(total["sessions"]),
				"students": len(total["students"]),
			}
		)
	return rows


def _key_field(group_by: str) -> str:
	return {"Student Group": "student_group", "Course": "course", "Day": "day"}[group_by]


def _columns(group_by: str) -> list[dict]:
	key = {
		"Student Group": {"fieldtype": "Link", "options": "Student Group", "width": 260},
		"Course": {"fieldtype": "Link", "options": "Course", "width": 200},
		"Day": {"fieldtype": "Date", "width": 110},
	}[group_by]
	columns = [{"fieldname": _key_field(group_by), "label": _(group_by), **key}]
	for fieldname, label in (
		("sessions", _("Chats")),
		("students", _("Students")),
		("messages", _("Messages")),
		("learning", _("Learning")),
		("guided", _("Guided")),
		("restricted", _("Restricted")),
		("blocked", _("Blocked")),
		("alerts", _("Safety Alerts")),
		("serious_alerts", _("Tier 2 Alerts")),
	):
		columns.append({"fieldname": fieldname, "label": label, "fieldtype": "Int", "width": 100})
	return columns


def _chart(rows: list[dict], group_by: str) -> dict | None:
	if not rows:
		return None
	field = _key_field(group_by)
	return {
		"data": {
			"labels": [str(row[field] or _("(no course)")) for row in rows],
			"datasets": [
				{"name": _(mode.capitalize()), "values": [row[mode] for row in rows]} for mode in MODES
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"fieldtype": "Int",
	}


def _summary(messages: list, alerts: list) -> list[dict]:
	"""Each chat, student and alert counted once, whatever the rows."""
	return [
		{"label": _("Chats"), "value": len({row.session for row in messages}), "datatype": "Int"},
		{"label": _("Students"), "value": len({row.student for row in messages}), "datatype": "Int"},
		{"label": _("Messages"), "value": sum(row.messages for row in messages), "datatype": "Int"},
		{
			"label": _("Safety Alerts"),
			"value": len(alerts),
			"datatype": "Int",
			"indicator": "Red" if alerts else "Green",
		},
	]


# --- Auto Email Report -----------------------------------------------------------------------------------


def stamp_auto_email_user(doc, method=None) -> None:
	"""Auto Email Report validate: a Tutor Usage schedule counts what its user may see (``run_as``), since the
	scheduler runs the report as Administrator."""
	if doc.report == REPORT:
		stamp_report_user(doc)
