"""Document events that change a student's early-warning picture: each queues a recompute of the student's AI
Student Profile (ai_school/insights/risk.py), deduplicated and batched, so marking a class or importing
thousands of rows queues one job. Assessment Results also get their Assessment Insight
(ai_school/insights/assessment.py): refreshed per plan in one deduplicated job, withdrawn at once on cancel."""

from ai_school.insights import assessment, risk


def assessment_result_changed(doc, method=None):
	"""Assessment Result on_submit / on_cancel."""
	risk.queue_recompute([doc.student])
	if method == "on_cancel":
		assessment.result_cancelled(doc)
	else:
		assessment.result_submitted(doc)


def assessment_result_deleted(doc, method=None):
	"""Assessment Result on_trash: its insights go with it."""
	assessment.result_deleted(doc)


def attendance_changed(doc, method=None):
	"""Student Attendance on_submit / on_cancel."""
	risk.queue_recompute([doc.student])


def incident_changed(doc, method=None):
	"""Behaviour Incident on_update / on_trash (a changed student counts for both students)."""
	before = doc.get_doc_before_save() if method == "on_update" else None
	risk.queue_recompute([doc.student, before.student if before else None])
