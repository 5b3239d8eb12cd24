# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""Students by their share of school days absent between two dates, with the approaching-chronic (5-9.9 %)
and chronic (10 % or more) bands, the last weeks' rate and absence streaks (ai_school/insights/analytics.py).
"""

from frappe import _

from ai_school.insights import analytics


def execute(filters=None):
	result = analytics.attendance_risk(filters)
	message = (
		None
		if result.rows
		else _("No student in these bands between {0} and {1}").format(result.from_date, result.to_date)
	)
	return columns(), result.rows, message, chart(result), summary(result)


def columns():
	return [
		analytics.link_column("student", _("Student"), "Student", 150),
		{"fieldname": "student_name", "label": _("Student Name"), "fieldtype": "Data", "width": 170},
		analytics.link_column("student_group", _("Student Group"), "Student Group", 150),
		{"fieldname": "absence_pct", "label": _("Absent %"), "fieldtype": "Percent", "width": 90},
		{"fieldname": "band", "label": _("Band"), "fieldtype": "Data", "width": 160},
		{
			"fieldname": "days_absent",
			"label": _("Days Absent"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 100,
		},
		{"fieldname": "days_recorded", "label": _("Days Recorded"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "recent_absence_pct",
			"label": _("Last 20 Days Absent %"),
			"fieldtype": "Percent",
			"width": 160,
		},
		{"fieldname": "current_streak", "label": _("Absent Now (days)"), "fieldtype": "Int", "width": 135},
		{"fieldname": "longest_streak", "label": _("Longest Streak"), "fieldtype": "Int", "width": 115},
	]


def chart(result):
	labels = list(analytics.BAND_LABELS.values())
	return {
		"data": {
			"labels": [_(label) for label in labels],
			"datasets": [{"name": _("Students"), "values": [result.bands[label] for label in labels]}],
		},
		"type": "donut",
		"colors": ["#29cd42", "#f5793a", "#e24c4c"],
		"height": 220,
	}


def summary(result):
	chronic, approaching = result.bands["Chronic"], result.bands["Approaching chronic"]
	return [
		{"value": chronic, "label": _("Chronic (10 %+)"), "indicator": "red", "datatype": "Int"},
		{"value": approaching, "label": _("Approaching (5-9.9 %)"), "indicator": "orange", "datatype": "Int"},
		{"value": result.from_date, "label": _("From"), "datatype": "Date"},
		{"value": result.to_date, "label": _("To"), "datatype": "Date"},
	]
