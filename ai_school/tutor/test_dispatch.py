"""The tutor's concurrency on a real bench: one tutor worker process answering two chats at once, exactly one
answer per message when the job is queued twice or two processes take the same message, and a message whose
process was killed mid-answer recovered as Failed (Retry), never lost or half-saved.

The answer jobs run on other threads or processes with their own database connections, so this test commits
its students, course and chats, and deletes them again in tearDown. The worker threads and the killed
process read the site config from disk: ``ai_school_allow_local_provider`` (the fake provider is on
127.0.0.1) is written to site_config.json for the class and put back after. The tutor queue is a queue of
this test's own (``ai_school_tutor_queue`` and ``workers`` in this process's config), so no other worker of
the bench takes its jobs.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from rq import Queue

import frappe
from frappe.installer import update_site_config
from frappe.tests.utils import FrappeTestCase
from frappe.utils.background_jobs import generate_qname, get_queues_timeout, get_redis_conn

from ai_school import llm, rate_limits
from ai_school.api import tutor
from ai_school.tests import utils
from ai_school.tutor import answer, dispatch
from ai_school.tutor.test_tutor_api import MODEL, SETTINGS_FIELDS, fake_provider
from ai_school.tutor.worker import TutorWorker

ALLOW_LOCAL_PROVIDER = "ai_school_allow_local_provider"
test_ignore = ["Course", "Student", "User"]


def barrier_then(barrier: threading.Barrier, then):
	"""Answer only once ``barrier``'s parties have all arrived: two requests must be open at the same time."""

	def behave(handler, body):
		try:
			barrier.wait()
		except threading.BrokenBarrierError:
			fake_provider.status(503, "the other request never came")(handler, body)
			return
		then(handler, body)

	return behave


def stall(handler, body):
	"""Start the stream, then send nothing until the provider stops (the process answering is killed)."""
	handler.send_response(200)
	handler.send_header("Content-Type", "text/event-stream")
	handler.send_header("Transfer-Encoding", "chunked")
	handler.end_headers()
	line = {"id": "gen-1", "model": MODEL, "choices": [{"index": 0, "delta": {"content": "Let's"}}]}
	fake_provider.write_chunk(handler, f"data: {json.dumps(line)}\n\n".encode())
	handler.server.provider.stopping.wait(120)


class TestTutorDispatch(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.provider = fake_provider.FakeProvider().start()
		cls.addClassCleanup(cls.provider.stop)
		site_config = Path(frappe.get_site_path("site_config.json"))
		flag = json.loads(site_config.read_text()).get(ALLOW_LOCAL_PROVIDER)
		update_site_config(ALLOW_LOCAL_PROVIDER, 1)
		cls.addClassCleanup(update_site_config, ALLOW_LOCAL_PROVIDER, "None" if flag is None else flag)
		frappe.local.conf[ALLOW_LOCAL_PROVIDER] = 1
		saved = frappe.get_single("AI School Settings")
		cls.saved = saved.as_dict()
		cls.saved_key = saved.get_password("api_key", raise_exception=False)
		# this test's own tutor queue, known to this process only
		cls.queue = f"ai_tutor_test_{frappe.generate_hash(length=6)}"
		conf = frappe.local.conf
		saved_conf = {key: conf.get(key) for key in ("workers", dispatch.QUEUE_CONFIG)}
		conf["workers"] = {**(conf.get("workers") or {}), cls.queue: {"timeout": 300}}
		conf[dispatch.QUEUE_CONFIG] = cls.queue
		get_queues_timeout.cache_clear()

		def restore_conf():
			conf.update(saved_conf)
			get_queues_timeout.cache_clear()

		cls.addClassCleanup(restore_conf)

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		settings = frappe.get_single("AI School Settings")
		for field in SETTINGS_FIELDS:
			settings.set(field, cls.saved[field])
		settings.set("fallback_models", [{"model": row.model} for row in cls.saved.fallback_models])
		settings.api_key = cls.saved_key
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		settings = frappe.get_single("AI School Settings")
		settings.provider_base_url = self.provider.base_url
		settings.api_key = "sk-test-dispatch-0123456789"
		settings.primary_model = MODEL
		settings.set("fallback_models", [])
		settings.daily_message_budget = 50
		settings.daily_token_budget = 50000
		settings.call_deadline = 60
		settings.request_timeout = 30
		settings.enable_tutor = 1
		settings.save(ignore_permissions=True)
		self.provider.received.clear()
		with self.provider._lock:
			self.provider._script.clear()  # a behaviour scripted to catch a call that never came
		self.course = utils.make_course()
		self.a = utils.make_student("Ada")
		self.b = utils.make_student("Ben")
		self.sessions = [self.chat(self.a), self.chat(self.b)]
		frappe.db.commit()
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		Queue(generate_qname(self.queue), connection=get_redis_conn()).empty()

	def tearDown(self):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for student in (self.a, self.b):
			rate_limits.reset("tutor.send", student.user)
			llm.reset_budget(student.name)
		students = [self.a.name, self.b.name]
		frappe.db.delete("AI Engagement Log", {"student": ("in", students)})
		frappe.db.delete("AI Chat Message", {"parent": ("in", self.sessions)})
		frappe.db.delete("AI Chat Session", {"name": ("in", self.sessions)})
		for message in dispatch.in_flight():
			if frappe.db.exists("AI Chat Message", message) is None:
				dispatch.clear_in_flight(message)
		for student in (self.a, self.b):
			frappe.delete_doc("Student", student.name, force=True, ignore_permissions=True)
			frappe.delete_doc("User", student.user, force=True, ignore_permissions=True)
		frappe.delete_doc("Course", self.course, force=True, ignore_permissions=True)
		frappe.db.commit()
		Queue(generate_qname(self.queue), connection=get_redis_conn()).empty()

	# --- helpers ------------------------------------------------------------------------------------------

	def chat(self, student) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "AI Chat Session",
					"student": student.name,
					"user": student.user,
					"course": self.course,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def send(self, student, session: str, text: str) -> str:
		frappe.set_user(student.user)
		try:
			name = tutor.send_message(session, text)["name"]
			frappe.db.commit()  # the answer job is queued once the message is committed
			return name
		finally:
			frappe.set_user("Administrator")

	def run_worker(self, concurrency: int) -> None:
		"""A tutor worker on this test's queue until the queue is empty and its answers are done."""
		handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
		try:
			worker = TutorWorker(
				[Queue(generate_qname(self.queue), connection=get_redis_conn())],
				connection=get_redis_conn(),
				concurrency=concurrency,
			)
			worker.work(burst=True, logging_level="WARNING")
		finally:
			for sig, handler in handlers.items():
				signal.signal(sig, handler)
		frappe.db.commit()  # see what the worker's threads committed

	def replies_to(self, message: str) -> list[str]:
		return frappe.get_all(
			"AI Chat Message", filters={"reply_to": message, "role": "assistant"}, pluck="content"
		)

	def status(self, message: str) -> str:
		return frappe.db.get_value("AI Chat Message", message, "status")

	# --- tests --------------------------------------------------------------------------------------------

	def test_one_worker_process_answers_two_chats_at_once(self):
		# each provider request waits for the other: answered one after the other, the first would fail
		both = threading.Barrier(2, timeout=30)
		self.provider.script(
			MODEL,
			barrier_then(both, fake_provider.sse("A fraction is ", "part of a whole.")),
			barrier_then(both, fake_provider.sse("Photosynthesis ", "makes sugar.")),
		)
		first = self.send(self.a, self.sessions[0], "What is a fraction?")
		second = self.send(self.b, self.sessions[1], "How does photosynthesis work?")
		self.assertEqual(dispatch.answer_queue(), self.queue)
		self.run_worker(concurrency=2)
		self.assertEqual((self.status(first), self.status(second)), ("Answered", "Answered"))
		self.assertEqual(self.replies_to(first), ["A fraction is part of a whole."])
		self.assertEqual(self.replies_to(second), ["Photosynthesis makes sugar."])
		self.assertEqual(len(self.provider.received), 2)

	def test_a_job_queued_twice_answers_the_message_once(self):
		self.provider.script(MODEL, fake_provider.sse("Once ", "only."), fake_provider.sse("Twice!"))
		message = self.send(self.a, self.sessions[0], "What is a prime number?")
		# a second copy of the session's job, as two racing sends can queue (deduplication is per job id)
		frappe.enqueue(
			"ai_school.tutor.answer.answer_pending",
			queue=self.queue,
			job_id=f"{answer.job_id(self.sessions[0])}:copy",
			session=self.sessions[0],
		)
		self.assertEqual(Queue(generate_qname(self.queue), connection=get_redis_conn()).count, 2)
		self.run_worker(concurrency=2)
		self.assertEqual(self.status(message), "Answered")
		self.assertEqual(self.replies_to(message), ["Once only."])
		self.assertEqual(len(self.provider.received), 1)

	def test_two_processes_taking_the_same_message_answer_it_once(self):
		# past the session's lease (as when it ran out): the message's row lock decides
		gate = threading.Event()
		self.provider.script(
			MODEL,
			lambda handler, body: (gate.wait(30), fake_provider.sse("The first ", "answer.")(handler, body)),
			fake_provider.sse("A second answer."),
		)
		message = self.send(self.a, self.sessions[0], "Why is the sky blue?")
		site, sites_path = frappe.local.site, frappe.local.sites_path
		outcomes = []

		def take():
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			try:
				frappe.set_user(self.a.user)
				answer.answer_message(self.sessions[0], message)
				frappe.db.commit()
				outcomes.append("done")
			except Exception as error:
				outcomes.append(repr(error))
			finally:
				frappe.destroy()

		first = threading.Thread(target=take)
		first.start()
		deadline = time.monotonic() + 30
		while not self.provider.received and time.monotonic() < deadline:
			time.sleep(0.05)
		second = threading.Thread(target=take)
		second.start()
		second.join(timeout=60)
		gate.set()
		first.join(timeout=60)
		frappe.db.commit()
		self.assertEqual(outcomes, ["done", "done"])
		self.assertEqual(self.replies_to(message), ["The first answer."])
		self.assertEqual(self.status(message), "Answered")
		self.assertEqual(len(self.provider.received), 1)

	def test_a_message_whose_process_died_mid_answer_can_be_retried(self):
		self.provider.script(MODEL, stall)
		message = self.send(self.a, self.sessions[0], "What is an ecosystem?")
		Queue(
			generate_qname(self.queue), connection=get_redis_conn()
		).empty()  # answered by the process below
		script = (
			"import frappe\n"
			f"frappe.init(site={frappe.local.site!r}, sites_path='.')\n"
			"frappe.connect()\n"
			f"frappe.set_user({self.a.user!r})\n"
			"from ai_school.tutor import answer\n"
			f"answer.answer_pending({self.sessions[0]!r})\n"
		)
		process = subprocess.Popen(
			[sys.executable, "-c", script], cwd=os.path.abspath(frappe.local.sites_path)
		)
		self.addCleanup(lambda: process.poll() is None and process.kill())
		deadline = time.monotonic() + 120
		while not self.provider.received and time.monotonic() < deadline and process.poll() is None:
			time.sleep(0.1)
		self.assertTrue(self.provider.received, "the process never called the provider")
		self.assertEqual(dispatch.in_flight()[message]["session"], self.sessions[0])
		os.kill(process.pid, signal.SIGKILL)
		process.wait()

		# while the dead process's lease lasts, the message counts as being answered
		self.assertEqual(dispatch.recover_stalled()["failed"], [])
		self.assertEqual(self.status(message), "Pending")
		# nothing renews the lease any more: it runs out (30 s)
		key = answer._lock_key(self.sessions[0])
		deadline = time.monotonic() + dispatch.LEASE_SECONDS + 15
		while dispatch.holder(key) and time.monotonic() < deadline:
			time.sleep(1)
		self.assertIsNone(dispatch.holder(key))
		# the dead process's connection is closed by now (its row lock gone with it)
		deadline = time.monotonic() + 30
		while answer.lock_state(message) == "locked" and time.monotonic() < deadline:
			frappe.db.rollback()
			time.sleep(1)
		frappe.db.rollback()
		self.assertEqual(
			dispatch.recover_stalled()["failed"],
			[message],
			(self.status(message), dispatch.in_flight().get(message)),
		)
		frappe.db.commit()
		self.assertEqual(self.status(message), "Failed")
		self.assertEqual(self.replies_to(message), [])  # nothing half-saved
		self.assertNotIn(message, dispatch.in_flight())

		# the student retries and gets one answer
		self.provider.script(MODEL, fake_provider.sse("An ecosystem is ", "a community."))
		frappe.set_user(self.a.user)
		tutor.retry(message)
		frappe.db.commit()
		answer.answer_pending(self.sessions[0])
		frappe.set_user("Administrator")
		self.assertEqual(self.status(message), "Answered")
		self.assertEqual(self.replies_to(message), ["An ecosystem is a community."])
