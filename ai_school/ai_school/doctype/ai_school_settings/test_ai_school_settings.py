# Copyright (c) 2026, ai_school contributors and Contributors
# See license.txt

from unittest.mock import patch

import frappe
import frappe.client
from frappe.tests.utils import FrappeTestCase

from ai_school.tests.utils import make_user

SECRET = "sk-or-test-0123456789abcdef"
# the site config flag documented in ai_school/llm.py
ALLOW_LOCAL_PROVIDER = "ai_school_allow_local_provider"
# public addresses written as IP literals, so the checks need no DNS
PUBLIC_PROVIDER = "https://8.8.8.8/api/v1"
OTHER_PUBLIC_PROVIDER = "https://1.1.1.1/v1"


class TestAISchoolSettings(FrappeTestCase):
	def setUp(self):
		flag = frappe.local.conf.get(ALLOW_LOCAL_PROVIDER)
		self.addCleanup(frappe.local.conf.__setitem__, ALLOW_LOCAL_PROVIDER, flag)
		frappe.local.conf[ALLOW_LOCAL_PROVIDER] = 0
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

	def test_a_new_pass_mark_queues_every_profile_again_and_other_changes_do_not(self):
		with patch("ai_school.insights.risk.queue_recompute_all") as queued:
			self.settings.max_tokens = (self.settings.max_tokens or 800) + 1
			self.settings.save()
			self.assertEqual(queued.call_count, 0)
			self.settings.pass_mark = 45 if self.settings.pass_mark != 45 else 55
			self.settings.save()
			self.assertEqual(queued.call_count, 1)

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

	# --- issue 9 item 2: keys that can't travel in a header are refused -------------------------------------

	def test_rejects_a_key_that_is_not_plain_ascii(self):
		self.settings.api_key = SECRET
		self.settings.save()
		for pasted in (SECRET[:6] + "\u200b" + SECRET[6:], SECRET[:6] + " " + SECRET[6:], SECRET + "é"):
			settings = frappe.get_single("AI School Settings")
			settings.api_key = pasted
			with self.assertRaisesRegex(frappe.ValidationError, "was not saved") as raised:
				settings.save()
			self.assertNotIn(SECRET[6:], str(raised.exception))
		self.assertEqual(frappe.get_single("AI School Settings").get_password("api_key"), SECRET)

	def test_surrounding_whitespace_of_a_pasted_key_is_dropped(self):
		self.settings.api_key = f"  {SECRET}\n"
		self.settings.save()
		self.assertEqual(frappe.get_single("AI School Settings").get_password("api_key"), SECRET)

	# --- issue 9 item 3: the key can't be redirected ---------------------------------------------------------

	def test_provider_must_be_https_on_a_public_address(self):
		for url, problem in (
			("http://8.8.8.8/api/v1", "must use https"),
			("https://127.0.0.1:8000/v1", "private, loopback or link-local"),
			("https://10.20.30.40/v1", "private, loopback or link-local"),
			("https://169.254.169.254/latest", "private, loopback or link-local"),
			("https://[::1]/v1", "private, loopback or link-local"),
			("https://key:secret@8.8.8.8/v1", "user name or password"),
		):
			settings = frappe.get_single("AI School Settings")
			settings.provider_base_url = url
			with self.assertRaisesRegex(frappe.ValidationError, problem):
				settings.save()
		self.settings.provider_base_url = PUBLIC_PROVIDER
		self.settings.save()

	def test_site_config_flag_allows_a_local_provider(self):
		frappe.local.conf[ALLOW_LOCAL_PROVIDER] = 1
		self.settings.provider_base_url = "http://127.0.0.1:8000/v1"
		self.settings.save()
		self.assertEqual(
			frappe.db.get_single_value("AI School Settings", "provider_base_url"), "http://127.0.0.1:8000/v1"
		)

	def stored_key(self):
		return frappe.get_single("AI School Settings").get_password("api_key", raise_exception=False)

	def save_as(self, user, **values):
		frappe.set_user(user)
		settings = frappe.get_single("AI School Settings")
		settings.update(values)
		settings.save()
		frappe.set_user("Administrator")

	def store_key_for(self, url):
		self.settings.provider_base_url = url
		self.settings.api_key = SECRET
		self.settings.save()
		self.assertEqual(self.stored_key(), SECRET)

	def test_education_manager_moving_the_provider_to_another_host_removes_the_key(self):
		self.store_key_for(PUBLIC_PROVIDER)
		manager = make_user(("Education Manager",))

		self.save_as(manager, provider_base_url="https://8.8.8.8/api/v2")  # same host: the key stays
		self.assertEqual(self.stored_key(), SECRET)

		self.save_as(manager, provider_base_url=OTHER_PUBLIC_PROVIDER)
		self.assertIsNone(self.stored_key())
		self.assertEqual(
			frappe.db.get_single_value("AI School Settings", "provider_base_url"), OTHER_PUBLIC_PROVIDER
		)

	def test_a_port_or_scheme_change_is_another_destination(self):
		self.store_key_for(PUBLIC_PROVIDER)
		self.save_as(make_user(("Education Manager",)), provider_base_url="https://8.8.8.8:8443/api/v1")
		self.assertIsNone(self.stored_key())

	def test_education_manager_may_bring_a_new_key_with_a_new_provider(self):
		self.store_key_for(PUBLIC_PROVIDER)
		self.save_as(
			make_user(("Education Manager",)),
			provider_base_url=OTHER_PUBLIC_PROVIDER,
			api_key="sk-other-key-42",
		)
		self.assertEqual(self.stored_key(), "sk-other-key-42")

	def test_system_manager_may_move_the_provider_with_its_key(self):
		self.store_key_for(PUBLIC_PROVIDER)
		self.save_as(make_user(("System Manager",)), provider_base_url=OTHER_PUBLIC_PROVIDER)
		self.assertEqual(self.stored_key(), SECRET)
