"""A small school for the guardian tests: a holiday list with weekends off around today (Education refuses
attendance on holidays), a class of students in one course group, families with portal and email-only
guardians. Everything is made inside the test class's transaction and rolled back with it; each test runs
in a savepoint of its own."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate, nowdate

from ai_school.guardians import notices
from ai_school.tests import utils

SAVEPOINT = "ai_school_guardian_test"


def school_days_before(on_date, count: int) -> list:
	"""The last `count` weekdays up to and including `on_date`, oldest first."""
	days, day = [], getdate(on_date)
	while len(days) < count:
		if day.weekday() < 5:
			days.append(day)
		day = add_days(day, -1)
	return sorted(days)


class GuardianTestCase(FrappeTestCase):
	# AI School Settings fields a test may change: put back after each test
	SETTINGS = ("guardian_tutor_transcripts", "digest_weekday", "pass_mark")

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		today = getdate(nowdate())
		cls.company = utils._company()
		cls.previous_holiday_list = frappe.db.get_value("Company", cls.company, "default_holiday_list")
		utils.use_weekend_holidays(add_days(today, -60), add_days(today, 30))
		# notices are emailed through the site's default outgoing account (queued, never sent in tests)
		if not frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}):
			utils.make_outgoing_email_account("AI Guardian Outgoing", "school@example.com")
			cls.addClassCleanup(utils.forget_outgoing_email_account)
		cls.course = utils.make_course()
		frappe.db.set_value("Course", cls.course, "course_name", "Mathematics")

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		frappe.clear_document_cache("Company", cls.company)

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.savepoint(SAVEPOINT)
		self.saved_settings = {
			field: frappe.db.get_single_value("AI School Settings", field) for field in self.SETTINGS
		}
		self.saved_lang = getattr(frappe.local, "lang", None)
		frappe.cache.delete_value(notices.PENDING_KEY)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = self.saved_lang
		frappe.db.rollback(save_point=SAVEPOINT)
		for field, value in self.saved_settings.items():
			frappe.db.set_single_value("AI School Settings", field, value)
		frappe.cache.delete_value(notices.PENDING_KEY)

	# --- records -------------------------------------------------------------------------------------------

	def make_class(self, *first_names: str) -> list[frappe._dict]:
		"""Students (with portal users) in one course group; their `group` is set on each."""
		students = [utils.make_student(name) for name in first_names]
		group = utils.make_student_group([s.name for s in students], course=self.course)
		for student in students:
			student.group = group
		return students

	def rename(self, doctype: str, name: str, **values) -> None:
		"""Give a record a name with markup in it (Frappe refuses such names for a user's contact, so the
		record is made with a plain name first)."""
		frappe.db.set_value(doctype, name, values)

	def make_email_only_guardian(self, wards: list[str], name: str = "Dad") -> frappe._dict:
		"""A Guardian without a portal account, reachable by email only."""
		email = f"{utils.unique('guardian').lower()}@example.com"
		guardian = frappe.get_doc(
			{"doctype": "Guardian", "guardian_name": f"{name} {utils.unique('G')}", "email_address": email}
		).insert(ignore_permissions=True)
		for ward in wards:
			student = frappe.get_doc("Student", ward)
			student.append("guardians", {"guardian": guardian.name, "guardian_name": guardian.guardian_name})
			student.save(ignore_permissions=True)
		return frappe._dict(name=guardian.name, user=None, email=email)

	def set_preference(self, guardian: str, **channels) -> None:
		doc = frappe.new_doc("AI Guardian Preference")
		doc.guardian = guardian
		for kind, value in channels.items():
			if kind == "language":
				doc.language = value
			else:
				doc.set(f"{kind}_channel", value)
		doc.insert(ignore_permissions=True)

	def mark(self, student: frappe._dict, day, status: str = "Present") -> str:
		doc = frappe.get_doc(
			{
				"doctype": "Student Attendance",
				"student": student.name,
				"student_group": student.group,
				"date": day,
				"status": status,
			}
		).insert(ignore_permissions=True)
		doc.submit()
		return doc.name

	def translate(self, language: str, source: str, translated: str) -> None:
		"""A site translation (Translation DocType), as a school adds for its language."""
		frappe.get_doc(
			{
				"doctype": "Translation",
				"language": language,
				"source_text": source,
				"translated_text": translated,
			}
		).insert(ignore_permissions=True)

	# --- what went out -------------------------------------------------------------------------------------

	def notices_to(self, guardian: str, kind: str | None = None) -> list:
		filters = {"guardian": guardian}
		if kind:
			filters["kind"] = kind
		return frappe.get_all(
			"AI Guardian Notice", filters=filters, fields=["name", "kind", "student", "notification_log"]
		)

	def logs_for(self, user: str) -> list:
		return frappe.get_all(
			"Notification Log",
			filters={"for_user": user},
			fields=["name", "subject", "link", "type", "email_content"],
		)

	def emails_to(self, address: str) -> list:
		queued = frappe.get_all(
			"Email Queue Recipient", filters={"recipient": address}, pluck="parent", distinct=True
		)
		return frappe.get_all(
			"Email Queue",
			filters={"name": ("in", queued or [""])},
			fields=["name", "message", "reference_doctype", "reference_name"],
		)
