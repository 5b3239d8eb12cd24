# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""Students by their current early-warning profile: tier, score, trend, the reasons that weigh most and
attendance, highest score first (ai_school/insights/analytics.py)."""

from frappe import _

from ai_school.insights import analytics


def execute(filters=None):
	result = analytics.at_risk_students(filters)
	message = None if result.rows else _("No students match these filters")
	return columns(), result.rows, message, chart(result), summary(result)


def columns():
	return [
		analytics.link_column("student", _("Student"), "Student", 150),
		{"fieldname": "student_name", "label": _("Student Name"), "fieldtype": "Data", "width": 170},
		analytics.link_column("student_group", _("Student Group"), "Student Group", 150),
		{"fieldname": "risk_level", "label": _("Tier"), "fieldtype": "Data", "width": 90},
		{"fieldname": "risk_score", "label": _("Score"), "fieldtype": "Float", "precision": 1, "width": 70},
		{"fieldname": "trend", "label": _("Trend"), "fieldtype": "Data", "width": 95},
		{"fieldname": "reasons", "label": _("Top Reasons"), "fieldtype": "Data", "width": 480},
		{"fieldname": "attendance_rate", "label": _("Attendance %"), "fieldtype": "Percent", "width": 110},
	]


def chart(result):
	counts = result.tiers
	return {
		"data": {
			"labels": [_(tier) for tier in analytics.TIERS],
			"datasets": [{"name": _("Students"), "values": [counts[tier] for tier in analytics.TIERS]}],
		},
		"type": "donut",
		"colors": [analytics.COLORS[tier] for tier in analytics.TIERS],
		"height": 220,
	}


def summary(result):
	indicators = {"Low": "green", "Medium": "yellow", "High": "orange", "Critical": "red"}
	return [
		{"value": len(result.rows), "label": _("Students listed"), "indicator": "blue", "datatype": "Int"},
		*(
			{"value": result.tiers[tier], "label": _(tier), "indicator": indicators[tier], "datatype": "Int"}
			for tier in reversed(analytics.TIERS)
		),
		{"value": result.period.key if result.period else "-", "label": _("Groups of"), "datatype": "Data"},
	]
