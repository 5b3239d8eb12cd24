"""A ward's week for the guardian digest, and the encouraging observation picked from it.

Numbers are computed here (convention 23); the shell only words them. The observation is always positive or
neutral: it never names an absence, a low mark or a decline, and it is computed from the records (a week with
nothing to go on gives none, rather than a canned compliment).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

PRESENT = "Present"
ABSENT = "Absent"
LEAVE = "Leave"

# a result counts as improved when it is this many percentage points above the previous one in the course
IMPROVEMENT_POINTS = 5.0
# the attendance rate of the week counts as up on the term so far by this many points
ATTENDANCE_UP_POINTS = 10.0
# fewer school days than this in a week (a short week) make no "every day" observation
MIN_DAYS_FOR_FULL_WEEK = 3


@dataclass(frozen=True)
class AttendanceWeek:
	"""School days with attendance on record, each counted once whatever the number of lessons marked."""

	days_recorded: int = 0
	days_present: int = 0
	days_absent: int = 0
	days_leave: int = 0
	absent_dates: tuple[date, ...] = ()

	@property
	def rate(self) -> float | None:
		"""Share of recorded days at school, in %; None without records."""
		if not self.days_recorded:
			return None
		return 100.0 * self.days_present / self.days_recorded


def day_statuses(rows: Iterable[tuple[date, str]]) -> dict[date, str]:
	"""(date, status) rows -> one status per day. A school marking each lesson has several rows a day: the
	day counts as present when the student was present at any lesson, on leave when on leave and present at
	none, absent only when absent from every lesson marked."""
	seen: dict[date, set[str]] = {}
	for day, status in rows:
		seen.setdefault(day, set()).add(status)
	out = {}
	for day, statuses in seen.items():
		if PRESENT in statuses:
			out[day] = PRESENT
		elif LEAVE in statuses:
			out[day] = LEAVE
		else:
			out[day] = ABSENT
	return out


def attendance_week(rows: Iterable[tuple[date, str]]) -> AttendanceWeek:
	days = day_statuses(rows)
	statuses = list(days.values())
	return AttendanceWeek(
		days_recorded=len(days),
		days_present=statuses.count(PRESENT),
		days_absent=statuses.count(ABSENT),
		days_leave=statuses.count(LEAVE),
		absent_dates=tuple(sorted(day for day, status in days.items() if status == ABSENT)),
	)


@dataclass(frozen=True)
class ResultLine:
	"""A result the guardian hears about: the course, its percentage and the previous one in the course."""

	course: str
	percent: float | None = None
	grade: str | None = None
	previous_percent: float | None = None

	@property
	def improvement(self) -> float | None:
		if self.percent is None or self.previous_percent is None:
			return None
		return self.percent - self.previous_percent


@dataclass(frozen=True)
class WardWeek:
	first_name: str
	attendance: AttendanceWeek = field(default_factory=AttendanceWeek)
	# attendance rate (%) of the term before this week; None when there is no earlier record
	earlier_attendance_rate: float | None = None
	results: tuple[ResultLine, ...] = ()
	tutor_sessions: int = 0
	tutor_questions: int = 0
	tutor_courses: tuple[str, ...] = ()
	pass_mark: float = 50.0


@dataclass(frozen=True)
class Observation:
	"""`kind` names the wording; `values` are the numbers and names it needs."""

	kind: str
	values: dict


def encouraging_observation(week: WardWeek) -> Observation | None:
	"""The one observation the digest leads with for a ward, best first:

	1. improved_result: a result at least IMPROVEMENT_POINTS above the previous one in that course (the
	   largest improvement);
	2. full_attendance: at school every recorded day of a week with at least MIN_DAYS_FOR_FULL_WEEK of them;
	3. strong_result: the best result at or above the pass mark;
	4. attendance_up: this week's attendance rate at least ATTENDANCE_UP_POINTS above the term so far;
	5. tutor_practice: used the AI tutor this week (sessions, questions, courses);
	6. days_at_school: at school on some recorded day.
	None when the week gives nothing to say (no record at all, or only absences and nothing else)."""
	improved = [r for r in week.results if r.improvement is not None and r.improvement >= IMPROVEMENT_POINTS]
	if improved:
		best = max(improved, key=lambda r: (r.improvement, r.course))
		return Observation(
			"improved_result",
			{
				"name": week.first_name,
				"course": best.course,
				"percent": best.percent,
				"previous_percent": best.previous_percent,
			},
		)
	attendance = week.attendance
	if (
		attendance.days_recorded >= MIN_DAYS_FOR_FULL_WEEK
		and attendance.days_present == attendance.days_recorded
	):
		return Observation("full_attendance", {"name": week.first_name, "days": attendance.days_present})
	passed = [r for r in week.results if r.percent is not None and r.percent >= week.pass_mark]
	if passed:
		best = max(passed, key=lambda r: (r.percent, r.course))
		return Observation(
			"strong_result",
			{"name": week.first_name, "course": best.course, "percent": best.percent, "grade": best.grade},
		)
	rate = attendance.rate
	if (
		rate is not None
		and week.earlier_attendance_rate is not None
		and rate - week.earlier_attendance_rate >= ATTENDANCE_UP_POINTS
	):
		return Observation(
			"attendance_up",
			{"name": week.first_name, "rate": rate, "earlier_rate": week.earlier_attendance_rate},
		)
	if week.tutor_sessions:
		return Observation(
			"tutor_practice",
			{
				"name": week.first_name,
				"sessions": week.tutor_sessions,
				"questions": week.tutor_questions,
				"courses": list(week.tutor_courses),
			},
		)
	if attendance.days_present:
		return Observation(
			"days_at_school",
			{"name": week.first_name, "days": attendance.days_present, "recorded": attendance.days_recorded},
		)
	return None


def percent_of(score: float | None, maximum: float | None) -> float | None:
	"""score / maximum in %, None when either is missing or the maximum is not positive."""
	if score is None or not maximum or maximum <= 0:
		return None
	return 100.0 * score / maximum
