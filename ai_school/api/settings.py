"""Whitelisted methods behind AI School Settings."""

import frappe
from frappe.rate_limiter import rate_limit

from ai_school import llm

SETTINGS_ROLES = ("System Manager", "Education Manager")


@frappe.whitelist(methods=["POST"])
@rate_limit(limit=10, seconds=60)
def test_connection() -> dict:
	"""Send a one-word prompt through the configured provider and models, so an admin sees at once whether
	the key, URL and model names work. Failures raise with the gateway's readable message."""
	frappe.only_for(SETTINGS_ROLES)
	completion = llm.complete(
		"Other",
		[{"role": "user", "content": "Reply with the single word: OK"}],
		max_tokens=5,
		temperature=0,
		reference=("AI School Settings", "AI School Settings"),
	)
	return {
		"model": completion.model,
		"provider_model": completion.provider_model,
		"latency_ms": completion.latency_ms,
		"fallback_used": completion.fallback_used,
		"reply": completion.text.strip()[:100],
	}
