# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

from urllib.parse import urlparse

import frappe
from frappe import _
from frappe.model.document import Document

# (lowest, highest) accepted value of each numeric setting
LIMITS = {
	"request_timeout": (1, 300),
	"max_tokens": (1, 100_000),
	"daily_message_budget": (0, 10_000),
	"daily_token_budget": (0, 100_000_000),
	"chat_retention_days": (0, 3650),
	"pass_mark": (0, 100),
}


class AISchoolSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from ai_school.ai_school.doctype.ai_fallback_model.ai_fallback_model import AIFallbackModel

		api_key: DF.Password | None
		chat_retention_days: DF.Int
		daily_message_budget: DF.Int
		daily_token_budget: DF.Int
		enable_insights: DF.Check
		enable_teacher_tools: DF.Check
		enable_timetable: DF.Check
		enable_tutor: DF.Check
		fallback_models: DF.Table[AIFallbackModel]
		max_tokens: DF.Int
		pass_mark: DF.Percent
		primary_model: DF.Data
		provider_base_url: DF.Data
		request_timeout: DF.Int
	# end: auto-generated types

	def validate(self):
		self.validate_provider_url()
		self.validate_limits()
		self.validate_models()

	def validate_provider_url(self):
		url = (self.provider_base_url or "").strip().rstrip("/")
		parsed = urlparse(url)
		if parsed.scheme not in ("http", "https") or not parsed.netloc:
			frappe.throw(
				_("Provider Base URL must be a web address such as https://openrouter.ai/api/v1."),
				title=_("Invalid Provider URL"),
			)
		self.provider_base_url = url

	def validate_limits(self):
		for fieldname, (low, high) in LIMITS.items():
			value = self.get(fieldname)
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
