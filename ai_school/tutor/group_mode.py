"""Instructors' stricter tutor modes for a Student Group (AI Tutor Group Mode), as the guard receives them,
and the words the student's badge shows for the mode the situation imposes.

The guard (``ai_school/core/tutor/modes.py``) takes the overrides as plain data and applies the strictest one
in force for the student's groups, first and last day inclusive; ``explain_context_mode`` says which rule set
the mode and ``describe`` words it for the student.
"""

import frappe
from frappe import _
from frappe.utils import add_days, format_time, formatdate, getdate, now_datetime

from ai_school import education_data
from ai_school.core.tutor.modes import GroupModeOverride, ModeReason

DOCTYPE = "AI Tutor Group Mode"
DAY_FORMAT = "EEEE d MMMM"  # "Friday 4 December": a student reads it, not a date column
FIELDS = ["name", "student_group", "course", "mode", "from_date", "to_date", "reason"]


def active_overrides(groups: list[str], on_date) -> tuple[GroupModeOverride, ...]:
	"""The overrides of these groups whose dates include ``on_date`` (the guard checks the course)."""
	if not groups:
		return ()
	on_date = getdate(on_date)
	rows = frappe.get_all(
		DOCTYPE,
		filters={"student_group": ("in", groups), "from_date": ("<=", on_date), "to_date": (">=", on_date)},
		fields=FIELDS,
		order_by="from_date asc",
	)
	return tuple(GroupModeOverride.from_dict(row) for row in rows)


def describe(why: ModeReason, now=None) -> str:
	"""One sentence for the student: why the tutor is in this mode and until when ("" when nothing
	restricts it). Teachers' reasons are shown as text by the page, never as HTML."""
	if why.source == "assessment":
		window = why.window
		course = education_data.get_course_title(window.course)
		until = format_time(why.until.time(), "HH:mm")
		if why.until.date() != getdate(now or now_datetime()):
			until = f"{formatdate(why.until.date(), DAY_FORMAT)} {until}"
		return _("{0} assessment today {1}–{2}: the tutor can't help with {0} until {3}.").format(
			course,
			format_time(window.from_time, "HH:mm"),
			format_time(window.to_time, "HH:mm"),
			until,
		)
	if why.source == "group_mode":
		override = why.override
		last_day = formatdate(add_days(why.until.date(), -1), DAY_FORMAT)
		return _("Set by your teacher until {0}: {1}").format(last_day, override.reason)
	if why.source == "chat":
		return _("This chat is set to hints only.")
	return ""
