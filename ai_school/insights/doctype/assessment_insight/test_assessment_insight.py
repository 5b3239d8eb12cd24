# Copyright (c) 2026, ai_school contributors and Contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school.tests import utils

# the factories build real Education records; the runner's generic test records are not needed
test_ignore = [
	"Assessment Criteria",
	"Assessment Plan",
	"Assessment Result",
	"Course",
	"Student",
	"Student Group",
]


class TestAssessmentInsight(FrappeTestCase):
	def setUp(self):
		self.student = utils.make_student("Ivy")
		self.course = utils.make_course()
		self.group = utils.make_student_group([self.student.name], course=self.course)
		self.scores = {"AI Test Reading": (4, 10), "AI Test Writing": (8, 10)}

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_refuses_a_result_that_is_not_submitted(self):
		draft = utils.make_assessment_result(
			self.student.name, self.group, self.course, self.scores, submit=False
		)
		with self.assertRaisesRegex(frappe.ValidationError, "not submitted"):
			utils.make_insight(draft)

	def test_takes_student_course_group_and_plan_from_the_result(self):
		result = utils.make_assessment_result(self.student.name, self.group, self.course, self.scores)
		other = utils.make_student("Olive")
		insight = frappe.get_doc("Assessment Insight", utils.make_insight(result, student=other.name))
		plan = frappe.db.get_value("Assessment Result", result, "assessment_plan")
		self.assertEqual(
			(insight.student, insight.course, insight.student_group, insight.assessment_plan),
			(self.student.name, self.course, self.group, plan),
		)
		self.assertEqual(insight.status, "Draft")

	def test_gap_is_student_score_minus_group_mean(self):
		result = utils.make_assessment_result(self.student.name, self.group, self.course, self.scores)
		insight = frappe.get_doc(
			"Assessment Insight",
			utils.make_insight(
				result,
				gaps=[
					{
						"assessment_criteria": "AI Test Reading",
						"student_score": 4,
						"maximum_score": 10,
						"group_mean": 6.5,
						"group_count": 3,
					},
					{
						"assessment_criteria": "AI Test Writing",
						"student_score": 8,
						"maximum_score": 10,
						"group_mean": 7,
						"group_count": 3,
					},
				],
			),
		)
		self.assertEqual([row.gap for row in insight.gaps], [-2.5, 1.0])

	def test_no_mean_or_gap_when_fewer_than_three_results_were_compared(self):
		result = utils.make_assessment_result(self.student.name, self.group, self.course, self.scores)
		insight = frappe.get_doc(
			"Assessment Insight",
			utils.make_insight(
				result,
				gaps=[
					{
						"assessment_criteria": "AI Test Reading",
						"student_score": 4,
						"maximum_score": 10,
						"group_mean": 6,  # with two results, this would reveal the classmate's 8
						"group_count": 2,
					}
				],
			),
		)
		self.assertEqual([(row.group_mean, row.gap) for row in insight.gaps], [(0, 0)])

	def test_rejects_a_score_above_the_maximum(self):
		result = utils.make_assessment_result(self.student.name, self.group, self.course, self.scores)
		with self.assertRaisesRegex(frappe.ValidationError, "above the maximum"):
			utils.make_insight(
				result,
				gaps=[{"assessment_criteria": "AI Test Reading", "student_score": 11, "maximum_score": 10}],
			)
