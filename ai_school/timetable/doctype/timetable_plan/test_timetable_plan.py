# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""Timetable Plan end to end on real records: a small school with a student shared between two course
groups, a lab, a holiday; load, solve (the job function, inline), edit, lock, publish and the conflicts
report."""

from datetime import timedelta
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today

from ai_school import education_data
from ai_school.api import timetable as api
from ai_school.core.timetable.validator import validate
from ai_school.tests.utils import make_course, make_student, make_user, unique
from ai_school.timetable import editing, planning, publishing
from ai_school.timetable.conflicts import SHARED_CLASH, term_conflicts
from ai_school.timetable.custom_fields import install_custom_fields
from ai_school.timetable.report.timetable_conflicts import timetable_conflicts as report
from ai_school.timetable.solving import solve_plan

PERIODS = [
	("P1", "08:00:00", "08:45:00", 0),
	("P2", "08:50:00", "09:35:00", 0),
	("Break", "09:35:00", "09:55:00", 1),
	("P3", "09:55:00", "10:40:00", 0),
	("P4", "10:45:00", "11:30:00", 0),
]


class TestTimetablePlan(FrappeTestCase):
	def setUp(self):
		install_custom_fields()  # idempotent; the site may predate the fields
		# Students without portal users: bulk user creation (e.g. a demo load) throttles new users site-wide
		self.user_creation_skip = frappe.db.get_single_value("Education Settings", "user_creation_skip")
		frappe.db.set_single_value("Education Settings", "user_creation_skip", 1)
		self.school = make_school()
		self.plan = make_plan(self.school)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		# the original value again, which also drops the connection's cached copy of the test value
		frappe.db.set_single_value("Education Settings", "user_creation_skip", self.user_creation_skip)

	# --- helpers ---------------------------------------------------------------------------------------

	def loaded(self):
		planning.load_from_student_groups(self.plan)
		for row in self.plan.lessons:
			if row.student_group == self.school.groups["science"]:
				row.update({"periods_per_week": 2, "lesson_length": 2, "room_kind": "Lab"})
			else:
				row.update({"periods_per_week": 3, "room_kind": "Classroom"})
		self.plan.save()
		return self.plan

	def solved(self):
		self.loaded()
		solve_plan(self.plan.name, "Administrator")
		self.plan.reload()
		self.assertEqual(self.plan.status, "Solved", self.plan.explanation)
		return self.plan

	def placed(self, group_key):
		return [a for a in self.plan.assignments if a.student_group == self.school.groups[group_key]]

	def expected_schedule_count(self):
		term, holiday = self.school.term_dates, self.school.holiday
		per_weekday = {}
		for row in self.plan.assignments:
			per_weekday[row.day] = per_weekday.get(row.day, 0) + 1
		count, day = 0, max(term[0], getdate(today()))
		while day <= term[1]:
			if day != holiday:
				count += per_weekday.get(planning.WEEKDAYS[day.weekday()], 0)
			day += timedelta(days=1)
		return count

	# --- tests -----------------------------------------------------------------------------------------

	def test_load_from_student_groups(self):
		count = planning.load_from_student_groups(self.plan)
		self.assertEqual(count, 4)  # the disabled group and the other term's group are left out
		rows = {row.student_group: row for row in self.plan.lessons}
		self.assertEqual(set(rows), set(self.school.groups.values()))
		maths = rows[self.school.groups["maths"]]
		self.assertEqual(maths.course, self.school.courses["maths"])
		self.assertEqual(maths.instructor, self.school.instructors[0])
		self.assertEqual(maths.student_count, 3)
		self.assertIn(self.school.instructors[2], rows[self.school.groups["music"]].other_instructors)
		# 5 days x 4 teaching periods / at most 2 groups per student or instructor, capped at 5
		self.assertEqual({row.periods_per_week for row in self.plan.lessons}, {5})

	def test_problem_uses_atomic_student_sets(self):
		problem = planning.build_problem(self.loaded())
		by_group = {le.tags[0]: set(le.student_sets) for le in problem.lessons}
		maths, art, music = (self.school.groups[k] for k in ("maths", "art", "music"))
		sizes = {s.id: s.size for s in problem.student_sets}
		self.assertEqual(sum(sizes[s] for s in by_group[maths] & by_group[art]), 1)  # the shared student
		self.assertFalse(by_group[maths] & by_group[music])
		self.assertEqual(problem.breaks, frozenset((d, 2) for d in range(5)))
		lab = next(le for le in problem.lessons if le.tags[0] == self.school.groups["science"])
		self.assertEqual((lab.duration, lab.room_kind, lab.student_count), (2, "Lab", 3))

	def test_solve_inline_gives_a_clash_free_timetable(self):
		plan = self.solved()
		self.assertEqual(len(plan.assignments), 3 * 3 + 2)
		self.assertEqual(plan.hard_violations, 0)
		report_ = validate(planning.stored_problem(plan), planning.stored_assignments(plan))
		self.assertTrue(report_.is_valid, report_.messages())
		self.assertIsNotNone(plan.time_to_first_solution)
		slots = lambda rows: {(a.day, a.period + k) for a in rows for k in range(a.length)}  # noqa: E731
		self.assertFalse(
			slots(self.placed("maths")) & slots(self.placed("art")), "shared student double-booked"
		)
		teacher0 = [a for a in plan.assignments if a.instructor == self.school.instructors[0]]
		self.assertEqual(len(slots(teacher0)), sum(a.length for a in teacher0))
		for row in self.placed("science"):  # the site may have more labs than ours
			room = frappe.get_doc("Room", row.room)
			self.assertEqual(room.room_kind, "Lab")
			self.assertGreaterEqual(planning.parse_capacity(room.seating_capacity) or 99, 3)
			self.assertIn(row.period, (1, 4))  # a double lesson spans neither the break nor the day's end
		self.assertTrue(all(a.period != 3 for a in plan.assignments))  # period 3 is the break

	def test_infeasible_plan_explains_why(self):
		self.loaded()
		for day in planning.WEEKDAYS[:5]:
			self.plan.append(
				"unavailability",
				{"resource_type": "Instructor", "instructor": self.school.instructors[0], "day": day},
			)
		self.plan.save()
		solve_plan(self.plan.name, "Administrator")
		self.plan.reload()
		self.assertEqual(self.plan.status, "Infeasible")
		self.assertTrue(self.plan.explanation)
		self.assertFalse(self.plan.assignments)

	def test_publish_creates_schedules_skipping_holidays(self):
		plan = self.solved()
		expected = self.expected_schedule_count()
		result = publishing.publish_plan(plan.name)
		self.assertEqual(result["created"], expected)
		lessons_on_holiday = sum(1 for a in plan.assignments if a.day == "Wednesday")
		self.assertEqual(expected, 4 * len(plan.assignments) - lessons_on_holiday)
		self.assertEqual(result["skipped_holidays"], 1 if lessons_on_holiday else 0)
		names = education_data.get_plan_schedules(plan.name, self.school.term_dates[0])
		self.assertEqual(len(names), expected)
		self.assertEqual(education_data.count_plan_schedules(plan.name), expected)
		dates = {getdate(s.schedule_date) for s in self.plan_schedules()}
		self.assertNotIn(self.school.holiday, dates)
		plan.reload()
		self.assertEqual((plan.status, plan.published_count), ("Published", expected))
		one = frappe.get_doc("Course Schedule", names[0])
		self.assertEqual(one.timetable_plan, plan.name)
		self.assertTrue(one.title and one.instructor_name and one.color)

	def test_republish_replaces_only_this_plans_schedules(self):
		plan = self.solved()
		first = set(education_data.get_plan_schedules(plan.name, self.school.term_dates[0]))
		publishing.publish_plan(plan.name)
		first = set(education_data.get_plan_schedules(plan.name, self.school.term_dates[0]))
		publishing.publish_plan(plan.name)
		second = set(education_data.get_plan_schedules(plan.name, self.school.term_dates[0]))
		self.assertEqual(len(second), len(first))
		self.assertFalse(first & second, "old schedules must be replaced, not kept")

	def test_failure_mid_publish_leaves_previous_schedules(self):
		plan = self.solved()
		publishing.publish_plan(plan.name)
		before = set(education_data.get_plan_schedules(plan.name, self.school.term_dates[0]))
		real_insert, calls = publishing.insert_schedule, []

		def failing_insert(row):
			calls.append(row)
			if len(calls) == 7:
				raise frappe.ValidationError("simulated failure while inserting")
			return real_insert(row)

		with patch.object(publishing, "insert_schedule", failing_insert):
			self.assertRaises(frappe.ValidationError, publishing.publish_plan, plan.name)
		self.assertEqual(len(calls), 7)
		after = set(education_data.get_plan_schedules(plan.name, self.school.term_dates[0]))
		self.assertEqual(after, before)
		self.assertEqual(frappe.db.get_value("Timetable Plan", plan.name, "published_count"), len(before))

	def test_publish_job_publishes_and_reports_failures_without_raising(self):
		plan = self.solved()
		publishing.publish_job(plan.name, "Administrator")
		self.assertEqual(education_data.count_plan_schedules(plan.name), self.expected_schedule_count())
		before = set(education_data.get_plan_schedules(plan.name, self.school.term_dates[0]))
		with patch.object(publishing, "insert_schedule", side_effect=frappe.ValidationError("boom")):
			publishing.publish_job(plan.name, "Administrator")  # logged, not raised: the worker carries on
		self.assertEqual(set(education_data.get_plan_schedules(plan.name, self.school.term_dates[0])), before)

	def test_failure_on_first_publish_leaves_nothing(self):
		plan = self.solved()
		with patch.object(publishing, "insert_schedule", side_effect=frappe.ValidationError("boom")):
			self.assertRaises(frappe.ValidationError, publishing.publish_plan, plan.name)
		self.assertEqual(education_data.count_plan_schedules(plan.name), 0)
		self.assertEqual(frappe.db.get_value("Timetable Plan", plan.name, "status"), "Solved")

	def test_second_plan_avoids_what_published_plans_use(self):
		plan = self.solved()
		publishing.publish_plan(plan.name)
		teacher = self.school.instructors[0]
		pupils = [make_student(f"Late{i}", with_user=False).name for i in range(2)]
		group = make_course_group(self.school, "history", pupils, [teacher])
		other = make_plan(self.school)
		other.append(
			"lessons",
			{
				"student_group": group,
				"course": self.school.courses["history"],
				"instructor": teacher,
				"periods_per_week": 5,
				"room_kind": "Classroom",
			},
		)
		other.save()
		problem = planning.build_problem(other)
		taken = {
			(planning.WEEKDAYS.index(a.day), a.period - 1 + k)
			for a in plan.assignments
			if a.instructor == teacher
			for k in range(a.length)
		}
		self.assertEqual(problem.teacher_map()[teacher].unavailable, frozenset(taken))
		solve_plan(other.name, "Administrator")
		other.reload()
		self.assertEqual(other.status, "Solved", other.explanation)
		publishing.publish_plan(other.name)  # refuses on any clash with the first plan's schedules
		self.assertEqual(term_conflicts(*self.school.term_dates, instructor=teacher), [])

	def test_move_onto_a_shared_student_clash_is_refused(self):
		plan = self.solved()
		maths, art = self.placed("maths")[0], self.placed("art")[0]
		with self.assertRaises(editing.EditRefused) as caught:
			api.move_lesson(plan.name, maths.lesson_id, art.day, art.period)
		self.assertIn("has 2 lessons", str(caught.exception))
		plan.reload()
		self.assertEqual(
			next(a for a in plan.assignments if a.lesson_id == maths.lesson_id).period, maths.period
		)

	def test_move_to_a_free_slot_updates_the_timetable(self):
		plan = self.solved()
		lesson = self.placed("music")[0]
		target = self.move_somewhere(lesson)
		plan.reload()
		row = next(a for a in plan.assignments if a.lesson_id == lesson.lesson_id)
		self.assertEqual((row.day, row.period), target)
		stored = planning.stored_assignments(plan)[lesson.lesson_id]
		self.assertEqual((stored.day, stored.period + 1), (planning.WEEKDAYS.index(target[0]), target[1]))
		everything = planning.stored_assignments(plan)
		self.assertEqual(len(everything), len(plan.assignments))
		self.assertTrue(validate(planning.stored_problem(plan), everything).is_valid)

	def test_locked_lesson_stays_when_resolving(self):
		plan = self.solved()
		lesson = self.placed("maths")[0]
		target = self.move_somewhere(lesson)
		api.set_lock(plan.name, [lesson.lesson_id], 1)
		plan.reload()
		plan.seed = 7
		plan.save()
		solve_plan(plan.name, "Administrator")
		plan.reload()
		self.assertEqual(plan.status, "Solved")
		row = next(a for a in plan.assignments if a.lesson_id == lesson.lesson_id)
		self.assertEqual((row.day, row.period, row.locked), (*target, 1))
		self.assertGreaterEqual(plan.lessons_moved, 0)
		self.assertEqual(plan.hard_violations, 0)
		with self.assertRaises(frappe.ValidationError):
			api.move_lesson(plan.name, lesson.lesson_id, "Friday", 4)

	def test_grid_for_each_view(self):
		plan = self.solved()
		grid = api.get_grid(plan.name, "Student Group", self.school.groups["science"])
		entries = [e for cell in grid["cells"].values() for e in cell]
		self.assertEqual(len(entries), 4)  # two double lessons
		self.assertEqual(sum(1 for e in entries if e["continued"]), 2)
		room = plan.assignments[0].room
		room_grid = api.get_grid(plan.name, "Room", room)
		self.assertEqual(
			len([e for c in room_grid["cells"].values() for e in c]),
			sum(a.length for a in plan.assignments if a.room == room),
		)
		teacher_grid = api.get_grid(plan.name, "Instructor", None)
		self.assertTrue(teacher_grid["keys"] and teacher_grid["key"])
		self.assertEqual(teacher_grid["periods"][0]["from_time"], "08:00")
		# the shared student's own week: maths and art together
		problem = planning.stored_problem(plan)
		shared = next(
			s.id
			for s in problem.student_sets
			if s.size == 1 and "maths" in s.name.lower() and "art" in s.name.lower()
		)
		week = api.get_grid(plan.name, "Students", shared)
		groups = {e["student_group"] for c in week["cells"].values() for e in c}
		self.assertEqual(groups, {self.school.groups["maths"], self.school.groups["art"]})

	def test_conflicts_report_sees_shared_students(self):
		plan = self.solved()
		publishing.publish_plan(plan.name)
		filters = {"academic_term": self.school.term, "student_group": self.school.groups["maths"]}
		self.assertEqual(report.execute(filters)[1], [])
		# Education's own overlap check passes this one (other group, instructor and room) but the shared
		# student is now in two places at once.
		maths = next(s for s in self.plan_schedules() if s.student_group == self.school.groups["maths"])
		clash = frappe.get_doc(
			{
				"doctype": "Course Schedule",
				"student_group": self.school.groups["art"],
				"course": self.school.courses["art"],
				"instructor": self.school.instructors[2],
				"room": self.school.rooms["spare"],
				"schedule_date": maths.schedule_date,
				"from_time": maths.from_time,
				"to_time": maths.to_time,
				"class_schedule_color": "green",
			}
		).insert()
		rows = report.execute(filters)[1]
		self.assertEqual(len(rows), 1)
		self.assertEqual((rows[0]["conflict"], rows[0]["students"]), (SHARED_CLASH, 1))
		self.assertIn(clash.name, rows[0]["schedules"])
		term = self.school.term_dates
		kinds = {
			r["conflict"] for r in term_conflicts(term[0], term[1], instructor=self.school.instructors[2])
		}
		self.assertIn(SHARED_CLASH, kinds)

	def test_users_without_write_permission_cannot_solve_or_edit(self):
		plan = self.solved()
		frappe.set_user(make_user(("Student",)))
		self.assertRaises(frappe.PermissionError, api.solve, plan.name)
		self.assertRaises(frappe.PermissionError, api.get_grid, plan.name)
		frappe.set_user(make_user(("Instructor",)))
		self.assertTrue(api.get_grid(plan.name)["cells"])
		self.assertRaises(frappe.PermissionError, api.publish, plan.name)
		self.assertRaises(frappe.PermissionError, api.set_lock, plan.name, [plan.assignments[0].lesson_id])

	def test_form_save_cannot_overwrite_solver_results(self):
		plan = self.solved()
		plan.status = "Published"
		plan.solution_json = "{}"
		plan.save()
		plan.reload()
		self.assertEqual(plan.status, "Solved")
		self.assertNotEqual(plan.solution_json, "{}")

	# --- more helpers ----------------------------------------------------------------------------------

	def move_somewhere(self, lesson) -> tuple[str, int]:
		for day in planning.WEEKDAYS[:5]:
			for period in (1, 2, 4, 5):
				if (day, period) == (lesson.day, lesson.period):
					continue
				try:
					api.move_lesson(self.plan.name, lesson.lesson_id, day, period)
				except editing.EditRefused:
					continue
				self.plan.reload()
				return day, period
		self.fail("no free slot to move to")

	def plan_schedules(self):
		return [
			s
			for s in education_data.get_course_schedules(*self.school.term_dates)
			if s.timetable_plan == self.plan.name
		]


# --- a small school --------------------------------------------------------------------------------------


def next_monday():
	day = getdate(today()) + timedelta(days=1)
	return day + timedelta(days=(7 - day.weekday()) % 7)


def make_school() -> frappe._dict:
	start = next_monday()
	end = start + timedelta(days=27)
	year = frappe.get_doc(
		{
			"doctype": "Academic Year",
			"academic_year_name": unique("TT Year"),
			"year_start_date": start - timedelta(days=60),
			"year_end_date": start + timedelta(days=300),
		}
	).insert()
	term = frappe.get_doc(
		{
			"doctype": "Academic Term",
			"academic_year": year.name,
			"term_name": unique("Term"),
			"term_start_date": start,
			"term_end_date": end,
		}
	).insert()
	other_term = frappe.get_doc(
		{
			"doctype": "Academic Term",
			"academic_year": year.name,
			"term_name": unique("Other Term"),
			"term_start_date": end + timedelta(days=1),
			"term_end_date": end + timedelta(days=60),
		}
	).insert()
	holiday = start + timedelta(days=9)  # Wednesday of the second week
	company = frappe.db.get_value("Company", {}, "name")
	holiday_list = frappe.get_doc(
		{
			"doctype": "Holiday List",
			"holiday_list_name": unique("TT Holidays"),
			"from_date": start - timedelta(days=30),
			"to_date": end + timedelta(days=30),
			"holidays": [{"holiday_date": holiday, "description": "School holiday"}],
		}
	).insert()
	frappe.db.set_value("Company", company, "default_holiday_list", holiday_list.name)

	instructors = [
		frappe.get_doc({"doctype": "Instructor", "instructor_name": unique(f"Teacher{i}")}).insert().name
		for i in range(3)
	]
	students = [make_student(f"Pupil{i}", with_user=False).name for i in range(6)]
	rooms = {
		key: frappe.get_doc(
			{"doctype": "Room", "room_name": unique(key), "seating_capacity": cap, "room_kind": kind}
		)
		.insert()
		.name
		for key, cap, kind in (
			("room1", "30", "Classroom"),
			("room2", "30 seats", "Classroom"),
			("lab", "20", "Lab"),
			("spare", "", "Other"),
		)
	}
	courses = {key: make_course() for key in ("maths", "art", "science", "music", "history")}

	school = frappe._dict(year=year.name, term=term.name, courses=courses)

	def group(key, members, teachers, academic_term=term.name, disabled=0):
		return make_course_group(school, key, members, teachers, academic_term, disabled)

	groups = {
		"maths": group("maths", students[0:3], instructors[0:1]),
		"art": group("art", students[2:4], instructors[1:2]),  # students[2] is also in maths
		"science": group("science", students[3:6], instructors[0:1]),
		"music": group("music", students[4:6], [instructors[1], instructors[2]]),
	}
	group("history", students[0:2], instructors[2:3], disabled=1)
	group("history", students[0:2], instructors[2:3], academic_term=other_term.name)
	return school.update(
		term_dates=(start, end),
		holiday=holiday,
		company=company,
		instructors=instructors,
		students=students,
		rooms=rooms,
		courses=courses,
		groups=groups,
	)


def make_course_group(school, key, members, teachers, academic_term=None, disabled=0) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Student Group",
				"student_group_name": unique(f"TT {key}"),
				"group_based_on": "Course",
				"course": school.courses[key],
				"academic_year": school.year,
				"academic_term": academic_term or school.term,
				"disabled": disabled,
				"students": [{"student": s, "active": 1} for s in members],
				"instructors": [{"instructor": i} for i in teachers],
			}
		)
		.insert()
		.name
	)


def make_plan(school):
	return frappe.get_doc(
		{
			"doctype": "Timetable Plan",
			"title": unique("Plan"),
			"academic_term": school.term,
			"company": school.company,
			"time_limit": 5,
			"periods": [
				{"period_label": label, "from_time": start, "to_time": end, "is_break": is_break}
				for label, start, end, is_break in PERIODS
			],
			"preferences": [
				{"preference": "No gaps for students", "weight": 50, "value": 1},
				{
					"preference": "Course in the morning",
					"weight": 80,
					"course": school.courses["maths"],
					"value": 2,
				},
			],
		}
	).insert()
