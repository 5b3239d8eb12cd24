"""Whitelisted methods behind AI School Settings."""

import frappe

from ai_school import llm, rate_limits

TEST_CONNECTION_LIMIT = 10  # per user and minute, counted after the permission check


@frappe.whitelist(methods=["POST"])
def test_connection() -> dict:
	"""Send a one-word prompt through the configured provider and models, so an admin sees at once whether
	the key, URL and model names work. Failures raise with the gateway's readable message."""
	# only those who may change the settings (System Manager, Education Manager) may spend on testing them
	frappe.get_cached_doc("AI School Settings").check_permission("write")
	rate_limits.consume("settings.test_connection", TEST_CONNECTION_LIMIT, 60)
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
