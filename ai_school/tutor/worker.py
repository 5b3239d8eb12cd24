"""``bench tutor-worker``: one process answering many tutor chats at once.

An answer is mostly waiting (the provider's first token, then a slow stream), so a forking RQ worker per
answer wastes a process (about 100 MB) per chat. This is RQ's own ``SimpleWorker`` (jobs run in the worker
process, no fork) taking up to ``concurrency`` jobs at a time from the tutor queue, each on its own thread.
Everything else is RQ's and Frappe's: the queue, job ids and deduplication, the started/failed registries,
``frappe.utils.background_jobs.execute_job`` (each job does its own ``frappe.init``/``connect`` for its site;
``frappe.local`` is context-local, so threads don't share a site, user or database connection), and the job
timeout (``TimerDeathPenalty``, RQ's thread-safe variant: SIGALRM works only in the main thread).

- A job is taken off the queue only when a thread is free, so work beyond ``concurrency`` stays queued for the
  other tutor processes (on this host or another one using the same Redis).
- ``concurrency`` bounds the process's database connections (one per running answer) and Redis connections.
- Stopping (SIGTERM/SIGINT): no new job is taken, the answers in progress finish (a second signal stops at
  once; those answers are rolled back and recovered as Failed, see ``dispatch``).
- Every 15 s the worker runs ``dispatch.recover_stalled`` for the sites it has served.
"""

import threading
import time

from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty
from rq.worker import StopRequested, WorkerStatus

import frappe
from frappe.utils import cint

CONCURRENCY_CONFIG = "ai_school_tutor_concurrency"
DEFAULT_QUEUE = "ai_tutor"
DEFAULT_CONCURRENCY = 24
RECOVER_EVERY = 15


class TutorWorker(SimpleWorker):
	death_penalty_class = TimerDeathPenalty

	def __init__(self, *args, concurrency: int = DEFAULT_CONCURRENCY, **kwargs):
		super().__init__(*args, **kwargs)
		self.concurrency = max(1, int(concurrency))
		self._slots = threading.BoundedSemaphore(self.concurrency)
		self._running: set[threading.Thread] = set()
		self._running_lock = threading.Lock()
		self._dequeuing = False
		self.sites: set[str] = set()
		self._recovery = threading.Event()

	@property
	def running(self) -> int:
		with self._running_lock:
			return len(self._running)

	def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
		# a job is taken only when a thread is free to answer it
		waited = 0
		while not self._slots.acquire(timeout=1):
			waited += 1
			if self._stop_requested:
				return None
			if waited % 30 == 0:
				self.heartbeat()
		self._dequeuing = True
		try:
			result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
		except BaseException:
			self._dequeuing = False
			self._slots.release()
			raise
		self._dequeuing = False
		if result is None:
			self._slots.release()
		return result

	def execute_job(self, job, queue):
		self.set_state(WorkerStatus.BUSY)
		site = (job.kwargs or {}).get("site")
		if site:
			self.sites.add(site)
		thread = threading.Thread(
			target=self._perform, args=(job, queue), name=f"tutor:{job.id}", daemon=True
		)
		with self._running_lock:
			self._running.add(thread)
		thread.start()

	def _perform(self, job, queue) -> None:
		try:
			self.perform_job(job, queue)
		except Exception:
			self.log.exception("tutor job %s crashed outside the job", job.id)
		finally:
			with self._running_lock:
				self._running.discard(threading.current_thread())
				idle = not self._running
			self._slots.release()
			if idle and not self._stop_requested:
				self.set_state(WorkerStatus.IDLE)

	def _shutdown(self):
		# RQ waits in the queue's blocking pop when idle; here the worker may be "busy" and still in that pop
		self._stop_requested = True
		self.set_shutdown_requested_date()
		if self._dequeuing:
			raise StopRequested()

	def bootstrap(self, *args, **kwargs):
		super().bootstrap(*args, **kwargs)
		threading.Thread(target=self._recover_loop, name="ai_school-tutor-recovery", daemon=True).start()

	def teardown(self):
		self._recovery.set()
		with self._running_lock:
			threads = list(self._running)
		if threads:
			self.log.info("Worker %s: waiting for %d answers to finish", self.key, len(threads))
		for thread in threads:
			thread.join()
		super().teardown()

	def _recover_loop(self) -> None:
		while not self._recovery.wait(RECOVER_EVERY):
			for site in list(self.sites):
				recover_site(site)


def recover_site(site: str) -> None:
	from ai_school.tutor import dispatch

	try:
		frappe.init(site=site)
		frappe.connect()
		dispatch.recover_stalled()
		frappe.db.commit()
	except Exception:
		frappe.logger("ai_school").warning("tutor recovery failed on %s", site, exc_info=True)
	finally:
		frappe.destroy()


def preload() -> None:
	"""Import what every answer uses and let the guard load its model once, before the first student waits."""
	from ai_school.core.tutor.guard import classify
	from ai_school.tutor import answer  # noqa: F401 (imported for its load time, not a name)

	classify("What is photosynthesis?")


def start(
	queue: str | None = None, concurrency: int | None = None, burst: bool = False, quiet: bool = False
) -> bool:
	"""Run a tutor worker (as ``frappe.utils.background_jobs.start_worker`` runs an RQ worker)."""
	from frappe.utils.background_jobs import get_queue_list, get_redis_conn, set_niceness

	with frappe.init_site():
		conf = frappe.local.conf
		queue = queue or conf.get("ai_school_tutor_queue") or DEFAULT_QUEUE
		concurrency = concurrency or cint(conf.get(CONCURRENCY_CONFIG)) or DEFAULT_CONCURRENCY
		redis_connection = get_redis_conn()
		# refuses a queue not declared under "workers" in common_site_config.json
		queues = get_queue_list([q.strip() for q in queue.split(",")], build_queue_name=True)
	# like Frappe's own workers: below the web server's priority (site config background_process_niceness),
	# so a class sending at once is answered by gunicorn first and by the tutor with the CPU left
	set_niceness()
	preload()
	worker = TutorWorker(queues, connection=redis_connection, concurrency=concurrency)
	started = time.monotonic()
	worked = worker.work(
		logging_level="WARNING" if quiet else "INFO",
		burst=burst,
		date_format="%Y-%m-%d %H:%M:%S",
		log_format="%(asctime)s,%(msecs)03d %(message)s",
	)
	worker.log.info("tutor worker stopped after %.0f s", time.monotonic() - started)
	return worked
