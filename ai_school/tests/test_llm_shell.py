"""The Frappe side of the gateway against a real OpenAI-compatible HTTP server on 127.0.0.1: settings feed the
gateway, every call leaves an AI Engagement Log row, failures and budgets are reported in words, and the
API key never reaches a log row, an error or the Error Log.

The provider runs on 127.0.0.1 over http, which the address policy refuses; the site config flag
``ai_school_allow_local_provider`` is switched on for this process (and, in the threads of the race tests,
for theirs) and restored afterwards.
"""

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rq.job import Job, _job_stack

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.background_jobs import execute_job
from frappe.utils.password import set_encrypted_password

from ai_school import llm
from ai_school.api.settings import test_connection
from ai_school.tests.utils import make_student

SECRET = "sk-test-never-shown-1234567890"
# the site config flag documented in ai_school/llm.py
ALLOW_LOCAL_PROVIDER = "ai_school_allow_local_provider"
# as pasted from a web page: an invisible zero-width space inside the key
ZERO_WIDTH_SECRET = SECRET[:8] + "\u200b" + SECRET[8:]
QUESTION = [{"role": "user", "content": "What is a prime number?"}]


class Provider(BaseHTTPRequestHandler):
	"""Answers every chat completion with `status` after `delay` seconds, or drips a body that never ends
	(`drip`); records the requests it saw."""

	status = 200
	delay = 0.0
	drip = False
	seen: list = []
	stopping = threading.Event()

	def do_POST(self):
		body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
		type(self).seen.append({"model": body["model"], "authorization": self.headers.get("Authorization")})
		if self.drip:
			return self.drip_forever()
		if self.delay:
			self.stopping.wait(self.delay)
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

	def drip_forever(self):
		"""A body announced as 100 kB that arrives one byte every 50 ms (for at most 60 s)."""
		self.close_connection = True
		try:
			self.wfile.write(
				b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
			)
			for _ in range(1200):
				if self.stopping.wait(0.05):
					return
				self.wfile.write(b" ")
				self.wfile.flush()
		except OSError:
			pass  # the client gave up

	def log_message(self, *args):
		pass


def allow_local_provider():
	frappe.local.conf[ALLOW_LOCAL_PROVIDER] = 1


def ask_in_job(content_kind: str):
	"""A background job's AI call: the tests run it through Frappe's job runner, which logs failures."""
	content = frappe.utils.now_datetime() if content_kind == "datetime" else "What is a prime number?"
	llm.complete("Other", [{"role": "user", "content": content}])


class TestLLMShell(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		flag = frappe.local.conf.get(ALLOW_LOCAL_PROVIDER)
		cls.addClassCleanup(frappe.local.conf.__setitem__, ALLOW_LOCAL_PROVIDER, flag)
		allow_local_provider()
		Provider.stopping.clear()
		cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()
		saved = frappe.get_single("AI School Settings")
		cls.saved = saved.as_dict()
		# a site's real key must survive the suite
		cls.saved_key = saved.get_password("api_key", raise_exception=False)

	@classmethod
	def tearDownClass(cls):
		Provider.stopping.set()
		cls.server.shutdown()
		cls.server.server_close()
		settings = frappe.get_single("AI School Settings")
		for field in (
			"provider_base_url",
			"primary_model",
			"daily_message_budget",
			"daily_token_budget",
			"enable_tutor",
			"call_deadline",
		):
			settings.set(field, cls.saved[field])
		settings.set("fallback_models", [{"model": row.model} for row in cls.saved.fallback_models])
		settings.api_key = cls.saved_key
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		Provider.status = 200
		Provider.delay = 0.0
		Provider.drip = False
		Provider.seen = []
		settings = frappe.get_single("AI School Settings")
		settings.provider_base_url = f"http://127.0.0.1:{self.server.server_port}/v1"
		settings.api_key = SECRET
		settings.primary_model = "test/primary"
		settings.set("fallback_models", [{"model": "test/backup"}])
		settings.daily_message_budget = 50
		settings.daily_token_budget = 50000
		settings.call_deadline = 60
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
		# deleting the newest student gives its name back to the naming series: the next test's student
		# gets it, and must not inherit today's counters
		llm.reset_budget(student.name)
		frappe.delete_doc("Student", student.name, force=True, ignore_permissions=True)
		frappe.delete_doc("User", student.user, force=True, ignore_permissions=True)
		frappe.db.commit()

	def committed_student(self):
		student = make_student()
		frappe.db.commit()
		self.addCleanup(self.delete_committed_student, student)
		return student

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
		frappe.db.rollback()  # as the failed request would
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
		student = self.committed_student()
		frappe.db.set_single_value("AI School Settings", "daily_message_budget", 1)
		llm.complete("Tutor", QUESTION, student=student.name)
		frappe.db.commit()  # the first request ends
		with self.assertRaises(llm.AIBudgetExceededError):
			llm.complete("Tutor", QUESTION, student=student.name)
		frappe.db.rollback()
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

	# --- issue 9 item 2: the key never reaches the Error Log ----------------------------------------------

	def run_failing_job(self, content_kind: str) -> BaseException:
		"""Run ask_in_job through Frappe's job runner: on failure it rolls back, writes an Error Log row
		(traceback with every frame's variables) and commits it. Returns what the job raised."""
		self.addCleanup(lambda: hasattr(frappe.local, "job") and delattr(frappe.local, "job"))
		try:
			execute_job(
				frappe.local.site,
				"ai_school.tests.test_llm_shell.ask_in_job",
				None,
				"ai_school:test:ask",
				{"content_kind": content_kind},
				is_async=False,
			)
		except Exception as error:
			return error
		self.fail("the job did not fail")

	def error_logs(self) -> list[str]:
		rows = frappe.get_all(
			"Error Log", filters={"creation": [">=", self.started]}, fields=["name", "method", "error"]
		)
		return [f"{row.method}\n{row.error}" for row in rows]

	def test_the_key_never_reaches_the_error_log(self):
		self.addCleanup(frappe.db.commit)
		self.addCleanup(frappe.db.delete, "Error Log", {"creation": [">=", self.started]})
		# a stored key with an invisible character (older settings, or written around the form)
		set_encrypted_password("AI School Settings", "AI School Settings", ZERO_WIDTH_SECRET, "api_key")
		frappe.db.commit()
		bad_key = self.run_failing_job("text")
		# a message JSON can't encode, with a good key
		set_encrypted_password("AI School Settings", "AI School Settings", SECRET, "api_key")
		frappe.db.commit()
		bad_message = self.run_failing_job("datetime")

		texts = self.error_logs()
		self.assertEqual(len(texts), 2, "each failed job leaves one Error Log row")
		for text in texts:
			self.assertIn("Traceback with variables", text)  # every frame's variables were printed
			for key in (SECRET, ZERO_WIDTH_SECRET, SECRET[8:]):
				self.assertNotIn(key, text)
		for log in self.logs():
			self.assertNotIn(SECRET[8:], log.error_message or "")
		# both became the app's readable error, and neither request could be sent
		self.assertIsInstance(bad_key, llm.AIUnavailableError)
		self.assertIn("not plain ASCII", str(bad_key))
		self.assertIsInstance(bad_message, llm.AIUnavailableError)
		self.assertIn("TypeError", str(bad_message))
		self.assertEqual(Provider.seen, [])

	# --- issue 9 item 3: an overall deadline, capped below the worker's --------------------------------------

	def in_job(self, timeout: int, running_for: int):
		"""Be inside an RQ job (as a worker runs it) with `timeout`, started `running_for` seconds ago."""
		job = Job.create(func=ask_in_job, connection=frappe.cache, timeout=timeout)
		job.started_at = datetime.now(timezone.utc) - timedelta(seconds=running_for)
		_job_stack.push(job)
		self.addCleanup(_job_stack.pop)

	def test_deadline_is_capped_below_the_time_the_worker_has_left(self):
		self.assertEqual(llm.gateway_config().deadline, 60)
		self.in_job(timeout=300, running_for=280)
		deadline = llm.gateway_config().deadline
		self.assertLess(deadline, 20)
		self.assertGreaterEqual(deadline, 1)

	def test_a_dripping_provider_cannot_hold_a_worker(self):
		Provider.drip = True
		self.in_job(timeout=10, running_for=0)  # the call gets at most 5 s of the job's 10
		started = time.monotonic()
		with self.assertRaises(llm.AIUnavailableError) as raised:
			llm.complete("Other", QUESTION)
		elapsed = time.monotonic() - started
		frappe.db.rollback()
		self.assertIn("second limit", str(raised.exception))
		self.assertLess(elapsed, 30)  # the provider would drip for 60 s
		self.assertEqual([s["model"] for s in Provider.seen], ["test/primary"])  # no time left for fallback
		(log,) = self.logs()
		self.assertEqual(log.outcome, "error")

	# --- issue 9 item 4: failed calls commit nothing of the caller's; budgets count them and hold in a race --

	def test_a_failed_call_does_not_commit_the_callers_writes(self):
		Provider.status = 500
		marker = f"ai-school caller write {frappe.generate_hash(length=8)}"
		self.addCleanup(frappe.db.commit)
		self.addCleanup(frappe.db.delete, "ToDo", {"description": marker})
		frappe.get_doc({"doctype": "ToDo", "description": marker}).insert(ignore_permissions=True)

		with self.assertRaises(llm.AIUnavailableError):
			llm.complete("Other", QUESTION)
		frappe.db.rollback()  # the caller's request fails

		self.assertFalse(frappe.db.exists("ToDo", {"description": marker}))
		(log,) = self.logs()
		self.assertEqual(log.outcome, "error")

	def test_calls_that_end_in_error_count_against_the_budget(self):
		student = self.committed_student()
		frappe.db.set_single_value("AI School Settings", "daily_message_budget", 1)
		frappe.db.commit()
		Provider.status = 500
		with self.assertRaises(llm.AIUnavailableError):
			llm.complete("Tutor", QUESTION, student=student.name)
		asked = len(Provider.seen)
		Provider.status = 200
		with self.assertRaises(llm.AIBudgetExceededError):
			llm.complete("Tutor", QUESTION, student=student.name)
		frappe.db.rollback()
		self.assertEqual(len(Provider.seen), asked)
		self.assertEqual([log.outcome for log in self.logs()], ["error", "blocked"])

	def race(self, student: str, calls: int) -> list[str]:
		"""`calls` requests of one student at once, each in its own thread with its own site connection."""
		site, sites_path = frappe.local.site, frappe.local.sites_path
		barrier = threading.Barrier(calls)
		outcomes = []

		def request():
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			allow_local_provider()
			try:
				barrier.wait(timeout=30)
				llm.complete("Tutor", QUESTION, student=student)
				outcomes.append("ok")
			except llm.AIBudgetExceededError:
				outcomes.append("blocked")
			except Exception as error:
				outcomes.append(type(error).__name__)
			finally:
				frappe.db.commit()
				frappe.destroy()

		threads = [threading.Thread(target=request) for _ in range(calls)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		return sorted(outcomes)

	def test_parallel_requests_cannot_overrun_the_message_budget(self):
		student = self.committed_student()
		frappe.db.set_single_value("AI School Settings", "daily_message_budget", 2)
		frappe.db.commit()
		Provider.delay = 0.5  # every answer takes a while, so the requests overlap

		outcomes = self.race(student.name, 6)

		self.assertEqual(outcomes, ["blocked"] * 4 + ["ok"] * 2)
		self.assertEqual(len(Provider.seen), 2)

	def test_parallel_requests_cannot_overrun_the_token_budget(self):
		student = self.committed_student()
		frappe.db.set_single_value("AI School Settings", "daily_message_budget", 0)
		frappe.db.set_single_value("AI School Settings", "daily_token_budget", 100)
		frappe.db.commit()
		Provider.delay = 0.5

		# each call may use up to max_tokens (1024 by default), far over the 100 left: only one may run
		outcomes = self.race(student.name, 4)

		self.assertEqual(outcomes, ["blocked"] * 3 + ["ok"])
		self.assertEqual(len(Provider.seen), 1)
