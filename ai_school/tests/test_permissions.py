"""Security suite: one test per record rule of ai_school/permissions.py, with real users, roles and Education
records. Each rule is checked through the paths a user has: the form (document permission, the desk's getdoc),
list queries (frappe.get_list, with and without filters) and the REST handlers (frappe.client.*) under
frappe.set_user.

Staff scope is the current academic year: every test runs with Education Settings' Current Academic Year set to
the factories' test year (the groups below), and a group of the previous year shows what last year's teacher
keeps (nothing)."""

import frappe
import frappe.client
from frappe.tests.utils import FrappeTestCase

from ai_school import education_data
from ai_school.permissions import get_permission_query_conditions
from ai_school.tests import desk, utils

SAVEPOINT = "ai_school_permissions_test"
PREVIOUS_YEAR = "AI School Test Year (previous)"
TEST_TERM = "AI School Test Term"


def set_current_year(academic_year: str | None) -> None:
	frappe.db.set_single_value("Education Settings", "current_academic_year", academic_year)


def share_risk(test, fieldname: str) -> None:
	"""Turn an AI School Settings risk-sharing switch on for this test; put back in its cleanup (set_single_value
	also drops Frappe's cached value, which a rollback would leave behind)."""
	saved = frappe.db.get_single_value("AI School Settings", fieldname, cache=False)
	frappe.db.set_single_value("AI School Settings", fieldname, 1)
	test.addCleanup(frappe.db.set_single_value, "AI School Settings", fieldname, saved)


def make_previous_academic_year() -> str:
	"""The calendar year before the factories' test year (which is this calendar year)."""
	return utils.make_academic_year(PREVIOUS_YEAR, years_back=1)


def make_group_in_year(students: list[str], instructors: list[str], academic_year: str, course=None) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Student Group",
				"student_group_name": utils.unique("AI Group"),
				"group_based_on": "Activity",
				"academic_year": academic_year,
				"course": course,
				"students": [{"student": s, "active": 1} for s in students],
				"instructors": [{"instructor": i} for i in instructors],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


class TestRecordRules(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()  # the world below is rolled back when the class ends
		cls.a = utils.make_student("Ada")
		cls.b = utils.make_student("Ben")
		cls.c = utils.make_student("Cy")  # in the first teacher's group, but inactive there
		cls.guardian_a = utils.make_guardian([cls.a.name], "Alma")
		cls.guardian_b = utils.make_guardian([cls.b.name], "Bert")
		cls.teacher_a = utils.make_instructor("Tess")
		cls.teacher_b = utils.make_instructor("Toby")
		cls.course = utils.make_course()
		cls.group_a = utils.make_student_group(
			[cls.a.name, cls.c.name], [cls.teacher_a.name], inactive=[cls.c.name], course=cls.course
		)
		cls.group_b = utils.make_student_group([cls.b.name], [cls.teacher_b.name], course=cls.course)

		cls.profile = {s.name: utils.make_profile(s.name, risk_score=40) for s in (cls.a, cls.b, cls.c)}
		cls.session_a = utils.make_chat_session(cls.a.name)
		cls.session_b = utils.make_chat_session(cls.b.name)
		cls.log_a = utils.make_engagement_log(cls.a.name, cls.a.user)
		cls.log_b = utils.make_engagement_log(cls.b.name, cls.b.user)

		scores = {"AI Test Algebra": (6, 10), "AI Test Geometry": (9, 10)}
		result_a = utils.make_assessment_result(cls.a.name, cls.group_a, cls.course, scores)
		result_b = utils.make_assessment_result(cls.b.name, cls.group_b, cls.course, scores)
		gaps = [
			{
				"assessment_criteria": "AI Test Algebra",
				"student_score": 6,
				"maximum_score": 10,
				"group_mean": 7,
			}
		]
		cls.insight_a_draft = utils.make_insight(result_a, "Draft", gaps=gaps)
		cls.insight_a_shared = utils.make_insight(result_a, "Shared", gaps=gaps)
		cls.insight_b_shared = utils.make_insight(result_b, "Shared", gaps=gaps)

		cls.academics_user = utils.make_user(("Academics User",))
		cls.stranger = utils.make_user(("Student",))  # a student account no Student record points to

		# last year a's class had another teacher; this year a second teacher teaches a another course
		cls.last_years_teacher = utils.make_instructor("Lara")
		cls.last_years_group = make_group_in_year(
			[cls.a.name], [cls.last_years_teacher.name], make_previous_academic_year(), course=cls.course
		)
		cls.art_teacher = utils.make_instructor("Arty")
		cls.art_group = utils.make_student_group(
			[cls.a.name], [cls.art_teacher.name], course=utils.make_course()
		)
		# a second class of the same course, which a is also in (e.g. a revision set): its teacher teaches a
		# the insight's course this year
		cls.revision_teacher = utils.make_instructor("Rhea")
		cls.revision_group = utils.make_student_group(
			[cls.a.name], [cls.revision_teacher.name], course=cls.course
		)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		set_current_year(utils.make_academic_year())

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)

	def names(self, doctype, **kwargs):
		return set(frappe.get_list(doctype, pluck="name", limit_page_length=0, **kwargs))

	# --- students ----------------------------------------------------------------------------------------

	def test_student_reads_own_profile_only_when_the_school_shares_risk_and_never_another_students(self):
		frappe.set_user(self.a.user)
		self.assertFalse(frappe.has_permission("AI Student Profile", "read", self.profile[self.a.name]))
		self.assertEqual(self.names("AI Student Profile"), set())  # risk is staff-only by default
		share_risk(self, "share_risk_with_students")
		self.assertTrue(frappe.has_permission("AI Student Profile", "read", self.profile[self.a.name]))
		self.assertFalse(frappe.has_permission("AI Student Profile", "read", self.profile[self.b.name]))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("AI Student Profile", self.profile[self.b.name]).check_permission("read")
		self.assertEqual(self.names("AI Student Profile"), {self.profile[self.a.name]})

	def test_student_lists_only_own_chat_sessions_even_when_filtering_for_another(self):
		frappe.set_user(self.a.user)
		self.assertEqual(self.names("AI Chat Session"), {self.session_a})
		self.assertEqual(self.names("AI Chat Session", filters={"student": self.b.name}), set())
		self.assertEqual(self.names("AI Chat Session", filters={"name": self.session_b}), set())

	def test_student_cannot_fetch_another_students_session_through_rest(self):
		frappe.set_user(self.a.user)
		own = frappe.client.get("AI Chat Session", self.session_a)
		self.assertEqual(own["student"], self.a.name)
		self.assertEqual(len(own["messages"]), 2)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get("AI Chat Session", self.session_b)
		listed = frappe.client.get_list("AI Chat Session", fields=["name", "student"], limit_page_length=0)
		self.assertEqual({row["student"] for row in listed}, {self.a.name})
		self.assertFalse(frappe.client.get_value("AI Chat Session", "summary", {"name": self.session_b}))

	def test_student_lists_only_own_chat_messages_through_the_child_table(self):
		frappe.set_user(self.a.user)
		rows = frappe.get_list(
			"AI Chat Message",
			parent_doctype="AI Chat Session",
			fields=["parent", "content"],
			limit_page_length=0,
		)
		self.assertTrue(rows)
		self.assertEqual({row.parent for row in rows}, {self.session_a})

	def test_student_sees_only_shared_insights_about_themselves(self):
		frappe.set_user(self.a.user)
		self.assertEqual(self.names("Assessment Insight"), {self.insight_a_shared})
		self.assertFalse(frappe.has_permission("Assessment Insight", "read", self.insight_a_draft))
		self.assertFalse(frappe.has_permission("Assessment Insight", "read", self.insight_b_shared))
		gaps = frappe.get_list(
			"Assessment Insight Gap",
			parent_doctype="Assessment Insight",
			fields=["parent"],
			limit_page_length=0,
		)
		self.assertEqual({row.parent for row in gaps}, {self.insight_a_shared})

	def test_student_reads_only_own_engagement_logs(self):
		frappe.set_user(self.a.user)
		self.assertEqual(self.names("AI Engagement Log"), {self.log_a})
		self.assertFalse(frappe.has_permission("AI Engagement Log", "read", self.log_b))

	def test_account_linked_to_no_student_sees_nothing(self):
		frappe.set_user(self.stranger)
		for doctype in ("AI Student Profile", "AI Chat Session", "AI Engagement Log", "Assessment Insight"):
			self.assertEqual(self.names(doctype), set(), doctype)
		self.assertFalse(frappe.has_permission("AI Student Profile", "read", self.profile[self.a.name]))

	# --- guardians ---------------------------------------------------------------------------------------

	def test_guardian_sees_their_wards_records_and_no_other_family(self):
		frappe.set_user(self.guardian_a.user)
		self.assertEqual(self.names("AI Student Profile"), set())  # risk is staff-only by default
		share_risk(self, "share_risk_with_guardians")
		self.assertEqual(self.names("AI Student Profile"), {self.profile[self.a.name]})
		# tutor chats only when the school lets guardians read them (AI School Settings)
		self.assertEqual(self.names("AI Chat Session"), set())
		self.assertFalse(frappe.has_permission("AI Chat Session", "read", self.session_a))
		share_risk(self, "guardian_tutor_transcripts")
		self.assertEqual(self.names("AI Chat Session"), {self.session_a})
		self.assertEqual(self.names("AI Engagement Log"), {self.log_a})
		self.assertEqual(self.names("AI Student Profile", filters={"student": self.b.name}), set())
		self.assertTrue(frappe.has_permission("AI Chat Session", "read", self.session_a))
		self.assertFalse(frappe.has_permission("AI Chat Session", "read", self.session_b))
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get("AI Student Profile", self.profile[self.b.name])

	def test_guardian_sees_only_shared_insights_of_their_wards(self):
		frappe.set_user(self.guardian_b.user)
		self.assertEqual(self.names("Assessment Insight"), {self.insight_b_shared})
		self.assertFalse(frappe.has_permission("Assessment Insight", "read", self.insight_a_shared))

	# --- instructors -------------------------------------------------------------------------------------

	def test_instructor_reads_active_students_of_groups_they_teach_only(self):
		frappe.set_user(self.teacher_a.user)
		self.assertEqual(self.names("AI Student Profile"), {self.profile[self.a.name]})  # not c: inactive
		self.assertEqual(self.names("AI Chat Session"), {self.session_a})
		self.assertEqual(self.names("Assessment Insight"), {self.insight_a_draft, self.insight_a_shared})
		self.assertFalse(frappe.has_permission("AI Student Profile", "read", self.profile[self.b.name]))
		self.assertFalse(frappe.has_permission("AI Student Profile", "read", self.profile[self.c.name]))

	def test_instructor_loses_access_when_their_group_is_disabled(self):
		frappe.db.set_value("Student Group", self.group_a, "disabled", 1)
		frappe.set_user(self.teacher_a.user)
		self.assertEqual(self.names("AI Student Profile"), set())
		self.assertFalse(frappe.has_permission("AI Chat Session", "read", self.session_a))

	def test_instructor_of_last_years_group_has_no_access_to_that_students_chats(self):
		frappe.set_user(self.last_years_teacher.user)
		self.assertEqual(self.names("AI Chat Session"), set())
		self.assertEqual(self.names("AI Chat Session", filters={"student": self.a.name}), set())
		self.assertEqual(self.names("AI Student Profile"), set())
		self.assertFalse(frappe.has_permission("AI Chat Session", "read", self.session_a))
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get("AI Chat Session", self.session_a)
		with self.assertRaises(frappe.PermissionError):
			desk.call("frappe.desk.form.load.getdoc", doctype="AI Chat Session", name=self.session_a)

	def test_previous_year_becomes_current_again_only_when_settings_say_so(self):
		set_current_year(PREVIOUS_YEAR)
		frappe.set_user(self.last_years_teacher.user)
		self.assertEqual(self.names("AI Chat Session"), {self.session_a})
		frappe.set_user(self.teacher_a.user)
		self.assertEqual(self.names("AI Chat Session"), set())

	def test_without_a_current_year_the_years_including_today_count(self):
		"""A site that sets no Current Academic Year scopes instructors to the Academic Years whose dates
		include today: the test year (this calendar year) is one, the previous year is not."""
		set_current_year(None)
		self.assertIn(utils.make_academic_year(), education_data.get_current_academic_years())
		self.assertNotIn(PREVIOUS_YEAR, education_data.get_current_academic_years())
		frappe.set_user(self.teacher_a.user)
		self.assertEqual(self.names("AI Chat Session"), {self.session_a})
		frappe.set_user(self.last_years_teacher.user)
		self.assertEqual(self.names("AI Chat Session"), set())

	def test_instructor_cannot_share_an_insight_of_a_course_they_do_not_teach(self):
		frappe.set_user(self.art_teacher.user)
		insight = frappe.get_doc("Assessment Insight", self.insight_a_draft)  # the art teacher teaches a
		insight.status = "Shared"
		with self.assertRaises(frappe.PermissionError) as raised:
			insight.save()
		self.assertIn(self.group_a, str(raised.exception))
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Assessment Insight", self.insight_a_draft, "status"), "Draft")
		frappe.set_user(self.a.user)
		self.assertNotIn(self.insight_a_draft, self.names("Assessment Insight"))

	def test_instructor_cannot_change_a_shared_insight_of_a_course_they_do_not_teach(self):
		frappe.set_user(self.art_teacher.user)
		insight = frappe.get_doc("Assessment Insight", self.insight_a_shared)
		insight.suggestions = "<p>Nothing to add.</p>"
		with self.assertRaises(frappe.PermissionError):
			insight.save()
		# setting aside (not shared) stays open to every teacher of the student
		insight.reload()
		insight.status = "Reviewed"
		insight.save()

	def test_instructor_shares_an_insight_of_their_course_from_another_group(self):
		frappe.set_user(self.revision_teacher.user)
		insight = frappe.get_doc("Assessment Insight", self.insight_a_draft)
		insight.status = "Shared"
		insight.save()
		self.assertEqual(frappe.db.get_value("Assessment Insight", self.insight_a_draft, "status"), "Shared")

	def test_instructor_cannot_take_over_another_groups_insight_by_changing_its_student(self):
		insight = frappe.get_doc("Assessment Insight", self.insight_b_shared)
		frappe.set_user(self.teacher_a.user)
		insight.student = self.a.name  # a student the teacher does teach
		insight.status = "Withdrawn"
		with self.assertRaises(frappe.PermissionError):
			insight.save()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Assessment Insight", self.insight_b_shared, "status"), "Shared")

	def test_instructor_can_review_and_share_their_own_students_insight(self):
		frappe.set_user(self.teacher_a.user)
		insight = frappe.get_doc("Assessment Insight", self.insight_a_draft)
		insight.status = "Shared"
		insight.suggestions = "<p>Practise common denominators with fraction strips.</p>"
		insight.save()
		frappe.set_user(self.a.user)
		self.assertIn(self.insight_a_draft, self.names("Assessment Insight"))

	# --- staff and guests --------------------------------------------------------------------------------

	def test_academics_user_reads_every_record(self):
		frappe.set_user(self.academics_user)
		self.assertLessEqual(set(self.profile.values()), self.names("AI Student Profile"))
		self.assertLessEqual({self.session_a, self.session_b}, self.names("AI Chat Session"))
		self.assertLessEqual(
			{self.insight_a_draft, self.insight_a_shared, self.insight_b_shared},
			self.names("Assessment Insight"),
		)
		self.assertTrue(frappe.has_permission("AI Chat Session", "read", self.session_b))

	def test_guest_is_denied(self):
		frappe.set_user("Guest")
		for doctype in ("AI Student Profile", "AI Chat Session", "AI Engagement Log", "Assessment Insight"):
			with self.assertRaises(frappe.PermissionError):
				frappe.get_list(doctype)
			self.assertFalse(frappe.has_permission(doctype, "read"))
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get("AI Chat Session", self.session_a)

	def test_instructor_does_not_see_colleagues_unavailability_reasons(self):
		plan = make_timetable_plan(
			[
				{"resource_type": "Instructor", "instructor": self.teacher_b.name, "day": "Monday"},
				{"resource_type": "Instructor", "instructor": self.teacher_a.name, "day": "Friday"},
			],
			reason="Hospital appointment",
		)
		frappe.set_user(self.teacher_a.user)
		response = desk.call("frappe.desk.form.load.getdoc", doctype="Timetable Plan", name=plan)
		rows = response.docs[0].as_dict()["unavailability"]
		self.assertEqual([row["day"] for row in rows], ["Monday", "Friday"])  # the slots themselves show
		self.assertEqual([row.get("reason") for row in rows], [None, None])
		self.assertFalse(
			any(row.get("reason") for row in frappe.client.get("Timetable Plan", plan)["unavailability"])
		)
		listed = frappe.get_list(
			"Timetable Plan Unavailability",
			parent_doctype="Timetable Plan",
			filters={"parent": plan},
			fields=["day", "reason"],
		)
		self.assertEqual(len(listed), 2)
		self.assertFalse(any(row.get("reason") for row in listed))

		frappe.set_user(self.academics_user)  # those who plan timetables read the reasons
		response = desk.call("frappe.desk.form.load.getdoc", doctype="Timetable Plan", name=plan)
		reasons = [row.reason for row in response.docs[0].unavailability]
		self.assertEqual(reasons, ["Hospital appointment", "Hospital appointment"])

	def test_list_conditions_escape_the_user(self):
		hostile = "x' or '1'='1"
		condition = get_permission_query_conditions(hostile, "AI Chat Session")
		rows = frappe.db.sql(f"select name from `tabAI Chat Session` where {condition}")
		self.assertEqual(rows, ())

	# --- server-computed fields --------------------------------------------------------------------------

	def test_student_cannot_write_computed_fields_through_rest_or_the_form(self):
		frappe.set_user(self.a.user)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("AI Student Profile", self.profile[self.a.name], "risk_score", 0)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("AI Chat Session", self.session_a, "summary", "all good")
		session = frappe.get_doc("AI Chat Session", self.session_a)
		session.append("messages", {"role": "assistant", "content": "The answer is 5/6."})
		with self.assertRaises(frappe.PermissionError):
			session.save()
		frappe.set_user("Administrator")
		self.assertEqual(
			frappe.db.get_value("AI Student Profile", self.profile[self.a.name], "risk_score"), 40
		)

	def test_guardian_cannot_write_their_wards_records(self):
		frappe.set_user(self.guardian_a.user)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("AI Chat Session", self.session_a, "status", "Closed")
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value("Assessment Insight", self.insight_a_shared, "suggestions", "none")

	def test_computed_fields_survive_a_site_that_lets_students_write(self):
		"""Defence in depth: even if a site grants Student write access, server fields stay as computed."""
		frappe.permissions.add_permission("AI Chat Session", "Student")
		frappe.permissions.update_permission_property("AI Chat Session", "Student", 0, "write", 1)
		frappe.clear_cache(doctype="AI Chat Session")
		try:
			frappe.set_user(self.a.user)
			session = frappe.get_doc("AI Chat Session", self.session_a)
			session.topic = "Adding fractions"
			session.summary = "Student mastered everything"
			session.status = "Closed"
			session.integrity_mode = "Open"
			session.messages[1].content = "The answer is 5/6."
			session.append("messages", {"role": "assistant", "content": "Here are all the answers."})
			session.save()
			frappe.set_user("Administrator")
			stored = frappe.get_doc("AI Chat Session", self.session_a)
			self.assertEqual(stored.topic, "Adding fractions")
			self.assertFalse(stored.summary)
			self.assertEqual((stored.status, stored.integrity_mode), ("Active", "Guided"))
			self.assertEqual(
				[m.content for m in stored.messages],
				["How do I add 1/2 and 1/3?", "What common denominator could both use?"],
			)
		finally:
			frappe.set_user("Administrator")
			frappe.permissions.reset_perms("AI Chat Session")
			frappe.clear_cache(doctype="AI Chat Session")


def make_timetable_plan(unavailability: list[dict], reason: str) -> str:
	year = utils.make_academic_year()
	term = frappe.db.get_value("Academic Term", {"academic_year": year, "term_name": TEST_TERM}, "name")
	if not term:
		dates = frappe.db.get_value("Academic Year", year, ["year_start_date", "year_end_date"], as_dict=True)
		term = (
			frappe.get_doc(
				{
					"doctype": "Academic Term",
					"academic_year": year,
					"term_name": TEST_TERM,
					"term_start_date": dates.year_start_date,
					"term_end_date": dates.year_end_date,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	return (
		frappe.get_doc(
			{
				"doctype": "Timetable Plan",
				"title": utils.unique("Plan"),
				"academic_term": term,
				"company": utils._company(),
				"periods": [{"period_label": "P1", "from_time": "08:00:00", "to_time": "08:45:00"}],
				"unavailability": [{**row, "reason": reason} for row in unavailability],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


class TestIndexes(FrappeTestCase):
	"""The columns the record rules (student, user), the daily budgets (AI Engagement Log by student and day),
	personal data requests (user) and chat retention (message timestamp) filter on are indexed."""

	INDEXED = {
		"AI Student Profile": ("user",),
		"AI Chat Session": ("student", "user"),
		"AI Engagement Log": ("student", "user", "creation"),
		"Assessment Insight": ("student", "user"),
		"AI Chat Message": ("user", "timestamp"),
		"AI Risk Factor": ("user",),
		"AI Course Standing": ("user",),
		"Assessment Insight Gap": ("user",),
	}

	def test_filtered_columns_have_an_index(self):
		missing = [
			f"{doctype}.{column}"
			for doctype, columns in self.INDEXED.items()
			for column in columns
			if not frappe.db.get_column_index(f"tab{doctype}", column, unique=False)
		]
		self.assertEqual(missing, [])
		# the profile is one per student: its unique key is the index
		self.assertTrue(frappe.db.get_column_index("tabAI Student Profile", "student", unique=True))
