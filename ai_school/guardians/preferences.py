"""Guardians' preferences: a channel per kind of news and a language (AI Guardian Preference).

A guardian without a saved record gets the defaults: attendance and safety notices the same day, results
and teacher insights in the weekly digest, the account's language (else the site's). Attendance and safety
notices can't be turned off; attendance still appears in the weekly digest whatever its channel.
"""

import frappe
from frappe import _

DOCTYPE = "AI Guardian Preference"

INSTANT = "Instant"
DIGEST = "Digest"
OFF = "Off"
CHANNELS = (INSTANT, DIGEST, OFF)

# kind -> fieldname
KINDS = {
	"attendance": "attendance_channel",
	"results": "results_channel",
	"insights": "insights_channel",
	"safety": "safety_channel",
}
ALWAYS_ON = ("attendance", "safety")
DEFAULTS = {"attendance": INSTANT, "results": DIGEST, "insights": DIGEST, "safety": INSTANT}


def site_language() -> str:
	return frappe.db.get_single_value("System Settings", "language") or "en"


def user_language(user: str | None) -> str | None:
	return frappe.db.get_value("User", user, "language") if user else None


def default_language(user: str | None) -> str:
	return user_language(user) or site_language()


def get_preferences(guardians: list[str]) -> dict[str, frappe._dict]:
	"""Guardian -> its channel per kind, its chosen language (None: not chosen) and whether it saved any."""
	saved = {
		row.guardian: row
		for row in frappe.get_all(
			DOCTYPE,
			filters={"guardian": ("in", guardians or [""])},
			fields=["guardian", "language", *KINDS.values()],
		)
	}
	out = {}
	for guardian in guardians:
		row = saved.get(guardian) or frappe._dict()
		channels = {kind: row.get(field) or DEFAULTS[kind] for kind, field in KINDS.items()}
		out[guardian] = frappe._dict(
			guardian=guardian, saved=bool(row), language=row.get("language"), **channels
		)
	return out


def validate_channels(values: dict) -> None:
	"""Refuse unknown channels, and Off for the kinds that can't be turned off."""
	for kind in KINDS:
		value = values.get(kind)
		if value not in CHANNELS:
			frappe.throw(
				_("{0}: choose one of {1}.").format(_(kind.title()), ", ".join(_(c) for c in CHANNELS)),
				frappe.ValidationError,
			)
		if kind in ALWAYS_ON and value == OFF:
			frappe.throw(
				_(
					"{0} notices can't be turned off: the school must be able to reach you about your child's "
					"attendance and safety. Choose Instant or Digest."
				).format(_(kind.title())),
				frappe.ValidationError,
				title=_("Always On"),
			)


def get_or_new(guardian: str):
	"""The guardian's saved preference document, or a new one with the defaults (not saved)."""
	if frappe.db.exists(DOCTYPE, guardian):
		return frappe.get_doc(DOCTYPE, guardian)
	doc = frappe.new_doc(DOCTYPE)
	doc.guardian = guardian
	return doc
