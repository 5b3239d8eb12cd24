"""Chat retention: tutor conversations are kept for AI School Settings' `chat_retention_days`, then deleted.

Runs daily (hooks: scheduler_events daily_long). 0 days keeps conversations forever, as the setting says.

- A session whose last activity (`modified`) is older than the cutoff is deleted with its messages and what
  Frappe keeps about it (comments, versions, shares, assignments, attachments), permanently: no copy goes to
  Deleted Document, which would keep the conversation.
- In sessions still in use, messages whose `timestamp` is older than the cutoff are deleted, so no message
  outlives the retention period.
- AI Engagement Log rows stay (usage, tokens, budgets, the student and user); their reference to a deleted
  session is cleared, as Frappe clears a deleted document's Communications.

Deletion runs in batches, each committed; a session that fails is logged (Error Log) and skipped.
"""

import frappe
from frappe.model.delete_doc import delete_dynamic_links
from frappe.utils import add_days, cint, now_datetime
from frappe.utils.file_manager import remove_all

SESSION = "AI Chat Session"
MESSAGE = "AI Chat Message"
BATCH_SIZE = 200


def delete_expired_chats(batch_size: int = BATCH_SIZE, commit: bool = True) -> dict[str, int]:
	"""Scheduler job. Returns how many sessions and (further) messages it deleted. `commit=False` leaves the
	batches in the caller's transaction (tests roll it back)."""
	days = cint(frappe.db.get_single_value("AI School Settings", "chat_retention_days"))
	if days <= 0:
		return {"sessions": 0, "messages": 0}
	cutoff = add_days(now_datetime(), -days)
	return {
		"sessions": _delete_expired_sessions(cutoff, batch_size, commit),
		"messages": _delete_expired_messages(cutoff, batch_size, commit),
	}


def _delete_expired_sessions(cutoff, batch_size: int, commit: bool) -> int:
	deleted = 0
	failed: list[str] = []
	while True:
		filters = {"modified": ("<", cutoff)}
		if failed:
			filters["name"] = ("not in", failed)
		names = frappe.get_all(
			SESSION, filters=filters, pluck="name", order_by="modified asc", limit=batch_size
		)
		if not names:
			return deleted
		for name in names:
			frappe.db.savepoint("ai_school_retention")
			try:
				_delete_session(name)
				deleted += 1
			except Exception:
				frappe.db.rollback(save_point="ai_school_retention")
				frappe.log_error(title=f"AI School chat retention: could not delete {name}")
				failed.append(name)
		if commit:
			frappe.db.commit()


def _delete_session(name: str) -> None:
	log = frappe.qb.DocType("AI Engagement Log")
	(
		frappe.qb.update(log)
		.set(log.reference_doctype, None)
		.set(log.reference_name, None)
		.where((log.reference_doctype == SESSION) & (log.reference_name == name))
	).run()
	frappe.db.delete(MESSAGE, {"parenttype": SESSION, "parent": name})
	frappe.db.delete(SESSION, {"name": name})
	remove_all(SESSION, name, from_delete=True, delete_permanently=True)
	delete_dynamic_links(SESSION, name)
	frappe.clear_document_cache(SESSION, name)


def _delete_expired_messages(cutoff, batch_size: int, commit: bool) -> int:
	deleted = 0
	while True:
		rows = frappe.get_all(
			MESSAGE,
			filters={"parenttype": SESSION, "timestamp": ("<", cutoff)},
			fields=["name", "parent"],
			limit=batch_size,
		)
		if not rows:
			return deleted
		frappe.db.delete(MESSAGE, {"name": ("in", [row.name for row in rows])})
		for parent in {row.parent for row in rows}:
			frappe.clear_document_cache(SESSION, parent)
		deleted += len(rows)
		if commit:
			frappe.db.commit()
