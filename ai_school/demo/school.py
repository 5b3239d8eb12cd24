"""The demo school as plain data: calendar, curriculum, people and the latent structure behind their marks.

Nothing here touches the database. `create.py` turns a `SchoolPlan` into documents; tests and analytics
checks use the same functions (`expected_score`, `attendance_status`, cohort lists) to know what the
data is supposed to contain. Every random draw comes from a `random.Random` seeded from the config seed
and a natural key, so a record's values never depend on which other records already exist (a resumed run
writes exactly what a fresh run would).
"""

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

# ---------------------------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True)
class DemoConfig:
	company: str = "AI Demo School"
	abbr: str = "ADS"
	email_domain: str = "aidemo.example"
	country: str = "United States"
	currency: str = "USD"
	seed: int = 2026
	students: int = 420
	instructors: int = 32
	grades: tuple[int, ...] = (7, 8, 9, 10, 11, 12)
	# Appended to staff display names; Education names Instructors by full name, so a second demo school on
	# the same site (the bench test's) must not reuse the main school's teacher names.
	staff_suffix: str = ""


SCALES = {
	"full": DemoConfig(),
	"small": DemoConfig(
		company="AI Test School",
		abbr="ATS",
		email_domain="aitest.example",
		seed=7,
		students=24,
		instructors=8,
		grades=(11, 12),
		staff_suffix=" (ATS)",
	),
	# the scale of the early-warning benchmark (benchmarks/insights): 2,000 students in 60 sections a year,
	# staffed at the full school's ratio of about 13 students per teacher
	"large": DemoConfig(
		company="AI Demo Academy",
		abbr="ADA",
		email_domain="aidemo-academy.example",
		seed=2027,
		students=2000,
		instructors=150,
		staff_suffix=" (ADA)",
	),
}


def get_config(scale: str = "full", students: int | None = None, seed: int | None = None) -> DemoConfig:
	if scale not in SCALES:
		raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
	config = SCALES[scale]
	if students is not None:
		config = replace(config, students=int(students))
	if seed is not None:
		config = replace(config, seed=int(seed))
	return config


def rng_for(config: DemoConfig, *key) -> random.Random:
	"""A generator private to one natural key (str seeds are hashed with SHA-512, so stable across runs)."""
	return random.Random("|".join(str(k) for k in (config.seed, *key)))


# ---------------------------------------------------------------------------------------------------------
# Calendar


@dataclass(frozen=True)
class Term:
	academic_year: str
	term_name: str
	start: date
	end: date

	@property
	def name(self) -> str:
		# Education names terms "<year> (<term name>)" (AcademicTerm.autoname)
		return f"{self.academic_year} ({self.term_name})"


@dataclass(frozen=True)
class AcademicYear:
	name: str
	start: date
	end: date


ACADEMIC_YEARS = (
	AcademicYear("2025-26", date(2025, 8, 18), date(2026, 5, 29)),
	AcademicYear("2026-27", date(2026, 8, 17), date(2027, 5, 28)),
)
CURRENT_YEAR = "2026-27"
PREVIOUS_YEAR = "2025-26"

TERMS = (
	Term("2025-26", "Term 1", date(2025, 8, 18), date(2025, 12, 19)),
	Term("2025-26", "Term 2", date(2026, 1, 5), date(2026, 5, 29)),
	Term("2026-27", "Term 1", date(2026, 8, 17), date(2026, 12, 18)),
	Term("2026-27", "Term 2", date(2027, 1, 4), date(2027, 5, 28)),
)

HOLIDAY_LIST_RANGE = (date(2025, 8, 1), date(2027, 7, 31))

# (first day, last day, description); weekends are added separately
BREAKS = (
	(date(2025, 8, 1), date(2025, 8, 17), "Summer break"),
	(date(2025, 9, 1), date(2025, 9, 1), "Labor Day"),
	(date(2025, 10, 27), date(2025, 10, 31), "Autumn half-term"),
	(date(2025, 11, 27), date(2025, 11, 28), "Thanksgiving"),
	(date(2025, 12, 20), date(2026, 1, 4), "Winter break"),
	(date(2026, 2, 16), date(2026, 2, 20), "February half-term"),
	(date(2026, 4, 6), date(2026, 4, 10), "Spring break"),
	(date(2026, 5, 30), date(2026, 8, 16), "Summer break"),
	(date(2026, 9, 7), date(2026, 9, 7), "Labor Day"),
	(date(2026, 10, 26), date(2026, 10, 30), "Autumn half-term"),
	(date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving"),
	(date(2026, 12, 19), date(2027, 1, 3), "Winter break"),
	(date(2027, 2, 15), date(2027, 2, 19), "February half-term"),
	(date(2027, 3, 29), date(2027, 4, 2), "Spring break"),
	(date(2027, 5, 29), date(2027, 7, 31), "Summer break"),
)


def daterange(start: date, end: date):
	day = start
	while day <= end:
		yield day
		day += timedelta(days=1)


def holidays() -> dict[date, tuple[str, bool]]:
	"""date -> (description, is weekly off) for the whole holiday list range."""
	result = {}
	for first, last, description in BREAKS:
		for day in daterange(first, last):
			result[day] = (description, False)
	for day in daterange(*HOLIDAY_LIST_RANGE):
		if day.weekday() >= 5:
			result[day] = (day.strftime("%A"), True)
	return result


def school_days(start: date, end: date) -> list[date]:
	off = holidays()
	return [day for day in daterange(start, end) if day not in off]


def year_of(day: date) -> AcademicYear | None:
	return next((y for y in ACADEMIC_YEARS if y.start <= day <= y.end), None)


def term_of(day: date) -> Term | None:
	return next((t for t in TERMS if t.start <= day <= t.end), None)


# ---------------------------------------------------------------------------------------------------------
# Curriculum

LOWER_SUBJECTS = (
	"Mathematics",
	"English",
	"Science",
	"History",
	"Geography",
	"Computer Science",
	"Art",
	"Physical Education",
	"Spanish",
)
UPPER_SUBJECTS = (
	"Mathematics",
	"English",
	"Physics",
	"Chemistry",
	"Biology",
	"History",
	"Geography",
	"Computer Science",
	"Physical Education",
	"Spanish",
)
SUBJECTS = tuple(dict.fromkeys(LOWER_SUBJECTS + UPPER_SUBJECTS))

WRITTEN, COURSEWORK, PRACTICAL, ORAL, PROJECT = (
	"Written Exam",
	"Coursework",
	"Practical Work",
	"Oral",
	"Project",
)
CRITERIA = (WRITTEN, COURSEWORK, PRACTICAL, ORAL, PROJECT)

# criteria and weightage (%) per course; each sums to 100 as Course.validate requires
COURSE_CRITERIA = {
	"Mathematics": ((WRITTEN, 70), (COURSEWORK, 30)),
	"English": ((WRITTEN, 50), (ORAL, 20), (COURSEWORK, 30)),
	"Science": ((WRITTEN, 60), (PRACTICAL, 20), (COURSEWORK, 20)),
	"Physics": ((WRITTEN, 60), (PRACTICAL, 25), (COURSEWORK, 15)),
	"Chemistry": ((WRITTEN, 60), (PRACTICAL, 25), (COURSEWORK, 15)),
	"Biology": ((WRITTEN, 60), (PRACTICAL, 25), (COURSEWORK, 15)),
	"History": ((WRITTEN, 60), (COURSEWORK, 40)),
	"Geography": ((WRITTEN, 60), (COURSEWORK, 40)),
	"Computer Science": ((WRITTEN, 40), (PROJECT, 40), (COURSEWORK, 20)),
	"Art": ((PROJECT, 70), (COURSEWORK, 30)),
	"Physical Education": ((PRACTICAL, 70), (COURSEWORK, 30)),
	"Spanish": ((WRITTEN, 50), (ORAL, 30), (COURSEWORK, 20)),
}

GRADING_SCALE = "AI Demo A-F"
# (grade, threshold %, description); D at 40 % is the pass mark
GRADES = (
	("A", 85, "Excellent"),
	("B", 70, "Good"),
	("C", 55, "Satisfactory"),
	("D", 40, "Pass"),
	("F", 0, "Fail"),
)
PASS_MARK = 40.0

# (assessment group suffix, where in the term the exam week starts)
EXAMS = (("Midterm", 0.45), ("Final", 0.86))
# two papers a day; a grade's subjects are spread over the exam week in curriculum order
EXAM_SLOTS = (("09:00:00", "10:30:00"), ("11:00:00", "12:30:00"))
# after lessons, for when a published timetable already fills the exam slots
LATE_EXAM_SLOTS = (("15:30:00", "17:00:00"), ("17:15:00", "18:45:00"))


def subjects_for(grade: int) -> tuple[str, ...]:
	return LOWER_SUBJECTS if grade <= 9 else UPPER_SUBJECTS


def program_name(grade: int) -> str:
	return f"Grade {grade}"


def grade_for_year(current_grade: int, year: str) -> int:
	"""Grade a student now in `current_grade` was in during `year` (one grade per year back)."""
	years_back = [y.name for y in ACADEMIC_YEARS][::-1].index(year)
	return current_grade - years_back


def assessment_group_name(term: Term, exam: str) -> str:
	return f"{term.name} {exam}"


def exam_slot(term: Term, fraction: float, subject_index: int) -> tuple[date, str, str]:
	"""(date, from time, to time) of one subject's paper in the exam week starting at `fraction` of the term."""
	days = school_days(term.start, term.end)
	day = days[min(len(days) - 1, int(len(days) * fraction) + subject_index // len(EXAM_SLOTS))]
	return (day, *EXAM_SLOTS[subject_index % len(EXAM_SLOTS)])


ROOMS = (
	# (room name, kind, seats); classrooms are added per section
	("Physics Lab", "lab", 28),
	("Chemistry Lab", "lab", 28),
	("Biology Lab", "lab", 28),
	("Science Lab", "lab", 30),
	("Computer Lab 1", "computer lab", 30),
	("Computer Lab 2", "computer lab", 30),
	("Art Studio", "art room", 26),
	("Gymnasium", "gym", 80),
	("Library", "classroom", 40),
)

# ---------------------------------------------------------------------------------------------------------
# People

FIRST_NAMES_F = (
	"Amara", "Sofia", "Mei", "Priya", "Olivia", "Fatima", "Chloe", "Hana", "Isabela", "Zara", "Lucia", "Emma",
	"Aisha", "Nora", "Leila", "Grace", "Ananya", "Maya", "Yuki", "Elena", "Ava", "Ines", "Chiara", "Freya",
	"Naomi", "Rosa", "Imani", "Sara", "Ling", "Clara",
)  # fmt: skip
FIRST_NAMES_M = (
	"Liam", "Mateo", "Kenji", "Arjun", "Noah", "Omar", "Lucas", "Ethan", "Diego", "Kwame", "Ravi", "Leo",
	"Hugo", "Yusuf", "Finn", "Samuel", "Tariq", "Marco", "Daniel", "Felix", "Jonas", "Aarav", "Tomas",
	"Malik", "Oscar", "Chen", "Elias", "Nikolai", "Jamal", "Adam",
)  # fmt: skip
LAST_NAMES = (
	"Okafor", "Garcia", "Nakamura", "Sharma", "Smith", "Haddad", "Dubois", "Kim", "Rossi", "Mensah", "Novak",
	"Silva", "Patel", "Andersen", "Kowalski", "Nguyen", "Cohen", "Murphy", "Ibrahim", "Fischer", "Lopez",
	"Tanaka", "Costa", "Johansson", "Ahmed", "Moreau", "Brown", "Santos", "Wang", "Petrov", "Mwangi",
	"OConnor", "Yilmaz", "Schmidt", "Reyes", "Chowdhury", "Larsen", "Bianchi", "Osei", "Ali",
)  # fmt: skip
OCCUPATIONS = (
	"Nurse", "Engineer", "Teacher", "Accountant", "Shop owner", "Electrician", "Doctor", "Driver", "Chef",
	"Designer", "Civil servant", "Pharmacist", "Farmer", "Lawyer", "Software developer", "Mechanic",
)  # fmt: skip

TYPICAL, DECLINING, CHRONIC_ABSENTEE, FAILING = "typical", "declining", "chronic absentee", "failing"
# share of students per special profile (at least one student each, whatever the scale)
PROFILE_SHARES = ((DECLINING, 0.05), (CHRONIC_ABSENTEE, 0.05), (FAILING, 0.03))

# Latent score model: percent = BASE + SPREAD * (ability + subject offset) + profile/time effects + noise
BASE_SCORE = 64.0
SPREAD = 12.0
EXAM_NOISE = 6.0
CRITERION_NOISE = 5.0
STRENGTH_BONUS = 1.0  # in ability units, for the student's strong subject; the weak subject gets the opposite
FAILING_ABILITY = (-2.5, 0.1)  # mean, sd: failing students sit around 34 %, below the pass mark
DECLINE_START = date(2026, 1, 5)  # declining students start slipping in Term 2 of 2025-26 ...
DECLINE_FULL_DAYS = 200  # ... and reach the full effect by the start of the next year
DECLINE_SCORE_DROP = 26.0
TYPICAL_ATTENDANCE = (0.955, 0.02)  # mean, sd of a typical student's daily presence probability
ABSENTEE_ATTENDANCE = (0.76, 0.03)
ABSENTEE_CEILING = 0.8  # chronic absentees stay clearly under the usual 85 % threshold
DECLINE_ATTENDANCE_DROP = 0.25
LEAVE_SHARE_OF_ABSENCES = 0.3


@dataclass
class Guardian:
	key: int
	first_name: str
	last_name: str
	relation: str  # Student Guardian.relation: Mother / Father / Others
	gender: str
	occupation: str
	email: str
	mobile: str
	portal_user: bool  # one guardian per family signs up for the portal

	@property
	def full_name(self) -> str:
		return f"{self.first_name} {self.last_name}"


@dataclass
class Student:
	key: int
	first_name: str
	last_name: str
	gender: str
	date_of_birth: date
	email: str
	grade: int  # grade in the current academic year
	section: str
	first_year: str  # first academic year at the school
	profile: str
	ability: float
	subject_offsets: dict[str, float]
	strong_subject: str
	weak_subject: str
	attendance_rate: float
	guardians: list[Guardian] = field(default_factory=list)

	@property
	def full_name(self) -> str:
		return f"{self.first_name} {self.last_name}"

	def years(self) -> list[str]:
		return [y.name for y in ACADEMIC_YEARS if y.name >= self.first_year]

	def grade_in(self, year: str) -> int:
		return grade_for_year(self.grade, year)


@dataclass
class Instructor:
	key: int
	first_name: str
	last_name: str
	gender: str
	date_of_birth: date
	date_of_joining: date
	email: str
	subjects: tuple[str, ...]
	suffix: str = ""

	@property
	def full_name(self) -> str:
		return f"{self.first_name} {self.last_name}{self.suffix}"


@dataclass
class Section:
	year: str
	grade: int
	letter: str
	students: list[Student]
	class_teacher: Instructor
	teachers: dict[str, Instructor]  # subject -> instructor

	@property
	def batch(self) -> str:
		return f"{self.year[:4]}-{self.letter}"


@dataclass
class SchoolPlan:
	config: DemoConfig
	students: list[Student]
	guardians: list[Guardian]
	instructors: list[Instructor]
	sections: list[Section]
	rooms: list[tuple[str, str, str, int]]  # (room number, room name, kind, seats)

	def cohort(self, profile: str) -> list[Student]:
		return [s for s in self.students if s.profile == profile]

	def batch_group_name(self, section: Section) -> str:
		return f"{self.config.abbr} {section.grade}{section.letter} {section.year}"

	def course_group_name(self, section: Section, subject: str, term: Term) -> str:
		return f"{self.config.abbr} {section.grade}{section.letter} {subject} {term.name}"


def _email(name: str, domain: str) -> str:
	return f"{name.lower().replace(' ', '.')}@{domain}"


def _mobile(rng: random.Random) -> str:
	return f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"


def _profiles(config: DemoConfig, count: int, eligible: list[int]) -> dict[int, str]:
	"""Pick special-profile students among `eligible` keys (declining needs history, so callers pass those)."""
	rng = rng_for(config, "profiles")
	pool = list(eligible)
	rng.shuffle(pool)
	result = {}
	for profile, share in PROFILE_SHARES:
		for _ in range(max(1, round(share * count))):
			if pool:
				result[pool.pop()] = profile
	return result


SECTION_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O (read as 1 and 0 on a register)


def _sections_per_grade(config: DemoConfig) -> int:
	per_grade = config.students / len(config.grades)
	return min(len(SECTION_LETTERS), max(1, round(per_grade / 32)))


def build_plan(config: DemoConfig) -> SchoolPlan:
	n_sections = _sections_per_grade(config)
	letters = SECTION_LETTERS[:n_sections]
	grade_slots = [(g, letter) for g in config.grades for letter in letters]
	lowest_grade = min(config.grades)

	# students: who they are and where they sit this year
	base = []
	for key in range(1, config.students + 1):
		rng = rng_for(config, "student", key)
		grade, letter = grade_slots[(key - 1) % len(grade_slots)]
		gender = rng.choice(("Female", "Male"))
		first = rng.choice(FIRST_NAMES_F if gender == "Female" else FIRST_NAMES_M)
		# roughly one in six students joined this year even though their grade existed last year
		new_joiner = grade == lowest_grade or rng.random() < 0.16
		birth_year = 2026 - grade - 6
		base.append((key, rng, gender, first, grade, letter, new_joiner, birth_year))

	with_history = [b[0] for b in base if not b[6]]
	profiles = _profiles(config, config.students, with_history)

	students: list[Student] = []
	guardians: list[Guardian] = []
	family_of_previous: Student | None = None
	for key, rng, gender, first, grade, letter, new_joiner, birth_year in base:
		profile = profiles.get(key, TYPICAL)
		# about one student in seven is the younger sibling of the previous one: same surname and guardians
		sibling = family_of_previous is not None and rng.random() < 0.15
		last = family_of_previous.last_name if sibling else rng.choice(LAST_NAMES)
		ability = rng.gauss(*FAILING_ABILITY) if profile == FAILING else rng.gauss(0, 1)
		offsets = {s: rng.gauss(0, 0.35) for s in SUBJECTS}
		strong, weak = rng.sample(SUBJECTS, 2)
		offsets[strong] += STRENGTH_BONUS
		offsets[weak] -= STRENGTH_BONUS
		mean, sd = ABSENTEE_ATTENDANCE if profile == CHRONIC_ABSENTEE else TYPICAL_ATTENDANCE
		ceiling = ABSENTEE_CEILING if profile == CHRONIC_ABSENTEE else 0.995
		rate = min(ceiling, max(0.6, rng.gauss(mean, sd)))
		student = Student(
			key=key,
			first_name=first,
			last_name=last,
			gender=gender,
			date_of_birth=date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
			email=_email(f"{first}.{last}.{key:04d}", f"students.{config.email_domain}"),
			grade=grade,
			section=letter,
			first_year=CURRENT_YEAR if new_joiner else PREVIOUS_YEAR,
			profile=profile,
			ability=ability,
			subject_offsets=offsets,
			strong_subject=strong,
			weak_subject=weak,
			attendance_rate=rate,
		)
		if sibling:
			student.guardians = family_of_previous.guardians
		else:
			student.guardians = _make_guardians(config, rng, last, len(guardians))
			guardians.extend(student.guardians)
		students.append(student)
		family_of_previous = student

	instructors = _make_instructors(config)
	sections = _make_sections(config, students, instructors, letters)
	# every section must fit in a classroom, or no timetable can place its lessons
	classroom_seats = max(len(section.students) for section in sections)
	rooms = [
		(f"{config.abbr}-{100 + i}", f"Classroom {100 + i}", "classroom", classroom_seats)
		for i in range(1, len(config.grades) * n_sections + 1)
	]
	rooms += [
		(f"{config.abbr}-{200 + i}", name, kind, seats) for i, (name, kind, seats) in enumerate(ROOMS, 1)
	]
	return SchoolPlan(config, students, guardians, instructors, sections, rooms)


def _make_guardians(config: DemoConfig, rng: random.Random, last: str, start: int) -> list[Guardian]:
	count = 2 if rng.random() < 0.7 else 1
	relations = ("Mother", "Father") if count == 2 else (rng.choice(("Mother", "Father", "Others")),)
	result = []
	for i, relation in enumerate(relations, 1):
		gender = {"Mother": "Female", "Father": "Male"}.get(relation) or rng.choice(("Female", "Male"))
		first = rng.choice(FIRST_NAMES_F if gender == "Female" else FIRST_NAMES_M)
		key = start + i
		result.append(
			Guardian(
				key=key,
				first_name=first,
				last_name=last,
				relation=relation,
				gender=gender,
				occupation=rng.choice(OCCUPATIONS),
				email=_email(f"{first}.{last}.g{key:04d}", f"parents.{config.email_domain}"),
				mobile=_mobile(rng),
				portal_user=i == 1,
			)
		)
	return result


# subjects with the most lessons get the teachers beyond one per subject
EXTRA_STAFFED = ("Mathematics", "English", "Physics", "Chemistry", "Biology", "Science", "Spanish")
EXTRA_STAFFED_UP_TO = 32  # the full school's staff; teachers beyond it go round every subject


def _make_instructors(config: DemoConfig) -> list[Instructor]:
	rng = rng_for(config, "instructors")
	names = [(f, last, "Female") for f in FIRST_NAMES_F for last in LAST_NAMES]
	names += [(f, last, "Male") for f in FIRST_NAMES_M for last in LAST_NAMES]
	chosen = rng.sample(names, config.instructors)
	teaches: list[list[str]] = [[] for _ in chosen]
	# a staff smaller than the subject list doubles up round-robin
	for i, subject in enumerate(SUBJECTS):
		teaches[i % len(chosen)].append(subject)
	for i in range(len(SUBJECTS), len(chosen)):
		if i < EXTRA_STAFFED_UP_TO:
			teaches[i].append(EXTRA_STAFFED[(i - len(SUBJECTS)) % len(EXTRA_STAFFED)])
		else:  # a bigger school also needs more teachers of the other subjects
			teaches[i].append(SUBJECTS[(i - EXTRA_STAFFED_UP_TO) % len(SUBJECTS)])
	return [
		Instructor(
			key=key,
			first_name=first,
			last_name=last,
			gender=gender,
			date_of_birth=date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28)),
			date_of_joining=date(rng.randint(2008, 2025), 8, rng.randint(1, 15)),
			email=_email(f"{first}.{last}.t{key:02d}", f"staff.{config.email_domain}"),
			subjects=tuple(subjects),
			suffix=config.staff_suffix,
		)
		for key, ((first, last, gender), subjects) in enumerate(zip(chosen, teaches, strict=True), 1)
	]


def _make_sections(config: DemoConfig, students: list[Student], instructors: list[Instructor], letters: str):
	teachers_of: dict[str, list[Instructor]] = {}
	for instructor in instructors:
		for subject in instructor.subjects:
			teachers_of.setdefault(subject, []).append(instructor)
	sections = []
	for year in (y.name for y in ACADEMIC_YEARS):
		for grade in config.grades:
			for letter in letters:
				members = [
					s
					for s in students
					if s.section == letter and s.grade_in(year) == grade and year in s.years()
				]
				if not members:
					continue
				index = len(sections)
				teachers = {}
				for subject in subjects_for(grade):
					pool = teachers_of[subject]
					teachers[subject] = pool[(grade + ord(letter)) % len(pool)]
				class_teacher = instructors[index % len(instructors)]
				sections.append(Section(year, grade, letter, members, class_teacher, teachers))
	return sections


# ---------------------------------------------------------------------------------------------------------
# Latent structure: what the marks and the registers are drawn from


def decline_progress(student: Student, day: date) -> float:
	"""0 before the decline starts, rising linearly to 1; always 0 for students who are not declining."""
	if student.profile != DECLINING or day < DECLINE_START:
		return 0.0
	return min(1.0, (day - DECLINE_START).days / DECLINE_FULL_DAYS)


def expected_score(student: Student, subject: str, day: date) -> float:
	"""Mean percentage the student is expected to score in `subject` on `day` (before exam noise)."""
	mean = BASE_SCORE + SPREAD * (student.ability + student.subject_offsets[subject])
	mean -= DECLINE_SCORE_DROP * decline_progress(student, day)
	return mean


def presence_probability(student: Student, day: date) -> float:
	return max(0.3, student.attendance_rate - DECLINE_ATTENDANCE_DROP * decline_progress(student, day))


def attendance_status(config: DemoConfig, student: Student, day: date) -> str:
	rng = rng_for(config, "attendance", student.key, day.isoformat())
	if rng.random() < presence_probability(student, day):
		return "Present"
	return "Leave" if rng.random() < LEAVE_SHARE_OF_ABSENCES else "Absent"


def criterion_scores(
	config: DemoConfig,
	student: Student,
	subject: str,
	day: date,
	plan_key: str,
	maxima: list[tuple[str, float]],
) -> list[tuple[str, float]]:
	"""Scores per (criterion, maximum) for one sitting, rounded to half marks and kept within [0, maximum]."""
	rng = rng_for(config, "result", student.key, plan_key)
	sitting = expected_score(student, subject, day) + rng.gauss(0, EXAM_NOISE)
	result = []
	for criterion, maximum in maxima:
		percent = min(100.0, max(0.0, sitting + rng.gauss(0, CRITERION_NOISE)))
		result.append((criterion, round(percent * maximum / 50.0) / 2.0))
	return result


def grade_for(percent: float) -> str:
	"""Same rule as education.api.get_grade: the highest threshold the percentage reaches."""
	return next(code for code, threshold, _ in GRADES if percent >= threshold)


ACHIEVEMENTS = (
	"Won the inter-school {subject} quiz.",
	"Outstanding {subject} project, shown at the open day.",
	"Represented the school in the regional {subject} competition.",
)
MEDICAL_NOTES = (
	"Sent home with a fever.",
	"Sprained ankle during PE; parents informed.",
	"Asthma plan on file.",
)


def student_logs(config: DemoConfig, student: Student, today: date) -> list[tuple[date, str, str]]:
	"""(date, Student Log type, text) entries a class teacher would have written by `today`."""
	rng = rng_for(config, "logs", student.key)
	days = [
		d
		for y in ACADEMIC_YEARS
		if y.name in student.years()
		for d in school_days(y.start, min(y.end, today))
	]
	if not days:
		return []
	recent = days[len(days) // 2 :]
	logs = []
	if student.profile == CHRONIC_ABSENTEE:
		for day in sorted(rng.sample(recent, min(2, len(recent)))):
			logs.append((day, "General", "Absent again without a note; called the guardians."))
	if student.profile == DECLINING and days[-1] >= DECLINE_START:
		day = rng.choice([d for d in recent if d >= DECLINE_START] or recent)
		logs.append((day, "Academic", "Marks have dropped since last term; raised with the class teacher."))
	if student.profile == FAILING:
		logs.append(
			(rng.choice(days), "Academic", "Below the pass mark in several subjects; extra support offered.")
		)
	if rng.random() < 0.12:
		subject = student.strong_subject
		logs.append((rng.choice(days), "Achievement", rng.choice(ACHIEVEMENTS).format(subject=subject)))
	if rng.random() < 0.05:
		logs.append((rng.choice(days), "Medical", rng.choice(MEDICAL_NOTES)))
	# one entry per student, day and type (the builder's natural key)
	unique = {(day, kind): text for day, kind, text in logs}
	return [(day, kind, text) for (day, kind), text in sorted(unique.items())]
