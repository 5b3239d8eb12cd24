"""The early-warning reports on a hand-built school, run the way the desk and Auto Email Report run them.

The school (its own academic year around today, one current term, weekends as holidays):

- class A (Batch, program A, taught by teacher A): ann, ben, cy; maths group A (Course, same pupils, teacher A)
- class B (Batch, program B, taught by teacher B): dan, eve
- last year's class (teacher A): fay, who is in no group this year

Maths (one exam per group, criteria Written and Oral, 50 marks each): ann 90 %, ben 40 % (failing), cy 60 %,
dan 80 %. Art: ann 70 %, ben 60 %. Attendance over the last 20 school days: ann never absent, ben absent the
first day (5 %, approaching chronic), cy the last two days (10 %, chronic, absent now), dan the first four
(20 %); eve has no attendance. Profiles: ann Low 0, ben High 45, cy Critical 70, dan Medium 20, eve Low 0,
fay Critical 90 (never present).
"""

import json

import frappe
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

from ai_school.api import reports as api
from ai_school.insights import analytics
from ai_school.tests import utils

WRITTEN, ORAL = "AI Reports Written", "AI Reports Oral"
SAVEPOINT = "ai_school_reports_test"


def school_days_before(on_date, count: int) -> list:
	days, day = [], getdate(on_date)
	while len(days) < count:
		if day.weekday() < 5:
			days.append(day)
		day = add_days(day, -1)
	return sorted(days)


def rows(report: str, **filters) -> list[dict]:
	return run(report, filters=filters, ignore_prepared_report=True)["result"]


class TestReports(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		today = getdate(nowdate())
		cls.year = utils.make_dated_year("AI Reports Year", add_days(today, -150), add_days(today, 200))
		cls.term = utils.make_term(cls.year, "Term", add_days(today, -60), add_days(today, 30))
		cls.last_year = utils.make_academic_year(utils.unique("AI Reports Last Year"), years_back=1)
		frappe.db.set_single_value("Education Settings", "current_academic_year", cls.year)
		frappe.db.set_single_value("Education Settings", "current_academic_term", cls.term)
		frappe.db.set_single_value("AI School Settings", "pass_mark", 50)
		cls.company = utils.use_weekend_holidays(add_days(today, -150), add_days(today, 200))

		cls.program_a = cls.insert({"doctype": "Program", "program_name": utils.unique("AI Reports Prog A")})
		cls.program_b = cls.insert({"doctype": "Program", "program_name": utils.unique("AI Reports Prog B")})
		cls.maths, cls.art = utils.make_course(), utils.make_course()
		names = ("Ann", "Ben", "Cy", "Dan", "Eve", "Fay")
		cls.ann, cls.ben, cls.cy, cls.dan, cls.eve, cls.fay = (
			utils.make_student(name, with_user=False).name for name in names
		)
		for student, program in ((cls.ann, cls.program_a), (cls.ben, cls.program_a), (cls.cy, cls.program_a)):
			cls.enrol(student, program)
		for student in (cls.dan, cls.eve):
			cls.enrol(student, cls.program_b)
		cls.teacher_a, cls.teacher_b = utils.make_instructor("TeachA"), utils.make_instructor("TeachB")

		class_a = [cls.ann, cls.ben, cls.cy]
		cls.class_a = cls.group("Batch", class_a, cls.teacher_a, program=cls.program_a)
		cls.maths_a = cls.group(
			"Course", class_a, cls.teacher_a, program=cls.program_a, course=cls.maths, term=cls.term
		)
		cls.class_b = cls.group("Batch", [cls.dan, cls.eve], cls.teacher_b, program=cls.program_b)
		cls.old_class = cls.group("Activity", [cls.fay], cls.teacher_a, year=cls.last_year)

		cls.exam(cls.maths_a, cls.maths, {cls.ann: (45, 45), cls.ben: (10, 30), cls.cy: (25, 35)}, hour=8)
		cls.exam(cls.class_a, cls.art, {cls.ann: (35, 35), cls.ben: (30, 30)}, hour=10)
		cls.exam(cls.class_b, cls.maths, {cls.dan: (40, 40)}, hour=12)

		days = school_days_before(today, 20)
		cls.days = days
		for student, group, absent in (
			(cls.ann, cls.class_a, set()),
			(cls.ben, cls.class_a, {0}),
			(cls.cy, cls.class_a, {18, 19}),
			(cls.dan, cls.class_b, {0, 1, 2, 3}),
		):
			for index, day in enumerate(days):
				cls.mark(student, group, day, "Absent" if index in absent else "Present")

		cls.profile(cls.ann, 0, "Low", attendance=100, absent=0)
		cls.profile(
			cls.ben,
			45,
			"High",
			attendance=95,
			absent=5,
			reasons=[("Course performance", 1, 25, "Failing 1 course"), ("Trend", -8, 10, "Average fell")],
		)
		cls.profile(cls.cy, 70, "Critical", attendance=90, absent=10)
		cls.profile(cls.dan, 20, "Medium", attendance=80, absent=20)
		cls.profile(cls.fay, 90, "Critical", attendance=0, absent=100)
		cls.profile(cls.eve, 0, "Low", attendance=None, absent=None)

	# --- the school --------------------------------------------------------------------------------------

	@staticmethod
	def insert(values: dict) -> str:
		return frappe.get_doc(values).insert(ignore_permissions=True).name

	@classmethod
	def enrol(cls, student: str, program: str):
		doc = frappe.get_doc(
			{
				"doctype": "Program Enrollment",
				"student": student,
				"program": program,
				"academic_year": cls.year,
				"enrollment_date": add_days(nowdate(), -140),
			}
		).insert(ignore_permissions=True)
		doc.submit()

	@classmethod
	def group(cls, based_on, students, teacher, program=None, course=None, term=None, year=None) -> str:
		"""A Student Group with exactly this term (none for the classes). Frappe fills an empty Link field
		from the site's defaults, and Education Settings' on_update makes its current term the default
		`academic_term`: on a site whose settings once named another term (e.g. a demo year's), a class
		left without a term would silently belong to that term and drop out of this term's reports."""
		name = cls.insert(
			{
				"doctype": "Student Group",
				"student_group_name": utils.unique(f"AI Reports {based_on}"),
				"group_based_on": based_on,
				"academic_year": year or cls.year,
				"academic_term": term,
				"program": program,
				"course": course,
				"students": [{"student": s, "active": 1} for s in students],
				"instructors": [{"instructor": teacher.name}],
			}
		)
		frappe.db.set_value("Student Group", name, "academic_term", term)
		return name

	@classmethod
	def exam(cls, group: str, course: str, scores: dict, hour: int):
		"""One submitted Assessment Plan (Written and Oral, 50 each) with a submitted result per student,
		filed under the test term."""
		for criterion in (WRITTEN, ORAL):
			if not frappe.db.exists("Assessment Criteria", criterion):
				cls.insert({"doctype": "Assessment Criteria", "assessment_criteria": criterion})
		scale = utils._grading_scale()
		plan = frappe.get_doc(
			{
				"doctype": "Assessment Plan",
				"assessment_name": utils.unique("AI Reports Exam"),
				"student_group": group,
				"course": course,
				"assessment_group": utils._assessment_group(),
				"grading_scale": scale,
				"schedule_date": add_days(nowdate(), -1),
				"from_time": f"{hour:02d}:00:00",
				"to_time": f"{hour + 1:02d}:00:00",
				"maximum_assessment_score": 100,
				"assessment_criteria": [
					{"assessment_criteria": WRITTEN, "maximum_score": 50},
					{"assessment_criteria": ORAL, "maximum_score": 50},
				],
			}
		).insert(ignore_permissions=True)
		plan.submit()
		frappe.db.set_value("Assessment Plan", plan.name, "academic_term", cls.term)
		utils.forget_education_grading_scale()
		for student, (written, oral) in scores.items():
			result = frappe.get_doc(
				{
					"doctype": "Assessment Result",
					"assessment_plan": plan.name,
					"student": student,
					"student_group": group,
					"course": course,
					"grading_scale": scale,
					"maximum_score": 100,
					"details": [
						{"assessment_criteria": WRITTEN, "score": written},
						{"assessment_criteria": ORAL, "score": oral},
					],
				}
			).insert(ignore_permissions=True)
			result.submit()
			frappe.db.set_value("Assessment Result", result.name, "academic_term", cls.term)

	@classmethod
	def mark(cls, student, group, day, status):
		doc = frappe.get_doc(
			{
				"doctype": "Student Attendance",
				"student": student,
				"student_group": group,
				"date": day,
				"status": status,
			}
		).insert(ignore_permissions=True)
		doc.submit()

	@classmethod
	def profile(cls, student, score, tier, attendance, absent, reasons=()):
		factors = [
			{"factor": "Attendance", "value": absent, "impact": 0, "explanation": f"Absent {absent} %"},
			*({"factor": f, "value": v, "impact": p, "explanation": text} for f, v, p, text in reasons),
		]
		utils.make_profile(
			student,
			risk_score=score,
			risk_level=tier,
			trend="Declining" if reasons else "Stable",
			attendance_rate=attendance,
			factors=factors,
		)

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		frappe.clear_document_cache("Company", cls.company)
		frappe.cache.delete_value("ai_school:insights:pending")

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)

	def as_manager(self):
		frappe.set_user(utils.make_user(("Education Manager",)))

	# --- At-Risk Students --------------------------------------------------------------------------------

	def test_at_risk_lists_high_and_critical_by_score_with_reasons_and_class(self):
		self.as_manager()
		found = rows("At-Risk Students", student_group=self.class_a)
		self.assertEqual([r["student"] for r in found], [self.cy, self.ben])
		ben = found[1]
		self.assertEqual(
			(ben["risk_level"], ben["risk_score"], ben["trend"], ben["attendance_rate"]),
			("High", 45, "Declining", 95),
		)
		# the reasons adding points, largest first; the attendance row adds none
		self.assertEqual(ben["reasons"], "Failing 1 course; Average fell")
		self.assertEqual(ben["student_group"], self.class_a)

	def test_at_risk_filters_tier_score_and_program(self):
		self.as_manager()
		everyone = rows("At-Risk Students", student_group=self.class_a, tier="All")
		self.assertEqual([r["student"] for r in everyone], [self.cy, self.ben, self.ann])
		self.assertEqual(
			[r["student"] for r in rows("At-Risk Students", program=self.program_a, min_score=50)], [self.cy]
		)
		self.assertEqual(
			[r["student"] for r in rows("At-Risk Students", program=self.program_b, tier="Medium")],
			[self.dan],
		)
		self.assertEqual(rows("At-Risk Students", program=self.program_b), [])
		# the chart counts every tier of the matching students, before the tier filter
		chart = run("At-Risk Students", filters={"student_group": self.class_a})["chart"]
		self.assertEqual(chart["data"]["datasets"][0]["values"], [1, 0, 1, 1])

	def test_at_risk_refuses_an_unknown_tier(self):
		self.as_manager()
		with self.assertRaises(frappe.ValidationError):
			rows("At-Risk Students", tier="Everyone")

	# --- Class Comparison --------------------------------------------------------------------------------

	def test_class_comparison_per_batch_group(self):
		self.as_manager()
		found = {r["student_group"]: r for r in rows("Class Comparison", academic_year=self.year)}
		self.assertEqual(set(found), {self.class_a, self.class_b})
		a, b = found[self.class_a], found[self.class_b]
		self.assertEqual((a["students"], a["assessed"]), (3, 3))
		self.assertEqual(a["mean_score"], 63.3)  # ann 80, ben 50, cy 60
		self.assertEqual(a["failing_share"], 33.3)  # ben fails maths
		self.assertEqual(a["attendance"], 95.0)  # 3 of 60 days missed
		self.assertEqual((a["approaching_chronic"], a["chronic"]), (1, 1))
		self.assertEqual((a["low"], a["medium"], a["high"], a["critical"]), (1, 0, 1, 1))
		self.assertEqual(
			(b["students"], b["assessed"], b["mean_score"], b["failing_share"]), (2, 1, 80.0, 0.0)
		)
		self.assertEqual((b["attendance"], b["chronic"], b["medium"]), (80.0, 1, 1))

	def test_a_class_filed_under_an_earlier_term_still_counts_this_term(self):
		# Frappe gives a new group the session's default term: a class made in term 1 keeps it all year
		today = getdate(nowdate())
		earlier = utils.make_term(self.year, "Earlier Term", add_days(today, -150), add_days(today, -61))
		frappe.db.set_value("Student Group", self.class_b, "academic_term", earlier)
		self.as_manager()
		found = {r["course"]: r for r in rows("Subject Analysis", academic_term=self.term)}
		self.assertEqual((found[self.maths]["students"], found[self.maths]["results"]), (4, 4))
		classes = rows("Class Comparison", academic_term=self.term, group_based_on="Batch")
		self.assertIn(self.class_b, {r["student_group"] for r in classes})
		# a course group of the earlier term is not this term's
		frappe.db.set_value("Student Group", self.maths_a, "academic_term", earlier)
		self.assertEqual(rows("Class Comparison", academic_term=self.term, group_based_on="Course"), [])

	def test_class_comparison_course_groups_count_their_course(self):
		self.as_manager()
		(maths,) = rows("Class Comparison", academic_term=self.term, group_based_on="Course")
		self.assertEqual(maths["student_group"], self.maths_a)
		self.assertEqual((maths["mean_score"], maths["failing_share"]), (63.3, 33.3))  # 90, 40, 60
		self.assertEqual(
			rows(
				"Class Comparison", academic_term=self.term, program=self.program_b, group_based_on="Course"
			),
			[],
		)

	# --- Subject Analysis --------------------------------------------------------------------------------

	def test_subject_analysis_per_course(self):
		self.as_manager()
		found = {r["course"]: r for r in rows("Subject Analysis", academic_term=self.term)}
		self.assertEqual(set(found), {self.maths, self.art})
		maths = found[self.maths]
		self.assertEqual((maths["students"], maths["results"]), (4, 4))
		self.assertEqual((maths["mean_score"], maths["median_score"]), (67.5, 70.0))  # 90, 40, 60, 80
		self.assertEqual((maths["pass_rate"], maths["failing"]), (75.0, 1))
		self.assertEqual(maths["grades"], "A 2 · C 1 · F 1")  # the test scale: A 80, B 65, C 50, F 0
		self.assertEqual(maths["weakest_criteria"], f"{WRITTEN} 60 % · {ORAL} 75 %")
		self.assertEqual((found[self.art]["mean_score"], found[self.art]["pass_rate"]), (65.0, 100.0))
		only_art = rows("Subject Analysis", academic_term=self.term, course=self.art)
		self.assertEqual([r["course"] for r in only_art], [self.art])
		class_b = rows("Subject Analysis", academic_term=self.term, student_group=self.class_b)
		self.assertEqual([(r["course"], r["students"]) for r in class_b], [(self.maths, 1)])

	# --- Attendance Risk ---------------------------------------------------------------------------------

	def test_attendance_risk_bands_and_streaks(self):
		self.as_manager()
		found = rows("Attendance Risk", student_group=self.class_a)
		self.assertEqual(
			[(r["student"], r["band"]) for r in found],
			[(self.cy, "Chronic"), (self.ben, "Approaching chronic")],
		)
		cy = found[0]
		self.assertEqual((cy["absence_pct"], cy["days_recorded"], cy["days_absent"]), (10.0, 20, 2.0))
		self.assertEqual((cy["current_streak"], cy["longest_streak"]), (2, 2))
		self.assertEqual(
			[r["student"] for r in rows("Attendance Risk", student_group=self.class_a, band="Chronic")],
			[self.cy],
		)
		self.assertEqual(len(rows("Attendance Risk", student_group=self.class_a, band="All")), 3)
		# eve has no attendance and is never listed; dan is 20 % absent
		self.assertEqual(
			[r["student"] for r in rows("Attendance Risk", program=self.program_b, band="All")], [self.dan]
		)

	def test_attendance_risk_date_range(self):
		self.as_manager()
		# from the fifth day on, ben and dan missed nothing and cy 2 of 16 days
		found = rows(
			"Attendance Risk",
			student_group=self.class_a,
			from_date=str(self.days[4]),
			to_date=str(self.days[-1]),
		)
		self.assertEqual([(r["student"], r["absence_pct"]) for r in found], [(self.cy, 12.5)])
		with self.assertRaises(frappe.ValidationError):
			rows("Attendance Risk", from_date=str(self.days[-1]), to_date=str(self.days[0]))

	# --- who sees what -----------------------------------------------------------------------------------

	def test_instructor_sees_only_the_students_of_their_groups_this_year(self):
		frappe.set_user(self.teacher_a.user)
		mine = {self.ann, self.ben, self.cy}
		self.assertEqual({r["student"] for r in rows("At-Risk Students", tier="All")}, mine)  # not fay, dan
		self.assertEqual({r["student"] for r in rows("Attendance Risk", band="All")}, mine)
		groups = {r["student_group"] for r in rows("Class Comparison", group_based_on="All")}
		self.assertEqual(groups, {self.class_a, self.maths_a})
		maths = {r["course"]: r for r in rows("Subject Analysis")}[self.maths]
		self.assertEqual(maths["students"], 3)
		# another teacher's class: nothing, not even through the filter
		self.assertEqual(rows("Class Comparison", student_group=self.class_b), [])
		self.assertEqual(rows("At-Risk Students", student_group=self.class_b, tier="All"), [])
		self.assertEqual(api.class_comparison(student_group=self.class_b)["groups"], [])

	def test_students_and_guardians_cannot_run_the_reports_or_the_api(self):
		pupil = utils.make_student("Own")
		guardian = utils.make_guardian([pupil.name])
		for user in (pupil.user, guardian.user, utils.make_user(("Accounts User",))):
			frappe.set_user(user)
			for report in analytics.REPORTS:
				with self.assertRaises(frappe.PermissionError, msg=f"{report} as {user}"):
					run(report, filters={})
			with self.assertRaises(frappe.PermissionError):
				api.class_comparison()
			with self.assertRaises(frappe.PermissionError):
				api.subject_analysis()

	# --- API ---------------------------------------------------------------------------------------------

	def test_api_returns_the_report_rows(self):
		self.as_manager()
		answer = api.class_comparison(academic_term=self.term, group_based_on="Course")
		self.assertEqual((answer["academic_year"], answer["academic_term"]), (self.year, self.term))
		self.assertEqual(
			answer["groups"], rows("Class Comparison", academic_term=self.term, group_based_on="Course")
		)
		subjects = api.subject_analysis(academic_term=self.term, course=self.maths)
		(maths,) = subjects["courses"]
		self.assertEqual(
			maths["criteria"], [{"criterion": WRITTEN, "score": 60.0}, {"criterion": ORAL, "score": 75.0}]
		)
		self.assertEqual(
			[r["student"] for r in api.at_risk_students(program=self.program_a, min_score=50)["students"]],
			[self.cy],
		)
		self.assertEqual(api.attendance_risk(student_group=self.class_b)["students"][0]["student"], self.dan)

	# --- Auto Email Report -------------------------------------------------------------------------------

	def auto_email(self, report: str, user: str, filters: dict, fmt: str = "HTML"):
		return frappe.get_doc(
			{
				"doctype": "Auto Email Report",
				"report": report,
				"user": user,
				"email_to": "head@example.com",
				"frequency": "Weekly",
				"format": fmt,
				"filters": json.dumps(filters),
			}
		).insert(ignore_permissions=True)

	def test_auto_email_report_renders_every_report(self):
		manager = utils.make_user(("Education Manager", "Academics User"))
		expected = {
			"At-Risk Students": ({"student_group": self.class_a}, "Failing 1 course"),
			"Class Comparison": ({"academic_year": self.year}, self.class_a),
			"Subject Analysis": ({"academic_term": self.term}, f"{WRITTEN} 60 %"),
			"Attendance Risk": ({"student_group": self.class_a}, "Approaching chronic"),
		}
		for report, (filters, text) in expected.items():
			html = self.auto_email(report, manager, filters).get_report_content()
			self.assertIn(text, html, report)
		csv = self.auto_email(
			"Class Comparison", manager, {"academic_year": self.year}, "CSV"
		).get_report_content()
		self.assertIn("Mean Score %", csv)

	def test_auto_email_report_for_an_instructor_shows_their_students_only(self):
		# the scheduler runs the report as Administrator: the schedule's user decides what it shows
		report = self.auto_email("At-Risk Students", self.teacher_a.user, {"tier": "All"}, "CSV")
		self.assertEqual(json.loads(report.filters)["run_as"], self.teacher_a.user)
		csv = report.get_report_content()
		for student in (self.ann, self.ben, self.cy):
			self.assertIn(student, csv)
		for student in (self.dan, self.eve, self.fay):
			self.assertNotIn(student, csv)
		# run_as only narrows: another instructor naming teacher A still sees their own students
		frappe.set_user(self.teacher_b.user)
		found = rows("At-Risk Students", tier="All", run_as=self.teacher_a.user)
		self.assertEqual({r["student"] for r in found}, {self.dan, self.eve})

	def test_auto_email_report_needs_a_user_who_can_open_the_linked_records(self):
		# Education 15 gives Education Manager no read on Student: Frappe would refuse to send the report
		with self.assertRaisesRegex(frappe.PermissionError, "Academics User"):
			self.auto_email("Class Comparison", utils.make_user(("Education Manager",)), {})

	# --- workspace number cards --------------------------------------------------------------------------

	def card(self, name: str) -> float:
		from frappe.desk.doctype.number_card.number_card import get_result

		doc = frappe.get_doc("Number Card", name)
		return get_result(doc.as_json(), doc.filters_json)

	def test_number_cards_count_what_the_user_may_see(self):
		cards = (
			"AI High or Critical Risk",
			"AI Chronically Absent",
			"AI Approaching Chronic Absence",
			"AI Declining Students",
		)
		frappe.set_user(self.teacher_a.user)
		# ben (High, declining, 5 % absent: approaching) and cy (Critical, 10 % absent: chronic, the boundary)
		self.assertEqual([self.card(name) for name in cards], [2, 1, 1, 1])
		frappe.set_user(self.teacher_b.user)
		# dan (Medium, 20 % absent); eve has no attendance on record and is not counted as absent
		self.assertEqual([self.card(name) for name in cards], [0, 1, 0, 0])
		# everyone: fay, Critical and never present (attendance 0 %), counts in both
		frappe.set_user("Administrator")
		before = [self.card(name) for name in cards]
		frappe.delete_doc(analytics.PROFILE, self.fay, force=True, ignore_permissions=True)
		after = [self.card(name) for name in cards]
		self.assertEqual([b - a for b, a in zip(before, after, strict=True)], [1, 1, 0, 0])
