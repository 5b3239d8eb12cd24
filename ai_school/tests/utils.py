"""Factories for bench tests: real users, students, guardians, instructors, groups and assessment results.

Each call makes fresh, uniquely named records so tests do not depend on each other or on demo data; run
tests inside a transaction and roll back in tearDown. Records are inserted as Administrator."""

import contextlib

import frappe
from frappe.utils import add_days, getdate, nowdate

from ai_school.utils import bulk_user_creation

TEST_ACADEMIC_YEAR = "AI School Test Year"
TEST_GRADING_SCALE = "AI School Test Grading Scale"
ROOT_ASSESSMENT_GROUP = "All Assessment Groups"


_test_process = contextlib.ExitStack()


def before_tests():
	"""`before_tests` hook: lift Frappe's sign-up throttle while run-tests makes its test records.

	The throttle refuses a new User once more than 60 were created in the last hour. Before the first test,
	run-tests makes Frappe's and ERPNext's test records, users among them (test@example.com and co., by
	frappe.test_runner.make_test_records), and after `ai-school-demo` (813 users) those inserts failed with
	"Throttled". Lifted in this process only, the way the demo lifts it; the site's throttle for everyone
	else is unchanged. FrappeTestCase re-reads the site config after each test class, so the factories
	below lift it again around the users they (or Education, for a Student) create."""
	_test_process.enter_context(bulk_user_creation())


def unique(prefix: str) -> str:
	return f"{prefix}-{frappe.generate_hash(length=8)}"


def make_user(roles: tuple[str, ...] = (), first_name: str = "Test", email: str | None = None) -> str:
	"""An enabled user holding exactly `roles` (Frappe decides desk or website user from them)."""
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email or f"{unique('ai-school').lower()}@example.com",
			"first_name": first_name,
			"send_welcome_email": 0,
			"roles": [{"role": role} for role in roles],
		}
	)
	# a test run (after a demo load) makes more users an hour than Frappe's sign-up throttle allows
	with bulk_user_creation():
		user.insert(ignore_permissions=True)
	return user.name


def make_student(first_name: str = "Pupil", with_user: bool = True) -> frappe._dict:
	"""A Student with its own portal user (role Student). Returns name and user."""
	email = f"{unique('student').lower()}@example.com"
	user = make_user(("Student",), first_name=first_name, email=email) if with_user else None
	student = frappe.get_doc(
		{
			"doctype": "Student",
			"first_name": first_name,
			"last_name": unique("Test"),
			"student_email_id": email,
			"user": user,
		}
	)
	# without `user`, Education's Student.validate makes a portal user for the email itself
	with bulk_user_creation():
		student.insert(ignore_permissions=True)
	return frappe._dict(name=student.name, user=user)


def make_guardian(wards: list[str], name: str = "Parent") -> frappe._dict:
	"""A Guardian with a portal user (role Guardian), listed in each ward's guardians table."""
	user = make_user(("Guardian",), first_name=name)
	guardian = frappe.get_doc(
		{"doctype": "Guardian", "guardian_name": f"{name} {unique('G')}", "email_address": user, "user": user}
	).insert(ignore_permissions=True)
	for ward in wards:
		student = frappe.get_doc("Student", ward)
		student.append("guardians", {"guardian": guardian.name, "guardian_name": guardian.guardian_name})
		student.save(ignore_permissions=True)
	return frappe._dict(name=guardian.name, user=user)


def make_instructor(name: str = "Teacher") -> frappe._dict:
	"""An Instructor backed by an Employee whose user holds the Instructor role."""
	user = make_user(("Instructor",), first_name=name)
	employee = frappe.get_doc(
		{
			"doctype": "Employee",
			"first_name": name,
			"last_name": unique("E"),
			"company": _company(),
			"gender": _gender(),
			"date_of_birth": "1985-05-05",
			"date_of_joining": "2015-01-01",
			"status": "Active",
			"user_id": user,
			"create_user_permission": 0,
		}
	).insert(ignore_permissions=True)
	if not frappe.db.get_single_value("Education Settings", "instructor_created_by"):
		frappe.db.set_single_value("Education Settings", "instructor_created_by", "Full Name")
	instructor = frappe.get_doc(
		{"doctype": "Instructor", "instructor_name": f"{name} {unique('I')}", "employee": employee.name}
	).insert(ignore_permissions=True)
	return frappe._dict(name=instructor.name, user=user, employee=employee.name)


def make_student_group(
	students: list[str], instructors: list[str] = (), inactive: list[str] = (), course: str | None = None
) -> str:
	"""An activity-based Student Group (no enrolment rules apply) with the given members."""
	group = frappe.get_doc(
		{
			"doctype": "Student Group",
			"student_group_name": unique("AI Group"),
			"group_based_on": "Activity",
			"academic_year": make_academic_year(),
			"course": course,
			"students": [{"student": s, "active": 0 if s in inactive else 1} for s in students],
			"instructors": [{"instructor": i} for i in instructors],
		}
	).insert(ignore_permissions=True)
	return group.name


def make_academic_year(name: str = TEST_ACADEMIC_YEAR, years_back: int = 0) -> str:
	"""A calendar-year Academic Year: this calendar year, or the one `years_back` years before it."""
	if not frappe.db.exists("Academic Year", name):
		start = getdate(nowdate()).replace(month=1, day=1)
		start = start.replace(year=start.year - years_back)
		frappe.get_doc(
			{
				"doctype": "Academic Year",
				"academic_year_name": name,
				"year_start_date": start,
				"year_end_date": add_days(start.replace(year=start.year + 1), -1),
			}
		).insert(ignore_permissions=True)
	return name


def make_dated_year(name: str, start, end) -> str:
	"""An Academic Year from `start` to `end` (its name made unique): a school year placed around today."""
	doc = frappe.get_doc(
		{
			"doctype": "Academic Year",
			"academic_year_name": unique(name),
			"year_start_date": start,
			"year_end_date": end,
		}
	)
	return doc.insert(ignore_permissions=True).name


def make_term(academic_year: str, name: str, start, end) -> str:
	"""An Academic Term of `academic_year` (its name made unique)."""
	doc = frappe.get_doc(
		{
			"doctype": "Academic Term",
			"academic_year": academic_year,
			"term_name": unique(name),
			"term_start_date": start,
			"term_end_date": end,
		}
	)
	return doc.insert(ignore_permissions=True).name


def use_weekend_holidays(start, end) -> str:
	"""Make weekends from `start` to `end` the default company's holidays (Education's get_holiday_list reads
	the default company) and return that company: the caller clears its cached document in tearDownClass."""
	holidays, day = [], getdate(start)
	while day <= getdate(end):
		if day.weekday() >= 5:
			holidays.append({"holiday_date": day, "description": "Weekend", "weekly_off": 1})
		day = add_days(day, 1)
	holiday_list = frappe.get_doc(
		{
			"doctype": "Holiday List",
			"holiday_list_name": unique("AI Test Weekends"),
			"from_date": start,
			"to_date": end,
			"holidays": holidays,
		}
	).insert(ignore_permissions=True)
	company = _company()
	frappe.db.set_value("Company", company, "default_holiday_list", holiday_list.name)
	frappe.clear_document_cache("Company", company)
	return company


def make_outgoing_email_account(prefix: str, email_id: str) -> str:
	"""A default outgoing Email Account, for tests whose emails must be queued (the caller's transaction rolls
	it back). Frappe caches the outgoing account per process: call ``forget_outgoing_email_account`` when the
	test or class ends, or every later test finds the rolled-back account, sends its emails at once (in tests
	Notification Log emails are sent "now") and the email queue commits that test's transaction."""
	forget_outgoing_email_account()
	return (
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": unique(prefix),
				"email_id": email_id,
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "smtp.example.com",
				"no_smtp_authentication": 1,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def forget_outgoing_email_account() -> None:
	frappe.local.outgoing_email_account = {}


def make_course() -> str:
	return (
		frappe.get_doc({"doctype": "Course", "course_name": unique("AI Course")})
		.insert(ignore_permissions=True)
		.name
	)


def make_assessment_plan(
	student_group: str, course: str, maximums: dict[str, float], schedule_date=None
) -> str:
	"""A submitted Assessment Plan for the group and course; maximums: criterion name -> maximum score
	(criteria are created as needed). Each plan of the group that day gets its own 15 minutes (Education
	refuses overlapping plans of one group)."""
	schedule_date = schedule_date or nowdate()
	taken = frappe.db.count(
		"Assessment Plan",
		{"student_group": student_group, "schedule_date": schedule_date, "docstatus": ("<", 2)},
	)
	start = 7 * 60 + 20 * taken  # minutes after midnight
	for criterion in maximums:
		if not frappe.db.exists("Assessment Criteria", criterion):
			frappe.get_doc({"doctype": "Assessment Criteria", "assessment_criteria": criterion}).insert(
				ignore_permissions=True
			)
	plan = frappe.get_doc(
		{
			"doctype": "Assessment Plan",
			"assessment_name": unique("Test"),
			"student_group": student_group,
			"course": course,
			"assessment_group": _assessment_group(),
			"grading_scale": _grading_scale(),
			"schedule_date": schedule_date,
			"from_time": f"{start // 60:02d}:{start % 60:02d}:00",
			"to_time": f"{(start + 15) // 60:02d}:{(start + 15) % 60:02d}:00",
			"maximum_assessment_score": sum(maximums.values()),
			"assessment_criteria": [
				{"assessment_criteria": criterion, "maximum_score": maximum_score}
				for criterion, maximum_score in maximums.items()
			],
		}
	).insert(ignore_permissions=True)
	plan.submit()
	return plan.name


def forget_education_grading_scale() -> None:
	"""Call before inserting an Assessment Result. Education's get_grade keeps the first Grading Scale it reads
	in frappe.local for the rest of the process (of the request, in production): after another test class
	graded with its own scale, results would get that scale's grades ("D" where this scale has "F")."""
	if hasattr(frappe.local, "grading_scale"):
		del frappe.local.grading_scale


def make_assessment_result(
	student: str,
	student_group: str,
	course: str,
	scores: dict[str, tuple[float, float]],
	submit: bool = True,
	assessment_plan: str | None = None,
) -> str:
	"""A (submitted) Assessment Result for `student`, on `assessment_plan` or a fresh submitted plan.

	scores: criterion name -> (student score, maximum score); criteria are created as needed."""
	plan = assessment_plan or make_assessment_plan(
		student_group, course, {criterion: maximum for criterion, (_score, maximum) in scores.items()}
	)
	forget_education_grading_scale()
	result = frappe.get_doc(
		{
			"doctype": "Assessment Result",
			"assessment_plan": plan,
			"student": student,
			"student_group": student_group,
			"course": course,
			"grading_scale": _grading_scale(),
			"maximum_score": sum(maximum_score for _score, maximum_score in scores.values()),
			"details": [
				{"assessment_criteria": criterion, "score": score}
				for criterion, (score, _max) in scores.items()
			],
		}
	).insert(ignore_permissions=True)
	if submit:
		result.submit()
	return result.name


def make_profile(student: str, **values) -> str:
	"""An AI Student Profile as the insights job would write it."""
	doc = frappe.get_doc({"doctype": "AI Student Profile", "student": student, **values})
	return doc.insert(ignore_permissions=True).name


def make_chat_session(student: str, **values) -> str:
	"""An AI Chat Session with one exchange, as the tutor service would write it."""
	doc = frappe.get_doc(
		{
			"doctype": "AI Chat Session",
			"student": student,
			"topic": "Fractions",
			"messages": [
				{"role": "user", "content": "How do I add 1/2 and 1/3?"},
				{"role": "assistant", "content": "What common denominator could both use?", "tokens_out": 12},
			],
			**values,
		}
	)
	return doc.insert(ignore_permissions=True).name


def make_engagement_log(student: str, user: str | None = None, **values) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "AI Engagement Log",
			"feature": "Tutor",
			"outcome": "ok",
			"student": student,
			"user": user,
			**values,
		}
	)
	return doc.insert(ignore_permissions=True).name


def make_insight(assessment_result: str, status: str = "Draft", **values) -> str:
	doc = frappe.get_doc(
		{"doctype": "Assessment Insight", "assessment_result": assessment_result, "status": status, **values}
	)
	return doc.insert(ignore_permissions=True).name


def _company() -> str:
	company = frappe.defaults.get_global_default("company") or frappe.db.get_value("Company", {}, "name")
	if not company:
		raise RuntimeError("The test site has no Company: finish ERPNext's setup wizard first.")
	return company


def _gender() -> str:
	if not frappe.db.exists("Gender", "Female"):
		frappe.get_doc({"doctype": "Gender", "gender": "Female"}).insert(ignore_permissions=True)
	return "Female"


def _grading_scale() -> str:
	if not frappe.db.exists("Grading Scale", TEST_GRADING_SCALE):
		scale = frappe.get_doc(
			{
				"doctype": "Grading Scale",
				"grading_scale_name": TEST_GRADING_SCALE,
				"intervals": [
					{"grade_code": grade, "threshold": threshold}
					for grade, threshold in (("A", 80), ("B", 65), ("C", 50), ("F", 0))
				],
			}
		).insert(ignore_permissions=True)
		scale.submit()
	return TEST_GRADING_SCALE


def _assessment_group() -> str:
	if not frappe.db.exists("Assessment Group", ROOT_ASSESSMENT_GROUP):
		frappe.get_doc(
			{"doctype": "Assessment Group", "assessment_group_name": ROOT_ASSESSMENT_GROUP, "is_group": 1}
		).insert(ignore_permissions=True)
	name = unique("AI Term Test")
	frappe.get_doc(
		{
			"doctype": "Assessment Group",
			"assessment_group_name": name,
			"parent_assessment_group": ROOT_ASSESSMENT_GROUP,
		}
	).insert(ignore_permissions=True)
	return name
