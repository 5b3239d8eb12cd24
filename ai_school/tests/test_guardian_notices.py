"""Same-day notices to guardians, on a real site with real users: an absence reaches each guardian of that
student once (resubmitting, amending or cancelling sends nothing more), nothing is sent inside the teacher's
request and a whole class queues one job, preferences decide who hears straight away, and the notice is in
the guardian's language when the site has the translation.

The job runs inline with commit=False, inside the test's savepoint."""

import frappe
from frappe.utils import add_days, nowdate

from ai_school.guardians import notices
from ai_school.tests import utils
from ai_school.tests.guardian_school import GuardianTestCase, school_days_before


class TestAbsenceNotices(GuardianTestCase):
	def queued_jobs(self) -> int:
		return sum(1 for func in frappe.db.after_commit._functions if func is notices.enqueue_after_commit)

	def test_an_absence_reaches_each_guardian_of_the_student_once(self):
		ada, ben = self.make_class("Ada", "Ben")
		mum = utils.make_guardian([ada.name], name="Mum")
		dad = self.make_email_only_guardian([ada.name])
		other = utils.make_guardian([ben.name], name="Other")

		attendance = self.mark(ada, nowdate(), "Absent")
		self.assertEqual(notices.pending(), {f"Absence|{attendance}"})
		# nothing goes out inside the teacher's request
		self.assertEqual(self.notices_to(mum.name), [])
		self.assertEqual(self.logs_for(mum.user), [])

		self.assertEqual(notices.drain_pending(commit=False), 2)
		self.assertEqual(notices.pending(), set())
		[log] = self.logs_for(mum.user)
		self.assertEqual((log.type, log.link), ("Alert", "/guardian"))
		self.assertIn("Ada was marked absent today", log.subject)
		self.assertIn("there is nothing more you need to do", log.email_content)
		self.assertEqual(len(self.emails_to(mum.user)), 1)
		self.assertEqual(len(self.emails_to(dad.email)), 1)
		self.assertEqual([n.kind for n in self.notices_to(dad.name)], ["Absence"])
		# the guardian of another student hears nothing
		self.assertEqual(self.notices_to(other.name), [])
		self.assertEqual(self.logs_for(other.user), [])

		# the job running again, a cancel, an amendment marked absent again: nothing more
		self.assertEqual(notices.drain_pending(commit=False), 0)
		doc = frappe.get_doc("Student Attendance", attendance)
		doc.cancel()
		self.assertEqual(notices.pending(), set())  # cancelling queues nothing
		amended = frappe.copy_doc(doc)
		amended.docstatus = 0
		amended.amended_from = doc.name
		amended.insert(ignore_permissions=True)
		amended.submit()
		self.assertEqual(notices.pending(), {f"Absence|{amended.name}"})
		self.assertEqual(notices.drain_pending(commit=False), 0)
		self.assertEqual(len(self.logs_for(mum.user)), 1)
		self.assertEqual(len(self.emails_to(mum.user)), 1)
		self.assertEqual(len(self.emails_to(dad.email)), 1)

	def test_a_second_absence_the_same_day_is_the_same_absence(self):
		[ada] = self.make_class("Ada")
		mum = utils.make_guardian([ada.name])
		self.mark(ada, nowdate(), "Absent")
		# another lesson's register the same day (a second group)
		ada.group = utils.make_student_group([ada.name], course=self.course)
		self.mark(ada, nowdate(), "Absent")
		self.assertEqual(len(notices.pending()), 2)
		self.assertEqual(notices.drain_pending(commit=False), 1)
		self.assertEqual(len(self.notices_to(mum.name)), 1)

	def test_marking_a_whole_class_queues_one_job_and_sends_nothing_in_the_request(self):
		students = self.make_class(*(f"Kid{i}" for i in range(6)))
		guardians = [utils.make_guardian([s.name]) for s in students]
		for student in students:
			self.mark(student, nowdate(), "Absent")
		self.assertEqual(len(notices.pending()), 6)
		self.assertEqual(self.queued_jobs(), 1)
		self.assertFalse(
			frappe.get_all("AI Guardian Notice", filters={"guardian": ("in", [g.name for g in guardians])})
		)
		self.assertEqual(notices.drain_pending(commit=False), 6)

	def test_present_marks_and_old_absences_send_nothing(self):
		[ada] = self.make_class("Ada")
		mum = utils.make_guardian([ada.name])
		self.mark(ada, nowdate(), "Present")
		self.assertEqual(notices.pending(), set())
		# attendance entered late for a day last week goes to the digest, not a same-day notice
		last_week = school_days_before(add_days(nowdate(), -7), 1)[0]
		self.mark(ada, last_week, "Absent")
		self.assertEqual(notices.drain_pending(commit=False), 0)
		self.assertEqual(self.notices_to(mum.name), [])

	def test_a_guardian_who_chose_the_digest_gets_no_same_day_notice(self):
		[ada] = self.make_class("Ada")
		mum = utils.make_guardian([ada.name], name="Mum")
		dad = utils.make_guardian([ada.name], name="Dad")
		self.set_preference(dad.name, attendance="Digest")
		self.mark(ada, nowdate(), "Absent")
		self.assertEqual(notices.drain_pending(commit=False), 1)
		self.assertEqual(len(self.notices_to(mum.name)), 1)
		self.assertEqual(self.notices_to(dad.name), [])

	def test_attendance_and_safety_notices_cannot_be_turned_off(self):
		[ada] = self.make_class("Ada")
		mum = utils.make_guardian([ada.name])
		for kind in ("attendance", "safety"):
			with self.assertRaises(frappe.ValidationError):
				self.set_preference(mum.name, **{kind: "Off"})
		self.set_preference(mum.name, results="Off", insights="Off")
		self.assertEqual(
			frappe.db.get_value("AI Guardian Preference", mum.name, "attendance_channel"), "Instant"
		)

	def test_the_notice_is_in_the_guardians_language_when_the_site_has_it(self):
		[ada] = self.make_class("Ada")
		mum = utils.make_guardian([ada.name], name="Mutter")
		dad = utils.make_guardian([ada.name], name="Dad")
		self.set_preference(mum.name, language="de")
		self.translate("de", "{0} was marked absent today", "{0} fehlte heute in der Schule")
		self.translate("de", "Dear {0},", "Liebe/r {0},")
		self.mark(ada, nowdate(), "Absent")
		self.assertEqual(notices.drain_pending(commit=False), 2)
		[german] = self.logs_for(mum.user)
		self.assertIn("Ada fehlte heute in der Schule", german.subject)
		self.assertIn("Liebe/r Mutter", german.email_content)
		[english] = self.logs_for(dad.user)
		self.assertIn("Ada was marked absent today", english.subject)
		self.assertIn("Dear Dad", english.email_content)
		self.assertEqual(frappe.db.get_value("AI Guardian Notice", {"guardian": mum.name}, "language"), "de")

	def test_names_in_a_notice_are_escaped(self):
		[ada] = self.make_class("Ada")
		mum = utils.make_guardian([ada.name], name="Mum")
		self.rename("Student", ada.name, first_name="<b>Ada</b>", student_name="<b>Ada</b> Test")
		self.rename("Guardian", mum.name, guardian_name="<i>Mum</i>")
		self.mark(ada, nowdate(), "Absent")
		notices.drain_pending(commit=False)
		[log] = self.logs_for(mum.user)
		self.assertNotIn("<b>Ada</b>", log.subject)
		self.assertNotIn("<i>Mum</i>", log.email_content)
		self.assertIn("&lt;i&gt;Mum&lt;/i&gt;", log.email_content)


class TestResultAndInsightNotices(GuardianTestCase):
	def test_results_and_shared_insights_go_out_straight_away_only_to_who_chose_it(self):
		[ada] = self.make_class("Ada")
		instant = utils.make_guardian([ada.name], name="Instant")
		digest = utils.make_guardian([ada.name], name="Weekly")
		self.set_preference(instant.name, results="Instant", insights="Instant")
		result = utils.make_assessment_result(ada.name, ada.group, self.course, {"AI G Algebra": (16, 20)})
		self.assertIn(f"Result|{result}", notices.pending())
		notices.drain_pending(commit=False)
		[log] = self.logs_for(instant.user)
		self.assertIn("New result for Ada: Mathematics", log.subject)
		self.assertIn("80 %", log.email_content)
		self.assertEqual(self.notices_to(digest.name), [])

		insight = utils.make_insight(result, status="Draft", suggestions="<p>Practise <b>fractions</b></p>")
		self.assertNotIn(f"Insight|{insight}", notices.pending())  # a draft is not shared
		doc = frappe.get_doc("Assessment Insight", insight)
		doc.status = "Shared"
		doc.save(ignore_permissions=True)
		self.assertEqual(notices.drain_pending(commit=False), 1)
		logs = self.logs_for(instant.user)
		self.assertEqual(len(logs), 2)
		shared = next(log for log in logs if "shared a note" in log.subject)
		self.assertIn("Practise fractions", shared.email_content)
		self.assertEqual(self.notices_to(digest.name), [])
		# saving the shared insight again sends nothing more
		doc.reload()
		doc.save(ignore_permissions=True)
		self.assertEqual(notices.drain_pending(commit=False), 0)


class TestNoticeRecords(GuardianTestCase):
	def test_guardians_cannot_read_the_notice_log_and_staff_can(self):
		[ada] = self.make_class("Ada")
		mum = utils.make_guardian([ada.name])
		self.mark(ada, nowdate(), "Absent")
		notices.drain_pending(commit=False)
		[notice] = self.notices_to(mum.name)
		frappe.set_user(mum.user)
		self.assertFalse(frappe.has_permission("AI Guardian Notice", "read", doc=notice.name))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_list("AI Guardian Notice")
		frappe.set_user(utils.make_user(("Academics User",)))
		self.assertTrue(frappe.has_permission("AI Guardian Notice", "read", doc=notice.name))
		self.assertIn(notice.name, frappe.get_list("AI Guardian Notice", pluck="name"))
