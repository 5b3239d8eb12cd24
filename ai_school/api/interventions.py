"""Interventions from the desk: whitelisted methods for the "Start Intervention" button, the check-in log
and the open interventions of a student (the Student panel and trajectory chart use them).

- ``start_intervention(student)``: the values of a new AI Intervention for the student, prefilled with their
  tier and risk factors from the AI Student Profile (plain words, weightiest first), the current user as owner,
  today, six weeks, weekly check-ins. Nothing is saved: the form opens with these values and the teacher
  writes the goal.
- ``log_checkin(intervention, note)`` (POST): add a check-in dated today by the current user; the next
  check-in moves a cadence on.
- ``get_open_interventions(student)``: the student's Planned and Active interventions the user may read.

Staff only, as the doctype: instructors for the students they teach this academic year, academic
administrators for everyone; each method checks that first.
"""

import frappe
from frappe import _

from ai_school import rate_limits
from ai_school.insights import interventions

INTERVENTION = interventions.INTERVENTION
MAX_NOTE_CHARS = 2000


@frappe.whitelist()
def start_intervention(student: str) -> dict:
	"""Values for a new intervention for ``student`` (nothing saved)."""
	draft = frappe.new_doc(INTERVENTION)
	draft.student = student
	# a staff role, and for an instructor a student they teach this academic year
	frappe.has_permission(INTERVENTION, "create", doc=draft, throw=True)
	return interventions.new_intervention_values(student)


@frappe.whitelist(methods=["POST"])
def log_checkin(intervention: str, note: str) -> dict:
	"""Log a check-in dated today by the current user. Returns the next check-in date."""
	doc = frappe.get_doc(INTERVENTION, intervention)
	doc.check_permission("write")
	note = (note or "").strip()
	if not note:
		frappe.throw(_("Write what the check-in found."), title=_("Empty Note"))
	if len(note) > MAX_NOTE_CHARS:
		frappe.throw(
			_("Keep the note under {0} characters.").format(MAX_NOTE_CHARS), title=_("Note Too Long")
		)
	if doc.status not in interventions.OPEN:
		frappe.throw(_("This intervention is {0}: it takes no more check-ins.").format(_(doc.status)))
	rate_limits.consume("interventions.log_checkin", limit=60, seconds=3600)
	doc.append("checkins", {"note": note})
	doc.save()
	return {"next_checkin": doc.next_checkin, "checkins": len(doc.checkins)}


@frappe.whitelist()
def get_open_interventions(student: str) -> list[dict]:
	"""The student's Planned and Active interventions the user may read, newest first."""
	return frappe.get_list(
		INTERVENTION,
		filters={"student": student, "status": ("in", interventions.OPEN)},
		fields=[
			"name",
			"status",
			"tier",
			"goal",
			"owner_user",
			"start_date",
			"end_date",
			"next_checkin",
		],
		order_by="start_date desc",
	)
