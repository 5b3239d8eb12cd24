"""The demo school on a real site: the small scale end to end (create, create again, teardown).

The small school ("AI Test School", ledger `__ai_school_demo:ATS`) is separate from the full demo, so this
runs on a site where the full demo is loaded and leaves it untouched. The builder commits in batches, so
the test cleans up with the demo's own teardown rather than a rollback.
"""

from statistics import mean

import frappe
from frappe.tests.utils import FrappeTestCase

from education.education.api import get_grade

from ai_school.demo import create, school, teardown
from ai_school.demo.builder import demo_counts
from ai_school.demo.ledger import Ledger

SCALE = "small"
CONFIG = school.get_config(SCALE)
TODAY = "2026-11-22"


def _modified(counts: dict[str, int]) -> dict[str, str]:
	"""Latest `modified` per demo doctype, over the documents the ledger lists."""
	ledger = Ledger(CONFIG.abbr)
	result = {}
	for doctype in counts:
		names = sorted(ledger.names(doctype))
		if names and doctype != "Education Settings":
			latest = frappe.get_all(
				doctype, filters={"name": ("in", names)}, pluck="modified", order_by="modified desc", limit=1
			)
			result[doctype] = str(latest[0])
	return result


class TestDemoSchool(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		teardown(scale=SCALE)
		cls.first = create(scale=SCALE, today=TODAY)
		cls.first_modified = _modified(cls.first)
		cls.second = create(scale=SCALE, today=TODAY)
		cls.second_modified = _modified(cls.second)
		cls.plan = school.build_plan(CONFIG)
		ledger = Ledger(CONFIG.abbr)
		cls.student_of = {
			frappe.db.get_value("Student", name, "student_email_id"): name for name in ledger.names("Student")
		}

	@classmethod
	def tearDownClass(cls):
		teardown(scale=SCALE)
		super().tearDownClass()

	def student(self, person: school.Student) -> str:
		return self.student_of[person.email]

	def test_creates_the_planned_school(self):
		counts = self.first
		self.assertEqual(counts["Student"], CONFIG.students)
		self.assertEqual(counts["Instructor"], CONFIG.instructors)
		self.assertEqual(counts["Guardian"], len(self.plan.guardians))
		self.assertEqual(counts["Customer"], CONFIG.students)  # Education's Student.on_update makes one each
		self.assertGreater(counts["Assessment Result"], 0)
		self.assertGreater(counts["Student Attendance"], counts["Student"] * 100)
		students_with_history = sum(1 for s in self.plan.students if s.first_year == school.PREVIOUS_YEAR)
		self.assertEqual(counts["Program Enrollment"], CONFIG.students + students_with_history)

	def test_second_run_changes_nothing(self):
		self.assertEqual(self.first, self.second)
		self.assertEqual(self.first_modified, self.second_modified)

	def test_documents_are_valid_for_education(self):
		student = self.student(self.plan.students[0])
		self.assertTrue(frappe.db.get_value("Student", student, "user"))
		self.assertTrue(frappe.get_all("Student Guardian", filters={"parent": student}))
		user = frappe.db.get_value("Student", student, "user")
		self.assertIn("Student", frappe.get_roles(user))
		guardian_user = frappe.db.get_value(
			"Guardian", {"email_address": self.plan.guardians[0].email}, "user"
		)
		self.assertIn("Guardian", frappe.get_roles(guardian_user))
		instructor = frappe.get_all(
			"Instructor", filters={"instructor_name": self.plan.instructors[0].full_name}, fields=["employee"]
		)[0]
		self.assertTrue(frappe.db.get_value("Employee", instructor.employee, "user_id"))
		# every result belongs to a student of its group and carries Education's grade for its score
		results = frappe.get_all(
			"Assessment Result",
			filters={"student": student},
			fields=[
				"name",
				"student_group",
				"total_score",
				"maximum_score",
				"grade",
				"docstatus",
				"academic_term",
			],
		)
		self.assertTrue(results)
		for result in results:
			self.assertEqual(result.docstatus, 1)
			self.assertTrue(result.academic_term)
			self.assertTrue(
				frappe.db.exists(
					"Student Group Student", {"parent": result.student_group, "student": student}
				)
			)
			self.assertEqual(
				result.grade, get_grade(school.GRADING_SCALE, 100 * result.total_score / result.maximum_score)
			)
			detail_total = sum(
				frappe.get_all("Assessment Result Detail", filters={"parent": result.name}, pluck="score")
			)
			self.assertAlmostEqual(detail_total, result.total_score)
		# attendance only on school days, never on the holiday list
		holiday_list = frappe.db.get_value("Company", CONFIG.company, "default_holiday_list")
		on_holidays = frappe.db.sql(
			"""select count(*) from `tabStudent Attendance` a
			join `tabHoliday` h on h.holiday_date = a.date and h.parent = %s
			where a.student = %s""",
			(holiday_list, student),
		)[0][0]
		self.assertEqual(on_holidays, 0)

	def test_declining_cohort_is_findable(self):
		def term_mean(students, term):
			scores = frappe.get_all(
				"Assessment Result",
				filters={"student": ("in", students), "academic_term": term},
				fields=["total_score"],
				pluck="total_score",
			)
			return mean(scores)

		declining = [self.student(s) for s in self.plan.cohort(school.DECLINING)]
		others = [
			self.student(s)
			for s in self.plan.students
			if s.profile == school.TYPICAL and s.first_year == school.PREVIOUS_YEAR
		]
		term1, term2 = (t.name for t in school.TERMS[:2])
		drop = term_mean(declining, term2) - term_mean(declining, term1)
		steady = term_mean(others, term2) - term_mean(others, term1)
		self.assertLess(drop, -6)
		self.assertLess(drop, steady - 5)

	def test_chronic_absentees_and_failing_are_findable(self):
		def presence(student):
			rows = frappe.get_all("Student Attendance", filters={"student": student}, pluck="status")
			return rows.count("Present") / len(rows)

		for person in self.plan.cohort(school.CHRONIC_ABSENTEE):
			self.assertLess(presence(self.student(person)), 0.85)
		typical = [presence(self.student(p)) for p in self.plan.cohort(school.TYPICAL)]
		self.assertGreater(mean(typical), 0.9)
		for person in self.plan.cohort(school.FAILING):
			scores = frappe.get_all(
				"Assessment Result", filters={"student": self.student(person)}, pluck="total_score"
			)
			self.assertLess(mean(scores), school.PASS_MARK)

	def test_teardown_removes_everything_and_is_idempotent(self):
		# named to sort last: unittest runs methods alphabetically and the others need the school
		result = teardown(scale=SCALE)
		self.assertEqual(result["kept"], [])
		self.assertTrue(Ledger(CONFIG.abbr).is_empty())
		self.assertFalse(frappe.db.exists("Company", CONFIG.company))
		self.assertFalse(frappe.db.exists("Student", {"student_email_id": self.plan.students[0].email}))
		self.assertFalse(frappe.db.exists("User", self.plan.students[0].email))
		self.assertFalse(
			frappe.db.count("Student Attendance", {"student": ("in", list(self.student_of.values()))})
		)
		self.assertEqual(teardown(scale=SCALE), {"kept": []})
		self.assertEqual(demo_counts(CONFIG), {})
