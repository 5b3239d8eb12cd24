"""Safety alerts for staff: list them (open first), read one with its message, acknowledge, resolve with notes,
mark a false alarm.

Who sees which alert is decided by ai_school/permissions.py (instructors: the students they teach this academic
year; safeguarding contacts, Education Manager, System Manager: all); students and guardians none. Changes are
POST and go through the AI Safety Alert controller (transitions, who/when stamps).
"""

import frappe
from frappe import _
from frappe.utils import cint

from ai_school.tutor.doctype.ai_safety_alert.ai_safety_alert import (
	ACKNOWLEDGED,
	CLOSED,
	FALSE_ALARM,
	OPEN,
	RESOLVED,
)

ALERT = "AI Safety Alert"
MESSAGE = "AI Chat Message"
MAX_NOTES = 4000
MAX_PAGE = 200
STATUS_FILTERS = {
	"open": [OPEN, ACKNOWLEDGED],
	"closed": [RESOLVED, FALSE_ALARM],
	"all": [OPEN, ACKNOWLEDGED, RESOLVED, FALSE_ALARM],
}
FIELDS = [
	"name",
	"student",
	"student_name",
	"course",
	"session",
	"message",
	"category",
	"tier",
	"severity",
	"source",
	"status",
	"excerpt",
	"creation",
	"acknowledged_by",
	"acknowledged_on",
	"resolved_by",
	"resolved_on",
	"notes",
]


@frappe.whitelist()
def list_alerts(status: str = "open", student: str | None = None, start: int = 0, page_length: int = 50):
	"""The alerts the user may see: Open before Acknowledged (before closed ones), tier 2 before tier 1,
	newest first. ``status``: open (Open and Acknowledged, the default), closed (Resolved, False Alarm), all."""
	_only_staff()
	statuses = STATUS_FILTERS.get((status or "open").lower())
	if statuses is None:
		frappe.throw(
			_("Status must be one of: {0}.").format(", ".join(STATUS_FILTERS)),
			frappe.ValidationError,
		)
	filters = {"status": ("in", statuses)}
	if student:
		filters["student"] = student
	start, page_length = max(cint(start), 0), min(max(cint(page_length), 1), MAX_PAGE)
	rows = frappe.get_list(
		ALERT, filters=filters, fields=FIELDS, order_by="creation desc", limit_page_length=0
	)
	# open first, then the higher tier, then the newest (sorted here: one school's alerts, newest first already)
	order = {OPEN: 0, ACKNOWLEDGED: 1, RESOLVED: 2, FALSE_ALARM: 2}
	rows.sort(key=lambda row: (order[row.status], -cint(row.tier)))
	return {"alerts": rows[start : start + page_length], "total": len(rows)}


@frappe.whitelist()
def get_alert(alert: str):
	"""One alert with the student's message it is about and the reply the student was shown."""
	doc = _load(alert, "read")
	message = frappe.db.get_value(
		MESSAGE, doc.message, ["name", "idx", "role", "content", "timestamp", "parent"], as_dict=True
	)
	if message and message.parent != doc.session:
		message = None
	reply = None
	if message:
		reply = frappe.db.get_value(
			MESSAGE,
			{"parent": doc.session, "parenttype": "AI Chat Session", "reply_to": message.name},
			["name", "idx", "content", "timestamp"],
			as_dict=True,
		)
	values = {field: doc.get(field) for field in FIELDS}
	return {
		"alert": values,
		"message": _message(message),
		"reply_shown": _message(reply),
		"can_change": doc.status not in CLOSED and doc.has_permission("write"),
	}


@frappe.whitelist(methods=["POST"])
def acknowledge(alert: str):
	"""Open -> Acknowledged: someone has seen it and is following it up."""
	doc = _load(alert, "write")
	if doc.status != OPEN:
		frappe.throw(
			_("Only an open alert can be acknowledged: this one is {0}.").format(_(doc.status)),
			frappe.ValidationError,
			title=_("Not Open"),
		)
	doc.status = ACKNOWLEDGED
	doc.save()
	return _summary(doc)


@frappe.whitelist(methods=["POST"])
def resolve(alert: str, notes: str):
	"""Open or Acknowledged -> Resolved, with notes on what was done (required)."""
	doc = _load(alert, "write")
	_check_open(doc)
	notes = _clean_notes(notes)
	if not notes:
		frappe.throw(
			_("Write in the notes what was done before resolving the alert."),
			frappe.ValidationError,
			title=_("Notes Needed"),
		)
	_add_notes(doc, notes)
	doc.status = RESOLVED
	doc.save()
	return _summary(doc)


@frappe.whitelist(methods=["POST"])
def mark_false_alarm(alert: str, notes: str = ""):
	"""Open or Acknowledged -> False Alarm: the message was not a safety concern (notes optional)."""
	doc = _load(alert, "write")
	_check_open(doc)
	_add_notes(doc, _clean_notes(notes))
	doc.status = FALSE_ALARM
	doc.save()
	return _summary(doc)


# --- helpers ---------------------------------------------------------------------------------------------


def _only_staff():
	if frappe.session.user == "Guest" or not frappe.has_permission(ALERT, "read"):
		frappe.throw(_("Only school staff can see safety alerts."), frappe.PermissionError)


def _load(alert: str, ptype: str):
	_only_staff()
	if not alert or not frappe.db.exists(ALERT, alert):
		frappe.throw(_("Safety alert {0} was not found.").format(alert), frappe.DoesNotExistError)
	doc = frappe.get_doc(ALERT, alert)
	if not doc.has_permission("read"):
		# the same answer as for an alert that does not exist: no hint about other students
		frappe.throw(_("Safety alert {0} was not found.").format(alert), frappe.DoesNotExistError)
	doc.check_permission(ptype)
	return doc


def _check_open(doc):
	if doc.status in CLOSED:
		frappe.throw(
			_("This alert is closed ({0}) and can't be changed any more.").format(_(doc.status)),
			frappe.ValidationError,
			title=_("Already Closed"),
		)


def _clean_notes(notes: str | None) -> str:
	notes = (notes or "").strip()
	if len(notes) > MAX_NOTES:
		frappe.throw(
			_("Notes can be at most {0} characters.").format(MAX_NOTES),
			frappe.ValidationError,
		)
	return notes


def _add_notes(doc, notes: str):
	if notes:
		doc.notes = f"{doc.notes.rstrip()}\n\n{notes}" if (doc.notes or "").strip() else notes


def _message(row):
	if not row:
		return None
	return {key: row.get(key) for key in ("name", "idx", "role", "content", "timestamp") if key in row}


def _summary(doc) -> dict:
	return {
		field: doc.get(field)
		for field in (
			"name",
			"status",
			"acknowledged_by",
			"acknowledged_on",
			"resolved_by",
			"resolved_on",
			"notes",
		)
	}
