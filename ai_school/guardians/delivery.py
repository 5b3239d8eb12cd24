"""Sending to guardians: who receives a message, in which language, and a record that makes it go out once.

A recipient is a person, not a Guardian record: Guardian records sharing a portal account or an email address
(the same parent entered twice, once per child) get one message. A recipient with a portal account gets a
Notification Log (type Alert, linking to /guardian) and an email at the account's address; one without gets
the email only. Each message is first recorded as an AI Guardian Notice with a unique key (per absence and
day, result, insight or digest week, and recipient): a second attempt with the same key (a resubmitted or
amended record, a re-run job, two jobs at once) finds the key taken and sends nothing.
"""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field

import frappe
from frappe.utils import escape_html, get_url, validate_email_address

from ai_school import education_data
from ai_school.guardians import preferences

NOTICE = "AI Guardian Notice"
PORTAL_ROUTE = "/guardian"
_SAVEPOINT = "ai_school_guardian_notice"


@dataclass
class Recipient:
	address: str  # the portal account, or the lowercased email address of a guardian without one
	user: str | None
	email: str | None
	name: str  # the name the message greets
	language: str
	prefs: frappe._dict  # channel per kind (see preferences.KINDS)
	guardians: list[str] = field(default_factory=list)

	def channel(self, kind: str) -> str:
		return self.prefs[kind]


def recipients_of(guardians: list[str]) -> list[Recipient]:
	"""The people behind `guardians`, one per address, in the order first met. A guardian whose account is
	disabled is reached by its email address; one with neither an account nor a valid address is skipped.
	Guardian records sharing an address share the first saved preference among them."""
	contacts = education_data.get_guardian_contacts(guardians)
	prefs = preferences.get_preferences(list(contacts))
	users = {
		row.name: row
		for row in frappe.get_all(
			"User",
			filters={"name": ("in", [c.user for c in contacts.values() if c.user] or [""]), "enabled": 1},
			fields=["name", "email", "language"],
		)
	}
	site_language = preferences.site_language()
	by_address: dict[str, Recipient] = {}
	for guardian in guardians:
		contact = contacts.get(guardian)
		if not contact:
			continue
		account = users.get(contact.user)
		email = (account.email if account else None) or validate_email_address(
			(contact.email_address or "").strip()
		)
		address = account.name if account else (email or "").lower()
		if not address:
			continue
		pref = prefs[guardian]
		language = pref.language or (account.language if account else None) or site_language
		recipient = by_address.get(address)
		if recipient is None:
			by_address[address] = Recipient(
				address=address,
				user=account.name if account else None,
				email=email or None,
				name=contact.guardian_name or address,
				language=language,
				prefs=pref,
				guardians=[guardian],
			)
			continue
		recipient.guardians.append(guardian)
		if pref.saved and not recipient.prefs.saved:
			recipient.prefs, recipient.language = pref, language
	return list(by_address.values())


def recipients_of_students(students: list[str]) -> list[Recipient]:
	"""Every guardian of any of `students`, one per address."""
	guardians = []
	for listed in education_data.get_guardians_of_students(students).values():
		guardians += [guardian for guardian in listed if guardian not in guardians]
	return recipients_of(guardians)


@contextmanager
def in_language(language: str | None):
	"""Translate with `_` (and format dates) in `language` inside the block, as Frappe does per request."""
	previous = getattr(frappe.local, "lang", None)
	frappe.local.lang = language or preferences.site_language()
	try:
		yield
	finally:
		frappe.local.lang = previous


def notice_key(kind: str, *parts) -> str:
	"""`kind:` and a digest of what makes the notice unique (fits the key's 140 characters whatever the names)."""
	digest = hashlib.sha1("\x1f".join(str(part) for part in parts).encode()).hexdigest()
	return f"{kind.lower()}:{digest}"


def portal_url() -> str:
	return get_url(PORTAL_ROUTE)


def was_sent(key: str) -> bool:
	return bool(frappe.db.exists(NOTICE, {"key": key}))


def deliver(
	recipient: Recipient,
	kind: str,
	key: str,
	subject: str,
	html: str,
	*,
	student: str | None = None,
	reference: tuple[str, str] | None = None,
	on_date=None,
) -> bool:
	"""Record the notice under `key`, then queue its Notification Log and email; False (nothing sent) when
	the key was taken. `subject` is plain text; `html` is the rendered, escaped body. Runs in the caller's
	transaction: the notice, the log and the queued email are committed (or rolled back) together."""
	if was_sent(key):
		return False
	frappe.db.savepoint(_SAVEPOINT)
	try:
		notice = frappe.get_doc(
			{
				"doctype": NOTICE,
				"kind": kind,
				"key": key,
				"guardian": recipient.guardians[0],
				"user": recipient.user,
				"email": recipient.email,
				"student": student,
				"reference_doctype": reference[0] if reference else None,
				"reference_name": reference[1] if reference else None,
				"on_date": on_date,
				"language": recipient.language if frappe.db.exists("Language", recipient.language) else None,
			}
		).insert(ignore_permissions=True)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		# another job sent it between the check and the insert
		frappe.db.rollback(save_point=_SAVEPOINT)
		return False
	if recipient.user:
		log = frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": recipient.user,
				"type": "Alert",  # Frappe sends no email of its own for an Alert: the email below is the one
				"subject": escape_html(subject),
				"email_content": html,
				"link": PORTAL_ROUTE,
			}
		).insert(ignore_permissions=True)
		notice.db_set("notification_log", log.name, update_modified=False)
	if recipient.email:
		try:
			frappe.sendmail(
				recipients=[recipient.email],
				subject=subject,
				message=html,
				reference_doctype=NOTICE,
				reference_name=notice.name,
			)
		except frappe.OutgoingEmailError:
			# the site has no outgoing email account: a portal user still has the Notification Log; a
			# guardian reachable by email only got nothing, so nothing is recorded as sent
			_log_no_email_account()
			if not recipient.user:
				frappe.db.rollback(save_point=_SAVEPOINT)
				return False
	return True


def _log_no_email_account() -> None:
	"""Once per process: an Error Log per notice would bury the one that matters."""
	if frappe.flags.get("ai_school_guardian_no_email_logged"):
		return
	frappe.flags["ai_school_guardian_no_email_logged"] = True
	frappe.log_error(title="ai_school: guardian notices not emailed: no outgoing Email Account")
