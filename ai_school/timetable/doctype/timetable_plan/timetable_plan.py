# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import to_timedelta

# Written only by the solver, publisher and edit actions (which set flags.server_update), never by a form save.
SERVER_FIELDS = (
	"status",
	"solver_status",
	"time_to_first_solution",
	"wall_time",
	"objective",
	"lessons_moved",
	"hard_violations",
	"soft_cost",
	"solved_on",
	"violation_summary",
	"explanation",
	"published_from",
	"published_to",
	"published_count",
	"published_on",
	"publish_notes",
	"publish_status",
	"publish_progress",
	"publish_done",
	"publish_total",
	"publish_start",
	"publish_old_removed",
	"publish_run",
	"problem_json",
	"solution_json",
)
PREFERENCES_NEEDING_COURSE = ("Course in the morning",)


class TimetablePlan(Document):
	def validate(self):
		if not self.flags.server_update:
			self.keep_server_fields()
		self.validate_periods()
		self.validate_lessons()
		self.validate_unavailability()
		self.validate_preferences()
		self.validate_solver_settings()

	def keep_server_fields(self):
		before = self.get_doc_before_save()
		# The solve and publish jobs write these with db_set / set_value in their own transactions while the
		# form stays open; read their latest committed values (a locking read, as the save locks the row
		# anyway) rather than this request's possibly older snapshot, so a form save never rolls them back.
		latest = (
			frappe.db.get_value(self.doctype, self.name, SERVER_FIELDS, as_dict=True, for_update=True)
			if before
			else None
		)
		for field in SERVER_FIELDS:
			self.set(field, latest.get(field) if latest else None)
		self.status = self.status or "Draft"
		self.set("assignments", [row.as_dict() for row in before.assignments] if before else [])

	def validate_periods(self):
		if self.periods and all(row.is_break for row in self.periods):
			frappe.throw(_("The period template needs at least one teaching period"))
		for row in self.periods:
			if row.from_time and row.to_time and to_timedelta(row.from_time) >= to_timedelta(row.to_time):
				frappe.throw(_("Period {0}: From Time must be before To Time").format(row.period_label))

	def validate_lessons(self):
		seen = set()
		teaching = sum(1 for row in self.periods if not row.is_break) or 1
		for row in self.lessons:
			key = (row.student_group, row.course)
			if key in seen:
				frappe.throw(
					_("Row {0}: {1} / {2} appears twice").format(row.idx, row.student_group, row.course or "")
				)
			seen.add(key)
			if (row.periods_per_week or 0) < 0:
				frappe.throw(_("Row {0}: Periods per Week cannot be negative").format(row.idx))
			row.lesson_length = row.lesson_length or 1
			if not 1 <= row.lesson_length <= teaching:
				frappe.throw(_("Row {0}: Lesson Length must be between 1 and {1}").format(row.idx, teaching))
			if (row.min_days_apart or 0) < 0:
				frappe.throw(_("Row {0}: Min Days Apart cannot be negative").format(row.idx))

	def validate_unavailability(self):
		for row in self.unavailability:
			if row.period and not 0 < row.period <= len(self.periods):
				frappe.throw(
					_(
						"Unavailability row {0}: period must be between 1 and {1}, or 0 for the whole day"
					).format(row.idx, len(self.periods))
				)

	def validate_preferences(self):
		for row in self.preferences:
			if not 0 < (row.weight or 0) <= 100:
				frappe.throw(_("Preference row {0}: weight must be above 0 and at most 100").format(row.idx))
			if row.preference in PREFERENCES_NEEDING_COURSE and not row.course:
				frappe.throw(_("Preference row {0}: choose the course").format(row.idx))
			if (row.value or 0) < 0:
				frappe.throw(_("Preference row {0}: the limit cannot be negative").format(row.idx))

	def validate_solver_settings(self):
		self.time_limit = min(max(int(self.time_limit or 30), 1), 3600)
