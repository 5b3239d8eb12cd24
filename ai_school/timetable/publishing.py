"""Publish a solved Timetable Plan as Course Schedules, one per lesson and date of the term.

Dates: every date from max(term start, today) to the term end whose weekday is a working day of the plan,
minus the company's holidays. Past dates are never touched: their schedules may carry attendance.
Re-publishing deletes this plan's schedules from that date on and inserts the new ones, in one transaction
(a savepoint): on any error everything rolls back and the previous schedules stay.

Speed: Course Schedule's own validate() runs six overlap queries per insert against the whole table, which
grows quadratic over a term. The plan's lessons are already proved conflict-free by the core validator, and
before writing, the new schedules are checked together with every other schedule of those dates by the same
validator (`conflicts.find_conflicts`). So the inserts skip validate() (flags.ignore_validate) and set the
fields it would derive (instructor name, title, colour); links and mandatory fields are still checked.
"""

from __future__ import annotations

from datetime import date, timedelta

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, today

from ai_school import education_data
from ai_school.core.timetable.validator import validate
from ai_school.timetable import planning
from ai_school.timetable.conflicts import find_conflicts

INLINE_LIMIT = 1500
PROGRESS_EVERY = 250
COLORS = ["blue", "green", "orange", "purple", "pink", "yellow"]
HEX = {
	"blue": "#449CF0",
	"green": "#29CD42",
	"orange": "#EC864B",
	"purple": "#761ACB",
	"pink": "#ED6396",
	"yellow": "#ECAD4B",
}


def publish_job_id(plan: str) -> str:
	return f"ai_school:timetable_publish:{plan}"


def plan_schedules(doc) -> tuple[list[dict], frappe._dict]:
	"""The Course Schedules the plan stands for (not yet inserted) and facts about the dates used."""
	if doc.status not in ("Solved", "Published"):
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
	start, end = max(getdate(term.term_start_date), getdate(today())), getdate(term.term_end_date)
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
	colors = {}
	by_day: dict[int, list] = {}
	for lesson_id, placed in assignments.items():
		lesson = lessons[lesson_id]
		if not lesson.teachers:
			frappe.throw(_("Lesson {0} has no instructor; a Course Schedule needs one").format(lesson_id))
		if not placed.room:
			frappe.throw(_("Lesson {0} has no room; add Rooms and solve again").format(lesson_id))
		course = lesson.tags[1] if len(lesson.tags) > 1 and lesson.tags[1] else lesson.subject
		color = colors.setdefault(course, COLORS[len(colors) % len(COLORS)])
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
				"title": f"{course} by {instructor_names.get(instructor) or instructor}",
				"room": placed.room,
				"from_time": periods[placed.period].from_time,
				"to_time": periods[last].to_time,
				"class_schedule_color": color,
				"color": HEX[color],
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


def _dates(start: date, end: date):
	day = start
	while day <= end:
		yield day
		day += timedelta(days=1)


def publish_plan(plan: str, user: str | None = None) -> dict:
	"""Replace the plan's Course Schedules from today on by the current timetable, all or nothing."""
	doc = frappe.get_doc("Timetable Plan", plan)
	rows, info = plan_schedules(doc)
	frappe.db.savepoint("timetable_publish")
	try:
		old = education_data.get_plan_schedules(plan, info.start)
		with_attendance = education_data.count_attendance_of_schedules(old)
		if with_attendance:
			frappe.throw(
				_(
					"{0} attendance record(s) point to this plan's schedules from {1} on; they cannot be replaced"
				).format(with_attendance, info.start)
			)
		for chunk in _chunks(old, 1000):
			frappe.db.delete("Course Schedule", {"name": ("in", chunk)})
		check_conflicts(rows, info)
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
		doc.reload()
		doc.status = "Published"
		doc.published_from = info.start
		doc.published_to = info.end
		doc.published_count = len(rows)
		doc.published_on = now_datetime()
		doc.publish_notes = "\n".join(
			[
				_("Replaced {0} schedule(s); skipped {1} holiday date(s)").format(
					len(old), info.skipped_holidays
				),
				*info.notes,
			]
		)
		planning.save_computed(doc, ignore_permissions=True)
	except Exception:
		frappe.db.rollback(save_point="timetable_publish")
		raise
	return {
		"created": len(rows),
		"replaced": len(old),
		"skipped_holidays": info.skipped_holidays,
		"notes": info.notes,
	}


def check_conflicts(rows: list[dict], info) -> None:
	"""The new schedules must not clash with each other or with any other schedule of those dates."""
	existing = education_data.get_course_schedules(info.start, info.end)
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


def insert_schedule(row: dict):
	schedule = frappe.get_doc(row)
	schedule.flags.ignore_validate = True  # see the module docstring
	schedule.insert(ignore_permissions=True)
	return schedule


def _chunks(items: list, size: int):
	for i in range(0, len(items), size):
		yield items[i : i + size]


def enqueue_or_publish(doc) -> dict:
	"""Publish now if small; otherwise in a background job with progress."""
	rows, _info = plan_schedules(doc)
	if len(rows) <= INLINE_LIMIT:
		return {"queued": False, **publish_plan(doc.name, frappe.session.user)}
	frappe.enqueue(
		"ai_school.timetable.publishing.publish_job",
		queue="long",
		timeout=3600,
		job_id=publish_job_id(doc.name),
		deduplicate=True,
		enqueue_after_commit=True,
		plan=doc.name,
		user=frappe.session.user,
	)
	return {"queued": True, "count": len(rows)}


def publish_job(plan: str, user: str | None = None) -> None:
	try:
		result = publish_plan(plan, user)
	except Exception as exc:
		frappe.log_error(
			title=f"Timetable Plan {plan}: publish failed",
			reference_doctype="Timetable Plan",
			reference_name=plan,
		)
		result = {"error": str(exc) or type(exc).__name__}
	frappe.publish_realtime(
		"ai_school:timetable_published",
		{"plan": plan, **result},
		user=user,
		doctype="Timetable Plan",
		docname=plan,
		after_commit=True,
	)
