# Copyright (c) 2026, ai_school contributors and Contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school.tests.utils import make_course, make_profile, make_student

# the factories build real Education records; the runner's generic test records are not needed
test_ignore = ["Course", "Student", "User"]


class TestAIStudentProfile(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_profile_is_named_after_its_student_and_fetches_the_student(self):
		student = make_student("Nia")
		course = make_course()
		profile = frappe.get_doc(
			"AI Student Profile",
			make_profile(
				student.name,
				risk_score=72.5,
				risk_level="High",
				factors=[
					{"factor": "attendance", "value": 0.61, "impact": 0.4, "explanation": "Missed 12 days"}
				],
				course_standings=[{"course": course, "score_percent": 55, "standing": "Weakness"}],
			),
		)
		self.assertEqual(profile.name, student.name)
		self.assertEqual(profile.user, student.user)
		self.assertTrue(profile.student_name.startswith("Nia"))
		self.assertEqual(profile.factors[0].factor, "attendance")
		self.assertEqual(
			(profile.course_standings[0].course, profile.course_standings[0].standing), (course, "Weakness")
		)

	def test_one_profile_per_student(self):
		student = make_student()
		make_profile(student.name)
		with self.assertRaises(frappe.DuplicateEntryError):
			make_profile(student.name)

	def test_risk_score_and_attendance_stay_within_0_and_100(self):
		student = make_student()
		for values in ({"risk_score": 101}, {"risk_score": -1}, {"attendance_rate": 130}):
			with self.assertRaisesRegex(frappe.ValidationError, "between 0 and 100"):
				make_profile(student.name, **values)
