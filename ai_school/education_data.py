"""The one place the app reads ERPNext / Education data.

Every query names its doctype and fields literally so a structural test can check them against the
Education 15 / ERPNext 15 schema. Reads here ignore the caller's permissions on purpose: callers decide
what the user may see (see ai_school/permissions.py) and must not hand these results to a user unchecked.
"""

import frappe
from frappe.utils import today

from erpnext.setup.doctype.employee.employee import get_holiday_list_for_employee

# --- who a user is, as far as students are concerned ---------------------------------------------------


def get_students_of_user(user: str) -> list[str]:
	"""Students whose own portal account is `user` (normally one)."""
	return frappe.get_all("Student", filters={"user": user}, pluck="name")


def get_wards_of_user(user: str) -> list[str]:
	"""Students that list a Guardian linked to `user` in their guardians table."""
	guardians = frappe.get_all("Guardian", filters={"user": user}, pluck="name")
	if not guardians:
		return []
	return frappe.get_all(
		"Student Guardian",
		filters={"guardian": ("in", guardians), "parenttype": "Student"},
		pluck="parent",
		distinct=True,
	)


def get_current_academic_years() -> list[str]:
	"""The academic year(s) staff access is scoped to: Education Settings' Current Academic Year; when the site
	sets none, every Academic Year whose dates include today; [] when none does either (no year is current,
	so instructors see no student records until one is set)."""
	current = frappe.db.get_value("Education Settings", "Education Settings", "current_academic_year")
	if current:
		return [current]
	on_date = today()
	return frappe.get_all(
		"Academic Year",
		filters={"year_start_date": ("<=", on_date), "year_end_date": (">=", on_date)},
		pluck="name",
		order_by="name asc",
	)


def get_instructors_in_service(user: str) -> list[str]:
	"""Instructors (not Left) whose Employee record belongs to `user`."""
	employees = frappe.get_all("Employee", filters={"user_id": user}, pluck="name")
	if not employees:
		return []
	return frappe.get_all(
		"Instructor", filters={"employee": ("in", employees), "status": ("!=", "Left")}, pluck="name"
	)


def get_current_groups_taught_by_user(user: str) -> list[frappe._dict]:
	"""Enabled Student Groups of the current academic year (see get_current_academic_years) that `user`
	instructs through Employee -> Instructor: name and course of each."""
	instructors = get_instructors_in_service(user)
	years = get_current_academic_years()
	if not instructors or not years:
		return []
	groups = frappe.get_all(
		"Student Group Instructor",
		filters={"instructor": ("in", instructors), "parenttype": "Student Group"},
		pluck="parent",
		distinct=True,
	)
	if not groups:
		return []
	return frappe.get_all(
		"Student Group",
		filters={"name": ("in", groups), "disabled": 0, "academic_year": ("in", years)},
		fields=["name", "course"],
		order_by="name asc",
	)


def get_current_student_groups() -> list[frappe._dict]:
	"""Every enabled Student Group of the current academic year (get_current_academic_years): name and course."""
	years = get_current_academic_years()
	if not years:
		return []
	return frappe.get_all(
		"Student Group",
		filters={"disabled": 0, "academic_year": ("in", years)},
		fields=["name", "course"],
		order_by="name asc",
	)


def get_students_taught_by_user(user: str) -> list[str]:
	"""Active students of the groups `user` teaches this academic year (get_current_groups_taught_by_user):
	last year's classes, disabled groups and inactive members give no access."""
	groups = [group.name for group in get_current_groups_taught_by_user(user)]
	if not groups:
		return []
	return frappe.get_all(
		"Student Group Student",
		filters={"parent": ("in", groups), "parenttype": "Student Group", "active": 1},
		pluck="student",
		distinct=True,
	)


def get_current_instructor_users_of_student(student: str) -> list[str]:
	"""Users of the instructors (not Left) of the enabled Student Groups of the current academic year that
	`student` is an active member of: the staff get_students_taught_by_user lets see the student (safety
	alerts notify them)."""
	years = get_current_academic_years()
	groups = get_student_groups_of_student(student) if years else []
	if not groups:
		return []
	current = frappe.get_all(
		"Student Group", filters={"name": ("in", groups), "academic_year": ("in", years)}, pluck="name"
	)
	instructors = sorted({i for names in get_group_instructors(current).values() for i in names})
	if not instructors:
		return []
	in_service = frappe.get_all(
		"Instructor", filters={"name": ("in", instructors), "status": ("!=", "Left")}, pluck="name"
	)
	return sorted(set(get_instructor_users(in_service).values()))


def is_active_in_groups(student: str, groups: list[str]) -> bool:
	"""Whether `student` is an active member of any of `groups`."""
	if not student or not groups:
		return False
	return bool(
		frappe.db.exists(
			"Student Group Student",
			{"parent": ("in", groups), "parenttype": "Student Group", "student": student, "active": 1},
		)
	)


def get_user_of_student(student: str) -> str | None:
	"""The portal account of a Student, if it has one."""
	return frappe.db.get_value("Student", student, "user") if student else None


def get_guardian_users() -> list[str]:
	"""Portal accounts linked to Guardian records."""
	return frappe.get_all("Guardian", filters={"user": ("is", "set")}, pluck="user", distinct=True)


# --- assessments -----------------------------------------------------------------------------------------


def get_assessment_result_context(assessment_result: str) -> frappe._dict | None:
	"""Who and what an Assessment Result is about, with its docstatus; None if it does not exist."""
	return frappe.db.get_value(
		"Assessment Result",
		assessment_result,
		["student", "student_name", "course", "student_group", "assessment_plan", "docstatus"],
		as_dict=True,
	)


# --- assessment insights (ai_school/insights/assessment.py) ---------------------------------------------


def get_submitted_results_of_plans(plans: list[str]) -> list[frappe._dict]:
	"""Submitted Assessment Results of these Assessment Plans: who, which course and group, totals."""
	if not plans:
		return []
	return frappe.get_all(
		"Assessment Result",
		filters={"assessment_plan": ("in", plans), "docstatus": 1},
		fields=[
			"name",
			"student",
			"course",
			"student_group",
			"assessment_plan",
			"grading_scale",
			"total_score",
			"maximum_score",
		],
		order_by="name asc",
	)


def get_submitted_results_in_course(students: list[str], course: str) -> list[frappe._dict]:
	"""Every submitted Assessment Result of `students` in `course` (for the trend): plan and totals."""
	if not students or not course:
		return []
	return frappe.get_all(
		"Assessment Result",
		filters={"student": ("in", students), "course": course, "docstatus": 1},
		fields=["name", "student", "assessment_plan", "total_score", "maximum_score"],
		order_by="name asc",
	)


def get_plans_with_results_since(from_date) -> list[str]:
	"""Submitted Assessment Plans scheduled on or after `from_date` (for creating missing insights)."""
	return frappe.get_all(
		"Assessment Plan",
		filters={"docstatus": 1, "schedule_date": (">=", from_date)},
		pluck="name",
		order_by="schedule_date asc",
	)


# --- timetable -------------------------------------------------------------------------------------------


def get_term_dates(academic_term: str) -> frappe._dict | None:
	return frappe.db.get_value(
		"Academic Term", academic_term, ["academic_year", "term_start_date", "term_end_date"], as_dict=True
	)


def get_course_groups_of_term(academic_term: str, academic_year: str) -> list[frappe._dict]:
	"""Enabled course-based Student Groups of the term, or of its year when the group names no term."""
	return frappe.get_all(
		"Student Group",
		filters={"group_based_on": "Course", "disabled": 0, "academic_year": academic_year},
		or_filters=[["academic_term", "=", academic_term], ["academic_term", "is", "not set"]],
		fields=["name", "course", "program", "academic_term"],
		order_by="name asc",
	)


def get_student_group_details(groups: list[str]) -> list[frappe._dict]:
	return frappe.get_all(
		"Student Group",
		filters={"name": ("in", groups)},
		fields=["name", "course", "program", "academic_year", "academic_term"],
	)


def get_group_instructors(groups: list[str]) -> dict[str, list[str]]:
	"""Student Group -> its instructors, in table order."""
	out: dict[str, list[str]] = {group: [] for group in groups}
	if not groups:
		return out
	rows = frappe.get_all(
		"Student Group Instructor",
		filters={"parent": ("in", groups), "parenttype": "Student Group"},
		fields=["parent", "instructor"],
		order_by="idx asc",
	)
	for row in rows:
		out[row.parent].append(row.instructor)
	return out


def get_group_students(groups: list[str]) -> dict[str, list[str]]:
	"""Student Group -> its active students."""
	out: dict[str, list[str]] = {group: [] for group in groups}
	if not groups:
		return out
	rows = frappe.get_all(
		"Student Group Student",
		filters={"parent": ("in", groups), "parenttype": "Student Group", "active": 1},
		fields=["parent", "student"],
	)
	for row in rows:
		out[row.parent].append(row.student)
	return out


def get_instructor_names(instructors: list[str]) -> dict[str, str]:
	if not instructors:
		return {}
	rows = frappe.get_all(
		"Instructor", filters={"name": ("in", instructors)}, fields=["name", "instructor_name"]
	)
	return {row.name: row.instructor_name for row in rows}


def get_rooms() -> list[frappe._dict]:
	"""Every Room with its seating capacity (free text in Education) and the app's room kind."""
	return frappe.get_all(
		"Room", fields=["name", "room_name", "seating_capacity", "room_kind"], order_by="name asc"
	)


def get_company_holidays(company: str) -> frappe._dict:
	"""The company's default Holiday List: its name, date range and holiday dates (empty if none)."""
	holiday_list = frappe.db.get_value("Company", company, "default_holiday_list")
	if not holiday_list:
		return frappe._dict(holiday_list=None, from_date=None, to_date=None, dates=set())
	period = frappe.db.get_value("Holiday List", holiday_list, ["from_date", "to_date"], as_dict=True)
	dates = frappe.get_all(
		"Holiday", filters={"parent": holiday_list, "parenttype": "Holiday List"}, pluck="holiday_date"
	)
	return frappe._dict(
		holiday_list=holiday_list, from_date=period.from_date, to_date=period.to_date, dates=set(dates)
	)


def get_plan_schedules(timetable_plan: str, from_date) -> list[str]:
	"""Course Schedules published from a Timetable Plan on or after `from_date`."""
	return frappe.get_all(
		"Course Schedule",
		filters={"timetable_plan": timetable_plan, "schedule_date": (">=", from_date)},
		pluck="name",
	)


def count_plan_schedules(timetable_plan: str) -> int:
	return frappe.db.count("Course Schedule", {"timetable_plan": timetable_plan})


def count_attendance_of_schedules(schedules: list[str]) -> int:
	if not schedules:
		return 0
	return frappe.db.count(
		"Student Attendance", {"course_schedule": ("in", schedules), "docstatus": ("<", 2)}
	)


def get_course_schedules(from_date, to_date) -> list[frappe._dict]:
	return frappe.get_all(
		"Course Schedule",
		filters={"schedule_date": ("between", [from_date, to_date])},
		fields=[
			"name",
			"student_group",
			"course",
			"instructor",
			"room",
			"schedule_date",
			"from_time",
			"to_time",
			"timetable_plan",
			"program",
			"instructor_name",
		],
		order_by="schedule_date asc, from_time asc",
	)


# --- course schedules, instructors, holidays (instructor absence cover) ---------------------------------


def get_course_schedule_for_update(name: str):
	"""A Course Schedule document, row-locked until the transaction ends, to be changed and saved; None if it
	was deleted."""
	if not frappe.db.exists("Course Schedule", name):
		return None
	return frappe.get_doc("Course Schedule", name, for_update=True)


def get_active_instructors() -> dict[str, str]:
	"""Instructor -> display name, for instructors who have not left."""
	rows = frappe.get_all(
		"Instructor",
		filters={"status": ("!=", "Left")},
		fields=["name", "instructor_name"],
		order_by="name asc",
	)
	return {row.name: row.instructor_name or row.name for row in rows}


def get_teaching_assignments(from_date, to_date) -> list[tuple[str, str, str]]:
	"""(instructor, course, program) triples: what each instructor teaches, from the instructors of enabled
	Student Groups, the Course Schedules between two dates and the instructors' own logs. Course or program
	may be "" when the source does not say."""
	sgi = frappe.qb.DocType("Student Group Instructor")
	group = frappe.qb.DocType("Student Group")
	from_groups = (
		frappe.qb.from_(sgi)
		.join(group)
		.on(sgi.parent == group.name)
		.select(sgi.instructor, group.course, group.program)
		.where((sgi.parenttype == "Student Group") & (group.disabled == 0))
		.distinct()
		.run()
	)
	from_schedules = frappe.get_all(
		"Course Schedule",
		filters={"schedule_date": ("between", [from_date, to_date]), "instructor": ("is", "set")},
		fields=["instructor", "course", "program"],
		distinct=True,
		as_list=True,
	)
	from_logs = frappe.get_all(
		"Instructor Log",
		filters={"parenttype": "Instructor"},
		fields=["parent", "course", "program"],
		as_list=True,
	)
	rows = [*from_groups, *from_schedules, *from_logs]
	return sorted({(who, course or "", program or "") for who, course, program in rows if who})


def get_instructor_holidays_between(instructor: str, from_date, to_date) -> set:
	"""Holidays between two dates (inclusive) in the Holiday List that applies to `instructor`, by ERPNext's
	rule for employees: their Employee's own list, else their company's default list; an instructor without an
	Employee gets the default company's list."""
	employee = frappe.db.get_value("Instructor", instructor, "employee")
	holiday_list = get_holiday_list_for_employee(employee, raise_exception=False)
	if not holiday_list:
		return set()
	return set(
		frappe.get_all(
			"Holiday",
			filters={
				"parent": holiday_list,
				"parenttype": "Holiday List",
				"holiday_date": ("between", [from_date, to_date]),
			},
			pluck="holiday_date",
		)
	)


def get_term_holding(on_date) -> frappe._dict | None:
	"""The Academic Term whose dates include `on_date` (the latest starting one if several do)."""
	rows = frappe.get_all(
		"Academic Term",
		filters={"term_start_date": ("<=", on_date), "term_end_date": (">=", on_date)},
		fields=["name", "term_start_date", "term_end_date"],
		order_by="term_start_date desc",
		limit=1,
	)
	return rows[0] if rows else None


def get_instructor_users(instructors: list[str]) -> dict[str, str]:
	"""Instructor -> the User of its Employee, for instructors that have one."""
	if not instructors:
		return {}
	rows = frappe.get_all(
		"Instructor",
		filters={"name": ("in", instructors), "employee": ("is", "set")},
		fields=["name", "employee"],
	)
	if not rows:
		return {}
	users = dict(
		frappe.get_all(
			"Employee",
			filters={"name": ("in", [row.employee for row in rows]), "user_id": ("is", "set")},
			fields=["name", "user_id"],
			as_list=True,
		)
	)
	return {row.name: users[row.employee] for row in rows if row.employee in users}


def get_instructors_of_user(user: str) -> list[str]:
	"""Instructors whose Employee record belongs to `user`."""
	employees = frappe.get_all("Employee", filters={"user_id": user}, pluck="name")
	if not employees:
		return []
	return frappe.get_all("Instructor", filters={"employee": ("in", employees)}, pluck="name")


# --- early warning (ai_school/insights/risk.py) ---------------------------------------------------------


def get_current_academic_term() -> str | None:
	"""The term early warning scores: Education Settings' Current Academic Term; when unset, the term whose
	dates include today (the latest starting one); else the latest term that has started (between terms)."""
	current = frappe.db.get_value("Education Settings", "Education Settings", "current_academic_term")
	if current:
		return current
	on_date = today()
	holding = get_term_holding(on_date)
	if holding:
		return holding.name
	rows = frappe.get_all(
		"Academic Term",
		filters={"term_start_date": ("<=", on_date)},
		pluck="name",
		order_by="term_start_date desc",
		limit=1,
	)
	return rows[0] if rows else None


def get_terms_up_to(academic_term: str, limit: int = 6) -> list[frappe._dict]:
	"""`academic_term` and the terms that started before it (the latest `limit` of them, oldest first), with
	their dates; terms without dates are left out."""
	start = frappe.db.get_value("Academic Term", academic_term, "term_start_date")
	if not start:
		return []
	rows = frappe.get_all(
		"Academic Term",
		filters={
			"term_start_date": ("<=", start),
			"term_end_date": ("is", "set"),
		},
		fields=["name", "term_start_date", "term_end_date"],
		order_by="term_start_date desc",
		limit=limit,
	)
	return list(reversed(rows))


def get_submitted_assessment_results(students: list[str], terms: list[str]) -> list[frappe._dict]:
	"""Submitted Assessment Results of `students` filed under one of `terms` or under no term (the caller
	places those by their plan's date): course, term, plan, totals and grade of each."""
	if not students or not terms:
		return []
	return frappe.get_all(
		"Assessment Result",
		filters={"student": ("in", students), "docstatus": 1},
		or_filters=[["academic_term", "in", terms], ["academic_term", "is", "not set"]],
		fields=[
			"name",
			"student",
			"course",
			"academic_term",
			"assessment_plan",
			"grading_scale",
			"maximum_score",
			"total_score",
			"grade",
		],
		order_by="name asc",
	)


def get_assessment_result_criteria(results: list[str]) -> list[frappe._dict]:
	"""The criterion rows (Assessment Result Detail) of `results`: score and maximum of each."""
	if not results:
		return []
	return frappe.get_all(
		"Assessment Result Detail",
		filters={"parent": ("in", results), "parenttype": "Assessment Result"},
		fields=["parent", "assessment_criteria", "score", "maximum_score"],
		order_by="idx asc",
	)


def get_assessment_plan_dates(plans: list[str]) -> dict[str, object]:
	"""Assessment Plan -> its schedule date (when the assessment took place)."""
	if not plans:
		return {}
	rows = frappe.get_all(
		"Assessment Plan",
		filters={"name": ("in", plans)},
		fields=["name", "schedule_date", "academic_term"],
	)
	return {row.name: row for row in rows}


def get_grading_scale_bands(grading_scale: str) -> list[frappe._dict]:
	"""A Grading Scale's intervals: grade code, threshold (%) and description ("Pass", "Fail", ...)."""
	if not grading_scale:
		return []
	return frappe.get_all(
		"Grading Scale Interval",
		filters={"parent": grading_scale, "parenttype": "Grading Scale"},
		fields=["grade_code", "threshold", "grade_description"],
		order_by="threshold asc",
	)


def get_submitted_student_attendance(students: list[str], from_date, to_date) -> list[frappe._dict]:
	"""Submitted Student Attendance rows of `students` between two dates (inclusive): student, date, status.
	A school marking attendance per lesson has several rows a day."""
	if not students:
		return []
	return frappe.get_all(
		"Student Attendance",
		filters={
			"student": ("in", students),
			"docstatus": 1,
			"date": ("between", [from_date, to_date]),
		},
		fields=["student", "date", "status"],
		order_by="date asc",
	)


def get_enabled_students_after(after: str, limit: int) -> list[str]:
	"""The next `limit` enabled Students by name after `after` ("" from the start): keyset pages for jobs
	that go through every student in bounded memory."""
	return frappe.get_all(
		"Student",
		filters={"enabled": 1, "name": (">", after)},
		pluck="name",
		order_by="name asc",
		limit=limit,
	)


def get_students_with_results_after(terms: list[str], after: str, limit: int) -> list[str]:
	"""The next `limit` students by name after `after` with a submitted Assessment Result filed under one of
	`terms` or under no term, enabled or not (students who left are still the school's history): keyset pages
	for the risk model's training."""
	if not terms:
		return []
	return frappe.get_all(
		"Assessment Result",
		filters={"docstatus": 1, "student": (">", after)},
		or_filters=[["academic_term", "in", terms], ["academic_term", "is", "not set"]],
		pluck="student",
		group_by="student",  # not distinct=True: frappe then drops the order_by, and keyset pages skip students
		order_by="student asc",
		limit=limit,
	)


def count_students() -> int:
	return frappe.db.count("Student")


def get_terms(names: list[str]) -> list[frappe._dict]:
	"""These Academic Terms with their dates, oldest first (terms without dates are left out)."""
	rows = frappe.get_all(
		"Academic Term",
		filters={"name": ("in", names), "term_start_date": ("is", "set"), "term_end_date": ("is", "set")},
		fields=["name", "term_start_date", "term_end_date"],
	)
	return sorted(rows, key=lambda row: (row.term_start_date, row.term_end_date, row.name))


def get_terms_ended_before(on_date, limit: int = 12) -> list[frappe._dict]:
	"""The latest `limit` Academic Terms that ended before `on_date`, oldest first, with their dates."""
	rows = frappe.get_all(
		"Academic Term",
		filters={"term_end_date": ("<", on_date), "term_start_date": ("is", "set")},
		fields=["name", "term_start_date", "term_end_date"],
		order_by="term_end_date desc, term_start_date desc, name desc",
		limit=limit,
	)
	return sorted(rows, key=lambda row: (row.term_start_date, row.term_end_date, row.name))


def get_existing_students(students: list[str]) -> list[str]:
	"""Those of `students` that still exist."""
	if not students:
		return []
	return frappe.get_all("Student", filters={"name": ("in", students)}, pluck="name")


def get_student_names(students: list[str]) -> dict[str, str]:
	"""Student -> their full name (the early-warning panels)."""
	if not students:
		return {}
	rows = frappe.get_all("Student", filters={"name": ("in", students)}, fields=["name", "student_name"])
	return {row.name: row.student_name for row in rows}


# --- the tutor -------------------------------------------------------------------------------------------


def get_current_course_groups_of_student(student: str) -> list[frappe._dict]:
	"""Enabled Student Groups with a course, of the current academic year (get_current_academic_years), the
	student is an active member of: name and course of each."""
	years = get_current_academic_years()
	groups = get_student_groups_of_student(student) if years else []
	if not groups:
		return []
	return frappe.get_all(
		"Student Group",
		filters={"name": ("in", groups), "course": ("is", "set"), "academic_year": ("in", years)},
		fields=["name", "course"],
		order_by="name asc",
	)


def get_current_courses_of_student(student: str) -> list[str]:
	"""Courses the student takes this academic year: Course Enrollments under a submitted Program Enrollment
	of a current academic year, and the courses of their current course-based Student Groups."""
	courses = {group.course for group in get_current_course_groups_of_student(student) if group.course}
	years = get_current_academic_years()
	if student and years:
		enrollments = frappe.get_all(
			"Program Enrollment",
			filters={"student": student, "docstatus": 1, "academic_year": ("in", years)},
			pluck="name",
		)
		if enrollments:
			courses.update(
				frappe.get_all(
					"Course Enrollment",
					filters={"student": student, "program_enrollment": ("in", enrollments)},
					pluck="course",
				)
			)
	return sorted(c for c in courses if c)


def get_student_groups_of_student(student: str) -> list[str]:
	"""Every enabled Student Group the student is an active member of (for assessment windows)."""
	if not student:
		return []
	groups = frappe.get_all(
		"Student Group Student",
		filters={"student": student, "parenttype": "Student Group", "active": 1},
		pluck="parent",
		distinct=True,
	)
	if not groups:
		return []
	return frappe.get_all("Student Group", filters={"name": ("in", groups), "disabled": 0}, pluck="name")


def get_assessment_windows(student_groups: list[str], from_date, to_date) -> list[frappe._dict]:
	"""Submitted Assessment Plans of these groups scheduled between two dates (inclusive): when each group
	sits which course's assessment."""
	if not student_groups:
		return []
	return frappe.get_all(
		"Assessment Plan",
		filters={
			"student_group": ("in", student_groups),
			"docstatus": 1,
			"schedule_date": ("between", [from_date, to_date]),
		},
		fields=["name", "course", "student_group", "schedule_date", "from_time", "to_time"],
		order_by="schedule_date asc",
	)


def get_course_title(course: str) -> str:
	return (frappe.db.get_value("Course", course, "course_name") if course else None) or course or ""


def get_course_topics(course: str) -> list[str]:
	"""Topic names of a course, in the course's order."""
	if not course:
		return []
	rows = frappe.get_all(
		"Course Topic",
		filters={"parent": course, "parenttype": "Course"},
		fields=["topic", "topic_name"],
		order_by="idx asc",
	)
	return [row.topic_name or row.topic for row in rows]


def get_course_articles(course: str, limit: int = 200) -> list[frappe._dict]:
	"""Articles of the course's topics (Topic Content of type Article): name, title and content."""
	if not course:
		return []
	topics = frappe.get_all(
		"Course Topic", filters={"parent": course, "parenttype": "Course"}, pluck="topic", order_by="idx asc"
	)
	if not topics:
		return []
	articles = frappe.get_all(
		"Topic Content",
		filters={"parent": ("in", topics), "parenttype": "Topic", "content_type": "Article"},
		pluck="content",
		distinct=True,
	)
	if not articles:
		return []
	return frappe.get_all(
		"Article",
		filters={"name": ("in", articles)},
		fields=["name", "title", "content"],
		limit=limit,
		order_by="name asc",
	)


def get_people_names() -> list[str]:
	"""Full names of the site's students, guardians and staff (instructors, employees): what the tutor must
	not send to a provider."""
	names: list[str] = []
	names += frappe.get_all("Student", pluck="student_name")
	names += frappe.get_all("Guardian", pluck="guardian_name")
	names += frappe.get_all("Instructor", pluck="instructor_name")
	names += frappe.get_all("Employee", pluck="employee_name")
	return [name for name in names if name]


def get_student_identifiers(student: str) -> list[str]:
	"""A student's record ID, email and mobile number, which must not leave the server either."""
	if not student:
		return []
	row = frappe.db.get_value(
		"Student", student, ["name", "student_email_id", "student_mobile_number"], as_dict=True
	)
	return [value for value in (row or {}).values() if value]


# --- staff reports (ai_school/insights/analytics.py) ---------------------------------------------------


def get_academic_year_dates(academic_year: str) -> frappe._dict | None:
	return frappe.db.get_value(
		"Academic Year", academic_year, ["year_start_date", "year_end_date"], as_dict=True
	)


def get_terms_of_year(academic_year: str) -> list[frappe._dict]:
	"""The Academic Terms of a year with their dates, earliest first."""
	return frappe.get_all(
		"Academic Term",
		filters={"academic_year": academic_year},
		fields=["name", "term_start_date", "term_end_date"],
		order_by="term_start_date asc",
	)


def get_student_groups_of_year(academic_year: str) -> list[frappe._dict]:
	"""Enabled Student Groups of an academic year: what each is based on, its program, course and term."""
	return frappe.get_all(
		"Student Group",
		filters={"academic_year": academic_year, "disabled": 0},
		fields=["name", "group_based_on", "program", "course", "academic_term"],
		order_by="name asc",
	)


def get_program_students(program: str, academic_year: str) -> list[str]:
	"""Students with a submitted Program Enrollment in `program` for `academic_year`."""
	if not program or not academic_year:
		return []
	return frappe.get_all(
		"Program Enrollment",
		filters={"program": program, "academic_year": academic_year, "docstatus": 1},
		pluck="student",
		distinct=True,
	)


def get_course_names(courses: list[str]) -> dict[str, str]:
	"""Course -> its course name."""
	if not courses:
		return {}
	rows = frappe.get_all("Course", filters={"name": ("in", courses)}, fields=["name", "course_name"])
	return {row.name: row.course_name or row.name for row in rows}


# --- guardians (ai_school/guardians) ---------------------------------------------------------------------


def get_guardians_of_user(user: str) -> list[str]:
	"""Guardian records whose portal account is `user`."""
	if not user or user == "Guest":
		return []
	return frappe.get_all("Guardian", filters={"user": user}, pluck="name", order_by="name asc")


def get_guardians_of_students(students: list[str]) -> dict[str, list[str]]:
	"""Student -> the Guardians its guardians table lists, in table order."""
	out: dict[str, list[str]] = {student: [] for student in students}
	if not students:
		return out
	rows = frappe.get_all(
		"Student Guardian",
		filters={"parent": ("in", students), "parenttype": "Student"},
		fields=["parent", "guardian"],
		order_by="idx asc",
	)
	for row in rows:
		if row.guardian and row.guardian not in out[row.parent]:
			out[row.parent].append(row.guardian)
	return out


def get_wards_of_guardians(guardians: list[str]) -> dict[str, list[str]]:
	"""Guardian -> the students whose guardians table lists it."""
	out: dict[str, list[str]] = {guardian: [] for guardian in guardians}
	if not guardians:
		return out
	rows = frappe.get_all(
		"Student Guardian",
		filters={"guardian": ("in", guardians), "parenttype": "Student"},
		fields=["parent", "guardian"],
		order_by="parent asc",
	)
	for row in rows:
		if row.parent not in out[row.guardian]:
			out[row.guardian].append(row.parent)
	return out


def get_guardians_with_wards() -> list[str]:
	"""Every Guardian some Student lists (the families the weekly digest goes to)."""
	return frappe.get_all(
		"Student Guardian",
		filters={"parenttype": "Student"},
		pluck="guardian",
		distinct=True,
		order_by="guardian asc",
	)


def get_guardian_contacts(guardians: list[str]) -> dict[str, frappe._dict]:
	"""Guardian -> its name, display name, portal account and email address."""
	if not guardians:
		return {}
	rows = frappe.get_all(
		"Guardian",
		filters={"name": ("in", guardians)},
		fields=["name", "guardian_name", "user", "email_address"],
	)
	return {row.name: row for row in rows}


def get_student_briefs(students: list[str]) -> dict[str, frappe._dict]:
	"""Student -> name, full and first name, whether enabled, portal account."""
	if not students:
		return {}
	rows = frappe.get_all(
		"Student",
		filters={"name": ("in", students)},
		fields=["name", "student_name", "first_name", "enabled", "user"],
	)
	return {row.name: row for row in rows}


def get_student_attendance_record(name: str) -> frappe._dict | None:
	"""One Student Attendance: who, when, status, docstatus and where (group, course schedule)."""
	return frappe.db.get_value(
		"Student Attendance",
		name,
		["name", "student", "date", "status", "docstatus", "student_group", "course_schedule"],
		as_dict=True,
	)


def get_absences_on(student: str, on_date) -> list[frappe._dict]:
	"""The student's submitted Absent records on a day (a school marking lessons has several)."""
	return frappe.get_all(
		"Student Attendance",
		filters={"student": student, "date": on_date, "status": "Absent", "docstatus": 1},
		fields=["name", "student_group", "course_schedule"],
		order_by="name asc",
	)


def get_assessment_result_brief(name: str) -> frappe._dict | None:
	"""What a guardian is told about an Assessment Result: student, course, grade and scores."""
	return frappe.db.get_value(
		"Assessment Result",
		name,
		["name", "student", "course", "grade", "total_score", "maximum_score", "docstatus", "modified"],
		as_dict=True,
	)


def get_submitted_results_of_students(students: list[str], to_datetime) -> list[frappe._dict]:
	"""Submitted Assessment Results of `students` last changed (submitted) up to `to_datetime`, oldest first:
	course, grade and scores of each."""
	if not students:
		return []
	return frappe.get_all(
		"Assessment Result",
		filters={"student": ("in", students), "docstatus": 1, "modified": ("<=", to_datetime)},
		fields=[
			"name",
			"student",
			"course",
			"assessment_plan",
			"grade",
			"total_score",
			"maximum_score",
			"modified",
		],
		order_by="modified asc",
	)


def get_course_titles(courses: list[str]) -> dict[str, str]:
	"""Course -> its name as the school writes it."""
	courses = [course for course in set(courses) if course]
	if not courses:
		return {}
	rows = frappe.get_all("Course", filters={"name": ("in", courses)}, fields=["name", "course_name"])
	return {row.name: row.course_name or row.name for row in rows}


def get_schedule_courses(course_schedules: list[str]) -> dict[str, str]:
	"""Course Schedule -> the course of that lesson."""
	course_schedules = [name for name in set(course_schedules) if name]
	if not course_schedules:
		return {}
	rows = frappe.get_all(
		"Course Schedule", filters={"name": ("in", course_schedules)}, fields=["name", "course"]
	)
	return {row.name: row.course for row in rows if row.course}
