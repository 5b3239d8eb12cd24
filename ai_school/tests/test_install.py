"""after_install: the portal Guardian role, students on the portal, and default settings."""

import frappe
from frappe.auth import CookieManager, LoginManager
from frappe.model.meta import Meta
from frappe.tests.utils import FrappeTestCase

from ai_school import education_data
from ai_school.install import (
	GUARDIAN_ROLE,
	LOOKUP_INDEXES,
	STUDENT_ROLE,
	ensure_guardian_role,
	grant_guardian_role,
	make_student_role_portal_only,
	save_default_settings,
)
from ai_school.tests import utils


class TestInstall(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_guardian_role_is_a_portal_role(self):
		ensure_guardian_role()
		self.assertEqual(frappe.db.get_value("Role", GUARDIAN_ROLE, "desk_access"), 0)

	def test_users_linked_to_guardians_get_the_guardian_role(self):
		student = utils.make_student()
		user = utils.make_user(first_name="Linked Parent")
		frappe.get_doc(
			{"doctype": "Guardian", "guardian_name": "Linked Parent", "email_address": user, "user": user}
		).insert(ignore_permissions=True)
		grant_guardian_role(education_data.get_guardian_users())
		self.assertIn(GUARDIAN_ROLE, frappe.get_roles(user))
		self.assertNotIn(GUARDIAN_ROLE, frappe.get_roles(student.user))

	def test_students_land_on_the_portal_and_staff_keep_the_desk(self):
		# a fresh Education v15 install: the Student role still opens the desk, so its users are System Users
		frappe.db.set_value("Role", STUDENT_ROLE, "desk_access", 1)
		student = utils.make_student()
		teacher = utils.make_user(("Student", "Instructor"), first_name="Teacher Student")
		self.assertEqual(frappe.db.get_value("User", student.user, "user_type"), "System User")
		self.assertTrue(login_home_page(student.user).startswith("/app"))

		make_student_role_portal_only()

		self.assertEqual(frappe.db.get_value("Role", STUDENT_ROLE, "desk_access"), 0)
		self.assertEqual(frappe.db.get_value("User", student.user, "user_type"), "Website User")
		self.assertFalse(login_home_page(student.user).startswith("/app"))
		self.assertEqual(frappe.db.get_value("User", teacher, "user_type"), "System User")
		self.assertTrue(login_home_page(teacher).startswith("/app"))

	def test_the_education_fields_the_app_looks_up_by_are_indexed_and_a_migrate_keeps_them(self):
		def indexed(doctype, fieldname) -> bool:
			return bool(
				frappe.db.sql(
					f"show index from `tab{doctype}` where Column_name = %s and Seq_in_index = 1", fieldname
				)
			)

		for doctype, fieldname in LOOKUP_INDEXES.items():
			self.assertTrue(frappe.get_meta(doctype).get_field(fieldname).search_index, doctype)
			self.assertTrue(indexed(doctype, fieldname), doctype)
		# what a migrate does when Education's DocType changes: sync the table from the DocType's meta
		frappe.db.updatedb("Student Group Student", Meta(frappe.get_doc("DocType", "Student Group Student")))
		self.assertTrue(indexed("Student Group Student", "student"))

	def test_settings_defaults_are_stored(self):
		frappe.db.delete("Singles", {"doctype": "AI School Settings"})
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		save_default_settings()
		self.assertEqual(
			frappe.db.get_single_value("AI School Settings", "provider_base_url"),
			"https://openrouter.ai/api/v1",
		)
		self.assertEqual(frappe.db.get_single_value("AI School Settings", "enable_tutor"), 1)


def login_home_page(user: str) -> str:
	"""Where Frappe sends `user` after a password login: LoginManager's own post-login step, without a request."""
	response, cookie_manager = frappe.local.response, getattr(frappe.local, "cookie_manager", None)
	frappe.local.response = frappe._dict()
	frappe.local.cookie_manager = CookieManager()
	try:
		frappe.set_user(user)
		login = LoginManager.__new__(LoginManager)
		login.user = user
		login.get_user_info()
		login.set_user_info()
		return frappe.local.response.home_page
	finally:
		frappe.set_user("Administrator")
		frappe.local.response, frappe.local.cookie_manager = response, cookie_manager
