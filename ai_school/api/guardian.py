"""What guardians get, as whitelisted methods (the /guardian portal page calls them too).

- ``get_wards_summary()``: the signed-in guardian's wards: attendance this term, recent results, shared
  insights, tutor use (and whether the school lets guardians read tutor chats).
- ``get_ward_tutor_usage(student)``: one ward's tutor use: chats, questions, courses, last used.
- ``get_preferences()`` / ``set_preferences(...)`` (POST): how the guardian hears about each kind of news
  (Instant / Digest / Off; attendance and safety can't be Off) and in which language.
- ``preview_digest(guardian, on_date=None)``: staff only: the weekly digest a guardian would get, unsent.

Every method authorizes first: a guardian only for the students whose guardians table lists them (any other
student, existing or not, is a PermissionError), staff with read-all roles for previews and any student.
"""

import frappe
from frappe import _

from ai_school import education_data
from ai_school.guardians import digest, preferences, summary
from ai_school.permissions import get_scope


@frappe.whitelist()
def get_wards_summary() -> list[dict]:
	summary.require_guardian()
	return summary.wards_summary()


@frappe.whitelist()
def get_ward_tutor_usage(student: str) -> dict:
	summary.check_ward(student)
	usage = summary.tutor_usage([student])[student]
	return {"student": student, **usage, "transcripts_enabled": summary.transcripts_enabled()}


@frappe.whitelist()
def get_preferences() -> dict:
	guardians = summary.require_guardian()
	doc = preferences.get_or_new(guardians[0])
	return _preferences_dict(doc)


@frappe.whitelist(methods=["POST"])
def set_preferences(
	attendance: str | None = None,
	results: str | None = None,
	insights: str | None = None,
	safety: str | None = None,
	language: str | None = None,
) -> dict:
	"""Change the signed-in guardian's preferences (the kinds given; the others keep their value). A parent
	recorded as more than one Guardian gets the same preferences on each."""
	guardians = summary.require_guardian()
	given = {"attendance": attendance, "results": results, "insights": insights, "safety": safety}
	if language and not frappe.db.exists("Language", {"name": language, "enabled": 1}):
		frappe.throw(_("Unknown language: {0}").format(language), frappe.ValidationError)
	doc = None
	for guardian in guardians:
		doc = preferences.get_or_new(guardian)
		for kind, value in given.items():
			if value is not None:
				doc.set(preferences.KINDS[kind], value)
		if language:
			doc.language = language
		if doc.is_new():
			# guardians may not create the record through the desk; this is theirs (require_guardian above)
			doc.insert(ignore_permissions=True)
		else:
			doc.save()  # the record rules: their own only
	return _preferences_dict(doc)


@frappe.whitelist()
def preview_digest(guardian: str, on_date: str | None = None) -> dict:
	# not frappe.only_for: it lets everyone through while tests run, so a test could not show this refusal
	if not get_scope().read_all:
		frappe.throw(
			_("Only school staff can preview digests."), frappe.PermissionError, title=_("Not Permitted")
		)
	if not education_data.get_guardian_contacts([guardian]):
		frappe.throw(_("Guardian {0} does not exist.").format(guardian), frappe.DoesNotExistError)
	return digest.preview(guardian, on_date)


def _preferences_dict(doc) -> dict:
	return {
		"guardian": doc.guardian,
		**{kind: doc.get(field) or preferences.DEFAULTS[kind] for kind, field in preferences.KINDS.items()},
		"language": doc.language or preferences.default_language(frappe.session.user),
		"always_on": list(preferences.ALWAYS_ON),
		"channels": list(preferences.CHANNELS),
		"saved": not doc.is_new(),
	}
