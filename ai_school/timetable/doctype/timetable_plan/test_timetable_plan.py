# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""Timetable Plan end to end on real records: a small school with a student shared between two course
groups, a lab, a holiday; load, solve (the job function, inline), edit, lock, publish and the conflicts
report."""

import threading
import time
from datetime import timedelta
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today
from frappe.utils.background_jobs import is_job_enqueued

from erpnext import get_default_company

from ai_school import education_data, rate_limits
from ai_school.api import absence as absence_api
from ai_school.api import timetable as api
from ai_school.core.timetable.validator import validate
from ai_school.tests.utils import make_course, make_student, make_user, unique
from ai_school.timetable import absence as absence_service
from ai_school.timetable import editing, planning, publishing, solving
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
		solve_plan(self.plan.name, "Administrator", commit=False)
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
		solve_plan(self.plan.name, "Administrator", commit=False)
		self.plan.reload()
		self.assertEqual(self.plan.status, "Infeasible")
		self.assertTrue(self.plan.explanation)
		self.assertFalse(self.plan.assignments)

	def test_a_plan_whose_memory_budget_cut_the_solve_says_so(self):
		# 1 MB: the ejection search (a few MB) still finds the timetable; the optimisation would need
		# more than that, so it does not start, and the plan's explanation says so and where to change it.
		before = frappe.db.get_single_value("AI School Settings", "timetable_memory_mb")
		frappe.db.set_single_value("AI School Settings", "timetable_memory_mb", 1)
		try:
			plan = self.solved()
		finally:
			frappe.db.set_single_value("AI School Settings", "timetable_memory_mb", before)
		self.assertEqual(plan.hard_violations, 0)
		self.assertIn(
			"The optimisation (the timetable is the first valid one found) was not started", plan.explanation
		)
		self.assertIn("more than the memory budget (1 MB)", plan.explanation)
		self.assertIn("AI School Settings (Timetable Solve Memory Budget)", plan.explanation)

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
		self.assertEqual(
			one.instructor_name, frappe.db.get_value("Instructor", one.instructor, "instructor_name")
		)
		# title and colour are what Education's own controller gives the same schedule
		education = frappe.get_doc(
			{
				"doctype": "Course Schedule",
				"course": one.course,
				"instructor": one.instructor,
				"instructor_name": one.instructor_name,
				"class_schedule_color": one.class_schedule_color,
			}
		)
		education.set_title()
		education.set_hex_color()
		self.assertEqual((one.title, one.color), (education.title, education.color))
		colours = frappe.get_meta("Course Schedule").get_options("class_schedule_color").split("\n")
		self.assertIn(one.class_schedule_color, colours)

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

	def test_republishing_keeps_every_absence_cancellable(self):
		plan = self.solved()
		publishing.publish_plan(plan.name)
		schedules = sorted(self.plan_schedules(), key=lambda s: (s.schedule_date, s.from_time))
		first = schedules[0]
		second = next(s for s in schedules if getdate(s.schedule_date) != getdate(first.schedule_date))
		substitute = frappe.get_doc({"doctype": "Instructor", "instructor_name": unique("Sub")}).insert().name
		applied = self.absence_with_cover(first, substitute)
		absence_service.apply(applied)
		self.assertEqual(frappe.db.get_value("Course Schedule", first.name, "instructor"), substitute)
		proposed = self.absence_with_cover(second, substitute)

		# applied cover: publishing again is refused, nothing is replaced, the absence can still be cancelled
		with self.assertRaises(frappe.ValidationError):
			publishing.publish_plan(plan.name)
		self.assertTrue(frappe.db.exists("Course Schedule", first.name))
		absence_api.cancel_absence(applied.name)
		self.assertEqual(frappe.db.get_value("Course Schedule", first.name, "instructor"), first.instructor)

		# a proposal only: publishing replaces the schedules and drops the proposal, the absence stays usable
		publishing.publish_plan(plan.name)
		self.assertFalse(frappe.db.exists("Course Schedule", second.name))
		proposed.reload()
		self.assertEqual((proposed.status, len(proposed.covers)), ("Draft", 0))
		self.assertEqual(absence_api.cancel_absence(proposed.name), {"reverted": 0})
		self.assertEqual(frappe.db.get_value("Instructor Absence", proposed.name, "status"), "Cancelled")

	def test_other_records_linked_to_the_schedules_refuse_the_publish(self):
		plan = self.solved()
		publishing.publish_plan(plan.name)
		schedule = self.plan_schedules()[0]
		student = frappe.get_all(
			"Student Group Student", filters={"parent": schedule.student_group}, pluck="student", limit=1
		)[0]
		leave = frappe.get_doc(
			{
				"doctype": "Student Leave Application",
				"student": student,
				"from_date": schedule.schedule_date,
				"to_date": schedule.schedule_date,
				"attendance_based_on": "Course Schedule",
				"course_schedule": schedule.name,
			}
		).insert()
		with self.assertRaises(frappe.ValidationError):
			publishing.publish_plan(plan.name)
		self.assertTrue(frappe.db.exists("Course Schedule", schedule.name))
		leave.delete()
		publishing.publish_plan(plan.name)
		self.assertFalse(frappe.db.exists("Course Schedule", schedule.name))

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
		solve_plan(other.name, "Administrator", commit=False)
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
		before = {a.lesson_id: (a.day, a.period) for a in plan.assignments}
		plan.seed = 7
		plan.save()
		solve_plan(plan.name, "Administrator", commit=False)
		plan.reload()
		self.assertEqual(plan.status, "Solved")
		row = next(a for a in plan.assignments if a.lesson_id == lesson.lesson_id)
		self.assertEqual((row.day, row.period, row.locked), (*target, 1))
		# the form's count is the lessons the re-solve actually moved away from the timetable it started from
		moved = sum(1 for a in plan.assignments if before[a.lesson_id] != (a.day, a.period))
		self.assertEqual(plan.lessons_moved, moved)
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

	def absence_with_cover(self, schedule, substitute):
		"""A whole-day absence of the schedule's instructor with cover proposed for that one lesson."""
		doc = frappe.get_doc(
			{
				"doctype": "Instructor Absence",
				"instructor": schedule.instructor,
				"from_date": schedule.schedule_date,
				"to_date": schedule.schedule_date,
				"whole_day": 1,
			}
		).insert()
		doc.append(
			"covers",
			{
				"course_schedule": schedule.name,
				"schedule_date": schedule.schedule_date,
				"from_time": schedule.from_time,
				"to_time": schedule.to_time,
				"student_group": schedule.student_group,
				"course": schedule.course,
				"room": schedule.room,
				"action": "Substitute",
				"substitute": substitute,
				"cover_status": "Proposed",
			},
		)
		doc.status = "Proposed"
		doc.flags.from_cover_service = True
		doc.save()
		return doc

	def plan_schedules(self):
		return [
			s
			for s in education_data.get_course_schedules(*self.school.term_dates)
			if s.timetable_plan == self.plan.name
		]


class TestTimetablePlanConcurrency(FrappeTestCase):
	"""What other connections do at the same time: two publishes at once, a publish resumed after a failure,
	a form saved while the solver runs. Other connections only see committed data, so these tests commit
	their school and delete it again in tearDown (drop_school)."""

	def setUp(self):
		install_custom_fields()
		self.user_creation_skip = frappe.db.get_single_value("Education Settings", "user_creation_skip")
		frappe.db.set_single_value("Education Settings", "user_creation_skip", 1)
		self.school = make_school()
		self.plan = make_plan(self.school)
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		drop_school(self.school, [self.plan.name])
		frappe.db.set_single_value("Education Settings", "user_creation_skip", self.user_creation_skip)
		rate_limits.reset("timetable.publish", "Administrator")
		frappe.db.commit()

	def solved(self):
		planning.load_from_student_groups(self.plan)
		for row in self.plan.lessons:
			row.update({"periods_per_week": 3, "room_kind": "Classroom"})
		self.plan.save()
		frappe.db.commit()
		solve_plan(self.plan.name, "Administrator")
		frappe.db.commit()
		self.plan.reload()
		self.assertEqual(self.plan.status, "Solved", self.plan.explanation)
		return self.plan

	def schedule_keys(self) -> list[tuple]:
		return [
			(s.student_group, s.course, s.instructor, s.room, getdate(s.schedule_date), str(s.from_time))
			for s in education_data.get_course_schedules(*self.school.term_dates)
			if s.timetable_plan == self.plan.name
		]

	def expected_count(self) -> int:
		rows, _info = publishing.plan_schedules(frappe.get_doc("Timetable Plan", self.plan.name))
		return len(rows)

	def test_two_publishes_at_once_write_each_schedule_once(self):
		self.solved()
		expected = self.expected_count()
		barrier = threading.Barrier(2)

		def publish():
			barrier.wait(timeout=30)
			return api.publish(self.plan.name)

		results = run_in_threads([publish, publish])
		frappe.db.rollback()  # a snapshot that includes what the threads committed
		errors = [r for r in results if isinstance(r, BaseException)]
		self.assertEqual(errors, [], "the second publish waits for the first, then replaces its schedules")
		self.assertEqual([r["created"] for r in results], [expected, expected])
		keys = self.schedule_keys()
		self.assertEqual(len(keys), expected)
		self.assertEqual(len(set(keys)), expected, "a lesson was scheduled twice on one date")
		self.assertEqual(frappe.db.get_value("Timetable Plan", self.plan.name, "status"), "Published")

	def test_a_publish_is_refused_while_a_background_one_is_queued(self):
		self.solved()
		with patch.object(publishing, "INLINE_LIMIT", 0):
			self.assertTrue(api.publish(self.plan.name)["queued"])
		frappe.db.commit()  # enqueues the job (after commit)
		publishing.lock_plan(self.plan.name)  # the job waits for this lock before its first batch
		self.assertTrue(is_job_enqueued(publishing.publish_job_id(self.plan.name)))
		with self.assertRaises(frappe.ValidationError) as refused:
			publishing.enqueue_or_publish(self.plan)
		self.assertIn("being published", str(refused.exception))
		with self.assertRaises(frappe.ValidationError):
			solving.enqueue_solve(frappe.get_doc("Timetable Plan", self.plan.name))
		frappe.db.rollback()  # releases the lock: a bench worker now runs the job
		deadline = time.monotonic() + 300
		while time.monotonic() < deadline:
			frappe.db.rollback()  # a fresh snapshot each time
			if frappe.db.get_value("Timetable Plan", self.plan.name, "publish_status") in ("Done", "Failed"):
				break
			time.sleep(1)
		state = frappe.db.get_value(
			"Timetable Plan", self.plan.name, ["status", "publish_status", "publish_progress"], as_dict=True
		)
		self.assertEqual((state.status, state.publish_status), ("Published", "Done"), state.publish_progress)
		self.assertEqual(len(self.schedule_keys()), self.expected_count())

	def test_a_failed_background_publish_resumes_without_duplicates(self):
		self.solved()
		publishing.publish_plan(self.plan.name)  # a first timetable, to be replaced
		frappe.db.commit()
		previous = set(education_data.get_plan_schedules(self.plan.name, self.school.term_dates[0]))
		expected = self.expected_count()
		real_insert, inserted = publishing.insert_schedule, []

		def failing_insert(row):
			if len(inserted) == 25:
				raise frappe.ValidationError("simulated failure while inserting")
			inserted.append(row)
			return real_insert(row)

		run = publishing.start_run(self.plan.name, expected, resume=False)
		frappe.db.commit()
		with (
			patch.object(publishing, "BATCH_SIZE", 10),
			patch.object(publishing, "insert_schedule", failing_insert),
		):
			publishing.publish_job(self.plan.name, "Administrator", run)  # logged, not raised
		state = frappe.db.get_value(
			"Timetable Plan",
			self.plan.name,
			["status", "publish_status", "publish_done", "publish_progress", "publish_old_removed"],
			as_dict=True,
		)
		# two batches of 10 committed, the third rolled back; never shown as Published
		self.assertEqual(
			(state.status, state.publish_status, state.publish_done), ("Publishing", "Failed", 20)
		)
		self.assertIn("simulated failure", state.publish_progress)
		self.assertEqual(state.publish_old_removed, 1)
		now = set(education_data.get_plan_schedules(self.plan.name, self.school.term_dates[0]))
		self.assertEqual(len(now), 20)
		self.assertFalse(now & previous, "the previous schedules were removed first")

		run = publishing.start_run(self.plan.name, expected, resume=True)
		frappe.db.commit()
		publishing.publish_job(self.plan.name, "Administrator", run)
		plan = frappe.get_doc("Timetable Plan", self.plan.name)
		self.assertEqual(
			(plan.status, plan.publish_status, plan.published_count), ("Published", "Done", expected)
		)
		keys = self.schedule_keys()
		self.assertEqual((len(keys), len(set(keys))), (expected, expected))
		self.assertTrue(
			now <= set(education_data.get_plan_schedules(self.plan.name, self.school.term_dates[0]))
		)

	def test_a_publish_takes_over_a_background_one_without_duplicates(self):
		self.solved()
		expected = self.expected_count()
		run = publishing.start_run(self.plan.name, expected, resume=False)
		frappe.db.commit()
		real_insert, started = publishing.insert_schedule, threading.Event()

		def slow_insert(row):
			started.set()
			time.sleep(0.02)
			return real_insert(row)

		def background():
			publishing.publish_job(self.plan.name, "Administrator", run)
			return frappe.db.get_value("Timetable Plan", self.plan.name, "publish_run")

		def publish_meanwhile():
			started.wait(timeout=60)
			return api.publish(self.plan.name)  # no job is enqueued: a dead run, taken over

		with (
			patch.object(publishing, "BATCH_SIZE", 5),
			patch.object(publishing, "insert_schedule", slow_insert),
		):
			results = run_in_threads([background, publish_meanwhile])
		frappe.db.rollback()  # a snapshot that includes what the threads committed
		self.assertFalse([r for r in results if isinstance(r, BaseException)], results)
		self.assertEqual(results[1]["created"], expected)
		keys = self.schedule_keys()
		self.assertEqual((len(keys), len(set(keys))), (expected, expected))
		self.assertEqual(frappe.db.get_value("Timetable Plan", self.plan.name, "status"), "Published")

	def test_a_form_saved_while_the_solver_runs_keeps_its_change_and_the_result(self):
		planning.load_from_student_groups(self.plan)
		for row in self.plan.lessons:
			row.update({"periods_per_week": 3, "room_kind": "Classroom"})
		self.plan.save()
		frappe.db.commit()
		real_solve, seen = solving.solve_with_progress, {}

		def save_form_while_solving(problem, **options):
			def save_form():
				form = frappe.get_doc("Timetable Plan", self.plan.name)
				form.title = "Saved during the solve"
				form.save()

			seen["form_save"] = run_in_threads([save_form])[0]
			# what the job's own connection reads now: with a transaction kept open since before the solve, it
			# would still see that older snapshot
			seen["title_read_by_job"] = frappe.db.get_value("Timetable Plan", self.plan.name, "title")
			return real_solve(problem, **options)

		with patch.object(solving, "solve_with_progress", save_form_while_solving):
			solve_plan(self.plan.name, "Administrator")
		self.assertIsNone(seen["form_save"])
		self.assertEqual(
			seen["title_read_by_job"], "Saved during the solve", "the job kept a transaction open"
		)
		frappe.db.rollback()
		plan = frappe.get_doc("Timetable Plan", self.plan.name)
		self.assertEqual(plan.status, "Solved", plan.explanation)
		self.assertEqual(plan.title, "Saved during the solve")
		self.assertTrue(plan.assignments)
		self.assertIn("saved while the solver ran", plan.explanation)


def run_in_threads(functions) -> list:
	"""Run each function in its own thread with its own site connection (as Administrator) and commit;
	returns their results, or the exception each raised."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	results: list = [None] * len(functions)

	def target(index, function):
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		frappe.set_user("Administrator")
		try:
			results[index] = function()
			frappe.db.commit()
		except BaseException as exc:
			frappe.db.rollback()
			results[index] = exc
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=target, args=(i, f)) for i, f in enumerate(functions)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=600)
	return results


def drop_school(school, plans: list[str]) -> None:
	"""Delete a committed school made by make_school, and what the tests made with it."""
	groups = frappe.get_all("Student Group", filters={"academic_year": school.year}, pluck="name")
	frappe.db.delete("Course Schedule", {"timetable_plan": ("in", plans)})
	frappe.db.delete("Course Schedule", {"student_group": ("in", groups)})
	for name in frappe.get_all(
		"Instructor Absence", {"instructor": ("in", school.instructors)}, pluck="name"
	):
		frappe.delete_doc("Instructor Absence", name, force=True, delete_permanently=True)
	students = set(school.students)
	for group in groups:
		students.update(
			frappe.get_all(
				"Student Group Student", {"parent": group, "parenttype": "Student Group"}, pluck="student"
			)
		)
	customers = [
		c for c in frappe.get_all("Student", {"name": ("in", list(students))}, pluck="customer") if c
	]
	deletions = [
		("Timetable Plan", plans),
		("Student Group", groups),
		("Student", sorted(students)),
		("Customer", customers),
		("Instructor", school.instructors),
		("Room", list(school.rooms.values())),
		("Course", list(school.courses.values())),
		("Academic Term", school.terms),
	]
	for doctype, names in deletions:
		for name in names:
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True, delete_permanently=True)
	frappe.db.set_value("Company", school.company, "default_holiday_list", school.previous_holiday_list)
	frappe.delete_doc("Holiday List", school.holiday_list, force=True, delete_permanently=True)
	frappe.delete_doc("Academic Year", school.year, force=True, delete_permanently=True)


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
	# the company Education reads holidays from (leave applications, attendance): the default one
	company = get_default_company() or frappe.db.get_value("Company", {}, "name")
	holiday_list = frappe.get_doc(
		{
			"doctype": "Holiday List",
			"holiday_list_name": unique("TT Holidays"),
			"from_date": start - timedelta(days=30),
			"to_date": end + timedelta(days=30),
			"holidays": [{"holiday_date": holiday, "description": "School holiday"}],
		}
	).insert()
	previous_holiday_list = frappe.db.get_value("Company", company, "default_holiday_list")
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
		terms=[term.name, other_term.name],
		holiday_list=holiday_list.name,
		previous_holiday_list=previous_holiday_list,
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
