# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

# severity on the early-warning features' scale (core.insights.records.Incident: 3 or more is serious)
SEVERITY_POINTS = {"Minor": 1, "Major": 3}


class BehaviourIncident(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action_taken: DF.SmallText | None
		category: DF.Literal[
			"Disruption",
			"Defiance",
			"Lateness",
			"Bullying",
			"Fighting",
			"Damage to Property",
			"Academic Dishonesty",
			"Misuse of Devices",
			"Other",
		]
		date: DF.Date
		description: DF.SmallText
		reported_by: DF.Link | None
		severity: DF.Literal["Minor", "Major"]
		status: DF.Literal["Open", "Resolved"]
		student: DF.Link
		student_name: DF.Data | None
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		self.set_reported_by()
		self.validate_date()

	def set_reported_by(self):
		# the reporter is whoever records the incident; it stays theirs when colleagues update it
		before = None if self.is_new() else self.get_doc_before_save()
		if before is not None:
			self.reported_by = before.reported_by
		elif not self.flags.ignore_permissions or not self.reported_by:
			self.reported_by = frappe.session.user

	def validate_date(self):
		if self.date and getdate(self.date) > getdate(today()):
			frappe.throw(
				_("An incident cannot be dated in the future ({0}).").format(
					frappe.format(self.date, "Date")
				),
				title=_("Date in the Future"),
			)
