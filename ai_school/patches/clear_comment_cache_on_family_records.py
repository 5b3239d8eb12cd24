"""Empty the comment cache (`_comments`) of records students and guardians read: list queries may select it,
and before staff comments were refused there it held the first lines of every staff comment and email.
The comments themselves stay, for staff (the form's timeline no longer shows them to students or guardians)."""

import frappe

from ai_school.permissions import FAMILY_READABLE


def execute():
	for doctype in sorted(FAMILY_READABLE):
		table = frappe.qb.DocType(doctype)
		frappe.qb.update(table).set(table._comments, None).where(table._comments.isnotnull()).run()
