"""Frappe's desk form methods, wrapped so students and guardians get no staff timeline (see ai_school/privacy.py).

Wired in hooks through `override_whitelisted_methods`; each wrapper calls Frappe's own method, which does the
permission checks, and then empties what a non-staff user must not see on the app's family-readable records.
Other doctypes and staff users get Frappe's answer unchanged.
"""

import frappe
from frappe.desk.form import load

from ai_school import privacy


@frappe.whitelist()
def getdoc(doctype: str, name: str):
	load.getdoc(doctype, name)
	privacy.strip_docinfo(doctype)


@frappe.whitelist()
def get_docinfo(doc=None, doctype: str | None = None, name: str | None = None):
	load.get_docinfo(doc, doctype, name)
	privacy.strip_docinfo(doctype or getattr(doc, "doctype", None))


@frappe.whitelist()
def get_communications(doctype: str, name: str, start=0, limit=20):
	communications = load.get_communications(doctype, name, start, limit)
	return [] if privacy.hides_timeline(doctype) else communications
