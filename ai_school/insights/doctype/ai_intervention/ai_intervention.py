# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, getdate, today

from ai_school import education_data
from ai_school.core.insights.interventions import CADENCE_DAYS, MAX_WEEKS, end_date, next_checkin
from ai_school.insights import interventions
from ai_school.permissions import is_staff

CLOSED = ("Completed", "Discontinued")


class AIIntervention(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from ai_school.insights.doctype.ai_intervention_check_in.ai_intervention_check_in import (
			AIInterventionCheckin,
		)

		checkin_cadence: DF.Literal["Weekly", "Every 2 Weeks", "Every 4 Weeks"]
		checkins: DF.Table[AIInterventionCheckin]
		duration_weeks: DF.Int
		end_date: DF.Date | None
		end_reminder_sent: DF.Check
		goal: DF.SmallText
		last_checkin_reminder: DF.Date | None
		next_checkin: DF.Date | None
		outcome: DF.SmallText | None
		owner_user: DF.Link
		risk_score: DF.Float
		start_date: DF.Date
		status: DF.Literal["Planned", "Active", "Completed", "Discontinued"]
		strategies: DF.Text | None
		student: DF.Link
		student_name: DF.Data | None
		tier: DF.Literal["", "Low", "Medium", "High", "Critical"]
		trigger_factors: DF.SmallText | None
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		self.set_student_context()
		self.validate_owner()
		self.set_dates()
		self.set_checkins()
		self.validate_outcome()

	def after_insert(self):
		interventions.assign_owner(self)

	def on_update(self):
		if self.is_new() or self.flags.in_insert:
			return
		if self.has_value_changed("owner_user"):
			interventions.reassign_owner(self, self.get_doc_before_save().owner_user)
		if self.status in CLOSED and self.has_value_changed("status"):
			interventions.close_assignments(self)

	def set_student_context(self):
		"""The student's account (personal data requests); for a new intervention without them, the tier and
		risk factors of the student's profile as they stand now."""
		self.user = education_data.get_user_of_student(self.student)
		if self.is_new() and not self.trigger_factors:
			for fieldname, value in interventions.profile_snapshot(self.student).items():
				if not self.get(fieldname):
					self.set(fieldname, value)

	def validate_owner(self):
		"""The owner is a member of staff who may open this intervention (an instructor who teaches the
		student this year, or read-all staff): the ToDo and reminders would otherwise point at a record
		they cannot open."""
		owner = self.owner_user
		if not owner or not frappe.db.exists("User", {"name": owner, "enabled": 1}):
			frappe.throw(_("Choose an enabled user as the owner."), title=_("No Owner"))
		if not is_staff(owner) or not frappe.has_permission(self.doctype, "read", doc=self, user=owner):
			frappe.throw(
				_(
					"{0} cannot open this student's records: choose a member of staff who teaches {1} this "
					"year, or an academic administrator."
				).format(frappe.bold(owner), frappe.bold(self.student_name or self.student)),
				title=_("Owner Cannot See the Student"),
			)

	def set_dates(self):
		weeks = cint(self.duration_weeks)
		if not 1 <= weeks <= MAX_WEEKS:
			frappe.throw(
				_("The duration must be between 1 and {0} weeks.").format(MAX_WEEKS), title=_("Duration")
			)
		self.end_date = end_date(getdate(self.start_date), weeks)
		if self.has_value_changed("end_date") and not self.is_new():
			self.end_reminder_sent = 0  # extended or shortened: the new end date is reminded again
		if self.status == "Planned" and getdate(self.start_date) <= getdate(today()) and self.is_new():
			self.status = "Active"  # starting today (or backdated): no reason to wait for the daily job

	def set_checkins(self):
		for row in self.checkins:
			if not row.date:
				row.date = today()
			if getdate(row.date) > getdate(today()):
				frappe.throw(
					_("Check-in row {0}: a check-in cannot be dated in the future.").format(row.idx),
					title=_("Date in the Future"),
				)
			if not row.by or (row.is_new() and not self.flags.ignore_permissions):
				row.by = frappe.session.user  # who logged it, not whoever the form claims
			row.user = self.user
		self.next_checkin = next_checkin(
			getdate(self.start_date),
			CADENCE_DAYS[self.checkin_cadence],
			getdate(self.end_date),
			[getdate(row.date) for row in self.checkins],
		)

	def validate_outcome(self):
		if self.status in CLOSED and not (self.outcome or "").strip():
			frappe.throw(
				_("Record the outcome before setting the intervention to {0}.").format(_(self.status)),
				title=_("Outcome Missing"),
			)
