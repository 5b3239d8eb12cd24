"""AI School Settings' Pass Mark used to default to 50 %, which overrode every school's grading scale (the demo
school passes at D, 40 %, and 160 of its 420 students came out High or Critical). It is now empty (0) by
default, meaning "the grading scale's pass grade". On existing sites a Pass Mark of exactly 50 that no one
ever saved (no version of the settings records a change to it) is the old default, and is cleared; a pass mark
a user chose, 50 included, stays."""

import frappe

from ai_school.insights.risk import queue_recompute_all

SETTINGS = "AI School Settings"


def execute():
	if frappe.utils.flt(frappe.db.get_single_value(SETTINGS, "pass_mark")) != 50:
		return
	if chosen_by_a_user():
		return
	frappe.db.set_single_value(SETTINGS, "pass_mark", 0)
	queue_recompute_all()  # profiles computed at 50 % would disagree with the panels until the nightly run


def chosen_by_a_user() -> bool:
	for data in frappe.get_all("Version", filters={"ref_doctype": SETTINGS}, pluck="data"):
		changed = frappe.parse_json(data or "{}").get("changed") or []
		if any(row and row[0] == "pass_mark" for row in changed):
			return True
	return False
