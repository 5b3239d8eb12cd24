"""Behaviour Incident: staff-only records. Instructors record and edit incidents of the students they teach this
academic year; read-all staff see every incident; students and guardians never see any, their own included.
Real users and roles, through document permissions, list queries and the REST handlers."""

import frappe
import frappe.client
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, nowdate

from ai_school.tests import desk, utils

SAVEPOINT = "ai_school_behaviour_incident_test"
INCIDENT = "Behaviour Incident"


def make_incident(student: str, **values) -> str:
	doc = frappe.get_doc(
		{
			"doctype": INCIDENT,
			"student": student,
			"date": nowdate(),
			"category": "Disruption",
			"severity": "Minor",
			"description": "Talked over the teacher repeatedly.",
			**values,
		}
	)
	return doc.insert(ignore_permissions=True).name


class TestBehaviourIncident(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.a = utils.make_student("Ada")
		cls.b = utils.make_student("Ben")
		cls.guardian_a = utils.make_guardian([cls.a.name], "Alma")
		cls.teacher_a = utils.make_instructor("Tess")
		cls.teacher_b = utils.make_instructor("Toby")
		cls.group_a = utils.make_student_group([cls.a.name], [cls.teacher_a.name])
		cls.group_b = utils.make_student_group([cls.b.name], [cls.teacher_b.name])
		cls.academics_user = utils.make_user(("Academics User",))
		cls.manager = utils.make_user(("Education Manager",))
		cls.incident_a = make_incident(cls.a.name)
		cls.incident_b = make_incident(cls.b.name, severity="Major", category="Fighting")

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.db.set_single_value("Education Settings", "current_academic_year", utils.make_academic_year())

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)

	def names(self, **kwargs):
		return set(frappe.get_list(INCIDENT, pluck="name", limit_page_length=0, **kwargs))

	def new_incident(self, student: str, **values):
		return frappe.get_doc(
			{
				"doctype": INCIDENT,
				"student": student,
				"category": "Lateness",
				"description": "Arrived 20 minutes late without a note.",
				**values,
			}
		)

	# --- instructors -------------------------------------------------------------------------------------

	def test_instructor_records_an_incident_for_a_student_they_teach_as_themselves(self):
		frappe.set_user(self.teacher_a.user)
		doc = self.new_incident(self.a.name, reported_by=self.teacher_b.user).insert()
		self.assertEqual(doc.reported_by, self.teacher_a.user)  # not whoever the form claims
		self.assertEqual(doc.status, "Open")
		self.assertEqual(doc.user, self.a.user)  # the student's account, for personal data requests
		self.assertEqual(doc.severity, "Minor")
		self.assertEqual(doc.student_name, frappe.db.get_value("Student", self.a.name, "student_name"))
		doc.status = "Resolved"
		doc.action_taken = "Spoke with the student after class."
		doc.save()
		self.assertEqual(frappe.db.get_value(INCIDENT, doc.name, "status"), "Resolved")

	def test_instructor_cannot_record_an_incident_for_a_student_they_do_not_teach(self):
		frappe.set_user(self.teacher_a.user)
		with self.assertRaises(frappe.PermissionError):
			self.new_incident(self.b.name).insert()
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists(INCIDENT, {"student": self.b.name, "category": "Lateness"}))

	def test_instructor_sees_and_edits_only_their_students_incidents(self):
		frappe.set_user(self.teacher_a.user)
		self.assertEqual(self.names(), {self.incident_a})
		self.assertEqual(self.names(filters={"student": self.b.name}), set())
		self.assertTrue(frappe.has_permission(INCIDENT, "write", self.incident_a))
		self.assertFalse(frappe.has_permission(INCIDENT, "read", self.incident_b))
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get(INCIDENT, self.incident_b)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value(INCIDENT, self.incident_b, "status", "Resolved")
		with self.assertRaises(frappe.PermissionError):
			desk.call("frappe.desk.form.load.getdoc", doctype=INCIDENT, name=self.incident_b)

	def test_instructor_cannot_take_over_an_incident_by_changing_its_student(self):
		doc = frappe.get_doc(INCIDENT, self.incident_b)
		frappe.set_user(self.teacher_a.user)
		doc.student = self.a.name
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value(INCIDENT, self.incident_b, "student"), self.b.name)

	def test_reporter_stays_the_original_one_when_a_colleague_updates_it(self):
		frappe.set_user(self.teacher_a.user)
		name = self.new_incident(self.a.name).insert().name
		frappe.set_user(self.academics_user)
		doc = frappe.get_doc(INCIDENT, name)
		doc.reported_by = self.academics_user
		doc.status = "Resolved"
		doc.save()
		self.assertEqual(frappe.db.get_value(INCIDENT, name, "reported_by"), self.teacher_a.user)

	def test_last_years_teacher_loses_the_students_incidents(self):
		frappe.db.set_single_value("Education Settings", "current_academic_year", None)
		frappe.db.set_value("Student Group", self.group_a, "disabled", 1)
		frappe.set_user(self.teacher_a.user)
		self.assertEqual(self.names(), set())
		self.assertFalse(frappe.has_permission(INCIDENT, "read", self.incident_a))

	# --- students and guardians --------------------------------------------------------------------------

	def test_student_and_guardian_never_see_incidents_not_even_their_own(self):
		for user in (self.a.user, self.guardian_a.user):
			frappe.set_user(user)
			self.assertFalse(frappe.has_permission(INCIDENT, "read"), user)
			self.assertFalse(frappe.has_permission(INCIDENT, "read", self.incident_a), user)
			with self.assertRaises(frappe.PermissionError):
				frappe.get_list(INCIDENT)
			with self.assertRaises(frappe.PermissionError):
				frappe.client.get(INCIDENT, self.incident_a)
			with self.assertRaises(frappe.PermissionError):
				self.new_incident(self.a.name).insert()

	def test_student_records_do_not_open_incidents_even_if_a_site_grants_students_read(self):
		"""Defence in depth: a site that adds a Student read DocPerm still shows a student no incident."""
		frappe.permissions.add_permission(INCIDENT, "Student")
		frappe.clear_cache(doctype=INCIDENT)
		try:
			frappe.set_user(self.a.user)
			self.assertEqual(self.names(), set())
			self.assertFalse(frappe.has_permission(INCIDENT, "read", self.incident_a))
		finally:
			frappe.set_user("Administrator")
			frappe.clear_cache(doctype=INCIDENT)

	# --- staff -------------------------------------------------------------------------------------------

	def test_read_all_staff_see_and_record_every_incident(self):
		for user in (self.academics_user, self.manager):
			frappe.set_user(user)
			self.assertLessEqual({self.incident_a, self.incident_b}, self.names())
			self.assertTrue(frappe.has_permission(INCIDENT, "write", self.incident_b))
			self.new_incident(self.b.name).insert()

	def test_an_incident_cannot_be_dated_in_the_future(self):
		frappe.set_user(self.teacher_a.user)
		with self.assertRaises(frappe.ValidationError):
			self.new_incident(self.a.name, date=add_days(nowdate(), 1)).insert()
