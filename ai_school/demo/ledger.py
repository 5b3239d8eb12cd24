"""Which documents a demo school created, so teardown removes exactly those and nothing the site already had.

One row per created document in `tabDefaultValue` under a parent private to the school
(`__ai_school_demo:<abbr>`; defkey = doctype, defvalue = name), written in the same transaction as the
document itself. A master another demo school already owns (two schools share "Mathematics" or the
academic years) is recorded for both; teardown deletes it only when the last owner goes.
"""

import frappe
from frappe.utils import now

LEDGER_PREFIX = "__ai_school_demo:"
LEDGER_FIELDS = ("name", "creation", "modified", "modified_by", "owner", "parent", "parenttype", "parentfield")  # fmt: skip
LEDGER_FIELDS += ("defkey", "defvalue")
LEDGER_ROW = (
	"__default",
	"system_defaults",
)  # parenttype, parentfield, as frappe.defaults.add_default writes


def demo_owned(doctype: str) -> set[str]:
	"""Names of `doctype` that any demo school's ledger lists."""
	return {
		row.defvalue
		for row in frappe.get_all(
			"DefaultValue",
			filters={"parent": ("like", LEDGER_PREFIX + "%"), "defkey": doctype},
			fields=["parent", "defvalue"],
		)
		# LIKE reads "_" as any character; keep only the ledger's own parents
		if row.parent.startswith(LEDGER_PREFIX)
	}


class Ledger:
	def __init__(self, abbr: str):
		self.parent = LEDGER_PREFIX + abbr
		self._owned: dict[str, set[str]] = {}
		self._pending: list[tuple[str, str]] = []
		for row in frappe.get_all(
			"DefaultValue",
			filters={"parent": self.parent},
			fields=["defkey", "defvalue"],
			order_by="creation",
		):
			self._owned.setdefault(row.defkey, set()).add(row.defvalue)

	def owns(self, doctype: str, name: str) -> bool:
		return name in self._owned.get(doctype, ())

	def doctypes(self) -> list[str]:
		return [doctype for doctype, names in self._owned.items() if names]

	def names(self, doctype: str) -> set[str]:
		return set(self._owned.get(doctype, ()))

	def add(self, doctype: str, name: str) -> None:
		"""Record a document the caller just created; written by `flush`, which must precede the commit."""
		if self.owns(doctype, name):
			return
		self._pending.append((doctype, name))
		self._owned.setdefault(doctype, set()).add(name)

	def flush(self) -> None:
		if not self._pending:
			return
		timestamp, user = now(), frappe.session.user
		frappe.db.bulk_insert(
			"DefaultValue",
			LEDGER_FIELDS,
			[
				(
					frappe.generate_hash(length=10),
					timestamp,
					timestamp,
					user,
					user,
					self.parent,
					*LEDGER_ROW,
					doctype,
					name,
				)
				for doctype, name in self._pending
			],
		)
		self._pending = []

	def adopt(self, doctype: str, name: str) -> None:
		"""Share ownership of an existing document if another demo school created it; else leave it be."""
		if not self.owns(doctype, name) and self.other_owners(doctype, name):
			self.add(doctype, name)

	def other_owners(self, doctype: str, name: str) -> list[str]:
		return frappe.get_all(
			"DefaultValue",
			filters={
				"parent": ("like", LEDGER_PREFIX + "%"),
				"defkey": doctype,
				"defvalue": name,
			},
			pluck="parent",
		)

	def shared(self, doctype: str, name: str) -> bool:
		return any(parent != self.parent for parent in self.other_owners(doctype, name))

	def forget(self, doctype: str, name: str) -> None:
		frappe.db.delete("DefaultValue", {"parent": self.parent, "defkey": doctype, "defvalue": name})
		self._owned.get(doctype, set()).discard(name)

	def prune(self) -> None:
		"""Forget documents that are gone (deleted by hand, or by a cascade such as Company.on_trash)."""
		for doctype, names in list(self._owned.items()):
			if doctype == "Education Settings" or not names:
				continue
			existing = set(frappe.get_all(doctype, filters={"name": ("in", list(names))}, pluck="name"))
			for name in names - existing:
				self.forget(doctype, name)

	def is_empty(self) -> bool:
		return not any(self._owned.values())
