# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""Student groups side by side for a term or year: mean score, share failing a course, attendance, absence
bands and current risk tiers (ai_school/insights/analytics.py)."""

from frappe import _

from ai_school.insights import analytics


def execute(filters=None):
	result = analytics.class_comparison(filters)
	message = (
		None
		if result.rows
		else _("No {0} groups with students in {1}").format(
			_(result.group_based_on) if result.group_based_on != "All" else "", result.period.key
		)
	)
	return columns(), result.rows, message, chart(result), summary(result)


def columns():
	return [
		analytics.link_column("student_group", _("Student Group"), "Student Group", 230),
		analytics.link_column("program", _("Program"), "Program", 100),
		analytics.link_column("course", _("Course"), "Course", 120),
		{"fieldname": "students", "label": _("Students"), "fieldtype": "Int", "width": 85},
		{"fieldname": "mean_score", "label": _("Mean Score %"), "fieldtype": "Percent", "width": 115},
		{
			"fieldname": "failing_share",
			"label": _("Failing a Course %"),
			"fieldtype": "Percent",
			"width": 135,
		},
		{"fieldname": "attendance", "label": _("Attendance %"), "fieldtype": "Percent", "width": 110},
		{"fieldname": "approaching_chronic", "label": _("Absent 5-9.9 %"), "fieldtype": "Int", "width": 110},
		{"fieldname": "chronic", "label": _("Absent 10 %+"), "fieldtype": "Int", "width": 100},
		{"fieldname": "critical", "label": _("Critical"), "fieldtype": "Int", "width": 75},
		{"fieldname": "high", "label": _("High"), "fieldtype": "Int", "width": 65},
		{"fieldname": "medium", "label": _("Medium"), "fieldtype": "Int", "width": 75},
		{"fieldname": "low", "label": _("Low"), "fieldtype": "Int", "width": 65},
		{"fieldname": "assessed", "label": _("With Results"), "fieldtype": "Int", "width": 100},
	]


def chart(result):
	if not result.rows:
		return None
	return {
		"data": {
			"labels": [row["student_group"] for row in result.rows],
			"datasets": [
				{"name": _(tier), "values": [row[tier.lower()] for row in result.rows]}
				for tier in analytics.TIERS
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": [analytics.COLORS[tier] for tier in analytics.TIERS],
		"height": 260,
	}


def summary(result):
	return [
		{"value": len(result.rows), "label": _("Groups"), "indicator": "blue", "datatype": "Int"},
		{"value": result.period.key, "label": _("Period"), "datatype": "Data"},
		{"value": result.pass_mark, "label": _("Pass Mark %"), "datatype": "Float"},
	]
