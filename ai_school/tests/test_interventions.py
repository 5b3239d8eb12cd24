"""AI Intervention on a real site: staff-only records (instructors for the students they teach this academic
year), the owner's ToDo on creation, daily Notification Log reminders once per due check-in and at the end
date, the "Start Intervention" values prefilled from the student's profile, and the check-in log.

Real users and Education records from ai_school/tests/utils.py; the reminder job runs inline with
commit=False inside the test transaction."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

from ai_school.insights import interventions
from ai_school.tests import desk, utils

SAVEPOINT = "ai_school_interventions_test"
INTERVENTION = "AI Intervention"
START = "ai_school.api.interventions.start_intervention"
LOG_CHECKIN = "ai_school.api.interventions.log_checkin"


class TestInterventions(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()  # rolled back when the class ends
		cls.a = utils.make_student("Ada")
		cls.b = utils.make_student("Ben")
		cls.guardian_a = utils.make_guardian([cls.a.name], "Alma")
		cls.teacher_a = utils.make_instructor("Tess")
		cls.teacher_b = utils.make_instructor("Toby")
		cls.old_teacher = utils.make_instructor("Olga")
		cls.group_a = utils.make_student_group([cls.a.name], [cls.teacher_a.name])
		cls.group_b = utils.make_student_group([cls.b.name], [cls.teacher_b.name])
		last_year = utils.make_academic_year("AI School Test Year Before", years_back=1)
		old_group = utils.make_student_group([cls.a.name], [cls.old_teacher.name])
		frappe.db.set_value("Student Group", old_group, "academic_year", last_year)
		cls.manager = utils.make_user(("Education Manager",))
		cls.academics_user = utils.make_user(("Academics User",))
		utils.make_profile(
			cls.a.name,
			risk_score=45,
			risk_level="High",
			factors=[
				{"factor": "Attendance", "impact": 20, "explanation": "Absent 14 % of days this term"},
				{"factor": "Course failures", "impact": 25, "explanation": "Failing 1 course: Mathematics"},
				{"factor": "Behaviour", "impact": 0, "explanation": "No behaviour incidents this term"},
			],
		)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.db.set_single_value("Education Settings", "current_academic_year", utils.make_academic_year())

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)

	# --- helpers -----------------------------------------------------------------------------------------

	def make(self, student=None, owner=None, **values):
		doc = frappe.get_doc(
			{
				"doctype": INTERVENTION,
				"student": student or self.a.name,
				"owner_user": owner or self.teacher_a.user,
				"goal": "Attend every lesson for the next six weeks.",
				"strategies": "Morning check-in with the form tutor; call home after any absence.",
				**values,
			}
		)
		return doc.insert(ignore_permissions=True)

	def todos(self, name, **filters):
		return frappe.get_all(
			"ToDo",
			filters={"reference_type": INTERVENTION, "reference_name": name, **filters},
			fields=["allocated_to", "status", "date"],
		)

	def reminders(self, name):
		return frappe.get_all(
			"Notification Log",
			filters={"document_type": INTERVENTION, "document_name": name, "type": "Alert"},
			fields=["for_user", "subject"],
			order_by="creation asc",
		)

	def names(self):
		return set(frappe.get_list(INTERVENTION, pluck="name", limit_page_length=0))

	# --- the record --------------------------------------------------------------------------------------

	def test_defaults_six_weeks_weekly_and_the_factors_of_the_profile(self):
		doc = self.make()
		self.assertEqual(doc.duration_weeks, 6)
		self.assertEqual(doc.checkin_cadence, "Weekly")
		self.assertEqual(getdate(doc.end_date), getdate(add_days(nowdate(), 42)))
		self.assertEqual(getdate(doc.next_checkin), getdate(add_days(nowdate(), 7)))
		self.assertEqual(doc.status, "Active")  # starts today
		self.assertEqual((doc.tier, doc.risk_score), ("High", 45))
		self.assertEqual(
			doc.trigger_factors, "Failing 1 course: Mathematics\nAbsent 14 % of days this term"
		)  # weightiest first, factors adding no points left out
		self.assertEqual(doc.user, self.a.user)  # personal data requests

	def test_a_future_start_stays_planned_until_the_daily_job_on_its_day(self):
		doc = self.make(start_date=add_days(nowdate(), 3))
		self.assertEqual(doc.status, "Planned")
		interventions.send_reminders(commit=False)
		self.assertEqual(frappe.db.get_value(INTERVENTION, doc.name, "status"), "Planned")
		frappe.db.set_value(INTERVENTION, doc.name, "start_date", nowdate())
		interventions.send_reminders(commit=False)
		self.assertEqual(frappe.db.get_value(INTERVENTION, doc.name, "status"), "Active")

	def test_completing_needs_an_outcome(self):
		doc = self.make()
		doc.status = "Completed"
		with self.assertRaisesRegex(frappe.ValidationError, "Record the outcome"):
			doc.save(ignore_permissions=True)
		doc.reload()
		doc.status, doc.outcome = "Completed", "Attendance back to 98 %; no further support needed."
		doc.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value(INTERVENTION, doc.name, "status"), "Completed")

	def test_duration_is_one_to_fifty_two_weeks(self):
		with self.assertRaisesRegex(frappe.ValidationError, "between 1 and 52 weeks"):
			self.make(duration_weeks=0)
		self.assertEqual(getdate(self.make(duration_weeks=2).end_date), getdate(add_days(nowdate(), 14)))

	def test_the_owner_must_be_staff_who_can_see_the_student(self):
		for owner in (self.teacher_b.user, self.old_teacher.user, self.a.user, self.guardian_a.user):
			with self.assertRaisesRegex(frappe.ValidationError, "cannot open this student's records"):
				self.make(owner=owner)
		self.assertEqual(self.make(owner=self.academics_user).owner_user, self.academics_user)

	# --- ToDo --------------------------------------------------------------------------------------------

	def test_creating_it_assigns_a_todo_to_the_owner(self):
		doc = self.make()
		todos = self.todos(doc.name)
		self.assertEqual([(t.allocated_to, t.status) for t in todos], [(self.teacher_a.user, "Open")])
		self.assertEqual(getdate(todos[0].date), getdate(doc.next_checkin))

	def test_a_new_owner_gets_the_todo_and_closing_closes_it(self):
		doc = self.make()
		doc.owner_user = self.academics_user
		doc.save(ignore_permissions=True)
		self.assertEqual(
			{(t.allocated_to, t.status) for t in self.todos(doc.name)},
			{(self.teacher_a.user, "Cancelled"), (self.academics_user, "Open")},
		)
		doc.status, doc.outcome = "Discontinued", "The family moved school."
		doc.save(ignore_permissions=True)
		self.assertEqual(self.todos(doc.name, status="Open"), [])

	# --- reminders ---------------------------------------------------------------------------------------

	def test_a_due_checkin_is_reminded_once_and_the_next_after_logging_one(self):
		doc = self.make(start_date=add_days(nowdate(), -8))  # first check-in was due yesterday
		self.assertEqual(getdate(doc.next_checkin), getdate(add_days(nowdate(), -1)))
		interventions.send_reminders(commit=False)
		interventions.send_reminders(commit=False)  # the job may run again: no second reminder
		reminders = self.reminders(doc.name)
		self.assertEqual(len(reminders), 1)
		self.assertEqual(reminders[0].for_user, self.teacher_a.user)
		self.assertIn("Check-in due", reminders[0].subject)
		self.assertIn(frappe.db.get_value("Student", self.a.name, "student_name"), reminders[0].subject)

		frappe.set_user(self.teacher_a.user)
		desk.call(LOG_CHECKIN, "POST", intervention=doc.name, note="Came on time all week.")
		frappe.set_user("Administrator")
		doc.reload()
		self.assertEqual(getdate(doc.next_checkin), getdate(add_days(nowdate(), 7)))
		self.assertEqual((doc.checkins[0].by, doc.checkins[0].user), (self.teacher_a.user, self.a.user))
		interventions.send_reminders(commit=False)
		self.assertEqual(len(self.reminders(doc.name)), 1)  # the next one is not due yet

	def test_the_end_date_is_reminded_once(self):
		doc = self.make(start_date=add_days(nowdate(), -15), duration_weeks=2)  # ended yesterday
		interventions.send_reminders(commit=False)
		interventions.send_reminders(commit=False)
		subjects = [r.subject for r in self.reminders(doc.name)]
		self.assertEqual(len(subjects), 2, subjects)  # the last check-in (on the end date) and the end
		self.assertEqual(sum("end date" in s for s in subjects), 1)
		doc.reload()
		doc.duration_weeks = 4  # extended: the new end date will be reminded in its turn
		doc.save(ignore_permissions=True)
		self.assertEqual(doc.end_reminder_sent, 0)

	def test_closed_interventions_get_no_reminders(self):
		doc = self.make(start_date=add_days(nowdate(), -8))
		doc.status, doc.outcome = "Completed", "Goal met early."
		doc.save(ignore_permissions=True)
		interventions.send_reminders(commit=False)
		self.assertEqual(self.reminders(doc.name), [])

	# --- start and check-ins from the desk ---------------------------------------------------------------

	def test_start_intervention_prefills_the_students_factors_for_their_teacher(self):
		frappe.set_user(self.teacher_a.user)
		values = desk.call(START, student=self.a.name).message
		self.assertEqual(values["student"], self.a.name)
		self.assertEqual(values["owner_user"], self.teacher_a.user)
		self.assertEqual((values["tier"], values["risk_score"]), ("High", 45))
		self.assertIn("Absent 14 % of days this term", values["trigger_factors"])
		self.assertEqual((values["duration_weeks"], values["checkin_cadence"]), (6, "Weekly"))
		self.assertFalse(frappe.db.exists(INTERVENTION, {"student": self.a.name}))  # nothing saved
		doc = frappe.get_doc({"doctype": INTERVENTION, **values, "goal": "Pass Mathematics."}).insert()
		self.assertEqual(doc.owner_user, self.teacher_a.user)

	def test_start_intervention_is_refused_to_those_who_do_not_teach_the_student(self):
		for user in (self.teacher_b.user, self.old_teacher.user, self.a.user, self.guardian_a.user):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				desk.call(START, student=self.a.name)

	def test_log_checkin_is_a_post_for_those_who_may_edit_it(self):
		doc = self.make()
		frappe.set_user(self.teacher_a.user)
		with self.assertRaises(frappe.PermissionError):
			desk.call(LOG_CHECKIN, "GET", intervention=doc.name, note="x")
		for user in (self.teacher_b.user, self.a.user):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				desk.call(LOG_CHECKIN, "POST", intervention=doc.name, note="x")

	def test_a_checkin_row_is_by_whoever_logs_it(self):
		doc = self.make()
		frappe.set_user(self.teacher_a.user)
		doc = frappe.get_doc(INTERVENTION, doc.name)
		doc.append("checkins", {"note": "Spoke after class.", "by": self.teacher_b.user})
		doc.save()
		self.assertEqual(doc.checkins[0].by, self.teacher_a.user)

	# --- who sees them -----------------------------------------------------------------------------------

	def test_instructors_see_only_their_current_students_interventions(self):
		mine, other = self.make(), self.make(student=self.b.name, owner=self.teacher_b.user)
		frappe.set_user(self.teacher_a.user)
		self.assertEqual(self.names(), {mine.name})
		self.assertTrue(frappe.has_permission(INTERVENTION, "write", mine.name))
		self.assertFalse(frappe.has_permission(INTERVENTION, "read", other.name))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{
					"doctype": INTERVENTION,
					"student": self.b.name,
					"owner_user": self.teacher_a.user,
					"goal": "x",
				}
			).insert()
		frappe.set_user(self.old_teacher.user)  # taught Ada last year
		self.assertEqual(self.names(), set())
		self.assertFalse(frappe.has_permission(INTERVENTION, "read", mine.name))

	def test_students_and_guardians_never_see_interventions_not_even_their_own(self):
		doc = self.make()
		for user in (self.a.user, self.guardian_a.user):
			frappe.set_user(user)
			self.assertFalse(frappe.has_permission(INTERVENTION, "read", doc.name))
			with self.assertRaises(frappe.PermissionError):
				frappe.get_list(INTERVENTION)
			with self.assertRaises(frappe.PermissionError):
				frappe.get_list("AI Intervention Check-in", parent_doctype=INTERVENTION, fields=["note"])
			with self.assertRaises(frappe.PermissionError):
				desk.call("frappe.desk.form.load.getdoc", doctype=INTERVENTION, name=doc.name)

	def test_academic_staff_see_every_intervention(self):
		names = {self.make().name, self.make(student=self.b.name, owner=self.teacher_b.user).name}
		for user in (self.manager, self.academics_user):
			frappe.set_user(user)
			self.assertLessEqual(names, self.names())

	def test_open_interventions_of_a_student_for_the_panel(self):
		open_one = self.make()
		closed = self.make()
		closed.status, closed.outcome = "Completed", "Done."
		closed.save(ignore_permissions=True)
		frappe.set_user(self.teacher_a.user)
		rows = desk.call("ai_school.api.interventions.get_open_interventions", student=self.a.name).message
		self.assertEqual([row.name for row in rows], [open_one.name])
		frappe.set_user(self.teacher_b.user)
		rows = desk.call("ai_school.api.interventions.get_open_interventions", student=self.a.name).message
		self.assertEqual(rows, [])
