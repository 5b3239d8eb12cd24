"""The weekly digest: one message per guardian (per address, see delivery.recipients_of) covering all their
wards, sent on AI School Settings' digest weekday, once per ISO week.

For each ward: attendance this week (always: attendance can't be turned off), new results and teacher
insights shared this week (when the guardian chose Digest for them: Instant ones went out the same day, Off
ones not at all), tutor use this week, and one encouraging observation computed from the records
(ai_school.core.guardians.week). A family with nothing on record that week (a holiday) gets no digest.
Rendered from templates/emails/guardian_digest.html in the guardian's language.
"""

from datetime import datetime, time

import frappe
from frappe import _
from frappe.utils import add_days, formatdate, getdate, today

from ai_school import education_data
from ai_school.core.guardians.week import (
	ResultLine,
	WardWeek,
	attendance_week,
	encouraging_observation,
	percent_of,
)
from ai_school.guardians import delivery, preferences, summary

DIGEST = "Digest"
TEMPLATE = "ai_school/templates/emails/guardian_digest.html"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SAVEPOINT = "ai_school_guardian_digest"


def daily(commit: bool = True) -> int:
	"""Scheduler (daily_long): on AI School Settings' digest weekday, send the week's digests."""
	if not is_digest_day():
		return 0
	return send_digests(commit=commit)


def is_digest_day(on_date=None) -> bool:
	weekday = frappe.db.get_single_value("AI School Settings", "digest_weekday") or "Friday"
	return WEEKDAYS[getdate(on_date or today()).weekday()] == weekday


def week_label(on_date) -> str:
	year, week, _day = getdate(on_date).isocalendar()
	return f"{year}-W{week:02d}"


def send_digests(on_date=None, commit: bool = True) -> int:
	"""The job: every family's digest for the week ending `on_date` (default today), each committed on its
	own; a failure is logged and the others go on. Returns how many were sent."""
	on_date = getdate(on_date or today())
	context = load_context(on_date)
	sent = 0
	for recipient in delivery.recipients_of(education_data.get_guardians_with_wards()):
		frappe.db.savepoint(_SAVEPOINT)
		try:
			sent += send_digest(recipient, on_date, context)
		except Exception:
			frappe.db.rollback(save_point=_SAVEPOINT)
			frappe.log_error(title=f"ai_school: guardian digest for {recipient.address} failed")
		if commit:
			frappe.db.commit()
	return sent


def send_digest(recipient: delivery.Recipient, on_date, context: frappe._dict | None = None) -> int:
	"""One family's digest, unless it went out this ISO week already or there is nothing to tell."""
	on_date = getdate(on_date)
	key = delivery.notice_key(DIGEST, week_label(on_date), recipient.address)
	if delivery.was_sent(key):
		return 0
	digest = build_digest(recipient, on_date, context)
	if digest is None:
		return 0
	return int(delivery.deliver(recipient, DIGEST, key, digest.subject, digest.html, on_date=on_date))


def find_recipient(guardian: str) -> delivery.Recipient | None:
	"""The recipient a Guardian's digest goes to, grouped with the other Guardian records at its address."""
	for recipient in delivery.recipients_of(education_data.get_guardians_with_wards()):
		if guardian in recipient.guardians:
			return recipient
	return None


# --- building --------------------------------------------------------------------------------------------


def load_context(on_date) -> frappe._dict:
	"""What every family's digest of the week shares: the week, the term so far, the pass mark."""
	on_date = getdate(on_date)
	start = getdate(add_days(on_date, -6))
	term = education_data.get_current_academic_term()
	dates = education_data.get_term_dates(term) if term else None
	term_start = getdate(dates.term_start_date) if dates and dates.term_start_date else None
	return frappe._dict(
		on_date=on_date,
		start=start,
		start_datetime=datetime.combine(start, time.min),
		end_datetime=datetime.combine(on_date, time.max),
		term_start=term_start if term_start and term_start < start else None,
		pass_mark=float(frappe.db.get_single_value("AI School Settings", "pass_mark") or 50),
	)


def build_digest(
	recipient: delivery.Recipient, on_date, context: frappe._dict | None = None
) -> frappe._dict | None:
	"""Subject, HTML and wards of a family's digest in its language; None when no ward has anything on
	record this week."""
	context = context or load_context(on_date)
	with delivery.in_language(recipient.language):
		wards = ward_weeks(recipient, context)
		if not any(ward.has_news for ward in wards):
			return None
		subject = _("This week at school: {0}").format(", ".join(ward.first_name for ward in wards))
		html = frappe.render_template(
			TEMPLATE,
			{
				"greeting_name": recipient.name,
				"week": _("{0} to {1}").format(
					formatdate(context.start, "EEEE d MMMM"), formatdate(context.on_date, "EEEE d MMMM")
				),
				"wards": wards,
				"portal_url": delivery.portal_url(),
			},
		)
	return frappe._dict(subject=subject, html=html, wards=wards)


def ward_weeks(recipient: delivery.Recipient, context: frappe._dict) -> list[frappe._dict]:
	"""Each enabled ward's week, worded for the template (call inside delivery.in_language)."""
	wards = set()
	for listed in education_data.get_wards_of_guardians(recipient.guardians).values():
		wards.update(listed)
	briefs = education_data.get_student_briefs(sorted(wards))
	students = sorted((s for s, b in briefs.items() if b.enabled), key=lambda s: briefs[s].student_name or s)
	if not students:
		return []
	with_results = recipient.channel("results") == preferences.DIGEST
	with_insights = recipient.channel("insights") == preferences.DIGEST

	rows = education_data.get_submitted_student_attendance(
		students, context.term_start or context.start, context.on_date
	)
	results = (
		education_data.get_submitted_results_of_students(students, context.end_datetime)
		if with_results
		else []
	)
	insights = (
		frappe.get_all(
			summary.INSIGHT,
			filters={
				"student": ("in", students),
				"status": summary.SHARED,
				"modified": ("between", [context.start_datetime, context.end_datetime]),
			},
			fields=["name", "student", "course", "suggestions"],
			order_by="modified asc",
		)
		if with_insights
		else []
	)
	tutor = summary.tutor_usage(students, context.start_datetime, context.end_datetime)
	titles = education_data.get_course_titles(
		[row.course for row in results] + [row.course for row in insights]
	)
	return [
		_ward_week(
			briefs[student],
			[row for row in rows if row.student == student],
			[row for row in results if row.student == student],
			[row for row in insights if row.student == student],
			tutor[student],
			titles,
			context,
		)
		for student in students
	]


def _ward_week(brief, rows, results, insights, tutor, titles, context) -> frappe._dict:
	first = brief.first_name or brief.student_name or brief.name
	week_rows = [(getdate(row.date), row.status) for row in rows if getdate(row.date) >= context.start]
	earlier_rows = [(getdate(row.date), row.status) for row in rows if getdate(row.date) < context.start]
	attendance = attendance_week(week_rows)
	earlier = attendance_week(earlier_rows)

	new_results, previous = [], {}
	for row in results:  # oldest first: the previous result of a course is known before each new one
		percent = percent_of(row.total_score, row.maximum_score)
		if row.modified >= context.start_datetime:
			new_results.append(
				ResultLine(
					course=titles.get(row.course, row.course or ""),
					percent=percent,
					grade=row.grade,
					previous_percent=previous.get(row.course),
				)
			)
		if percent is not None:
			previous[row.course] = percent

	observation = encouraging_observation(
		WardWeek(
			first_name=first,
			attendance=attendance,
			earlier_attendance_rate=earlier.rate,
			results=tuple(new_results),
			tutor_sessions=tutor["sessions"],
			tutor_questions=tutor["questions"],
			tutor_courses=tuple(tutor["courses"]),
			pass_mark=context.pass_mark,
		)
	)
	return frappe._dict(
		student=brief.name,
		student_name=brief.student_name or first,
		first_name=first,
		attendance=attendance,
		absent_days=[formatdate(day, "EEEE d MMMM") for day in attendance.absent_dates],
		results=[
			{
				"course": line.course,
				"grade": line.grade,
				"percent": None if line.percent is None else round(line.percent),
			}
			for line in new_results
		],
		insights=[
			{
				"course": titles.get(row.course, row.course or ""),
				"note": summary.plain_text(row.suggestions, 300),
			}
			for row in insights
		],
		tutor=tutor,
		observation=observation_text(observation),
		has_news=bool(attendance.days_recorded or new_results or insights or tutor["sessions"]),
	)


def observation_text(observation) -> str | None:
	"""The observation in words, in the language in force. Numbers come from the observation as computed."""
	if observation is None:
		return None
	v = observation.values
	if observation.kind == "improved_result":
		return _("{0} improved in {1}: {2} % this time, up from {3} %.").format(
			v["name"], v["course"], round(v["percent"]), round(v["previous_percent"])
		)
	if observation.kind == "full_attendance":
		return _("{0} was at school every day this week ({1} days). Thank you for your support!").format(
			v["name"], v["days"]
		)
	if observation.kind == "strong_result":
		return _("{0} did well in {1}: {2} %.").format(v["name"], v["course"], round(v["percent"]))
	if observation.kind == "attendance_up":
		return _(
			"{0} was at school more often this week: {1} % of days, up from {2} % earlier this term."
		).format(v["name"], round(v["rate"]), round(v["earlier_rate"]))
	if observation.kind == "tutor_practice":
		return _("{0} practised with the AI tutor this week: {1} questions in {2} chats ({3}).").format(
			v["name"], v["questions"], v["sessions"], ", ".join(v["courses"])
		)
	if observation.kind == "days_at_school":
		return _("{0} was at school on {1} days this week.").format(v["name"], v["days"])
	return None


def preview(guardian: str, on_date=None) -> dict:
	"""The digest a Guardian would get for the week ending `on_date` (default today), without sending it."""
	on_date = getdate(on_date or today())
	recipient = find_recipient(guardian)
	if recipient is None:
		return {"guardian": guardian, "would_send": False, "reason": _("No ward, account or email address.")}
	key = delivery.notice_key(DIGEST, week_label(on_date), recipient.address)
	digest = build_digest(recipient, on_date)
	return {
		"guardian": guardian,
		"recipient": {"user": recipient.user, "email": recipient.email, "language": recipient.language},
		"week": week_label(on_date),
		"already_sent": delivery.was_sent(key),
		"would_send": digest is not None and not delivery.was_sent(key),
		"subject": digest.subject if digest else None,
		"html": digest.html if digest else None,
		"reason": None if digest else _("Nothing on record for this week."),
	}
