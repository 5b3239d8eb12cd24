"""The early-warning risk model for managers (System Manager, Education Manager): retrain it and see which
version is in use.

	POST /api/method/ai_school.api.risk_model.retrain
	GET  /api/method/ai_school.api.risk_model.get_status

``retrain`` queues the retraining job (ai_school/insights/risk_model.py) unless one is already queued or
running; the job reports progress to the caller (``progress`` realtime events) and ends with an
``ai_school:risk_model`` event carrying the same summary ``get_status`` returns for a version.
"""

import frappe
from frappe import _

from ai_school import rate_limits
from ai_school.insights import risk_model
from ai_school.insights.risk import insights_enabled

RETRAIN_LIMIT = 10  # per user and hour, counted after the permission check
HOUR = 3600


def _check(ptype: str) -> None:
	"""AI Risk Model's own permissions (System Manager and Education Manager). Not frappe.only_for, which
	lets everyone through while tests run, so no test could show the refusal."""
	if not frappe.has_permission(risk_model.DOCTYPE, ptype):
		frappe.throw(
			_("Only System Managers and Education Managers can retrain or inspect the risk model."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


@frappe.whitelist(methods=["POST"])
def retrain() -> dict:
	"""Queue a retrain of the risk model. Managers only."""
	_check("write")
	if not insights_enabled():
		frappe.throw(_("Early warning is switched off in AI School Settings."), frappe.ValidationError)
	rate_limits.consume("insights.retrain", RETRAIN_LIMIT, HOUR)
	job = risk_model.enqueue_retrain()
	if job is None:
		return {
			"queued": False,
			"job_id": risk_model.JOB_ID,
			"message": _("The risk model is already being retrained; the result will appear shortly."),
		}
	return {
		"queued": True,
		"job_id": risk_model.JOB_ID,
		"message": _(
			"Retraining the risk model in the background. A new AI Risk Model version will show its metrics "
			"and whether it is used."
		),
	}


@frappe.whitelist(methods=["GET"])
def get_status() -> dict:
	"""Which scores the early warning uses (a model version or the ABC rule), the latest version and whether a
	retrain is under way. Managers only."""
	_check("read")
	active = risk_model.active_summary()
	latest = frappe.get_all(risk_model.DOCTYPE, pluck="name", order_by="version desc", limit=1)
	return {
		"scoring": active["version"] if active else "ABC rule",
		"active": active,
		"latest": risk_model.summarise(frappe.get_doc(risk_model.DOCTYPE, latest[0])) if latest else None,
		"retraining": risk_model.is_retraining(),
	}
