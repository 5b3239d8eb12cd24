# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""AI School Settings: the provider, its key, limits and feature switches.

Who may send the key where: the key is only ever sent to the Provider Base URL, so

- the URL must be https on a public address (site config ``ai_school_allow_local_provider`` lifts this for
  tests and self-hosted models), checked whenever it changes and again by the gateway on every call;
- moving the URL to another host (scheme, host or port) removes the stored key unless a System Manager makes
  the change or a new key is entered with it: an Education Manager, who may edit these settings, can point
  the app at another provider but can't send the school's existing key there;
- a key must be plain ASCII without spaces (it travels in an HTTP header); a key pasted with an invisible
  character is refused with a message that says where, never what.
"""

import frappe
from frappe import _
from frappe.model.document import Document

from ai_school.core.llm import api_key_problem, destination, provider_url_problem
from ai_school.llm import DEFAULT_CALL_DEADLINE, allow_local_provider

KEY_REDIRECTORS = ("System Manager",)

# minutes around an assessment in which the tutor does not help on its course (0 is a valid setting)
DEFAULT_ASSESSMENT_MARGIN = 15

# (lowest, highest) accepted value of each numeric setting
LIMITS = {
	"request_timeout": (1, 300),
	"call_deadline": (5, 900),
	"max_tokens": (1, 100_000),
	"daily_message_budget": (0, 10_000),
	"daily_token_budget": (0, 100_000_000),
	"chat_retention_days": (0, 3650),
	"pass_mark": (0, 100),
	"assessment_margin_minutes": (0, 24 * 60),
	"timetable_memory_mb": (0, 16_384),
}


class AISchoolSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from ai_school.ai_school.doctype.ai_fallback_model.ai_fallback_model import AIFallbackModel
		from ai_school.ai_school.doctype.ai_safeguarding_contact.ai_safeguarding_contact import (
			AISafeguardingContact,
		)

		api_key: DF.Password | None
		assessment_margin_minutes: DF.Int
		call_deadline: DF.Int
		chat_retention_days: DF.Int
		daily_message_budget: DF.Int
		daily_token_budget: DF.Int
		digest_weekday: DF.Literal[
			"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
		]
		enable_insights: DF.Check
		enable_teacher_tools: DF.Check
		enable_timetable: DF.Check
		enable_tutor: DF.Check
		fallback_models: DF.Table[AIFallbackModel]
		guardian_tutor_transcripts: DF.Check
		help_contacts: DF.SmallText | None
		max_tokens: DF.Int
		pass_mark: DF.Percent
		primary_model: DF.Data
		provider_base_url: DF.Data
		request_timeout: DF.Int
		safeguarding_contacts: DF.TableMultiSelect[AISafeguardingContact]
		share_risk_with_guardians: DF.Check
		share_risk_with_students: DF.Check
		timetable_memory_mb: DF.Int
	# end: auto-generated types

	def on_update(self):
		if self.has_value_changed("pass_mark"):
			# which results fail changed: profiles and the panels' trajectories would disagree until tonight
			from ai_school.insights.risk import queue_recompute_all

			queue_recompute_all()

	def validate(self):
		self.validate_provider_url()
		self.validate_api_key()
		self.protect_api_key_destination()
		self.validate_limits()
		self.validate_models()

	def validate_provider_url(self):
		self.provider_base_url = (self.provider_base_url or "").strip().rstrip("/")
		if not (self.is_new() or self.has_value_changed("provider_base_url")):
			return  # resolving the host costs a DNS lookup; the gateway checks again on every call
		problem = provider_url_problem(self.provider_base_url, allow_local=allow_local_provider())
		if problem:
			frappe.throw(
				_("Provider Base URL: {0}.").format(problem[0].upper() + problem[1:]),
				title=_("Invalid Provider URL"),
			)

	def validate_api_key(self):
		if not self.new_api_key_entered():
			return
		self.api_key = self.api_key.strip()
		problem = api_key_problem(self.api_key)
		if problem:
			frappe.throw(
				_("The API Key was not saved: {0}. Copy it again from the provider and paste it.").format(
					problem
				),
				title=_("Invalid API Key"),
			)

	def protect_api_key_destination(self):
		"""Remove the stored key when the URL moves to another host, unless a System Manager moves it or
		a new key comes with the new address."""
		before = self.get_doc_before_save()
		if not before or destination(before.provider_base_url) == destination(self.provider_base_url):
			return
		if set(KEY_REDIRECTORS) & set(frappe.get_roles()) or self.new_api_key_entered():
			return
		if not before.get_password("api_key", raise_exception=False):
			return
		self.api_key = None  # Document._save_passwords removes the stored key
		frappe.msgprint(
			_(
				"The Provider Base URL now points to another host, so the stored API key was removed. "
				"Enter the key for the new provider."
			),
			title=_("API Key Removed"),
			indicator="orange",
		)

	def new_api_key_entered(self) -> bool:
		"""True when ``api_key`` holds a key typed in this save (a stored one reads as asterisks)."""
		return bool(self.api_key) and not self.is_dummy_password(self.api_key)

	def validate_limits(self):
		# added after sites were set up: a Single's new field starts empty, not at its default
		self.call_deadline = self.call_deadline or DEFAULT_CALL_DEADLINE
		if self.get("assessment_margin_minutes") in (None, ""):
			self.assessment_margin_minutes = DEFAULT_ASSESSMENT_MARGIN
		for fieldname, (low, high) in LIMITS.items():
			value = self.get(fieldname) or 0  # a blank number field
			if not low <= value <= high:
				frappe.throw(
					_("{0} must be between {1} and {2}; it is {3}.").format(
						_(self.meta.get_label(fieldname)), low, high, value
					),
					title=_("Value Out of Range"),
				)

	def validate_models(self):
		self.primary_model = (self.primary_model or "").strip()
		if not self.primary_model:
			frappe.throw(_("Set the Primary Model, e.g. openai/gpt-4o-mini."))
		seen = {self.primary_model}
		for row in self.fallback_models:
			row.model = (row.model or "").strip()
			if row.model in seen:
				frappe.throw(
					_("Fallback Models row {0}: {1} is already listed above.").format(row.idx, row.model),
					title=_("Duplicate Model"),
				)
			seen.add(row.model)

	def get_model_chain(self) -> list[str]:
		"""Models to try, in order: the primary one, then each fallback."""
		return [self.primary_model, *(row.model for row in self.fallback_models)]
