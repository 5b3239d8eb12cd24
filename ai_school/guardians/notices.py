"""Same-day notices to guardians: an absence, a new result, an insight a teacher shared.

Document events only queue the record (`queue`): its name goes into a Redis set and, once the transaction
commits, one deduplicated job (`drain_pending`) sends what the set holds. A teacher marking a whole class
queues one job, and nothing is sent inside their request. The job reads each record again, so a record
cancelled or changed before the job runs sends nothing, and sends through `delivery.deliver`, whose notice key
makes each one go out once:

- absence: once per student and day, to each guardian whose attendance channel is Instant. A resubmitted,
  amended or second lesson's Absent record that day finds the key taken; cancelling sends nothing. Only
  absences of today (or yesterday, when the job runs past midnight) are notified: attendance entered
  afterwards for earlier days goes to the weekly digest instead.
- result: once per student and assessment plan (an amended result is the same result), to guardians whose
  results channel is Instant.
- insight: once per insight, when a teacher has set it to Shared, to guardians whose insights channel is
  Instant.

An hourly sweep queues the job when the set still holds names: a name added while the previous job was
finishing (deduplication skips queueing while a job runs) waits at most that long.
"""

import frappe
from frappe import _
from frappe.utils import add_days, formatdate, getdate, today

from ai_school import education_data
from ai_school.core.guardians.week import percent_of
from ai_school.guardians import delivery, preferences, summary

PENDING_KEY = "ai_school:guardian_notices:pending"
JOB_ID = "ai_school:guardian_notices"
_QUEUED_FLAG = "ai_school_guardian_notices"
CHUNK_SIZE = 100
_SAVEPOINT = "ai_school_guardian_notice_item"

ABSENCE = "Absence"
RESULT = "Result"
INSIGHT = "Insight"

INSIGHT_DOCTYPE = "Assessment Insight"
SHARED = "Shared"

TEMPLATE = "ai_school/templates/emails/guardian_notice.html"


# --- queueing --------------------------------------------------------------------------------------------


def queue(kind: str, name: str) -> None:
	"""Send the notices about this record soon, from one deduplicated job per site."""
	item = f"{kind}|{name}"
	frappe.cache.sadd(PENDING_KEY, item)
	queued = frappe.flags.get(_QUEUED_FLAG)
	if queued is None:
		frappe.flags[_QUEUED_FLAG] = queued = set()
		frappe.db.after_commit.add(enqueue_after_commit)
		frappe.db.after_rollback.add(_forget_queued)
	queued.add(item)


def enqueue_after_commit() -> None:
	"""after_commit: the transaction's records go into the set again (a running job may have popped them
	before they were committed, and dropped them as not found) and the job is queued unless it is queued or
	running already."""
	items = frappe.flags.pop(_QUEUED_FLAG, None)
	if items:
		frappe.cache.sadd(PENDING_KEY, *items)
	enqueue_drain()


def _forget_queued() -> None:
	frappe.flags.pop(_QUEUED_FLAG, None)


def enqueue_drain():
	return frappe.enqueue(
		"ai_school.guardians.notices.drain_pending",
		queue="default",
		timeout=1800,
		job_id=JOB_ID,
		deduplicate=True,
	)


def sweep() -> None:
	"""Scheduler (hourly): queue the job if names are still waiting."""
	if frappe.cache.scard(PENDING_KEY):
		enqueue_drain()


def pending() -> set[str]:
	return {_text(value) for value in frappe.cache.smembers(PENDING_KEY)}


def _text(value) -> str:
	return value.decode() if isinstance(value, bytes) else str(value)


# --- the job ---------------------------------------------------------------------------------------------


def drain_pending(commit: bool = True) -> int:
	"""The job: send the notices of the records in the set until it is empty. Returns how many went out.
	Each record is its own unit: a failure is logged and rolled back without stopping the others.
	``commit=False`` leaves the work in the caller's transaction (tests)."""
	sent = 0
	while True:
		items = _pop_pending(CHUNK_SIZE)
		if not items:
			return sent
		for item in sorted(items):
			kind, _sep, name = item.partition("|")
			frappe.db.savepoint(_SAVEPOINT)
			try:
				sent += SENDERS[kind](name) if kind in SENDERS else 0
			except Exception:
				frappe.db.rollback(save_point=_SAVEPOINT)
				frappe.log_error(title=f"ai_school: guardian notice for {item} failed")
			if commit:
				frappe.db.commit()


def _pop_pending(count: int) -> list[str]:
	items = []
	for _i in range(count):
		value = frappe.cache.spop(PENDING_KEY)
		if value is None:
			break
		items.append(_text(value))
	return items


def send_absence(attendance: str) -> int:
	"""Notices for a submitted Absent record of today (or yesterday): one per guardian and day."""
	record = education_data.get_student_attendance_record(attendance)
	if not record or record.docstatus != 1 or record.status != "Absent":
		return 0
	day = getdate(record.date)
	if not getdate(add_days(today(), -1)) <= day <= getdate(today()):
		return 0
	student = education_data.get_student_briefs([record.student]).get(record.student)
	if not student:
		return 0
	schedules = [row.course_schedule for row in education_data.get_absences_on(record.student, day)]
	courses = education_data.get_schedule_courses(schedules)
	titles = education_data.get_course_titles(list(courses.values()))
	lessons = sorted({titles.get(course, course) for course in courses.values()})
	sent = 0
	for recipient in delivery.recipients_of_students([record.student]):
		if recipient.channel("attendance") != preferences.INSTANT:
			continue
		key = delivery.notice_key(ABSENCE, record.student, day, recipient.address)
		if delivery.was_sent(key):
			continue
		with delivery.in_language(recipient.language):
			first = student.first_name or student.student_name
			if day == getdate(today()):
				subject = _("{0} was marked absent today").format(first)
			else:
				subject = _("{0} was marked absent on {1}").format(first, formatdate(day, "EEEE d MMMM"))
			html = render(
				"absence",
				recipient,
				student_name=student.student_name,
				first_name=first,
				day=formatdate(day, "EEEE d MMMM yyyy"),
				today=day == getdate(today()),
				lessons=lessons,
			)
			sent += delivery.deliver(
				recipient,
				ABSENCE,
				key,
				subject,
				html,
				student=record.student,
				reference=("Student Attendance", record.name),
				on_date=day,
			)
	return sent


def send_result(assessment_result: str) -> int:
	"""Notices for a submitted Assessment Result to guardians who chose Instant for results."""
	result = education_data.get_assessment_result_brief(assessment_result)
	if not result or result.docstatus != 1:
		return 0
	context = education_data.get_assessment_result_context(assessment_result)
	student = education_data.get_student_briefs([result.student]).get(result.student)
	if not student:
		return 0
	course = education_data.get_course_titles([result.course]).get(result.course, result.course or "")
	percent = percent_of(result.total_score, result.maximum_score)
	sent = 0
	for recipient in delivery.recipients_of_students([result.student]):
		if recipient.channel("results") != preferences.INSTANT:
			continue
		key = delivery.notice_key(RESULT, result.student, context.assessment_plan, recipient.address)
		if delivery.was_sent(key):
			continue
		with delivery.in_language(recipient.language):
			first = student.first_name or student.student_name
			subject = _("New result for {0}: {1}").format(first, course)
			html = render(
				"result",
				recipient,
				first_name=first,
				course=course,
				grade=result.grade,
				percent=None if percent is None else round(percent),
			)
			sent += delivery.deliver(
				recipient,
				RESULT,
				key,
				subject,
				html,
				student=result.student,
				reference=("Assessment Result", result.name),
			)
	return sent


def send_insight(insight: str) -> int:
	"""Notices for an Assessment Insight a teacher has shared, to guardians who chose Instant for insights."""
	row = frappe.db.get_value(
		INSIGHT_DOCTYPE, insight, ["name", "student", "course", "status", "suggestions"], as_dict=True
	)
	if not row or row.status != SHARED:
		return 0
	student = education_data.get_student_briefs([row.student]).get(row.student)
	if not student:
		return 0
	course = education_data.get_course_titles([row.course]).get(row.course, row.course or "")
	sent = 0
	for recipient in delivery.recipients_of_students([row.student]):
		if recipient.channel("insights") != preferences.INSTANT:
			continue
		key = delivery.notice_key(INSIGHT, row.name, recipient.address)
		if delivery.was_sent(key):
			continue
		with delivery.in_language(recipient.language):
			first = student.first_name or student.student_name
			subject = _("A teacher shared a note about {0}'s {1} assessment").format(first, course)
			html = render(
				"insight",
				recipient,
				first_name=first,
				course=course,
				note=summary.plain_text(row.suggestions, 400),
			)
			sent += delivery.deliver(
				recipient,
				INSIGHT,
				key,
				subject,
				html,
				student=row.student,
				reference=(INSIGHT_DOCTYPE, row.name),
			)
	return sent


SENDERS = {ABSENCE: send_absence, RESULT: send_result, INSIGHT: send_insight}


# --- wording ---------------------------------------------------------------------------------------------


def render(kind: str, recipient: delivery.Recipient, **values) -> str:
	"""The notice's body from the app's template, in the language in force (see delivery.in_language). The
	template escapes every value."""
	return frappe.render_template(
		TEMPLATE,
		{"kind": kind, "greeting_name": recipient.name, "portal_url": delivery.portal_url(), **values},
	)
