"""Keep the demo's per-document background jobs off the shared queues.

Frappe queues jobs per document: User.on_update queues `create_contact` and `update_gravatar` for every user
it saves, and delete_doc queues `delete_dynamic_links` for every document it deletes. Loading the full demo
left some 1,600 of them on the default queue, and a timetable solve then waited minutes behind them on a
one-worker bench. Inside `jobs_inline()` those jobs run in the demo's own transaction instead (the contact is
then part of the demo's batch and its ledger), except the gravatar lookup, an HTTP request to gravatar.com
per user that can find nothing for the demo's addresses at `.example` domains. Every other job is queued as
usual.

Frappe offers no switch for this outside its own install and test modes (`frappe.flags.in_install` also
turns off XSS sanitising and length checks), so `frappe.enqueue` is wrapped for the duration, in this thread
only: the demo runs in its own process (`bench ai-school-demo`, `bench execute`).
"""

import contextlib

import frappe

INLINE = frozenset(
	{
		"frappe.core.doctype.user.user.create_contact",
		"frappe.model.delete_doc.delete_dynamic_links",
	}
)
SKIPPED = frozenset({"frappe.core.doctype.user.user.update_gravatar"})
_FLAG = "ai_school_demo_jobs_inline"


@contextlib.contextmanager
def jobs_inline():
	if frappe.local.flags.get(_FLAG):
		yield
		return
	queue = frappe.enqueue

	def enqueue(method, *args, **kwargs):
		if frappe.local.flags.get(_FLAG) and isinstance(method, str):
			if method in SKIPPED:
				return None
			if method in INLINE:
				kwargs["now"] = True
		return queue(method, *args, **kwargs)

	frappe.enqueue = enqueue
	frappe.local.flags[_FLAG] = True
	try:
		yield
	finally:
		frappe.local.flags[_FLAG] = False
		if frappe.enqueue is enqueue:
			frappe.enqueue = queue
