"""Safety alerts with real users, roles, groups and the tutor's answer job: routing by tier (tier 1 to the
student's current instructors, tier 2 also to the safeguarding contacts), who may read an alert (form, list,
REST, the API), the follow-up flow with false alarms, one alert per message, the alert kept when email fails,
and the model's reply screened before the student sees it (an OpenAI-compatible server on 127.0.0.1, see
ai_school/tutor/test_tutor_api.py).

Provider settings are committed once for the class and restored after it; the safeguarding contacts, help
contacts and everything else a test makes stay in its transaction and are rolled back.
"""

import json

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school import llm, rate_limits
from ai_school.api import safety as safety_api
from ai_school.api import tutor
from ai_school.core.tutor.conversation import SAFEGUARDING_REPLACED
from ai_school.tests import utils
from ai_school.tests.test_permissions import (
	make_group_in_year,
	make_previous_academic_year,
	set_current_year,
)
from ai_school.tutor import answer, safety
from ai_school.tutor import test_tutor_api as tutor_tests

ALERT = "AI Safety Alert"
MODEL = tutor_tests.MODEL
PROVIDER_FIELDS = (
	"provider_base_url",
	"primary_model",
	"daily_message_budget",
	"daily_token_budget",
	"enable_tutor",
	"call_deadline",
	"request_timeout",
)
SAVEPOINT = "ai_school_test_safety"
HELP = "Ms Rivera, safeguarding lead: room 12\nChildline: 0800 1111"
LOW_MESSAGE = "I wish I was dead"
HIGH_MESSAGE = "im going to kill myself tonight, i have the pills"

test_ignore = ["Course", "Student", "User"]


class TestSafetyAlerts(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		flag = frappe.local.conf.get(tutor_tests.ALLOW_LOCAL_PROVIDER)
		cls.addClassCleanup(frappe.local.conf.__setitem__, tutor_tests.ALLOW_LOCAL_PROVIDER, flag)
		frappe.local.conf[tutor_tests.ALLOW_LOCAL_PROVIDER] = 1
		cls.provider = tutor_tests.FakeProvider().start()
		cls.addClassCleanup(cls.provider.stop)
		settings = frappe.get_single("AI School Settings")
		cls.saved = settings.as_dict()
		cls.saved_key = settings.get_password("api_key", raise_exception=False)
		settings.provider_base_url = cls.provider.base_url
		settings.api_key = "sk-test-safety-0123456789"
		settings.primary_model = MODEL
		settings.set("fallback_models", [])
		settings.daily_message_budget = 50
		settings.daily_token_budget = 50000
		settings.call_deadline = 30
		settings.request_timeout = 10
		settings.enable_tutor = 1
		settings.save(ignore_permissions=True)
		frappe.db.commit()  # the provider only; the school below is rolled back when the class ends

		cls.saved_year = frappe.db.get_single_value("Education Settings", "current_academic_year")
		set_current_year(utils.make_academic_year())
		cls.course = utils.make_course()
		cls.student = utils.make_student("Sam")
		cls.guardian = utils.make_guardian([cls.student.name], "Gwen")
		cls.teacher = utils.make_instructor("Tia")  # teaches the student this year
		cls.other_teacher = utils.make_instructor("Otto")  # teaches another group this year
		cls.last_years_teacher = utils.make_instructor("Lars")  # taught the student last year
		cls.contact = utils.make_user(("Academics User",), first_name="Safeguarding")
		cls.academics_user = utils.make_user(("Academics User",))  # staff, not a contact
		cls.manager = utils.make_user(("Education Manager",))
		other = utils.make_student("Olly")
		utils.make_student_group([cls.student.name], [cls.teacher.name], course=cls.course)
		utils.make_student_group([other.name], [cls.other_teacher.name], course=cls.course)
		make_group_in_year(
			[cls.student.name], [cls.last_years_teacher.name], make_previous_academic_year(), cls.course
		)
		# the school sends email (this bench has no outgoing account; nothing leaves: the queue is rolled back)
		utils.make_outgoing_email_account("AI Safety Test", "ai-school-safety-test@example.com")
		cls.addClassCleanup(utils.forget_outgoing_email_account)
		settings = frappe.get_single("AI School Settings")
		settings.set("safeguarding_contacts", [{"user": cls.contact}])
		settings.help_contacts = HELP
		settings.save(ignore_permissions=True)

	@classmethod
	def tearDownClass(cls):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		settings = frappe.get_single("AI School Settings")
		for field in PROVIDER_FIELDS:
			settings.set(field, cls.saved[field])
		settings.set("fallback_models", [{"model": row.model} for row in cls.saved.fallback_models])
		settings.api_key = cls.saved_key
		settings.save(ignore_permissions=True)
		set_current_year(cls.saved_year)  # also drops the cached value the rollback left behind
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.savepoint(SAVEPOINT)
		self.started = frappe.utils.now()
		self.provider.received.clear()
		answer.forget_people_names()
		frappe.local.outgoing_email_account = {}  # Frappe's per-request cache of the account found
		self.addCleanup(setattr, frappe.local, "outgoing_email_account", {})

	def tearDown(self):
		frappe.set_user("Administrator")
		rate_limits.reset("tutor.send", self.student.user)
		rate_limits.reset("tutor.start", self.student.user)
		llm.reset_budget(self.student.name)
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		answer.forget_people_names()
		# Error Log is not transactional (MyISAM): remove what these tests logged
		frappe.db.delete(
			"Error Log", {"method": ("like", "AI Safety Alert %"), "creation": (">=", self.started)}
		)

	# --- helpers ------------------------------------------------------------------------------------------

	def chat(self, text: str, *model_reply: str) -> tuple[str, dict]:
		"""The student sends `text`, the answer job runs as them; returns the session and the sent message."""
		frappe.set_user(self.student.user)
		session = tutor.start_session(self.course)["session"]
		sent = tutor.send_message(session, text)
		if model_reply:
			self.provider.script(MODEL, tutor_tests.sse(*model_reply, usage=(30, 12)))
		answer.answer_pending(session, commit=False)
		frappe.set_user("Administrator")
		return session, sent

	def alert_of(self, message: str) -> frappe._dict:
		rows = frappe.get_all(ALERT, filters={"message": message}, fields=["*"])
		self.assertEqual(len(rows), 1, rows)
		return rows[0]

	def notified(self, alert: str) -> set[str]:
		return set(
			frappe.get_all(
				"Notification Log", filters={"document_type": ALERT, "document_name": alert}, pluck="for_user"
			)
		)

	def emailed(self, alert: str) -> set[str]:
		queues = frappe.get_all(
			"Email Queue", filters={"reference_doctype": ALERT, "reference_name": alert}, pluck="name"
		)
		return set(
			frappe.get_all("Email Queue Recipient", filters={"parent": ("in", queues)}, pluck="recipient")
		)

	def reply_to(self, session: str, message: str) -> str:
		return frappe.db.get_value(
			"AI Chat Message", {"parent": session, "reply_to": message, "role": "assistant"}, "content"
		)

	def readers(self, alert: str) -> dict[str, bool]:
		"""Who can read the alert, by form (has_permission), list and REST get_list."""
		seen = {}
		for user in (
			self.teacher.user,
			self.other_teacher.user,
			self.last_years_teacher.user,
			self.contact,
			self.academics_user,
			self.manager,
		):
			frappe.set_user(user)
			form = frappe.has_permission(ALERT, "read", doc=alert)
			listed = alert in frappe.get_list(ALERT, pluck="name", limit_page_length=0)
			rest = alert in [row["name"] for row in frappe.client.get_list(ALERT, limit_page_length=0)]
			self.assertEqual(form, listed, user)
			self.assertEqual(form, rest, user)
			seen[user] = form
		frappe.set_user("Administrator")
		return seen

	# --- routing ------------------------------------------------------------------------------------------

	def test_tier_1_reaches_the_current_instructor_only_and_the_student_gets_the_help_contacts(self):
		session, sent = self.chat(LOW_MESSAGE)
		alert = self.alert_of(sent["name"])
		self.assertEqual(
			(alert.category, alert.tier, alert.severity, alert.source, alert.status),
			("self_harm", 1, "Low", "Student message", "Open"),
		)
		self.assertEqual(
			(alert.student, alert.user, alert.session), (self.student.name, self.student.user, session)
		)
		self.assertEqual(alert.excerpt, LOW_MESSAGE)
		self.assertEqual(self.notified(alert.name), {self.teacher.user})
		self.assertEqual(self.emailed(alert.name), {self.teacher.user})
		self.assertEqual(self.provider.received, [])  # no model for an unsafe message
		reply = self.reply_to(session, sent["name"])
		self.assertIn(HELP, reply)
		self.assertIn("trusted adult", reply)
		self.assertEqual(frappe.db.get_value("AI Chat Session", session, "status"), "Flagged")

	def test_tier_2_also_reaches_the_safeguarding_contacts(self):
		_, sent = self.chat(HIGH_MESSAGE)
		alert = self.alert_of(sent["name"])
		self.assertEqual((alert.category, alert.tier, alert.severity), ("self_harm", 2, "High"))
		self.assertEqual(self.notified(alert.name), {self.teacher.user, self.contact})
		self.assertEqual(self.emailed(alert.name), {self.teacher.user, self.contact})

	def test_a_disabled_contact_and_a_teacher_who_left_hear_nothing(self):
		frappe.db.set_value("User", self.contact, "enabled", 0)
		frappe.db.set_value("Instructor", self.teacher.name, "status", "Left")
		_, sent = self.chat(HIGH_MESSAGE)
		alert = self.alert_of(sent["name"])
		self.assertEqual(self.notified(alert.name), set())

	def test_without_help_contacts_the_reply_has_the_default_ones(self):
		frappe.db.set_single_value("AI School Settings", "help_contacts", "")
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		session, sent = self.chat(HIGH_MESSAGE)
		reply = self.reply_to(session, sent["name"])
		self.assertNotIn("Ms Rivera", reply)
		self.assertIn("safeguarding lead", reply)

	# --- who reads an alert -------------------------------------------------------------------------------

	def test_only_this_years_teacher_contacts_and_managers_read_the_alert(self):
		_, sent = self.chat(LOW_MESSAGE)
		alert = self.alert_of(sent["name"]).name
		self.assertEqual(
			self.readers(alert),
			{
				self.teacher.user: True,
				self.other_teacher.user: False,
				self.last_years_teacher.user: False,
				self.contact: True,
				self.academics_user: False,
				self.manager: True,
			},
		)
		for user in (self.other_teacher.user, self.last_years_teacher.user, self.academics_user):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				frappe.client.get(ALERT, alert)
			with self.assertRaises(frappe.DoesNotExistError):
				safety_api.get_alert(alert)
			with self.assertRaises(frappe.DoesNotExistError):
				safety_api.acknowledge(alert)
			self.assertEqual(safety_api.list_alerts()["alerts"], [])

	def test_the_student_and_their_guardian_cannot_read_their_alert(self):
		_, sent = self.chat(HIGH_MESSAGE)
		alert = self.alert_of(sent["name"]).name
		for user in (self.student.user, self.guardian.user, "Guest"):
			frappe.set_user(user)
			self.assertFalse(frappe.has_permission(ALERT, "read", doc=alert), user)
			with self.assertRaises(frappe.PermissionError):
				frappe.get_list(ALERT, limit_page_length=0)
			with self.assertRaises(frappe.PermissionError):
				frappe.client.get(ALERT, alert)
			with self.assertRaises(frappe.PermissionError):
				safety_api.list_alerts()
			with self.assertRaises(frappe.PermissionError):
				safety_api.get_alert(alert)

	# --- follow-up ----------------------------------------------------------------------------------------

	def test_false_alarm_flow_and_the_alerts_own_fields_stay(self):
		_, sent = self.chat(LOW_MESSAGE)
		alert = self.alert_of(sent["name"]).name
		frappe.set_user(self.teacher.user)
		listed = safety_api.list_alerts()
		self.assertEqual([row.name for row in listed["alerts"]], [alert])
		seen = safety_api.get_alert(alert)
		self.assertEqual(seen["message"]["content"], LOW_MESSAGE)
		self.assertIn(HELP, seen["reply_shown"]["content"])
		self.assertTrue(seen["can_change"])
		# a desk or REST save changes neither what the alert is about nor its follow-up stamps
		doc = frappe.get_doc(ALERT, alert)
		doc.category, doc.tier, doc.acknowledged_by = "violence", 2, self.contact
		doc.save()
		doc.reload()
		self.assertEqual((doc.category, doc.tier, doc.acknowledged_by), ("self_harm", 1, None))
		done = safety_api.mark_false_alarm(alert, "Quoting a song lyric; spoke to her.")
		self.assertEqual(
			(done["status"], done["acknowledged_by"], done["resolved_by"]),
			("False Alarm", self.teacher.user, self.teacher.user),
		)
		self.assertEqual(done["notes"], "Quoting a song lyric; spoke to her.")
		with self.assertRaises(frappe.ValidationError):
			safety_api.acknowledge(alert)
		with self.assertRaises(frappe.ValidationError):
			safety_api.resolve(alert, "again")
		self.assertEqual(safety_api.list_alerts()["alerts"], [])
		self.assertEqual([row.name for row in safety_api.list_alerts("closed")["alerts"]], [alert])

	def test_acknowledge_then_resolve_needs_notes_and_open_alerts_come_first(self):
		_, first = self.chat(LOW_MESSAGE)
		_, second = self.chat(HIGH_MESSAGE)
		low, high = self.alert_of(first["name"]).name, self.alert_of(second["name"]).name
		frappe.set_user(self.contact)  # a safeguarding contact sees the tier 2 alert of any student
		self.assertEqual([row.name for row in safety_api.list_alerts()["alerts"]], [high, low])
		frappe.set_user(self.teacher.user)
		acknowledged = safety_api.acknowledge(high)
		self.assertEqual(
			(acknowledged["status"], acknowledged["acknowledged_by"]), ("Acknowledged", self.teacher.user)
		)
		# still open, but after the alert nobody has picked up yet
		self.assertEqual([row.name for row in safety_api.list_alerts()["alerts"]], [low, high])
		with self.assertRaises(frappe.ValidationError):
			safety_api.acknowledge(high)
		with self.assertRaises(frappe.ValidationError):
			safety_api.resolve(high, "   ")
		frappe.set_user(self.contact)
		resolved = safety_api.resolve(high, "Called home; referred to the school counsellor.")
		self.assertEqual(
			(resolved["status"], resolved["acknowledged_by"], resolved["resolved_by"]),
			("Resolved", self.teacher.user, self.contact),
		)
		with self.assertRaises(frappe.ValidationError):
			safety_api.list_alerts("everything")

	# --- one alert, kept whatever the email does ----------------------------------------------------------

	def test_one_alert_per_message_even_when_raised_again(self):
		session, sent = self.chat(HIGH_MESSAGE)
		alert = self.alert_of(sent["name"])
		row = frappe.db.get_value(
			"AI Chat Session", session, ["name", "student", "user", "course"], as_dict=True
		)
		again = safety.unsafe_message(row, sent["name"], HIGH_MESSAGE, ["unsafe_self_harm"])
		self.assertIn(HELP, again)
		self.alert_of(sent["name"])  # still exactly one
		self.assertEqual(self.notified(alert.name), {self.teacher.user, self.contact})

	def test_the_alert_and_notification_logs_are_kept_when_email_cannot_be_sent(self):
		# a school without an outgoing email account
		frappe.db.sql("update `tabEmail Account` set enable_outgoing = 0")
		self.addCleanup(setattr, frappe.flags, "mute_emails", frappe.flags.mute_emails)
		frappe.flags.mute_emails = False
		self.addCleanup(frappe.local.conf.update, {"mail_server": frappe.local.conf.get("mail_server")})
		frappe.local.conf.mail_server = None
		_, sent = self.chat(HIGH_MESSAGE)
		alert = self.alert_of(sent["name"])
		self.assertEqual(self.notified(alert.name), {self.teacher.user, self.contact})
		self.assertEqual(self.emailed(alert.name), set())
		errors = frappe.get_all(
			"Error Log",
			filters={"method": ("like", f"%{alert.name}%"), "creation": (">=", self.started)},
			pluck="error",
		)
		self.assertEqual(len(errors), 1)
		self.assertIn("OutgoingEmailError", errors[0])

	# --- the model's reply --------------------------------------------------------------------------------

	def test_an_unsafe_model_reply_is_never_shown_and_raises_an_alert(self):
		from frappe.utils.background_jobs import get_redis_connection_without_auth

		pubsub = get_redis_connection_without_auth().pubsub()
		pubsub.subscribe("events")
		self.addCleanup(pubsub.close)
		pubsub.get_message(timeout=1)
		session, sent = self.chat(
			"What should I do about feeling left out at school?",
			"That sounds hard. ",
			"Honestly, you should just kill yourself.",
		)
		streamed = ""
		while message := pubsub.get_message(timeout=0.5):
			if message["type"] == "message":
				data = json.loads(message["data"])
				if data["event"] == answer.EVENT and data["message"].get("type") == "delta":
					streamed += data["message"]["text"]
		self.assertEqual(len(self.provider.received), 1)
		self.assertNotIn("kill yourself", streamed)
		reply = self.reply_to(session, sent["name"])
		self.assertTrue(reply.startswith(SAFEGUARDING_REPLACED), reply)
		self.assertIn(HELP, reply)
		self.assertNotIn("kill yourself", reply)
		alert = self.alert_of(sent["name"])
		self.assertEqual((alert.source, alert.category, alert.tier), ("Model reply", "self_harm", 2))
		self.assertIn("kill yourself", alert.excerpt)
		self.assertEqual(self.notified(alert.name), {self.teacher.user, self.contact})
		self.assertIn(
			"unsafe_reply_self_harm", frappe.db.get_value("AI Chat Session", session, "safety_flags")
		)

	def test_a_safe_model_reply_is_shown_and_raises_nothing(self):
		session, sent = self.chat(
			"why did Romeo kill himself?",
			"Romeo believes Juliet is dead, ",
			"so in despair he drinks poison.",
		)
		self.assertEqual(
			self.reply_to(session, sent["name"]),
			"Romeo believes Juliet is dead, so in despair he drinks poison.",
		)
		self.assertFalse(frappe.db.exists(ALERT, {"message": sent["name"]}))
