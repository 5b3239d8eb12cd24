"""Tutor load benchmark: many students chatting at once on a real bench, answered by the tutor workers.

Run from anywhere with the bench's Python (the coordinator's single command):

    /opt/frappe-bench/env/bin/python benchmarks/tutor_load/run.py --site school.localhost
    ... --students 5 --messages 2 --think 2-4          # a short run

What it does (everything is put back at the end, also after Ctrl+C or a failure):

1. picks ``--students`` demo students with portal users and a current course the tutor may help with now,
   sets a benchmark password on their users (the old password rows are restored after);
2. starts the provider stub (``stub_provider.py``: a real HTTP server on 127.0.0.1, 1 s before the first token,
   the answer streamed over 3 s), points AI School Settings at it (budgets off) and sets the site config
   ``ai_school_allow_local_provider`` (both restored after);
3. starts the documented 4 GB setup for this run: gunicorn (``--web-workers`` x ``--web-threads``) on
   ``--web-port``, and ``bench tutor-worker --concurrency N`` on the ``ai_tutor`` queue (declared in
   common_site_config.json ``workers`` and named in the site config ``ai_school_tutor_queue`` for the run);
   the bench's own socket.io server (port 9000) and RQ worker are used as they are;
4. ``students.js`` (node, socket.io-client from Frappe's node_modules): pings /api/method/ping while idle,
   logs every student in, opens their socket.io connections, starts a chat each, then all at once: send a
   message, wait for its ``done`` event, think ``--think`` seconds, ``--messages`` times; pings under load;
5. samples the RSS of the web, worker, tutor and socket.io processes every 2 s, checks in the database that
   every message has exactly one reply, deletes the benchmark's chats, their AI Engagement Log rows and the
   students' login sessions and activity rows, and prints the table.
"""

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = "AI School Settings"
TEXTS = [
	"Can you explain the main idea of this topic in simpler words? I get lost in the middle.",
	"I don't understand why this method works, can you explain it with an example?",
	"What is the difference between the two ideas we learned this week? They look the same to me.",
	"Could you help me revise this topic for next week? What should I understand first?",
	"I tried this and got confused halfway, can you explain the idea behind the first step?",
	"Why does this rule work? My teacher said it in class but I didn't get it.",
	"Can you give me a similar example so I can practise the idea myself?",
	"How do I know which method to use? I always mix them up.",
]


def parse_args():
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", default="school.localhost")
	parser.add_argument("--bench", default="/opt/frappe-bench")
	parser.add_argument("--students", type=int, default=50)
	parser.add_argument("--messages", type=int, default=10, help="messages per student")
	parser.add_argument("--think", default="10-30", help="seconds between an answer and the next message")
	parser.add_argument("--web-port", type=int, default=0, help="default: a free port")
	parser.add_argument("--web-workers", type=int, default=2)
	parser.add_argument(
		"--web-threads",
		type=int,
		default=4,
		help="threads per gunicorn worker (gthread); 1 runs gunicorn's sync workers, as bench's supervisor config does",
	)
	parser.add_argument("--tutor-processes", type=int, default=3)
	parser.add_argument("--concurrency", type=int, default=17, help="answers at once per tutor process")
	parser.add_argument("--socket", default="http://{site}:9000", help="the bench's socket.io server")
	parser.add_argument("--idle-pings", type=int, default=100)
	parser.add_argument("--ping-every-ms", type=int, default=200)
	parser.add_argument(
		"--ping-bursts",
		type=int,
		default=3,
		help="rounds of as many pings as students in the same instant, before the load (the floor of a burst)",
	)
	parser.add_argument(
		"--ramp",
		type=float,
		default=0,
		help="spread the students' first messages over this many seconds (default 0: all in the same instant)",
	)
	parser.add_argument(
		"--warmup",
		type=int,
		default=4,
		help="messages sent (by as many students) before the load, not counted",
	)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--json", help="also write the results here")
	return parser.parse_args()


# --- processes --------------------------------------------------------------------------------------------


def rss_mb(pid: int, children: bool = True) -> float:
	import psutil

	try:
		process = psutil.Process(pid)
		family = [process, *process.children(recursive=True)] if children else [process]
		return sum(p.memory_info().rss for p in family) / 2**20
	except psutil.NoSuchProcess:
		return 0.0


def cpu_seconds(pid: int) -> float:
	import psutil

	try:
		process = psutil.Process(pid)
		total = 0.0
		for p in [process, *process.children(recursive=True)]:
			times = p.cpu_times()
			total += times.user + times.system
		return total
	except psutil.NoSuchProcess:
		return 0.0


def find_pids(needle: str) -> list[int]:
	import psutil

	pids = []
	for process in psutil.process_iter(["pid", "cmdline"]):
		cmdline = " ".join(process.info["cmdline"] or [])
		if needle in cmdline and process.pid != os.getpid():
			pids.append(process.pid)
	# only the top of each tree (children are counted with their parent)
	return [pid for pid in pids if psutil.Process(pid).ppid() not in pids]


class Sampler(threading.Thread):
	def __init__(self, groups: dict[str, list[int]]):
		super().__init__(daemon=True)
		self.groups = groups
		self.samples: list[tuple[float, dict[str, float]]] = []
		self.stopping = threading.Event()

	def sample(self) -> dict[str, float]:
		# an RQ worker's work horse is forked per job and ends with it: the long-running process is the worker
		return {
			name: sum(rss_mb(pid, children=not name.startswith("RQ")) for pid in pids)
			for name, pids in self.groups.items()
		}

	def cpu(self) -> dict[str, float]:
		return {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.groups.items()}

	def run(self):
		while not self.stopping.is_set():
			self.samples.append((time.time(), self.sample()))
			self.stopping.wait(2)


def free_port() -> int:
	import socket

	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		return probe.getsockname()[1]


def tutor_workers() -> int:
	"""Tutor workers registered with RQ on the ai_tutor queue (they register once preloaded)."""
	from rq import Queue, Worker

	from frappe.utils.background_jobs import generate_qname, get_redis_conn

	return Worker.count(queue=Queue(generate_qname("ai_tutor"), connection=get_redis_conn()))


def wait_for(check, what: str, seconds: float = 120):
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		try:
			if check():
				return
		except Exception:
			pass
		time.sleep(0.5)
	raise RuntimeError(f"timed out waiting for {what}")


# --- the site ---------------------------------------------------------------------------------------------


class Site:
	"""Changes to the site, each recorded with how to undo it."""

	def __init__(self, site: str, bench: Path):
		import frappe

		self.frappe = frappe
		self.site, self.bench = site, bench
		frappe.init(site=site, sites_path=str(bench / "sites"))
		frappe.connect()
		frappe.set_user("Administrator")
		self.undo: list = []

	def restore(self):
		frappe = self.frappe
		while self.undo:
			step = self.undo.pop()
			try:
				step()
				frappe.db.commit()
			except Exception as error:
				print(f"could not undo a step: {error!r}", file=sys.stderr)
				frappe.db.rollback()

	def set_config(self, key, value, common=False):
		from frappe.installer import update_site_config

		path = (
			self.bench / "sites" / ("common_site_config.json" if common else f"{self.site}/site_config.json")
		)
		before = json.loads(path.read_text())
		update_site_config(key, value, validate=False, site_config_path=str(path))
		if key in before:
			self.undo.append(
				lambda: update_site_config(key, before[key], validate=False, site_config_path=str(path))
			)
		else:
			self.undo.append(
				lambda: update_site_config(key, "None", validate=False, site_config_path=str(path))
			)

	def snapshot_rows(self, table: str, where: str, values: tuple):
		"""Put these rows back exactly as they are now (delete what is there then, insert the saved ones)."""
		frappe = self.frappe
		rows = frappe.db.sql(f"select * from `{table}` where {where}", values, as_dict=True)

		def put_back():
			frappe.db.sql(f"delete from `{table}` where {where}", values)
			for row in rows:
				columns = ", ".join(f"`{c}`" for c in row)
				marks = ", ".join(["%s"] * len(row))
				frappe.db.sql(f"insert into `{table}` ({columns}) values ({marks})", tuple(row.values()))

		self.undo.append(put_back)

	def point_settings_at(self, base_url: str):
		from frappe.utils.password import set_encrypted_password

		frappe = self.frappe
		child = frappe.get_meta(SETTINGS).get_field("fallback_models").options
		self.snapshot_rows("tabSingles", "doctype = %s", (SETTINGS,))
		self.snapshot_rows("__Auth", "doctype = %s and name = %s", (SETTINGS, SETTINGS))
		self.snapshot_rows(f"tab{child}", "parent = %s and parenttype = %s", (SETTINGS, SETTINGS))
		self.undo.append(lambda: frappe.clear_document_cache(SETTINGS, SETTINGS))
		frappe.db.sql(f"delete from `tab{child}` where parent = %s and parenttype = %s", (SETTINGS, SETTINGS))
		values = {
			"provider_base_url": base_url,
			"primary_model": "stub/tutor",
			"enable_tutor": 1,
			"daily_message_budget": 0,
			"daily_token_budget": 0,
			"call_deadline": 60,
			"request_timeout": 30,
		}
		for field, value in values.items():
			frappe.db.set_single_value(SETTINGS, field, value)
		set_encrypted_password(SETTINGS, SETTINGS, "stub-key", "api_key")
		frappe.db.commit()
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	def pick_students(self, count: int) -> list[dict]:
		from ai_school import education_data
		from ai_school.core.tutor.guard import Mode
		from ai_school.core.tutor.modes import context_mode
		from ai_school.tutor import answer

		frappe = self.frappe
		rows = frappe.db.sql(
			"""select s.name, s.user from `tabStudent` s join `tabUser` u on u.name = s.user
			where u.enabled = 1 and u.user_type = 'Website User' order by s.name""",
			as_dict=True,
		)
		picked = []
		for row in rows:
			for course in sorted(education_data.get_current_courses_of_student(row.name)):
				chat = frappe._dict(student=row.name, course=course, integrity_mode="")
				if context_mode(answer.guard_context(chat)) is not Mode.BLOCKED:
					picked.append({"student": row.name, "user": row.user, "course": course})
					break
			if len(picked) == count:
				return picked
		raise SystemExit(f"only {len(picked)} demo students with a portal user and a course found")

	def set_passwords(self, users: list[str], password: str):
		from frappe.utils.password import update_password

		frappe = self.frappe
		marks = ", ".join(["%s"] * len(users))
		self.snapshot_rows(
			"__Auth", f"doctype = 'User' and fieldname = 'password' and name in ({marks})", tuple(users)
		)
		for user in users:
			update_password(user, password, logout_all_sessions=False)
		frappe.db.commit()

	def forget_logins(self, users: list[str], since):
		"""After the run: end the students' sessions, drop the login rows the run wrote."""
		from frappe.sessions import clear_sessions

		frappe = self.frappe
		for user in users:
			clear_sessions(user, force=True)
		marks = ", ".join(["%s"] * len(users))
		frappe.db.sql(
			f"delete from `tabActivity Log` where user in ({marks}) and creation >= %s", (*users, since)
		)

	def delete_chats(self, sessions: list[str]):
		frappe = self.frappe
		if not sessions:
			return
		marks = ", ".join(["%s"] * len(sessions))
		frappe.db.sql(
			f"""delete from `tabAI Engagement Log` where reference_doctype = 'AI Chat Session'
			and reference_name in ({marks})""",
			tuple(sessions),
		)
		frappe.db.sql(f"delete from `tabAI Chat Message` where parent in ({marks})", tuple(sessions))
		frappe.db.sql(f"delete from `tabAI Chat Session` where name in ({marks})", tuple(sessions))
		frappe.db.commit()

	def replies(self, sessions: list[str]) -> dict:
		"""Per student message of these chats: its status and how many replies point at it."""
		frappe = self.frappe
		frappe.db.commit()  # a fresh snapshot
		marks = ", ".join(["%s"] * len(sessions))
		rows = frappe.db.sql(
			f"""select m.name, m.status, m.guard_mode, (select count(*) from `tabAI Chat Message` r
				where r.parent = m.parent and r.role = 'assistant' and r.reply_to = m.name) as replies,
				(select max(r.fallback) from `tabAI Chat Message` r
				where r.parent = m.parent and r.role = 'assistant' and r.reply_to = m.name) as fallback
			from `tabAI Chat Message` m where m.parent in ({marks}) and m.role = 'user'""",
			tuple(sessions),
			as_dict=True,
		)
		return {row.name: row for row in rows}


# --- statistics and the table -----------------------------------------------------------------------------


def pct(values, q):
	values = sorted(v for v in values if v is not None)
	if not values:
		return float("nan")
	index = min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))
	return values[index]


def burst_floor(rounds: list[list[float]]) -> str:
	if not rounds:
		return "not run"
	p50 = statistics.median(pct(r, 50) for r in rounds)
	p95 = statistics.median(pct(r, 95) for r in rounds)
	return f"{p50:.0f} / {p95:.0f} ({len(rounds)} rounds of {len(rounds[0])})"


def table(rows: list[tuple[str, str, str, str]]) -> str:
	widths = [max(len(r[i]) for r in rows) for i in range(4)]
	lines = []
	for n, row in enumerate(rows):
		lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
		if n == 0:
			lines.append("  ".join("-" * w for w in widths))
	return "\n".join(lines)


def main():
	args = parse_args()
	bench = Path(args.bench)
	think = tuple(float(x) for x in args.think.split("-"))
	if len(think) == 1:
		think = (think[0], think[0])
	env = dict(os.environ, PATH=f"{bench}/env/bin:{os.environ.get('PATH', '')}")
	processes: list[subprocess.Popen] = []
	os.chdir(bench / "sites")  # as bench runs Frappe (its logs are under ../logs)
	site = Site(args.site, bench)
	frappe = site.frappe
	started_at = frappe.utils.now_datetime()
	sessions: list[str] = []
	users: list[str] = []
	load_before = os.getloadavg()

	def stop_processes():
		for process in reversed(processes):
			if process.poll() is None:
				process.send_signal(signal.SIGTERM)
		for process in reversed(processes):
			try:
				process.wait(timeout=60)
			except subprocess.TimeoutExpired:
				process.kill()

	try:
		# the provider stub
		stub = subprocess.Popen(
			[sys.executable, str(HERE / "stub_provider.py"), "--port", "0"],
			stdout=subprocess.PIPE,
			text=True,
		)
		processes.append(stub)
		stub_port = int(stub.stdout.readline().split()[1])

		picked = site.pick_students(args.students)
		users = [p["user"] for p in picked]
		password = f"Bench-{random.Random(args.seed).getrandbits(64):x}!"
		site.set_passwords(users, password)
		site.point_settings_at(f"http://127.0.0.1:{stub_port}/v1")
		site.set_config("ai_school_allow_local_provider", 1)
		site.set_config("ai_school_tutor_queue", "ai_tutor")
		workers = json.loads((bench / "sites" / "common_site_config.json").read_text()).get("workers") or {}
		if "ai_tutor" not in workers:
			site.set_config("workers", {**workers, "ai_tutor": {"timeout": 300}}, common=True)
		frappe.db.commit()

		# the documented setup: gunicorn and the tutor worker(s)
		args.web_port = args.web_port or free_port()
		web_class = (
			("--worker-class", "sync")
			if args.web_threads == 1
			else (
				*("--threads", str(args.web_threads), "--worker-class", "gthread"),
				# longer than the client's 4 s idle keep-alive (Node's fetch): otherwise gunicorn may close an idle
				# connection just as a send reuses it (behind nginx, as in production, browsers never see this)
				*("--keep-alive", "5"),
			)
		)
		web = subprocess.Popen(
			[
				f"{bench}/env/bin/gunicorn",
				*("-b", f"127.0.0.1:{args.web_port}", "-w", str(args.web_workers)),
				*web_class,
				*("-t", "120", "--max-requests", "5000", "--max-requests-jitter", "500", "--preload"),
				"frappe.app:application",
			],
			cwd=bench / "sites",
			env=env,
			stdout=subprocess.DEVNULL,
			stderr=open(tempfile.gettempdir() + "/tutor_load_web.log", "w"),
		)
		processes.append(web)
		tutors = []
		for n in range(args.tutor_processes):
			tutor = subprocess.Popen(
				[
					f"{bench}/env/bin/python",
					*("-m", "frappe.utils.bench_helper", "frappe", "tutor-worker"),
					*("--concurrency", str(args.concurrency), "--quiet"),
				],
				cwd=bench / "sites",
				env=env,
				stdout=subprocess.DEVNULL,
				stderr=open(f"{tempfile.gettempdir()}/tutor_load_tutor{n}.log", "w"),
			)
			processes.append(tutor)
			tutors.append(tutor)
		base = f"http://{args.site}:{args.web_port}"
		wait_for(
			lambda: urllib.request.urlopen(f"{base}/api/method/ping", timeout=5).status == 200, "gunicorn"
		)
		wait_for(lambda: tutor_workers() >= args.tutor_processes, "the tutor worker")
		if web.poll() is not None or any(t.poll() is not None for t in tutors):
			raise SystemExit("gunicorn or a tutor worker stopped: see the logs in " + tempfile.gettempdir())

		groups = {
			"web (gunicorn)": [web.pid],
			"tutor worker": [t.pid for t in tutors],
			"RQ workers (without their work horses)": find_pids("frappe worker"),
			"socket.io": find_pids("socketio.js"),
		}
		sampler = Sampler(groups)
		before = sampler.sample()
		cpu_before = sampler.cpu()
		sampler.start()

		config = {
			"base": base,
			"socket": args.socket.format(site=args.site),
			"site": args.site,
			"socketio_client": str(bench / "apps/frappe/node_modules/socket.io-client"),
			"students": [
				{"user": u, "password": password, "course": p["course"]}
				for u, p in zip(users, picked, strict=True)
			],
			"messages": args.messages,
			"think": think,
			"seed": args.seed,
			"idle_pings": args.idle_pings,
			"ping_bursts": args.ping_bursts,
			"ramp": args.ramp,
			"warmup": min(args.warmup, args.students),
			"ping_every_ms": args.ping_every_ms,
			"answer_timeout_s": 90,
			"texts": TEXTS,
		}
		with tempfile.TemporaryDirectory() as tmp:
			config_path, results_path = Path(tmp, "config.json"), Path(tmp, "results.json")
			config_path.write_text(json.dumps(config))
			client = subprocess.run(["node", str(HERE / "students.js"), str(config_path), str(results_path)])
			if client.returncode:
				raise SystemExit("students.js failed")
			results = json.loads(results_path.read_text())
		sampler.stopping.set()
		sampler.join()
		after = sampler.sample()
		# RQ's work horses come and go: CPU is counted for the web and tutor processes only
		cpu_used = {name: value - cpu_before[name] for name, value in sampler.cpu().items()}
		load_after = os.getloadavg()
		stub_stats = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{stub_port}/stats").read())
		sessions = results["sessions"]
		stored = site.replies(sessions)
		report(args, results, stored, sampler, before, after, cpu_used, stub_stats, load_before, load_after)
	finally:
		stop_processes()
		try:
			site.delete_chats(sessions)
			if users:
				site.forget_logins(users, started_at)
				frappe.db.commit()
		finally:
			site.restore()
			frappe.destroy()


def report(args, results, stored, sampler, before, after, cpu_used, stub_stats, load_before, load_after):
	messages = results["messages"]
	sends = [m["send_ms"] for m in messages]
	firsts = [m["first_token_ms"] for m in messages]
	idle, load = results["idle_pings"], results["load_pings"]
	expected = args.students * args.messages
	once = sum(1 for m in messages if stored.get(m["message"], {}).get("replies") == 1)
	answered = sum(1 for m in messages if stored.get(m["message"], {}).get("status") == "Answered")
	events_once = sum(1 for m in messages if m.get("done_events") == 1 and not m.get("failed_events"))
	duplicates = sum(1 for m in messages if (stored.get(m["message"], {}).get("replies") or 0) > 1)
	fallback = sum(1 for m in messages if stored.get(m["message"], {}).get("fallback"))
	streamed = sum(1 for m in messages if m["streamed"])
	idle_p95, load_p95 = pct(idle, 95), pct(load, 95)
	# the first messages are sent by every student in the same instant (unless --ramp spreads them): shown apart
	first_names = {m["message"] for m in messages if m.get("round") == 0}
	round1 = [m for m in messages if m["message"] in first_names]
	later = [m for m in messages if m["message"] not in first_names]
	seconds = (results["timeline"]["load_end"] - results["timeline"]["load_start"]) / 1000
	rows = [
		("measure", "result", "target", "ok"),
		("messages sent / expected", f"{len(messages)} / {expected}", "all", str(len(messages) == expected)),
		(
			"send p50 / p95 (ms)",
			f"{pct(sends, 50):.0f} / {pct(sends, 95):.0f}",
			"p95 < 150",
			str(pct(sends, 95) < 150),
		),
		(
			"first token p50 / p95 (ms, at the client, from send)",
			f"{pct(firsts, 50):.0f} / {pct(firsts, 95):.0f}",
			"p95 < 2000",
			str(pct(firsts, 95) < 2000),
		),
		(
			"  1st messages (all students at once): send / first token p95",
			f"{pct([m['send_ms'] for m in round1], 95):.0f} / {pct([m['first_token_ms'] for m in round1], 95):.0f}",
			"",
			"",
		),
		(
			"  later messages: send / first token p95",
			f"{pct([m['send_ms'] for m in later], 95):.0f} / {pct([m['first_token_ms'] for m in later], 95):.0f}",
			"",
			"",
		),
		(
			"answered exactly once (DB: one reply, Answered)",
			f"{once} / {len(messages)} ({answered} Answered, {duplicates} with >1 reply)",
			"all",
			str(once == len(messages) == expected and duplicates == 0),
		),
		(
			"one 'done' event per message at the client",
			f"{events_once} / {len(messages)}",
			"all",
			str(events_once == len(messages)),
		),
		("streamed from the provider / fallback replies", f"{streamed} / {fallback}", "", ""),
		(
			"ping p50 / p95 idle (ms)",
			f"{pct(idle, 50):.1f} / {idle_p95:.1f} (n={len(idle)})",
			"",
			"",
		),
		(
			"ping p50 / p95 under load (ms)",
			f"{pct(load, 50):.1f} / {load_p95:.1f} (n={len(load)})",
			"p95 < 2x idle",
			str(load_p95 < 2 * idle_p95),
		),
		(
			"  floor: as many pings in the same instant, p50 / p95 (ms, median of rounds)",
			burst_floor(results["ping_bursts"]),
			"",
			"",
		),
		("provider requests / most at once", f"{stub_stats['requests']} / {stub_stats['peak']}", "", ""),
	]
	# RSS at the start of the load, once warm (first answers given: a process's first use imports and fills its
	# caches), its peak and at the end; growth is counted from warm, and from the start in brackets
	start_s = results["timeline"]["load_start"] / 1000
	end_s = results["timeline"]["load_end"] / 1000
	warmup = min(60.0, 0.25 * (end_s - start_s))
	during = [sample for at, sample in sampler.samples if at >= start_s] or [before]
	warm = next((sample for at, sample in sampler.samples if at >= start_s + warmup), during[0])
	peak = {name: max(sample[name] for sample in during) for name in before}
	for name in before:
		first = during[0][name]
		growth = (after[name] - warm[name]) / warm[name] * 100 if warm[name] else float("nan")
		from_start = (after[name] - first) / first * 100 if first else float("nan")
		if not after[name]:
			rows.append(
				(
					f"RSS {name} (MB) load start / warm / peak",
					f"{first:.0f} / {warm[name]:.0f} / {peak[name]:.0f} (the process ended during the run)",
					"< 10 % growth",
					"n/a",
				)
			)
			continue
		rows.append(
			(
				f"RSS {name} (MB) load start / warm / peak / end",
				f"{first:.0f} / {warm[name]:.0f} / {peak[name]:.0f} / {after[name]:.0f} "
				f"({growth:+.1f} % from warm, {from_start:+.1f} % from start)",
				"< 10 % growth",
				str(growth < 10),
			)
		)
	rows.append(
		(
			"CPU seconds during the run: web / tutor worker",
			f"{cpu_used['web (gunicorn)']:.0f} / {cpu_used['tutor worker']:.0f}",
			"",
			"",
		)
	)
	rows.append(
		(
			"tutor worker CPU per answer (ms)",
			f"{cpu_used['tutor worker'] / max(1, len(messages)) * 1000:.0f}",
			"",
			"",
		)
	)
	total_peak = max(sum(sample.values()) for sample in during)
	rows.append(("RSS all of the above, peak (MB)", f"{total_peak:.0f}", "< 1500", str(total_peak < 1500)))
	errors = results["errors"]
	print()
	print(
		f"tutor_load: {args.students} students x {args.messages} messages, think {args.think} s, "
		f"first messages within {args.ramp:g} s, "
		f"{args.tutor_processes} tutor process(es) x {args.concurrency} threads, gunicorn "
		f"{args.web_workers}x{args.web_threads}; load phase {seconds:.0f} s (RSS warm = {warmup:.0f} s in)"
	)
	print(
		f"load average before {fmt_load(load_before)}, after {fmt_load(load_after)}, cores {os.cpu_count()}"
	)
	print(table(rows))
	if errors:
		print(f"\n{len(errors)} errors, first: {errors[:3]}")
	if args.json:
		Path(args.json).write_text(
			json.dumps({"rows": rows, "errors": errors, "load": [load_before, load_after]}, indent=1)
		)


def fmt_load(load):
	return " ".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
	main()
