# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""Every clash among the Course Schedules of a term or date range, found by the core timetable validator."""

import frappe
from frappe import _

from ai_school import education_data
from ai_school.timetable.conflicts import term_conflicts


def execute(filters=None):
	filters = frappe._dict(filters or {})
	from_date, to_date = date_range(filters)
	rows = term_conflicts(
		from_date,
		to_date,
		student_group=filters.student_group,
		instructor=filters.instructor,
		room=filters.room,
	)
	for row in rows:
		row.pop("schedule_names", None)
	message = _("No conflicts between {0} and {1}").format(from_date, to_date) if not rows else None
	return columns(), rows, message, None, summary(rows)


def date_range(filters):
	from_date, to_date = filters.from_date, filters.to_date
	if filters.academic_term:
		term = education_data.get_term_dates(filters.academic_term)
		if not term:
			frappe.throw(_("Academic Term {0} not found").format(filters.academic_term))
		from_date = max(str(from_date or term.term_start_date), str(term.term_start_date))
		to_date = min(str(to_date or term.term_end_date), str(term.term_end_date))
	if not (from_date and to_date):
		frappe.throw(_("Choose an Academic Term or a date range"))
	return from_date, to_date


def columns():
	return [
		{"fieldname": "conflict", "label": _("Conflict"), "fieldtype": "Data", "width": 210},
		{"fieldname": "date", "label": _("Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "from_time", "label": _("From"), "fieldtype": "Time", "width": 80},
		{"fieldname": "to_time", "label": _("To"), "fieldtype": "Time", "width": 80},
		{"fieldname": "student_groups", "label": _("Student Groups"), "fieldtype": "Data", "width": 200},
		{"fieldname": "instructors", "label": _("Instructors"), "fieldtype": "Data", "width": 160},
		{"fieldname": "rooms", "label": _("Rooms"), "fieldtype": "Data", "width": 120},
		{"fieldname": "students", "label": _("Students Affected"), "fieldtype": "Int", "width": 90},
		{"fieldname": "schedules", "label": _("Course Schedules"), "fieldtype": "Data", "width": 260},
		{"fieldname": "details", "label": _("Details"), "fieldtype": "Data", "width": 400},
	]


def summary(rows):
	counts = {}
	for row in rows:
		counts[row["conflict"]] = counts.get(row["conflict"], 0) + 1
	return [
		{
			"value": len(rows),
			"label": _("Conflicts"),
			"indicator": "red" if rows else "green",
			"datatype": "Int",
		},
		*(
			{"value": n, "label": kind, "indicator": "orange", "datatype": "Int"}
			for kind, n in counts.items()
		),
	]
