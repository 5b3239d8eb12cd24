"""Write the demo school (`school.build_plan`) into the site, idempotently and resumably.

Every document is looked up by a natural key before it is inserted, so a second run writes nothing and a
run that died half-way continues where it stopped (work is committed in small batches). Documents go
through the ORM with Education's own validation; only the two high-volume registers, Student Attendance
and Assessment Result, are bulk-inserted with the same field values, docstatus and naming series that
Education's controllers would write.
"""

import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import date

import frappe
from frappe.contacts.doctype.contact.contact import get_contact_name
from frappe.model.naming import parse_naming_series
from frappe.utils import cint, getdate, now, now_datetime

from education.education.utils import get_overlap_for

from ai_school.demo import school
from ai_school.demo.jobs import jobs_inline
from ai_school.demo.ledger import Ledger, demo_owned
from ai_school.utils import bulk_user_creation

Progress = Callable[[str, int, int], None]

COMMIT_EVERY = 50
ROOT_ASSESSMENT_GROUP = "All Assessment Groups"
DEPARTMENT_ROOT = "All Departments"
ATTENDANCE_SERIES = "EDU-ATT-.YYYY.-.#####"
RESULT_SERIES = "EDU-RES-.YYYY.-.#####"


class RealStudentsError(frappe.ValidationError):
	"""The site has students of its own; the demo would mix its school in with them."""


Summary = dict[str, dict[str, int]]


def create(
	scale: str = "full",
	students: int | None = None,
	seed: int | None = None,
	progress: Progress | None = None,
	today: str | date | None = None,
	force: bool = False,
) -> Summary:
	"""Create (or complete) the demo school; per doctype, how many records this run created and how many
	it found already there ({"Student": {"created": 0, "existing": 420}, ...}).

	Refuses (RealStudentsError) on a site with students that no demo school created, unless `force`.
	"""
	if not force:
		check_no_real_students()
	config = school.get_config(scale, students, seed)
	builder = DemoBuilder(config, progress=progress, today=today)
	with jobs_inline():
		builder.run()
	summary = builder.summary()
	# rows made in bulk alongside others (courses of an enrollment, criteria of a result): whatever the
	# demo's students have beyond this run's rows was there before
	totals = demo_counts(config)
	for doctype in ("Course Enrollment", "Assessment Result Detail"):
		if totals.get(doctype):
			counts = summary.setdefault(doctype, {"created": 0, "existing": 0})
			counts["existing"] = totals[doctype] - counts["created"]
	return dict(sorted(summary.items()))


def real_students() -> list[str]:
	"""Students the site has that no demo school's ledger lists."""
	demo = demo_owned("Student")
	return [name for name in frappe.get_all("Student", pluck="name", order_by="name") if name not in demo]


def check_no_real_students() -> None:
	real = real_students()
	if real:
		frappe.throw(
			frappe._(
				"This site already has {0} students that are not demo data (for example {1}). The demo "
				"school would be mixed in with them; run it with --force (or create(force=True)) to load it "
				"anyway."
			).format(len(real), real[0]),
			RealStudentsError,
			title=frappe._("Real students found"),
		)


def demo_counts(config: school.DemoConfig) -> dict[str, int]:
	"""Documents the demo school owns, per doctype, plus the rows hanging off its students."""
	ledger = Ledger(config.abbr)
	counts = {doctype: len(ledger.names(doctype)) for doctype in sorted(ledger.doctypes())}
	students = sorted(ledger.names("Student"))
	if students:
		for doctype in ("Course Enrollment", "Student Attendance", "Assessment Result"):
			counts[doctype] = frappe.db.count(doctype, {"student": ("in", students)})
		counts["Assessment Result Detail"] = frappe.db.count(
			"Assessment Result Detail",
			{
				"parent": (
					"in",
					frappe.get_all("Assessment Result", {"student": ("in", students)}, pluck="name"),
				)
			},
		)
	return counts


class DemoBuilder:
	def __init__(self, config: school.DemoConfig, progress: Progress | None = None, today=None):
		self.config = config
		self.plan = school.build_plan(config)
		self.today = getdate(today) if today else getdate()
		self.progress = progress or (lambda stage, done, total: None)
		self.ledger = Ledger(config.abbr)
		self.ledger.prune()
		self.uncommitted = 0
		# per doctype: records this run inserted, and records it looked for and found already there
		self.created: Counter[str] = Counter()
		self.existing: Counter[str] = Counter()
		self.instructor_of: dict[int, str] = {}  # plan instructor key -> Instructor name
		self.student_of: dict[int, str] = {}  # plan student key -> Student name
		self.student_name_of: dict[str, str] = {}  # Student name -> student_name

	def run(self) -> None:
		try:
			self.run_stages()
		except Exception:
			# keep documents and their ledger rows together: drop the unflushed batch as a whole
			try:
				frappe.db.rollback()
			except Exception as error:
				# a lost connection has already dropped the batch on the server
				if not (frappe.db.is_interface_error(error) or isinstance(error, frappe.db.OperationalError)):
					raise
			raise

	def run_stages(self) -> None:
		for stage in (
			self.setup_basics,
			self.setup_company,
			self.setup_calendar,
			self.setup_curriculum,
			self.setup_rooms,
			self.setup_staff,
			self.setup_families,
			self.setup_enrollments,
			self.setup_groups,
			self.setup_assessment_plans,
			self.setup_assessment_results,
			self.setup_attendance,
			self.setup_student_logs,
		):
			stage()
			self.commit()

	def summary(self) -> Summary:
		return {
			doctype: {"created": self.created[doctype], "existing": self.existing[doctype]}
			for doctype in sorted(set(self.created) | set(self.existing))
		}

	# -----------------------------------------------------------------------------------------------------
	# helpers

	def commit(self) -> None:
		self.ledger.flush()
		frappe.db.commit()
		self.uncommitted = 0
		# Education's controllers msgprint an alert per Customer they create; nobody reads them here
		frappe.local.message_log = []

	def tick(self, count: int = 1) -> None:
		self.uncommitted += count
		if self.uncommitted >= COMMIT_EVERY:
			self.commit()

	def ensure(self, doctype: str, key: str | dict, values: dict, submit: bool = False) -> str:
		"""Name of the document matching `key` (a name or filters), inserting `values` if there is none."""
		name = frappe.db.exists(doctype, key)
		if name:
			self.ledger.adopt(doctype, name)
			self.existing[doctype] += 1
			return name
		doc = frappe.get_doc({"doctype": doctype, **values})
		doc.insert(ignore_permissions=True)
		if submit:
			doc.submit()
		self.ledger.add(doctype, doc.name)
		self.created[doctype] += 1
		self.tick()
		return doc.name

	def ensure_user(self, email: str, first_name: str, last_name: str, gender: str, role: str) -> str:
		if frappe.db.exists("User", email):
			self.ledger.adopt("User", email)
			self.existing["User"] += 1
			if self.ledger.owns("Contact", get_contact_name(email)):
				self.existing["Contact"] += 1
			return email
		had_contact = get_contact_name(email)
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"last_name": last_name,
				"gender": gender,
				"send_welcome_email": 0,
				"roles": [{"role": role}],
			}
		)
		with bulk_user_creation():
			user.insert(ignore_permissions=True)
		self.ledger.add("User", user.name)
		self.created["User"] += 1
		# User.on_update made the user's Contact (inline, see jobs.py); it is the demo's too
		contact = get_contact_name(email)
		if contact and not had_contact:
			self.ledger.add("Contact", contact)
			self.created["Contact"] += 1
		self.tick()
		return user.name

	def started_terms(self, year: str) -> list[school.Term]:
		return [t for t in school.TERMS if t.academic_year == year and t.start <= self.today]

	def sections(self) -> list[school.Section]:
		return [s for s in self.plan.sections if self.year(s.year).start <= self.today]

	@staticmethod
	def year(name: str) -> school.AcademicYear:
		return next(y for y in school.ACADEMIC_YEARS if y.name == name)

	# -----------------------------------------------------------------------------------------------------
	# stages

	def setup_basics(self) -> None:
		self.progress("roles and genders", 0, 1)
		for gender in ("Female", "Male"):
			self.ensure("Gender", gender, {"gender": gender})
		for role in ("Student", "Instructor", "Guardian"):
			self.ensure("Role", role, {"role_name": role, "desk_access": role == "Instructor"})
		self.progress("roles and genders", 1, 1)

	def setup_company(self) -> None:
		config = self.config
		self.progress("company", 0, 1)
		holiday_list = self.ensure("Holiday List", f"{config.company} Holidays", self.holiday_list())
		if frappe.db.exists("Company", config.company):
			self.ledger.adopt("Company", config.company)
			self.existing["Company"] += 1
		else:
			company = frappe.get_doc(
				{
					"doctype": "Company",
					"company_name": config.company,
					"abbr": config.abbr,
					"country": frappe.db.get_single_value("System Settings", "country") or config.country,
					"default_currency": frappe.db.get_default("currency") or config.currency,
					"default_holiday_list": holiday_list,
					"domain": "Education",
				}
			)
			had_department_root = frappe.db.exists("Department", DEPARTMENT_ROOT)
			# No chart of accounts: the demo books no fees, and the country tax fixtures that come with one
			# are not removed again when the company is deleted.
			with _flag("ignore_chart_of_accounts"):
				company.insert(ignore_permissions=True)
			self.ledger.add("Company", company.name)
			self.created["Company"] += 1
			# ERPNext adds the company's departments under this root, creating it on a fresh site
			if not had_department_root and frappe.db.exists("Department", DEPARTMENT_ROOT):
				self.ledger.add("Department", DEPARTMENT_ROOT)
				self.created["Department"] += 1
		self.progress("company", 1, 1)

	def holiday_list(self) -> dict:
		start, end = school.HOLIDAY_LIST_RANGE
		return {
			"holiday_list_name": f"{self.config.company} Holidays",
			"from_date": start,
			"to_date": end,
			"holidays": [
				{"holiday_date": day, "description": description, "weekly_off": weekly_off}
				for day, (description, weekly_off) in sorted(school.holidays().items())
			],
		}

	def setup_calendar(self) -> None:
		self.progress("academic calendar", 0, 1)
		for year in school.ACADEMIC_YEARS:
			self.ensure(
				"Academic Year",
				year.name,
				{
					"academic_year_name": year.name,
					"year_start_date": year.start,
					"year_end_date": year.end,
				},
			)
		for term in school.TERMS:
			self.ensure(
				"Academic Term",
				term.name,
				{
					"academic_year": term.academic_year,
					"term_name": term.term_name,
					"term_start_date": term.start,
					"term_end_date": term.end,
				},
			)
		self.set_current_year_and_term()
		self.progress("academic calendar", 1, 1)

	def set_current_year_and_term(self) -> None:
		"""Point Education Settings at this year and term, unless the site already chose its own.

		Instructor naming is set to Education's default (Full Name) if the settings were never saved, since
		Instructor.autoname refuses to run without it.
		"""
		settings = frappe.get_single("Education Settings")
		current = school.year_of(self.today) or school.ACADEMIC_YEARS[-1]
		term = school.term_of(self.today) or (self.started_terms(current.name) or [None])[-1]
		wanted = {
			"current_academic_year": current.name,
			"current_academic_term": term and term.name,
			"instructor_created_by": "Full Name",
		}
		stored = frappe.db.get_singles_dict("Education Settings")
		changed = [field for field, value in wanted.items() if value and not stored.get(field)]
		if changed:
			settings.update({field: wanted[field] for field in changed})
			settings.save(ignore_permissions=True)
			for field in changed:
				self.ledger.add("Education Settings", field)
			self.created["Education Settings"] += 1

	def setup_curriculum(self) -> None:
		self.progress("curriculum", 0, 1)
		for criterion in school.CRITERIA:
			self.ensure("Assessment Criteria", criterion, {"assessment_criteria": criterion})
		self.ensure(
			"Grading Scale",
			school.GRADING_SCALE,
			{
				"grading_scale_name": school.GRADING_SCALE,
				"description": f"A-F; D ({school.PASS_MARK:.0f} %) is the pass mark",
				"intervals": [
					{"grade_code": code, "threshold": threshold, "grade_description": description}
					for code, threshold, description in school.GRADES
				],
			},
			submit=True,
		)
		for subject in school.SUBJECTS:
			self.ensure(
				"Course",
				subject,
				{
					"course_name": subject,
					"default_grading_scale": school.GRADING_SCALE,
					"assessment_criteria": [
						{"assessment_criteria": criterion, "weightage": weight}
						for criterion, weight in school.COURSE_CRITERIA[subject]
					],
				},
			)
		for grade in self.config.grades:
			self.ensure(
				"Program",
				school.program_name(grade),
				{
					"program_name": school.program_name(grade),
					"program_abbreviation": f"G{grade}",
					"courses": [
						{"course": subject, "course_name": subject, "required": 1}
						for subject in school.subjects_for(grade)
					],
				},
			)
		for term in school.TERMS:
			if term.start > self.today:
				continue
			self.ensure(
				"Assessment Group",
				term.name,
				{
					"assessment_group_name": term.name,
					"is_group": 1,
					"parent_assessment_group": ROOT_ASSESSMENT_GROUP,
				},
			)
			for exam, _ in school.EXAMS:
				name = school.assessment_group_name(term, exam)
				self.ensure(
					"Assessment Group",
					name,
					{
						"assessment_group_name": name,
						"parent_assessment_group": term.name,
					},
				)
		for batch in sorted({section.batch for section in self.sections()}):
			self.ensure("Student Batch Name", batch, {"batch_name": batch})
		self.progress("curriculum", 1, 1)

	def setup_rooms(self) -> None:
		kind_field = frappe.get_meta("Room").get_field("room_kind")
		for done, (number, room_name, kind, seats) in enumerate(self.plan.rooms, 1):
			values = {"room_name": room_name, "room_number": number, "seating_capacity": str(seats)}
			if kind_field:
				values["room_kind"] = _option(kind_field, kind)
			self.ensure("Room", {"room_number": number}, values)
			self.progress("rooms", done, len(self.plan.rooms))

	def setup_staff(self) -> None:
		company = self.config.company
		total = len(self.plan.instructors)
		for done, person in enumerate(self.plan.instructors, 1):
			user = self.ensure_user(
				person.email, person.first_name, person.last_name, person.gender, "Instructor"
			)
			employee = self.ensure(
				"Employee",
				{"user_id": user, "company": company},
				{
					"first_name": person.first_name,
					"last_name": person.last_name,
					"gender": person.gender,
					"date_of_birth": person.date_of_birth,
					"date_of_joining": person.date_of_joining,
					"company": company,
					"status": "Active",
					"user_id": user,
					# Instructors must see the whole school, not only their own Employee/Company records
					"create_user_permission": 0,
					"holiday_list": f"{company} Holidays",
				},
			)
			instructor = self.ensure(
				"Instructor",
				{"instructor_name": person.full_name},
				{
					"instructor_name": person.full_name,
					"employee": employee,
					"gender": person.gender,
					"status": "Active",
				},
			)
			if self.ledger.owns("Instructor", instructor) and not frappe.db.exists(
				"Employee", frappe.db.get_value("Instructor", instructor, "employee")
			):
				# ERPNext's Company.on_trash deletes the company's Employees with plain SQL, so an
				# Instructor a teardown had to keep can point at an Employee that is gone
				frappe.db.set_value("Instructor", instructor, "employee", employee)
			self.instructor_of[person.key] = instructor
			self.progress("instructors", done, total)

	def setup_families(self) -> None:
		guardian_of: dict[int, str] = {}
		total = len(self.plan.guardians) + len(self.plan.students)
		done = 0
		for person in self.plan.guardians:
			user = None
			if person.portal_user:
				user = self.ensure_user(
					person.email, person.first_name, person.last_name, person.gender, "Guardian"
				)
			guardian_of[person.key] = self.ensure(
				"Guardian",
				{"email_address": person.email},
				{
					"guardian_name": person.full_name,
					"email_address": person.email,
					"mobile_number": person.mobile,
					"occupation": person.occupation,
					"user": user,
				},
			)
			done += 1
			self.progress("guardians and students", done, total)
		country = frappe.db.get_value("Company", self.config.company, "country")
		for person in self.plan.students:
			user = self.ensure_user(
				person.email, person.first_name, person.last_name, person.gender, "Student"
			)
			name = frappe.db.exists("Student", {"student_email_id": person.email})
			if name:
				self.ledger.adopt("Student", name)
				self.existing["Student"] += 1
				if self.ledger.owns("Customer", frappe.db.get_value("Student", name, "customer")):
					self.existing["Customer"] += 1
			else:
				name = self.insert_student(person, user, guardian_of, country)
			self.student_of[person.key] = name
			self.student_name_of[name] = person.full_name
			done += 1
			self.progress("guardians and students", done, total)

	def insert_student(self, person: school.Student, user: str, guardian_of: dict[int, str], country) -> str:
		student = frappe.get_doc(
			{
				"doctype": "Student",
				"first_name": person.first_name,
				"last_name": person.last_name,
				"gender": person.gender,
				"date_of_birth": person.date_of_birth,
				"student_email_id": person.email,
				"user": user,
				"joining_date": self.year(person.first_year).start,
				"country": country,
				"guardians": [
					{"guardian": guardian_of[g.key], "guardian_name": g.full_name, "relation": g.relation}
					for g in person.guardians
				],
			}
		)
		student.insert(ignore_permissions=True)
		self.ledger.add("Student", student.name)
		self.created["Student"] += 1
		# Student.on_update made a Customer for fee billing; it belongs to the demo as well
		customer = frappe.db.get_value("Student", student.name, "customer")
		if customer:
			self.ledger.add("Customer", customer)
			self.created["Customer"] += 1
		self.tick()
		return student.name

	def setup_enrollments(self) -> None:
		students = list(self.student_of.values())
		existing = {
			(row.student, row.program, row.academic_year)
			for row in frappe.get_all(
				"Program Enrollment",
				filters={"student": ("in", students), "docstatus": 1},
				fields=["student", "program", "academic_year"],
			)
		}
		sections = self.sections()
		total = sum(len(s.students) for s in sections)
		done = 0
		for section in sections:
			program = school.program_name(section.grade)
			for person in section.students:
				done += 1
				student = self.student_of[person.key]
				if (student, program, section.year) in existing:
					self.existing["Program Enrollment"] += 1
					continue
				enrollment = frappe.get_doc(
					{
						"doctype": "Program Enrollment",
						"student": student,
						"program": program,
						"academic_year": section.year,
						"student_batch_name": section.batch,
						"enrollment_date": self.year(section.year).start,
					}
				)
				enrollment.insert(ignore_permissions=True)
				self.insert_course_enrollments(enrollment)
				enrollment.submit()
				self.ledger.add("Program Enrollment", enrollment.name)
				self.created["Program Enrollment"] += 1
				self.tick()
				self.progress("program enrollments", done, total)
		self.progress("program enrollments", total, total)

	def insert_course_enrollments(self, enrollment) -> None:
		"""The Course Enrollments ProgramEnrollment.on_submit would create one by one, in one insert.

		on_submit skips courses that already have one, so submitting afterwards leaves these in place.
		"""
		stamp = _stamp()
		names = _course_enrollment_names(len(enrollment.courses))
		self.created["Course Enrollment"] += len(names)
		frappe.db.bulk_insert(
			"Course Enrollment",
			[
				*STAMP_FIELDS,
				"program_enrollment",
				"student",
				"student_name",
				"program",
				"course",
				"enrollment_date",
			],
			[
				(
					name,
					*stamp,
					enrollment.name,
					enrollment.student,
					enrollment.student_name,
					enrollment.program,
					row.course,
					enrollment.enrollment_date,
				)
				for name, row in zip(names, enrollment.courses, strict=True)
			],
		)

	def group_rows(self, section: school.Section, instructor: school.Instructor) -> dict:
		return {
			"academic_year": section.year,
			"program": school.program_name(section.grade),
			"batch": section.batch,
			"students": [
				{
					"student": self.student_of[p.key],
					"student_name": p.full_name,
					"group_roll_number": roll,
					"active": 1,
				}
				for roll, p in enumerate(
					sorted(section.students, key=lambda p: (p.last_name, p.first_name)), 1
				)
			],
			"instructors": [
				{"instructor": self.instructor_of[instructor.key], "instructor_name": instructor.full_name}
			],
		}

	def course_groups(self):
		"""(section, term, subject, group name) of every course group of a term that has started."""
		for section in self.sections():
			for term in self.started_terms(section.year):
				for subject in school.subjects_for(section.grade):
					yield section, term, subject, self.plan.course_group_name(section, subject, term)

	def setup_groups(self) -> None:
		sections = self.sections()
		course_groups = list(self.course_groups())
		total = len(sections) + len(course_groups)
		for done, section in enumerate(sections, 1):
			name = self.plan.batch_group_name(section)
			self.ensure(
				"Student Group",
				name,
				{
					"student_group_name": name,
					"group_based_on": "Batch",
					**self.group_rows(section, section.class_teacher),
				},
			)
			self.progress("student groups", done, total)
		for done, (section, term, subject, name) in enumerate(course_groups, len(sections) + 1):
			self.ensure(
				"Student Group",
				name,
				{
					"student_group_name": name,
					"group_based_on": "Course",
					"course": subject,
					"academic_term": term.name,
					**self.group_rows(section, section.teachers[subject]),
				},
			)
			self.progress("student groups", done, total)

	def assessment_plans(self):
		"""(section, term, subject, group, exam, assessment group, (date, from, to)) of each exam so far."""
		for section, term, subject, group in self.course_groups():
			index = school.subjects_for(section.grade).index(subject)
			for exam, fraction in school.EXAMS:
				slot = school.exam_slot(term, fraction, index)
				yield section, term, subject, group, exam, school.assessment_group_name(term, exam), slot

	def setup_assessment_plans(self) -> None:
		plans = list(self.assessment_plans())
		for done, (section, term, subject, group, exam, assessment_group, slot) in enumerate(plans, 1):
			teacher = section.teachers[subject]
			key = {
				"student_group": group,
				"assessment_group": assessment_group,
				"course": subject,
				"docstatus": 1,
			}
			if not frappe.db.exists("Assessment Plan", key):
				slot = self.free_exam_slot(group, term, slot)
			day, from_time, to_time = slot
			self.ensure(
				"Assessment Plan",
				key,
				{
					"assessment_name": f"{subject} {exam} {section.grade}{section.letter}",
					"student_group": group,
					"assessment_group": assessment_group,
					"course": subject,
					"schedule_date": day,
					"from_time": from_time,
					"to_time": to_time,
					"examiner": self.instructor_of[teacher.key],
					"maximum_assessment_score": 100,
					"assessment_criteria": [
						{"assessment_criteria": criterion, "maximum_score": weight}
						for criterion, weight in school.COURSE_CRITERIA[subject]
					],
				},
				submit=True,
			)
			self.progress("assessment plans", done, len(plans))

	@staticmethod
	def free_exam_slot(group: str, term: school.Term, slot: tuple[date, str, str]) -> tuple[date, str, str]:
		"""The planned slot, or the first later one in which the group has no lesson.

		Education rejects an Assessment Plan that overlaps the group's Course Schedule, and a published
		timetable can fill the planned exam slots.
		"""
		day, from_time, to_time = slot
		for candidate in school.school_days(day, term.end)[:5]:
			for start, end in ((from_time, to_time), *school.LATE_EXAM_SLOTS):
				probe = frappe._dict(
					name=None, student_group=group, schedule_date=candidate, from_time=start, to_time=end
				)
				if not get_overlap_for(probe, "Course Schedule", "student_group"):
					return candidate, start, end
		return slot

	def setup_assessment_results(self) -> None:
		plans = frappe.get_all(
			"Assessment Plan",
			filters={
				"student_group": ("in", [g for _, _, _, g in self.course_groups()]),
				"docstatus": 1,
				"schedule_date": ("<=", self.today),
			},
			fields=[
				"name",
				"student_group",
				"course",
				"program",
				"academic_year",
				"academic_term",
				"assessment_group",
				"grading_scale",
				"maximum_assessment_score",
				"schedule_date",
			],
			order_by="schedule_date, name",
		)
		members = self.group_members()
		graders: dict[str, Callable[[float], str]] = {}
		for done, plan in enumerate(plans, 1):
			if plan.grading_scale not in graders:
				graders[plan.grading_scale] = _grader(plan.grading_scale)
			self.insert_results(plan, members[plan.student_group], graders[plan.grading_scale])
			self.tick(COMMIT_EVERY // 5)
			self.progress("assessment results", done, len(plans))

	def group_members(self) -> dict[str, list[school.Student]]:
		by_name = {self.student_of[s.key]: s for s in self.plan.students}
		members: dict[str, list[school.Student]] = {}
		for row in frappe.get_all(
			"Student Group Student",
			filters={"parenttype": "Student Group", "student": ("in", list(by_name))},
			fields=["parent", "student"],
			order_by="parent, group_roll_number",
		):
			members.setdefault(row.parent, []).append(by_name[row.student])
		return members

	def insert_results(self, plan, students: list[school.Student], grade: Callable[[float], str]) -> None:
		done = set(
			frappe.get_all(
				"Assessment Result",
				filters={"assessment_plan": plan.name, "docstatus": ("!=", 2)},
				pluck="student",
			)
		)
		todo = [s for s in students if self.student_of[s.key] not in done]
		self.existing["Assessment Result"] += len(students) - len(todo)
		if not todo:
			return
		maxima = [
			(row.assessment_criteria, row.maximum_score)
			for row in frappe.get_all(
				"Assessment Plan Criteria",
				filters={"parent": plan.name},
				fields=["assessment_criteria", "maximum_score"],
				order_by="idx",
			)
		]
		stamp = _stamp()
		# seeded by the natural key, not the plan's name, which depends on the naming series counter
		sitting_key = f"{plan.student_group}|{plan.assessment_group}"
		parents, details = [], []
		for name, person in zip(_reserve_names(RESULT_SERIES, len(todo)), todo, strict=True):
			scores = school.criterion_scores(
				self.config, person, plan.course, getdate(plan.schedule_date), sitting_key, maxima
			)
			total = sum(score for _, score in scores)
			result_grade = grade(100.0 * total / plan.maximum_assessment_score)
			student = self.student_of[person.key]
			parents.append(
				(
					name,
					*stamp,
					1,
					plan.name,
					plan.program,
					plan.course,
					plan.academic_year,
					plan.academic_term,
					student,
					self.student_name_of[student],
					plan.student_group,
					plan.assessment_group,
					plan.grading_scale,
					plan.maximum_assessment_score,
					total,
					result_grade,
					_comment(result_grade),
				)
			)
			for idx, ((criterion, score), (_, maximum)) in enumerate(zip(scores, maxima, strict=True), 1):
				details.append(
					(
						frappe.generate_hash(length=10),
						*stamp,
						1,
						name,
						"Assessment Result",
						"details",
						idx,
						criterion,
						maximum,
						score,
						grade(100.0 * score / maximum),
					)
				)
		frappe.db.bulk_insert(
			"Assessment Result",
			[
				*STAMP_FIELDS,
				"docstatus",
				"assessment_plan",
				"program",
				"course",
				"academic_year",
				"academic_term",
				"student",
				"student_name",
				"student_group",
				"assessment_group",
				"grading_scale",
				"maximum_score",
				"total_score",
				"grade",
				"comment",
			],
			parents,
		)
		frappe.db.bulk_insert(
			"Assessment Result Detail",
			[
				*STAMP_FIELDS,
				"docstatus",
				"parent",
				"parenttype",
				"parentfield",
				"idx",
				"assessment_criteria",
				"maximum_score",
				"score",
				"grade",
			],
			details,
		)
		self.created["Assessment Result"] += len(parents)
		self.created["Assessment Result Detail"] += len(details)

	def setup_attendance(self) -> None:
		sections = self.sections()
		for done, section in enumerate(sections, 1):
			year = self.year(section.year)
			days = school.school_days(year.start, min(year.end, self.today))
			self.insert_attendance(self.plan.batch_group_name(section), section, days)
			self.commit()
			self.progress("attendance", done, len(sections))

	def insert_attendance(self, group: str, section: school.Section, days: list[date]) -> None:
		marked = {
			(row.student, getdate(row.date))
			for row in frappe.get_all(
				"Student Attendance",
				filters={"student_group": group, "docstatus": ("!=", 2)},
				fields=["student", "date"],
			)
		}
		program = school.program_name(section.grade)
		rows = []
		for day in days:
			for person in section.students:
				student = self.student_of[person.key]
				if (student, day) not in marked:
					rows.append((person, student, day))
		self.existing["Student Attendance"] += len(days) * len(section.students) - len(rows)
		if not rows:
			return
		stamp = _stamp()
		frappe.db.bulk_insert(
			"Student Attendance",
			[
				*STAMP_FIELDS,
				"docstatus",
				"naming_series",
				"student",
				"student_name",
				"student_group",
				"link_nvfk",
				"date",
				"status",
			],
			(
				(
					name,
					*stamp,
					1,
					"EDU-ATT-.YYYY.-",
					student,
					self.student_name_of[student],
					group,
					program,
					day,
					school.attendance_status(self.config, person, day),
				)
				for name, (person, student, day) in zip(
					_reserve_names(ATTENDANCE_SERIES, len(rows)), rows, strict=True
				)
			),
		)
		self.created["Student Attendance"] += len(rows)

	def setup_student_logs(self) -> None:
		entries = [
			(person, entry)
			for person in self.plan.students
			for entry in school.student_logs(self.config, person, self.today)
		]
		for done, (person, (day, log_type, text)) in enumerate(entries, 1):
			student = self.student_of[person.key]
			year = school.year_of(day)
			term = school.term_of(day)
			self.ensure(
				"Student Log",
				{"student": student, "date": day, "type": log_type},
				{
					"student": student,
					"date": day,
					"type": log_type,
					"academic_year": year and year.name,
					"academic_term": term and term.name,
					"program": school.program_name(person.grade_in(year.name)) if year else None,
					"log": text,
				},
			)
			self.progress("student logs", done, len(entries))


STAMP_FIELDS = ("name", "owner", "creation", "modified", "modified_by")


def _stamp() -> tuple[str, str, str, str]:
	"""owner, creation, modified, modified_by as the ORM would set them for the current user."""
	timestamp = now()
	return frappe.session.user, timestamp, timestamp, frappe.session.user


def _reserve_names(series: str, count: int) -> list[str]:
	"""Take `count` consecutive names from an old-style naming series ("EDU-ATT-.YYYY.-.#####")."""
	prefix = {}

	def capture(key: str, digits: int) -> str:
		prefix.update(key=key, digits=digits)
		return ""

	parse_naming_series(series, number_generator=capture)
	key, digits = prefix["key"], prefix["digits"]
	return [f"{key}{number:0{digits}d}" for number in _reserve_numbers(key, count)]


def _course_enrollment_names(count: int) -> list[str]:
	"""Names as Course Enrollment's autoname "format:EDU-CE-{YYYY}-{#####}" makes them.

	A format: autoname parses each {...} on its own, so the counter behind {#####} is the series with the
	empty key, shared with any other doctype named the same way.
	"""
	year = now_datetime().strftime("%Y")
	return [f"EDU-CE-{year}-{number:05d}" for number in _reserve_numbers("", count)]


def _reserve_numbers(key: str, count: int) -> range:
	"""Advance the `tabSeries` counter `key` by `count` at once (getseries does it one by one)."""
	current = frappe.db.sql("select `current` from `tabSeries` where `name`=%s for update", (key,))
	if current:
		start = cint(current[0][0])
	else:
		start = 0
		frappe.db.sql("insert into `tabSeries` (`name`, `current`) values (%s, 0)", (key,))
	frappe.db.sql("update `tabSeries` set `current`=%s where `name`=%s", (start + count, key))
	return range(start + 1, start + count + 1)


def _grader(grading_scale: str) -> Callable[[float], str]:
	"""education.api.get_grade for one scale, without its process-wide cache of the first scale asked for."""
	intervals = sorted(
		(
			(row.threshold, row.grade_code)
			for row in frappe.get_all(
				"Grading Scale Interval",
				filters={"parent": grading_scale, "parenttype": "Grading Scale"},
				fields=["grade_code", "threshold"],
			)
		),
		reverse=True,
	)

	def grade(percent: float) -> str:
		return next((code for threshold, code in intervals if percent >= threshold), "")

	return grade


def _comment(grade: str) -> str | None:
	return "Below the pass mark: follow-up with the student and guardians." if grade == "F" else None


def _option(field, value: str) -> str | None:
	"""`value` as spelled in a Select field's options (None if it is not one of them)."""
	if field.fieldtype != "Select":
		return value
	options = {option.lower(): option for option in (field.options or "").split("\n") if option}
	return options.get(value.lower())


@contextlib.contextmanager
def _flag(name: str):
	previous = frappe.local.flags.get(name)
	frappe.local.flags[name] = True
	try:
		yield
	finally:
		frappe.local.flags[name] = previous
