"""Whitelisted methods behind Instructor Absence: affected lessons, cover proposals, apply and cancel.

Managing absences needs write access to Instructor Absence (System Manager, Education Manager, Academics
User). Instructors get no access to the absences themselves (they can hold a colleague's private reason);
they are told through Notification Logs and emails, and `get_my_covers` lists what concerns them.
"""

import frappe

from ai_school import education_data
from ai_school.timetable import absence as service

DOCTYPE = "Instructor Absence"


def _authorized(name: str, ptype: str):
	frappe.has_permission(DOCTYPE, ptype, doc=name, throw=True)
	return frappe.get_doc(DOCTYPE, name)


@frappe.whitelist()
def get_affected_lessons(absence: str) -> list[dict]:
	"""Course Schedules of the absent instructor that fall inside the absence."""
	doc = _authorized(absence, "read")
	return [
		{
			"course_schedule": row.name,
			"schedule_date": row.schedule_date,
			"from_time": str(row.from_time),
			"to_time": str(row.to_time),
			"student_group": row.student_group,
			"course": row.course,
			"room": row.room,
		}
		for row in service.affected_schedules(doc)
	]


@frappe.whitelist(methods=["POST"])
def propose_cover(absence: str) -> dict:
	"""Rank substitutes and free slots for every affected lesson and fill the absence with the best ones."""
	return service.propose(_authorized(absence, "write"))


@frappe.whitelist(methods=["POST"])
def apply_cover(absence: str) -> dict:
	"""Write the chosen cover to the Course Schedules after re-checking the timetable, and tell the
	instructors involved."""
	return service.apply(_authorized(absence, "write"))


@frappe.whitelist(methods=["POST"])
def cancel_absence(absence: str) -> dict:
	"""Cancel the absence; if it was applied, put its lessons back first."""
	return service.cancel(_authorized(absence, "write"))


@frappe.whitelist()
def get_my_covers() -> list[dict]:
	"""Applied cover that concerns the session user's instructor: lessons they cover, lessons of theirs
	covered or moved during their own absences."""
	instructors = education_data.get_instructors_of_user(frappe.session.user)
	if not instructors:
		return []
	return service.covers_concerning(instructors)
