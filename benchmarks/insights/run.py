"""Benchmark the early warning on a bench site (the issue's targets: a 2,000-student school, 10 courses, 3
terms — ``bench --site SITE ai-school-demo --scale large``):

    python benchmarks/insights/run.py --site t6.localhost                  # 3 runs of each, the table
    python benchmarks/insights/run.py --site SITE --bench ~/frappe-bench --runs 5 --students 10
    python benchmarks/insights/run.py --site SITE --only retrain recompute

Each measurement runs in a fresh process of the bench's Python (``BENCH/env/bin/python``), so its peak RSS
(VmHWM, read from /proc at the end) is its own:

* **retrain** — ``ai_school.insights.risk_model.retrain()``: read every student's history in chunks, train,
  validate in time order, store an AI Risk Model version (activated when it qualifies; so the recompute
  below uses the model when the school's history allows). Commits, like the job.
* **recompute** — ``ai_school.insights.risk.recompute_all()``, the daily job: every enabled student's AI
  Student Profile, in committed chunks, with the active version (or the ABC rule).
* **one student** — after a new Assessment Result is submitted for a student (a new plan in the student's
  current course group), ``risk.drain_pending()``: exactly the job's work for that one student (load the
  school's context and active model, read the student's records, score, write the profile). Timed per
  student, for ``--students`` students; rolled back, so the site is unchanged. The job's debounce wait
  (2 s of quiet, to coalesce a class being marked) is not compute time and is not included.

Medians over ``--runs`` runs (over the students for "one student"), with the machine's load average
(1/5/15 min, from /proc/loadavg) before and after, since the numbers depend on what else the machine runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"retrain": 30.0, "recompute": 60.0, "one student": 1.0}
RSS_TARGET_MB = 300.0


# --- the child: one measurement in its own process -------------------------------------------------------


def child(site: str, sites: str, task: str, students: int, seed: int) -> None:
	os.chdir(sites)
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		base = _rss("VmRSS")
		result = {"retrain": _retrain, "recompute": _recompute, "one student": _one_student}[task](
			students, seed
		)
		result.update(base_mb=base, peak_mb=_rss("VmHWM"))
	finally:
		frappe.destroy()
	print("RESULT " + json.dumps(result, default=str))


def _retrain(_students, _seed) -> dict:
	from ai_school.insights import risk_model

	started = time.perf_counter()
	summary = risk_model.retrain()
	seconds = time.perf_counter() - started
	# a version activated queues a recompute of every profile on the site's worker: let it finish, so it
	# does not run alongside the next measurement
	waited = _wait_for_job("ai_school:insights:recompute_all")
	return {"seconds": [seconds], "summary": summary, "waited": waited}


def _wait_for_job(job_id: str, longest: float = 900) -> float:
	from frappe.utils.background_jobs import get_job

	started = time.perf_counter()
	while time.perf_counter() - started < longest:
		job = get_job(job_id)
		if job is None or job.get_status() not in ("queued", "started", "deferred", "scheduled"):
			break
		time.sleep(2)
	return time.perf_counter() - started


def _recompute(_students, _seed) -> dict:
	import frappe

	from ai_school.insights import risk

	_wait_for_job("ai_school:insights:recompute_all")  # nothing of ours on the worker meanwhile
	started = time.perf_counter()
	written = risk.recompute_all()
	seconds = time.perf_counter() - started
	active = frappe.get_all("AI Risk Model", filters={"status": "Active"}, pluck="name")
	return {"seconds": [seconds], "written": written, "scoring": active[0] if active else "ABC rule"}


def _one_student(count: int, seed: int) -> dict:
	import frappe
	from frappe.utils import nowdate

	from ai_school import education_data
	from ai_school.insights import risk

	term = education_data.get_current_academic_term()
	groups = frappe.get_all(
		"Student Group",
		filters={"academic_term": term, "group_based_on": "Course", "disabled": 0},
		fields=["name", "course"],
	)
	rng = random.Random(seed)
	picks = []
	for group in rng.sample(groups, min(count, len(groups))):
		members = frappe.get_all(
			"Student Group Student", filters={"parent": group.name, "active": 1}, pluck="student"
		)
		if members:
			picks.append((group, rng.choice(sorted(members))))
	# the tree's root ("All Assessment Groups" on a fresh site): the quizzes go under it
	root = frappe.db.get_value(
		"Assessment Group", {"is_group": 1, "parent_assessment_group": ("is", "not set")}
	)
	seconds, submit_seconds = [], []
	frappe.db.savepoint("benchmark")
	try:
		for n, (group, student) in enumerate(picks):
			criteria = frappe.get_all(
				"Course Assessment Criteria",
				filters={"parent": group.course},
				fields=["assessment_criteria", "weightage"],
			)
			assessment_group = frappe.get_doc(
				{
					"doctype": "Assessment Group",
					"assessment_group_name": f"Benchmark quiz {frappe.generate_hash(length=6)}",
					"parent_assessment_group": root,
				}
			).insert(ignore_permissions=True)
			plan = frappe.get_doc(
				{
					"doctype": "Assessment Plan",
					"assessment_name": f"Benchmark quiz {n}",
					"student_group": group.name,
					"course": group.course,
					"assessment_group": assessment_group.name,
					"schedule_date": nowdate(),
					"from_time": "20:00:00",
					"to_time": "20:30:00",
					"maximum_assessment_score": sum(c.weightage for c in criteria),
					"assessment_criteria": [
						{"assessment_criteria": c.assessment_criteria, "maximum_score": c.weightage}
						for c in criteria
					],
				}
			).insert(ignore_permissions=True)
			plan.submit()
			frappe.cache.delete_value(risk.PENDING_KEY)
			started = time.perf_counter()
			result = frappe.get_doc(
				{
					"doctype": "Assessment Result",
					"assessment_plan": plan.name,
					"student": student,
					"student_group": group.name,
					"course": group.course,
					"maximum_score": plan.maximum_assessment_score,
					"details": [
						{"assessment_criteria": c.assessment_criteria, "score": round(c.weightage * 0.3)}
						for c in criteria
					],
				}
			).insert(ignore_permissions=True)
			result.submit()  # doc_events: the student goes into the recompute set
			submitted = time.perf_counter()
			written = risk.drain_pending(commit=False)
			seconds.append(time.perf_counter() - submitted)
			submit_seconds.append(submitted - started)
			if written != 1:
				raise RuntimeError(f"expected one profile for {student}, the job wrote {written}")
	finally:
		frappe.db.rollback(save_point="benchmark")
		frappe.cache.delete_value(risk.PENDING_KEY)
	return {"seconds": seconds, "submit_seconds": submit_seconds, "students": len(picks)}


def _rss(field: str) -> float:
	for line in Path("/proc/self/status").read_text().splitlines():
		if line.startswith(field + ":"):
			return int(line.split()[1]) / 1024
	return float("nan")


# --- the parent: runs, medians, the table ----------------------------------------------------------------


def load() -> str:
	return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(args, task: str) -> dict:
	python = Path(args.bench) / "env" / "bin" / "python"
	before = load()
	found = subprocess.run(
		[
			str(python),
			__file__,
			"--child",
			task,
			"--site",
			args.site,
			"--bench",
			args.bench,
			"--students",
			str(args.students),
			"--seed",
			str(args.seed),
		],
		capture_output=True,
		text=True,
		check=False,
	)
	lines = [line for line in found.stdout.splitlines() if line.startswith("RESULT ")]
	if found.returncode or not lines:
		sys.exit(f"{task} failed:\n{found.stdout[-3000:]}\n{found.stderr[-3000:]}")
	result = json.loads(lines[-1][len("RESULT ") :])
	result["load"] = (before, load())
	return result


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--bench", default=os.environ.get("FRAPPE_BENCH", "/opt/frappe-bench"))
	parser.add_argument("--runs", type=int, default=3)
	parser.add_argument("--students", type=int, default=5, help="students timed for 'one student'")
	parser.add_argument("--seed", type=int, default=1)
	parser.add_argument(
		"--only", nargs="+", choices=list(TARGETS), default=list(TARGETS), help="measurements to run"
	)
	parser.add_argument("--child", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.child:
		child(args.site, str(Path(args.bench) / "sites"), args.child, args.students, args.seed)
		return

	print(f"site {args.site}, {args.runs} run(s) each; load average (1/5/15 min) at start: {load()}")
	rows, last = [], {}
	for task in [t for t in TARGETS if t in args.only]:
		results = []
		for run in range(args.runs):
			result = measure(args, task)
			if task == "one student":
				args.seed += 1  # other students each run
			results.append(result)
			secs = ", ".join(f"{s:.2f}" for s in result["seconds"])
			waited = (
				f"; then waited {result['waited']:.0f} s for the recompute it queued"
				if "waited" in result
				else ""
			)
			print(
				f"  {task} run {run + 1}: {secs} s, peak RSS {result['peak_mb']:.0f} MB, "
				f"load {result['load'][0]} -> {result['load'][1]}{waited}"
			)
		seconds = [s for r in results for s in r["seconds"]]
		peaks = [r["peak_mb"] for r in results]
		rows.append(
			(
				task,
				statistics.median(seconds),
				min(seconds),
				max(seconds),
				len(seconds),
				statistics.median(peaks),
				statistics.median(r["base_mb"] for r in results),
				f"{results[0]['load'][0]} → {results[-1]['load'][1]}",
			)
		)
		last[task] = results[-1]

	print()
	print(
		f"| {'measurement':<12} | {'target':>7} | {'median s':>8} | {'min–max s':>13} | {'n':>3} | "
		f"{'peak RSS MB':>11} | {'RSS at start':>12} | load average (1/5/15 min), first run's start → last run's end |"
	)
	print(f"|{'-' * 14}|{'-' * 9}:|{'-' * 10}:|{'-' * 15}:|{'-' * 5}:|{'-' * 13}:|{'-' * 14}:|{'-' * 44}|")
	for task, median, low, high, n, peak, base, loads in rows:
		print(
			f"| {task:<12} | < {TARGETS[task]:>3.0f} s | {median:>8.2f} | {low:>6.2f}–{high:<6.2f} | {n:>3} | "
			f"{peak:>11.0f} | {base:>12.0f} | {loads} |"
		)
	print(
		f"\nPeak RSS target {RSS_TARGET_MB:.0f} MB (the full recompute). RSS at start: after frappe.connect()."
	)
	if "recompute" in last:
		print(
			f"recompute wrote {last['recompute']['written']} profiles, scoring with {last['recompute']['scoring']}"
		)
	if "one student" in last:
		submits = last["one student"]["submit_seconds"]
		print(f"one student: submitting the result itself took {statistics.median(submits):.2f} s (median)")
	if "retrain" in last:
		summary = last["retrain"]["summary"]
		print(f"\nretrain: {summary.get('version')} {summary.get('status')}\n{summary.get('message')}")
		print(json.dumps({k: summary.get(k) for k in ("metrics", "trained_on")}, indent=1))


if __name__ == "__main__":
	main()
