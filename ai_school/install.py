"""Install / uninstall hooks: roles and custom fields the app needs on an ERPNext + Education site."""

import click

import frappe

from ai_school import education_data
from ai_school.timetable.custom_fields import install_custom_fields, remove_custom_fields

GUARDIAN_ROLE = "Guardian"
STUDENT_ROLE = "Student"

# Education link fields the app looks records up by on every tutor message, permission check and profile
# recompute, which Education does not index (a 400-student school has 10,000 group memberships: each lookup
# scanned them all). Indexed the way Customize Form does it, so a migrate keeps the index.
LOOKUP_INDEXES = {
	"Student Group Student": "student",
	"Student Group Instructor": "instructor",
	"Course Enrollment": "student",
	"Program Enrollment": "student",
	"Assessment Result": "student",
	"Assessment Plan": "student_group",
	"Student": "user",
	"Guardian": "user",
	"Student Guardian": "guardian",
}


def after_install():
	install_custom_fields()
	index_lookup_fields()
	ensure_guardian_role()
	grant_guardian_role(education_data.get_guardian_users())
	save_default_settings()
	make_student_role_portal_only()


def before_uninstall():
	remove_custom_fields()


def index_lookup_fields():
	from frappe.custom.doctype.property_setter.property_setter import make_property_setter

	for doctype, fieldname in LOOKUP_INDEXES.items():
		if frappe.get_meta(doctype).get_field(fieldname).search_index:
			continue
		make_property_setter(
			doctype, fieldname, "search_index", 1, "Check", validate_fields_for_doctype=False
		)
		frappe.db.updatedb(doctype)


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


def make_student_role_portal_only():
	"""Students use the portal (/me, /tutor), not the desk: turn off the Student role's desk access.

	Education v15 means the same (its patch v15_0.student_role_desk_access), but a patch runs only on
	upgrade, so a fresh install keeps desk access and students log in to the ERPNext desk. The role step is
	that patch's one `set_value`, not a call to it: the patch commits, which would commit the caller's
	transaction (a test's records with it). Like the patch, a plain `set_value` skips Role.on_update, which
	re-evaluates users one User save at a time (and does nothing during install); the users are moved here
	in bulk instead. Says what it changed; says nothing when there was nothing to do."""
	if not frappe.db.exists("Role", STUDENT_ROLE):
		return
	role_changed = frappe.db.get_value("Role", STUDENT_ROLE, "desk_access") != 0
	if role_changed:
		frappe.db.set_value("Role", STUDENT_ROLE, "desk_access", 0)
	users = move_portal_only_users_to_website_user(STUDENT_ROLE)
	if role_changed or users:
		click.echo(
			f"ai_school: the {STUDENT_ROLE} role no longer opens the desk (as Education v15 intends); "
			f"{users} user(s) holding it and no desk role now log in to the portal."
		)


def move_portal_only_users_to_website_user(role: str) -> int:
	"""Website User for System Users who hold `role` and no role with desk access, as User.set_system_user
	decides on save. Staff who also hold a desk role (Instructor, Academics User) stay System Users."""
	user = frappe.qb.DocType("User")
	has_role = frappe.qb.DocType("Has Role")
	role_table = frappe.qb.DocType("Role")
	holders = (
		frappe.qb.from_(has_role)
		.select(has_role.parent)
		.where((has_role.parenttype == "User") & (has_role.role == role))
	)
	desk_users = (
		frappe.qb.from_(has_role)
		.join(role_table)
		.on(role_table.name == has_role.role)
		.select(has_role.parent)
		.where((has_role.parenttype == "User") & (role_table.desk_access == 1))
	)
	names = (
		frappe.qb.from_(user)
		.select(user.name)
		.where(
			(user.user_type == "System User")
			& user.name.notin(("Administrator", "Guest"))
			& user.name.isin(holders)
			& user.name.notin(desk_users)
		)
	).run(pluck=True)
	for start in range(0, len(names), 500):
		batch = names[start : start + 500]
		frappe.qb.update(user).set(user.user_type, "Website User").where(user.name.isin(batch)).run()
	for name in names:
		# login reads user_type from the cached User document
		frappe.clear_document_cache("User", name)
	if names:
		frappe.cache.delete_key("users_for_mentions")
	return len(names)
