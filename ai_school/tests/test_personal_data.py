"""The app's `user_data_fields` hooks: Frappe's personal data download and deletion requests cover a student's
tutor conversations, engagement logs and AI profile."""

import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.website.doctype.personal_data_download_request.personal_data_download_request import get_user_data

from ai_school.tests import utils

SUMMARY = "Ada mixes up numerators and denominators"
PREFERENCES = "Ada likes diagrams"


class TestPersonalData(FrappeTestCase):
	def setUp(self):
		self.student = utils.make_student("Ada")
		# the tutor API creates sessions in the student's own request, so the student owns them and their rows
		frappe.set_user(self.student.user)
		self.session = utils.make_chat_session(self.student.name, summary=SUMMARY)
		self.log = utils.make_engagement_log(self.student.name, self.student.user, error_message="quota")
		frappe.set_user("Administrator")
		self.profile = utils.make_profile(self.student.name, learning_preferences=PREFERENCES)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_download_contains_the_students_ai_records(self):
		data = json.loads(get_user_data(self.student.user))
		self.assertIn(self.session, {row["name"] for row in data["AI Chat Session"]})
		self.assertEqual({row["parent"] for row in data["AI Chat Message"]}, {self.session})
		self.assertIn(self.log, {row["name"] for row in data["AI Engagement Log"]})
		self.assertIn(self.profile, {row["name"] for row in data["AI Student Profile"]})

	def test_deletion_redacts_the_students_ai_records(self):
		request = frappe.get_doc(
			{
				"doctype": "Personal Data Deletion Request",
				"email": self.student.user,
				"status": "Pending Approval",
			}
		)
		# insert() and trigger_data_deletion() also mail the user, which needs an outgoing email account; the
		# redaction itself is the step Frappe enqueues once the request is approved
		request.autoname()
		request.db_insert()
		request._anonymize_data()

		session = frappe.get_doc("AI Chat Session", self.session)
		self.assertEqual(session.user, request.name)  # the account is renamed to the anonymous id
		self.assertNotEqual(session.summary, SUMMARY)
		self.assertNotIn("denominator", " ".join(message.content for message in session.messages))
		profile = frappe.get_doc("AI Student Profile", self.profile)
		self.assertNotEqual(profile.learning_preferences, PREFERENCES)
		self.assertEqual(frappe.db.get_value("AI Engagement Log", self.log, "user"), request.name)
