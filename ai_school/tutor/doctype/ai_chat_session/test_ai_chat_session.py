# Copyright (c) 2026, ai_school contributors and Contributors
# See license.txt

import json

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school.tests.utils import make_chat_session, make_student

# the factories build real Education records; the runner's generic test records are not needed
test_ignore = ["Course", "Student", "User"]


class TestAIChatSession(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_new_session_takes_the_students_user_and_safe_defaults(self):
		student = make_student()
		session = frappe.get_doc("AI Chat Session", make_chat_session(student.name))
		self.assertEqual(session.user, student.user)
		self.assertEqual((session.status, session.integrity_mode), ("Active", "Guided"))
		self.assertEqual([m.role for m in session.messages], ["user", "assistant"])
		self.assertTrue(all(m.timestamp for m in session.messages))

	def test_safety_flags_must_be_a_list_of_texts(self):
		student = make_student()
		session = frappe.get_doc("AI Chat Session", make_chat_session(student.name))
		session.safety_flags = json.dumps(["answer-seeking", "off-topic"])
		session.save(ignore_permissions=True)
		self.assertEqual(json.loads(session.safety_flags), ["answer-seeking", "off-topic"])
		for bad in ('{"flag": 1}', "not json", json.dumps([1, 2])):
			# a failed save leaves the in-memory timestamp ahead of the stored one
			session = frappe.get_doc("AI Chat Session", session.name)
			session.safety_flags = bad
			with self.assertRaisesRegex(frappe.ValidationError, "JSON list"):
				session.save(ignore_permissions=True)

	def test_server_code_may_append_assistant_messages_for_a_student(self):
		student = make_student()
		name = make_chat_session(student.name)
		frappe.set_user(student.user)
		session = frappe.get_doc("AI Chat Session", name)
		session.append(
			"messages", {"role": "assistant", "content": "Try 6 as the denominator.", "tokens_out": 8}
		)
		session.summary = "Working on common denominators"
		session.save(ignore_permissions=True)  # as the tutor API does after authorizing the student
		frappe.set_user("Administrator")
		stored = frappe.get_doc("AI Chat Session", name)
		self.assertEqual(len(stored.messages), 3)
		self.assertEqual(stored.summary, "Working on common denominators")
