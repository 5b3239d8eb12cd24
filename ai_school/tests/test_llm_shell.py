"""The Frappe side of the gateway against a real OpenAI-compatible HTTP server on 127.0.0.1: settings feed the
gateway, every call leaves an AI Engagement Log row, failures and budgets are reported in words, and the
API key never reaches a log row or an error."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school import llm
from ai_school.api.settings import test_connection
from ai_school.tests.utils import make_student

SECRET = "sk-test-never-shown-1234567890"


class Provider(BaseHTTPRequestHandler):
	"""Answers every chat completion with `status`; records the requests it saw."""

	status = 200
	seen: list = []

	def do_POST(self):
		body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
		type(self).seen.append({"model": body["model"], "authorization": self.headers.get("Authorization")})
		if self.status != 200:
			payload = {"error": {"message": f"upstream failed for key {SECRET}"}}
		else:
			payload = {
				"model": body["model"],
				"choices": [{"message": {"role": "assistant", "content": "OK"}, "finish_reason": "stop"}],
				"usage": {"prompt_tokens": 12, "completion_tokens": 1},
			}
		data = json.dumps(payload).encode()
		self.send_response(self.status)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		self.end_headers()
		self.wfile.write(data)

	def log_message(self, *args):
		pass


class TestLLMShell(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()
		cls.saved = frappe.get_single("AI School Settings").as_dict()

	@classmethod
	def tearDownClass(cls):
		cls.server.shutdown()
		cls.server.server_close()
		settings = frappe.get_single("AI School Settings")
		for field in ("provider_base_url", "primary_model", "daily_message_budget", "enable_tutor"):
			settings.set(field, cls.saved[field])
		settings.set("fallback_models", [{"model": row.model} for row in cls.saved.fallback_models])
		settings.api_key = None
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		Provider.status = 200
		Provider.seen = []
		settings = frappe.get_single("AI School Settings")
		settings.provider_base_url = f"http://127.0.0.1:{self.server.server_port}/v1"
		settings.api_key = SECRET
		settings.primary_model = "test/primary"
		settings.set("fallback_models", [{"model": "test/backup"}])
		settings.daily_message_budget = 50
		settings.enable_tutor = 1
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		self.started = frappe.utils.now()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		# refused and failed calls commit their log row on purpose (see ai_school.llm); remove those too
		frappe.db.delete("AI Engagement Log", {"creation": [">=", self.started]})
		frappe.db.commit()

	def delete_committed_student(self, student):
		frappe.set_user("Administrator")
		frappe.delete_doc("Student", student.name, force=True, ignore_permissions=True)
		frappe.delete_doc("User", student.user, force=True, ignore_permissions=True)
		frappe.db.commit()

	def logs(self):
		return frappe.get_all(
			"AI Engagement Log",
			filters={"creation": [">=", self.started]},
			fields=["feature", "outcome", "model", "tokens_in", "tokens_out", "student", "error_message"],
			order_by="creation asc",
		)

	def test_connection_reaches_the_provider_and_logs_usage(self):
		result = test_connection()
		self.assertEqual(result["model"], "test/primary")
		self.assertEqual(result["reply"], "OK")
		self.assertEqual(Provider.seen, [{"model": "test/primary", "authorization": f"Bearer {SECRET}"}])
		(log,) = self.logs()
		self.assertEqual(
			(log.outcome, log.model, log.tokens_in, log.tokens_out), ("ok", "test/primary", 12, 1)
		)

	def test_failure_falls_back_then_reports_in_words_and_hides_the_key(self):
		Provider.status = 500
		with self.assertRaises(llm.AIUnavailableError) as raised:
			test_connection()
		self.assertEqual([s["model"] for s in Provider.seen][-1], "test/backup")
		self.assertIn("unavailable", str(raised.exception).lower())
		self.assertNotIn(SECRET, str(raised.exception))
		(log,) = self.logs()
		self.assertEqual(log.outcome, "error")
		self.assertNotIn(SECRET, log.error_message)

	def test_only_settings_managers_may_test_the_connection(self):
		student = make_student()
		frappe.set_user(student.user)
		with self.assertRaises(frappe.PermissionError):
			test_connection()
		self.assertEqual(Provider.seen, [])

	def test_student_daily_budget_blocks_further_calls(self):
		student = make_student()
		self.addCleanup(self.delete_committed_student, student)
		frappe.db.set_single_value("AI School Settings", "daily_message_budget", 1)
		messages = [{"role": "user", "content": "What is a prime number?"}]
		llm.complete("Tutor", messages, student=student.name)
		with self.assertRaises(llm.AIBudgetExceededError):
			llm.complete("Tutor", messages, student=student.name)
		self.assertEqual(len(Provider.seen), 1)
		self.assertEqual(
			[(log.outcome, log.student) for log in self.logs()],
			[("ok", student.name), ("blocked", student.name)],
		)

	def test_switched_off_feature_is_refused_before_any_call(self):
		frappe.db.set_single_value("AI School Settings", "enable_tutor", 0)
		with self.assertRaises(frappe.ValidationError):
			llm.complete("Tutor", [{"role": "user", "content": "hi"}])
		self.assertEqual(Provider.seen, [])
