"""No staff residue on records students and guardians read (permissions.FAMILY_READABLE).

A student or guardian who opens one of their AI records (AI Student Profile, AI Chat Session, AI Engagement
Log, a shared Assessment Insight) through the desk API must see the record, not what staff did around it:

- No version history: these doctypes don't track changes, so saving them writes no Version (and Frappe's
  docinfo lists versions only for doctypes that track changes).
- No staff comments: a Comment of type Comment on them is refused, with a pointer to Education's Student
  Log, which only staff read. The comment cache a record keeps for list views (`_comments`, which list queries
  may select) is kept empty, also when an email is sent from the record.
- No timeline: for users outside the staff roles, the form's docinfo (comments of every kind, emails,
  assignments, attachments, shares, tags, views) is emptied. Frappe has no hook on docinfo itself, so the
  desk methods that return it are wrapped through `override_whitelisted_methods` (ai_school/api/form.py).
"""

import frappe
from frappe import _

from ai_school.permissions import FAMILY_READABLE, is_staff

# docinfo keys a family member may keep: what the record is and what they may do with it
KEPT_DOCINFO_KEYS = ("doctype", "name", "permissions")


def refuse_staff_comment(doc, method=None):
	"""Comment validate hook: no comments on records the student and their guardians read."""
	if doc.comment_type != "Comment" or doc.reference_doctype not in FAMILY_READABLE:
		return
	frappe.throw(
		_(
			"Comments on {0} would be shown to the student and their guardians. Write staff notes in a "
			"Student Log for the student instead: only staff read those."
		).format(_(doc.reference_doctype)),
		title=_("Staff Notes Go to Student Log"),
	)


def clear_comment_cache(doc, method=None):
	"""Communication on_update hook: Frappe copies an email's first lines into its record's `_comments`
	column for list views; on family-readable records that column stays empty."""
	if doc.reference_doctype in FAMILY_READABLE and doc.reference_name:
		frappe.db.set_value(
			doc.reference_doctype, doc.reference_name, "_comments", None, update_modified=False
		)


def strip_docinfo(doctype: str | None) -> None:
	"""Empty the docinfo of the current response for a non-staff user on a family-readable record."""
	docinfo = frappe.response.get("docinfo")
	if not docinfo or doctype not in FAMILY_READABLE or is_staff():
		return
	frappe.response["docinfo"] = frappe._dict(
		{key: value if key in KEPT_DOCINFO_KEYS else _empty_like(value) for key, value in docinfo.items()}
	)


def hides_timeline(doctype: str | None) -> bool:
	return doctype in FAMILY_READABLE and not is_staff()


def _empty_like(value):
	if isinstance(value, bool):
		return False
	if isinstance(value, list | tuple):
		return []
	if isinstance(value, dict):
		return {}
	if isinstance(value, str):
		return ""
	return None
