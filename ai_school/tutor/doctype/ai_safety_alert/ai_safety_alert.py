# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

OPEN, ACKNOWLEDGED, RESOLVED, FALSE_ALARM = "Open", "Acknowledged", "Resolved", "False Alarm"
CLOSED = (RESOLVED, FALSE_ALARM)

# where an alert may go next; resolving or dismissing an open alert also acknowledges it
TRANSITIONS = {
	OPEN: (ACKNOWLEDGED, RESOLVED, FALSE_ALARM),
	ACKNOWLEDGED: (RESOLVED, FALSE_ALARM),
	RESOLVED: (),
	FALSE_ALARM: (),
}

# written by the tutor's safety routing (ai_school/tutor/safety.py) and the follow-up stamps below: a desk or
# REST save can change only the status (through its transitions) and the notes
SYSTEM_FIELDS = (
	"student",
	"student_name",
	"user",
	"course",
	"session",
	"message",
	"category",
	"tier",
	"severity",
	"source",
	"excerpt",
	"signals",
	"acknowledged_by",
	"acknowledged_on",
	"resolved_by",
	"resolved_on",
)


class AISafetyAlert(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		acknowledged_by: DF.Link | None
		acknowledged_on: DF.Datetime | None
		category: DF.Literal["self_harm", "abuse", "violence"]
		course: DF.Link | None
		excerpt: DF.SmallText | None
		message: DF.Data | None
		notes: DF.SmallText | None
		resolved_by: DF.Link | None
		resolved_on: DF.Datetime | None
		session: DF.Link | None
		severity: DF.Literal["Low", "High"]
		signals: DF.SmallText | None
		source: DF.Literal["Student message", "Model reply"]
		status: DF.Literal["Open", "Acknowledged", "Resolved", "False Alarm"]
		student: DF.Link
		student_name: DF.Data | None
		tier: DF.Int
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		before = None if self.is_new() else self.get_doc_before_save()
		if before is not None:
			self.keep_system_fields(before)
			self.validate_transition(before.status)
		self.stamp_follow_up(before.status if before is not None else None)

	def keep_system_fields(self, before):
		for fieldname in SYSTEM_FIELDS:
			self.set(fieldname, before.get(fieldname))

	def validate_transition(self, previous: str):
		if self.status == previous:
			return
		if self.status not in TRANSITIONS.get(previous, ()):
			frappe.throw(
				_("A safety alert that is {0} cannot be set to {1}.").format(_(previous), _(self.status)),
				frappe.ValidationError,
				title=_("Not Allowed"),
			)
		if self.status == RESOLVED and not (self.notes or "").strip():
			frappe.throw(
				_("Write in the notes what was done before resolving the alert."),
				frappe.ValidationError,
				title=_("Notes Needed"),
			)

	def stamp_follow_up(self, previous: str | None):
		if self.status == previous or self.status == OPEN:
			return
		now, user = now_datetime(), frappe.session.user
		if not self.acknowledged_by:
			self.acknowledged_by, self.acknowledged_on = user, now
		if self.status in CLOSED and not self.resolved_by:
			self.resolved_by, self.resolved_on = user, now
