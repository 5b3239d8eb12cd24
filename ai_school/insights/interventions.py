"""Interventions, the Frappe side: the owner's ToDo, the daily reminders, and the values a new intervention
starts with (the student's tier and risk factors from their AI Student Profile).

- **ToDo**: creating an AI Intervention assigns it to its owner (Frappe's assignment: a ToDo and the
  "assigned to you" notification); a new owner gets it instead, and closing the intervention (Completed,
  Discontinued) closes the ToDo.
- **Reminders** (:func:`send_reminders`, scheduler ``daily``): for every open intervention, a Notification Log
  for the owner when a check-in is due (:mod:`ai_school.core.insights.interventions`: a cadence after the last
  check-in logged) and when the end date is reached. Each due date is reminded once: the intervention stores
  the due date last reminded and whether the end was, so the job can run any number of times a day. Planned
  interventions whose start date has come become Active first.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, today

INTERVENTION = "AI Intervention"
PROFILE = "AI Student Profile"
OPEN = ("Planned", "Active")
CHUNK = 200


# --- starting one ----------------------------------------------------------------------------------------


def profile_snapshot(student: str) -> dict:
	"""The tier, score and risk factors (plain words, one a line, weightiest first) of the student's profile
	now; empty when the student has none yet. Read with the server's rights: callers check the user's."""
	if not student or not frappe.db.exists(PROFILE, student):
		return {}
	profile = frappe.db.get_value(PROFILE, student, ["risk_level", "risk_score"], as_dict=True)
	factors = frappe.get_all(
		"AI Risk Factor",
		filters={"parent": student, "parenttype": PROFILE, "impact": (">", 0)},
		fields=["explanation", "factor"],
		order_by="impact desc, idx asc",
	)
	return {
		"tier": profile.risk_level or "",
		"risk_score": profile.risk_score or 0,
		"trigger_factors": "\n".join(row.explanation or row.factor for row in factors),
	}


def new_intervention_values(student: str) -> dict:
	"""What the "Start Intervention" button fills in: the student, their tier and factors now, the current
	user as owner, today, six weeks, weekly check-ins (the doctype's defaults)."""
	return {
		"student": student,
		"owner_user": frappe.session.user,
		"start_date": today(),
		"duration_weeks": 6,
		"checkin_cadence": "Weekly",
		**profile_snapshot(student),
	}


# --- the owner's ToDo ------------------------------------------------------------------------------------


def _todo_description(doc) -> str:
	return _("Intervention for {0}: {1} (check-ins {2}, until {3})").format(
		doc.student_name or doc.student,
		doc.goal,
		_(doc.checkin_cadence).lower(),
		frappe.format(doc.end_date, "Date"),
	)


def assign_owner(doc) -> None:
	from frappe.desk.form import assign_to

	if doc.status not in OPEN:
		return
	assign_to.add(
		{
			"assign_to": [doc.owner_user],
			"doctype": doc.doctype,
			"name": doc.name,
			"description": _todo_description(doc),
			"date": doc.next_checkin or doc.end_date,
		},
		ignore_permissions=True,
	)


def reassign_owner(doc, previous: str | None) -> None:
	from frappe.desk.form import assign_to

	if previous:
		assign_to.remove(doc.doctype, doc.name, previous, ignore_permissions=True)
	assign_owner(doc)


def close_assignments(doc) -> None:
	from frappe.desk.form import assign_to

	assign_to.close_all_assignments(doc.doctype, doc.name, ignore_permissions=True)


# --- daily reminders -------------------------------------------------------------------------------------


def send_reminders(commit: bool = True) -> int:
	"""Scheduler job (daily): start Planned interventions whose day has come, then remind owners of due
	check-ins and end dates, each once. Returns how many reminders it sent."""
	on_date = getdate(today())
	_activate_started(on_date)
	sent = 0
	after = ""
	while True:
		rows = frappe.get_all(
			INTERVENTION,
			filters={"status": "Active", "name": (">", after)},
			fields=[
				"name",
				"student",
				"student_name",
				"goal",
				"owner_user",
				"next_checkin",
				"end_date",
				"last_checkin_reminder",
				"end_reminder_sent",
			],
			order_by="name asc",
			limit=CHUNK,
		)
		if not rows:
			break
		after = rows[-1].name
		for row in rows:
			frappe.db.savepoint("ai_school_intervention_reminder")
			try:
				sent += remind(row, on_date)
			except Exception:
				frappe.db.rollback(save_point="ai_school_intervention_reminder")
				frappe.log_error(title=f"AI School: could not send the reminders of {row.name}")
		if commit:
			frappe.db.commit()
	return sent


def _activate_started(on_date) -> None:
	for name in frappe.get_all(
		INTERVENTION, filters={"status": "Planned", "start_date": ("<=", on_date)}, pluck="name"
	):
		frappe.db.set_value(INTERVENTION, name, "status", "Active")


def remind(row, on_date) -> int:
	"""Send one intervention's due reminders and remember them. Returns how many it sent."""
	from ai_school.core.insights.interventions import CHECKIN, ReminderState, due_reminders

	state = ReminderState(
		next_checkin=getdate(row.next_checkin) if row.next_checkin else None,
		end=getdate(row.end_date),
		last_checkin_reminder=getdate(row.last_checkin_reminder) if row.last_checkin_reminder else None,
		end_reminded=bool(row.end_reminder_sent),
	)
	reminders = due_reminders(state, on_date)
	for reminder in reminders:
		who = row.student_name or row.student
		if reminder.kind == CHECKIN:
			subject = _("Check-in due {0}: intervention for {1}").format(
				frappe.format(reminder.due, "Date"), who
			)
			frappe.db.set_value(
				INTERVENTION, row.name, "last_checkin_reminder", reminder.due, update_modified=False
			)
		else:
			subject = _("Intervention for {0} reaches its end date {1}: record the outcome").format(
				who, frappe.format(reminder.due, "Date")
			)
			frappe.db.set_value(INTERVENTION, row.name, "end_reminder_sent", 1, update_modified=False)
		_notify(row, subject)
	return len(reminders)


def _notify(row, subject: str) -> None:
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": row.owner_user,
			"type": "Alert",
			"document_type": INTERVENTION,
			"document_name": row.name,
			"subject": subject,
			"email_content": _("Goal: {0}").format(frappe.utils.escape_html(row.goal or "")),
		}
	).insert(ignore_permissions=True)
