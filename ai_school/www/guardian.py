"""/guardian: a parent's view of their children at school (portal page; the API is ai_school/api/guardian.py).

Only a signed-in user linked to a Guardian sees it (guests are sent to the login page, anyone else gets a
clear message and a 403). Per ward: attendance this term, recent results, notes teachers shared, tutor use;
the tutor chats themselves (read-only, ``?session=...``) only when AI School Settings lets guardians read
them. The guardian's notification preferences are edited at the bottom. Every text is escaped.
"""

import frappe
from frappe import _
from frappe.utils import format_date, format_datetime

from ai_school import education_data
from ai_school.guardians import preferences, summary

no_cache = 1


def get_context(context):
	user = frappe.session.user
	if user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/guardian"
		raise frappe.Redirect
	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("My Children")
	guardians = education_data.get_guardians_of_user(user)
	if not guardians:
		context.not_guardian = True
		context.http_status_code = 403
		return context

	context.not_guardian = False
	context.wards = [_for_display(ward) for ward in summary.wards_summary(user)]
	context.transcripts_enabled = summary.transcripts_enabled()
	if context.transcripts_enabled:
		for ward in context.wards:
			ward["sessions"] = summary.ward_sessions(ward["student"])
	session = frappe.form_dict.get("session")
	context.transcript = summary.transcript(session) if session else None

	prefs = preferences.get_or_new(guardians[0])
	context.prefs = {kind: prefs.get(field) for kind, field in preferences.KINDS.items()}
	context.pref_language = prefs.language or preferences.default_language(user)
	context.kinds = [
		("attendance", _("Attendance"), _("A same-day notice when your child is marked absent.")),
		("results", _("Assessment results"), _("New marks and grades.")),
		("insights", _("Notes from teachers"), _("Notes teachers share about an assessment.")),
		("safety", _("Safety"), _("Notices about your child's safety.")),
	]
	context.channel_labels = {
		preferences.INSTANT: _("Straight away"),
		preferences.DIGEST: _("In the weekly summary"),
		preferences.OFF: _("Off"),
	}
	context.always_on = preferences.ALWAYS_ON
	context.languages = frappe.get_all(
		"Language", filters={"enabled": 1}, fields=["name", "language_name"], order_by="language_name asc"
	)
	return context


def _for_display(ward: dict) -> dict:
	attendance = ward["attendance"]
	attendance["recent_absences"] = [format_date(day) for day in attendance["recent_absences"]]
	attendance["from_date"] = format_date(attendance["from_date"])
	for row in ward["results"] + ward["insights"]:
		row["date"] = format_date(row["date"])
	tutor = ward["tutor"]
	tutor["last_used"] = format_datetime(tutor["last_used"]) if tutor["last_used"] else None
	return ward
