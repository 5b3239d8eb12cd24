import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school.install import GUARDIAN_ROLE
from ai_school.tests.utils import make_user, unique


class TestGuardianPortalRole(FrappeTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_linking_a_user_to_a_guardian_grants_the_portal_role(self):
		user = make_user(first_name="Parent")
		self.assertNotIn(GUARDIAN_ROLE, frappe.get_roles(user))
		guardian = frappe.get_doc({"doctype": "Guardian", "guardian_name": unique("Parent")}).insert()
		self.assertNotIn(GUARDIAN_ROLE, frappe.get_roles(user))

		guardian.user = user
		guardian.save()

		frappe.clear_cache(user=user)
		self.assertIn(GUARDIAN_ROLE, frappe.get_roles(user))
