"""Remove a demo school: exactly the documents its ledger says it created, dependents first.

Submitted documents are cancelled before they are deleted. The bulk-inserted rows (attendance, results,
course enrollments) and this app's records computed from demo students are deleted by the exact names of
the ledger's students. A document that something outside the demo now links to is kept (and stays in the
ledger) instead of being force-deleted. Nothing is matched by pattern: the audit trail removed with the
documents (their Comments and Versions, and the Deleted comments and Deleted Document copies this teardown
itself causes) is found by exact doctype and name, so another record's history stays. Running it again
after it finished does nothing.
"""

import time
from collections.abc import Callable

import frappe
from frappe.utils import now

from ai_school.demo import school
from ai_school.demo.builder import COMMIT_EVERY, Progress
from ai_school.demo.jobs import jobs_inline
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
	# the users' own Contacts (User.on_update makes one per user)
	"Contact",
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
	"Department",
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
	with jobs_inline():
		return _teardown(scale, progress or (lambda stage, done, total: None))


def _teardown(scale: str, progress: Progress) -> dict[str, list[str]]:
	config = school.get_config(scale)
	ledger = Ledger(config.abbr)
	kept: list[str] = []
	removed: dict[str, list[str]] = {}
	started = now()

	reset_education_settings(ledger)
	students = sorted(ledger.names("Student"))
	removed.update(delete_derived(students))
	delete_registers(students, progress)
	frappe.db.commit()

	for doctype in TEARDOWN_ORDER:
		names = sorted(ledger.names(doctype), key=_children_first(doctype))
		if doctype == "User":
			# User.after_insert made them, named after the user; User.on_trash would keep a Deleted Document copy
			removed["Notification Settings"] = [n for n in names if remove("Notification Settings", n)]
		for done, name in enumerate(names, 1):
			if ledger.shared(doctype, name):
				ledger.forget(doctype, name)
			elif not needed_by_kept(doctype, name) and remove(doctype, name):
				ledger.forget(doctype, name)
				removed.setdefault(doctype, []).append(name)
			else:
				# stays in the ledger, so a later teardown tries again once the outside link is gone
				kept.append(f"{doctype} {name}")
			if done % COMMIT_EVERY == 0:
				frappe.db.commit()
			progress(f"removing {doctype}", done, len(names))
		frappe.db.commit()

	delete_audit_trail(removed, since=started)
	frappe.db.commit()
	return {"kept": kept}


def needed_by_kept(doctype: str, name: str) -> bool:
	"""Links the framework's check misses: Company.on_trash deletes the company's Employees (and their
	Instructors' employee links with them) by plain SQL, so a kept Employee has to keep its Company."""
	return doctype == "Company" and bool(frappe.db.exists("Employee", {"company": name}))


def delete_derived(students: list[str]) -> dict[str, list[str]]:
	removed = {}
	for doctype, field in DERIVED:
		if not students or not frappe.db.exists("DocType", doctype):
			continue
		removed[doctype] = frappe.get_all(doctype, filters={field: ("in", students)}, pluck="name")
		for name in removed[doctype]:
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True, delete_permanently=True)
	return removed


def delete_registers(students: list[str], progress: Progress) -> None:
	"""Rows the builder bulk-inserted; nothing links to them.

	Course Enrollments go here too: cancelling a Program Enrollment would otherwise delete them one by one,
	each leaving a Deleted Document copy behind.
	"""
	for start in range(0, len(students), CHUNK):
		chunk = students[start : start + CHUNK]
		results = frappe.get_all("Assessment Result", filters={"student": ("in", chunk)}, pluck="name")
		for first in range(0, len(results), CHUNK):
			frappe.db.delete("Assessment Result Detail", {"parent": ("in", results[first : first + CHUNK])})
		for doctype in ("Assessment Result", "Student Attendance", "Course Enrollment"):
			frappe.db.delete(doctype, {"student": ("in", chunk)})
		progress("removing attendance and results", min(start + CHUNK, len(students)), len(students))


def remove(doctype: str, name: str, attempts: int = 3) -> bool:
	"""Cancel and delete one document; False if it has to stay because something else links to it."""
	if not frappe.db.exists(doctype, name):
		return True
	for attempt in range(attempts):
		frappe.db.savepoint("ai_school_demo_remove")
		try:
			doc = frappe.get_doc(doctype, name)
			if doc.docstatus == 1:
				doc.flags.ignore_permissions = True
				doc.cancel()
			frappe.delete_doc(doctype, name, ignore_permissions=True, delete_permanently=True)
			return True
		except frappe.QueryTimeoutError:
			# someone else's transaction (a desk user, a job) holds the row for a moment
			frappe.db.rollback(save_point="ai_school_demo_remove")
			time.sleep(1 + attempt)
		except frappe.ValidationError:  # LinkExistsError and "cannot cancel, linked" alike
			frappe.db.rollback(save_point="ai_school_demo_remove")
			return False
	return False


def delete_audit_trail(removed: dict[str, list[str]], since: str) -> None:
	"""The history of the documents just removed: their Comments and Versions (delete_doc's own
	delete_dynamic_links does the same), and the Deleted comments and Deleted Document copies this teardown
	made (cascades such as User.on_trash delete without `delete_permanently`). A Deleted Document or Deleted
	comment of an earlier, unrelated document of the same name is older than `since` and stays."""
	for doctype, names in removed.items():
		for start in range(0, len(names), CHUNK):
			chunk = names[start : start + CHUNK]
			frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": ("in", chunk)})
			frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", chunk)})
			frappe.db.delete(
				"Comment",
				{
					"comment_type": "Deleted",
					"reference_doctype": doctype,
					"subject": ("in", [f"{doctype} {name}" for name in chunk]),
					"creation": (">=", since),
				},
			)
			frappe.db.delete(
				"Deleted Document",
				{"deleted_doctype": doctype, "deleted_name": ("in", chunk), "creation": (">=", since)},
			)


def reset_education_settings(ledger: Ledger) -> None:
	"""Clear the settings the demo filled in, unless they now point at a year or term it does not own."""
	fields = ledger.names("Education Settings")
	if not fields:
		return
	settings = frappe.get_single("Education Settings")
	links = {"current_academic_year": "Academic Year", "current_academic_term": "Academic Term"}
	for field in fields:
		value = settings.get(field)
		if field not in links or (
			ledger.owns(links[field], value) and not ledger.shared(links[field], value)
		):
			settings.set(field, None)
		ledger.forget("Education Settings", field)
	settings.save(ignore_permissions=True)
	frappe.db.commit()


def _children_first(doctype: str) -> Callable[[str], tuple]:
	"""Sort key deleting tree leaves before their parents (Assessment Group is a nested set)."""
	if doctype != "Assessment Group":
		return lambda name: (0, name)
	return lambda name: (frappe.db.get_value("Assessment Group", name, "is_group") or 0, name)
