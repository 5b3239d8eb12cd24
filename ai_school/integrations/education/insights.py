"""Document events that change a student's early-warning picture: each queues a recompute of the student's AI
Student Profile (ai_school/insights/risk.py), deduplicated and batched, so marking a class or importing
thousands of rows queues one job."""

from ai_school.insights import risk


def assessment_result_changed(doc, method=None):
	"""Assessment Result on_submit / on_cancel."""
	risk.queue_recompute([doc.student])


def attendance_changed(doc, method=None):
	"""Student Attendance on_submit / on_cancel."""
	risk.queue_recompute([doc.student])


def incident_changed(doc, method=None):
	"""Behaviour Incident on_update / on_trash (a changed student counts for both students)."""
	before = doc.get_doc_before_save() if method == "on_update" else None
	risk.queue_recompute([doc.student, before.student if before else None])
