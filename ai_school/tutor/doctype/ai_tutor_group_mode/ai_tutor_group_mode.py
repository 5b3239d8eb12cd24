# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from ai_school import education_data
from ai_school.permissions import may_set_group_mode

MAX_REASON_CHARS = 300  # the student reads it next to the mode badge


class AITutorGroupMode(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		academic_year: DF.Link | None
		course: DF.Link | None
		from_date: DF.Date
		mode: DF.Literal["Guided", "Restricted", "Blocked"]
		reason: DF.SmallText
		set_by: DF.Link | None
		student_group: DF.Link
		to_date: DF.Date
	# end: auto-generated types

	def validate(self):
		self.check_group_taught()
		self.validate_dates()
		self.set_course()
		self.validate_reason()
		self.set_set_by()

	def check_group_taught(self):
		"""Instructors set modes for the groups they teach this academic year only (the record rules hide the
		others too; this says why on a save)."""
		if self.flags.ignore_permissions or may_set_group_mode(self.student_group):
			return
		frappe.throw(
			_("You can set the tutor's mode only for groups you teach this academic year, not {0}.").format(
				frappe.bold(self.student_group)
			),
			frappe.PermissionError,
			title=_("Not Your Group"),
		)

	def validate_dates(self):
		if getdate(self.to_date) < getdate(self.from_date):
			frappe.throw(_("To Date can't be before From Date."), frappe.ValidationError)

	def set_course(self):
		# a course group's mode is about its course only, or it would reach the students' other courses
		[group] = education_data.get_student_group_details([self.student_group]) or [frappe._dict()]
		if group.get("course"):
			self.course = group.course

	def validate_reason(self):
		self.reason = (self.reason or "").strip()
		if not self.reason:
			frappe.throw(_("Say why, for the students: e.g. Coursework week."), frappe.ValidationError)
		if len(self.reason) > MAX_REASON_CHARS:
			frappe.throw(
				_(
					"Keep the reason under {0} characters; the students read it next to the tutor's mode."
				).format(MAX_REASON_CHARS),
				frappe.ValidationError,
			)

	def set_set_by(self):
		if self.is_new() or any(
			self.has_value_changed(field)
			for field in ("student_group", "course", "mode", "from_date", "to_date")
		):
			self.set_by = frappe.session.user
