"""The weekly digest on a real site: one message per family even with several children, what it holds
(attendance, new results, shared insights, tutor use, an encouraging observation), preferences (Off: not in
it, Instant: not in it, Digest: in it; attendance always), once per week, the guardian's language, escaping,
and the staff-only preview."""

import frappe
from frappe.utils import add_days, getdate, now_datetime, nowdate

from ai_school.api import guardian as api
from ai_school.guardians import delivery, digest
from ai_school.tests import utils
from ai_school.tests.guardian_school import GuardianTestCase, school_days_before


class TestWeeklyDigest(GuardianTestCase):
	def setUp(self):
		super().setUp()
		self.today = getdate(nowdate())
		self.week = [day for day in school_days_before(self.today, 10) if day > add_days(self.today, -7)]

	def family(self, *names):
		students = self.make_class(*names)
		guardian = utils.make_guardian([s.name for s in students], name="Parent")
		return students, guardian

	def recipient(self, guardian) -> delivery.Recipient:
		[recipient] = delivery.recipients_of([guardian.name])
		return recipient

	def build(self, guardian):
		return digest.build_digest(self.recipient(guardian), self.today)

	def test_one_digest_per_family_with_every_child_and_once_a_week(self):
		(ada, ben), parent = self.family("Ada", "Ben")
		for day in self.week:
			self.mark(ada, day, "Present")
			self.mark(ben, day, "Absent" if day == self.week[0] else "Present")
		other_ward = self.make_class("Cy")[0]
		other = utils.make_guardian([other_ward.name], name="Other")

		sent = digest.send_digests(self.today, commit=False)
		self.assertGreaterEqual(sent, 1)
		self.assertEqual([n.kind for n in self.notices_to(parent.name)], ["Digest"])
		[log] = self.logs_for(parent.user)
		self.assertEqual(len(self.emails_to(parent.user)), 1)
		self.assertIn("Ada", log.subject)
		self.assertIn("Ben", log.subject)
		html = log.email_content
		self.assertIn(f"at school on {len(self.week)} of {len(self.week)} days on record", html)
		self.assertIn(f"at school on {len(self.week) - 1} of {len(self.week)} days on record", html)
		self.assertIn("Away: ", html)
		# Ada's observation: every day at school
		self.assertIn(f"Ada was at school every day this week ({len(self.week)} days)", html)
		# a family with nothing on record this week gets nothing
		self.assertEqual(self.notices_to(other.name), [])

		# the daily job running again in the same week sends nothing more
		self.assertEqual(digest.send_digest(self.recipient(parent), self.today), 0)
		self.assertEqual(digest.send_digest(self.recipient(parent), add_days(self.today, -1)), 0)
		self.assertEqual(len(self.logs_for(parent.user)), 1)

	def test_two_guardian_records_of_one_parent_get_one_message(self):
		ada, ben = self.make_class("Ada", "Ben")
		first = utils.make_guardian([ada.name], name="Sam")
		# the school recorded the same parent again for the second child, with the same portal account
		second = frappe.get_doc(
			{
				"doctype": "Guardian",
				"guardian_name": "Sam again",
				"email_address": first.user,
				"user": first.user,
			}
		).insert(ignore_permissions=True)
		student = frappe.get_doc("Student", ben.name)
		student.append("guardians", {"guardian": second.name, "guardian_name": second.guardian_name})
		student.save(ignore_permissions=True)
		self.mark(ada, self.today)
		self.mark(ben, self.today)
		[recipient] = delivery.recipients_of([first.name, second.name])
		self.assertEqual(recipient.guardians, [first.name, second.name])
		self.assertEqual(digest.send_digest(recipient, self.today), 1)
		[log] = self.logs_for(first.user)
		self.assertIn("Ada", log.subject)
		self.assertIn("Ben", log.subject)

	def test_results_and_insights_follow_the_preferences_and_attendance_is_always_there(self):
		[ada], parent = self.family("Ada")
		self.mark(ada, self.today, "Present")
		result = utils.make_assessment_result(ada.name, ada.group, self.course, {"AI G Algebra": (15, 20)})
		utils.make_insight(result, status="Shared", suggestions="<p>Keep practising <b>ratios</b></p>")

		html = self.build(parent).html  # defaults: results and insights in the digest
		self.assertIn("New results", html)
		self.assertIn("Mathematics: B (75 %)", html)
		self.assertIn("Keep practising ratios", html)
		self.assertIn("Attendance", html)
		self.assertIn("Ada did well in Mathematics: 75 %", html)

		for channel in ("Instant", "Off"):
			frappe.db.delete("AI Guardian Preference", {"guardian": parent.name})
			self.set_preference(parent.name, results=channel, insights=channel)
			html = self.build(parent).html
			self.assertNotIn("New results", html, channel)
			self.assertNotIn("ratios", html, channel)
			self.assertIn("at school on 1 of 1 days on record", html, channel)
			# the observation does not bring back a result the guardian did not ask for here
			self.assertNotIn("did well", html, channel)

		frappe.db.delete("AI Guardian Preference", {"guardian": parent.name})
		with self.assertRaises(frappe.ValidationError):
			self.set_preference(parent.name, attendance="Off")
		self.set_preference(parent.name, attendance="Digest")
		self.assertIn("at school on 1 of 1 days on record", self.build(parent).html)

	def test_an_improved_result_leads_and_the_tutor_use_is_counted(self):
		[ada], parent = self.family("Ada")
		earlier = utils.make_assessment_result(ada.name, ada.group, self.course, {"AI G Algebra": (8, 20)})
		frappe.db.set_value(
			"Assessment Result", earlier, "modified", add_days(now_datetime(), -30), update_modified=False
		)
		utils.make_assessment_result(ada.name, ada.group, self.course, {"AI G Algebra": (12, 20)})
		utils.make_chat_session(
			ada.name,
			user=ada.user,
			course=self.course,
			messages=[
				{"role": "user", "content": "What is a ratio?", "timestamp": now_datetime()},
				{"role": "assistant", "content": "What do you think?", "timestamp": now_datetime()},
				{"role": "user", "content": "A comparison?", "timestamp": now_datetime()},
			],
		)
		wards = self.build(parent).wards
		self.assertEqual(wards[0].observation, "Ada improved in Mathematics: 60 % this time, up from 40 %.")
		self.assertEqual(wards[0].tutor["sessions"], 1)
		self.assertEqual(wards[0].tutor["questions"], 2)
		self.assertEqual(wards[0].tutor["courses"], ["Mathematics"])
		self.assertIn("2 questions in 1 chats (Mathematics)", self.build(parent).html)

	def test_the_digest_is_in_the_guardians_language_and_escaped(self):
		[ada], parent = self.family("Ada")
		self.rename("Student", ada.name, first_name="<b>Ada</b>", student_name="<b>Ada</b> Test")
		self.set_preference(parent.name, language="de")
		self.translate("de", "This week at school: {0}", "Diese Woche in der Schule: {0}")
		self.translate("de", "Attendance", "Anwesenheit")
		self.mark(ada, self.today)
		built = self.build(parent)
		self.assertTrue(built.subject.startswith("Diese Woche in der Schule"))
		self.assertIn("Anwesenheit", built.html)
		self.assertNotIn("<b>Ada</b>", built.html)
		self.assertIn("&lt;b&gt;Ada&lt;/b&gt;", built.html)
		# the language in force is put back after building
		self.assertEqual(frappe.local.lang, self.saved_lang)

	def test_the_daily_job_sends_only_on_the_digest_weekday(self):
		[ada], parent = self.family("Ada")
		self.mark(ada, self.today)
		weekdays = digest.WEEKDAYS
		tomorrow = weekdays[(self.today.weekday() + 1) % 7]
		frappe.db.set_single_value("AI School Settings", "digest_weekday", tomorrow)
		self.assertEqual(digest.daily(commit=False), 0)
		self.assertEqual(self.notices_to(parent.name), [])
		frappe.db.set_single_value("AI School Settings", "digest_weekday", weekdays[self.today.weekday()])
		self.assertGreaterEqual(digest.daily(commit=False), 1)
		self.assertEqual([n.kind for n in self.notices_to(parent.name)], ["Digest"])

	def test_staff_preview_the_digest_and_guardians_cannot(self):
		[ada], parent = self.family("Ada")
		self.mark(ada, self.today)
		frappe.set_user(utils.make_user(("Academics User",)))
		preview = api.preview_digest(parent.name, str(self.today))
		self.assertTrue(preview["would_send"])
		self.assertIn("Ada", preview["subject"])
		self.assertIn("days on record", preview["html"])
		self.assertEqual(self.notices_to(parent.name), [])  # previewing sends nothing
		frappe.set_user(parent.user)
		with self.assertRaises(frappe.PermissionError):
			api.preview_digest(parent.name)
