# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.utils import cint

ERROR_MESSAGE_LIMIT = 500


class AIEngagementLog(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		error_message: DF.SmallText | None
		feature: DF.Literal["Tutor", "Insights", "Timetable", "Teacher Tools", "Other"]
		integrity_mode: DF.Literal["", "Guided", "Hint Only", "Open"]
		latency_ms: DF.Int
		model: DF.Data | None
		outcome: DF.Literal["ok", "fallback", "error", "blocked"]
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		student: DF.Link | None
		tokens_in: DF.Int
		tokens_out: DF.Int
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		self.clamp_usage()
		self.trim_error_message()

	def clamp_usage(self):
		for fieldname in ("tokens_in", "tokens_out", "latency_ms"):
			self.set(fieldname, max(cint(self.get(fieldname)), 0))

	def trim_error_message(self):
		# a reason for the log reader, not a dump: provider errors can echo the prompt back
		if self.error_message and len(self.error_message) > ERROR_MESSAGE_LIMIT:
			self.error_message = self.error_message[: ERROR_MESSAGE_LIMIT - 1] + "…"


def on_doctype_update():
	# The daily budget refill and usage reads filter the log by date. Frappe adds this index (named `creation`,
	# as here) only when it alters a table sorted by creation, never when it creates one, so a fresh install
	# would go without it.
	frappe.db.add_index("AI Engagement Log", ["creation"], index_name="creation")
