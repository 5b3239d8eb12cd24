"""Interventions: when check-ins fall due and which reminders an owner gets. Plain dates in, plain data out.

An intervention runs from its start date for ``duration_weeks`` weeks (the end date is the start plus that many
weeks). Check-ins fall due every ``cadence`` days counted from the last check-in logged (or from the start
when none is): a check-in logged early moves the next one along, so the owner is never asked twice for the
same fortnight. No check-in falls due after the end date; the end date has its own reminder.

Each due date is reminded once: the caller stores the due date it last reminded (and whether the end was
reminded), and :func:`due_reminders` returns nothing new for the same dates, however often it runs.

    next_checkin(start, 7, end, checkins=[...])  # the date the next check-in is due, or None
    due_reminders(state, today)  # [Reminder("checkin", date), Reminder("end", date)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

CADENCE_DAYS = {"Weekly": 7, "Every 2 Weeks": 14, "Every 4 Weeks": 28}
DEFAULT_CADENCE = "Weekly"
DEFAULT_WEEKS = 6
MAX_WEEKS = 52
CHECKIN, END = "checkin", "end"


def end_date(start: dt.date, weeks: int) -> dt.date:
	"""The last day of an intervention that starts on ``start`` and lasts ``weeks`` weeks."""
	return start + dt.timedelta(weeks=int(weeks))


def next_checkin(
	start: dt.date, cadence_days: int, end: dt.date, checkins: Iterable[dt.date] = ()
) -> dt.date | None:
	"""The date the next check-in is due: ``cadence_days`` after the latest check-in on or after the start
	(or after the start itself); None once that falls after the end date."""
	logged = [day for day in checkins if day is not None and day >= start]
	due = max([start, *logged]) + dt.timedelta(days=int(cadence_days))
	return due if due <= end else None


@dataclass(frozen=True)
class ReminderState:
	"""What the reminders of one open intervention depend on."""

	next_checkin: dt.date | None
	end: dt.date
	last_checkin_reminder: dt.date | None = None  # the due date last reminded
	end_reminded: bool = False


@dataclass(frozen=True)
class Reminder:
	kind: str  # checkin | end
	due: dt.date


def due_reminders(state: ReminderState, today: dt.date) -> list[Reminder]:
	"""The reminders to send today: a check-in due on or before today that was not reminded for that date,
	and the end date once it is reached (once)."""
	reminders = []
	due = state.next_checkin
	if due is not None and due <= today and due != state.last_checkin_reminder:
		reminders.append(Reminder(CHECKIN, due))
	if state.end <= today and not state.end_reminded:
		reminders.append(Reminder(END, state.end))
	return reminders
