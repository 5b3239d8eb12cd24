# Copyright (c) 2026, ai_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from ai_school.core.timetable.cover import minutes

# set only by ai_school.timetable.absence (propose / apply / cancel)
SERVER_FIELDS = ("status", "affected_count", "uncovered_count", "applied_on", "applied_by")
# what the proposal was computed for: changing any of it makes the proposal worthless
PROPOSAL_INPUTS = ("instructor", "from_date", "to_date", "whole_day", "from_time", "to_time")


class InstructorAbsence(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from ai_school.timetable.doctype.instructor_absence_cover.instructor_absence_cover import (
			InstructorAbsenceCover,
		)

		academic_term: DF.Link | None
		affected_count: DF.Int
		applied_by: DF.Link | None
		applied_on: DF.Datetime | None
		covers: DF.Table[InstructorAbsenceCover]
		from_date: DF.Date
		from_time: DF.Time | None
		instructor: DF.Link
		instructor_name: DF.Data | None
		reason: DF.SmallText | None
		status: DF.Literal["Draft", "Proposed", "Applied", "Cancelled"]
		to_date: DF.Date
		to_time: DF.Time | None
		uncovered_count: DF.Int
		whole_day: DF.Check
	# end: auto-generated types

	def validate(self):
		self.keep_server_fields()
		self.validate_dates()
		self.validate_no_overlap()
		self.validate_covers()

	def on_trash(self):
		if self.status == "Applied":
			frappe.throw(_("Cancel an applied absence first: that puts its lessons back."))

	def keep_server_fields(self):
		if self.flags.from_cover_service:
			return
		before = self.get_doc_before_save()
		if before is None:
			for field in SERVER_FIELDS:
				self.set(field, None)
			self.status = "Draft"
			self.set("covers", [])
			return
		if before.status in ("Applied", "Cancelled"):
			frappe.throw(
				_("This absence is {0} and can no longer be edited.").format(_(before.status).lower()),
				frappe.ValidationError,
			)
		for field in SERVER_FIELDS:
			self.set(field, before.get(field))
		if any(self.has_value_changed(field) for field in PROPOSAL_INPUTS):
			self.set("covers", [])
			self.status = "Draft"
		statuses = {row.name: row.cover_status for row in before.covers}
		for row in self.covers:
			row.cover_status = statuses.get(row.name, "Proposed")

	def validate_dates(self):
		if getdate(self.to_date) < getdate(self.from_date):
			frappe.throw(_("To Date cannot be before From Date."), frappe.ValidationError)
		if self.whole_day:
			self.from_time = self.to_time = None
		elif not (self.from_time and self.to_time) or minutes(self.to_time) <= minutes(self.from_time):
			frappe.throw(_("Give a From Time before the To Time, or tick Whole Day."), frappe.ValidationError)

	def validate_no_overlap(self):
		if self.status == "Cancelled":
			return
		others = frappe.get_all(
			"Instructor Absence",
			filters={
				"instructor": self.instructor,
				"status": ("!=", "Cancelled"),
				"from_date": ("<=", self.to_date),
				"to_date": (">=", self.from_date),
				"name": ("!=", self.name),
			},
			fields=["name", "whole_day", "from_time", "to_time"],
		)
		for other in others:
			if self.whole_day or other.whole_day or _times_overlap(self, other):
				frappe.throw(
					_("{0} already has an absence at that time: {1}.").format(
						self.instructor_name or self.instructor, other.name
					),
					frappe.ValidationError,
				)

	def validate_covers(self):
		for row in self.covers:
			if row.action == "Substitute":
				if not row.substitute:
					frappe.throw(_("Row {0}: choose the substitute.").format(row.idx), frappe.ValidationError)
				if row.substitute == self.instructor:
					frappe.throw(
						_("Row {0}: the absent instructor cannot cover their own lesson.").format(row.idx),
						frappe.ValidationError,
					)
			elif row.action == "Move":
				if not (row.new_date and row.new_from_time and row.new_to_time):
					frappe.throw(
						_("Row {0}: give the new date and times.").format(row.idx), frappe.ValidationError
					)
				if minutes(row.new_to_time) <= minutes(row.new_from_time):
					frappe.throw(
						_("Row {0}: the new From time must be before the To time.").format(row.idx),
						frappe.ValidationError,
					)


def _times_overlap(first, second) -> bool:
	return minutes(first.from_time) < minutes(second.to_time) and minutes(second.from_time) < minutes(
		first.to_time
	)
