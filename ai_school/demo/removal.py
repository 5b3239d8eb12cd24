"""Remove a demo school: exactly the documents its ledger says it created, dependents first.

Submitted documents are cancelled before they are deleted (cancelling a Program Enrollment removes its
Course Enrollments, as in the desk). The bulk registers are deleted by their demo students. A document
that something outside the demo now links to is kept and reported instead of being force-deleted.
Running it again after it finished does nothing.
"""

from collections.abc import Callable

import frappe

from ai_school.demo import school
from ai_school.demo.builder import COMMIT_EVERY, Progress
from ai_school.demo.ledger import Ledger

# dependents before what they link to
TEARDOWN_ORDER = (
	"Student Log",
	"Assessment Plan",
	"Student Group",
	"Program Enrollment",
	"Student",
	"Customer",
	"Guardian",
	"Instructor",
	"Employee",
	"User",
	"Student Batch Name",
	"Room",
	"Program",
	"Course",
	"Grading Scale",
	"Assessment Criteria",
	"Assessment Group",
	"Academic Term",
	"Academic Year",
	"Company",
	"Holiday List",
	"Role",
	"Gender",
)
CHUNK = 500
# this app's own records computed from demo students (doctype, field linking the student or result);
# they are demo data too and would otherwise pin the students in place
DERIVED = (
	("Assessment Insight", "student"),
	("AI Student Profile", "student"),
	("AI Chat Session", "student"),
	("AI Engagement Log", "student"),
)


def teardown(scale: str = "full", progress: Progress | None = None) -> dict[str, list[str]]:
	"""Delete the demo school of `scale`; returns {"kept": [...]} for documents others now depend on."""
	config = school.get_config(scale)
	ledger = Ledger(config.abbr)
	progress = progress or (lambda stage, done, total: None)
	kept: list[str] = []

	students = sorted(ledger.names("Student"))
	delete_derived(students)
	delete_registers(students, progress)
	frappe.db.commit()

	for doctype in TEARDOWN_ORDER:
		names = sorted(ledger.names(doctype), key=_children_first(doctype))
		if doctype == "User":
			delete_contacts(names)
		for done, name in enumerate(names, 1):
			if not ledger.shared(doctype, name) and not remove(doctype, name):
				kept.append(f"{doctype} {name}")
			ledger.forget(doctype, name)
			if done % COMMIT_EVERY == 0:
				frappe.db.commit()
			progress(f"removing {doctype}", done, len(names))
		frappe.db.commit()

	reset_education_settings(ledger)
	frappe.db.commit()
	return {"kept": kept}


def delete_derived(students: list[str]) -> None:
	for doctype, field in DERIVED:
		if not students or not frappe.db.exists("DocType", doctype):
			continue
		for name in frappe.get_all(doctype, filters={field: ("in", students)}, pluck="name"):
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True, delete_permanently=True)


def delete_registers(students: list[str], progress: Progress) -> None:
	"""Attendance and results were bulk-inserted as submitted rows; nothing links to them."""
	for start in range(0, len(students), CHUNK):
		chunk = students[start : start + CHUNK]
		results = frappe.get_all("Assessment Result", filters={"student": ("in", chunk)}, pluck="name")
		for first in range(0, len(results), CHUNK):
			frappe.db.delete("Assessment Result Detail", {"parent": ("in", results[first : first + CHUNK])})
		frappe.db.delete("Assessment Result", {"student": ("in", chunk)})
		frappe.db.delete("Student Attendance", {"student": ("in", chunk)})
		progress("removing attendance and results", min(start + CHUNK, len(students)), len(students))


def delete_contacts(users: list[str]) -> None:
	"""Frappe makes a Contact for every new User in a background job; they go with the demo's users."""
	if not users:
		return
	contacts = set(frappe.get_all("Contact", filters={"user": ("in", users)}, pluck="name"))
	contacts.update(frappe.get_all("Contact Email", filters={"email_id": ("in", users)}, pluck="parent"))
	for name in sorted(contacts):
		remove("Contact", name)


def remove(doctype: str, name: str) -> bool:
	"""Cancel and delete one document; False if it has to stay because something else links to it."""
	if not frappe.db.exists(doctype, name):
		return True
	frappe.db.savepoint("ai_school_demo_remove")
	try:
		doc = frappe.get_doc(doctype, name)
		if doc.docstatus == 1:
			doc.flags.ignore_permissions = True
			doc.cancel()
		frappe.delete_doc(doctype, name, ignore_permissions=True, delete_permanently=True)
	except frappe.ValidationError:  # LinkExistsError and "cannot cancel, linked" alike
		frappe.db.rollback(save_point="ai_school_demo_remove")
		return False
	return True


def reset_education_settings(ledger: Ledger) -> None:
	fields = ledger.names("Education Settings")
	if not fields:
		return
	settings = frappe.get_single("Education Settings")
	for field in fields:
		# only if it still points at what the demo set, and that is gone now
		value = settings.get(field)
		doctype = "Academic Year" if field == "current_academic_year" else "Academic Term"
		if value and not frappe.db.exists(doctype, value):
			settings.set(field, None)
		ledger.forget("Education Settings", field)
	settings.save(ignore_permissions=True)


def _children_first(doctype: str) -> Callable[[str], tuple]:
	"""Sort key deleting tree leaves before their parents (Assessment Group is a nested set)."""
	if doctype != "Assessment Group":
		return lambda name: (0, name)
	return lambda name: (frappe.db.get_value("Assessment Group", name, "is_group") or 0, name)
