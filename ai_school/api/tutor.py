"""The AI tutor's send path: whitelisted methods a student's chat page calls.

- ``start_session(course)``: a new chat for a course the signed-in student takes this year.
- ``send_message(session, text)`` (POST): checks, stores the message as a record of its own and queues the
  answer job; returns at once. The answer arrives as ``ai_school:tutor`` realtime events to this user only,
  or through ``get_history`` when the page has no socket.
- ``get_history(session, after=None)``: the messages after position ``after`` (polling fallback), the names of
  the student's messages that failed (the page offers Retry on them) and the chat's mode right now with the
  reason (the page's badge: ``blocked`` during an assessment of the chat's course, a teacher's group mode).
- ``retry(message)`` (POST): queue a failed message again.

Staff (desk):

- ``set_group_mode(student_group, mode, from_date, to_date, reason, course=None)`` (POST): a stricter mode
  (Guided, Restricted, Blocked) for a Student Group over a date range; instructors for the groups they teach this
  academic year only. ``clear_group_mode(name)`` (POST) ends it.
- ``get_transcripts(...)``: the chats the user may read, flagged first, for the Tutor Transcripts page.

Every method authorizes first (the session's record rules, and for sending: the chatting user only), then
counts the user's rate limit (``ai_school.rate_limits``), then checks the daily AI budget. A message is one
row inserted under its session, without loading or saving the session, so the 500th message costs what the
first does, and the session's row lock orders two quick sends instead of losing one.
"""

import frappe
from frappe import _
from frappe.utils import add_days, cint, formatdate, getdate

from ai_school import education_data, llm, permissions, rate_limits
from ai_school.core.tutor.modes import explain_context_mode
from ai_school.tutor import answer, group_mode

SESSION = answer.SESSION
MESSAGE = answer.MESSAGE

MAX_MESSAGE_CHARS = 2000
SEND_LIMIT = 20  # messages (and retries) per user and minute
START_LIMIT = 30  # new chats per user and hour
HISTORY_PAGE = 200

MESSAGE_FIELDS = [
	"name",
	"idx",
	"role",
	"content",
	"status",
	"timestamp",
	"reply_to",
	"fallback",
	"flagged",
	"guard_mode",
	"error",
]


def _student_of_session_user() -> str:
	user = frappe.session.user
	students = education_data.get_students_of_user(user) if user != "Guest" else []
	if not students:
		frappe.throw(
			_("Only students with a student account can chat with the AI tutor."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	return students[0]


def _session(name: str, ptype: str = "read") -> frappe._dict:
	"""The session's own fields (not its messages), after the record rules allowed ``ptype``."""
	values = frappe.db.get_value(
		SESSION,
		name,
		["name", "student", "user", "course", "status", "owner", "integrity_mode"],
		as_dict=True,
	)
	if not values:
		frappe.throw(_("This chat does not exist."), frappe.DoesNotExistError)
	# the permission check reads these fields only: the messages need not be loaded
	light = frappe.get_doc({"doctype": SESSION, **values})
	if not frappe.has_permission(SESSION, ptype, doc=light):
		frappe.throw(_("You can't open this chat."), frappe.PermissionError, title=_("Not Permitted"))
	return values


def _own_session(name: str) -> frappe._dict:
	"""A session the signed-in user may post to: readable, theirs, and open."""
	session = _session(name)
	if session.user != frappe.session.user:
		frappe.throw(
			_("Only the student chatting in this session can send messages."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	if session.status not in ("Active", "Flagged"):
		frappe.throw(_("This chat is closed. Start a new one."), title=_("Chat Closed"))
	return session


@frappe.whitelist(methods=["POST"])
def start_session(course: str) -> dict:
	"""A new chat for ``course``: one of the signed-in student's current course enrollments or groups."""
	student = _student_of_session_user()
	llm.ensure_enabled("Tutor")
	if course not in education_data.get_current_courses_of_student(student):
		frappe.throw(
			_("You can chat about the courses you take this year only."),
			frappe.PermissionError,
			title=_("Not Your Course"),
		)
	rate_limits.consume("tutor.start", START_LIMIT, 3600)
	doc = frappe.get_doc(
		{
			"doctype": SESSION,
			"student": student,
			"user": frappe.session.user,
			"course": course,
			"topic": education_data.get_course_title(course),
		}
	)
	# students read sessions but do not create them through the desk; the checks above are the gate
	doc.insert(ignore_permissions=True)
	return {"session": doc.name, "course": course, "topic": doc.topic}


@frappe.whitelist(methods=["POST"])
def send_message(session: str, text: str) -> dict:
	"""Store the student's message and queue its answer. Returns the stored message (status Pending)."""
	chat = _own_session(session)
	text = (text or "").strip()
	if not text:
		frappe.throw(_("Type a message first."), frappe.ValidationError)
	if len(text) > MAX_MESSAGE_CHARS:
		frappe.throw(
			_("Messages can be at most {0} characters; yours has {1}.").format(MAX_MESSAGE_CHARS, len(text)),
			frappe.ValidationError,
			title=_("Message Too Long"),
		)
	llm.ensure_enabled("Tutor")
	rate_limits.consume("tutor.send", SEND_LIMIT, 60)
	llm.check_budget("Tutor", chat.student)
	row = answer.insert_message(
		session, {"role": "user", "content": text, "status": "Pending", "user": chat.user}
	)
	answer.enqueue_answer(session)
	return _row(row)


@frappe.whitelist(methods=["POST"])
def retry(message: str) -> dict:
	"""Queue a failed student message again."""
	row = frappe.db.get_value(
		MESSAGE, message, ["name", "parent", "parenttype", "role", "status"], as_dict=True
	)
	if not row or row.parenttype != SESSION:
		frappe.throw(_("This message does not exist."), frappe.DoesNotExistError)
	chat = _own_session(row.parent)
	if row.role != "user" or row.status != "Failed":
		frappe.throw(_("Only a message the tutor could not answer can be retried."), frappe.ValidationError)
	llm.ensure_enabled("Tutor")
	rate_limits.consume("tutor.send", SEND_LIMIT, 60)
	llm.check_budget("Tutor", chat.student)
	frappe.db.set_value(MESSAGE, message, {"status": "Pending", "error": None}, update_modified=False)
	answer.touch_session(row.parent)
	answer.enqueue_answer(row.parent)
	return {"message": message, "status": "Pending"}


@frappe.whitelist()
def get_history(session: str, after: int | None = None) -> dict:
	"""Messages of a chat after position ``after`` (all when None), oldest first: what a page without a
	socket polls. ``answering`` tells whether an answer is still being written, ``failed`` names the
	student's messages the tutor could not answer (shown earlier, they may have failed since), ``mode`` is the
	mode the situation imposes now (the assessment windows and the chat's integrity mode)."""
	chat = _session(session)
	after = cint(after) if after is not None else 0
	messages = frappe.get_list(
		MESSAGE,
		parent_doctype=SESSION,
		filters={"parent": session, "parenttype": SESSION, "idx": (">", after)},
		fields=MESSAGE_FIELDS,
		order_by="idx asc",
		limit_page_length=HISTORY_PAGE,
	)
	pending = frappe.db.exists(MESSAGE, {"parent": session, "parenttype": SESSION, "status": "Pending"})
	if pending and chat.user == frappe.session.user:
		# a send that raced the end of the previous answer job found it still running: queue it again
		answer.enqueue_answer(session, after_commit=False)
	failed = frappe.get_all(
		MESSAGE,
		filters={"parent": session, "parenttype": SESSION, "role": "user", "status": "Failed"},
		pluck="name",
		order_by="idx asc",
	)
	why = explain_context_mode(answer.guard_context(chat))
	return {
		"session": session,
		"messages": [_row(m) for m in messages],
		"answering": bool(pending),
		"failed": failed,
		"mode": why.mode.value,
		# why, for the badge: an assessment of the course, a teacher's mode for the student's group, the chat's own
		"mode_source": why.source,
		"mode_reason": group_mode.describe(why),
	}


def _row(row) -> dict:
	return {field: row.get(field) for field in MESSAGE_FIELDS}


# --- staff: group modes and transcripts -----------------------------------------------------------------

GROUP_MODES = ("Guided", "Restricted", "Blocked")
TRANSCRIPT_PAGE = 100


def _group_mode_row(doc) -> dict:
	return {
		field: str(doc.get(field)) if doc.get(field) is not None else None
		for field in ("name", "student_group", "course", "mode", "from_date", "to_date", "reason", "set_by")
	}


@frappe.whitelist(methods=["POST"])
def set_group_mode(
	student_group: str,
	mode: str,
	from_date: str,
	to_date: str,
	reason: str,
	course: str | None = None,
) -> dict:
	"""A stricter tutor mode (Guided, Restricted or Blocked) for a Student Group from ``from_date`` to
	``to_date`` (both inclusive); ``reason`` is shown to the students. Instructors may set it for the groups
	they teach this academic year, read-all staff for any group. The tutor applies the strictest mode in force
	for a student's groups."""
	frappe.has_permission(group_mode.DOCTYPE, "create", throw=True)
	if not permissions.may_set_group_mode(student_group):
		frappe.throw(
			_("You can set the tutor's mode only for groups you teach this academic year."),
			frappe.PermissionError,
			title=_("Not Your Group"),
		)
	mode = (mode or "").strip().capitalize()
	if mode not in GROUP_MODES:
		frappe.throw(_("Mode must be one of {0}.").format(", ".join(GROUP_MODES)), frappe.ValidationError)
	doc = frappe.get_doc(
		{
			"doctype": group_mode.DOCTYPE,
			"student_group": student_group,
			"course": course,
			"mode": mode,
			"from_date": from_date,
			"to_date": to_date,
			"reason": reason,
		}
	).insert()
	return _group_mode_row(doc)


@frappe.whitelist(methods=["POST"])
def clear_group_mode(name: str) -> dict:
	"""End a group mode: one that applied on earlier days ends yesterday (what applied when stays on record),
	one that starts today or later is deleted."""
	doc = frappe.get_doc(group_mode.DOCTYPE, name)
	doc.check_permission("write")
	today = getdate()
	if getdate(doc.to_date) < today:
		frappe.throw(
			_("This mode ended on {0} already.").format(formatdate(doc.to_date)), frappe.ValidationError
		)
	if getdate(doc.from_date) < today:
		doc.to_date = add_days(today, -1)
		doc.save()
		return {**_group_mode_row(doc), "cleared": "ended"}
	row = _group_mode_row(doc)
	doc.check_permission("delete")
	frappe.delete_doc(group_mode.DOCTYPE, name)
	return {**row, "cleared": "deleted"}


@frappe.whitelist()
def get_transcript_filters() -> dict:
	"""The Student Groups (and their courses) the Tutor Transcripts page offers: an instructor's groups this
	academic year, every group of the current year for read-all staff."""
	_staff_only()
	if permissions.get_scope().read_all:
		groups = education_data.get_current_student_groups()
	else:
		groups = education_data.get_current_groups_taught_by_user(frappe.session.user)
	return {
		"groups": [group.name for group in groups],
		"courses": sorted({group.course for group in groups if group.course}),
	}


@frappe.whitelist()
def get_transcripts(
	student_group: str | None = None,
	course: str | None = None,
	student: str | None = None,
	flagged_only: int = 0,
	start: int = 0,
	page_length: int = 20,
) -> dict:
	"""The chats the user may read (the record rules: an instructor's students this academic year), flagged
	ones first, then the most recent; with each chat's message count. ``student`` matches the student's ID or
	part of their name."""
	_staff_only()
	filters = {}
	or_filters = None
	if course:
		filters["course"] = course
	if student_group:
		members = education_data.get_group_students([student_group]).get(student_group) or []
		filters["student"] = ("in", members or [""])
	if student:
		like = f"%{student.strip()}%"
		or_filters = [["student", "like", like], ["student_name", "like", like]]
	start = max(cint(start), 0)
	page_length = min(max(cint(page_length), 1), TRANSCRIPT_PAGE)
	fields = ["name", "student", "student_name", "course", "topic", "status", "safety_flags", "modified"]

	def page(status, offset: int, limit: int) -> list:
		return frappe.get_list(
			SESSION,
			filters={**filters, "status": status},
			or_filters=or_filters,
			fields=fields,
			order_by="modified desc",
			start=offset,
			limit_page_length=limit,
		)

	# flagged chats first (few), then the rest, each most recent first; one row more tells whether more follow
	flagged = page("Flagged", start, page_length + 1)
	sessions = flagged
	if len(sessions) <= page_length and not cint(flagged_only):
		# the page starts among the flagged chats (the rest from their first) or past them all
		skipped = 0 if flagged else start - _count_flagged(filters, or_filters)
		sessions = flagged + page(("!=", "Flagged"), max(skipped, 0), page_length + 1 - len(flagged))
	more = len(sessions) > page_length
	sessions = sessions[:page_length]
	counts = _message_counts([s.name for s in sessions])
	for session in sessions:
		session["messages"] = counts.get(session.name, 0)
	return {"sessions": sessions, "more": more}


def _count_flagged(filters: dict, or_filters) -> int:
	return len(
		frappe.get_list(
			SESSION,
			filters={**filters, "status": "Flagged"},
			or_filters=or_filters,
			pluck="name",
			limit_page_length=0,
		)
	)


def _staff_only() -> None:
	"""The desk's staff (instructors included); the record rules then narrow the chats."""
	if not permissions.is_staff():
		frappe.throw(
			_("Only staff can read tutor transcripts."), frappe.PermissionError, title=_("Not Permitted")
		)


def _message_counts(sessions: list[str]) -> dict[str, int]:
	# the sessions were listed through the record rules; their messages follow them
	if not sessions:
		return {}
	rows = frappe.get_all(
		MESSAGE,
		filters={"parent": ("in", sessions), "parenttype": SESSION},
		fields=["parent", "count(name) as messages"],
		group_by="parent",
	)
	return {row.parent: row.messages for row in rows}
