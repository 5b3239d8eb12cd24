# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from ai_school import education_data
from ai_school.guardians import preferences


class AIGuardianPreference(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attendance_channel: DF.Literal["Instant", "Digest", "Off"]
		guardian: DF.Link
		guardian_name: DF.Data | None
		insights_channel: DF.Literal["Instant", "Digest", "Off"]
		language: DF.Link | None
		results_channel: DF.Literal["Instant", "Digest", "Off"]
		safety_channel: DF.Literal["Instant", "Digest", "Off"]
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		self.set_guardian_account()
		self.set_default_language()
		self.validate_channels()

	def set_guardian_account(self):
		contact = education_data.get_guardian_contacts([self.guardian]).get(self.guardian)
		if not contact:
			frappe.throw(_("Guardian {0} does not exist.").format(self.guardian))
		self.guardian_name = contact.guardian_name
		# permissions and personal data requests find the record by the guardian's account
		self.user = contact.user

	def set_default_language(self):
		if not self.language:
			self.language = preferences.default_language(self.user)

	def validate_channels(self):
		preferences.validate_channels(
			{kind: self.get(fieldname) for kind, fieldname in preferences.KINDS.items()}
		)
