"""Chat retention (ai_school/tutor/retention.py): the daily job deletes tutor conversations older than AI School
Settings' chat_retention_days, permanently and with what Frappe keeps about them, and keeps the usage in AI
Engagement Log. Real sessions, dated back through their timestamps."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime

from ai_school.tests import utils
from ai_school.tutor.retention import delete_expired_chats

JOB = "ai_school.tutor.retention.delete_expired_chats"


class TestChatRetention(FrappeTestCase):
	def setUp(self):
		self.retention_days = frappe.db.get_single_value("AI School Settings", "chat_retention_days")
		frappe.db.set_single_value("AI School Settings", "chat_retention_days", 30)
		self.student = utils.make_student("Ada")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		# the original value again, which also drops the connection's cached copy of the test value
		frappe.db.set_single_value("AI School Settings", "chat_retention_days", self.retention_days)

	def session_last_active(self, days_ago: int, message_days_ago: tuple[int, ...] | None = None) -> str:
		name = utils.make_chat_session(self.student.name)
		when = add_days(now_datetime(), -days_ago)
		frappe.db.set_value("AI Chat Session", name, "modified", when, update_modified=False)
		rows = frappe.get_all("AI Chat Message", filters={"parent": name}, pluck="name", order_by="idx asc")
		for row, days in zip(rows, message_days_ago or (days_ago,) * len(rows), strict=True):
			frappe.db.set_value(
				"AI Chat Message", row, "timestamp", add_days(now_datetime(), -days), update_modified=False
			)
		return name

	def test_sessions_idle_longer_than_the_retention_are_deleted_for_good(self):
		old = self.session_last_active(40)
		frappe.get_doc("AI Chat Session", old).add_comment("Info", "Reviewed by the head of year")
		log = utils.make_engagement_log(
			self.student.name,
			self.student.user,
			tokens_in=120,
			tokens_out=80,
			reference_doctype="AI Chat Session",
			reference_name=old,
		)
		kept = self.session_last_active(20)

		counts = delete_expired_chats(commit=False)

		self.assertGreaterEqual(counts["sessions"], 1)  # the site may hold other old conversations
		self.assertFalse(frappe.db.exists("AI Chat Session", old))
		self.assertFalse(frappe.get_all("AI Chat Message", filters={"parent": old}))
		self.assertFalse(
			frappe.get_all("Comment", filters={"reference_doctype": "AI Chat Session", "reference_name": old})
		)
		self.assertFalse(
			frappe.db.exists("Deleted Document", {"deleted_doctype": "AI Chat Session", "deleted_name": old})
		)
		self.assertTrue(frappe.db.exists("AI Chat Session", kept))
		self.assertEqual(len(frappe.get_doc("AI Chat Session", kept).messages), 2)
		usage = frappe.db.get_value(
			"AI Engagement Log", log, ["student", "tokens_in", "tokens_out", "reference_name"], as_dict=True
		)
		self.assertEqual((usage.student, usage.tokens_in, usage.tokens_out), (self.student.name, 120, 80))
		self.assertFalse(usage.reference_name)

	def test_old_messages_of_a_session_still_in_use_are_deleted(self):
		session = self.session_last_active(1, message_days_ago=(45, 1))
		counts = delete_expired_chats(commit=False)
		self.assertGreaterEqual(counts["messages"], 1)
		self.assertTrue(frappe.db.exists("AI Chat Session", session))
		messages = frappe.get_doc("AI Chat Session", session).messages
		self.assertEqual([m.role for m in messages], ["assistant"])

	def test_deletes_in_batches_until_nothing_is_left(self):
		sessions = [self.session_last_active(31 + i) for i in range(5)]
		counts = delete_expired_chats(batch_size=2, commit=False)
		self.assertGreaterEqual(counts["sessions"], 5)
		self.assertFalse(frappe.get_all("AI Chat Session", filters={"name": ("in", sessions)}))

	def test_zero_days_keeps_conversations(self):
		frappe.db.set_single_value("AI School Settings", "chat_retention_days", 0)
		old = self.session_last_active(4000)
		self.assertEqual(delete_expired_chats(commit=False), {"sessions": 0, "messages": 0})
		self.assertTrue(frappe.db.exists("AI Chat Session", old))

	def test_the_scheduler_runs_it_daily(self):
		self.assertIn(JOB, frappe.get_hooks("scheduler_events").get("daily_long", []))
		frequency = frappe.db.get_value("Scheduled Job Type", {"method": JOB}, "frequency")
		self.assertEqual(frequency, "Daily Long")
