# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""Courses side by side for a term or year: mean and median %, pass rate by the pass mark, grades by the
grading scale and the weakest assessment criteria (ai_school/insights/analytics.py)."""

from frappe import _

from ai_school.insights import analytics


def execute(filters=None):
	result = analytics.subject_analysis(filters)
	rows = [{k: v for k, v in row.items() if k != "criteria"} for row in result.rows]
	message = None if rows else _("No submitted results in {0} for these filters").format(result.period.key)
	return columns(), rows, message, chart(rows), summary(result)


def columns():
	return [
		analytics.link_column("course", _("Course"), "Course", 150),
		{"fieldname": "students", "label": _("Students"), "fieldtype": "Int", "width": 85},
		{"fieldname": "mean_score", "label": _("Mean %"), "fieldtype": "Percent", "width": 90},
		{"fieldname": "median_score", "label": _("Median %"), "fieldtype": "Percent", "width": 95},
		{"fieldname": "pass_rate", "label": _("Pass Rate %"), "fieldtype": "Percent", "width": 105},
		{"fieldname": "failing", "label": _("Failing"), "fieldtype": "Int", "width": 75},
		{"fieldname": "grades", "label": _("Grades"), "fieldtype": "Data", "width": 220},
		{"fieldname": "weakest_criteria", "label": _("Weakest Criteria"), "fieldtype": "Data", "width": 300},
		{"fieldname": "results", "label": _("Results"), "fieldtype": "Int", "width": 80},
	]


def chart(rows):
	if not rows:
		return None
	return {
		"data": {
			"labels": [row["course_name"] for row in rows],
			"datasets": [
				{"name": _("Mean %"), "values": [row["mean_score"] for row in rows]},
				{"name": _("Pass Rate %"), "values": [row["pass_rate"] for row in rows]},
			],
		},
		"type": "bar",
		"colors": ["#5e64ff", "#29cd42"],
		"fieldtype": "Percent",
		"height": 260,
	}


def summary(result):
	return [
		{"value": len(result.rows), "label": _("Courses"), "indicator": "blue", "datatype": "Int"},
		{"value": result.period.key, "label": _("Period"), "datatype": "Data"},
		{"value": result.pass_mark, "label": _("Pass Mark %"), "datatype": "Float"},
	]
