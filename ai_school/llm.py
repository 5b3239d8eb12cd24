"""The Frappe side of the LLM gateway: AI School Settings in, AI Engagement Log out.

Every AI call of the app goes through :func:`complete` / :func:`complete_json` here, so feature switches,
per-student budgets and the audit log apply to all of them alike. The API key is read with get_password
and handed to the core gateway; it is never returned, logged or put in an exception.
"""

import frappe
from frappe import _
from frappe.utils import get_url, today

from ai_school.core.llm import Completion, Gateway, LLMConfig, LLMError

FEATURE_SWITCHES = {
	"Tutor": "enable_tutor",
	"Insights": "enable_insights",
	"Timetable": "enable_timetable",
	"Teacher Tools": "enable_teacher_tools",
}


class AIUnavailableError(frappe.ValidationError):
	"""An AI call failed; the message is the gateway's, written for the person using the app."""


class AIBudgetExceededError(frappe.ValidationError):
	pass


def settings():
	return frappe.get_cached_doc("AI School Settings")


def gateway_config() -> LLMConfig:
	doc = settings()
	return LLMConfig(
		api_key=doc.get_password("api_key", raise_exception=False) or "",
		model=doc.primary_model,
		fallback_models=tuple(row.model for row in doc.fallback_models),
		base_url=doc.provider_base_url,
		timeout=float(doc.request_timeout),
		max_tokens=doc.max_tokens,
		extra_headers={"HTTP-Referer": get_url(), "X-Title": "AI School"},
	)


def ensure_enabled(feature: str):
	switch = FEATURE_SWITCHES.get(feature)
	if switch and not settings().get(switch):
		frappe.throw(
			_("{0} is switched off in AI School Settings.").format(_(feature)), title=_("Feature disabled")
		)


def student_usage_today(student: str) -> tuple[int, int]:
	"""(messages, tokens) the student used today across all AI features."""
	rows = frappe.get_all(
		"AI Engagement Log",
		filters={"student": student, "creation": [">=", today()], "outcome": ["in", ["ok", "fallback"]]},
		fields=["count(name) as messages", "sum(tokens_in + tokens_out) as tokens"],
	)
	return int(rows[0].messages or 0), int(rows[0].tokens or 0)


def ensure_within_budget(feature: str, student: str | None):
	if not student:
		return
	doc = settings()
	messages, tokens = student_usage_today(student)
	# a budget of 0 means no limit
	over_messages = doc.daily_message_budget and messages >= doc.daily_message_budget
	over_tokens = doc.daily_token_budget and tokens >= doc.daily_token_budget
	if over_messages or over_tokens:
		log_engagement(feature, outcome="blocked", student=student, error="daily budget reached")
		_commit_log()
		frappe.throw(
			_("You have used today's AI allowance. It resets tomorrow."),
			exc=AIBudgetExceededError,
			title=_("Daily limit reached"),
		)


def log_engagement(
	feature: str,
	*,
	outcome: str,
	completion: Completion | None = None,
	student: str | None = None,
	integrity_mode: str | None = None,
	reference: tuple[str, str] | None = None,
	error: str | None = None,
):
	log = frappe.get_doc(
		{
			"doctype": "AI Engagement Log",
			"feature": feature,
			"outcome": outcome,
			"user": frappe.session.user,
			"student": student,
			"integrity_mode": integrity_mode,
			"model": completion.model if completion else None,
			"tokens_in": completion.usage.prompt_tokens if completion else 0,
			"tokens_out": completion.usage.completion_tokens if completion else 0,
			"latency_ms": completion.latency_ms if completion else 0,
			"reference_doctype": reference[0] if reference else None,
			"reference_name": reference[1] if reference else None,
			"error_message": (error or "")[:500] or None,
		}
	)
	log.insert(ignore_permissions=True)
	return log


def _commit_log():
	# The request is about to fail and be rolled back; the audit row of a failed or refused AI call must
	# survive it (budgets count it, admins see it), so it is committed on its own first.
	frappe.db.commit()


def _call(feature, student, integrity_mode, reference, run):
	ensure_enabled(feature)
	ensure_within_budget(feature, student)
	try:
		with Gateway(gateway_config()) as gateway:
			result, completion = run(gateway)
	except LLMError as e:
		log_engagement(
			feature,
			outcome="error",
			completion=getattr(e, "completion", None),
			student=student,
			integrity_mode=integrity_mode,
			reference=reference,
			error=str(e),
		)
		_commit_log()
		frappe.throw(str(e), exc=AIUnavailableError, title=_("AI unavailable"))
	log_engagement(
		feature,
		outcome=completion.outcome,
		completion=completion,
		student=student,
		integrity_mode=integrity_mode,
		reference=reference,
	)
	return result, completion


def complete(
	feature: str,
	messages: list[dict],
	*,
	student: str | None = None,
	integrity_mode: str | None = None,
	reference: tuple[str, str] | None = None,
	**options,
) -> Completion:
	"""One chat completion for `feature`, logged; raises AIUnavailableError with a readable message."""

	def run(gateway):
		completion = gateway.complete(messages, **options)
		return completion, completion

	return _call(feature, student, integrity_mode, reference, run)[0]


def complete_json(
	feature: str,
	messages: list[dict],
	shape,
	*,
	student: str | None = None,
	reference: tuple[str, str] | None = None,
	**options,
):
	"""A JSON answer validated against `shape` (see ai_school.core.llm.shape); returns (data, completion)."""
	return _call(
		feature, student, None, reference, lambda gateway: gateway.complete_json(messages, shape, **options)
	)
