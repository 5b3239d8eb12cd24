"""Intervention dates: the end date, when check-ins fall due, and reminders once per due date."""

import datetime as dt

from ai_school.core.insights.interventions import (
	CHECKIN,
	END,
	Reminder,
	ReminderState,
	due_reminders,
	end_date,
	next_checkin,
)

START = dt.date(2026, 3, 2)  # a Monday
END_DATE = dt.date(2026, 4, 13)


def test_six_weeks_from_the_start():
	assert end_date(START, 6) == END_DATE


def test_first_checkin_is_one_cadence_after_the_start():
	assert next_checkin(START, 7, END_DATE) == dt.date(2026, 3, 9)
	assert next_checkin(START, 14, END_DATE) == dt.date(2026, 3, 16)


def test_a_logged_checkin_moves_the_next_one_along():
	assert next_checkin(START, 7, END_DATE, [dt.date(2026, 3, 11)]) == dt.date(2026, 3, 18)
	# an early check-in counts too; the latest one decides
	assert next_checkin(START, 7, END_DATE, [dt.date(2026, 3, 11), dt.date(2026, 3, 5)]) == dt.date(
		2026, 3, 18
	)


def test_checkins_before_the_start_do_not_count():
	assert next_checkin(START, 7, END_DATE, [dt.date(2026, 2, 20)]) == dt.date(2026, 3, 9)


def test_no_checkin_falls_due_after_the_end():
	assert next_checkin(START, 7, END_DATE, [dt.date(2026, 4, 6)]) == END_DATE  # on the end date: still due
	assert next_checkin(START, 7, END_DATE, [dt.date(2026, 4, 7)]) is None


def test_a_due_checkin_is_reminded_once():
	due = dt.date(2026, 3, 9)
	state = ReminderState(next_checkin=due, end=END_DATE)
	assert due_reminders(state, dt.date(2026, 3, 8)) == []  # not yet due
	assert due_reminders(state, due) == [Reminder(CHECKIN, due)]
	reminded = ReminderState(next_checkin=due, end=END_DATE, last_checkin_reminder=due)
	assert due_reminders(reminded, due) == []
	assert due_reminders(reminded, dt.date(2026, 3, 12)) == []  # still not logged: no second reminder


def test_an_overdue_checkin_never_reminded_is_reminded_late():
	state = ReminderState(next_checkin=dt.date(2026, 3, 9), end=END_DATE)
	assert due_reminders(state, dt.date(2026, 3, 11)) == [Reminder(CHECKIN, dt.date(2026, 3, 9))]


def test_the_end_date_is_reminded_once_with_the_last_checkin():
	state = ReminderState(next_checkin=END_DATE, end=END_DATE, last_checkin_reminder=dt.date(2026, 4, 6))
	assert due_reminders(state, END_DATE) == [Reminder(CHECKIN, END_DATE), Reminder(END, END_DATE)]
	done = ReminderState(
		next_checkin=END_DATE, end=END_DATE, last_checkin_reminder=END_DATE, end_reminded=True
	)
	assert due_reminders(done, dt.date(2026, 4, 20)) == []
