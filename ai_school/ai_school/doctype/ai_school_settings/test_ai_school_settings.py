# Copyright (c) 2026, ai_school contributors and Contributors
# See license.txt

import frappe
import frappe.client
from frappe.tests.utils import FrappeTestCase

from ai_school.tests.utils import make_user

SECRET = "sk-or-test-0123456789abcdef"


class TestAISchoolSettings(FrappeTestCase):
	def setUp(self):
		self.settings = frappe.get_single("AI School Settings")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_defaults_are_valid_and_usable(self):
		settings = frappe.new_doc("AI School Settings")
		settings.validate()
		self.assertEqual(settings.provider_base_url, "https://openrouter.ai/api/v1")
		self.assertEqual(settings.get_model_chain(), ["openai/gpt-4o-mini"])
		self.assertTrue(settings.enable_tutor)

	def test_model_chain_keeps_fallback_order(self):
		self.settings.primary_model = "openai/gpt-4o-mini"
		self.settings.set("fallback_models", [])
		for model in ("anthropic/claude-3.5-haiku", "google/gemini-flash-1.5"):
			self.settings.append("fallback_models", {"model": model})
		self.settings.save()
		self.assertEqual(
			frappe.get_single("AI School Settings").get_model_chain(),
			["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku", "google/gemini-flash-1.5"],
		)

	def test_rejects_a_duplicate_fallback(self):
		self.settings.set("fallback_models", [{"model": self.settings.primary_model}])
		with self.assertRaisesRegex(frappe.ValidationError, "already listed"):
			self.settings.save()

	def test_rejects_out_of_range_limits(self):
		for fieldname, value in (("request_timeout", 0), ("pass_mark", 120), ("daily_message_budget", -1)):
			settings = frappe.get_single("AI School Settings")
			settings.set(fieldname, value)
			with self.assertRaisesRegex(frappe.ValidationError, "must be between"):
				settings.save()

	def test_rejects_a_provider_url_that_is_not_a_web_address(self):
		self.settings.provider_base_url = "openrouter.ai/api/v1"
		with self.assertRaisesRegex(frappe.ValidationError, "web address"):
			self.settings.save()

	def test_api_key_is_stored_encrypted_and_never_sent_to_readers(self):
		self.settings.api_key = SECRET
		self.settings.save()
		self.assertEqual(frappe.get_single("AI School Settings").get_password("api_key"), SECRET)
		self.assertNotIn(SECRET, str(frappe.db.get_single_value("AI School Settings", "api_key")))

		frappe.set_user(make_user(("Academics User",)))
		as_read = frappe.client.get("AI School Settings")
		self.assertNotIn(SECRET, frappe.as_json(as_read))
		self.assertFalse(as_read.get("api_key"))  # permlevel 1: hidden from readers without key access
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("AI School Settings", "AI School Settings", "primary_model", "x/y")
