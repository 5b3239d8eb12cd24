"""Guardian doc_events."""

from ai_school.guardians import notices
from ai_school.install import grant_guardian_role


def grant_portal_role(doc, method=None):
	"""Education lets staff link a portal user to a Guardian but gives that user no role, and without the
	Guardian role the parent would see nothing of their wards; install-time granting covers only the
	guardians that existed then."""
	if doc.user and doc.has_value_changed("user"):
		grant_guardian_role([doc.user])


# --- same-day notices to guardians (ai_school/guardians/notices.py): queued here, sent by one job ---------


def attendance_submitted(doc, method=None):
	"""Student Attendance on_submit: an absence queues its guardians' notice (once per student and day)."""
	if doc.status == "Absent":
		notices.queue(notices.ABSENCE, doc.name)


def result_submitted(doc, method=None):
	"""Assessment Result on_submit: guardians who want results straight away hear of it."""
	notices.queue(notices.RESULT, doc.name)


def insight_updated(doc, method=None):
	"""Assessment Insight on_update: once a teacher shares it, guardians who want insights straight away hear
	of it (once per insight, however often it is saved afterwards)."""
	if doc.status == notices.SHARED and doc.has_value_changed("status"):
		notices.queue(notices.INSIGHT, doc.name)
