"""The demo school on a real site: the small scale end to end (create, create again, teardown).

The small school ("AI Test School", ledger `__ai_school_demo:ATS`) is separate from the full demo, so this
runs on a site where the full demo is loaded and leaves it untouched. The builder commits in batches, so
the test cleans up with the demo's own teardown rather than a rollback; records a test commits itself are
deleted again by that test.
"""

import contextlib
import subprocess
import sys
import time
from collections import Counter
from datetime import timezone
from statistics import mean

import frappe
from frappe.contacts.doctype.contact.contact import get_contact_name
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_bench_path

from education.education.api import get_grade

from ai_school.demo import create, school, teardown
from ai_school.demo.builder import demo_counts
from ai_school.demo.ledger import Ledger
from ai_school.tests.utils import make_student

SCALE = "small"
CONFIG = school.get_config(SCALE)
TODAY = "2026-11-22"
USER_JOBS = ("frappe.core.doctype.user.user.create_contact", "frappe.core.doctype.user.user.update_gravatar")
DELETION_JOBS = ("frappe.model.delete_doc.delete_dynamic_links",)


def _modified(counts: dict) -> dict[str, str]:
	"""Latest `modified` per demo doctype, over the documents the ledger lists."""
	ledger = Ledger(CONFIG.abbr)
	result = {}
	for doctype in counts:
		names = sorted(ledger.names(doctype))
		if names and doctype != "Education Settings":
			latest = frappe.get_all(
				doctype, filters={"name": ("in", names)}, pluck="modified", order_by="modified desc", limit=1
			)
			result[doctype] = str(latest[0])
	return result


@contextlib.contextmanager
def _as_a_user_runs_it():
	"""Outside Frappe's test mode. run-tests sets frappe.flags.in_test, and Frappe then runs the jobs it queues
	per user (User.on_update) and per deleted document (delete_doc) at once instead of queueing them, which
	would hide whether the demo floods the queues."""
	frappe.flags.in_test = False
	try:
		yield
	finally:
		frappe.flags.in_test = True


def _queued_jobs(methods: tuple[str, ...], since: float, names: set[str]) -> list[str]:
	"""This site's background jobs running one of `methods` about one of `names` (a user, a deleted
	document), enqueued since `since` (time.time()), whether still waiting, finished (RQ keeps them 10
	minutes) or failed. Jobs about other records are someone else's: the site is shared."""
	from rq.job import Job

	from frappe.utils.background_jobs import get_redis_conn

	connection = get_redis_conn()
	ids = [
		key.decode().removeprefix("rq:job:")
		for key in connection.scan_iter(f"rq:job:{frappe.local.site}::*", count=1000)
	]
	found = []
	for job in Job.fetch_many(ids, connection=connection):
		# RQ stamps jobs in naive UTC
		if not (job and job.created_at and job.created_at.replace(tzinfo=timezone.utc).timestamp() >= since):
			continue
		if job.kwargs.get("method") in methods:
			about = job.kwargs.get("kwargs", {})
			name = getattr(about.get("user"), "name", None) or about.get("name")
			if name in names:
				found.append(job.kwargs["method"])
	return found


def _run_demo_command(*args: str) -> subprocess.CompletedProcess:
	"""`bench --site SITE ai-school-demo ARGS` in a process of its own, as a user would run it."""
	return subprocess.run(
		[
			*(sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site),
			*("ai-school-demo", "--scale", SCALE, "--today", TODAY, *args),
		],
		cwd=f"{get_bench_path()}/sites",
		capture_output=True,
		text=True,
		timeout=900,
	)


def _delete_committed_student(student: frappe._dict) -> None:
	"""The Student a test committed, with the Customer and the User (and its Contact) Education made for it."""
	customer, user = frappe.db.get_value("Student", student.name, ["customer", "user"]) or (None, None)
	frappe.delete_doc("Student", student.name, force=True, ignore_permissions=True, delete_permanently=True)
	if customer:
		frappe.delete_doc("Customer", customer, force=True, ignore_permissions=True, delete_permanently=True)
	if user:
		contact = get_contact_name(user)
		if contact:
			frappe.delete_doc(
				"Contact", contact, force=True, ignore_permissions=True, delete_permanently=True
			)
		frappe.delete_doc("User", user, force=True, ignore_permissions=True, delete_permanently=True)
	frappe.db.commit()


class TestDemoSchool(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		teardown(scale=SCALE)
		started = time.time()
		with _as_a_user_runs_it():
			# force: the shared test site may hold students other tests committed
			cls.first = create(scale=SCALE, today=TODAY, force=True)
		cls.user_jobs = _queued_jobs(USER_JOBS, started, Ledger(CONFIG.abbr).names("User"))
		cls.first_modified = _modified(cls.first)
		cls.second = create(scale=SCALE, today=TODAY, force=True)
		cls.second_modified = _modified(cls.second)
		cls.plan = school.build_plan(CONFIG)
		ledger = Ledger(CONFIG.abbr)
		cls.student_of = {
			frappe.db.get_value("Student", name, "student_email_id"): name for name in ledger.names("Student")
		}

	@classmethod
	def tearDownClass(cls):
		teardown(scale=SCALE)
		super().tearDownClass()

	def student(self, person: school.Student) -> str:
		return self.student_of[person.email]

	def test_creates_the_planned_school(self):
		counts = demo_counts(CONFIG)
		self.assertEqual(counts["Student"], CONFIG.students)
		self.assertEqual(counts["Instructor"], CONFIG.instructors)
		self.assertEqual(counts["Guardian"], len(self.plan.guardians))
		self.assertEqual(counts["Customer"], CONFIG.students)  # Education's Student.on_update makes one each
		self.assertGreater(counts["Assessment Result"], 0)
		self.assertGreater(counts["Student Attendance"], counts["Student"] * 100)
		students_with_history = sum(1 for s in self.plan.students if s.first_year == school.PREVIOUS_YEAR)
		self.assertEqual(counts["Program Enrollment"], CONFIG.students + students_with_history)
		# the first run (after a teardown) created all of it and says so
		for doctype in ("Student", "Guardian", "Instructor", "Program Enrollment", "Student Attendance"):
			self.assertEqual(self.first[doctype], {"created": counts[doctype], "existing": 0}, doctype)

	def test_second_run_changes_nothing_and_says_so(self):
		self.assertEqual(self.first_modified, self.second_modified)
		self.assertEqual({d: c["created"] for d, c in self.second.items() if c["created"]}, {})
		for doctype in ("Student", "Guardian", "User", "Program Enrollment", "Assessment Result"):
			self.assertEqual(self.second[doctype]["existing"], demo_counts(CONFIG)[doctype], doctype)

	def test_creates_users_without_background_jobs(self):
		# Frappe queues a contact and a gravatar job per new user; the demo makes contacts in its own batches
		self.assertEqual(Counter(self.user_jobs), Counter())
		ledger = Ledger(CONFIG.abbr)
		users = ledger.names("User")
		self.assertTrue(users)
		self.assertEqual({get_contact_name(user) for user in users}, ledger.names("Contact"))

	def test_documents_are_valid_for_education(self):
		student = self.student(self.plan.students[0])
		self.assertTrue(frappe.db.get_value("Student", student, "user"))
		self.assertTrue(frappe.get_all("Student Guardian", filters={"parent": student}))
		user = frappe.db.get_value("Student", student, "user")
		self.assertIn("Student", frappe.get_roles(user))
		guardian_user = frappe.db.get_value(
			"Guardian", {"email_address": self.plan.guardians[0].email}, "user"
		)
		self.assertIn("Guardian", frappe.get_roles(guardian_user))
		instructor = frappe.get_all(
			"Instructor", filters={"instructor_name": self.plan.instructors[0].full_name}, fields=["employee"]
		)[0]
		self.assertTrue(frappe.db.get_value("Employee", instructor.employee, "user_id"))
		# every result belongs to a student of its group and carries Education's grade for its score
		results = frappe.get_all(
			"Assessment Result",
			filters={"student": student},
			fields=[
				"name",
				"student_group",
				"total_score",
				"maximum_score",
				"grade",
				"docstatus",
				"academic_term",
			],
		)
		self.assertTrue(results)
		for result in results:
			self.assertEqual(result.docstatus, 1)
			self.assertTrue(result.academic_term)
			self.assertTrue(
				frappe.db.exists(
					"Student Group Student", {"parent": result.student_group, "student": student}
				)
			)
			self.assertEqual(
				result.grade, get_grade(school.GRADING_SCALE, 100 * result.total_score / result.maximum_score)
			)
			detail_total = sum(
				frappe.get_all("Assessment Result Detail", filters={"parent": result.name}, pluck="score")
			)
			self.assertAlmostEqual(detail_total, result.total_score)
		# attendance only on school days, never on the holiday list
		holiday_list = frappe.db.get_value("Company", CONFIG.company, "default_holiday_list")
		on_holidays = frappe.db.sql(
			"""select count(*) from `tabStudent Attendance` a
			join `tabHoliday` h on h.holiday_date = a.date and h.parent = %s
			where a.student = %s""",
			(holiday_list, student),
		)[0][0]
		self.assertEqual(on_holidays, 0)

	def test_declining_cohort_is_findable(self):
		def term_mean(students, term):
			scores = frappe.get_all(
				"Assessment Result",
				filters={"student": ("in", students), "academic_term": term},
				fields=["total_score"],
				pluck="total_score",
			)
			return mean(scores)

		declining = [self.student(s) for s in self.plan.cohort(school.DECLINING)]
		others = [
			self.student(s)
			for s in self.plan.students
			if s.profile == school.TYPICAL and s.first_year == school.PREVIOUS_YEAR
		]
		term1, term2 = (t.name for t in school.TERMS[:2])
		drop = term_mean(declining, term2) - term_mean(declining, term1)
		steady = term_mean(others, term2) - term_mean(others, term1)
		self.assertLess(drop, -6)
		self.assertLess(drop, steady - 5)

	def test_chronic_absentees_and_failing_are_findable(self):
		def presence(student):
			rows = frappe.get_all("Student Attendance", filters={"student": student}, pluck="status")
			return rows.count("Present") / len(rows)

		for person in self.plan.cohort(school.CHRONIC_ABSENTEE):
			self.assertLess(presence(self.student(person)), 0.85)
		typical = [presence(self.student(p)) for p in self.plan.cohort(school.TYPICAL)]
		self.assertGreater(mean(typical), 0.9)
		for person in self.plan.cohort(school.FAILING):
			scores = frappe.get_all(
				"Assessment Result", filters={"student": self.student(person)}, pluck="total_score"
			)
			self.assertLess(mean(scores), school.PASS_MARK)

	def test_demo_students_are_not_real_students(self):
		from ai_school.demo.builder import real_students

		demo_students = Ledger(CONFIG.abbr).names("Student")
		self.assertEqual(len(demo_students), CONFIG.students)
		self.assertEqual(demo_students & set(real_students()), set())

	def test_refuses_a_site_with_real_students(self):
		make_student(with_user=False)
		with self.assertRaises(frappe.ValidationError) as refused:
			create(scale=SCALE, today=TODAY)
		self.assertIn("--force", str(refused.exception))
		frappe.db.rollback()

	def test_force_loads_next_to_real_students(self):
		student = make_student(with_user=False)
		try:
			summary = create(scale=SCALE, today=TODAY, force=True)  # commits the student too
			self.assertTrue(frappe.db.exists("Student", student.name))
			self.assertEqual(summary["Student"], {"created": 0, "existing": CONFIG.students})
		finally:
			_delete_committed_student(student)

	def test_command_refuses_without_force_and_loads_with_it(self):
		student = make_student(with_user=False)
		frappe.db.commit()  # visible to the command's own process
		try:
			refused = _run_demo_command()
			self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
			self.assertIn("--force", refused.stderr)
			forced = _run_demo_command("--force")
			self.assertEqual(forced.returncode, 0, forced.stdout + forced.stderr)
			self.assertIn("already there", forced.stdout)
			self.assertIn("Nothing new", forced.stdout)
		finally:
			_delete_committed_student(student)

	def test_teardown_removes_everything_and_is_idempotent(self):
		# named to sort last: unittest runs methods alphabetically and the others need the school
		foreign = self.plant_foreign_records()
		try:
			ledger = Ledger(CONFIG.abbr)
			demo_names = {name for doctype in ledger.doctypes() for name in ledger.names(doctype)}
			started = time.time()
			with _as_a_user_runs_it():
				result = teardown(scale=SCALE)
			self.assertEqual(Counter(_queued_jobs(DELETION_JOBS, started, demo_names)), Counter())
			self.assertEqual(result["kept"], [])
			self.assertTrue(Ledger(CONFIG.abbr).is_empty())
			self.assertFalse(frappe.db.exists("Company", CONFIG.company))
			self.assertFalse(frappe.db.exists("Student", {"student_email_id": self.plan.students[0].email}))
			self.assertFalse(frappe.db.exists("User", self.plan.students[0].email))
			self.assertFalse(get_contact_name(self.plan.students[0].email))
			self.assertFalse(
				frappe.db.count("Student Attendance", {"student": ("in", list(self.student_of.values()))})
			)
			# what teardown itself left behind about the demo's documents went too
			self.assertFalse(
				frappe.db.exists(
					"Deleted Document",
					{"deleted_doctype": "Notification Settings", "deleted_name": self.plan.students[0].email},
				)
			)
			# only the ledger's records went: nothing else matching the demo's addresses or names
			self.assertEqual([(d, n) for d, n in foreign if not frappe.db.exists(d, n)], [])
			self.assertEqual(teardown(scale=SCALE), {"kept": []})
			self.assertEqual(demo_counts(CONFIG), {})
		finally:
			for doctype, name in reversed(foreign):
				frappe.db.delete(doctype, {"name": name})
			frappe.db.commit()

	def plant_foreign_records(self) -> list[tuple[str, str]]:
		"""Records that are not the demo's but look like it: a contact at a look-alike address with a comment,
		and the Deleted Document copy and Deleted comment of an earlier company of the demo's name."""
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Outsider",
				"email_ids": [{"email_id": f"pat@not{CONFIG.email_domain}", "is_primary": 1}],
			}
		).insert(ignore_permissions=True)
		comment = contact.add_comment("Comment", "Called about the open day")
		deleted = frappe.get_doc(
			{
				"doctype": "Deleted Document",
				"deleted_doctype": "Company",
				"deleted_name": CONFIG.company,
				"data": "{}",
				"creation": "2020-01-01 00:00:00",
				"modified": "2020-01-01 00:00:00",
			}
		)
		deleted.db_insert()
		feed = frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Deleted",
				"reference_doctype": "Company",
				"subject": f"Company {CONFIG.company}",
				"creation": "2020-01-01 00:00:00",
				"modified": "2020-01-01 00:00:00",
			}
		)
		feed.db_insert()
		frappe.db.commit()
		return [
			("Contact", contact.name),
			("Comment", comment.name),
			("Deleted Document", deleted.name),
			("Comment", feed.name),
		]
