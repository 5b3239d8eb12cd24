"""The early-warning panels' API (ai_school/api/insights.py) on a real site, with real users and roles.

The school: an academic year around today with a current term (the last 100 days to 30 days ahead) and the
term before it, weekends off; a class this year (its instructor sees the panels), the same student's class last
year (its instructor sees nothing now), another class this year. Every call goes through the request handler
(ai_school/tests/desk.py), so the whitelisting and the HTTP method are checked too.
"""

import contextlib

import frappe
import frappe.client
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

from ai_school.insights import risk
from ai_school.tests import desk, utils

SAVEPOINT = "ai_school_panels_api_test"
API = "ai_school.api.insights."
PREVIOUS_YEAR = "AI School Test Year (previous)"


@contextlib.contextmanager
def ai_school_settings(**values):
	"""AI School Settings values for the block, put back afterwards (set_single_value also drops Frappe's
	cached copy, which a rollback would leave stale)."""
	saved = {field: frappe.db.get_single_value("AI School Settings", field, cache=False) for field in values}
	for field, value in values.items():
		frappe.db.set_single_value("AI School Settings", field, value)
	try:
		yield
	finally:
		for field, value in saved.items():
			frappe.db.set_single_value("AI School Settings", field, value)


def weekdays_before(on_date, count: int) -> list:
	"""The last `count` weekdays up to and including `on_date`, oldest first."""
	days, day = [], getdate(on_date)
	while len(days) < count:
		if day.weekday() < 5:
			days.append(day)
		day = add_days(day, -1)
	return sorted(days)


class TestPanelsApi(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()  # everything below is rolled back when the class ends
		# first names of their own: Frappe derives usernames from them, and a test on the same site creating
		# the same name in parallel would collide on the unique username
		today = getdate(nowdate())
		cls.year = utils.make_dated_year("AI Panels Year", add_days(today, -220), add_days(today, 140))
		cls.previous_term = utils.make_term(cls.year, "Autumn", add_days(today, -200), add_days(today, -101))
		cls.term = utils.make_term(cls.year, "Spring", add_days(today, -100), add_days(today, 30))
		cls.company = utils.use_weekend_holidays(add_days(today, -220), add_days(today, 140))

		cls.course = utils.make_course()
		cls.ada = utils.make_student("PanelAda")  # the trajectory's student
		cls.ben, cls.cy, cls.dee, cls.eli, cls.fay = (
			utils.make_student(n) for n in "PanelBen PanelCy PanelDee PanelEli PanelFay".split()
		)
		cls.gus = utils.make_student("PanelGus")  # in the class, but inactive there
		cls.other = utils.make_student("PanelOlly")  # another class
		cls.guardian = utils.make_guardian([cls.ada.name], "PanelAlma")
		cls.teacher = utils.make_instructor("PanelTess")
		cls.other_teacher = utils.make_instructor("PanelToby")
		cls.last_years_teacher = utils.make_instructor("PanelLara")
		cls.manager = utils.make_user(("Education Manager",))

		members = [s.name for s in (cls.ada, cls.ben, cls.cy, cls.dee, cls.eli, cls.fay, cls.gus)]
		cls.group = utils.make_student_group(
			members, [cls.teacher.name], inactive=[cls.gus.name], course=cls.course
		)
		cls.other_group = utils.make_student_group([cls.other.name], [cls.other_teacher.name])
		cls.last_years_group = (
			frappe.get_doc(
				{
					"doctype": "Student Group",
					"student_group_name": utils.unique("AI Group"),
					"group_based_on": "Activity",
					"academic_year": utils.make_academic_year(PREVIOUS_YEAR, years_back=1),
					"students": [{"student": cls.ada.name, "active": 1}],
					"instructors": [{"instructor": cls.last_years_teacher.name}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		# profiles as the job writes them; Ada's is computed from her records in the tests
		cls.profile(cls.ben.name, 72, "Critical", [("Attendance", 30, "Absent 24 % of days this term")])
		cls.profile(
			cls.cy.name,
			45,
			"High",
			[
				("Course performance", 25, "Failing 1 course below the pass mark of 50 %"),
				("Behaviour", 8, "An incident on 3 % of school days"),
				("Trend", 0, "Average rose 2 points since last term"),
			],
		)
		cls.profile(cls.dee.name, 20, "Medium", [("Attendance", 10, "Absent 6 % of days this term")])
		cls.profile(cls.eli.name, 0, "Low", [("Attendance", 0, "Absent 1 % of days this term")])
		# Fay: no profile yet; Gus (inactive) and Olly (other class): High, never counted in this class
		cls.profile(cls.gus.name, 50, "High", [("Attendance", 25, "Absent 12 % of days this term")])
		cls.profile(cls.other.name, 50, "High", [("Attendance", 25, "Absent 12 % of days this term")])

	@classmethod
	def profile(cls, student, score, level, reasons):
		utils.make_profile(
			student,
			risk_score=score,
			risk_level=level,
			attendance_rate=90,
			factors=[
				{"factor": factor, "impact": points, "explanation": text} for factor, points, text in reasons
			],
		)

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		frappe.clear_document_cache("Company", cls.company)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.db.set_single_value("Education Settings", "current_academic_year", utils.make_academic_year())
		frappe.db.set_single_value("Education Settings", "current_academic_term", self.term)
		self.settings = contextlib.ExitStack()
		# risk is staff-only by default; insights on (the recompute button)
		self.settings.enter_context(
			ai_school_settings(share_risk_with_students=0, share_risk_with_guardians=0, enable_insights=1)
		)

	def tearDown(self):
		frappe.set_user("Administrator")
		self.settings.close()
		frappe.db.rollback(save_point=SAVEPOINT)
		students = [s.name for s in (self.ada, self.ben, self.cy, self.dee, self.eli, self.fay)]
		frappe.cache.srem(risk.PENDING_KEY, *students)  # queued by the records the tests made

	# --- helpers -----------------------------------------------------------------------------------------

	def call(self, method, http_method="GET", **args):
		return desk.call(API + method, http_method, **args).get("message")

	def mark(self, student, day, status="Present"):
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

	def result(self, student, scores, term, day):
		result = utils.make_assessment_result(student, self.group, self.course, scores)
		plan = frappe.db.get_value("Assessment Result", result, "assessment_plan")
		frappe.db.set_value("Assessment Plan", plan, {"academic_term": term, "schedule_date": day})
		frappe.db.set_value("Assessment Result", result, "academic_term", term)
		return result

	def build_adas_terms(self):
		"""Last term: 90 % in the course, never absent. This term: 30 % (failing) and absent 2 of 20 days (10 %,
		chronic), so the average fell 60 points: 25 + 25 + 10 = 60 points, Critical."""
		last_end = frappe.db.get_value("Academic Term", self.previous_term, "term_end_date")
		for day in weekdays_before(add_days(last_end, -1), 20):
			self.mark(self.ada.name, day)
		self.result(self.ada.name, {"AI Panels Essay": (9, 10)}, self.previous_term, add_days(last_end, -10))
		for n, day in enumerate(weekdays_before(nowdate(), 20)):
			self.mark(self.ada.name, day, "Absent" if n < 2 else "Present")
		self.result(self.ada.name, {"AI Panels Essay": (3, 10)}, self.term, nowdate())

	# --- who sees a student's panel ----------------------------------------------------------------------

	def test_instructor_of_a_current_group_gets_the_panel_with_reasons_largest_first(self):
		frappe.set_user(self.teacher.user)
		panel = self.call("get_student_panel", student=self.cy.name)
		self.assertEqual(panel["profile"]["risk_level"], "High")
		self.assertEqual(panel["profile"]["risk_score"], 45)
		self.assertEqual(panel["profile"]["colour"], "orange")
		self.assertEqual([r.factor for r in panel["reasons"]], ["Course performance", "Behaviour", "Trend"])
		self.assertIn("Failing 1 course below the pass mark of 50 %", panel["reasons"][0].explanation)
		self.assertTrue(panel["can_recompute"])

	def test_instructor_of_another_group_or_of_last_years_group_is_refused(self):
		for user in (self.other_teacher.user, self.last_years_teacher.user):
			frappe.set_user(user)
			for method in ("get_student_panel", "get_trajectory"):
				with self.assertRaises(frappe.PermissionError, msg=f"{user} {method}"):
					self.call(method, student=self.ada.name)

	def test_inactive_member_is_not_the_instructors_student(self):
		frappe.set_user(self.teacher.user)
		with self.assertRaises(frappe.PermissionError):
			self.call("get_student_panel", student=self.gus.name)

	def test_student_and_guardian_are_refused_unless_the_school_shares_risk(self):
		utils.make_profile(self.ada.name, risk_score=30, risk_level="Medium")
		for user in (self.ada.user, self.guardian.user):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				self.call("get_student_panel", student=self.ada.name)
			# the record itself follows the same rule (REST, list)
			with self.assertRaises(frappe.PermissionError, msg=user):
				frappe.client.get("AI Student Profile", self.ada.name)
			self.assertEqual(frappe.get_list("AI Student Profile", pluck="name"), [], user)

		with ai_school_settings(share_risk_with_students=1):
			frappe.set_user(self.ada.user)
			panel = self.call("get_student_panel", student=self.ada.name)
			self.assertEqual(panel["profile"]["risk_level"], "Medium")
			# staff records stay with staff
			self.assertEqual(panel["interventions"], [])
			self.assertFalse(panel["can_recompute"])
			self.assertEqual(frappe.get_list("AI Student Profile", pluck="name"), [self.ada.name])
			with self.assertRaises(frappe.PermissionError):
				self.call("get_student_panel", student=self.ben.name)
			with self.assertRaises(frappe.PermissionError):
				self.call("recompute_student", "POST", student=self.ada.name)
			frappe.set_user(self.guardian.user)  # sharing with students says nothing about guardians
			with self.assertRaises(frappe.PermissionError):
				self.call("get_student_panel", student=self.ada.name)
		with ai_school_settings(share_risk_with_guardians=1):
			frappe.set_user(self.guardian.user)
			self.assertEqual(
				self.call("get_student_panel", student=self.ada.name)["profile"]["risk_score"], 30
			)
			with self.assertRaises(frappe.PermissionError):
				self.call("get_student_panel", student=self.ben.name)

	def test_form_onload_tells_the_panel_only_to_those_who_may_see_it(self):
		for user, expected in (
			(self.teacher.user, {"access": "staff", "can_recompute": True}),
			(self.other_teacher.user, None),
			(self.last_years_teacher.user, None),
			(self.manager, {"access": "staff", "can_recompute": True}),
		):
			frappe.set_user(user)
			student = frappe.get_doc("Student", self.cy.name)
			student.run_method("onload")
			self.assertEqual((student.get_onload() or {}).get("ai_school_risk"), expected, user)
			group = frappe.get_doc("Student Group", self.group)
			group.run_method("onload")
			self.assertEqual(
				bool((group.get_onload() or {}).get("ai_school_class_health")), bool(expected), user
			)

	def test_reads_are_get_only(self):
		frappe.set_user(self.teacher.user)
		with self.assertRaises(frappe.PermissionError):
			self.call("get_student_panel", "POST", student=self.cy.name)
		with self.assertRaises(frappe.PermissionError):
			self.call("recompute_student", "GET", student=self.cy.name)

	# --- trajectory --------------------------------------------------------------------------------------

	def test_trajectory_per_term_on_hand_built_records(self):
		self.build_adas_terms()
		frappe.set_user(self.teacher.user)
		trajectory = self.call("get_trajectory", student=self.ada.name)
		got = [
			(
				t["term"],
				t["risk_score"],
				t["risk_level"],
				t["attendance_pct"],
				t["average_pct"],
				t["complete"],
			)
			for t in trajectory["terms"]
		]
		self.assertEqual(
			got,
			[
				(self.previous_term, 0, "Low", 100, 90, True),
				(self.term, 60, "Critical", 90, 30, False),
			],
		)
		self.assertEqual(trajectory["thresholds"], {"medium": 15, "high": 40, "critical": 60})

	def test_recompute_writes_the_profile_the_trajectory_agrees_with(self):
		self.build_adas_terms()
		self.assertFalse(frappe.db.exists(risk.PROFILE, self.ada.name))
		frappe.set_user(self.teacher.user)
		panel = self.call("recompute_student", "POST", student=self.ada.name)
		self.assertEqual(panel["profile"]["risk_score"], 60)
		self.assertEqual(panel["profile"]["risk_level"], "Critical")
		self.assertEqual(panel["profile"]["attendance_rate"], 90)
		self.assertEqual(sum(r.impact for r in panel["reasons"]), 60)
		self.assertEqual(panel["trajectory"]["terms"][-1]["risk_score"], panel["profile"]["risk_score"])
		self.assertEqual(
			[(c["course"], c["score_percent"], c["standing"]) for c in panel["course_standings"]],
			[(self.course, 30, "Weakness")],
		)

	def test_trajectory_marks_interventions_and_staff_see_the_open_ones(self):
		self.build_adas_terms()
		last_end = frappe.db.get_value("Academic Term", self.previous_term, "term_end_date")
		started_last_term = self.intervention(add_days(last_end, -20))
		closed = self.intervention(
			add_days(nowdate(), -30), status="Completed", outcome="Attendance back to 96 %"
		)
		frappe.set_user(self.teacher.user)
		markers = self.call("get_trajectory", student=self.ada.name)["interventions"]
		self.assertEqual(
			[(m["name"], m["term"], m["status"]) for m in markers],
			[(started_last_term, self.previous_term, "Active"), (closed, self.term, "Completed")],
		)
		panel = self.call("get_student_panel", student=self.ada.name)
		self.assertTrue(panel["interventions_available"])
		self.assertEqual([i.name for i in panel["interventions"]], [started_last_term])
		self.assertEqual(len(panel["trajectory"]["interventions"]), 2)
		# a student shown their risk sees no staff records
		utils.make_profile(self.ada.name, risk_score=60, risk_level="Critical")
		with ai_school_settings(share_risk_with_students=1):
			frappe.set_user(self.ada.user)
			panel = self.call("get_student_panel", student=self.ada.name)
			self.assertEqual((panel["interventions"], panel["trajectory"]["interventions"]), ([], []))
			self.assertFalse(panel["interventions_available"])
			self.assertEqual(len(panel["trajectory"]["terms"]), 2)

	def intervention(self, start_date, **values) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "AI Intervention",
					"student": self.ada.name,
					"status": "Planned",
					"owner_user": self.teacher.user,
					"goal": "Attend every day and resubmit the essay",
					"start_date": start_date,
					"duration_weeks": 6,
					"checkin_cadence": "Weekly",
					**values,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	# --- class health ------------------------------------------------------------------------------------

	def test_group_health_counts_tiers_moves_and_lists_the_students_at_risk(self):
		self.build_adas_terms()
		risk.recompute_students([self.ada.name])  # Critical now, Low last term
		frappe.set_user(self.teacher.user)
		health = self.call("get_group_health", student_group=self.group)
		self.assertEqual(health["students"], 6)  # Gus is inactive
		self.assertEqual(
			health["tiers"], {"Critical": 2, "High": 1, "Medium": 1, "Low": 1, "Not computed": 1}
		)
		self.assertEqual((health["term"], health["previous_term"]), (self.term, self.previous_term))
		# only Ada has a record last term: Low then, Critical now
		self.assertEqual(
			[(m["student"], m["from"], m["to"], m["direction"]) for m in health["moved"]],
			[(self.ada.name, "Low", "Critical", "up")],
		)
		self.assertEqual(
			[(s["student"], s["risk_level"], s["top_reason_factor"]) for s in health["at_risk"]],
			[
				(self.ben.name, "Critical", "Attendance"),
				(self.ada.name, "Critical", "Attendance"),  # 25 points, tied with her failed course
				(self.cy.name, "High", "Course performance"),
			],
		)
		self.assertEqual(health["at_risk"][0]["top_reason"], "Absent 24 % of days this term")

	def test_group_health_is_for_its_instructors_this_year_and_school_leaders(self):
		for user in (self.other_teacher.user, self.last_years_teacher.user, self.ada.user):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				self.call("get_group_health", student_group=self.group)
		frappe.set_user(self.last_years_teacher.user)
		with self.assertRaises(frappe.PermissionError):
			self.call("get_group_health", student_group=self.last_years_group)
		frappe.set_user(self.manager)
		self.assertEqual(self.call("get_group_health", student_group=self.group)["students"], 6)

	# --- at-risk lists -----------------------------------------------------------------------------------

	def test_at_risk_lists_only_the_instructors_students(self):
		frappe.set_user(self.teacher.user)
		self.assertEqual(
			[row["student"] for row in self.call("get_at_risk")], [self.ben.name, self.cy.name]
		)  # not Gus (inactive) nor Olly (another class)
		self.assertEqual([row["student"] for row in self.call("get_at_risk", tier="Medium")], [self.dee.name])
		self.assertEqual(
			[row["student"] for row in self.call("get_at_risk", student_group=self.group)],
			[self.ben.name, self.cy.name],
		)
		with self.assertRaises(frappe.PermissionError):
			self.call("get_at_risk", student_group=self.other_group)
		with self.assertRaises(frappe.ValidationError):
			self.call("get_at_risk", tier="Severe")

		frappe.set_user(self.other_teacher.user)
		self.assertEqual([row["student"] for row in self.call("get_at_risk")], [self.other.name])
		frappe.set_user(self.last_years_teacher.user)
		self.assertEqual(self.call("get_at_risk"), [])

	def test_students_and_guardians_get_no_at_risk_list_even_when_risk_is_shared(self):
		with ai_school_settings(share_risk_with_students=1, share_risk_with_guardians=1):
			for user in (self.ada.user, self.guardian.user):
				frappe.set_user(user)
				with self.assertRaises(frappe.PermissionError, msg=user):
					self.call("get_at_risk")

	# --- assessment result -------------------------------------------------------------------------------

	def test_result_insight_with_its_gaps(self):
		result = utils.make_assessment_result(
			self.cy.name, self.group, self.course, {"AI Panels Essay": (4, 10)}
		)
		# the insight as a teacher left it (made here unless submitting the result made one already)
		insight = frappe.db.get_value(
			"Assessment Insight", {"assessment_result": result}
		) or utils.make_insight(result, "Draft", gaps=[{"assessment_criteria": "AI Panels Essay"}])
		frappe.db.set_value(
			"Assessment Insight",
			insight,
			{"status": "Draft", "suggestions": "<p>Plan<script>x()</script> a redraft</p>"},
		)
		frappe.db.delete("Assessment Insight Gap", {"parent": insight})
		frappe.get_doc(
			{
				"doctype": "Assessment Insight Gap",
				"parent": insight,
				"parenttype": "Assessment Insight",
				"parentfield": "gaps",
				"idx": 1,
				"assessment_criteria": "AI Panels Essay",
				"student_score": 4,
				"maximum_score": 10,
				"group_mean": 6.5,
				"gap": -2.5,
			}
		).db_insert()
		frappe.set_user(utils.make_user(("Academics User",)))
		got = self.call("get_result_insight", assessment_result=result)
		self.assertEqual(got["name"], insight)
		self.assertEqual(got["status"], "Draft")
		self.assertEqual(
			[(g.assessment_criteria, g.student_score, g.group_mean, g.gap) for g in got["gaps"]],
			[("AI Panels Essay", 4, 6.5, -2.5)],
		)
		self.assertIn("a redraft", got["suggestions"])
		self.assertNotIn("<script>", got["suggestions"])
		# the student may open their result, but a draft insight is not theirs to see
		frappe.set_user(self.cy.user)
		self.assertTrue(frappe.has_permission("Assessment Result", "read", doc=result))
		self.assertIsNone(self.call("get_result_insight", assessment_result=result))
		# another class's instructor gets nothing: Instructors do not read Assessment Results in Education
		frappe.set_user(self.other_teacher.user)
		with self.assertRaises(frappe.PermissionError):
			self.call("get_result_insight", assessment_result=result)
