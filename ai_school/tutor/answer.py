"""The tutor's answer job: one per chat session at a time, answering its pending student messages in order.

For each message:

1. the integrity guard labels it and decides the mode (assessment windows from the student's groups'
   submitted Assessment Plans, the margin from AI School Settings);
2. unsafe messages get the safeguarding reply and an assessment window the blocked reply, without any model;
3. otherwise the payload is built (system prompt with the mode's rules, ``SYSTEM_RULES``, course topics and
   retrieved Article passages, the trimmed history, the delimited message), names, contacts and IDs are
   replaced by placeholders, and the answer is streamed through the gateway (``llm.stream``); pieces are
   published to the chatting user only (``ai_school:tutor`` events), in batches of about 250 ms, with the
   placeholders restored. The integrity post-check runs on the text before each batch goes out: once the
   reply starts giving the answer away the stream is held and only the checked final text is shown;
4. the final text (post-checked, restored) is saved as an assistant message with its model, tokens and
   latency (the AI Engagement Log row is written by ``llm``), and the student's message becomes Answered.

Without a key the reply is the labelled offline study guide. When the provider fails, before or during the
answer, nothing partial is saved: the student's message becomes Failed (the page offers Retry) and the
labelled study guide is added, so the student is not left without help.

Dispatch (``ai_school/tutor/dispatch.py``, ``ai_school/tutor/worker.py``): the job goes to the tutor queue when
the site config names one (``ai_school_tutor_queue``), served by ``bench tutor-worker``, one process answering
many chats at once in threads; otherwise to ``default``. Exactly once: a renewed Redis lease per session lets
one job at a time answer it, and each message is answered under its row lock (``FOR UPDATE NOWAIT``) and only
while still Pending, so even a second process that got past the lease skips it. A message whose process died
mid-answer is rolled back by the database (still Pending, nothing half-saved); ``dispatch.recover_stalled``
(every minute, and in the tutor worker) marks it Failed so the page offers Retry.
"""

import json
import time

import frappe
from frappe.utils import add_days, cint, getdate, now_datetime

from ai_school import education_data, llm
from ai_school.core.tutor.conversation import (
	Turn,
	build_messages,
	fallback_reply,
)
from ai_school.core.tutor.guard import AssessmentWindow, GuardContext, Mode, check, post_check
from ai_school.core.tutor.postcheck import blocked_reply
from ai_school.core.tutor.redact import NameIndex, Redactor, StreamRestorer
from ai_school.core.tutor.retrieve import Document, Retriever, rank_topics
from ai_school.tutor import dispatch, group_mode, safety

SESSION = "AI Chat Session"
MESSAGE = "AI Chat Message"
EVENT = "ai_school:tutor"
JOB_TIMEOUT = 300
HISTORY_ROWS = 40  # the most recent messages read for context (trimmed further by characters)
DEFAULT_MARGIN_MINUTES = 15
# seconds between batches of streamed text: four a second reads smoothly, and each batch is an event
PUBLISH_EVERY = 0.25
PUBLISH_CHARS = 160  # or this many characters, whichever comes first
MAX_PER_JOB = 20
PEOPLE_CACHE_KEY = "ai_school:tutor:people_names"  # the token of the site's current list of names
_NAME_INDEXES: dict[str, tuple[str, NameIndex]] = {}  # site -> (token, index), per process

# AI Engagement Log's integrity mode (the school's wording) for the guard's modes
LOG_MODE = {
	Mode.LEARNING: "Open",
	Mode.GUIDED: "Guided",
	Mode.RESTRICTED: "Hint Only",
	Mode.BLOCKED: "Hint Only",
}


def job_id(session: str) -> str:
	return f"ai_school:tutor:{session}"


def enqueue_answer(session: str, *, after_commit: bool = True) -> None:
	"""Queue the session's answer job, unless one is already queued or running (it picks up new messages)."""
	frappe.enqueue(
		"ai_school.tutor.answer.answer_pending",
		queue=dispatch.answer_queue(),
		timeout=JOB_TIMEOUT,
		job_id=job_id(session),
		deduplicate=True,
		enqueue_after_commit=after_commit,
		session=session,
	)


# --- storing messages -----------------------------------------------------------------------------------


def insert_message(session: str, values: dict) -> frappe._dict:
	"""Append one message row to ``session`` without loading or saving the session. The session's row is
	locked for the rest of the transaction, so concurrent inserts get consecutive positions."""
	frappe.db.get_value(SESSION, session, "name", for_update=True)
	last = frappe.db.get_value(MESSAGE, {"parent": session, "parenttype": SESSION}, "max(idx)") or 0
	row = frappe.get_doc(
		{
			"doctype": MESSAGE,
			"parent": session,
			"parenttype": SESSION,
			"parentfield": "messages",
			"idx": cint(last) + 1,
			"timestamp": now_datetime(),
			"status": "",  # the Select's empty option, as a new document would have it
			**values,
		}
	)
	# stored as a parent's save stores its child rows (db_insert): a child row has no hooks of its own, and
	# Document.insert's machinery (defaults, energy points, notifications) was half of a send's CPU
	row.db_insert()
	touch_session(session)
	return frappe._dict(row.as_dict())


def touch_session(session: str) -> None:
	"""The session's last activity (chat retention counts from it), without saving the session."""
	frappe.db.set_value(SESSION, session, "modified", now_datetime(), update_modified=False)


def _set_message(name: str, values: dict) -> None:
	frappe.db.set_value(MESSAGE, name, values, update_modified=False)


def _next_pending(session: str) -> str | None:
	rows = frappe.get_all(
		MESSAGE,
		filters={"parent": session, "parenttype": SESSION, "role": "user", "status": "Pending"},
		pluck="name",
		order_by="idx asc",
		limit=1,
	)
	return rows[0] if rows else None


# --- the job ----------------------------------------------------------------------------------------------


def _lock_key(session: str) -> str:
	return frappe.cache.make_key(f"ai_school:tutor:answering:{session}")


def answer_pending(session: str, commit: bool = True) -> int:
	"""Job: answer the session's pending messages, oldest first, each in its own transaction (``commit``:
	tests leave everything in theirs). Returns how many it answered or failed.

	One job per session at a time: deduplication happens when the job is queued, before the sending request
	commits, so two sends racing each other can still queue it twice; the second copy finds the session's
	lease taken and leaves the messages to the first (which answers until none is pending). A message stored
	while the last one was being answered may have found this job still running (its enqueue deduplicated):
	once the lease is released, the session is looked at again."""
	lease = dispatch.Lease(_lock_key(session))
	done = 0
	while done < MAX_PER_JOB and lease.acquire():
		try:
			done += _answer_pending(session, commit, lease, MAX_PER_JOB - done)
		finally:
			lease.release()
		if not commit or not _next_pending(session):
			break
	return done


def _answer_pending(session: str, commit: bool, lease: "dispatch.Lease", limit: int) -> int:
	done = 0
	for _ in range(limit):
		name = _next_pending(session)
		if not name or not lease.held():
			# the lease ran out (a process stalled past it): whoever holds it now answers the rest
			break
		dispatch.mark_in_flight(name, session, lease)
		frappe.db.savepoint("ai_school_tutor_answer")
		try:
			answer_message(session, name)
		except frappe.QueryDeadlockError:
			# the database undid this transaction (nothing of it is saved): the message is still Pending and the
			# next round of the loop answers it
			frappe.db.rollback()
			dispatch.clear_in_flight(name)
			continue
		except Exception:
			# a bug, not a provider failure: the message must not stay Pending forever
			frappe.db.rollback(save_point="ai_school_tutor_answer")
			frappe.log_error(title=f"AI tutor: could not answer {name}")
			_fail(session, name, _user_of(session), "The tutor hit an unexpected error.")
		if commit:
			frappe.db.commit()
		dispatch.clear_in_flight(name)
		done += 1
	return done


def lock_pending(message: str) -> bool:
	"""Lock the message's row for this transaction if it is still Pending and nobody else holds it: the
	exactly-once guard. A second process answering the same message (its lease ran out, or it never took
	one) finds the row locked, or no longer Pending once the first committed, and leaves it."""
	return lock_state(message) == "Pending"


def lock_state(message: str) -> str | None:
	"""The message's status under a row lock taken without waiting; "locked" if another transaction holds
	the row, None if the message is gone."""
	try:
		rows = frappe.db.sql(
			f"select status from `tab{MESSAGE}` where name = %s for update nowait", message, pluck=True
		)
	except frappe.QueryTimeoutError:
		return "locked"  # NOWAIT: another transaction holds the row (Frappe raises MariaDB's 1205 as this)
	return rows[0] if rows else None


def _user_of(session: str) -> str | None:
	return frappe.db.get_value(SESSION, session, "user")


def _fail(session: str, message: str, user: str | None, error: str) -> None:
	_set_message(message, {"status": "Failed", "error": error[:500]})
	_publish(
		user, {"type": "failed", "session": session, "message": message, "error": error}, after_commit=True
	)


def _publish(user: str | None, payload: dict, after_commit: bool = False) -> None:
	if user:
		frappe.publish_realtime(EVENT, payload, user=user, after_commit=after_commit)


# the school's integrity mode of a chat (AI Chat Session) as the strictest help it allows; the guard's label
# and the assessment windows may only make it stricter ("Open" cannot loosen a solve request)
SESSION_BASE_MODE = {"Guided": Mode.LEARNING, "Open": Mode.LEARNING, "Hint Only": Mode.GUIDED}


def guard_context(session: frappe._dict) -> GuardContext:
	now = now_datetime()
	groups = education_data.get_student_groups_of_student(session.student)
	today = getdate(now)
	windows = education_data.get_assessment_windows(groups, add_days(today, -1), add_days(today, 1))
	margin = llm.settings().get("assessment_margin_minutes")
	return GuardContext(
		now=now,
		course=session.course or "",
		student_groups=tuple(groups),
		assessment_windows=tuple(
			AssessmentWindow.from_dict(window)
			for window in windows
			if window.from_time is not None and window.to_time is not None
		),
		margin=cint(margin) if margin not in (None, "") else DEFAULT_MARGIN_MINUTES,
		base_mode=SESSION_BASE_MODE.get(session.get("integrity_mode") or "", Mode.LEARNING),
		# instructors' stricter modes for the student's groups (AI Tutor Group Mode)
		group_overrides=group_mode.active_overrides(groups, today),
	)


def _history(session: str) -> list[Turn]:
	"""The conversation so far as the model saw it: answered questions and the model's replies, most recent
	last; messages still waiting (this one included), failed ones and offline study guides left out."""
	rows = frappe.get_all(
		MESSAGE,
		filters={
			"parent": session,
			"parenttype": SESSION,
			"role": ("in", ["user", "assistant"]),
			"status": ("not in", ["Pending", "Failed"]),
			"fallback": 0,
		},
		fields=["role", "content"],
		order_by="idx desc",
		limit=HISTORY_ROWS,
	)
	return [Turn(row.role, row.content or "") for row in reversed(rows)]


def _material(course: str, text: str) -> tuple[str, list[str], list]:
	title = education_data.get_course_title(course) if course else ""
	topics = rank_topics(text, education_data.get_course_topics(course)) if course else []
	articles = education_data.get_course_articles(course) if course else []
	passages = (
		Retriever.from_documents(
			Document(a.name, a.title or a.name, a.content or "") for a in articles
		).search(text, k=3)
		if articles
		else []
	)
	return title, topics, passages


def _name_index() -> NameIndex:
	"""The site's people names, prepared once per process. A token in Redis names the current list (it
	expires after five minutes): every process rebuilds its index when the token changes, not per answer."""
	token = frappe.cache.get_value(PEOPLE_CACHE_KEY, expires=True)
	cached = _NAME_INDEXES.get(frappe.local.site)
	if token is not None and cached and cached[0] == token:
		return cached[1]
	index = NameIndex(education_data.get_people_names())
	if token is None:
		token = frappe.generate_hash(length=12)
		frappe.cache.set_value(PEOPLE_CACHE_KEY, token, expires_in_sec=300)
	_NAME_INDEXES[frappe.local.site] = (token, index)
	return index


def forget_people_names() -> None:
	"""Every process reads the site's names again before its next answer."""
	frappe.cache.delete_value(PEOPLE_CACHE_KEY)


def _redactor(session: frappe._dict) -> Redactor:
	identifiers = [*education_data.get_student_identifiers(session.student), session.user or ""]
	return Redactor(names=_name_index(), identifiers=identifiers)


def provider_configured() -> bool:
	config = llm.gateway_config()
	return bool(config.api_key and config.models)


def answer_message(session_name: str, message: str) -> None:
	session = frappe.db.get_value(
		SESSION, session_name, ["name", "student", "user", "course", "status", "integrity_mode"], as_dict=True
	)
	if not session or not lock_pending(message):
		return
	row = frappe.db.get_value(MESSAGE, message, ["name", "content", "status", "idx"], as_dict=True)
	text = row.content or ""
	context = guard_context(session)
	decision = check(text, context)
	label, mode = decision.label, decision.mode
	_set_message(message, {"guard_label": label.value, "guard_mode": mode.value})
	_publish(session.user, {"type": "start", "session": session.name, "message": message, "mode": mode.value})

	if label.unsafe:
		_flag_session(session.name, label.value)
		_reply(session, message, safety.unsafe_message(session, message, text, decision.unsafe), mode)
		return
	if mode is Mode.BLOCKED:
		_reply(session, message, blocked_reply(label, context), mode)
		return

	course_title, topics, passages = _material(session.course, text)
	if not provider_configured():
		reply = fallback_reply(label, mode, text, course_title=course_title, topics=topics, passages=passages)
		_reply(session, message, reply, mode, fallback=True)
		return

	messages = build_messages(
		text,
		mode,
		_history(session.name),
		course_title=course_title,
		topics=topics,
		passages=passages,
	)
	redactor = _redactor(session)
	payload = redactor.redact_messages(messages)
	relay = Relay(session.user, session.name, message, redactor, text, mode, messages[0]["content"])
	try:
		completion = llm.stream(
			"Tutor",
			payload,
			relay.feed,
			student=session.student,
			integrity_mode=LOG_MODE[mode],
			reference=(SESSION, session.name),
		)
	except (llm.AIUnavailableError, llm.AIBudgetExceededError) as error:
		_clear_messages()
		_fail(session.name, message, session.user, str(error))
		if isinstance(error, llm.AIUnavailableError):
			reply = fallback_reply(
				label, mode, text, course_title=course_title, topics=topics, passages=passages
			)
			_insert_reply(session, message, reply, mode, fallback=True)
		return
	relay.flush()
	shown, flagged = post_check(
		redactor.restore(completion.text), text, mode, system_prompt=messages[0]["content"]
	)
	shown = safety.screen_reply(session, message, shown)  # an unsafe reply: the caring one and an alert
	_reply(session, message, shown, mode, completion=completion, flagged=flagged)


def _clear_messages() -> None:
	# frappe.throw queued a message for a web response; a job has none
	frappe.local.message_log = []


def _flag_session(session: str, flag: str) -> None:
	stored = frappe.db.get_value(SESSION, session, "safety_flags")
	flags = json.loads(stored) if stored else []
	if flag not in flags:
		flags.append(flag)
	frappe.db.set_value(SESSION, session, {"safety_flags": json.dumps(flags), "status": "Flagged"})


def _insert_reply(session, message, text, mode, *, completion=None, fallback=False, flagged=False):
	return insert_message(
		session.name,
		{
			"role": "assistant",
			"content": text,
			"reply_to": message,
			"guard_mode": mode.value,
			"fallback": int(fallback),
			"flagged": int(flagged),
			"model": completion.model if completion else None,
			"tokens_in": completion.usage.prompt_tokens if completion else 0,
			"tokens_out": completion.usage.completion_tokens if completion else 0,
			"latency_ms": completion.latency_ms if completion else 0,
			"user": session.user,
		},
	)


def _reply(session, message, text, mode, *, completion=None, fallback=False, flagged=False) -> None:
	reply = _insert_reply(
		session, message, text, mode, completion=completion, fallback=fallback, flagged=flagged
	)
	_set_message(message, {"status": "Answered", "error": None})
	_publish(
		session.user,
		{
			"type": "done",
			"session": session.name,
			"message": message,
			"reply": {
				"name": reply.name,
				"idx": reply.idx,
				"content": text,
				"fallback": int(fallback),
				"flagged": int(flagged),
			},
		},
		after_commit=True,
	)


class Relay:
	"""Publishes a streamed answer in batches to the chatting user, placeholders restored, and stops
	publishing once the integrity post-check flags the text so far (the checked final text follows)."""

	def __init__(self, user, session, message, redactor, student_text, mode, system_prompt):
		self.user, self.session, self.message = user, session, message
		self.restorer = StreamRestorer(redactor)
		self.student_text, self.mode, self.system_prompt = student_text, mode, system_prompt
		self.shown = ""
		self.buffer = ""
		self.held = False
		self.batches = 0
		self.last = time.monotonic()

	def feed(self, delta: str) -> None:
		if self.held:
			return
		self.buffer += self.restorer.feed(delta)
		if self.buffer and (
			len(self.buffer) >= PUBLISH_CHARS or time.monotonic() - self.last >= PUBLISH_EVERY
		):
			self.flush()

	def flush(self) -> None:
		if self.held or not self.buffer:
			return
		candidate = self.shown + self.buffer
		_, flagged = post_check(candidate, self.student_text, self.mode, system_prompt=self.system_prompt)
		if flagged or safety.reply_unsafe(candidate):
			self.held = True
			_publish(self.user, {"type": "hold", "session": self.session, "message": self.message})
			return
		self.batches += 1
		_publish(
			self.user,
			{
				"type": "delta",
				"session": self.session,
				"message": self.message,
				"seq": self.batches,
				"text": self.buffer,
			},
		)
		self.shown, self.buffer = candidate, ""
		self.last = time.monotonic()
