"""The tutor's staff side and the chat rules around it, with real users, roles and Education records:

- a student can't open, list, read or post to another student's chat through the form (getdoc), lists
  (get_list) or the REST resource handlers (/api/resource, called as Frappe's router calls them); guests get
  nothing;
- instructors read the chats of the students in the groups they teach this academic year only (a student of
  last year's group is invisible), flagged chats first, read-only;
- group modes (AI Tutor Group Mode): an instructor sets one for their own group only, the tutor applies it (the
  answer job's guard context and the page's badge with the reason), clearing it ends it;
- the Tutor Usage report through frappe.desk.query_report.run as an instructor and as a manager, and through an
  Auto Email Report as the scheduler runs it (as Administrator, for an instructor).

Everything is made inside the test transaction and rolled back (nothing is committed)."""

import json

import frappe
import frappe.client
from frappe.api import v1 as rest
from frappe.desk.query_report import run as run_report
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, getdate, now_datetime, nowdate

from ai_school.api import tutor
from ai_school.core.tutor.guard import Mode, check
from ai_school.tests import desk, utils
from ai_school.tutor import answer, group_mode

SESSION = "AI Chat Session"
MESSAGE = "AI Chat Message"
REPORT = "Tutor Usage"
SAVEPOINT = "ai_school_tutor_staff_test"
PREVIOUS_YEAR = "AI School Test Year (previous)"

test_ignore = ["Course", "Student", "User"]


def make_group(students, instructors, academic_year, course) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Student Group",
				"student_group_name": utils.unique("AI Group"),
				"group_based_on": "Activity",
				"academic_year": academic_year,
				"course": course,
				"students": [{"student": s, "active": 1} for s in students],
				"instructors": [{"instructor": i} for i in instructors],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_session(student, course, modes=("learning",), status="Active", flags=None, days_ago=0) -> str:
	"""A chat as the tutor writes it: a student message per mode (the guard's mode on it) and a reply each."""
	when = add_to_date(now_datetime(), days=-days_ago)
	messages = []
	for mode in modes:
		messages.append(
			{"role": "user", "content": "How do fractions work?", "status": "Answered", "guard_mode": mode}
		)
		messages.append({"role": "assistant", "content": "What is a half of a half?", "guard_mode": mode})
	for row in messages:
		row["timestamp"] = when
	doc = frappe.get_doc(
		{
			"doctype": SESSION,
			"student": student,
			"course": course,
			"topic": "Fractions",
			"status": status,
			"safety_flags": json.dumps(flags) if flags else None,
			"messages": messages,
		}
	).insert(ignore_permissions=True)
	return doc.name


def make_alert(student, session, course, tier=1) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "AI Safety Alert",
				"student": student,
				"session": session,
				"course": course,
				"category": "self_harm" if tier == 2 else "abuse",
				"tier": tier,
				"severity": "High" if tier == 2 else "Low",
				"source": "Student message",
				"excerpt": "[redacted for the test]",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


class TutorStaffCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()  # the world below is rolled back when the class ends
		cls.year = utils.make_academic_year()
		cls.previous_year = utils.make_academic_year(PREVIOUS_YEAR, years_back=1)
		cls.maths = utils.make_course()
		cls.art = utils.make_course()
		cls.a = utils.make_student("Ada")
		cls.b = utils.make_student("Ben")
		cls.c = utils.make_student("Cy")
		cls.d = utils.make_student("Dee")  # taught by the first teacher last year only
		cls.teacher = utils.make_instructor("Tess")
		cls.colleague = utils.make_instructor("Toby")
		cls.group = make_group([cls.a.name, cls.b.name], [cls.teacher.name], cls.year, cls.maths)
		cls.other_group = make_group([cls.c.name], [cls.colleague.name], cls.year, cls.maths)
		cls.last_years_group = make_group([cls.d.name], [cls.teacher.name], cls.previous_year, cls.maths)
		cls.manager = utils.make_user(("Academics User",))

		# a's chat was flagged two days ago; b chatted since, so b's is the more recent one
		cls.session_a = make_session(
			cls.a.name, cls.maths, ("learning", "guided"), "Flagged", ["unsafe_self_harm"], days_ago=2
		)
		cls.session_b = make_session(cls.b.name, cls.maths, ("blocked",))
		cls.session_c = make_session(cls.c.name, cls.maths, ("restricted", "restricted", "restricted"))
		cls.session_d = make_session(cls.d.name, cls.maths, ("learning",))
		cls.session_art = make_session(
			cls.a.name, cls.art, ("guided",)
		)  # the maths group's rows leave it out
		frappe.db.set_value(
			SESSION, cls.session_a, "modified", add_to_date(now_datetime(), days=-2), update_modified=False
		)
		alert_a = make_alert(cls.a.name, cls.session_a, cls.maths, tier=2)
		frappe.db.set_value(
			"AI Safety Alert",
			alert_a,
			"creation",
			add_to_date(now_datetime(), days=-2),
			update_modified=False,
		)
		make_alert(cls.c.name, cls.session_c, cls.maths, tier=1)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		frappe.db.set_single_value("Education Settings", "current_academic_year", self.year)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.local.form_dict = frappe._dict()

	def names(self, doctype, **kwargs) -> set:
		return set(frappe.get_list(doctype, pluck="name", limit_page_length=0, **kwargs))

	def transcripts(self, **filters) -> list[str]:
		return [row.name for row in tutor.get_transcripts(**filters)["sessions"]]

	def chat(self, name) -> frappe._dict:
		return frappe.db.get_value(
			SESSION, name, ["name", "student", "user", "course", "status", "integrity_mode"], as_dict=True
		)


class TestChatAccess(TutorStaffCase):
	def rest(self, handler, *args, data=None):
		"""A REST resource handler as Frappe's /api/resource router calls it (form_dict holds the request)."""
		frappe.local.form_dict = frappe._dict({"data": json.dumps(data)} if data is not None else {})
		return handler(*args)

	def test_student_cannot_open_another_students_chat_in_the_form(self):
		frappe.set_user(self.a.user)
		own = desk.call("frappe.desk.form.load.getdoc", doctype=SESSION, name=self.session_a)
		self.assertEqual([doc.name for doc in own.docs], [self.session_a])
		with self.assertRaises(frappe.PermissionError):
			desk.call("frappe.desk.form.load.getdoc", doctype=SESSION, name=self.session_b)

	def test_student_lists_only_their_own_chats_and_messages(self):
		frappe.set_user(self.a.user)
		self.assertEqual(self.names(SESSION), {self.session_a, self.session_art})
		self.assertEqual(self.names(SESSION, filters={"name": self.session_b}), set())
		parents = {
			row.parent
			for row in frappe.get_list(
				MESSAGE, parent_doctype=SESSION, fields=["parent"], limit_page_length=0
			)
		}
		self.assertEqual(parents, {self.session_a, self.session_art})

	def test_student_cannot_read_or_post_through_the_rest_resources(self):
		frappe.set_user(self.a.user)
		self.assertEqual(self.rest(rest.read_doc, SESSION, self.session_a).name, self.session_a)
		with self.assertRaises(frappe.PermissionError):
			self.rest(rest.read_doc, SESSION, self.session_b)
		listed = {row.name for row in self.rest(rest.document_list, SESSION)}
		self.assertEqual(listed, {self.session_a, self.session_art})
		with self.assertRaises(frappe.PermissionError):
			self.rest(rest.update_doc, SESSION, self.session_b, data={"summary": "hello from A"})
		# posting a message row straight into a chat: refused for B's chat (and for A's own: students post
		# through send_message, which checks length, rate limit and budget)
		for session in (self.session_b, self.session_a):
			row = {"parent": session, "parenttype": SESSION, "parentfield": "messages", "role": "user"}
			with self.assertRaises(frappe.PermissionError):
				self.rest(rest.create_doc, MESSAGE, data={**row, "content": "hello from A"})
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count(MESSAGE, {"parent": self.session_b}), 2)
		self.assertFalse(frappe.db.get_value(SESSION, self.session_b, "summary"))

	def test_guest_gets_nothing(self):
		frappe.set_user("Guest")
		with self.assertRaises(frappe.PermissionError):
			self.rest(rest.read_doc, SESSION, self.session_a)
		with self.assertRaises(frappe.PermissionError):
			desk.call("frappe.desk.form.load.getdoc", doctype=SESSION, name=self.session_a)
		with self.assertRaises(frappe.PermissionError):
			tutor.get_transcripts()
		with self.assertRaises(frappe.PermissionError):
			tutor.set_group_mode(self.group, "Guided", nowdate(), nowdate(), "Coursework")
		with self.assertRaises(frappe.PermissionError):
			run_report(REPORT, filters={"from_date": nowdate(), "to_date": nowdate()})

	def test_students_get_no_transcript_list_and_set_no_modes(self):
		frappe.set_user(self.a.user)
		with self.assertRaises(frappe.PermissionError):
			tutor.get_transcripts()
		with self.assertRaises(frappe.PermissionError):
			tutor.set_group_mode(self.group, "Guided", nowdate(), nowdate(), "No tutor for us")


class TestTranscripts(TutorStaffCase):
	def test_instructor_sees_this_years_students_only_flagged_first(self):
		frappe.set_user(self.teacher.user)
		# a's flagged chat is older than the others, and still comes first; then the most recent
		self.assertEqual(self.transcripts(), [self.session_a, self.session_art, self.session_b])
		rows = tutor.get_transcripts()["sessions"]
		self.assertEqual(
			[(row.status, row.messages) for row in rows], [("Flagged", 4), ("Active", 2), ("Active", 2)]
		)
		frappe.set_user(self.manager)
		self.assertEqual(self.transcripts()[0], self.session_a)

	def test_pages_keep_flagged_chats_first(self):
		frappe.set_user(self.manager)
		first = tutor.get_transcripts(student_group=self.group, page_length=1)
		second = tutor.get_transcripts(student_group=self.group, page_length=1, start=1)
		self.assertEqual([row.name for row in first["sessions"]], [self.session_a])
		last = tutor.get_transcripts(student_group=self.group, page_length=1, start=2)
		self.assertEqual([row.name for row in second["sessions"]], [self.session_art])
		self.assertEqual([row.name for row in last["sessions"]], [self.session_b])
		self.assertEqual((first["more"], second["more"], last["more"]), (True, True, False))

	def test_last_years_student_is_invisible_everywhere(self):
		frappe.set_user(self.teacher.user)
		self.assertNotIn(self.session_d, self.transcripts(page_length=100))
		self.assertNotIn(self.session_d, self.names(SESSION))
		self.assertFalse(frappe.has_permission(SESSION, "read", self.session_d))
		with self.assertRaises(frappe.PermissionError):
			desk.call("frappe.desk.form.load.getdoc", doctype=SESSION, name=self.session_d)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get(SESSION, self.session_d)
		# another teacher's group this year is out of scope too
		self.assertNotIn(self.session_c, self.names(SESSION))

	def test_instructor_reads_the_chat_in_the_form_and_cannot_change_it(self):
		frappe.set_user(self.teacher.user)
		response = desk.call("frappe.desk.form.load.getdoc", doctype=SESSION, name=self.session_a)
		[doc] = response.docs
		self.assertEqual([m.role for m in doc.messages], ["user", "assistant", "user", "assistant"])
		self.assertFalse(frappe.has_permission(SESSION, "write", self.session_a))
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value(SESSION, self.session_a, "status", "Closed")
		with self.assertRaises(frappe.PermissionError):
			frappe.delete_doc(SESSION, self.session_a)

	def test_filters_by_group_course_student_and_flag(self):
		frappe.set_user(self.manager)
		self.assertEqual(set(self.transcripts(student_group=self.other_group)), {self.session_c})
		self.assertEqual(self.transcripts(course=self.art), [self.session_art])
		ada = frappe.db.get_value("Student", self.a.name, "student_name")
		self.assertEqual(self.transcripts(student=ada.split()[-1]), [self.session_a, self.session_art])
		self.assertEqual(self.transcripts(student=self.b.name), [self.session_b])
		self.assertEqual(self.transcripts(flagged_only=1), [self.session_a])
		# filtering by another teacher's group shows an instructor nothing of it
		frappe.set_user(self.teacher.user)
		self.assertEqual(self.transcripts(student_group=self.other_group), [])

	def test_the_transcripts_page_is_for_staff(self):
		from frappe.desk.desk_page import getpage

		frappe.set_user(self.teacher.user)
		getpage("tutor-transcripts")
		self.assertEqual(frappe.response.docs[-1].name, "tutor-transcripts")
		frappe.set_user(self.a.user)
		with self.assertRaises(frappe.PermissionError):
			getpage("tutor-transcripts")

	def test_the_workspace_links_the_staff_side_for_instructors(self):
		from frappe.desk.desktop import get_desktop_page

		frappe.set_user(self.teacher.user)
		content = get_desktop_page(json.dumps({"name": "AI School", "title": "AI School", "public": 1}))
		links = {link.link_to for card in content["cards"]["items"] for link in card["links"]}
		self.assertLessEqual({"AI Chat Session", "AI Tutor Group Mode", "Tutor Usage"}, links)

	def test_the_page_offers_an_instructors_groups_of_this_year(self):
		frappe.set_user(self.teacher.user)
		self.assertEqual(tutor.get_transcript_filters()["groups"], [self.group])
		frappe.set_user(self.manager)
		groups = tutor.get_transcript_filters()["groups"]
		self.assertLessEqual({self.group, self.other_group}, set(groups))
		self.assertNotIn(self.last_years_group, groups)


class TestGroupMode(TutorStaffCase):
	def set_mode(
		self, user, group, mode="Restricted", from_date=None, to_date=None, reason="Coursework week"
	):
		frappe.set_user(user)
		try:
			return tutor.set_group_mode(
				group, mode, from_date or nowdate(), to_date or add_days(nowdate(), 2), reason
			)
		finally:
			frappe.set_user("Administrator")

	def mode_of(self, session, text="Can you explain what a fraction is?") -> Mode:
		"""What the answer job's guard decides for a concept question in this chat now."""
		return check(text, answer.guard_context(self.chat(session))).mode

	def test_instructor_sets_their_groups_mode_and_the_tutor_and_badge_use_it(self):
		self.assertEqual(self.mode_of(self.session_b), Mode.LEARNING)
		row = self.set_mode(self.teacher.user, self.group)
		self.assertEqual(
			(row["mode"], row["set_by"], row["course"]), ("Restricted", self.teacher.user, self.maths)
		)
		self.assertEqual(self.mode_of(self.session_b), Mode.RESTRICTED)
		frappe.set_user(self.b.user)
		history = tutor.get_history(self.session_b)
		self.assertEqual((history["mode"], history["mode_source"]), ("restricted", "group_mode"))
		self.assertIn("Coursework week", history["mode_reason"])
		# the other group's students are not affected
		frappe.set_user("Administrator")
		self.assertEqual(self.mode_of(self.session_c), Mode.LEARNING)

	def test_the_badge_names_a_running_assessment_before_a_group_mode(self):
		self.set_mode(self.teacher.user, self.group, "Guided")
		utils.make_assessment_result(self.b.name, self.group, self.maths, {"AI Tutor Test": (5, 10)})
		plan = frappe.get_all("Assessment Plan", filters={"student_group": self.group}, pluck="name")[0]
		frappe.db.set_value(
			"Assessment Plan",
			plan,
			{"schedule_date": nowdate(), "from_time": "00:00:00", "to_time": "23:59:00"},
		)
		frappe.set_user(self.b.user)
		history = tutor.get_history(self.session_b)
		self.assertEqual((history["mode"], history["mode_source"]), ("blocked", "assessment"))
		title = frappe.db.get_value("Course", self.maths, "course_name")
		self.assertIn(f"{title} assessment today 00:00–23:59", history["mode_reason"])

	def test_the_strictest_mode_in_force_wins_first_and_last_day_included(self):
		self.set_mode(self.manager, self.group, "Guided", add_days(nowdate(), -3), nowdate())  # ends today
		self.set_mode(self.manager, self.group, "Blocked", add_days(nowdate(), 1), add_days(nowdate(), 1))
		self.set_mode(self.manager, self.group, "Blocked", add_days(nowdate(), -5), add_days(nowdate(), -1))
		self.assertEqual(self.mode_of(self.session_b), Mode.GUIDED)
		self.set_mode(self.manager, self.group, "Restricted", nowdate(), nowdate())  # starts and ends today
		self.assertEqual(self.mode_of(self.session_b), Mode.RESTRICTED)
		frappe.set_user(self.b.user)
		self.assertEqual(tutor.get_history(self.session_b)["mode"], "restricted")

	def test_instructor_of_another_group_cannot_set_change_or_see_it(self):
		with self.assertRaises(frappe.PermissionError):
			self.set_mode(self.colleague.user, self.group)
		name = self.set_mode(self.teacher.user, self.group)["name"]
		own = self.set_mode(self.colleague.user, self.other_group)["name"]
		frappe.set_user(self.colleague.user)
		self.assertEqual(self.names(group_mode.DOCTYPE), {own})
		self.assertFalse(frappe.has_permission(group_mode.DOCTYPE, "read", name))
		with self.assertRaises(frappe.PermissionError):
			tutor.clear_group_mode(name)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.set_value(group_mode.DOCTYPE, name, "mode", "Guided")
		# nor move their own onto a group they don't teach
		doc = frappe.get_doc(group_mode.DOCTYPE, own)
		doc.student_group = self.group
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value(group_mode.DOCTYPE, own, "student_group"), self.other_group)

	def test_last_years_group_is_not_the_instructors_to_set(self):
		with self.assertRaises(frappe.PermissionError):
			self.set_mode(self.teacher.user, self.last_years_group)

	def test_managers_set_any_group_and_only_stricter_modes(self):
		self.assertEqual(
			self.set_mode(self.manager, self.other_group, "Guided")["student_group"], self.other_group
		)
		with self.assertRaises(frappe.ValidationError):
			self.set_mode(self.manager, self.group, "Learning")
		with self.assertRaises(frappe.ValidationError):
			self.set_mode(self.manager, self.group, "Guided", nowdate(), add_days(nowdate(), -1))
		with self.assertRaises(frappe.ValidationError):
			self.set_mode(self.manager, self.group, "Guided", reason="   ")

	def test_clearing_ends_a_running_mode_and_deletes_one_not_yet_run(self):
		name = self.set_mode(self.teacher.user, self.group)["name"]
		frappe.set_user(self.teacher.user)
		self.assertEqual(tutor.clear_group_mode(name)["cleared"], "deleted")
		self.assertFalse(frappe.db.exists(group_mode.DOCTYPE, name))
		started = self.set_mode(self.teacher.user, self.group, "Blocked", add_days(nowdate(), -3))["name"]
		self.assertEqual(self.mode_of(self.session_b), Mode.BLOCKED)
		frappe.set_user(self.teacher.user)
		cleared = tutor.clear_group_mode(started)
		self.assertEqual((cleared["cleared"], cleared["to_date"]), ("ended", str(add_days(getdate(), -1))))
		self.assertEqual(self.mode_of(self.session_b), Mode.LEARNING)
		with self.assertRaises(frappe.ValidationError):
			tutor.clear_group_mode(started)  # over already


class TestTutorUsageReport(TutorStaffCase):
	FILTERS = {"group_by": "Student Group"}

	def filters(self, **filters) -> dict:
		return {"from_date": add_days(nowdate(), -7), "to_date": nowdate(), **self.FILTERS, **filters}

	def report(self, user, **filters) -> dict:
		frappe.set_user(user)
		filters = self.filters(**filters)
		result = run_report(REPORT, filters=filters, user=user)
		return {
			row.get("student_group") or row.get("course") or str(row.get("day")): row
			for row in result["result"]
		}

	def test_instructor_sees_their_groups_only(self):
		rows = self.report(self.teacher.user)
		self.assertEqual(set(rows), {self.group})
		row = rows[self.group]
		self.assertEqual(
			[
				row[f]
				for f in ("sessions", "students", "messages", "learning", "guided", "restricted", "blocked")
			],
			[2, 2, 3, 1, 1, 0, 1],
		)
		self.assertEqual((row["alerts"], row["serious_alerts"]), (1, 1))
		# the summary counts each chat, student and alert once, of what the rows count
		summary = {
			item["label"]: item["value"]
			for item in run_report(REPORT, filters=self.filters(), user=self.teacher.user)["report_summary"]
		}
		self.assertEqual(
			[summary[label] for label in ("Chats", "Students", "Messages", "Safety Alerts")], [2, 2, 3, 1]
		)
		# per course and per day: still only their students' chats
		per_course = self.report(self.teacher.user, group_by="Course")
		self.assertEqual(
			{course: row["messages"] for course, row in per_course.items()}, {self.maths: 3, self.art: 1}
		)
		days = self.report(self.teacher.user, group_by="Day")
		self.assertEqual(sum(row["messages"] for row in days.values()), 4)
		self.assertEqual(self.report(self.teacher.user, student_group=self.other_group), {})

	def test_manager_sees_every_current_group_with_filters(self):
		rows = self.report(self.manager)
		self.assertLessEqual({self.group, self.other_group}, set(rows))
		self.assertNotIn(self.last_years_group, rows)
		self.assertEqual((rows[self.other_group]["restricted"], rows[self.other_group]["alerts"]), (3, 1))
		only = self.report(self.manager, student_group=self.other_group)
		self.assertEqual(set(only), {self.other_group})
		self.assertEqual(self.report(self.manager, course=self.art), {})
		# a's messages were two days ago: a range from yesterday leaves only b's
		recent = self.report(self.manager, from_date=add_days(nowdate(), -1))[self.group]
		self.assertEqual((recent["messages"], recent["blocked"], recent["alerts"]), (1, 1, 0))

	def test_auto_email_report_for_an_instructor_shows_their_groups_only(self):
		email = frappe.get_doc(
			{
				"doctype": "Auto Email Report",
				"report": REPORT,
				"user": self.teacher.user,
				"email_to": self.teacher.user,
				"format": "HTML",
				"frequency": "Weekly",
				"day_of_week": "Monday",
				"filters": json.dumps(
					{"from_date": add_days(nowdate(), -7), "to_date": nowdate(), "group_by": "Student Group"}
				),
			}
		).insert(ignore_permissions=True)
		self.assertEqual(json.loads(email.filters)["run_as"], self.teacher.user)
		# the scheduler's job runs it as Administrator
		content = email.get_report_content()
		self.assertIn(self.group, content)
		self.assertNotIn(self.other_group, content)

	def test_run_as_never_widens_an_instructors_scope(self):
		rows = self.report(self.teacher.user, run_as=self.manager)
		self.assertEqual(set(rows), {self.group})
