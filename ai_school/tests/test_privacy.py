"""No staff residue on records students and guardians read (ai_school/privacy.py): the desk's getdoc of their own
records returns no version history and no staff comments, staff comments on them are refused with a pointer
to Student Log, and the comment cache list queries can select stays empty. Real users through the desk's
whitelisted methods (frappe.handler.execute_cmd, so the app's overrides apply)."""

import json

import frappe
import frappe.desk.form.utils
from frappe.tests.utils import FrappeTestCase

from ai_school.tests import desk, utils

SAVEPOINT = "ai_school_privacy_test"
STAFF_NOTE = "STAFF ONLY: family situation, see the head of year"
GETDOC = "frappe.desk.form.load.getdoc"
# the app's records students or guardians may read (their DocPerms grant Student / Guardian read)
FAMILY_READABLE = ("AI Student Profile", "AI Chat Session", "AI Engagement Log", "Assessment Insight")


class TestNoStaffResidue(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()  # rolled back when the class ends
		cls.student = utils.make_student("Ada")
		cls.guardian = utils.make_guardian([cls.student.name], "Alma")
		cls.staff = utils.make_user(("Academics User",))
		cls.profile = utils.make_profile(cls.student.name, risk_score=40)
		cls.session = utils.make_chat_session(cls.student.name)

	def setUp(self):
		frappe.db.savepoint(SAVEPOINT)
		# the profile is family-readable only when the school shares risk (AI School Settings)
		for fieldname in ("share_risk_with_students", "share_risk_with_guardians"):
			saved = frappe.db.get_single_value("AI School Settings", fieldname, cache=False)
			frappe.db.set_single_value("AI School Settings", fieldname, 1)
			self.addCleanup(frappe.db.set_single_value, "AI School Settings", fieldname, saved)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)

	def staff_leave_traces(self, doctype: str, name: str) -> None:
		"""What staff did around a record before the fix: an edit, a comment (inserted as Frappe stored it
		then, past today's refusal), an info note."""
		frappe.set_user(self.staff)
		if doctype == "AI Student Profile":
			doc = frappe.get_doc(doctype, name)
			doc.learning_preferences = "Prefers worked examples"
			doc.save()
		frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Comment",
				"reference_doctype": doctype,
				"reference_name": name,
				"content": STAFF_NOTE,
				"comment_email": self.staff,
			}
		).db_insert()
		frappe.get_doc(doctype, name).add_comment("Info", STAFF_NOTE)
		frappe.set_user("Administrator")

	def assert_no_residue(self, response, doctype):
		docinfo = response.docinfo
		self.assertEqual(response.docs[0].doctype, doctype)  # the record itself is returned
		self.assertEqual(docinfo.versions, [])
		self.assertEqual(docinfo.comments, [])
		self.assertEqual(docinfo.info_logs, [])
		self.assertNotIn("STAFF ONLY", json.dumps(docinfo, default=str))

	# --- the probe of the issue ---------------------------------------------------------------------------

	def test_student_getdoc_of_own_profile_shows_no_versions_or_staff_comments(self):
		self.staff_leave_traces("AI Student Profile", self.profile)
		frappe.set_user(self.student.user)
		response = desk.call(GETDOC, doctype="AI Student Profile", name=self.profile)
		self.assert_no_residue(response, "AI Student Profile")
		self.assertEqual(response.docs[0].learning_preferences, "Prefers worked examples")

	def test_guardian_getdoc_of_wards_profile_shows_no_versions_or_staff_comments(self):
		self.staff_leave_traces("AI Student Profile", self.profile)
		frappe.set_user(self.guardian.user)
		self.assert_no_residue(
			desk.call(GETDOC, doctype="AI Student Profile", name=self.profile), "AI Student Profile"
		)

	def test_student_getdoc_of_own_chat_session_shows_no_staff_comments(self):
		self.staff_leave_traces("AI Chat Session", self.session)
		frappe.set_user(self.student.user)
		self.assert_no_residue(
			desk.call(GETDOC, doctype="AI Chat Session", name=self.session), "AI Chat Session"
		)
		response = desk.call(
			"frappe.desk.form.load.get_docinfo", doctype="AI Chat Session", name=self.session
		)
		self.assertNotIn("STAFF ONLY", json.dumps(response.docinfo, default=str))

	def test_staff_still_read_their_notes_and_the_history(self):
		self.staff_leave_traces("AI Student Profile", self.profile)
		frappe.set_user(self.staff)
		docinfo = desk.call(GETDOC, doctype="AI Student Profile", name=self.profile).docinfo
		self.assertTrue(any(STAFF_NOTE in c.content for c in docinfo.comments))
		self.assertTrue(any(STAFF_NOTE in c.content for c in docinfo.info_logs))

	# --- at the source --------------------------------------------------------------------------------------

	def test_family_readable_doctypes_keep_no_version_history(self):
		for doctype in FAMILY_READABLE:
			roles = {perm.role for perm in frappe.get_meta(doctype).permissions if perm.read}
			self.assertTrue({"Student", "Guardian"} <= roles, doctype)
			self.assertFalse(frappe.get_meta(doctype).track_changes, doctype)
		frappe.set_user(self.staff)
		doc = frappe.get_doc("AI Student Profile", self.profile)
		doc.learning_preferences = "Short answers"
		doc.save()
		self.assertFalse(frappe.get_all("Version", filters={"ref_doctype": doc.doctype, "docname": doc.name}))

	def test_staff_comment_on_a_family_record_is_refused_with_a_pointer_to_student_log(self):
		frappe.set_user(self.staff)
		for doctype, name in (("AI Student Profile", self.profile), ("AI Chat Session", self.session)):
			with self.assertRaises(frappe.ValidationError) as raised:
				frappe.desk.form.utils.add_comment(doctype, name, STAFF_NOTE, self.staff, "Staff")
			self.assertIn("Student Log", str(raised.exception))
		frappe.set_user("Administrator")
		self.assertFalse(
			frappe.get_all("Comment", filters={"reference_name": ("in", [self.profile, self.session])})
		)

	def test_staff_notes_in_a_student_log_take_comments(self):
		"""The place the refusal points to: a Student Log, which only staff read, takes comments as before."""
		log = frappe.get_doc(
			{"doctype": "Student Log", "student": self.student.name, "type": "General", "log": STAFF_NOTE}
		).insert(ignore_permissions=True)
		frappe.set_user(self.staff)
		comment = frappe.desk.form.utils.add_comment(
			"Student Log", log.name, "Spoke to Ada", self.staff, "Staff"
		)
		self.assertEqual((comment.reference_doctype, comment.reference_name), ("Student Log", log.name))
		frappe.set_user(self.student.user)
		self.assertFalse(frappe.has_permission("Student Log", "read", log.name))

	def test_an_email_from_a_family_record_leaves_no_comment_for_list_queries(self):
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Sent",
				"subject": "About Ada",
				"content": STAFF_NOTE,
				"reference_doctype": "AI Student Profile",
				"reference_name": self.profile,
			}
		).insert(ignore_permissions=True)
		self.assertFalse(frappe.db.get_value("AI Student Profile", self.profile, "_comments"))
		frappe.set_user(self.student.user)
		rows = frappe.get_list("AI Student Profile", fields=["name", "_comments"])
		self.assertEqual([row.name for row in rows], [self.profile])
		self.assertFalse(rows[0]._comments)
		self.assertEqual(
			desk.call(
				"frappe.desk.form.load.get_communications", doctype="AI Student Profile", name=self.profile
			).message,
			[],
		)

	def test_patch_clears_comment_caches_written_before_the_fix(self):
		from ai_school.patches import clear_comment_cache_on_family_records

		cache = json.dumps([{"comment": STAFF_NOTE, "by": self.staff, "name": "x"}])
		frappe.db.set_value("AI Student Profile", self.profile, "_comments", cache, update_modified=False)
		frappe.db.set_value("AI Chat Session", self.session, "_comments", cache, update_modified=False)
		clear_comment_cache_on_family_records.execute()
		self.assertFalse(frappe.db.get_value("AI Student Profile", self.profile, "_comments"))
		self.assertFalse(frappe.db.get_value("AI Chat Session", self.session, "_comments"))
