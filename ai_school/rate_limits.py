"""Rate limits per user, applied after the permission check (convention 25).

Frappe's `@rate_limit` keys on the client IP (or a request argument) and runs before the function body, so
everybody behind a school's shared IP draws from one allowance, and calls that the permission check then
refuses use it up too: a student could exhaust the staff's solve or publish allowance. Here the key is the
session user (the IP only for Guest), and the count is taken by an explicit call after authorizing:

	doc.check_permission("write")
	rate_limits.consume("timetable.solve", limit=30, seconds=3600)

Counts live in the site's Redis cache, one key per action and user, expiring `seconds` after the first call
of the window. Only web requests are counted, as with Frappe's limiter.
"""

from __future__ import annotations

import frappe
from frappe import _


def cache_key(action: str, user: str | None = None) -> str:
	user = user or frappe.session.user
	identity = f"ip:{frappe.local.request_ip or ''}" if user == "Guest" else f"user:{user}"
	return frappe.cache.make_key(f"ai_school:rate_limit:{action}:{identity}")


def consume(action: str, limit: int, seconds: int) -> int:
	"""Count one call of `action` for the session user; throw RateLimitExceededError (HTTP 429) past `limit`
	calls in the window. Call it after the permission check. Returns the calls used so far.

	Like Frappe's own limiter, only web requests count: background jobs, the console and `bench execute` call
	the same functions without using anybody's allowance."""
	if not getattr(frappe.local, "request", None):
		return 0
	key = cache_key(action)
	frappe.cache.set(key, 0, ex=seconds, nx=True)  # starts the window; an existing one keeps its expiry
	used = frappe.cache.incr(key)
	if used > limit:
		wait = max(frappe.cache.ttl(key), 1)
		frappe.throw(
			_(
				"You reached the limit of {0} calls per {1} minutes for this action; try again in {2} minutes."
			).format(limit, max(seconds // 60, 1), (wait + 59) // 60),
			frappe.RateLimitExceededError,
			title=_("Too many requests"),
		)
	return used


def used(action: str, user: str | None = None) -> int:
	"""Calls of `action` counted for `user` (default: the session user) in the current window."""
	return int(frappe.cache.get(cache_key(action, user)) or 0)


def reset(action: str, user: str | None = None) -> None:
	frappe.cache.delete(cache_key(action, user))
