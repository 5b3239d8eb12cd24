"""Solve a Timetable Plan in a background job and store the result on the plan.

The solver (OR-Tools) is imported inside the job only. The job holds no transaction while the solver runs
(see `solve_plan`). A failing job rolls back its write, logs the traceback and marks the plan Failed: a plan
is never left half-written.
"""

from __future__ import annotations

import time

import frappe
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.background_jobs import is_job_enqueued

from ai_school.timetable import planning, publishing

PROGRESS_EVENT = "ai_school:timetable_progress"
SOLVE_TIMEOUT_MARGIN = 300


def solve_job_id(plan: str) -> str:
	return f"ai_school:timetable:{plan}"


def is_solving(doc) -> bool:
	"""A solve is queued or running. A plan left in 'Solving' by a killed worker can be solved again."""
	return doc.status == "Solving" and is_job_enqueued(solve_job_id(doc.name))


def enqueue_solve(doc) -> None:
	publishing.refuse_if_publishing(publishing.lock_plan(doc.name))
	if is_solving(doc):
		frappe.throw(_("Timetable Plan {0} is already being solved; wait for it to finish").format(doc.name))
	if not doc.lessons:
		frappe.throw(_("Add lessons first, e.g. with 'Load from Student Groups'"))
	doc.db_set({"status": "Solving", "explanation": None})
	frappe.enqueue(
		"ai_school.timetable.solving.solve_plan",
		queue="long",
		timeout=int(doc.time_limit or 30) * 2 + SOLVE_TIMEOUT_MARGIN,
		job_id=solve_job_id(doc.name),
		deduplicate=True,
		enqueue_after_commit=True,
		plan=doc.name,
		user=frappe.session.user,
	)


def solve_plan(plan: str, user: str | None = None, commit: bool = True) -> None:
	"""Background job: read the plan, solve it with no transaction open, then write the result.

	The reading transaction is committed before the solver starts, so nothing is held for the minutes a solve
	takes (no snapshot, no row lock). The result is written in a new transaction that locks the plan row
	first and reads the plan afresh: a form saved while the solver ran keeps its changes and does not make
	the job fail; the result notes that it was computed from the plan as it was when the solve started.
	`commit=False` keeps everything in the caller's transaction (tests, the console).
	"""
	try:
		doc = frappe.get_doc("Timetable Plan", plan)
		problem = planning.build_problem(doc)
		hint = planning.previous_hint(doc, problem)
		read_at = doc.modified
		options = {
			"time_limit": float(doc.time_limit or 30),
			"seed": int(doc.seed or 0),
			"hint": hint or None,
			"minimize_moves": 1 if hint and doc.keep_placements else 0,
		}
		memory_mb = frappe.db.get_single_value("AI School Settings", "timetable_memory_mb")
		if memory_mb:  # blank or 0: the engine's default
			options["memory_mb"] = memory_mb
	except Exception:
		_failed(plan, user)
		return
	if commit:
		frappe.db.commit()
	try:
		solution = solve_with_progress(problem, plan=plan, user=user, **options)
	except Exception:
		_failed(plan, user)
		return
	frappe.db.savepoint("timetable_solve")
	try:
		frappe.db.get_value("Timetable Plan", plan, "name", for_update=True)  # first read: current data
		doc = frappe.get_doc("Timetable Plan", plan)
		store_result(doc, problem, solution)
		if str(doc.modified) != str(read_at):
			doc.explanation = "\n".join(
				filter(
					None,
					[
						_(
							"The plan was saved while the solver ran; this result is for the plan as it was "
							"when the solve started. Solve again to include the changes."
						),
						doc.explanation,
					],
				)
			)
		planning.save_computed(doc, ignore_permissions=True)
	except Exception:
		frappe.db.rollback(save_point="timetable_solve")
		_failed(plan, user)
		return
	_notify_done(plan, user, doc.status)
	if commit:
		frappe.db.commit()


def _failed(plan: str, user: str | None) -> None:
	frappe.log_error(
		title=f"Timetable Plan {plan}: solve failed",
		reference_doctype="Timetable Plan",
		reference_name=plan,
	)
	frappe.db.set_value("Timetable Plan", plan, "status", "Failed", update_modified=False)
	_notify_done(plan, user, "Failed")


def store_result(doc, problem, solution) -> None:
	explanation = list(solution.explanation)
	if solution.memory_limited:
		explanation.append(
			_("The memory budget is set in AI School Settings (Timetable Solve Memory Budget).")
		)
	doc.solver_status = solution.status
	doc.time_to_first_solution = solution.time_to_first_solution
	doc.wall_time = solution.wall_time
	doc.objective = solution.objective
	doc.lessons_moved = solution.moved or 0
	doc.solved_on = now_datetime()
	if solution.found:
		report = solution.report
		planning.save_solution(doc, problem, solution)
		doc.status = "Solved"
		doc.hard_violations = len(report.hard_violations) if report else 0
		doc.soft_cost = report.soft_cost if report else 0
		doc.violation_summary = summarize(report)
		doc.explanation = "\n".join(explanation) or None
	else:
		doc.status = "Infeasible" if solution.status == "INFEASIBLE" else "Failed"
		doc.hard_violations = 0
		doc.soft_cost = 0
		doc.violation_summary = None
		doc.explanation = "\n".join(explanation) or _("The solver found no timetable ({0}).").format(
			solution.status
		)


def summarize(report, limit: int = 50) -> str:
	"""The violations in words: hard ones first, then the soft cost per preference."""
	if report is None:
		return ""
	lines = []
	if report.hard_violations:
		lines.append(_("{0} hard violation(s):").format(len(report.hard_violations)))
		lines += [f"- {v.message}" for v in report.hard_violations[:limit]]
	else:
		lines.append(_("No clashes: every lesson placed, no instructor, student or room double-booked."))
	if report.breakdown:
		lines.append(_("Preferences not fully met (soft cost {0}):").format(report.soft_cost))
		lines += [
			f"- {label}: {cost}" for label, cost in sorted(report.breakdown.items(), key=lambda kv: -kv[1])
		]
		lines += [f"  · {v.message}" for v in report.soft_violations[:limit]]
	return "\n".join(lines)


def solve_with_progress(problem, *, plan: str, user: str | None, time_limit: float, **options):
	"""Run the solver in a thread and report progress from this one.

	The solver calls back from its own threads, where frappe's request context does not exist; so the
	callback only records the latest event and this thread publishes it, once a second.
	"""
	import threading

	from ai_school.core.timetable.solver import solve

	latest: dict = {}
	outcome: dict = {}

	def run() -> None:
		try:
			outcome["solution"] = solve(
				problem, time_limit=time_limit, num_workers=2, progress=latest.update, **options
			)
		except Exception as exc:
			outcome["error"] = exc

	started = time.monotonic()
	thread = threading.Thread(target=run, name=f"timetable-solve-{plan}", daemon=True)
	thread.start()
	while thread.is_alive():
		thread.join(1.0)
		if thread.is_alive():
			publish_progress(plan, user, (time.monotonic() - started) / max(time_limit, 0.1), dict(latest))
	if "error" in outcome:
		raise outcome["error"]
	return outcome["solution"]


def publish_progress(plan: str, user: str | None, fraction: float, event: dict) -> None:
	percent = max(1, min(99, int(100 * fraction)))
	objective = event.get("objective")
	if objective is not None:
		description = _("Best soft cost so far: {0}").format(int(objective))
	elif event:
		description = _("Timetable found, improving it")
	else:
		description = _("Looking for a timetable")
	frappe.publish_progress(
		percent, title=_("Solving timetable"), doctype="Timetable Plan", docname=plan, description=description
	)
	frappe.publish_realtime(
		PROGRESS_EVENT,
		{"plan": plan, "percent": percent, "description": description, "phase": event.get("phase")},
		user=user,
		doctype="Timetable Plan",
		docname=plan,
	)


def _notify_done(plan: str, user: str | None, status: str) -> None:
	frappe.publish_realtime(
		PROGRESS_EVENT,
		{"plan": plan, "percent": 100, "status": status, "done": True},
		user=user,
		doctype="Timetable Plan",
		docname=plan,
		after_commit=True,
	)
