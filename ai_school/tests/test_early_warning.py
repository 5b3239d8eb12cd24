"""Early warning on a real site: document events queue a deduplicated recompute, the job writes AI Student
Profiles whose reasons add up to the score, the daily job covers everyone, and the 5 % / 10 % absence
cut-points reach the profile's reasons.

The school: a holiday list with weekends off, an academic year around today with a current term (the last 100
days to 30 days ahead) and the term before it. Jobs run inline with commit=False, inside the test transaction.
"""

import statistics

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

from ai_school.core.insights.wording import pct
from ai_school.insights import risk
from ai_school.tests import utils

SAVEPOINT = "ai_school_early_warning_test"


def school_days_before(on_date, count: int) -> list:
	"""The last `count` weekdays up to and including `on_date`, oldest first."""
	days, day = [], getdate(on_date)
	while len(days) < count:
		if day.weekday() < 5:
			days.append(day)
		day = add_days(day, -1)
	return sorted(days)


class TestEarlyWarning(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		today = getdate(nowdate())
		cls.year = utils.make_dated_year("AI EW Year", add_days(today, -220), add_days(today, 140))
		cls.previous_term = utils.make_term(cls.year, "Autumn", add_days(today, -200), add_days(today, -101))
		cls.term = utils.make_term(cls.year, "Spring", add_days(today, -100), add_days(today, 30))
		cls.company = utils.use_weekend_holidays(add_days(today, -220), add_days(today, 140))
		cls.course = utils.make_course()
		cls.class_students = [utils.make_student(f"Kid{i}", with_user=False).name for i in range(30)]
		cls.group = utils.make_student_group(cls.class_students, course=cls.course)

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		frappe.clear_document_cache("Company", cls.company)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.db.set_single_value("Education Settings", "current_academic_term", self.term)
		frappe.db.set_single_value("AI School Settings", "enable_insights", 1)
		# these tests are about the ABC rule: a model version the site activated would score instead
		frappe.db.set_value("AI Risk Model", {"status": "Active"}, "status", "Retired")
		self.saved_medians = frappe.cache.get_value(risk.MEDIANS_KEY)
		frappe.cache.delete_value(risk.PENDING_KEY)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.cache.delete_value(risk.PENDING_KEY)
		if self.saved_medians is None:
			frappe.cache.delete_value(risk.MEDIANS_KEY)
		else:
			frappe.cache.set_value(risk.MEDIANS_KEY, self.saved_medians)

	# --- helpers -----------------------------------------------------------------------------------------

	def mark(self, student: str, day, status: str = "Present") -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Student Attendance",
				"student": student,
				"student_group": self.group,
				"date": day,
				"status": status,
			}
		).insert(ignore_permissions=True)
		doc.submit()
		return doc.name

	def result(self, student: str, scores: dict, term: str | None = None, day=None) -> str:
		"""A submitted Assessment Result in `term` (default: the current test term), its plan dated `day`.
		Education files a plan under the site's default term; the test says which term it means."""
		result = utils.make_assessment_result(student, self.group, self.course, scores)
		plan = frappe.db.get_value("Assessment Result", result, "assessment_plan")
		frappe.db.set_value(
			"Assessment Plan", plan, {"academic_term": term or self.term, "schedule_date": day or nowdate()}
		)
		frappe.db.set_value("Assessment Result", result, "academic_term", term or self.term)
		return result

	def profile(self, student: str):
		self.assertTrue(frappe.db.exists(risk.PROFILE, student), f"no profile for {student}")
		return frappe.get_doc(risk.PROFILE, student)

	def factor(self, profile, label: str):
		rows = [row for row in profile.factors if row.factor == label]
		self.assertEqual(len(rows), 1, f"{label}: {[(r.factor, r.explanation) for r in profile.factors]}")
		return rows[0]

	def assertReasonsAddUp(self, profile):
		self.assertTrue(profile.factors)
		self.assertEqual(sum(row.impact for row in profile.factors), profile.risk_score)

	def queued_jobs(self) -> int:
		"""How many drain jobs this transaction will queue when it commits."""
		return sum(1 for func in frappe.db.after_commit._functions if func is risk.enqueue_after_commit)

	# --- document events ---------------------------------------------------------------------------------

	def test_submitting_an_assessment_result_queues_the_student_and_the_job_writes_the_profile(self):
		student = self.class_students[0]
		result = self.result(student, {"AI EW Algebra": (3, 10), "AI EW Geometry": (3, 10)})
		self.assertIn(student, risk.pending_students())
		self.assertEqual(self.queued_jobs(), 1)

		self.assertEqual(risk.drain_pending(commit=False), 1)
		self.assertEqual(risk.pending_students(), set())
		profile = self.profile(student)
		self.assertReasonsAddUp(profile)
		self.assertEqual(profile.risk_score, 25)  # one failed course, nothing else on record
		self.assertEqual(profile.risk_level, "Medium")
		course = self.factor(profile, "Course performance")
		self.assertEqual(course.impact, 25)
		self.assertIn("Failing 1 course below the pass mark of 50 %", course.explanation)
		self.assertEqual(
			[(row.course, row.score_percent, row.standing) for row in profile.course_standings],
			[(self.course, 30, "Weakness")],
		)
		self.assertEqual(profile.model_version, f"ABC rule ({self.term})")

		# cancelling the result queues the student again and the failure leaves the profile
		frappe.get_doc("Assessment Result", result).cancel()
		self.assertIn(student, risk.pending_students())
		risk.drain_pending(commit=False)
		profile = self.profile(student)
		self.assertEqual(profile.risk_score, 0)
		self.assertEqual(profile.risk_level, "Low")
		self.assertEqual(profile.course_standings, [])

	def test_submitting_attendance_queues_the_student(self):
		student = self.class_students[1]
		self.mark(student, school_days_before(nowdate(), 1)[0], "Absent")
		self.assertEqual(risk.pending_students(), {student})
		self.assertEqual(self.queued_jobs(), 1)
		risk.drain_pending(commit=False)
		profile = self.profile(student)
		self.assertEqual(profile.attendance_rate, 0)
		self.assertEqual(self.factor(profile, "Attendance").impact, 30)  # 100 % absent: the top band
		self.assertReasonsAddUp(profile)

	def test_marking_a_class_of_30_queues_one_job(self):
		day = school_days_before(nowdate(), 1)[0]
		for i, student in enumerate(self.class_students):
			self.mark(student, day, "Absent" if i % 10 == 0 else "Present")
		self.assertEqual(risk.pending_students(), set(self.class_students))
		self.assertEqual(self.queued_jobs(), 1)

		self.assertEqual(risk.drain_pending(chunk_size=7, commit=False), 30)
		rates = [self.profile(student).attendance_rate for student in self.class_students]
		self.assertEqual(rates.count(0), 3)
		self.assertEqual(rates.count(100), 27)

	def test_a_major_behaviour_incident_reaches_the_profile(self):
		student = self.class_students[2]
		frappe.get_doc(
			{
				"doctype": "Behaviour Incident",
				"student": student,
				"date": school_days_before(nowdate(), 1)[0],
				"category": "Fighting",
				"severity": "Major",
				"description": "Fight in the corridor.",
			}
		).insert(ignore_permissions=True)
		self.assertEqual(risk.pending_students(), {student})
		risk.drain_pending(commit=False)
		profile = self.profile(student)
		behaviour = self.factor(profile, "Behaviour")
		self.assertEqual(behaviour.impact, 15)
		self.assertIn("1 serious behaviour incident", behaviour.explanation)
		self.assertReasonsAddUp(profile)

	def test_nothing_is_queued_when_insights_are_switched_off(self):
		frappe.db.set_single_value("AI School Settings", "enable_insights", 0)
		self.mark(self.class_students[3], school_days_before(nowdate(), 1)[0])
		self.assertEqual(risk.pending_students(), set())

	# --- the score on the profile ------------------------------------------------------------------------

	def test_absence_cut_points_of_5_and_10_percent_reach_the_reasons(self):
		just_under, approaching, chronic = self.class_students[4:7]
		for student, days, absent in ((just_under, 21, 1), (approaching, 20, 1), (chronic, 20, 2)):
			for n, day in enumerate(school_days_before(nowdate(), days)):
				self.mark(student, day, "Absent" if n < absent else "Present")
		risk.drain_pending(commit=False)

		under = self.factor(self.profile(just_under), "Attendance")  # 1 of 21 days: 4.76 %
		self.assertEqual(under.impact, 0)
		self.assertIn("Absent 4.7 % of days this term", under.explanation)
		self.assertNotIn("chronic", under.explanation)

		profile = self.profile(approaching)  # 1 of 20 days: exactly 5 %
		self.assertEqual(profile.attendance_rate, 95)
		reason = self.factor(profile, "Attendance")
		self.assertEqual(reason.impact, 10)
		self.assertIn("Absent 5 % of days this term — approaching chronic absence", reason.explanation)
		self.assertEqual(profile.risk_level, "Low")  # 10 points: under the Medium tier of 15
		self.assertReasonsAddUp(profile)

		profile = self.profile(chronic)  # 2 of 20 days: exactly 10 %
		self.assertEqual(profile.attendance_rate, 90)
		reason = self.factor(profile, "Attendance")
		self.assertEqual(reason.impact, 25)
		self.assertIn("Absent 10 % of days this term — chronic absence (10 % or more)", reason.explanation)
		self.assertEqual(profile.risk_level, "Medium")
		self.assertReasonsAddUp(profile)

	def test_trend_against_last_term(self):
		student = self.class_students[7]
		last_term_end = frappe.db.get_value("Academic Term", self.previous_term, "term_end_date")
		self.result(student, {"AI EW Essay": (9, 10)}, self.previous_term, add_days(last_term_end, -10))
		self.result(student, {"AI EW Essay": (6, 10)})
		risk.drain_pending(commit=False)

		profile = self.profile(student)
		self.assertEqual(profile.trend, "Declining")
		trend = self.factor(profile, "Trend")
		self.assertEqual(trend.impact, 10)
		self.assertIn("Average fell 30 points since last term (90 % → 60 %)", trend.explanation)
		self.assertEqual(
			[(row.score_percent, row.standing, row.trend) for row in profile.course_standings],
			[(60, "On Track", "Declining")],
		)
		self.assertReasonsAddUp(profile)

	# --- daily -------------------------------------------------------------------------------------------

	def test_daily_job_recomputes_every_enabled_student_and_stores_medians(self):
		day = school_days_before(nowdate(), 1)[0]
		for i, student in enumerate(self.class_students[:10]):
			self.mark(student, day, "Absent" if i < 3 else "Present")
		frappe.db.set_value("Student", self.class_students[-1], "enabled", 0)
		frappe.cache.delete_value(risk.PENDING_KEY)  # the daily job does not need the events

		written = risk.recompute_all(chunk_size=8, commit=False)
		enabled = frappe.get_all("Student", filters={"enabled": 1}, pluck="name")
		self.assertEqual(written, len(enabled))
		for student in self.class_students[:-1]:
			self.assertReasonsAddUp(self.profile(student))
		self.assertFalse(frappe.db.exists(risk.PROFILE, self.class_students[-1]))
		self.assertEqual(self.profile(self.class_students[0]).attendance_rate, 0)
		medians = frappe.cache.get_value(risk.MEDIANS_KEY)[self.term]
		absences = [100 - self.profile(s).attendance_rate for s in self.class_students[:10]]
		if len(enabled) == len(self.class_students) - 1:  # a site with no other students
			self.assertEqual(medians["absence_pct"], statistics.median(absences))

		# the next recompute quotes the school median
		risk.recompute_students([self.class_students[0]])
		reason = self.factor(self.profile(self.class_students[0]), "Attendance")
		self.assertIn(f"(school median {pct(medians['absence_pct'])})", reason.explanation)

	def test_a_student_whose_profile_cannot_be_written_is_logged_and_the_rest_go_on(self):
		broken, fine = self.class_students[8:10]
		# a Student whose portal user was removed behind its back: the profile (which links that user) cannot
		# be saved
		frappe.db.set_value("Student", broken, "user", "no-such-user@example.com")
		title = f"AI School early warning: could not update the profile of {broken}"
		before = frappe.db.count("Error Log", {"method": title})
		try:
			self.assertEqual(risk.recompute_students([broken, fine]), 1)
			self.assertFalse(frappe.db.exists(risk.PROFILE, broken))
			self.assertReasonsAddUp(self.profile(fine))
			self.assertEqual(frappe.db.count("Error Log", {"method": title}), before + 1)
		finally:
			frappe.db.delete("Error Log", {"method": title})  # MyISAM: a rollback would not remove it

	def test_another_term_starting_the_same_day_does_not_hide_the_current_one(self):
		start, end = frappe.db.get_value("Academic Term", self.term, ["term_start_date", "term_end_date"])
		for _ in range(3):  # several, so the database's order of equal start dates cannot hide a fault
			utils.make_term(self.year, "Parallel", start, end)
		student = self.class_students[10]
		self.mark(student, school_days_before(nowdate(), 1)[0], "Absent")
		self.assertEqual(risk.load_context().terms[-1].name, self.term)
		risk.drain_pending(commit=False)
		self.assertEqual(self.profile(student).model_version, f"ABC rule ({self.term})")
