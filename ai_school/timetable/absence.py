"""Instructor absence: the lessons it touches, cover proposals, and applying or reverting them.

Ranking lives in :mod:`ai_school.core.timetable.cover`; this module turns Course Schedules into its plain
data and writes the chosen changes back. Every write re-reads the timetable first and refuses the whole
batch if anything changed since the proposal, so a stale proposal never lands half-way.

Cancelling an applied absence reverts it: each covered lesson goes back to the absent instructor and each
moved lesson to its original slot, as long as the Course Schedule still holds what was applied and the
original slot is still free; otherwise nothing is reverted and the user is told why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.query_builder.functions import Count
from frappe.utils import add_days, format_date, getdate, now_datetime, nowdate

from ai_school import education_data
from ai_school.core.timetable import cover

# when no Academic Term holds the absence, fairness counts the covers of this many days before it
FAIRNESS_FALLBACK_DAYS = 120
CHANGES = ("Substitute", "Move")
DOCTYPE = "Instructor Absence"


class StaleProposalError(frappe.ValidationError):
	pass


# --- reading the world ------------------------------------------------------------------------------------


def absence_times(doc) -> tuple[int, int]:
	if doc.whole_day:
		return cover.WHOLE_DAY
	return cover.minutes(doc.from_time), cover.minutes(doc.to_time)


def _days(from_date, to_date) -> list[dt.date]:
	start, end = getdate(from_date), getdate(to_date)
	return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _window(from_date, to_date) -> tuple[dt.date, dt.date]:
	"""Whole weeks around the dates: moves stay in the lesson's week."""
	return cover.week_of(getdate(from_date))[0], cover.week_of(getdate(to_date))[-1]


def affected_schedules(doc, schedules: list[dict] | None = None) -> list[dict]:
	"""Course Schedules of the absent instructor inside the absence, in time order."""
	if schedules is None:
		schedules = education_data.get_course_schedules(doc.from_date, doc.to_date)
	start, end = absence_times(doc)
	first, last = getdate(doc.from_date), getdate(doc.to_date)
	return [
		row
		for row in schedules
		if row.instructor == doc.instructor
		and first <= getdate(row.schedule_date) <= last
		and cover.minutes(row.from_time) < end
		and start < cover.minutes(row.to_time)
	]


def _interval(row) -> cover.Interval:
	return cover.Interval(
		getdate(row.schedule_date), cover.minutes(row.from_time), cover.minutes(row.to_time), ref=row.name
	)


def schedule_calendar(schedules: list[dict]) -> cover.Calendar:
	"""Who, which group and which room each Course Schedule keeps busy."""
	calendar = cover.Calendar()
	for row in schedules:
		slot = _interval(row)
		for kind, key in (("instructor", row.instructor), ("group", row.student_group), ("room", row.room)):
			if key:
				calendar.add((kind, key), slot)
	return calendar


def _calendar(schedules: list[dict], from_date, to_date, skip_absence: str = "") -> cover.Calendar:
	"""Course Schedules plus the recorded absences (other than `skip_absence`) between the dates."""
	calendar = schedule_calendar(schedules)
	for absence in frappe.get_all(
		"Instructor Absence",
		filters={
			"status": ("!=", "Cancelled"),
			"from_date": ("<=", to_date),
			"to_date": (">=", from_date),
			"name": ("!=", skip_absence),
		},
		fields=["name", "instructor", "from_date", "to_date", "whole_day", "from_time", "to_time"],
	):
		start, end = absence_times(absence)
		for day in _days(
			max(getdate(absence.from_date), getdate(from_date)),
			min(getdate(absence.to_date), getdate(to_date)),
		):
			calendar.add(
				("instructor", absence.instructor),
				cover.Interval(day, start, end, absence.name, lesson=False),
			)
	return calendar


def _term_bounds(doc) -> tuple[dt.date, dt.date]:
	term = education_data.get_term_dates(doc.academic_term) if doc.academic_term else None
	term = term or education_data.get_term_holding(doc.from_date)
	if term and term.term_start_date and term.term_end_date:
		return getdate(term.term_start_date), getdate(term.term_end_date)
	return getdate(add_days(doc.from_date, -FAIRNESS_FALLBACK_DAYS)), getdate(doc.to_date)


def covers_this_term(from_date, to_date) -> dict[str, int]:
	"""Instructor -> covers applied for lessons between the dates (the fairness count)."""
	row = frappe.qb.DocType("Instructor Absence Cover")
	counts = (
		frappe.qb.from_(row)
		.select(row.substitute, Count("*"))
		.where(
			(row.parenttype == "Instructor Absence")
			& (row.action == "Substitute")
			& (row.cover_status == "Applied")
			& (row.schedule_date >= from_date)
			& (row.schedule_date <= to_date)
		)
		.groupby(row.substitute)
		.run()
	)
	return dict(counts)


def _lesson(row, programs: dict[str, str]) -> cover.CoverLesson:
	return cover.CoverLesson(
		id=row.name,
		day=getdate(row.schedule_date),
		start=cover.minutes(row.from_time),
		end=cover.minutes(row.to_time),
		instructor=row.instructor,
		course=row.course or "",
		student_group=row.student_group or "",
		program=row.program or programs.get(row.student_group, ""),
		room=row.room or "",
	)


def _move_options(schedules: list[dict], groups: set[str], holidays: set) -> dict[str, cover.MoveOptions]:
	"""School days and periods as each group's own schedules show them."""
	seen: dict[str, tuple[set, set]] = {group: (set(), set()) for group in groups}
	for row in schedules:
		if row.student_group in seen:
			days, periods = seen[row.student_group]
			days.add(getdate(row.schedule_date).weekday())
			periods.add((cover.minutes(row.from_time), cover.minutes(row.to_time)))
	today = getdate(nowdate())
	return {
		group: cover.MoveOptions(frozenset(days), frozenset(periods), frozenset(holidays), today)
		for group, (days, periods) in seen.items()
	}


@dataclass
class Context:
	lessons: list[cover.CoverLesson]
	plan: cover.Plan
	names: dict[str, str]


def build_plan(doc) -> Context:
	start, end = _window(doc.from_date, doc.to_date)
	schedules = education_data.get_course_schedules(start, end)
	affected = affected_schedules(doc, schedules)
	groups = {row.student_group for row in affected if row.student_group}
	programs = {g.name: g.program or "" for g in education_data.get_student_group_details(list(groups))}
	lessons = [_lesson(row, programs) for row in affected]
	term_start, term_end = _term_bounds(doc)
	names = education_data.get_active_instructors()
	teaches: dict[str, set] = {}
	for instructor, course, program in education_data.get_teaching_assignments(term_start, term_end):
		teaches.setdefault(instructor, set()).add((course, program))
	covers = covers_this_term(term_start, term_end)
	candidates = [
		cover.Candidate(who, names[who], frozenset(teaches.get(who, ())), covers.get(who, 0))
		for who in names
		if who != doc.instructor
	]
	holidays = {
		getdate(day) for day in education_data.get_instructor_holidays_between(doc.instructor, start, end)
	}
	plan = cover.plan_cover(
		lessons,
		candidates,
		_calendar(schedules, start, end),
		_move_options(schedules, groups, holidays),
	)
	return Context(lessons, plan, names)


# --- proposing ------------------------------------------------------------------------------------------------


def _describe(option: cover.Proposal, names: dict[str, str]) -> str:
	head = (
		_("Substitute {0}").format(names.get(option.instructor, option.instructor))
		if option.kind == "substitute"
		else _("Move")
	)
	return f"{head} ({option.score:g}): {'; '.join(option.reasons)}"


def propose(doc) -> dict:
	"""Fill the absence's lessons with the recommended cover and keep the other options as text."""
	if doc.status not in ("Draft", "Proposed"):
		frappe.throw(_("Cover can only be proposed for a Draft or Proposed absence."), frappe.ValidationError)
	context = build_plan(doc)
	doc.set("covers", [])
	for lesson in context.lessons:
		options = context.plan.options[lesson.id]
		pick = context.plan.recommended(lesson.id)
		row = {
			"course_schedule": lesson.id,
			"schedule_date": lesson.day,
			"from_time": _time(lesson.start),
			"to_time": _time(lesson.end),
			"student_group": lesson.student_group or None,
			"course": lesson.course or None,
			"room": lesson.room or None,
			"cover_status": "Proposed",
			"action": "Leave Uncovered",
			"alternatives": "\n".join(_describe(o, context.names) for o in options if o is not pick),
		}
		if pick is not None:
			row.update(score=pick.score, reasons="; ".join(pick.reasons))
			if pick.kind == "substitute":
				row.update(action="Substitute", substitute=pick.instructor)
			else:
				row.update(
					action="Move",
					new_date=pick.day,
					new_from_time=_time(pick.start),
					new_to_time=_time(pick.end),
				)
		doc.append("covers", row)
	doc.affected_count = len(context.lessons)
	doc.uncovered_count = len(context.plan.uncovered)
	doc.status = "Proposed"
	_save(doc)
	return {
		"affected": len(context.lessons),
		"uncovered": len(context.plan.uncovered),
		"options": {
			lesson: [option.to_dict() for option in options]
			for lesson, options in context.plan.options.items()
		},
	}


def _time(value: int) -> str:
	return f"{cover.clock(value)}:00"


def _save(doc) -> None:
	doc.flags.from_cover_service = True
	doc.save()


# --- applying and reverting ------------------------------------------------------------------------------------


@dataclass
class Change:
	"""One Course Schedule going from `expected` to `target` (instructor, date, start, end minutes)."""

	schedule: str
	expected: tuple[str, dt.date, int, int]
	target: tuple[str, dt.date, int, int]


def _planned(doc, row) -> tuple[str, dt.date, int, int]:
	if row.action == "Substitute":
		return (
			row.substitute,
			getdate(row.schedule_date),
			cover.minutes(row.from_time),
			cover.minutes(row.to_time),
		)
	return (
		doc.instructor,
		getdate(row.new_date),
		cover.minutes(row.new_from_time),
		cover.minutes(row.new_to_time),
	)


def _original(doc, row) -> tuple[str, dt.date, int, int]:
	return (
		doc.instructor,
		getdate(row.schedule_date),
		cover.minutes(row.from_time),
		cover.minutes(row.to_time),
	)


def _slot_text(day: dt.date, start: int, end: int) -> str:
	return f"{format_date(day)} {cover.clock(start)}–{cover.clock(end)}"


def _check(changes: list[Change], instructor: str, skip_absence: str = "") -> list:
	"""Lock the Course Schedules, compare them with what the proposal saw and check each target slot against
	a fresh timetable, booking targets as it goes; moves of the absent `instructor`'s lessons must avoid their
	holidays. Returns the locked documents; throws on any problem."""
	days = [c.expected[1] for c in changes] + [c.target[1] for c in changes]
	start, end = min(days), max(days)
	calendar = _calendar(education_data.get_course_schedules(start, end), start, end, skip_absence)
	holidays = {
		getdate(day) for day in education_data.get_instructor_holidays_between(instructor, start, end)
	}
	problems, documents = [], []
	for change in changes:
		schedule = education_data.get_course_schedule_for_update(change.schedule)
		if schedule is None:
			problems.append(_("{0} no longer exists.").format(change.schedule))
			continue
		documents.append(schedule)
		now = (
			schedule.instructor,
			getdate(schedule.schedule_date),
			cover.minutes(schedule.from_time),
			cover.minutes(schedule.to_time),
		)
		if now != change.expected:
			problems.append(
				_("{0} changed since the proposal: it is now {1}, {2}.").format(
					change.schedule, now[0], _slot_text(*now[1:])
				)
			)
			continue
		who, day, begin, finish = change.target
		resources = [("instructor", who), ("group", schedule.student_group), ("room", schedule.room)]
		for resource in (r for r in resources if r[1]):
			clashes = calendar.conflicts(resource, day, begin, finish, ignore=schedule.name)
			if clashes:
				problems.append(
					_("{0}: {1} {2} is no longer free at {3} ({4}).").format(
						schedule.name,
						_(resource[0]),
						resource[1],
						_slot_text(day, begin, finish),
						clashes[0].ref,
					)
				)
		if day != change.expected[1] and day in holidays:
			problems.append(_("{0}: {1} is a holiday.").format(schedule.name, format_date(day)))
		for resource in (r for r in resources if r[1]):
			calendar.remove_ref(resource, schedule.name)
			calendar.add(resource, cover.Interval(day, begin, finish, schedule.name))
	if problems:
		frappe.throw(
			"<br>".join(problems), StaleProposalError, title=_("The timetable changed; propose cover again")
		)
	return documents


def _write(changes: list[Change], documents: list) -> None:
	# the absence's own permission check authorized this; Course Schedule permissions are the Education
	# module's and Education's own overlap validation still runs on save
	for change, schedule in zip(changes, documents, strict=True):
		who, day, begin, finish = change.target
		schedule.instructor = who
		schedule.schedule_date = day
		schedule.from_time = _time(begin)
		schedule.to_time = _time(finish)
		schedule.flags.ignore_permissions = True
		schedule.save()


def apply(doc) -> dict:
	if doc.status != "Proposed":
		frappe.throw(_("Only a Proposed absence can be applied."), frappe.ValidationError)
	rows = [row for row in doc.covers if row.action in CHANGES and row.cover_status == "Proposed"]
	changes = [Change(row.course_schedule, _original(doc, row), _planned(doc, row)) for row in rows]
	documents = _check(changes, doc.instructor) if changes else []
	_write(changes, documents)
	for row in rows:
		row.cover_status = "Applied"
	doc.status = "Applied"
	doc.applied_on = now_datetime()
	doc.applied_by = frappe.session.user
	_save(doc)
	notify(doc, rows, reverted=False)
	return {"applied": len(rows), "uncovered": len(doc.covers) - len(rows)}


def cancel(doc) -> dict:
	if doc.status == "Cancelled":
		frappe.throw(_("This absence is already cancelled."), frappe.ValidationError)
	rows = [row for row in doc.covers if row.cover_status == "Applied"]
	if rows:
		changes = [Change(row.course_schedule, _planned(doc, row), _original(doc, row)) for row in rows]
		_write(changes, _check(changes, doc.instructor, skip_absence=doc.name))
		for row in rows:
			row.cover_status = "Reverted"
	doc.status = "Cancelled"
	_save(doc)
	if rows:
		notify(doc, rows, reverted=True)
	return {"reverted": len(rows)}


class CoverAppliedError(frappe.ValidationError):
	pass


def release_schedules(names: list[str]) -> None:
	"""Course Schedules `names` are about to be deleted because a Timetable Plan is published again.

	An absence with cover applied to any of them refuses it: cancelling the absence first puts its lessons
	back, after which they can be replaced. Proposals naming them are dropped (the absence goes back to Draft,
	to be proposed on the new timetable), so no open absence keeps a link to a deleted schedule and each can
	still be proposed, applied or cancelled. Cancelled absences keep their rows as history."""
	row = frappe.qb.DocType("Instructor Absence Cover")
	parent = frappe.qb.DocType("Instructor Absence")
	hits: dict[str, frappe._dict] = {}
	for chunk in (names[i : i + 1000] for i in range(0, len(names), 1000)):
		for name, status, count in (
			frappe.qb.from_(row)
			.join(parent)
			.on(row.parent == parent.name)
			.select(parent.name, parent.status, Count("*"))
			.where(
				(row.parenttype == "Instructor Absence")
				& (row.course_schedule.isin(chunk))
				& (parent.status != "Cancelled")
			)
			.groupby(parent.name, parent.status)
			.run()
		):
			hit = hits.setdefault(name, frappe._dict(status=status, count=0))
			hit.count += count
	applied = sorted(name for name, hit in hits.items() if hit.status == "Applied")
	if applied:
		frappe.throw(
			_(
				"Cover is applied to some of these lessons by Instructor Absence {0}. Cancel the absence first "
				"(that puts its lessons back), then publish, then record the absence again."
			).format(", ".join(applied)),
			CoverAppliedError,
			title=_("Cannot replace the schedules"),
		)
	for name in sorted(hits):
		doc = frappe.get_doc(DOCTYPE, name)
		doc.set("covers", [])
		doc.status = "Draft"
		doc.affected_count = doc.uncovered_count = 0
		doc.flags.ignore_permissions = True  # the publisher was authorized to replace the schedules
		_save(doc)


def covers_concerning(instructors: list[str]) -> list[dict]:
	"""Applied cover rows where one of the instructors substitutes or is the absent one, newest first."""
	row = frappe.qb.DocType("Instructor Absence Cover")
	parent = frappe.qb.DocType("Instructor Absence")
	return (
		frappe.qb.from_(row)
		.join(parent)
		.on(row.parent == parent.name)
		.select(
			parent.name.as_("absence"),
			parent.instructor_name.as_("absent_instructor"),
			row.course_schedule,
			row.schedule_date,
			row.from_time,
			row.to_time,
			row.student_group,
			row.course,
			row.room,
			row.action,
			row.substitute_name,
			row.new_date,
			row.new_from_time,
			row.new_to_time,
		)
		.where(
			(row.parenttype == "Instructor Absence")
			& (row.cover_status == "Applied")
			& (row.substitute.isin(instructors) | parent.instructor.isin(instructors))
		)
		.orderby(row.schedule_date, order=frappe.qb.desc)
		.run(as_dict=True)
	)


# --- telling the instructors ------------------------------------------------------------------------------------


def _lesson_text(row) -> str:
	where = f", {row.room}" if row.room else ""
	return (
		f"{row.course or ''} {row.student_group or ''} {format_date(row.schedule_date)} "
		f"{cover.clock(cover.minutes(row.from_time))}–{cover.clock(cover.minutes(row.to_time))}{where}"
	).strip()


def _messages(doc, rows, reverted: bool) -> dict[str, list[str]]:
	"""Instructor -> lines telling them what changed for them."""
	out: dict[str, list[str]] = {}
	absent = out.setdefault(doc.instructor, [])
	for row in rows:
		lesson = _lesson_text(row)
		if row.action == "Substitute":
			name = row.substitute_name or row.substitute
			if reverted:
				out.setdefault(row.substitute, []).append(_("You no longer cover {0}.").format(lesson))
				absent.append(_("{0} is yours again (was covered by {1}).").format(lesson, name))
			else:
				out.setdefault(row.substitute, []).append(
					_("Please cover {0} for {1}.").format(lesson, doc.instructor_name or doc.instructor)
				)
				absent.append(_("{0} is covered by {1}.").format(lesson, name))
		else:
			moved = _slot_text(
				getdate(row.new_date), cover.minutes(row.new_from_time), cover.minutes(row.new_to_time)
			)
			if reverted:
				absent.append(_("{0} is back in its original slot (was moved to {1}).").format(lesson, moved))
			else:
				absent.append(_("{0} moves to {1}.").format(lesson, moved))
	return {who: lines for who, lines in out.items() if lines}


def notify(doc, rows, reverted: bool) -> None:
	"""A Notification Log and, when the site can send email, a queued email for every instructor involved who
	has a user."""
	messages = _messages(doc, rows, reverted)
	users = education_data.get_instructor_users(list(messages))
	subject = (
		_("Cover cancelled: absence of {0}") if reverted else _("Cover arranged: absence of {0}")
	).format(doc.instructor_name or doc.instructor)
	# a site without an outgoing Email Account still gets its cover applied: the Notification Log is the record
	can_email = EmailAccount.find_outgoing(match_by_doctype=doc.doctype) is not None
	for instructor, lines in messages.items():
		user = users.get(instructor)
		if not user:
			continue
		body = "<br>".join(frappe.utils.escape_html(line) for line in lines)
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": doc.doctype,
				"document_name": doc.name,
				"subject": subject,
				"email_content": body,
			}
		).insert(ignore_permissions=True)
		if can_email:
			_email(doc, user, subject, body)


def _email(doc, user: str, subject: str, body: str) -> None:
	email = frappe.db.get_value("User", user, "email")
	if not email:
		return
	frappe.sendmail(
		recipients=[email],
		subject=subject,
		message=body,
		reference_doctype=doc.doctype,
		reference_name=doc.name,
		now=False,
	)
