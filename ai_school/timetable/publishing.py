"""Publish a solved Timetable Plan as Course Schedules, one per lesson and date of the term.

Dates: every date from max(term start, today) to the term end whose weekday is a working day of the plan,
minus the company's holidays. Past dates are never touched: their schedules may carry attendance.

One publisher per plan at a time. Every publishing transaction starts by locking the plan's row
(`SELECT ... FOR UPDATE`, `lock_plan`) as its first read, so what it reads after that is current, and a
second publisher waits for the first to commit. A publish is refused while a background one is queued or
running (`publish_status` and the job id).

- Small plans (up to INLINE_LIMIT schedules) publish inside the request, in one transaction: this plan's
  schedules from the first date on are deleted and the new ones inserted; on any error everything rolls back.
- Larger ones publish in a background job that commits in batches of BATCH_SIZE, each batch its own
  transaction under the plan lock: the previous schedules are removed, then the new ones written. The form
  shows `publish_status` and `publish_progress` ("Writing 3,000 of 12,000 Course Schedules"); the plan reads
  "Publishing" until the last batch landed and only then "Published". A failed or killed run is resumed by
  publishing again: it keeps the run's first date, skips what was already removed (`publish_old_removed`) and
  the schedules already written (matched on group, course, instructor, room, date and times). Each run has a
  token (`publish_run`); a job whose token was taken over stops at its next batch.

Replaced schedules are deleted in bulk, after checking what links to them as the ORM would on delete: any
other record that is not cancelled (attendance, leave applications...) refuses the publish; Instructor
Absence cover is handled by `absence.release_schedules` (applied cover refuses, proposals are dropped), so
every open absence can still be applied or cancelled.

Speed: Course Schedule's own validate() runs six overlap queries per insert against the whole table, which
grows quadratic over a term. The plan's lessons are already proved conflict-free by the core validator, and
before writing, the new schedules are checked together with every other schedule of those dates by the same
validator (`conflicts.find_conflicts`). So the inserts skip validate() (flags.ignore_validate); the
instructor name is filled in bulk and Education's own controller methods set the title and the colour; links
and mandatory fields are still checked.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, to_timedelta, today
from frappe.utils.background_jobs import is_job_enqueued

from ai_school import education_data
from ai_school.core.timetable.validator import validate
from ai_school.timetable import absence, planning
from ai_school.timetable.conflicts import find_conflicts

INLINE_LIMIT = 1500
BATCH_SIZE = 500
PROGRESS_EVERY = 250
IN_PROGRESS = ("Queued", "Running")
PUBLISHED_EVENT = "ai_school:timetable_published"
STATE_FIELDS = [
	"name",
	"status",
	"modified",
	"publish_status",
	"publish_run",
	"publish_start",
	"publish_old_removed",
	"publish_done",
	"publish_total",
]
# The links a bulk delete must handle itself; others (attendance, leave applications...) refuse the publish.
HANDLED_LINKS = {"Instructor Absence Cover"}


class PublishSuperseded(Exception):
	"""Another publish took this plan over; this job stops without touching it."""


def publish_job_id(plan: str) -> str:
	return f"ai_school:timetable_publish:{plan}"


# --- the plan lock --------------------------------------------------------------------------------------


def lock_plan(plan: str) -> frappe._dict:
	"""The plan's publishing state, its row locked until the transaction ends."""
	try:
		state = frappe.db.get_value("Timetable Plan", plan, STATE_FIELDS, as_dict=True, for_update=True)
	except frappe.QueryDeadlockError:
		# MariaDB's snapshot isolation refuses to lock a row changed since this transaction's first read
		frappe.throw(
			_(
				"Timetable Plan {0} was changed by another publish a moment ago; reload it and try again"
			).format(plan),
			title=_("Cannot publish"),
		)
	if not state:
		frappe.throw(_("Timetable Plan {0} not found").format(plan), frappe.DoesNotExistError)
	return state


def is_publishing(state) -> bool:
	"""A background publish of the plan is queued or running. One left 'Running' by a killed worker is not:
	publishing again resumes it."""
	return state.publish_status in IN_PROGRESS and is_job_enqueued(publish_job_id(state.name))


def refuse_if_publishing(state) -> None:
	if is_publishing(state):
		frappe.throw(
			_("Timetable Plan {0} is being published ({1}); wait for it to finish").format(
				state.name, _(state.publish_status)
			),
			title=_("Publishing in progress"),
		)


# --- the schedules the plan stands for ---------------------------------------------------------------------


def plan_schedules(doc, start: date | None = None) -> tuple[list[dict], frappe._dict]:
	"""The Course Schedules the plan stands for (not yet inserted) and facts about the dates used."""
	if doc.status not in ("Solved", "Published", "Publishing"):
		frappe.throw(_("Only a solved plan can be published (status: {0})").format(_(doc.status)))
	problem = planning.stored_problem(doc)
	assignments = planning.stored_assignments(doc)
	report = validate(problem, assignments)
	if not report.is_valid:
		frappe.throw(
			"<br>".join(
				[_("The timetable has clashes; fix them before publishing:"), *report.messages()[:20]]
			),
			title=_("Cannot publish"),
		)
	periods = planning.period_rows(doc)
	if len(periods) != problem.periods_per_day:
		frappe.throw(_("The period template changed since the plan was solved; solve it again"))

	term = education_data.get_term_dates(doc.academic_term)
	end = getdate(term.term_end_date)
	start = start or max(getdate(term.term_start_date), getdate(today()))
	holidays = education_data.get_company_holidays(doc.company)
	info = frappe._dict(start=start, end=end, skipped_holidays=0, notes=[])
	if not holidays.holiday_list:
		info.notes.append(
			_("Company {0} has no default holiday list: no dates were skipped").format(doc.company)
		)
	elif getdate(holidays.from_date) > start or getdate(holidays.to_date) < end:
		info.notes.append(
			_(
				"Holiday list {0} covers {1} to {2} only; dates outside it were scheduled without a holiday check"
			).format(holidays.holiday_list, holidays.from_date, holidays.to_date)
		)
	holiday_dates = {getdate(d) for d in holidays.dates}

	lessons = problem.lesson_map()
	groups = {le.tags[0] for le in lessons.values() if le.tags}
	programs = {g.name: g.program for g in education_data.get_student_group_details(sorted(groups))}
	instructor_names = education_data.get_instructor_names(
		sorted({t for le in lessons.values() for t in le.teachers})
	)
	palette = schedule_colours()
	colours: dict[str, str | None] = {}
	by_day: dict[int, list] = {}
	for lesson_id, placed in assignments.items():
		lesson = lessons[lesson_id]
		if not lesson.teachers:
			frappe.throw(_("Lesson {0} has no instructor; a Course Schedule needs one").format(lesson_id))
		if not placed.room:
			frappe.throw(_("Lesson {0} has no room; add Rooms and solve again").format(lesson_id))
		course = lesson.tags[1] if len(lesson.tags) > 1 and lesson.tags[1] else lesson.subject
		colour = colours.setdefault(course, palette[len(colours) % len(palette)] if palette else None)
		instructor = lesson.teachers[0]
		last = placed.period + lesson.duration - 1
		by_day.setdefault(placed.day, []).append(
			{
				"doctype": "Course Schedule",
				"naming_series": "EDU-CSH-.YYYY.-",
				"student_group": lesson.tags[0],
				"course": course,
				"program": programs.get(lesson.tags[0]),
				"instructor": instructor,
				"instructor_name": instructor_names.get(instructor) or instructor,
				"room": placed.room,
				"from_time": periods[placed.period].from_time,
				"to_time": periods[last].to_time,
				"class_schedule_color": colour,
				"timetable_plan": doc.name,
			}
		)

	weekday_to_day = {planning.WEEKDAYS.index(name): i for i, name in enumerate(problem.days)}
	out = []
	for day in _dates(start, end):
		index = weekday_to_day.get(day.weekday())
		if index is None or index not in by_day:
			continue
		if day in holiday_dates:
			info.skipped_holidays += 1
			continue
		out += [{**row, "schedule_date": day} for row in by_day[index]]
	return out, info


def schedule_colours() -> list[str]:
	"""Education's own choice of schedule colours (the Select options its controller maps to a hex colour),
	one per course in turn."""
	options = frappe.get_meta("Course Schedule").get_options("class_schedule_color") or ""
	return [option for option in options.split("\n") if option]


def _dates(start: date, end: date):
	day = start
	while day <= end:
		yield day
		day += timedelta(days=1)


def insert_schedule(row: dict):
	schedule = frappe.get_doc(row)
	# what Course Schedule's validate/before_save would set, by Education's own code (see the module docstring)
	schedule.set_title()
	schedule.set_hex_color()
	schedule.flags.ignore_validate = True
	schedule.insert(ignore_permissions=True)
	return schedule


def schedule_key(row) -> tuple:
	"""What makes two schedules of one plan the same lesson on the same date (for resuming a run)."""
	return (
		row["student_group"],
		row["course"],
		row["instructor"],
		row["room"],
		getdate(row["schedule_date"]),
		to_timedelta(str(row["from_time"])),
		to_timedelta(str(row["to_time"])),
	)


# --- checks before anything is replaced ------------------------------------------------------------------


def check_conflicts(rows: list[dict], info, plan: str) -> None:
	"""The new schedules must not clash with each other or with any other schedule of those dates (this plan's
	own schedules from the first date on are the ones being replaced)."""
	existing = [
		s
		for s in education_data.get_course_schedules(info.start, info.end)
		if not (s.timetable_plan == plan and getdate(s.schedule_date) >= getdate(info.start))
	]
	new = [{**row, "name": f"new-{i}"} for i, row in enumerate(rows)]
	clashes = [
		c for c in find_conflicts(existing + new) if any(n.startswith("new-") for n in c["schedule_names"])
	]
	if clashes:
		lines = [f"{c['date']} {c['conflict']}: {c['details']}" for c in clashes[:20]]
		frappe.throw(
			"<br>".join([_("Publishing would clash with existing Course Schedules:"), *lines]),
			title=_("Cannot publish"),
		)


def check_replaceable(names: list[str], start) -> None:
	"""Refuse if a record other than absence cover links to one of the schedules about to be replaced (the
	ORM's rule on delete, checked in bulk), and let the absences release theirs."""
	if not names:
		return
	with_attendance = education_data.count_attendance_of_schedules(names)
	if with_attendance:
		frappe.throw(
			_(
				"{0} attendance record(s) point to this plan's schedules from {1} on; they cannot be replaced"
			).format(with_attendance, start)
		)
	from frappe.model.rename_doc import get_link_fields

	ignored = set(frappe.get_hooks("ignore_links_on_delete")) | HANDLED_LINKS | {"Student Attendance"}
	for link in get_link_fields("Course Schedule"):
		if link["issingle"] or link["parent"] in ignored or link["parent"] == "Course Schedule":
			continue
		count = sum(
			frappe.db.count(link["parent"], {link["fieldname"]: ("in", chunk), "docstatus": ("<", 2)})
			for chunk in _chunks(names, 1000)
		)
		if count:
			frappe.throw(
				_(
					"{0} {1} record(s) point to this plan's schedules from {2} on; they cannot be replaced"
				).format(count, _(link["parent"]), start)
			)
	absence.release_schedules(names)


def remove_schedules(names: list[str]) -> None:
	"""Delete replaced schedules in bulk (after check_replaceable)."""
	for chunk in _chunks(names, 1000):
		frappe.db.delete("Course Schedule", {"name": ("in", chunk)})


def _chunks(items: list, size: int):
	for i in range(0, len(items), size):
		yield items[i : i + size]


# --- publishing -------------------------------------------------------------------------------------------


def enqueue_or_publish(doc) -> dict:
	"""Publish now if small; otherwise queue a background job with progress.

	Call it at the start of a transaction (the API commits first): the plan lock must be the first read."""
	state = lock_plan(doc.name)
	refuse_if_publishing(state)
	doc = frappe.get_doc("Timetable Plan", doc.name)  # read after the lock
	resuming = doc.status == "Publishing" and state.publish_start
	rows, _info = plan_schedules(doc, getdate(state.publish_start) if resuming else None)
	if len(rows) <= INLINE_LIMIT:
		return {"queued": False, **publish_plan(doc.name, frappe.session.user, locked=True)}
	run = start_run(doc.name, len(rows), resume=bool(resuming))
	frappe.enqueue(
		"ai_school.timetable.publishing.publish_job",
		queue="long",
		timeout=3600 * 3,
		job_id=publish_job_id(doc.name),
		deduplicate=True,
		enqueue_after_commit=True,
		plan=doc.name,
		user=frappe.session.user,
		run=run,
	)
	return {"queued": True, "count": len(rows)}


def start_run(plan: str, total: int, resume: bool) -> str:
	"""Mark the plan as queued for a background publish (the caller holds the plan lock); returns the run's
	token, which the job must present at every batch. Resuming keeps the run's first date and the removal
	of the previous schedules."""
	run = frappe.generate_hash(length=16)
	values = {
		"publish_status": "Queued",
		"publish_run": run,
		"publish_total": total,
		"publish_progress": _("Queued: {0} Course Schedules to write").format(f"{total:,}"),
	}
	if not resume:
		values.update(publish_start=None, publish_old_removed=0, publish_done=0)
	_set_state(plan, **values)
	return run


def publish_plan(plan: str, user: str | None = None, locked: bool = False) -> dict:
	"""Replace the plan's Course Schedules from today on by the current timetable, all or nothing, in the
	caller's transaction."""
	frappe.db.savepoint("timetable_publish")
	try:
		if not locked:
			refuse_if_publishing(lock_plan(plan))
		doc = frappe.get_doc("Timetable Plan", plan)
		rows, info = plan_schedules(doc)
		old = education_data.get_plan_schedules(plan, info.start)
		check_replaceable(old, info.start)
		check_conflicts(rows, info, plan)
		remove_schedules(old)
		for number, row in enumerate(rows, start=1):
			insert_schedule(row)
			if number % PROGRESS_EVERY == 0:
				frappe.publish_progress(
					int(100 * number / len(rows)),
					title=_("Publishing timetable"),
					doctype="Timetable Plan",
					docname=plan,
					description=_("{0} of {1} Course Schedules").format(number, len(rows)),
				)
		finish(doc, info, len(rows), len(old))
	except Exception:
		frappe.db.rollback(save_point="timetable_publish")
		raise
	return {
		"created": len(rows),
		"replaced": len(old),
		"skipped_holidays": info.skipped_holidays,
		"notes": info.notes,
	}


def finish(doc, info, created: int, replaced: int) -> None:
	"""All schedules landed: only now does the plan read Published."""
	doc.status = "Published"
	doc.published_from = info.start
	doc.published_to = info.end
	doc.published_count = created
	doc.published_on = now_datetime()
	doc.publish_notes = "\n".join(
		[
			_("Replaced {0} schedule(s); skipped {1} holiday date(s)").format(
				replaced, info.skipped_holidays
			),
			*info.notes,
		]
	)
	doc.update(
		{
			"publish_status": "Done",
			"publish_progress": None,
			"publish_done": created,
			"publish_total": created,
			"publish_start": None,
			"publish_old_removed": 0,
			"publish_run": None,
		}
	)
	planning.save_computed(doc, ignore_permissions=True)


def publish_job(plan: str, user: str | None = None, run: str | None = None) -> None:
	"""Background job: publish in committed batches; report the outcome to the user who asked."""
	try:
		result = publish_in_batches(plan, run)
	except PublishSuperseded:
		frappe.db.rollback()
		return
	except Exception as exc:
		frappe.db.rollback()
		frappe.log_error(
			title=f"Timetable Plan {plan}: publish failed",
			reference_doctype="Timetable Plan",
			reference_name=plan,
		)
		message = str(exc) or type(exc).__name__
		mark_failed(plan, run, message)
		result = {"error": message}
	frappe.publish_realtime(
		PUBLISHED_EVENT,
		{"plan": plan, **result},
		user=user,
		doctype="Timetable Plan",
		docname=plan,
		after_commit=True,
	)
	frappe.db.commit()


def publish_in_batches(plan: str, run: str | None, batch_size: int | None = None) -> dict:
	"""Claim the run, remove the previous schedules and write the new ones, committing every batch."""
	batch_size = batch_size or BATCH_SIZE
	frappe.db.commit()  # start afresh: the plan lock must be this transaction's first read
	state = _own(plan, run)
	doc = frappe.get_doc("Timetable Plan", plan)
	resuming = doc.status == "Publishing" and state.publish_start
	rows, info = plan_schedules(doc, getdate(state.publish_start) if resuming else None)
	old = [] if state.publish_old_removed else education_data.get_plan_schedules(plan, info.start)
	check_replaceable(old, info.start)
	check_conflicts(rows, info, plan)
	total = len(rows)
	_set_state(
		plan,
		status="Publishing",
		publish_status="Running",
		publish_start=info.start,
		publish_total=total,
		publish_progress=_("Removing {0} previous Course Schedules").format(f"{len(old):,}")
		if old
		else _("Writing Course Schedules"),
	)
	frappe.db.commit()

	for number, chunk in enumerate(_chunks(old, batch_size), start=1):
		_own(plan, run)
		check_replaceable(chunk, info.start)  # anything linked since the first check
		remove_schedules(chunk)
		_set_state(
			plan,
			publish_progress=_("Removed {0} of {1} previous Course Schedules").format(
				f"{min(number * batch_size, len(old)):,}", f"{len(old):,}"
			),
		)
		frappe.db.commit()
	if not state.publish_old_removed:
		_own(plan, run)
		_set_state(plan, publish_old_removed=1)
		frappe.db.commit()

	written = Counter(
		schedule_key(s)
		for s in education_data.get_course_schedules(info.start, info.end)
		if s.timetable_plan == plan and getdate(s.schedule_date) >= getdate(info.start)
	)
	todo = []
	for row in rows:
		key = schedule_key(row)
		if written[key] > 0:
			written[key] -= 1
		else:
			todo.append(row)
	done = total - len(todo)
	for chunk in _chunks(todo, batch_size):
		_own(plan, run)
		for row in chunk:
			insert_schedule(row)
		done += len(chunk)
		progress = _("Writing {0} of {1} Course Schedules").format(f"{done:,}", f"{total:,}")
		_set_state(plan, publish_done=done, publish_progress=progress)
		frappe.db.commit()
		frappe.publish_progress(
			int(100 * done / max(total, 1)),
			title=_("Publishing timetable"),
			doctype="Timetable Plan",
			docname=plan,
			description=progress,
		)

	_own(plan, run)
	finish(frappe.get_doc("Timetable Plan", plan), info, total, len(old))
	frappe.db.commit()
	return {
		"created": total,
		"replaced": len(old),
		"resumed": total - len(todo),
		"skipped_holidays": info.skipped_holidays,
		"notes": info.notes,
	}


def _own(plan: str, run: str | None) -> frappe._dict:
	"""Lock the plan for this batch; stop if another publish took it over."""
	state = lock_plan(plan)
	if not run or state.publish_run != run:
		raise PublishSuperseded(plan)
	return state


def _set_state(plan: str, **values) -> None:
	frappe.db.set_value("Timetable Plan", plan, values, update_modified=False)


def mark_failed(plan: str, run: str | None, message: str) -> None:
	"""Record a failed run on the plan (unless another run took over): publishing again resumes it."""
	state = lock_plan(plan)
	if run and state.publish_run != run:
		return
	done = state.publish_done or 0
	_set_state(
		plan,
		publish_status="Failed",
		publish_progress=_("Failed after {0} of {1} Course Schedules: {2}. Publish again to resume.").format(
			f"{done:,}", f"{state.publish_total or 0:,}", message[:500]
		),
	)
	frappe.db.commit()
