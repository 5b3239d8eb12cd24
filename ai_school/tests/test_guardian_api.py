"""Guardian API with real users: a guardian sees only their wards (another student's name, or one that does
not exist, is a PermissionError; guests are refused), tutor chats stay closed to guardians unless the school
turns on AI School Settings > guardian_tutor_transcripts, preferences are their own, and no version history
or staff comment reaches them."""

import frappe
from frappe.utils import add_days, now_datetime, nowdate

from ai_school.api import guardian as api
from ai_school.guardians import summary
from ai_school.tests import desk, utils
from ai_school.tests.guardian_school import GuardianTestCase


class TestGuardianAPI(GuardianTestCase):
	def setUp(self):
		super().setUp()
		self.ada, self.ben = self.make_class("Ada", "Ben")
		self.parent = utils.make_guardian([self.ada.name], name="Parent")
		self.other_parent = utils.make_guardian([self.ben.name], name="Other")
		self.session = utils.make_chat_session(
			self.ada.name,
			user=self.ada.user,
			course=self.course,
			messages=[
				{
					"role": "user",
					"content": "Is <script>alert(1)</script> maths?",
					"timestamp": now_datetime(),
				},
				{"role": "assistant", "content": "Let's look at ratios.", "timestamp": now_datetime()},
			],
		)
		frappe.db.set_single_value("AI School Settings", "guardian_tutor_transcripts", 0)

	def test_a_guardian_gets_the_summary_of_their_wards_only(self):
		self.mark(self.ada, nowdate(), "Absent")
		frappe.set_user(self.parent.user)
		wards = api.get_wards_summary()
		self.assertEqual([ward["student"] for ward in wards], [self.ada.name])
		ward = wards[0]
		self.assertEqual(ward["attendance"]["days_absent"], 1)
		self.assertEqual(ward["tutor"]["sessions"], 1)
		self.assertEqual(ward["tutor"]["questions"], 1)
		self.assertEqual(ward["tutor"]["courses"], ["Mathematics"])
		self.assertFalse(ward["transcripts_enabled"])

		usage = api.get_ward_tutor_usage(self.ada.name)
		self.assertEqual((usage["sessions"], usage["questions"]), (1, 1))
		for student in (self.ben.name, "EDU-STU-NO-SUCH"):
			with self.assertRaises(frappe.PermissionError):
				api.get_ward_tutor_usage(student)

	def test_recent_results_come_newest_assessment_first(self):
		older = utils.make_assessment_result(
			self.ada.name, self.ada.group, self.course, {"AI G Algebra": (9, 20)}
		)
		newer = utils.make_assessment_result(
			self.ada.name, self.ada.group, self.course, {"AI G Algebra": (17, 20)}
		)
		# entered in the other order: the older assessment's result was submitted last
		for result, days_ago in ((older, -20), (newer, -2)):
			plan = frappe.db.get_value("Assessment Result", result, "assessment_plan")
			frappe.db.set_value("Assessment Plan", plan, "schedule_date", add_days(nowdate(), days_ago))
		frappe.db.set_value("Assessment Result", older, "modified", now_datetime(), update_modified=False)
		frappe.set_user(self.parent.user)
		results = api.get_wards_summary()[0]["results"]
		self.assertEqual(
			[(r["percent"], r["date"]) for r in results],
			[(85, add_days(nowdate(), -2)), (45, add_days(nowdate(), -20))],
		)
		self.assertEqual([r["grade"] for r in results], ["A", "F"])

	def test_guests_students_and_instructors_are_refused_and_staff_may_look(self):
		for user in ("Guest", self.ada.user, utils.make_user(("Instructor",))):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				api.get_wards_summary()
			with self.assertRaises(frappe.PermissionError):
				api.get_ward_tutor_usage(self.ada.name)
			with self.assertRaises(frappe.PermissionError):
				api.get_preferences()
		frappe.set_user(utils.make_user(("Academics User",)))
		self.assertEqual(api.get_ward_tutor_usage(self.ben.name)["sessions"], 0)

	def test_tutor_chats_stay_closed_to_guardians_unless_the_school_allows_them(self):
		frappe.set_user(self.parent.user)
		self.assertEqual(frappe.get_list("AI Chat Session", filters={"student": self.ada.name}), [])
		self.assertFalse(frappe.has_permission("AI Chat Session", "read", doc=self.session))
		self.assertEqual(frappe.get_list("AI Chat Message", parent_doctype="AI Chat Session"), [])
		with self.assertRaises(frappe.PermissionError):
			summary.transcript(self.session)
		self.assertEqual(summary.ward_sessions(self.ada.name), [])
		# the student keeps their own chats
		frappe.set_user(self.ada.user)
		self.assertTrue(frappe.has_permission("AI Chat Session", "read", doc=self.session))

		frappe.set_user("Administrator")
		frappe.db.set_single_value("AI School Settings", "guardian_tutor_transcripts", 1)
		frappe.set_user(self.parent.user)
		self.assertTrue(frappe.has_permission("AI Chat Session", "read", doc=self.session))
		chat = summary.transcript(self.session)
		self.assertEqual([m["role"] for m in chat["messages"]], ["user", "assistant"])
		self.assertEqual([s["name"] for s in summary.ward_sessions(self.ada.name)], [self.session])
		# another family's guardian still can't
		frappe.set_user(self.other_parent.user)
		self.assertFalse(frappe.has_permission("AI Chat Session", "read", doc=self.session))
		with self.assertRaises(frappe.PermissionError):
			summary.transcript(self.session)

	def test_preferences_are_the_guardians_own(self):
		frappe.set_user(self.parent.user)
		prefs = api.get_preferences()
		self.assertEqual(
			(prefs["attendance"], prefs["results"], prefs["insights"], prefs["safety"], prefs["saved"]),
			("Instant", "Digest", "Digest", "Instant", False),
		)
		prefs = api.set_preferences(results="Instant", insights="Off", language="de")
		self.assertEqual((prefs["results"], prefs["insights"], prefs["language"]), ("Instant", "Off", "de"))
		self.assertEqual(api.get_preferences()["results"], "Instant")
		with self.assertRaises(frappe.ValidationError):
			api.set_preferences(attendance="Off")
		with self.assertRaises(frappe.ValidationError):
			api.set_preferences(results="Sometimes")
		self.assertEqual(api.get_preferences()["attendance"], "Instant")

		# another guardian can't read or change it; staff can read it
		frappe.set_user(self.other_parent.user)
		self.assertFalse(frappe.has_permission("AI Guardian Preference", "read", doc=self.parent.name))
		self.assertEqual(frappe.get_list("AI Guardian Preference", pluck="name"), [])
		doc = frappe.get_doc("AI Guardian Preference", self.parent.name)
		doc.results_channel = "Off"
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		frappe.set_user(utils.make_user(("Academics User",)))
		self.assertEqual(
			frappe.get_list("AI Guardian Preference", filters={"name": self.parent.name}, pluck="name"),
			[self.parent.name],
		)

	def test_set_preferences_is_post_only_and_guests_are_refused_over_http(self):
		frappe.set_user(self.parent.user)
		with self.assertRaises(frappe.PermissionError):
			desk.call("ai_school.api.guardian.set_preferences", "GET", results="Instant")
		desk.call("ai_school.api.guardian.set_preferences", "POST", results="Instant")
		self.assertEqual(api.get_preferences()["results"], "Instant")
		frappe.set_user("Guest")
		for method in ("get_wards_summary", "get_preferences"):
			with self.assertRaises(frappe.PermissionError):
				desk.call(f"ai_school.api.guardian.{method}")

	def test_no_version_history_or_staff_comment_reaches_guardians(self):
		frappe.set_user(self.parent.user)
		api.set_preferences(results="Instant")
		api.set_preferences(results="Digest")
		self.assertFalse(frappe.db.exists("Version", {"ref_doctype": "AI Guardian Preference"}))
		frappe.set_user("Administrator")
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "Comment",
					"comment_type": "Comment",
					"reference_doctype": "AI Guardian Preference",
					"reference_name": self.parent.name,
					"content": "Staff note: difficult parent",
				}
			).insert(ignore_permissions=True)
		# a guardian opening the record through the desk API sees it without any timeline
		frappe.set_user(self.parent.user)
		response = desk.call(
			"frappe.desk.form.load.getdoc", doctype="AI Guardian Preference", name=self.parent.name
		)
		self.assertEqual(response.docs[0].name, self.parent.name)
		self.assertFalse(response.docinfo.get("comments"))
		self.assertFalse(response.docinfo.get("versions"))
