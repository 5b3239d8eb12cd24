"""Safety alerts of the AI tutor: screening, the caring reply, the AI Safety Alert and who hears of it.

The answer job (ai_school/tutor/answer.py) calls three functions:

- ``unsafe_message`` for a student's message the guard labelled unsafe: the core decides category, severity
  and tier (``core.tutor.severity.assess``), an alert is raised and the caring reply with the school's help
  contacts is returned for the student;
- ``reply_unsafe`` while the model's answer streams, so the stream is held as soon as it turns unsafe;
- ``screen_reply`` on the model's final answer: an unsafe one is replaced by the caring reply and raises an
  alert whose source is the model reply (the student never sees it; staff see its start in the excerpt).

Routing: tier 1 notifies the student's current instructors (the instructors in service of the enabled groups
of the current academic year the student is active in: exactly the staff the permission rules let read the
student's records); tier 2 also the safeguarding contacts of AI School Settings. Each recipient gets a
Notification Log and an email (queued; it names the student, category and tier and links to the alert, never
the message text). One alert per message: a retried or doubly-run job finds the alert already there.

The alert is kept whatever happens to the notifications: each step has its own savepoint and a failure (no
outgoing email account, a broken user) is written to the Error Log.
"""

from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import get_url_to_form

from ai_school import education_data, llm
from ai_school.core.tutor.conversation import safeguarding_reply
from ai_school.core.tutor.severity import Assessment, assess, screen_stream
from ai_school.core.tutor.severity import screen_reply as screen

ALERT = "AI Safety Alert"
SESSION = "AI Chat Session"
STUDENT_MESSAGE, MODEL_REPLY = "Student message", "Model reply"
EXCERPT_CHARS = 300

CATEGORY_LABELS = {"self_harm": "self-harm", "abuse": "abuse", "violence": "violence"}


# --- called by the answer job ----------------------------------------------------------------------------


def unsafe_message(session: frappe._dict, message: str, text: str, labels: Iterable = ()) -> str:
	"""Raise the alert for an unsafe student message and return the caring reply the student gets."""
	# the guard's unsafe labels always give an assessment; a caller with none still gets one (self-harm)
	assessment = assess(text, labels) or assess(text, ["unsafe_self_harm"])
	raise_alert(session, message, assessment, STUDENT_MESSAGE, text)
	return caring_reply(assessment.category)


def reply_unsafe(text: str) -> bool:
	"""Whether the model's reply so far is unsafe to show (the stream is held from then on): its newest part,
	cheaply (core.tutor.severity.screen_stream); ``screen_reply`` checks the whole reply at the end."""
	return screen_stream(text) is not None


def screen_reply(session: frappe._dict, message: str, text: str) -> str:
	"""The model's final reply, or the caring reply in its place (with an alert) when it is unsafe."""
	assessment = screen(text)
	if assessment is None:
		return text
	raise_alert(session, message, assessment, MODEL_REPLY, text)
	from ai_school.tutor.answer import _flag_session  # answer imports this module

	_flag_session(session.name, f"unsafe_reply_{assessment.category}")
	return caring_reply(replaced=True)


def caring_reply(category: str | None = None, *, replaced: bool = False) -> str:
	return safeguarding_reply(help_contacts(), category, replaced=replaced)


def help_contacts() -> str:
	return (llm.settings().get("help_contacts") or "").strip()


# --- the alert -------------------------------------------------------------------------------------------


def raise_alert(session: frappe._dict, message: str, assessment: Assessment, source: str, text: str) -> str:
	"""Insert the message's alert (or find the one it already has) and notify; returns the alert's name."""
	existing = frappe.db.get_value(ALERT, {"message": message}, "name")
	if existing:
		return existing
	frappe.db.savepoint("ai_school_safety_alert")
	try:
		alert = frappe.get_doc(
			{
				"doctype": ALERT,
				"student": session.student,
				"user": session.user,
				"session": session.name,
				"message": message,
				"category": assessment.category,
				"tier": assessment.tier,
				"severity": "High" if assessment.high else "Low",
				"source": source,
				"excerpt": excerpt(text),
				"signals": ", ".join(
					[*(CATEGORY_LABELS[c] for c in assessment.categories), *assessment.signals]
				),
			}
		).insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		# another run of the job raised it between the check and the insert (message is unique)
		frappe.db.rollback(save_point="ai_school_safety_alert")
		frappe.local.message_log = []
		return frappe.db.get_value(ALERT, {"message": message}, "name")
	notify(alert)
	return alert.name


def excerpt(text: str) -> str:
	text = " ".join((text or "").split())
	return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


def recipients(student: str, tier: int) -> list[str]:
	"""Enabled users to notify: the student's current instructors, and for tier 2 the safeguarding contacts."""
	users = set(education_data.get_current_instructor_users_of_student(student))
	if int(tier or 1) >= 2:
		users.update(safeguarding_contacts())
	users.discard(education_data.get_user_of_student(student))
	users -= {None, "", "Guest"}
	if not users:
		return []
	return sorted(frappe.get_all("User", filters={"name": ("in", list(users)), "enabled": 1}, pluck="name"))


def safeguarding_contacts() -> list[str]:
	return [row.user for row in llm.settings().get("safeguarding_contacts") or [] if row.user]


def notify(alert) -> None:
	"""Notification Log and a queued email for each recipient; failures are logged, the alert stays."""
	users = recipients(alert.student, alert.tier)
	if not users:
		return
	subject = _("Safety alert (tier {0}, {1}): {2}").format(
		alert.tier,
		_(CATEGORY_LABELS.get(alert.category, alert.category)),
		alert.student_name or alert.student,
	)
	_guarded("notification logs", alert.name, lambda: _notification_logs(alert, users, subject))
	_guarded("email", alert.name, lambda: _email(alert, users, subject))


def _guarded(what: str, alert: str, step) -> None:
	savepoint = "ai_school_safety_notify"
	frappe.db.savepoint(savepoint)
	try:
		step()
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		frappe.log_error(title=f"AI Safety Alert {alert}: could not send the {what}")
	finally:
		# frappe.throw inside a step queued a message for a web response; a job has none
		frappe.local.message_log = []


def _notification_logs(alert, users: list[str], subject: str) -> None:
	for user in users:
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": ALERT,
				"document_name": alert.name,
				"subject": subject,
				"email_content": _("Open the alert to see the message and follow it up."),
			}
		).insert(ignore_permissions=True)


def _email(alert, users: list[str], subject: str) -> None:
	emails = frappe.get_all("User", filters={"name": ("in", users)}, pluck="email")
	link = get_url_to_form(ALERT, alert.name)
	body = "<p>{}</p><p>{}</p><p><a href='{}'>{}</a></p>".format(
		_("The AI tutor raised a safety alert about {0}: {1}, tier {2} ({3} severity).").format(
			frappe.bold(frappe.utils.escape_html(alert.student_name or alert.student)),
			_(CATEGORY_LABELS.get(alert.category, alert.category)),
			alert.tier,
			_(alert.severity).lower(),
		),
		_("The message is not included in this email. Open the alert to read it and follow it up."),
		link,
		_("Open AI Safety Alert {0}").format(alert.name),
	)
	frappe.sendmail(
		recipients=[email for email in emails if email],
		subject=subject,
		message=body,
		reference_doctype=ALERT,
		reference_name=alert.name,
		now=False,
	)
