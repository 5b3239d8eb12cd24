"""Install / uninstall hooks: roles and custom fields the app needs on an ERPNext + Education site."""

import frappe

from ai_school import education_data
from ai_school.timetable.custom_fields import install_custom_fields, remove_custom_fields

GUARDIAN_ROLE = "Guardian"


def after_install():
	install_custom_fields()
	ensure_guardian_role()
	grant_guardian_role(education_data.get_guardian_users())
	save_default_settings()


def before_uninstall():
	remove_custom_fields()


def ensure_guardian_role():
	"""A portal role for parents: Education links Guardian records to users but gives them no role.

	Syncing the app's DocTypes creates any role their permissions name as a desk role; a Guardian role
	nobody holds yet is ours to turn into a portal-only one. A role the site already uses is left alone."""
	if not frappe.db.exists("Role", GUARDIAN_ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": GUARDIAN_ROLE, "desk_access": 0}).insert(
			ignore_permissions=True
		)
	elif not frappe.db.exists("Has Role", {"role": GUARDIAN_ROLE, "parenttype": "User"}):
		frappe.db.set_value("Role", GUARDIAN_ROLE, "desk_access", 0)


def grant_guardian_role(users: list[str]):
	for user in users:
		if frappe.db.exists("User", user) and GUARDIAN_ROLE not in frappe.get_roles(user):
			frappe.get_doc("User", user).add_roles(GUARDIAN_ROLE)


def save_default_settings():
	"""Store the settings' defaults so code reading single values gets them before anyone opens the form."""
	frappe.get_single("AI School Settings").save(ignore_permissions=True)
