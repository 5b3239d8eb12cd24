"""Small helpers the Frappe shell shares."""

import contextlib

import frappe


@contextlib.contextmanager
def bulk_user_creation():
	"""Frappe refuses more than `throttle_user_limit` (60) new users an hour, a guard against sign-up floods.
	Deliberate bulk loads (the demo school, test fixtures) lift it in this process only, while they run."""
	previous = frappe.local.conf.get("throttle_user_limit")
	frappe.local.conf.throttle_user_limit = 10**6
	try:
		yield
	finally:
		if previous is None:
			frappe.local.conf.pop("throttle_user_limit", None)
		else:
			frappe.local.conf.throttle_user_limit = previous
