"""The Frappe side of the LLM gateway: AI School Settings in, AI Engagement Log out.

Every AI call of the app goes through :func:`complete` / :func:`complete_json` / :func:`stream` here, so feature switches,
per-student budgets, the provider address policy, the deadline and the audit log apply to all of them alike.

- **Key**: read with get_password and handed to the core gateway; never returned, logged or put in an
  exception. The gateway lets only LLMError out, raised without context from frames that don't hold the
  headers, so even Frappe's Error Log (a traceback with every frame's variables) can't show it.
- **Address**: https to a public address only, unless the site config sets ``ai_school_allow_local_provider``
  (tests, a self-hosted model on the school's network); checked on save and on every call.
- **Deadline**: the settings' overall deadline per call, capped below the time the worker has left (the RQ
  job's timeout, or the web request timeout ``http_timeout``, 120 s by default), so a provider that stalls or
  drips bytes ends the call, not the worker.
- **Budget**: before a student's call, one message and an estimate of its tokens are reserved atomically in
  Redis, so parallel requests can't overrun the daily budget; calls that end in error count too. The
  counters are seeded from today's AI Engagement Log when missing (a new day, a flushed cache).
- **Log**: a successful call's row is written in the caller's transaction. A failed or refused call's row is
  written and committed on a second database connection, so logging it neither commits the caller's partial
  writes nor disappears when the caller rolls them back.
"""

from contextlib import contextmanager
from datetime import datetime, timezone

import frappe
from frappe import _
from frappe.utils import cint, get_url, today

from ai_school.core.llm import Completion, Gateway, LLMConfig, LLMError, NotConfigured

FEATURE_SWITCHES = {
	"Tutor": "enable_tutor",
	"Insights": "enable_insights",
	"Timetable": "enable_timetable",
	"Teacher Tools": "enable_teacher_tools",
}

# site config flag: allow an http or private-network provider (tests, self-hosted models)
ALLOW_LOCAL_PROVIDER = "ai_school_allow_local_provider"
DEFAULT_CALL_DEADLINE = 60
# a web request is ended by gunicorn after http_timeout seconds (bench's default)
DEFAULT_HTTP_TIMEOUT = 120
BUDGET_TTL = 2 * 24 * 3600


class AIUnavailableError(frappe.ValidationError):
	"""An AI call failed; the message is the gateway's, written for the person using the app."""


class AIBudgetExceededError(frappe.ValidationError):
	pass


def settings():
	return frappe.get_cached_doc("AI School Settings")


def allow_local_provider() -> bool:
	return bool(cint(frappe.conf.get(ALLOW_LOCAL_PROVIDER)))


def gateway_config() -> LLMConfig:
	doc = settings()
	return LLMConfig(
		api_key=doc.get_password("api_key", raise_exception=False) or "",
		model=doc.primary_model,
		fallback_models=tuple(row.model for row in doc.fallback_models),
		base_url=doc.provider_base_url,
		timeout=float(doc.request_timeout),
		deadline=call_deadline(cint(doc.get("call_deadline")) or DEFAULT_CALL_DEADLINE),
		max_tokens=doc.max_tokens,
		extra_headers={"HTTP-Referer": get_url(), "X-Title": "AI School"},
		allow_local_provider=allow_local_provider(),
	)


def call_deadline(configured: float) -> float:
	"""``configured`` seconds, capped below what the current worker has left (with a margin for logging
	and committing after the call)."""
	left = worker_time_left()
	if left is None:
		return float(configured)
	return max(1.0, min(float(configured), left - max(5.0, 0.1 * left)))


def worker_time_left() -> float | None:
	"""Seconds until the web request or background job running this code is killed; None if unbounded."""
	if getattr(frappe.local, "request", None):
		return float(cint(frappe.conf.get("http_timeout")) or DEFAULT_HTTP_TIMEOUT)
	from rq import get_current_job

	job = get_current_job()
	if not job or not job.timeout or job.timeout < 0:
		return None
	started = job.started_at
	if started is None:
		return float(job.timeout)
	if started.tzinfo is None:
		started = started.replace(tzinfo=timezone.utc)
	return job.timeout - (datetime.now(timezone.utc) - started).total_seconds()


def ensure_enabled(feature: str):
	switch = FEATURE_SWITCHES.get(feature)
	if switch and not settings().get(switch):
		frappe.throw(
			_("{0} is switched off in AI School Settings.").format(_(feature)), title=_("Feature disabled")
		)


def student_usage_today(student: str) -> tuple[int, int]:
	"""(messages, tokens) the student used today across all AI features, as logged: answered calls and
	calls that ended in error (refused ones were not made)."""
	rows = frappe.get_all(
		"AI Engagement Log",
		filters={
			"student": student,
			"creation": [">=", today()],
			"outcome": ["in", ["ok", "fallback", "error"]],
		},
		fields=["count(name) as messages", "sum(tokens_in + tokens_out) as tokens"],
	)
	return int(rows[0].messages or 0), int(rows[0].tokens or 0)


# KEYS: messages and tokens counters of one student and day. ARGV: message budget, token budget, tokens to
# reserve, expiry, then the seed values (empty: the caller has not read them yet). A budget of 0 means no
# limit. Returns 1 (reserved), 0 (over budget) or -1 (counters missing: call again with seeds).
_RESERVE = """
local messages = redis.call('GET', KEYS[1])
local tokens = redis.call('GET', KEYS[2])
if not messages or not tokens then
	if ARGV[5] == '' then return -1 end
	redis.call('SET', KEYS[1], ARGV[5], 'EX', ARGV[4], 'NX')
	redis.call('SET', KEYS[2], ARGV[6], 'EX', ARGV[4], 'NX')
	messages = redis.call('GET', KEYS[1])
	tokens = redis.call('GET', KEYS[2])
end
local message_budget, token_budget = tonumber(ARGV[1]), tonumber(ARGV[2])
if (message_budget > 0 and tonumber(messages) >= message_budget)
	or (token_budget > 0 and tonumber(tokens) >= token_budget) then
	return 0
end
redis.call('INCR', KEYS[1])
redis.call('INCRBY', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""


class Reservation:
	"""One message and ``tokens`` (an estimate) held against a student's daily budget until the call
	ends; ``settle`` replaces the estimate with the tokens used."""

	def __init__(self, keys: tuple[bytes, bytes] | None = None, tokens: int = 0):
		self.keys = keys
		self.tokens = tokens

	def settle(self, used_tokens: int, *, sent: bool = True) -> None:
		"""Keep the message (a call that failed counts too) unless nothing was sent; count real tokens."""
		if not self.keys:
			return
		messages_key, tokens_key = self.keys
		pipe = frappe.cache.pipeline()
		pipe.incrby(tokens_key, int(used_tokens) - self.tokens)
		if not sent:
			pipe.decr(messages_key)
		pipe.execute()
		self.keys = None


def _budget_keys(student: str, day: str) -> tuple[bytes, bytes]:
	return (
		frappe.cache.make_key(f"ai_school:budget:{day}:{student}:messages"),
		frappe.cache.make_key(f"ai_school:budget:{day}:{student}:tokens"),
	)


def reset_budget(student: str) -> None:
	"""Forget today's counters of ``student``: they are read again from the AI Engagement Log at the next
	call (e.g. after its log rows were deleted, or a deleted student's name was given to a new one)."""
	frappe.cache.delete(*_budget_keys(student, today()))


def reserve_budget(feature: str, student: str | None, tokens: int) -> Reservation:
	"""Reserve one message and ``tokens`` of ``student``'s allowance for today, or refuse (logged as
	``blocked``) when the budget is used up. Atomic in Redis: parallel requests each see the others'
	reservations."""
	if not student:
		return Reservation()
	doc = settings()
	keys = _budget_keys(student, today())
	budgets = (cint(doc.daily_message_budget), cint(doc.daily_token_budget), int(tokens), BUDGET_TTL)
	outcome = frappe.cache.eval(_RESERVE, 2, *keys, *budgets, "", "")
	if outcome == -1:
		outcome = frappe.cache.eval(_RESERVE, 2, *keys, *budgets, *student_usage_today(student))
	if outcome == 1:
		return Reservation(keys, int(tokens))
	_refuse_over_budget(feature, student)


def check_budget(feature: str, student: str | None) -> None:
	"""Refuse (AIBudgetExceededError, logged as ``blocked``) when ``student`` has used up today's budget,
	without reserving anything: for a request that only queues a call (the tutor's send), so the student
	hears at once; the call itself still reserves with :func:`reserve_budget`."""
	if not student:
		return
	doc = settings()
	message_budget, token_budget = cint(doc.daily_message_budget), cint(doc.daily_token_budget)
	if not message_budget and not token_budget:
		return
	counters = [frappe.cache.get(key) for key in _budget_keys(student, today())]
	if any(value is None for value in counters):
		messages, tokens = student_usage_today(student)
	else:
		messages, tokens = (int(value) for value in counters)
	if (message_budget and messages >= message_budget) or (token_budget and tokens >= token_budget):
		_refuse_over_budget(feature, student)


def _refuse_over_budget(feature: str, student: str) -> None:
	"""Log the refused call (it survives the request's rollback) and tell the student."""
	_log_in_own_transaction(feature, outcome="blocked", student=student, error="daily budget reached")
	frappe.throw(
		_("You have used today's AI allowance. It resets tomorrow."),
		exc=AIBudgetExceededError,
		title=_("Daily limit reached"),
	)


def estimate_tokens(messages: list[dict], max_tokens: int | None) -> int:
	"""Prompt tokens (about four characters each) plus the most the answer may take."""
	chars = sum(len(str(message.get("content") or "")) for message in messages)
	return -(-chars // 4) + cint(max_tokens if max_tokens is not None else settings().max_tokens)


def _engagement_log(
	feature: str,
	*,
	outcome: str,
	completion: Completion | None = None,
	student: str | None = None,
	integrity_mode: str | None = None,
	reference: tuple[str, str] | None = None,
	error: str | None = None,
):
	return frappe.get_doc(
		{
			"doctype": "AI Engagement Log",
			"feature": feature,
			"outcome": outcome,
			"user": frappe.session.user,
			"student": student,
			"integrity_mode": integrity_mode,
			"model": completion.model if completion else None,
			"tokens_in": completion.usage.prompt_tokens if completion else 0,
			"tokens_out": completion.usage.completion_tokens if completion else 0,
			"latency_ms": completion.latency_ms if completion else 0,
			"reference_doctype": reference[0] if reference else None,
			"reference_name": reference[1] if reference else None,
			"error_message": (error or "")[:500] or None,
		}
	)


def log_engagement(feature: str, **values):
	"""Write an AI Engagement Log row in the caller's transaction (see :func:`_engagement_log`)."""
	log = _engagement_log(feature, **values)
	# the links (student, user, course, the reference) come from records the caller just read: checking each
	# again cost a query apiece, a third of the row's insert, on every AI answer
	log.insert(ignore_permissions=True, ignore_links=True)
	return log


@contextmanager
def own_transaction():
	"""Run the block on a second connection to the site's database and commit it there.

	The caller's connection and its open transaction are untouched: its uncommitted writes stay
	uncommitted (and invisible to the block). ``frappe.db`` points at the second connection inside.
	"""
	from frappe.database import get_db

	conf = frappe.local.conf
	side = get_db(
		socket=conf.get("db_socket"),
		host=conf.get("db_host"),
		port=conf.get("db_port"),
		user=conf.get("db_user") or conf.db_name,
		password=conf.db_password,
		cur_db_name=conf.db_name,
	)
	main = frappe.local.db
	side.connect()
	frappe.local.db = side
	try:
		yield
		side.commit()
	except BaseException:
		side.rollback()
		raise
	finally:
		frappe.local.db = main
		side.close()


def _log_in_own_transaction(feature: str, **values) -> None:
	"""Log a failed or refused call so that it survives the caller's rollback and commits nothing of the
	caller's. Records the caller made in its transaction are not visible there, hence no link checks."""
	try:
		with own_transaction():
			log = _engagement_log(feature, **values)
			log.flags.ignore_links = True
			log.insert(ignore_permissions=True)
	except Exception:
		# the AI error the caller is about to see matters more than its audit row
		frappe.logger("ai_school").warning(
			"could not log a %s AI call (%s)", values.get("outcome"), feature, exc_info=True
		)


def _call(feature, student, integrity_mode, reference, tokens, run):
	ensure_enabled(feature)
	reservation = reserve_budget(feature, student, tokens)
	failure = None
	try:
		with Gateway(gateway_config()) as gateway:
			result, completion = run(gateway)
	except LLMError as error:
		failure = error
	except BaseException:
		reservation.settle(0)
		raise
	if failure is not None:
		# raised below, outside the except block: the error carries no context
		used = getattr(failure, "completion", None)
		reservation.settle(
			used.usage.total_tokens if used else 0, sent=not isinstance(failure, NotConfigured)
		)
		_log_in_own_transaction(
			feature,
			outcome="error",
			completion=used,
			student=student,
			integrity_mode=integrity_mode,
			reference=reference,
			error=str(failure),
		)
		frappe.throw(str(failure), exc=AIUnavailableError, title=_("AI unavailable"))
	reservation.settle(completion.usage.total_tokens)
	log_engagement(
		feature,
		outcome=completion.outcome,
		completion=completion,
		student=student,
		integrity_mode=integrity_mode,
		reference=reference,
	)
	return result, completion


def complete(
	feature: str,
	messages: list[dict],
	*,
	student: str | None = None,
	integrity_mode: str | None = None,
	reference: tuple[str, str] | None = None,
	**options,
) -> Completion:
	"""One chat completion for `feature`, logged; raises AIUnavailableError with a readable message."""

	def run(gateway):
		completion = gateway.complete(messages, **options)
		return completion, completion

	tokens = estimate_tokens(messages, options.get("max_tokens"))
	return _call(feature, student, integrity_mode, reference, tokens, run)[0]


def complete_json(
	feature: str,
	messages: list[dict],
	shape,
	*,
	student: str | None = None,
	reference: tuple[str, str] | None = None,
	**options,
):
	"""A JSON answer validated against `shape` (see ai_school.core.llm.shape); returns (data, completion)."""
	tokens = estimate_tokens(messages, options.get("max_tokens"))
	return _call(
		feature,
		student,
		None,
		reference,
		tokens,
		lambda gateway: gateway.complete_json(messages, shape, **options),
	)


def stream(
	feature: str,
	messages: list[dict],
	on_delta,
	*,
	student: str | None = None,
	integrity_mode: str | None = None,
	reference: tuple[str, str] | None = None,
	**options,
) -> Completion:
	"""A streamed chat completion for `feature`: ``on_delta(text)`` is called with each piece as it arrives,
	the Completion is returned at the end and logged like :func:`complete`. A failure before or during the
	answer raises AIUnavailableError (the pieces already passed on are not part of any saved answer)."""

	def run(gateway):
		with gateway.stream(messages, **options) as answer:
			for delta in answer:
				on_delta(delta)
		return answer.result, answer.result

	tokens = estimate_tokens(messages, options.get("max_tokens"))
	return _call(feature, student, integrity_mode, reference, tokens, run)[0]
