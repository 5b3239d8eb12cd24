# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document

from ai_school.permissions import protect_computed_fields

# written by the tutor service only: the conversation, its review and the mode the school chose
COMPUTED_FIELDS = ("messages", "summary", "safety_flags", "status", "integrity_mode")


class AIChatSession(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from ai_school.tutor.doctype.ai_chat_message.ai_chat_message import AIChatMessage

		course: DF.Link | None
		integrity_mode: DF.Literal["Guided", "Hint Only", "Open"]
		messages: DF.Table[AIChatMessage]
		safety_flags: DF.JSON | None
		status: DF.Literal["Active", "Closed", "Flagged", "Archived"]
		student: DF.Link
		student_name: DF.Data | None
		summary: DF.SmallText | None
		topic: DF.Data | None
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		protect_computed_fields(self, COMPUTED_FIELDS)
		self.validate_safety_flags()
		self.set_message_users()

	def validate_safety_flags(self):
		if not self.safety_flags:
			return
		flags = self.safety_flags
		if isinstance(flags, str):
			try:
				flags = json.loads(flags)
			except ValueError:
				flags = None
		if not isinstance(flags, list) or not all(isinstance(flag, str) for flag in flags):
			frappe.throw(_('Safety Flags must be a JSON list of short texts, e.g. ["answer-seeking"].'))
		self.safety_flags = json.dumps(flags)

	def set_message_users(self):
		# personal data requests find the messages by the chatting account, as they find the session
		for row in self.messages:
			row.user = self.user
