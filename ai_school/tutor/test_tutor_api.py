"""The tutor's send path and answer job with real users, records and an OpenAI-compatible server on
127.0.0.1 (tests/fake_provider.py): ownership, guests, one answer per message, provider failure and retry,
the labelled reply without a key, rate limits per user, and no personal data in what the provider receives.

The provider runs over http on 127.0.0.1, which the address policy refuses; the site config flag
``ai_school_allow_local_provider`` is switched on for this process and restored afterwards. AI School
Settings are changed and committed per test (as ai_school/tests/test_llm_shell.py does) and restored after.
"""

import importlib.util
import json
from datetime import timedelta
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import nowdate

from ai_school import llm, rate_limits
from ai_school.api import tutor
from ai_school.core.tutor.conversation import FALLBACK_LABEL
from ai_school.core.tutor.guard import active_windows
from ai_school.tests import utils
from ai_school.tutor import answer


def _load_fake_provider():
	"""tests/fake_provider.py of the repository (the bench's environment has an unrelated `tests` package)."""
	path = Path(__file__).resolve().parents[2] / "tests" / "fake_provider.py"
	spec = importlib.util.spec_from_file_location("ai_school_fake_provider", path)
	module = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(module)
	return module


fake_provider = _load_fake_provider()
FakeProvider, sse, status, write_chunk = (
	fake_provider.FakeProvider,
	fake_provider.sse,
	fake_provider.status,
	fake_provider.write_chunk,
)

ALLOW_LOCAL_PROVIDER = "ai_school_allow_local_provider"
MODEL = "tutor/test-model"
SETTINGS_FIELDS = (
	"provider_base_url",
	"primary_model",
	"daily_message_budget",
	"daily_token_budget",
	"enable_tutor",
	"call_deadline",
	"request_timeout",
)

test_ignore = ["Course", "Student", "User"]


class TestTutorAPI(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		flag = frappe.local.conf.get(ALLOW_LOCAL_PROVIDER)
		cls.addClassCleanup(frappe.local.conf.__setitem__, ALLOW_LOCAL_PROVIDER, flag)
		frappe.local.conf[ALLOW_LOCAL_PROVIDER] = 1
		cls.provider = FakeProvider().start()
		cls.addClassCleanup(cls.provider.stop)
		saved = frappe.get_single("AI School Settings")
		cls.saved = saved.as_dict()
		cls.saved_key = saved.get_password("api_key", raise_exception=False)
		# setUp changes the current academic year and configure() commits: put the site's back after each test
		cls.saved_year = frappe.db.get_single_value("Education Settings", "current_academic_year")

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

	def configure(self, key: str | None = "sk-test-tutor-0123456789", commit: bool = True):
		"""Point the settings at the fake provider. ``commit``: setUp commits them before making its records;
		a test changing them again leaves them in its transaction (a commit would keep its students)."""
		settings = frappe.get_single("AI School Settings")
		settings.provider_base_url = self.provider.base_url
		settings.api_key = key
		settings.primary_model = MODEL
		settings.set("fallback_models", [])
		settings.daily_message_budget = 50
		settings.daily_token_budget = 50000
		settings.call_deadline = 30
		settings.request_timeout = 10
		settings.enable_tutor = 1
		settings.save(ignore_permissions=True)
		if not key:
			# a Password field left empty keeps the stored secret; remove it as clearing it in the form does
			frappe.db.delete("__Auth", {"doctype": "AI School Settings", "fieldname": "api_key"})
		if commit:
			frappe.db.commit()
		frappe.clear_document_cache("AI School Settings", "AI School Settings")

	def setUp(self):
		frappe.set_user("Administrator")
		self.configure()
		self.started = frappe.utils.now()
		self.provider.received.clear()
		year = utils.make_academic_year()
		frappe.db.set_single_value("Education Settings", "current_academic_year", year)
		self.course = utils.make_course()
		self.a = utils.make_student("Aisha")
		self.b = utils.make_student("Bruno")
		self.group = utils.make_student_group([self.a.name, self.b.name], course=self.course)
		answer.forget_people_names()
		self.request_before = getattr(frappe.local, "request", None)

	def tearDown(self):
		frappe.local.request = self.request_before
		frappe.set_user("Administrator")
		for student in (self.a, self.b):
			rate_limits.reset("tutor.send", student.user)
			rate_limits.reset("tutor.start", student.user)
			llm.reset_budget(student.name)
		frappe.db.rollback()
		frappe.clear_document_cache(
			"AI School Settings", "AI School Settings"
		)  # it may hold this test's values
		frappe.db.set_single_value("Education Settings", "current_academic_year", self.saved_year)
		# failed calls commit their log row on purpose (see ai_school.llm); remove those too
		frappe.db.delete("AI Engagement Log", {"creation": [">=", self.started]})
		frappe.db.commit()
		answer.forget_people_names()
		# nothing a test made may outlive it: a commit in the middle of a test would keep its students
		kept = [student.name for student in (self.a, self.b) if frappe.db.exists("Student", student.name)]
		self.assertEqual(kept, [], "the test committed its students")

	# --- helpers ------------------------------------------------------------------------------------------

	def start_as(self, student) -> str:
		frappe.set_user(student.user)
		return tutor.start_session(self.course)["session"]

	def messages(self, session: str) -> list:
		return frappe.get_all(
			"AI Chat Message",
			filters={"parent": session, "parenttype": "AI Chat Session"},
			fields=[
				"name",
				"idx",
				"role",
				"content",
				"status",
				"model",
				"tokens_in",
				"tokens_out",
				"fallback",
				"reply_to",
			],
			order_by="idx asc",
		)

	def run_job(self, session: str) -> int:
		"""The job inline, as the worker runs it: as the user who queued it (the student)."""
		frappe.set_user(frappe.db.get_value("AI Chat Session", session, "user"))
		try:
			return answer.answer_pending(session, commit=False)
		finally:
			frappe.set_user("Administrator")

	def run_job_listening(self, session: str) -> list[dict]:
		"""Run the job and return the ai_school:tutor events it published (Frappe's realtime channel)."""
		from frappe.utils.background_jobs import get_redis_connection_without_auth

		pubsub = get_redis_connection_without_auth().pubsub()
		pubsub.subscribe("events")
		self.addCleanup(pubsub.close)
		pubsub.get_message(timeout=1)  # the subscription confirmation
		self.run_job(session)
		events = []
		while message := pubsub.get_message(timeout=0.5):
			if message["type"] != "message":
				continue
			data = json.loads(message["data"])
			if data["event"] == answer.EVENT and data["namespace"] == frappe.local.site:
				events.append(data)
		return events

	def as_web_request(self):
		frappe.local.request = frappe._dict(
			method="POST", path="/api/method/ai_school.api.tutor.send_message"
		)

	# --- tests --------------------------------------------------------------------------------------------

	def test_student_cannot_post_to_or_read_another_students_session(self):
		session_b = self.start_as(self.b)
		tutor.send_message(session_b, "What is a fraction?")
		frappe.set_user(self.a.user)
		with self.assertRaises(frappe.PermissionError):
			tutor.send_message(session_b, "hello from A")
		with self.assertRaises(frappe.PermissionError):
			tutor.get_history(session_b)
		pending = self.messages(session_b)[0].name
		with self.assertRaises(frappe.PermissionError):
			tutor.retry(pending)
		self.assertEqual([m.content for m in self.messages(session_b)], ["What is a fraction?"])

	def test_guest_is_denied_everything(self):
		session = self.start_as(self.a)
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			tutor.start_session(self.course)
		with self.assertRaises(frappe.PermissionError):
			tutor.send_message(session, "hi")
		with self.assertRaises(frappe.PermissionError):
			tutor.get_history(session)

	def test_session_only_for_a_current_course_of_the_student(self):
		other_course = utils.make_course()
		frappe.set_user(self.a.user)
		with self.assertRaises(frappe.PermissionError):
			tutor.start_session(other_course)
		staff = utils.make_user(("Academics User",))
		frappe.set_user(staff)
		with self.assertRaises(frappe.PermissionError):
			tutor.start_session(self.course)

	def test_a_sent_message_is_answered_once_with_usage_on_the_message_and_the_log(self):
		session = self.start_as(self.a)
		sent = tutor.send_message(session, "Can you explain what a common denominator is?")
		self.assertEqual((sent["status"], sent["idx"]), ("Pending", 1))
		second = tutor.send_message(session, "And why do we need one?")
		self.assertEqual(second["idx"], 2)
		self.provider.script(
			MODEL, sse("A common ", "denominator is ", "a shared bottom number.", usage=(40, 9))
		)
		self.provider.script(
			MODEL, sse("Because fractions ", "must count the same-sized parts.", usage=(55, 8))
		)
		self.assertEqual(self.run_job(session), 2)
		self.assertEqual(self.run_job(session), 0)  # nothing answered twice
		rows = self.messages(session)
		self.assertEqual(
			[(r.role, r.status) for r in rows],
			[("user", "Answered"), ("user", "Answered"), ("assistant", ""), ("assistant", "")],
		)
		# both quick sends were kept and each got its own answer, in order
		self.assertEqual([rows[2].reply_to, rows[3].reply_to], [rows[0].name, rows[1].name])
		rows = [rows[0], rows[2], rows[1], rows[3]]
		self.assertEqual(rows[1].content, "A common denominator is a shared bottom number.")
		self.assertEqual((rows[1].model, rows[1].tokens_in, rows[1].tokens_out), (MODEL, 40, 9))
		self.assertEqual(len(self.provider.received), 2)
		# the second request carried the first exchange as history
		second_payload = self.provider.received[1].body["messages"]
		self.assertIn(
			"A common denominator is a shared bottom number.", [m["content"] for m in second_payload]
		)
		logs = frappe.get_all(
			"AI Engagement Log",
			filters={"reference_name": session},
			fields=["outcome", "model", "tokens_in", "tokens_out", "student"],
			order_by="creation asc",
		)
		self.assertEqual(
			[(log.outcome, log.tokens_in, log.student) for log in logs],
			[("ok", 40, self.a.name), ("ok", 55, self.a.name)],
		)
		frappe.set_user(self.a.user)
		history = tutor.get_history(session, after=2)
		self.assertEqual([m["idx"] for m in history["messages"]], [3, 4])
		self.assertFalse(history["answering"])

	def test_provider_payload_has_no_names_contacts_or_student_identifier(self):
		guardian = utils.make_guardian([self.a.name], name="Marguerite")
		guardian_name = frappe.db.get_value("Guardian", guardian.name, "guardian_name")
		student_name = frappe.db.get_value("Student", self.b.name, "student_name")
		session = self.start_as(self.a)
		tutor.send_message(
			session,
			f"My mum {guardian_name} and {student_name} say x = 4 in 2x = 8; my email is {self.a.user}, "
			f"my phone 07700 900123 and my id {self.a.name}",
		)
		self.provider.script(MODEL, sse("Ask [NAME_1] to check ", "your working.", usage=(30, 5)))
		self.run_job(session)
		[request] = self.provider.received
		sent = json.dumps(request.body, ensure_ascii=False)
		for secret in (
			guardian_name,
			student_name,
			self.a.user,
			"07700 900123",
			self.a.name,
			self.a.user.split("@")[0],
		):
			self.assertNotIn(secret.lower(), sent.lower())
		self.assertNotIn("user", request.body)
		reply = self.messages(session)[1].content
		self.assertNotIn("[NAME_1]", reply)
		self.assertTrue(reply.startswith("Ask "))

	def test_provider_failure_leaves_a_failed_message_and_retry_answers_it(self):
		session = self.start_as(self.a)
		sent = tutor.send_message(session, "Explain photosynthesis please")
		self.provider.script(MODEL, status(503), status(503))
		self.run_job(session)
		rows = self.messages(session)
		self.assertEqual(rows[0].status, "Failed")
		# no half-saved answer: the only reply is the labelled study guide
		self.assertEqual([(r.role, r.fallback) for r in rows[1:]], [("assistant", 1)])
		self.assertTrue(rows[1].content.startswith(f"**{FALLBACK_LABEL}**"))
		# a failed call's log row is committed on its own connection: read it from a fresh one
		with llm.own_transaction():
			log = frappe.get_all("AI Engagement Log", filters={"reference_name": session}, pluck="outcome")
		self.assertEqual(log, ["error"])
		frappe.set_user(self.a.user)
		self.assertEqual(tutor.retry(sent["name"])["status"], "Pending")
		with self.assertRaises(frappe.ValidationError):
			tutor.retry(sent["name"])  # already queued again
		self.provider.script(MODEL, sse("Plants make food ", "from light.", usage=(20, 6)))
		self.run_job(session)
		rows = self.messages(session)
		self.assertEqual(rows[0].status, "Answered")
		self.assertEqual(rows[-1].content, "Plants make food from light.")
		self.assertEqual(rows[-1].reply_to, sent["name"])

	def test_stream_failing_mid_answer_saves_nothing_partial(self):
		session = self.start_as(self.a)
		tutor.send_message(session, "What is an ecosystem?")

		def break_off(handler, body):
			# a chunked stream whose connection drops after the first words (no final chunk)
			handler.send_response(200)
			handler.send_header("Content-Type", "text/event-stream")
			handler.send_header("Transfer-Encoding", "chunked")
			handler.end_headers()
			line = json.dumps({"choices": [{"index": 0, "delta": {"content": "An ecosystem is"}}]})
			write_chunk(handler, f"data: {line}\n\n".encode())
			handler.close_connection = True

		self.provider.script(MODEL, break_off)
		self.run_job(session)
		rows = self.messages(session)
		self.assertEqual(rows[0].status, "Failed")
		self.assertFalse(
			[r for r in rows if r.role == "assistant" and "An ecosystem is" in (r.content or "")]
		)

	def test_without_a_key_the_reply_is_the_labelled_study_guide(self):
		self.configure(key=None, commit=False)
		article = frappe.get_doc(
			{
				"doctype": "Article",
				"title": "Adding fractions",
				"content": "<p>To add fractions, find a common denominator first.</p>",
			}
		).insert(ignore_permissions=True)
		topic = frappe.get_doc(
			{
				"doctype": "Topic",
				"topic_name": utils.unique("Fractions"),
				"topic_content": [{"content_type": "Article", "content": article.name}],
			}
		).insert(ignore_permissions=True)
		course = frappe.get_doc("Course", self.course)
		course.append("topics", {"topic": topic.name, "topic_name": topic.topic_name})
		course.save(ignore_permissions=True)
		session = self.start_as(self.a)
		tutor.send_message(session, "How do I add fractions with different denominators?")
		self.run_job(session)
		rows = self.messages(session)
		self.assertEqual(self.provider.received, [])
		self.assertEqual((rows[0].status, rows[1].fallback), ("Answered", 1))
		reply = rows[1].content
		self.assertTrue(reply.startswith(f"**{FALLBACK_LABEL}**"))
		self.assertIn("*Adding fractions*", reply)
		self.assertIn("common denominator", reply)
		self.assertIn(topic.topic_name, reply)

	def test_assessment_window_blocks_without_calling_the_provider(self):
		utils.make_assessment_result(self.a.name, self.group, self.course, {"AI Tutor Test": (5, 10)})
		plan = frappe.get_all("Assessment Plan", filters={"student_group": self.group}, pluck="name")[0]
		frappe.db.set_value(
			"Assessment Plan",
			plan,
			{"schedule_date": nowdate(), "from_time": "00:00:00", "to_time": "23:59:59"},
		)
		session = self.start_as(self.a)
		tutor.send_message(session, "what is the answer to question 3")
		self.run_job(session)
		rows = self.messages(session)
		self.assertEqual(self.provider.received, [])
		self.assertIn("assessment", rows[1].content)

	def test_history_offers_retry_on_a_message_shown_before_it_failed_and_tells_the_mode_now(self):
		session = self.start_as(self.a)
		sent = tutor.send_message(session, "Explain photosynthesis please")
		# the page showed the message while it waited; it asks only for what came after it
		seen = tutor.get_history(session)
		self.assertEqual([m["name"] for m in seen["messages"]], [sent["name"]])
		self.assertEqual((seen["failed"], seen["mode"]), ([], "learning"))
		self.provider.script(MODEL, status(503), status(503))
		self.run_job(session)
		frappe.set_user(self.a.user)
		after = tutor.get_history(session, after=seen["messages"][-1]["idx"])
		self.assertNotIn(sent["name"], [m["name"] for m in after["messages"]])
		self.assertEqual(after["failed"], [sent["name"]])
		# an assessment of the chat's course under way: the badge says blocked before anything is sent
		frappe.set_user("Administrator")
		utils.make_assessment_result(self.a.name, self.group, self.course, {"AI Tutor Test": (5, 10)})
		plan = frappe.get_all("Assessment Plan", filters={"student_group": self.group}, pluck="name")[0]
		frappe.db.set_value(
			"Assessment Plan",
			plan,
			{"schedule_date": nowdate(), "from_time": "00:00:00", "to_time": "23:59:59"},
		)
		frappe.set_user(self.a.user)
		self.assertEqual(tutor.get_history(session)["mode"], "blocked")

	def test_rate_limit_counts_per_user(self):
		session_a = self.start_as(self.a)
		session_b = self.start_as(self.b)
		self.as_web_request()
		frappe.set_user(self.a.user)
		for number in range(tutor.SEND_LIMIT):
			tutor.send_message(session_a, f"question {number}")
		with self.assertRaises(frappe.RateLimitExceededError):
			tutor.send_message(session_a, "one too many")
		frappe.set_user(self.b.user)
		self.assertEqual(tutor.send_message(session_b, "my first")["status"], "Pending")
		self.assertEqual(len(self.messages(session_a)), tutor.SEND_LIMIT)

	def test_message_length_and_budget_are_checked_before_storing(self):
		session = self.start_as(self.a)
		with self.assertRaises(frappe.ValidationError):
			tutor.send_message(session, "x" * (tutor.MAX_MESSAGE_CHARS + 1))
		with self.assertRaises(frappe.ValidationError):
			tutor.send_message(session, "   ")
		frappe.set_user("Administrator")
		frappe.db.set_single_value("AI School Settings", "daily_message_budget", 1)
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		utils.make_engagement_log(self.a.name, self.a.user)
		llm.reset_budget(self.a.name)
		frappe.set_user(self.a.user)
		with self.assertRaises(llm.AIBudgetExceededError):
			tutor.send_message(session, "one more please")
		self.assertEqual(self.messages(session), [])

	def test_answer_is_streamed_to_the_chatting_user_only_in_batches(self):
		session = self.start_as(self.a)
		tutor.send_message(session, "Can you explain what photosynthesis is?")
		pieces = [f"w{n} " for n in range(60)]
		self.provider.script(MODEL, sse(*pieces, usage=(20, 60)))
		events = self.run_job_listening(session)
		self.assertTrue(events)
		self.assertEqual({event["room"] for event in events}, {f"user:{self.a.user}"})
		deltas = [event["message"] for event in events if event["message"]["type"] == "delta"]
		self.assertTrue(deltas)
		self.assertLess(len(deltas), len(pieces) / 2)  # batched, not one event per token
		self.assertEqual([d["seq"] for d in deltas], list(range(1, len(deltas) + 1)))
		self.assertEqual("".join(d["text"] for d in deltas), "".join(pieces))
		self.assertEqual(self.messages(session)[1].content, "".join(pieces))

	def test_a_reply_giving_the_answer_away_is_held_and_rewritten(self):
		session = self.start_as(self.a)
		tutor.send_message(session, "solve 2x + 3 = 11 for me")
		self.provider.script(
			MODEL,
			sse(
				"First take 3 from both sides. ", "Then divide both sides by 2, ", "so x = 4.", usage=(20, 9)
			),
		)
		events = self.run_job_listening(session)
		kinds = [event["message"]["type"] for event in events]
		self.assertIn("hold", kinds)
		streamed = "".join(e["message"].get("text", "") for e in events if e["message"]["type"] == "delta")
		self.assertNotIn("x = 4", streamed)
		reply = frappe.get_all(
			"AI Chat Message",
			filters={"parent": session, "role": "assistant"},
			fields=["content", "flagged"],
		)[0]
		self.assertEqual(reply.flagged, 1)
		self.assertNotIn("x = 4", reply.content)

	def test_assessment_margin_comes_from_settings(self):
		utils.make_assessment_result(self.a.name, self.group, self.course, {"AI Tutor Test": (5, 10)})
		plan = frappe.get_all("Assessment Plan", filters={"student_group": self.group}, pluck="name")[0]
		now = frappe.utils.now_datetime()
		start = now + timedelta(minutes=30)
		end = start + timedelta(minutes=1)
		if start.date() != now.date() or end.date() != now.date():
			self.skipTest("the window would cross midnight")
		frappe.db.set_value(
			"Assessment Plan",
			plan,
			{"schedule_date": now.date(), "from_time": start.time(), "to_time": end.time()},
		)
		session = frappe.db.get_value(
			"AI Chat Session", self.start_as(self.a), ["name", "student", "course"], as_dict=True
		)
		frappe.set_user("Administrator")
		for margin, blocked in ((15, False), (45, True)):
			frappe.db.set_single_value("AI School Settings", "assessment_margin_minutes", margin)
			frappe.clear_document_cache("AI School Settings", "AI School Settings")
			context = answer.guard_context(session)
			self.assertEqual(bool(active_windows(context)), blocked, margin)

	def test_hint_only_chat_makes_a_concept_question_guided(self):
		session = self.start_as(self.a)
		tutor.send_message(session, "Can you explain what a prime number is?")
		tutor.send_message(session, "And what is a composite number?")
		frappe.set_user("Administrator")
		self.provider.script(MODEL, sse("A prime has two factors.", usage=(10, 5)))
		self.provider.script(MODEL, sse("A composite has more.", usage=(10, 5)))
		answer.answer_message(session, self.messages(session)[0].name)
		frappe.db.set_value("AI Chat Session", session, "integrity_mode", "Hint Only")
		answer.answer_message(session, self.messages(session)[1].name)
		modes = frappe.get_all(
			"AI Chat Message",
			filters={"parent": session, "role": "user"},
			pluck="guard_mode",
			order_by="idx asc",
		)
		self.assertEqual(modes, ["learning", "guided"])
		self.assertIn("Mode: guided", self.provider.received[1].body["messages"][0]["content"])

	def test_a_second_copy_of_the_job_leaves_the_session_to_the_running_one(self):
		session = self.start_as(self.a)
		tutor.send_message(session, "What is a fraction?")
		key = answer._lock_key(session)
		frappe.cache.set(key, "another job", ex=60)
		self.addCleanup(frappe.cache.delete, key)
		self.assertEqual(self.run_job(session), 0)
		self.assertEqual(self.messages(session)[0].status, "Pending")
		self.assertEqual(self.provider.received, [])
		frappe.cache.delete(key)
		self.provider.script(MODEL, sse("A part of a whole.", usage=(10, 5)))
		self.assertEqual(self.run_job(session), 1)
		self.assertEqual(self.messages(session)[0].status, "Answered")
		self.assertIsNone(frappe.cache.get(key))  # released when the job ends
