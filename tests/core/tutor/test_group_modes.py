"""Instructors' group modes (AI Tutor Group Mode) as the guard receives them: plain data, first and last day
inclusive, the strictest override in force wins, and the reason the student's badge shows."""

from datetime import date, datetime, time

import pytest

from ai_school.core.tutor.guard import decide_mode
from ai_school.core.tutor.labels import Label, Mode
from ai_school.core.tutor.modes import (
	AssessmentWindow,
	GroupModeOverride,
	GuardContext,
	active_overrides,
	context_mode,
	explain_context_mode,
)

WEEK = GroupModeOverride(
	"9A Maths", Mode.GUIDED, date(2026, 3, 9), date(2026, 3, 13), reason="Coursework week", name="TGM-1"
)


def ctx(now: datetime, overrides=(WEEK,), groups=("9A Maths", "9A"), course="MATH-9", **values):
	return GuardContext(now=now, course=course, student_groups=groups, group_overrides=overrides, **values)


@pytest.mark.parametrize(
	("now", "mode"),
	[
		(datetime(2026, 3, 8, 23, 59, 59), Mode.LEARNING),  # the evening before
		(datetime(2026, 3, 9, 0, 0), Mode.GUIDED),  # first day, from midnight
		(datetime(2026, 3, 13, 23, 59, 59), Mode.GUIDED),  # last day, to its end
		(datetime(2026, 3, 14, 0, 0), Mode.LEARNING),  # the day after
	],
)
def test_first_and_last_day_are_inclusive(now, mode):
	assert context_mode(ctx(now)) is mode
	assert explain_context_mode(ctx(now)).mode is mode


def test_a_one_day_override_holds_all_that_day():
	day = GroupModeOverride("9A", Mode.BLOCKED, date(2026, 3, 10), date(2026, 3, 10))
	assert context_mode(ctx(datetime(2026, 3, 10, 0, 0), overrides=(day,))) is Mode.BLOCKED
	assert context_mode(ctx(datetime(2026, 3, 10, 23, 59), overrides=(day,))) is Mode.BLOCKED
	assert context_mode(ctx(datetime(2026, 3, 11, 0, 0), overrides=(day,))) is Mode.LEARNING


def test_the_strictest_override_of_the_students_groups_wins_and_is_the_reason():
	restricted = GroupModeOverride("9A", Mode.RESTRICTED, date(2026, 3, 10), date(2026, 3, 11), reason="Mock")
	other_group = GroupModeOverride("9B", Mode.BLOCKED, date(2026, 3, 1), date(2026, 3, 31))
	context = ctx(datetime(2026, 3, 10, 12), overrides=(WEEK, restricted, other_group))
	assert active_overrides(context) == [WEEK, restricted]
	why = explain_context_mode(context)
	assert (why.mode, why.source, why.override) == (Mode.RESTRICTED, "group_mode", restricted)
	assert why.until == datetime(2026, 3, 12, 0, 0)  # midnight after the last day
	# the label can only tighten it further; a concept question gets no more than restricted
	assert decide_mode(Label.CONCEPT, context) is Mode.RESTRICTED
	assert decide_mode(Label.EXAM_CONTENT, context) is Mode.BLOCKED


def test_a_course_override_leaves_the_groups_other_courses_alone():
	maths_only = GroupModeOverride("9A", Mode.BLOCKED, date(2026, 3, 9), date(2026, 3, 13), course="MATH-9")
	assert context_mode(ctx(datetime(2026, 3, 10, 12), overrides=(maths_only,))) is Mode.BLOCKED
	assert context_mode(ctx(datetime(2026, 3, 10, 12), overrides=(maths_only,), course="HIST-9")) is (
		Mode.LEARNING
	)


def test_an_override_as_strict_as_the_chats_own_mode_is_the_one_explained():
	context = ctx(datetime(2026, 3, 10, 12), base_mode=Mode.GUIDED)
	assert explain_context_mode(context).source == "group_mode"
	outside = ctx(datetime(2026, 3, 20, 12), base_mode=Mode.GUIDED)
	assert (explain_context_mode(outside).mode, explain_context_mode(outside).source) == (Mode.GUIDED, "chat")
	assert explain_context_mode(ctx(datetime(2026, 3, 20, 12))) == explain_context_mode(
		GuardContext(now=datetime(2026, 3, 20, 12))
	)
	assert explain_context_mode(GuardContext(now=datetime(2026, 3, 20, 12))).source == ""


def test_an_assessment_outranks_a_blocked_override_as_the_reason():
	blocked = GroupModeOverride("9A", Mode.BLOCKED, date(2026, 3, 9), date(2026, 3, 13), reason="Exams")
	exam = AssessmentWindow("MATH-9", "9A Maths", date(2026, 3, 10), time(9), time(10, 30))
	context = ctx(datetime(2026, 3, 10, 9, 30), overrides=(blocked,), assessment_windows=(exam,), margin=15)
	why = explain_context_mode(context)
	assert (why.mode, why.source, why.window) == (Mode.BLOCKED, "assessment", exam)
	assert why.until == datetime(2026, 3, 10, 10, 45)
	later = ctx(datetime(2026, 3, 10, 11), overrides=(blocked,), assessment_windows=(exam,), margin=15)
	assert explain_context_mode(later).source == "group_mode"


def test_unsafe_messages_keep_the_safeguarding_reply_under_a_blocked_override():
	blocked = GroupModeOverride("9A", Mode.BLOCKED, date(2026, 3, 9), date(2026, 3, 13))
	assert decide_mode(Label.UNSAFE_SELF_HARM, ctx(datetime(2026, 3, 10), overrides=(blocked,))) is (
		Mode.RESTRICTED
	)


def test_override_from_plain_data_keeps_its_reason_and_name():
	override = GroupModeOverride.from_dict(
		{
			"name": "TGM-7",
			"student_group": "9A",
			"mode": "Restricted",
			"from_date": "2026-03-09",
			"to_date": datetime(2026, 3, 13, 8, 0),
			"reason": "Coursework week",
			"course": None,
		}
	)
	assert override == GroupModeOverride(
		"9A", Mode.RESTRICTED, date(2026, 3, 9), date(2026, 3, 13), reason="Coursework week", name="TGM-7"
	)
