# Copyright (c) 2026, ai_school contributors
# For license information, please see license.txt

import datetime as dt

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

from ai_school.api import absence as api
from ai_school.core.timetable import cover
from ai_school.tests import utils
from ai_school.tests.utils import make_instructor, make_user
from ai_school.timetable.absence import StaleProposalError, covers_this_term, schedule_calendar


def monday_in_two_weeks() -> dt.date:
	day = getdate(add_days(nowdate(), 14))
	return day - dt.timedelta(days=day.weekday())


class School:
	"""A small school built with real records: one program with Mathematics and Physics, Student Groups and
	instructors (each with an Employee and a User), and a Monday of Course Schedules.

	Monday (all in the program, rooms R1..R3):
	  A (absent):  G1 Maths 09:00 R1, G1 Maths 11:00 R1
	  B (Maths):   G2 Maths 09:00 R2                      -> busy for A's first lesson
	  C (Maths):   G3 Physics 13:00, 14:00 R3             -> free, 2 lessons that day
	  D (Maths):   G3 Physics 15:00 R3                    -> free, 1 lesson that day
	  E (Maths):   no lessons, but absent on Monday
	  F (Art only, another program): free but not qualified
	Tuesday: G1 Maths 09:00 with A (so G1's school days and periods are Monday and Tuesday).
	"""

	def __init__(self):
		self.key = frappe.generate_hash(length=6)
		self.monday = monday_in_two_weeks()
		self.tuesday = self.monday + dt.timedelta(days=1)
		year = self._insert(
			"Academic Year",
			academic_year_name=f"AY {self.key}",
			year_start_date=add_days(self.monday, -40),
			year_end_date=add_days(self.monday, 80),
		)
		self.term = self._insert(
			"Academic Term",
			academic_year=year,
			term_name=f"T {self.key}",
			term_start_date=add_days(self.monday, -30),
			term_end_date=add_days(self.monday, 60),
		)
		self.maths = self._insert("Course", course_name=f"Maths {self.key}")
		physics = self._insert("Course", course_name=f"Physics {self.key}")
		art = self._insert("Course", course_name=f"Art {self.key}")
		self.program = self._insert(
			"Program",
			program_name=f"Grade 9 {self.key}",
			courses=[
				{"course": self.maths, "course_name": self.maths},
				{"course": physics, "course_name": physics},
			],
		)
		arts = self._insert(
			"Program", program_name=f"Arts {self.key}", courses=[{"course": art, "course_name": art}]
		)
		self.rooms = [
			self._insert("Room", room_name=f"R{i} {self.key}", seating_capacity="30") for i in (1, 2, 3)
		]
		self.users, self.instructors, self.courses = {}, {}, {}
		for letter in "ABCDEF":
			made = make_instructor(f"Teacher {letter}")
			self.instructors[letter], self.users[letter] = made.name, made.user
		a, b, c, d, e, f = (self.instructors[x] for x in "ABCDEF")
		self.g1 = self._group("G1", self.maths, self.program, year, [a])
		g2 = self._group("G2", self.maths, self.program, year, [b, c, d, e])
		g3 = self._group("G3", physics, self.program, year, [c, d])
		self._group("G4", art, arts, year, [f])
		r1, r2, r3 = self.rooms
		self.first = self.schedule(self.g1, a, self.monday, "09:00", r1)
		self.second = self.schedule(self.g1, a, self.monday, "11:00", r1)
		self.schedule(g2, b, self.monday, "09:00", r2)
		self.schedule(g3, c, self.monday, "13:00", r3)
		self.schedule(g3, c, self.monday, "14:00", r3)
		self.schedule(g3, d, self.monday, "15:00", r3)
		self.schedule(self.g1, a, self.tuesday, "09:00", r1)
		self.g3 = g3
		self.absence("E")

	def _insert(self, doctype, **values):
		return frappe.get_doc({"doctype": doctype, **values}).insert(ignore_permissions=True).name

	def _group(self, name, course, program, year, instructors) -> str:
		group = self._insert(
			"Student Group",
			student_group_name=f"{name} {self.key}",
			group_based_on="Course",
			academic_year=year,
			academic_term=self.term,
			program=program,
			course=course,
			instructors=[{"instructor": who} for who in instructors],
		)
		self.courses[group] = course
		return group

	def schedule(self, group, instructor, day, start, room) -> str:
		begin = cover.minutes(start)
		return self._insert(
			"Course Schedule",
			student_group=group,
			course=self.courses[group],
			instructor=instructor,
			schedule_date=day,
			from_time=f"{cover.clock(begin)}:00",
			to_time=f"{cover.clock(begin + 60)}:00",
			room=room,
		)

	def absence(self, letter, day=None, **values):
		day = day or self.monday
		doc = frappe.get_doc(
			{
				"doctype": "Instructor Absence",
				"instructor": self.instructors[letter],
				"from_date": day,
				"to_date": day,
				"whole_day": 1,
				"reason": "Sick",
				**values,
			}
		)
		return doc.insert()

	def clashes(self, day) -> list:
		"""Overlapping Course Schedules on the day, per instructor, group and room."""
		schedules = frappe.get_all(
			"Course Schedule",
			filters={"schedule_date": day},
			fields=["name", "instructor", "student_group", "room", "schedule_date", "from_time", "to_time"],
		)
		return schedule_calendar(schedules).clashes()


class TestInstructorAbsence(FrappeTestCase):
	"""One school per class (it makes many users); each test rolls back to a savepoint taken
	after the school was built, and the class rolls back the school itself."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.school = School()

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.savepoint("absence_test")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point="absence_test")
		utils.forget_outgoing_email_account()

	def notifications(self, letter, absence) -> int:
		return frappe.db.count(
			"Notification Log",
			{
				"for_user": self.school.users[letter],
				"document_type": "Instructor Absence",
				"document_name": absence,
			},
		)

	def emails(self, absence) -> int:
		return frappe.db.count(
			"Email Queue", {"reference_doctype": "Instructor Absence", "reference_name": absence}
		)

	def add_outgoing_email_account(self):
		"""The test site, like a fresh school site, has no default outgoing Email Account."""
		utils.make_outgoing_email_account(
			f"School Office {self.school.key}", f"office-{self.school.key}@example.com"
		)

	def test_applying_works_on_a_site_without_outgoing_email(self):
		absence = self.school.absence("A")
		api.propose_cover(absence.name)
		frappe.local.message_log = []
		self.assertEqual(api.apply_cover(absence.name)["applied"], 2)
		self.assertEqual(self.emails(absence.name), 0)
		self.assertEqual(self.notifications("D", absence.name), 1)
		self.assertEqual(frappe.local.message_log, [])

	def test_affected_schedules_are_listed(self):
		whole_day = self.school.absence("A")
		lessons = api.get_affected_lessons(whole_day.name)
		self.assertEqual([row["course_schedule"] for row in lessons], [self.school.first, self.school.second])
		self.assertRaises(
			frappe.ValidationError,
			self.school.absence,
			"A",
			whole_day=0,
			from_time="10:30:00",
			to_time="12:30:00",
		)
		api.cancel_absence(whole_day.name)
		late_morning = self.school.absence("A", whole_day=0, from_time="10:30:00", to_time="12:30:00")
		lessons = api.get_affected_lessons(late_morning.name)
		self.assertEqual([row["course_schedule"] for row in lessons], [self.school.second])

	def test_proposal_excludes_busy_absent_and_unqualified_and_prefers_the_least_loaded(self):
		absence = self.school.absence("A")
		result = api.propose_cover(absence.name)
		ins = self.school.instructors
		self.assertEqual(result["affected"], 2)
		self.assertEqual(result["uncovered"], 0)
		first = [o["instructor"] for o in result["options"][self.school.first] if o["kind"] == "substitute"]
		# B teaches then, E is absent, F does not teach Maths in the program; D has 1 lesson, C has 2
		self.assertEqual(first, [ins["D"], ins["C"]])
		absence.reload()
		self.assertEqual(absence.status, "Proposed")
		self.assertEqual(absence.affected_count, 2)
		rows = {row.course_schedule: row for row in absence.covers}
		self.assertEqual(rows[self.school.first].substitute, ins["D"])
		self.assertIn("1 lesson that day", rows[self.school.first].reasons)
		self.assertIn(
			f"teaches {self.school.maths} in {self.school.program}", rows[self.school.first].reasons
		)
		# D took the first cover (2 lessons, 1 cover now); B is free at 11:00 with 1 lesson
		self.assertEqual(rows[self.school.second].substitute, ins["B"])

	def test_applying_updates_course_schedules_without_conflicts_and_notifies(self):
		absence = self.school.absence("A")
		self.add_outgoing_email_account()
		api.propose_cover(absence.name)
		result = api.apply_cover(absence.name)
		self.assertEqual(result, {"applied": 2, "uncovered": 0})
		ins = self.school.instructors
		self.assertEqual(frappe.db.get_value("Course Schedule", self.school.first, "instructor"), ins["D"])
		self.assertEqual(frappe.db.get_value("Course Schedule", self.school.second, "instructor"), ins["B"])
		self.assertEqual(self.school.clashes(self.school.monday), [])
		absence.reload()
		self.assertEqual(absence.status, "Applied")
		self.assertEqual({row.cover_status for row in absence.covers}, {"Applied"})
		for letter in "ABD":
			self.assertEqual(self.notifications(letter, absence.name), 1, letter)
		self.assertEqual(self.notifications("C", absence.name), 0)
		self.assertEqual(self.emails(absence.name), 3)
		counts = covers_this_term(self.school.monday, self.school.monday)
		self.assertEqual((counts.get(ins["D"]), counts.get(ins["B"])), (1, 1))

	def test_applied_covers_make_the_next_proposal_fairer(self):
		first = self.school.absence("A")
		api.propose_cover(first.name)
		api.apply_cover(first.name)
		# next Monday E is back and C and D have one lesson each; B and D have one cover this term
		next_monday = self.school.monday + dt.timedelta(days=7)
		g3, r3 = self.school.g3, self.school.rooms[2]
		ins = self.school.instructors
		lesson = self.school.schedule(self.school.g1, ins["A"], next_monday, "09:00", self.school.rooms[0])
		self.school.schedule(g3, ins["D"], next_monday, "13:00", r3)
		self.school.schedule(g3, ins["C"], next_monday, "14:00", r3)
		second = self.school.absence("A", day=next_monday)
		options = api.propose_cover(second.name)["options"][lesson]
		# E: 30, B: 30 - 2 (cover), C: 30 - 3 (lesson), D: 30 - 3 - 2
		self.assertEqual([o["instructor"] for o in options[:3]], [ins["E"], ins["B"], ins["C"]])
		self.assertEqual([o["score"] for o in options[:3]], [30, 28, 27])
		self.assertEqual(options[2]["reasons"][1:], ["1 lesson that day", "0 covers this term"])

	def test_a_stale_proposal_is_refused_and_nothing_is_written(self):
		absence = self.school.absence("A")
		api.propose_cover(absence.name)
		ins = self.school.instructors
		# D gets a lesson at 09:00 after the proposal
		self.school.schedule(self.school.g3, ins["D"], self.school.monday, "09:00", self.school.rooms[2])
		with self.assertRaises(StaleProposalError) as raised:
			api.apply_cover(absence.name)
		self.assertIn("no longer free", str(raised.exception))
		self.assertEqual(frappe.db.get_value("Course Schedule", self.school.second, "instructor"), ins["A"])
		self.assertEqual(frappe.db.get_value("Instructor Absence", absence.name, "status"), "Proposed")

	def test_a_lesson_changed_by_hand_is_refused(self):
		absence = self.school.absence("A")
		api.propose_cover(absence.name)
		frappe.db.set_value("Course Schedule", self.school.first, "from_time", "08:00:00")
		with self.assertRaises(StaleProposalError) as raised:
			api.apply_cover(absence.name)
		self.assertIn("changed since the proposal", str(raised.exception))

	def test_nobody_free_moves_the_lesson_to_a_free_slot_in_the_week(self):
		for letter in "BCD":
			self.school.absence(letter)
		absence = self.school.absence("A")
		result = api.propose_cover(absence.name)
		absence.reload()
		row = next(r for r in absence.covers if r.course_schedule == self.school.first)
		self.assertEqual(row.action, "Move")
		# Tuesday: G1 and A teach 09:00-10:00, so the earliest free period of G1's day is 11:00
		self.assertEqual(getdate(row.new_date), self.school.tuesday)
		self.assertEqual(cover.minutes(row.new_from_time), cover.minutes("11:00"))
		# the 11:00 lesson finds no slot: G1 only has 09:00 and 11:00 on Monday and Tuesday
		self.assertEqual(result["uncovered"], 1)
		second = next(r for r in absence.covers if r.course_schedule == self.school.second)
		self.assertEqual(second.action, "Leave Uncovered")
		self.assertEqual(api.apply_cover(absence.name), {"applied": 1, "uncovered": 1})
		moved = frappe.db.get_value(
			"Course Schedule", self.school.first, ["schedule_date", "from_time"], as_dict=True
		)
		self.assertEqual((moved.schedule_date, cover.minutes(moved.from_time)), (self.school.tuesday, 660))
		self.assertEqual(self.school.clashes(self.school.tuesday), [])
		self.assertEqual(self.notifications("A", absence.name), 1)

	def holiday_list(self, name: str, day) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Holiday List",
					"holiday_list_name": f"{name} {self.school.key}",
					"from_date": add_days(self.school.monday, -7),
					"to_date": add_days(self.school.monday, 30),
					"holidays": [{"holiday_date": day, "description": name}],
				}
			)
			.insert()
			.name
		)

	def test_moves_skip_the_schools_holidays(self):
		company = frappe.db.get_value("Employee", {"user_id": self.school.users["A"]}, "company")
		frappe.db.set_value(
			"Company",
			company,
			"default_holiday_list",
			self.holiday_list("Staff training", self.school.tuesday),
		)
		for letter in "BCD":
			self.school.absence(letter)
		absence = self.school.absence("A")
		# Tuesday, the only other day G1 has lessons, is a holiday: nowhere to move to
		self.assertEqual(api.propose_cover(absence.name)["uncovered"], 2)
		absence.reload()
		self.assertEqual({row.action for row in absence.covers}, {"Leave Uncovered"})

	def test_the_instructors_own_holiday_list_comes_before_the_companys(self):
		employee, company = frappe.db.get_value(
			"Employee", {"user_id": self.school.users["A"]}, ["name", "company"]
		)
		frappe.db.set_value(
			"Company",
			company,
			"default_holiday_list",
			self.holiday_list("Staff training", self.school.tuesday),
		)
		wednesday = add_days(self.school.tuesday, 1)
		frappe.db.set_value("Employee", employee, "holiday_list", self.holiday_list("Own", wednesday))
		for letter in "BCD":
			self.school.absence(letter)
		absence = self.school.absence("A")
		# A's own list (Wednesday off) applies, not the company's: the first lesson moves to Tuesday 11:00
		self.assertEqual(api.propose_cover(absence.name)["uncovered"], 1)
		absence.reload()
		row = next(r for r in absence.covers if r.course_schedule == self.school.first)
		self.assertEqual((row.action, getdate(row.new_date)), ("Move", self.school.tuesday))
		self.assertEqual(api.apply_cover(absence.name), {"applied": 1, "uncovered": 1})

	def test_cancelling_an_applied_absence_puts_the_lessons_back(self):
		absence = self.school.absence("A")
		api.propose_cover(absence.name)
		api.apply_cover(absence.name)
		self.assertEqual(api.cancel_absence(absence.name), {"reverted": 2})
		ins = self.school.instructors
		self.assertEqual(frappe.db.get_value("Course Schedule", self.school.first, "instructor"), ins["A"])
		absence.reload()
		self.assertEqual(absence.status, "Cancelled")
		self.assertEqual({row.cover_status for row in absence.covers}, {"Reverted"})
		self.assertEqual(self.notifications("D", absence.name), 2)
		self.assertEqual(covers_this_term(self.school.monday, self.school.monday), {})

	def test_applied_absence_cannot_be_edited_or_status_forged(self):
		absence = self.school.absence("A")
		absence.status = "Applied"
		absence.save()
		self.assertEqual(absence.status, "Draft")
		api.propose_cover(absence.name)
		api.apply_cover(absence.name)
		absence.reload()
		absence.reason = "changed"
		self.assertRaises(frappe.ValidationError, absence.save)

	def test_changing_the_dates_discards_the_proposal(self):
		absence = self.school.absence("A")
		api.propose_cover(absence.name)
		absence.reload()
		absence.whole_day = 0
		absence.from_time, absence.to_time = "10:30:00", "12:30:00"
		absence.save()
		self.assertEqual((absence.status, len(absence.covers)), ("Draft", 0))

	def test_a_student_cannot_read_propose_or_apply(self):
		absence = self.school.absence("A")
		api.propose_cover(absence.name)
		frappe.set_user(make_user(("Student",)))
		for method in (api.apply_cover, api.propose_cover, api.cancel_absence, api.get_affected_lessons):
			self.assertRaises(frappe.PermissionError, method, absence.name)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Instructor Absence", absence.name, "status"), "Proposed")

	def test_an_instructor_sees_their_covers_but_not_the_absence(self):
		absence = self.school.absence("A")
		api.propose_cover(absence.name)
		api.apply_cover(absence.name)
		frappe.set_user(self.school.users["D"])
		self.assertRaises(frappe.PermissionError, api.get_affected_lessons, absence.name)
		mine = api.get_my_covers()
		self.assertEqual([row.course_schedule for row in mine], [self.school.first])

	def test_an_academics_user_can_apply(self):
		absence = self.school.absence("A")
		frappe.set_user(make_user(("Academics User",)))
		api.propose_cover(absence.name)
		self.assertEqual(api.apply_cover(absence.name)["applied"], 2)
