# Copyright (c) 2026, ai_school contributors and Contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school.ai_school.doctype.ai_engagement_log.ai_engagement_log import ERROR_MESSAGE_LIMIT
from ai_school.tests.utils import make_engagement_log, make_student

# the factories build real Education records; the runner's generic test records are not needed
test_ignore = ["DocType", "Student", "User"]


class TestAIEngagementLog(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_keeps_error_messages_short_and_usage_non_negative(self):
		student = make_student()
		log = frappe.get_doc(
			"AI Engagement Log",
			make_engagement_log(
				student.name,
				student.user,
				outcome="error",
				tokens_in=-5,
				error_message="upstream said: " + "x" * 2000,
			),
		)
		self.assertEqual(len(log.error_message), ERROR_MESSAGE_LIMIT)
		self.assertEqual(log.tokens_in, 0)

	def test_users_cannot_create_logs_themselves(self):
		student = make_student()
		frappe.set_user(student.user)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "AI Engagement Log", "feature": "Tutor", "outcome": "ok", "student": student.name}
			).insert()
