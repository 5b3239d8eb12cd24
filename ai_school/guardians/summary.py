"""What a guardian sees of a ward: attendance, recent results, shared insights, tutor use, and the tutor
transcripts when the school allows it (AI School Settings > Guardians Can Read Tutor Chats).

`check_ward` decides who may see a student's summary: read-all staff, and the guardians the student lists.
Every function below it reads on that decision: the tutor numbers are counted from chats the guardian may not
open (only the counts, courses and dates leave the server), so they are read without the user's record
rules; insights are read with them (a guardian sees Shared insights only).
"""

from datetime import date, datetime, time

import frappe
from frappe import _
from frappe.utils import add_days, getdate, strip_html, today

from ai_school import education_data
from ai_school.core.guardians.week import attendance_week, percent_of
from ai_school.permissions import get_scope

SESSION = "AI Chat Session"
MESSAGE = "AI Chat Message"
INSIGHT = "Assessment Insight"
SHARED = "Shared"

RECENT_RESULTS = 5
RECENT_INSIGHTS = 5
FALLBACK_DAYS = 90  # the attendance period when the site has no current term


def transcripts_enabled() -> bool:
	return bool(frappe.db.get_single_value("AI School Settings", "guardian_tutor_transcripts"))


def guardians_of_user(user: str | None = None) -> list[str]:
	return education_data.get_guardians_of_user(user or frappe.session.user)


def require_guardian(user: str | None = None) -> list[str]:
	"""The Guardian records of the signed-in user; PermissionError for anyone linked to none (guests too)."""
	guardians = guardians_of_user(user)
	if not guardians:
		frappe.throw(
			_("This is for parents and guardians whose account the school has linked to a student."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	return guardians


def wards_of_user(user: str | None = None) -> list[str]:
	return sorted(education_data.get_wards_of_user(user or frappe.session.user))


def check_ward(student: str, user: str | None = None) -> None:
	"""PermissionError unless `user` is read-all staff or a guardian of `student`. The same message for a
	student that does not exist, so names can't be probed."""
	user = user or frappe.session.user
	if user != "Guest" and student:
		scope = get_scope(user)
		if scope.read_all or student in scope.wards:
			return
	frappe.throw(
		_("You can see the summaries of your own children only."),
		frappe.PermissionError,
		title=_("Not Permitted"),
	)


# --- a ward's summary ------------------------------------------------------------------------------------


def wards_summary(user: str | None = None) -> list[dict]:
	"""Every ward of the signed-in guardian (require_guardian first)."""
	user = user or frappe.session.user
	wards = wards_of_user(user)
	briefs = education_data.get_student_briefs(wards)
	return [ward_summary(student, briefs.get(student)) for student in wards if student in briefs]


def ward_summary(student: str, brief=None) -> dict:
	"""One ward's summary (check_ward first)."""
	brief = brief or education_data.get_student_briefs([student]).get(student) or frappe._dict()
	return {
		"student": student,
		"student_name": brief.get("student_name") or student,
		"first_name": brief.get("first_name") or brief.get("student_name") or student,
		"attendance": attendance_summary(student),
		"results": recent_results(student),
		"insights": shared_insights(student),
		"tutor": tutor_usage([student])[student],
		"transcripts_enabled": transcripts_enabled(),
	}


def attendance_period() -> tuple[date, date, str | None]:
	"""From the current term's start (else FALLBACK_DAYS ago) to today, and the term's name."""
	end = getdate(today())
	term = education_data.get_current_academic_term()
	dates = education_data.get_term_dates(term) if term else None
	if dates and dates.term_start_date and getdate(dates.term_start_date) <= end:
		return getdate(dates.term_start_date), end, term
	return getdate(add_days(end, -FALLBACK_DAYS)), end, None


def attendance_summary(student: str) -> dict:
	start, end, term = attendance_period()
	rows = education_data.get_submitted_student_attendance([student], start, end)
	period = attendance_week((getdate(row.date), row.status) for row in rows)
	week_start = getdate(add_days(end, -6))
	week = attendance_week((getdate(row.date), row.status) for row in rows if getdate(row.date) >= week_start)
	return {
		"from_date": str(start),
		"to_date": str(end),
		"academic_term": term,
		"days_recorded": period.days_recorded,
		"days_present": period.days_present,
		"days_absent": period.days_absent,
		"days_leave": period.days_leave,
		"rate": None if period.rate is None else round(period.rate, 1),
		"recent_absences": [str(day) for day in period.absent_dates[-5:]],
		"this_week": {
			"days_recorded": week.days_recorded,
			"days_present": week.days_present,
			"days_absent": week.days_absent,
			"days_leave": week.days_leave,
		},
	}


def recent_results(student: str, limit: int = RECENT_RESULTS) -> list[dict]:
	"""The student's latest submitted results, by the date of the assessment (newest first)."""
	rows = education_data.get_submitted_results_of_students(
		[student], datetime.combine(getdate(today()), time.max)
	)
	plans = education_data.get_assessment_plan_dates(
		[row.assessment_plan for row in rows if row.assessment_plan]
	)
	for row in rows:
		plan = plans.get(row.assessment_plan)
		row.on_date = getdate(plan.schedule_date if plan and plan.schedule_date else row.modified)
	rows = sorted(rows, key=lambda row: (row.on_date, row.modified), reverse=True)[:limit]
	titles = education_data.get_course_titles([row.course for row in rows])
	return [
		{
			"course": titles.get(row.course, row.course),
			"grade": row.grade,
			"percent": _rounded(percent_of(row.total_score, row.maximum_score)),
			"date": str(row.on_date),
		}
		for row in rows
	]


def shared_insights(student: str, limit: int = RECENT_INSIGHTS) -> list[dict]:
	"""Shared insights about the student, newest first, read with the user's record rules."""
	rows = frappe.get_list(
		INSIGHT,
		filters={"student": student, "status": SHARED},
		fields=["name", "course", "suggestions", "modified"],
		order_by="modified desc",
		limit_page_length=limit,
	)
	titles = education_data.get_course_titles([row.course for row in rows])
	return [
		{
			"name": row.name,
			"course": titles.get(row.course, row.course),
			"note": plain_text(row.suggestions),
			"date": str(getdate(row.modified)),
		}
		for row in rows
	]


def tutor_usage(students: list[str], from_datetime=None, to_datetime=None) -> dict[str, dict]:
	"""Student -> tutor use: chats with a question in the period (all time without one), questions asked,
	courses (titles) and when last used. Counts only: no message text."""
	out = {student: {"sessions": 0, "questions": 0, "courses": [], "last_used": None} for student in students}
	sessions = frappe.get_all(
		SESSION, filters={"student": ("in", students or [""])}, fields=["name", "student", "course"]
	)
	if not sessions:
		return out
	by_name = {row.name: row for row in sessions}
	filters = {"parenttype": SESSION, "parent": ("in", list(by_name)), "role": "user"}
	if from_datetime and to_datetime:
		filters["timestamp"] = ("between", [from_datetime, to_datetime])
	counts = frappe.get_all(
		MESSAGE,
		filters=filters,
		fields=["parent", "count(name) as questions", "max(timestamp) as last_used"],
		group_by="parent",
	)
	titles = education_data.get_course_titles([row.course for row in sessions])
	for row in counts:
		session = by_name[row.parent]
		usage = out[session.student]
		usage["sessions"] += 1
		usage["questions"] += row.questions
		title = titles.get(session.course, session.course)
		if title and title not in usage["courses"]:
			usage["courses"].append(title)
		if row.last_used and (usage["last_used"] is None or str(row.last_used) > usage["last_used"]):
			usage["last_used"] = str(row.last_used)
	for usage in out.values():
		usage["courses"].sort()
	return out


# --- transcripts (only when the school allows it) --------------------------------------------------------


def ward_sessions(student: str) -> list[dict]:
	"""The ward's chats, newest first, when guardians may read them; [] otherwise."""
	if not transcripts_enabled():
		return []
	rows = frappe.get_list(
		SESSION,
		filters={"student": student},
		fields=["name", "course", "topic", "modified"],
		order_by="modified desc",
		limit_page_length=20,
	)
	titles = education_data.get_course_titles([row.course for row in rows])
	return [
		{
			"name": row.name,
			"course": titles.get(row.course, row.course),
			"topic": row.topic,
			"modified": str(row.modified),
		}
		for row in rows
	]


def transcript(session: str) -> dict:
	"""A chat's messages for a guardian of its student: PermissionError unless the school lets guardians read
	chats and the record rules let this user open it."""
	if not transcripts_enabled():
		frappe.throw(
			_("Your school has not made tutor conversations visible to guardians."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	values = frappe.db.get_value(
		SESSION, session, ["name", "student", "user", "course", "topic"], as_dict=True
	)
	if not values or not frappe.has_permission(
		SESSION, "read", doc=frappe.get_doc({"doctype": SESSION, **values})
	):
		frappe.throw(_("You can't open this chat."), frappe.PermissionError, title=_("Not Permitted"))
	check_ward(values.student)
	messages = frappe.get_list(
		MESSAGE,
		parent_doctype=SESSION,
		filters={"parent": session, "parenttype": SESSION, "role": ("in", ["user", "assistant"])},
		fields=["role", "content", "timestamp", "fallback"],
		order_by="idx asc",
		limit_page_length=500,
	)
	return {
		"session": session,
		"student": values.student,
		"course": education_data.get_course_titles([values.course]).get(values.course, values.course),
		"topic": values.topic,
		"messages": [
			{
				"role": row.role,
				"content": row.content or "",
				"timestamp": str(row.timestamp or ""),
				"fallback": row.fallback,
			}
			for row in messages
		],
	}


def plain_text(html: str | None, limit: int = 600) -> str:
	text = " ".join(strip_html(html or "").split())
	return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _rounded(value: float | None) -> float | None:
	return None if value is None else round(value, 1)
