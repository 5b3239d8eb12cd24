"""after_install: the portal Guardian role and default settings."""

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school import education_data
from ai_school.install import GUARDIAN_ROLE, ensure_guardian_role, grant_guardian_role, save_default_settings
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

	def test_settings_defaults_are_stored(self):
		frappe.db.delete("Singles", {"doctype": "AI School Settings"})
		frappe.clear_document_cache("AI School Settings", "AI School Settings")
		save_default_settings()
		self.assertEqual(
			frappe.db.get_single_value("AI School Settings", "provider_base_url"),
			"https://openrouter.ai/api/v1",
		)
		self.assertEqual(frappe.db.get_single_value("AI School Settings", "enable_tutor"), 1)
