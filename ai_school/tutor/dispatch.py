"""Dispatching the tutor's answer jobs: which queue, one answering job per session, and recovery.

- **Queue**: ``answer_queue()`` is the queue the site config names in ``ai_school_tutor_queue`` (e.g.
  ``ai_tutor``, declared under ``workers`` in common_site_config.json and served by ``bench tutor-worker``,
  which answers many chats at once in one process: ``ai_school/tutor/worker.py``), else ``default``. A process
  that has not seen the queue declared yet (Frappe caches the list of queues per process) uses ``default``, so
  a send never fails over the setup.
- **Lease**: a Redis key per session (``SET NX`` with a 30 s expiry and a random token) that one job holds
  while it answers the session; a thread of the process renews every lease it holds, so a long answer keeps
  it and a process that died loses it within 30 s. Release and renewal compare the token first (a lease that
  ran out and was taken by another job is left alone).
- **In flight**: while a message is being answered, a Redis hash names it with its session and the lease's
  token. The answer's transaction holds the message's row lock; if the process dies, the database rolls the
  transaction back, so the message is still Pending and nothing of the answer is saved.
- **Recovery** (``recover_stalled``: every minute from the scheduler, and every 15 s in each tutor worker for
  the sites it served): a message in flight whose lease is gone or held by another job was abandoned: it
  becomes Failed ("retry") and the page is told, unless someone else is answering it now. A session with a
  message Pending for over a minute and no lease is queued again (a job cut short, a send that raced the end of
  the previous job).
"""

import logging
import os
import threading

import frappe
from frappe.utils import add_to_date, now_datetime

QUEUE_CONFIG = "ai_school_tutor_queue"
FALLBACK_QUEUE = "default"
LEASE_SECONDS = 30
RENEW_EVERY = 10
IN_FLIGHT = "ai_school:tutor:in_flight"
STALE_PENDING_SECONDS = 60
REQUEUE_LIMIT = 200
ABANDONED_ERROR = "The tutor stopped before it finished this answer."

logger = logging.getLogger(__name__)

# KEYS[1]: the lease. ARGV: token, milliseconds. Renew or release only the holder's own lease.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
"""


def answer_queue() -> str:
	from frappe.utils.background_jobs import get_queues_timeout

	queue = frappe.conf.get(QUEUE_CONFIG)
	if queue and queue in get_queues_timeout():
		return queue
	return FALLBACK_QUEUE


class Lease:
	"""A Redis key (already made with ``frappe.cache.make_key``) held by one job at a time."""

	def __init__(self, key: str, seconds: int = LEASE_SECONDS):
		self.key = key
		self.seconds = seconds
		self.token: str | None = None
		self.redis = frappe.cache

	def acquire(self) -> bool:
		token = frappe.generate_hash(length=16)
		if not self.redis.set(self.key, token, nx=True, ex=self.seconds):
			return False
		self.token = token
		_keeper.add(self)
		return True

	def held(self) -> bool:
		return self.token is not None and holder(self.key) == self.token

	def renew(self) -> bool:
		token = self.token
		return bool(token and self.redis.eval(_RENEW, 1, self.key, token, self.seconds * 1000))

	def release(self) -> None:
		_keeper.discard(self)
		if self.token:
			self.redis.eval(_RELEASE, 1, self.key, self.token)
		self.token = None


def holder(key: str) -> str | None:
	value = frappe.cache.get(key)
	return value.decode() if isinstance(value, bytes) else value


class _Keeper:
	"""One daemon thread per process renewing every lease the process holds."""

	def __init__(self):
		self.leases: set[Lease] = set()
		self.lock = threading.Lock()
		self.thread: threading.Thread | None = None
		self.pid = None

	def add(self, lease: Lease) -> None:
		with self.lock:
			self.leases.add(lease)
			# a forked work horse inherits the set but not the thread
			if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
				self.pid = os.getpid()
				self.thread = threading.Thread(target=self.run, name="ai_school-tutor-leases", daemon=True)
				self.thread.start()

	def discard(self, lease: Lease) -> None:
		with self.lock:
			self.leases.discard(lease)

	def run(self) -> None:
		stop = threading.Event()
		while not stop.wait(RENEW_EVERY):
			with self.lock:
				leases = list(self.leases)
			for lease in leases:
				try:
					lease.renew()
				except Exception:
					# Redis unreachable for a moment: the next round tries again (the lease lasts 30 s)
					logger.warning("could not renew a tutor lease", exc_info=True)


_keeper = _Keeper()


def mark_in_flight(message: str, session: str, lease: Lease) -> None:
	frappe.cache.hset(IN_FLIGHT, message, {"session": session, "token": lease.token})


def clear_in_flight(message: str) -> None:
	frappe.cache.hdel(IN_FLIGHT, message)


def in_flight() -> dict[str, dict]:
	return {
		(key.decode() if isinstance(key, bytes) else key): value
		for key, value in frappe.cache.hgetall(IN_FLIGHT).items()
	}


def recover_stalled() -> dict:
	"""Fail the messages whose answering process died, queue sessions left with old Pending messages.
	Returns the names failed and the sessions queued again."""
	from ai_school.tutor import answer

	failed = []
	for message, record in in_flight().items():
		session, token = record.get("session"), record.get("token")
		if token and holder(answer._lock_key(session)) == token:
			continue  # still being answered
		outcome = _fail_abandoned(session, message)
		if outcome == "failed":
			failed.append(message)
		if outcome != "locked":
			clear_in_flight(message)  # a locked row is looked at again next time
	requeued = []
	cutoff = add_to_date(now_datetime(), seconds=-STALE_PENDING_SECONDS)
	sessions = frappe.get_all(
		answer.MESSAGE,
		filters={
			"parenttype": answer.SESSION,
			"role": "user",
			"status": "Pending",
			"timestamp": ("<", cutoff),
		},
		pluck="parent",
		distinct=True,
		limit=REQUEUE_LIMIT,
	)
	for session in sessions:
		if holder(answer._lock_key(session)) is None:
			answer.enqueue_answer(session, after_commit=False)
			requeued.append(session)
	return {"failed": failed, "requeued": requeued}


def _fail_abandoned(session: str, message: str) -> str:
	"""Mark ``message`` Failed if it is still Pending and nobody holds its row. Returns "failed", "locked"
	(an answer in progress, or the dead process's connection not closed yet) or "done" (answered, failed or
	deleted meanwhile)."""
	from ai_school.tutor import answer

	state = answer.lock_state(message)
	if state != "Pending":
		return "locked" if state == "locked" else "done"
	answer._fail(session, message, answer._user_of(session), ABANDONED_ERROR)
	frappe.db.commit()
	return "failed"
