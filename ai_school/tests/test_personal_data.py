"""The app's `user_data_fields` hooks: Frappe's personal data download and deletion requests cover every record
derived from a student's data — tutor conversations and their messages, the AI profile with its risk factors
and course standings, assessment insights with their gaps, engagement logs — including names copied onto
them (student_name)."""

import json

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.website.doctype.personal_data_download_request.personal_data_download_request import get_user_data

from ai_school.tests import utils

SUMMARY = "Ada mixes up numerators and denominators"
PREFERENCES = "Ada likes diagrams"
EXPLANATION = "Ada missed 9 of the last 20 school days"
SUGGESTION = "<p>Ada should practise common denominators.</p>"
GAP_NOTE = "Ada dropped marks on algebra"

STUDENT_RECORDS = (
	"AI Chat Session",
	"AI Chat Message",
	"AI Student Profile",
	"AI Risk Factor",
	"AI Course Standing",
	"Assessment Insight",
	"Assessment Insight Gap",
	"AI Engagement Log",
)


def hooks_by_doctype() -> dict[str, dict]:
	return {hook["doctype"]: hook for hook in frappe.get_hooks("user_data_fields", app_name="ai_school")}


class TestPersonalData(FrappeTestCase):
	def setUp(self):
		self.student = utils.make_student("Ada")
		self.student_name = frappe.db.get_value("Student", self.student.name, "student_name")
		# made by the server (Administrator), not in the student's request: found by the user they are about
		self.session = utils.make_chat_session(self.student.name, summary=SUMMARY)
		self.log = utils.make_engagement_log(self.student.name, self.student.user, error_message="quota")
		self.profile = utils.make_profile(
			self.student.name,
			learning_preferences=PREFERENCES,
			factors=[{"factor": "attendance_rate", "value": 55, "impact": 0.4, "explanation": EXPLANATION}],
			course_standings=[{"course": utils.make_course(), "score_percent": 48, "standing": "Weakness"}],
		)
		course = utils.make_course()
		group = utils.make_student_group([self.student.name], course=course)
		result = utils.make_assessment_result(self.student.name, group, course, {"AI Test Algebra": (4, 10)})
		self.insight = utils.make_insight(
			result,
			"Shared",
			suggestions=SUGGESTION,
			gaps=[
				{
					"assessment_criteria": "AI Test Algebra",
					"student_score": 4,
					"maximum_score": 10,
					"group_mean": 7,
					"note": GAP_NOTE,
				}
			],
		)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_every_record_derived_from_a_student_is_covered(self):
		"""Each of the app's DocTypes about a student (a `student` field, or a child table of one) is listed,
		found by a user field, with the names it copies redacted."""
		hooks = hooks_by_doctype()
		about_students = set()
		for doctype in frappe.get_all("DocType", filters={"module": ("in", _app_modules())}, pluck="name"):
			meta = frappe.get_meta(doctype)
			if meta.has_field("student"):
				about_students.add(doctype)
				about_students.update(df.options for df in meta.get_table_fields())
		self.assertLessEqual(set(STUDENT_RECORDS), about_students)  # the scan finds them
		self.assertLessEqual(about_students, set(hooks))
		for doctype in about_students:
			meta, hook = frappe.get_meta(doctype), hooks[doctype]
			self.assertTrue(meta.has_field(hook["filter_by"]), doctype)
			if meta.has_field("student_name"):
				self.assertIn("student_name", hook["redact_fields"], doctype)

	def test_download_contains_every_ai_record_of_the_student(self):
		data = json.loads(get_user_data(self.student.user))
		expected = {
			"AI Chat Session": {self.session},
			"AI Student Profile": {self.profile},
			"Assessment Insight": {self.insight},
			"AI Engagement Log": {self.log},
		}
		for doctype, names in expected.items():
			self.assertLessEqual(names, {row["name"] for row in data.get(doctype, [])}, doctype)
		children = {
			"AI Chat Message": self.session,
			"AI Risk Factor": self.profile,
			"AI Course Standing": self.profile,
			"Assessment Insight Gap": self.insight,
		}
		for doctype, parent in children.items():
			self.assertIn(parent, {row["parent"] for row in data.get(doctype, [])}, doctype)

	def test_deletion_redacts_every_ai_record_of_the_student(self):
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
		anon = request.name

		session = frappe.get_doc("AI Chat Session", self.session)
		self.assertEqual(session.user, anon)  # the account is renamed to the anonymous id
		self.assertNotEqual(session.summary, SUMMARY)
		self.assertNotEqual(session.student_name, self.student_name)
		self.assertNotIn("denominator", " ".join(message.content for message in session.messages))
		self.assertEqual({message.user for message in session.messages}, {anon})

		profile = frappe.get_doc("AI Student Profile", self.profile)
		self.assertEqual(profile.user, anon)
		self.assertNotEqual(profile.learning_preferences, PREFERENCES)
		self.assertNotEqual(profile.student_name, self.student_name)
		self.assertNotEqual(profile.factors[0].explanation, EXPLANATION)
		self.assertEqual({row.user for row in profile.factors + profile.course_standings}, {anon})

		insight = frappe.get_doc("Assessment Insight", self.insight)
		self.assertEqual(insight.user, anon)
		self.assertNotIn("denominators", insight.suggestions or "")
		self.assertNotEqual(insight.student_name, self.student_name)
		self.assertNotEqual(insight.gaps[0].note, GAP_NOTE)
		self.assertEqual(insight.gaps[0].user, anon)

		self.assertEqual(frappe.db.get_value("AI Engagement Log", self.log, "user"), anon)
		left = json.loads(get_user_data(self.student.user))  # nothing of the app's is found under the old id
		self.assertFalse({doctype: left[doctype] for doctype in STUDENT_RECORDS if doctype in left})


def _app_modules() -> list[str]:
	return frappe.get_all("Module Def", filters={"app_name": "ai_school"}, pluck="name")
