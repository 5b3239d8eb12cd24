"""Early-warning features per student per term, from plain records (:mod:`.records`).

The indicators follow the ABC early-warning literature (attendance, behaviour, course performance):

* **Attendance**: share of recorded school days absent (a day marked per lesson counts by the share of its
  lessons missed), "approaching chronic" from 5 % and chronic from 10 % of days missed for any reason
  (Attendance Works; US Department of Education, *Chronic Absenteeism in the Nation's Schools*, 2016), the
  last weeks' rate and absence streaks.
* **Behaviour**: the share of school days with at least one incident, as Panorama Education reports it, so a
  student's rate falls again when incidents stop (a running count never does).
* **Course performance**: the term's percentage per course (sum of scores over sum of maxima), per
  assessment criterion, the grade by the school's grading scale and courses below the pass mark
  (Allensworth & Easton, *What Matters for Staying On-Track*, 2007: course failures are the strongest
  single predictor).
* **History**: earlier terms' averages, failures and the change since last term.
* **Tutor engagement** when the school uses the tutor.

``extract_features(data, as_of=...)`` only uses what was known on ``as_of`` (dated results, attendance and
incidents up to that day), so features taken mid-term can be paired with the end-of-term outcome for
training (:func:`labelled_examples`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from ai_school.core.insights.records import (
	ABSENT,
	LEAVE,
	AssessmentRecord,
	AttendanceRecord,
	Incident,
	SchoolData,
	Term,
	TutorActivity,
)

OK, APPROACHING, CHRONIC = "ok", "approaching", "chronic"
IMPROVING, STABLE, DECLINING = "improving", "stable", "declining"


@dataclass(frozen=True)
class FeatureSettings:
	"""How features are counted. Defaults follow the literature cited in the module docstring."""

	approaching_absence_pct: float = 5.0  # Attendance Works' "at risk" band starts at 5 % of days missed
	chronic_absence_pct: float = 10.0  # chronic absence: 10 % or more of school days, any reason
	count_leave_as_absent: bool = True  # chronic absence counts excused absences too
	recent_days: int = 20  # "recently": the last four school weeks recorded
	serious_severity: int = 3  # incidents at or above this severity count as serious
	trend_points: float = 5.0  # a change of this many percentage points since last term is a trend

	def __post_init__(self):
		if not 0 <= self.approaching_absence_pct <= self.chronic_absence_pct <= 100:
			raise ValueError("need 0 <= approaching_absence_pct <= chronic_absence_pct <= 100")
		if self.recent_days < 1:
			raise ValueError("recent_days must be at least 1")


@dataclass(frozen=True)
class CourseStanding:
	course: str
	pct: float
	grade: str | None
	failing: bool
	results: int


# the model's inputs, in a fixed order (criteria are appended per school as "criterion_pct:<name>")
MODEL_FEATURES = (
	"score_pct",
	"lowest_course_pct",
	"n_courses",
	"n_failing",
	"absence_pct",
	"recent_absence_pct",
	"current_absence_streak",
	"longest_absence_streak",
	"incident_day_pct",
	"serious_incidents",
	"history_terms",
	"prev_score_pct",
	"score_change",
	"past_failures",
	"prev_absence_pct",
	"tutor_messages",
	"tutor_active_days",
)
CRITERION_PREFIX = "criterion_pct:"


@dataclass
class TermFeatures:
	"""One student's indicators in one term, as known on ``as_of``. Missing evidence is None, not 0."""

	student: str
	term: str
	as_of: dt.date
	complete: bool  # the term had ended by as_of
	pass_mark: float
	# course performance
	courses: tuple[CourseStanding, ...] = ()
	score_pct: float | None = None  # mean of the course percentages
	lowest_course_pct: float | None = None
	grade: str | None = None
	criteria_pct: dict[str, float] = field(default_factory=dict)
	failing_courses: tuple[str, ...] = ()
	# attendance
	days_recorded: int = 0
	days_absent: float = 0.0
	absence_pct: float | None = None
	absence_band: str | None = None  # ok | approaching | chronic
	recent_days: int = 0
	recent_absence_pct: float | None = None
	current_absence_streak: int = 0
	longest_absence_streak: int = 0
	# behaviour
	school_days: int = 0
	incidents: int = 0
	incident_days: int = 0
	incident_day_pct: float | None = None
	serious_incidents: int = 0
	# history
	history_terms: int = 0
	prev_score_pct: float | None = None
	score_change: float | None = None
	past_failures: int = 0
	past_failed_terms: int = 0
	prev_absence_pct: float | None = None
	trend: str | None = None  # improving | stable | declining
	# tutor
	tutor_messages: int | None = None
	tutor_active_days: int | None = None

	@property
	def n_courses(self) -> int:
		return len(self.courses)

	@property
	def n_failing(self) -> int:
		return len(self.failing_courses)

	@property
	def failed(self) -> bool | None:
		"""The outcome the model learns: failed at least one course by the pass mark (None: no results)."""
		return None if not self.courses else bool(self.failing_courses)

	def as_row(self) -> dict[str, float | None]:
		"""The numeric model inputs (see ``MODEL_FEATURES``), None where there is no evidence."""
		row: dict[str, float | None] = {}
		for name in MODEL_FEATURES:
			value = getattr(self, name)
			if name in ("n_courses", "n_failing") and not self.courses:
				value = None
			if name in ("current_absence_streak", "longest_absence_streak") and not self.days_recorded:
				value = None
			if name in ("serious_incidents",) and not self.school_days:
				value = None
			row[name] = None if value is None else float(value)
		for criterion, pct in sorted(self.criteria_pct.items()):
			row[CRITERION_PREFIX + criterion] = pct
		return row


def extract_features(
	data: SchoolData,
	*,
	as_of: dt.date | None = None,
	terms: Iterable[str] | None = None,
	students: Iterable[str] | None = None,
	settings: FeatureSettings | None = None,
) -> list[TermFeatures]:
	"""Features of every student in every term that had started by ``as_of`` (default: all terms, complete),
	sorted by term start then student. ``terms``/``students`` restrict the output (history still uses every
	earlier term)."""
	return _Extractor(data, settings or FeatureSettings()).run(as_of=as_of, terms=terms, students=students)


def labelled_examples(
	data: SchoolData,
	*,
	at: float = 0.5,
	today: dt.date | None = None,
	settings: FeatureSettings | None = None,
) -> list[tuple[TermFeatures, bool]]:
	"""Training pairs for the risk model: each student's features ``at`` the given fraction of every term
	that had ended by ``today`` (default: every term), with the outcome of the whole term (failed at least one
	course by the pass mark). Students without results at the end of the term have no outcome and are left
	out. Features at mid-term (``at=0.5``) are what a teacher can act on; ``at=1.0`` would leak the outcome.
	"""
	if not 0 <= at <= 1:
		raise ValueError("at must be between 0 and 1")
	extractor = _Extractor(data, settings or FeatureSettings())
	pairs = []
	for term in extractor.terms:
		if today is not None and term.end > today:
			continue
		cutoff = term.start + dt.timedelta(days=int((term.end - term.start).days * at))
		outcomes = {f.student: f.failed for f in extractor.run(as_of=term.end, terms=[term.name])}
		for features in extractor.run(as_of=cutoff, terms=[term.name]):
			outcome = outcomes.get(features.student)
			if outcome is not None:
				pairs.append((features, outcome))
	return pairs


def school_medians(features: Iterable[TermFeatures]) -> dict[str, dict[str, float]]:
	"""Per term, the median of every model input over the students who have a value (for "school median
	4 %" in the reasons)."""
	values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
	for item in features:
		for name, value in item.as_row().items():
			if value is not None:
				values[item.term][name].append(value)
	return {
		term: {name: statistics.median(found) for name, found in columns.items()}
		for term, columns in values.items()
	}


def absence_band(days_absent: Fraction, days: int, settings: FeatureSettings) -> str | None:
	"""ok / approaching / chronic, compared exactly (5 of 100 days is approaching, 10 of 100 chronic)."""
	if not days:
		return None
	pct = 100 * Fraction(days_absent) / days
	if pct >= Fraction(settings.chronic_absence_pct):
		return CHRONIC
	if pct >= Fraction(settings.approaching_absence_pct):
		return APPROACHING
	return OK


class _Extractor:
	def __init__(self, data: SchoolData, settings: FeatureSettings):
		self.data = data
		self.settings = settings
		self.pass_mark = data.resolved_pass_mark()
		self.terms = sorted(data.terms, key=lambda t: (t.start, t.end, t.name))
		self.results: dict[tuple[str, str], list[AssessmentRecord]] = defaultdict(list)
		for result in data.results:
			self.results[(result.student, result.term)].append(result)
		self.attendance = _by_student(data.attendance)
		self.incidents = _by_student(data.incidents)
		self.tutor = _by_student(data.tutor or ())
		# each student's record dates, oldest first, to find a term's rows by bisection
		self.dates = {
			name: {student: [row.date for row in rows] for student, rows in index.items()}
			for name, index in (
				("attendance", self.attendance),
				("incidents", self.incidents),
				("tutor", self.tutor),
			)
		}
		given_days = sorted(set(data.school_days))
		recorded_days = sorted({row.date for row in data.attendance})
		self.school_days = {}
		for term in self.terms:
			days = [d for d in given_days if term.contains(d)] or [
				d for d in recorded_days if term.contains(d)
			]
			self.school_days[term.name] = days or _weekdays(term.start, term.end)
		self._memo: dict[tuple[str, str, dt.date], TermFeatures] = {}

	def run(self, *, as_of, terms, students=None) -> list[TermFeatures]:
		wanted_terms = None if terms is None else set(terms)
		wanted_students = None if students is None else set(students)
		if wanted_terms is not None and (unknown := wanted_terms - {t.name for t in self.terms}):
			raise ValueError(f"unknown terms: {sorted(unknown)}")
		out = []
		for term in self.terms:
			if (wanted_terms is not None and term.name not in wanted_terms) or (
				as_of is not None and term.start > as_of
			):
				continue
			cutoff = term.end if as_of is None else min(as_of, term.end)
			for student in sorted(self._students(term)):
				if wanted_students is None or student in wanted_students:
					out.append(self._features(student, term, cutoff))
		return out

	def _students(self, term: Term) -> set[str]:
		found = {student for (student, name) in self.results if name == term.name}
		for index in self.dates.values():
			for student, dates in index.items():
				at = bisect.bisect_left(dates, term.start)
				if at < len(dates) and dates[at] <= term.end:
					found.add(student)
		found.update(self.data.enrolments.get(term.name, ()))
		return found

	def _features(self, student: str, term: Term, cutoff: dt.date) -> TermFeatures:
		key = (student, term.name, cutoff)
		if key not in self._memo:
			features = TermFeatures(
				student=student,
				term=term.name,
				as_of=cutoff,
				complete=cutoff >= term.end,
				pass_mark=self.pass_mark,
			)
			self._courses(features, term, cutoff)
			self._attendance(features, term, cutoff)
			self._behaviour(features, term, cutoff)
			self._tutor(features, term, cutoff)
			self._history(features, term, cutoff)
			self._memo[key] = features
		return self._memo[key]

	def _courses(self, f: TermFeatures, term: Term, cutoff: dt.date) -> None:
		scale = self.data.grading_scale
		per_course: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
		per_criterion: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
		last_grade: dict[str, str | None] = {}
		for result in sorted(
			self.results.get((f.student, term.name), ()), key=lambda r: (r.date or dt.date.min, r.course)
		):
			if result.date is not None and result.date > cutoff and cutoff < term.end:
				continue  # not known yet (once the term is over, all of its results count)
			totals = result.totals()
			if totals is None:
				continue
			course = per_course[result.course]
			course[0] += totals[0]
			course[1] += totals[1]
			course[2] += 1
			last_grade[result.course] = result.grade
			for criterion in result.criteria:
				if criterion.maximum > 0:
					per_criterion[criterion.criterion][0] += criterion.score
					per_criterion[criterion.criterion][1] += criterion.maximum
		standings = []
		for course, (score, maximum, count) in sorted(per_course.items()):
			pct = 100 * score / maximum
			grade = scale.grade_for(pct) if scale else last_grade.get(course)
			standings.append(CourseStanding(course, pct, grade, pct < self.pass_mark, int(count)))
		f.courses = tuple(standings)
		f.failing_courses = tuple(s.course for s in standings if s.failing)
		f.criteria_pct = {name: 100 * s / m for name, (s, m) in sorted(per_criterion.items())}
		if standings:
			f.score_pct = statistics.fmean(s.pct for s in standings)
			f.lowest_course_pct = min(s.pct for s in standings)
			f.grade = scale.grade_for(f.score_pct) if scale else None

	def _attendance(self, f: TermFeatures, term: Term, cutoff: dt.date) -> None:
		absent_statuses = {ABSENT, LEAVE} if self.settings.count_leave_as_absent else {ABSENT}
		rows = self.attendance.get(f.student, ())
		dates = self.dates["attendance"].get(f.student, ())
		# the share of each recorded day missed, oldest first: a whole day is 0 or 1 (an int, summed fast and
		# exactly), a day marked lesson by lesson the exact fraction of its lessons
		shares: list[int | Fraction] = []
		day, absent, total = None, 0, 0
		for row in rows[bisect.bisect_left(dates, term.start) : bisect.bisect_right(dates, cutoff)]:
			if row.date != day:
				if total:
					shares.append(_share(absent, total))
				day, absent, total = row.date, 0, 0
			absent += row.status in absent_statuses
			total += 1
		if total:
			shares.append(_share(absent, total))
		f.days_recorded = len(shares)
		if not shares:
			return
		absent = sum(shares)
		f.days_absent = float(absent)
		f.absence_pct = float(100 * absent / len(shares))
		f.absence_band = absence_band(absent, len(shares), self.settings)
		recent = shares[-self.settings.recent_days :]
		f.recent_days = len(recent)
		f.recent_absence_pct = float(100 * sum(recent) / len(recent))
		run = longest = 0
		for share in shares:
			run = run + 1 if share == 1 else 0
			longest = max(longest, run)
		f.current_absence_streak = run
		f.longest_absence_streak = longest

	def _behaviour(self, f: TermFeatures, term: Term, cutoff: dt.date) -> None:
		f.school_days = sum(1 for d in self.school_days[term.name] if d <= cutoff)
		incidents = [i for i in self.incidents.get(f.student, ()) if term.start <= i.date <= cutoff]
		f.incidents = len(incidents)
		f.incident_days = len({i.date for i in incidents})
		f.serious_incidents = sum(1 for i in incidents if i.severity >= self.settings.serious_severity)
		if f.school_days:
			f.incident_day_pct = 100 * min(f.incident_days, f.school_days) / f.school_days

	def _tutor(self, f: TermFeatures, term: Term, cutoff: dt.date) -> None:
		if self.data.tutor is None:
			return
		rows = [r for r in self.tutor.get(f.student, ()) if term.start <= r.date <= cutoff]
		f.tutor_messages = sum(r.messages for r in rows)
		f.tutor_active_days = len({r.date for r in rows})

	def _history(self, f: TermFeatures, term: Term, cutoff: dt.date) -> None:
		earlier = [t for t in self.terms if t.start < term.start]
		past = [self._features(f.student, t, min(t.end, cutoff)) for t in earlier]
		past = [p for p in past if p.courses or p.days_recorded]
		f.history_terms = len(past)
		f.past_failures = sum(p.n_failing for p in past)
		f.past_failed_terms = sum(1 for p in past if p.failed)
		scored = [p for p in past if p.score_pct is not None]
		if scored:
			f.prev_score_pct = scored[-1].score_pct
			if f.score_pct is not None:
				f.score_change = f.score_pct - f.prev_score_pct
				if f.score_change >= self.settings.trend_points:
					f.trend = IMPROVING
				elif f.score_change <= -self.settings.trend_points:
					f.trend = DECLINING
				else:
					f.trend = STABLE
		attended = [p for p in past if p.absence_pct is not None]
		if attended:
			f.prev_absence_pct = attended[-1].absence_pct


def _share(absent: int, total: int) -> int | Fraction:
	if absent == 0 or absent == total:
		return absent // total
	return Fraction(absent, total)


def _by_student(rows: Iterable[AttendanceRecord | Incident | TutorActivity]) -> Mapping[str, list]:
	index: dict[str, list] = defaultdict(list)
	for row in rows:
		index[row.student].append(row)
	for found in index.values():
		found.sort(key=lambda r: r.date)
	return index


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
	days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
	return [d for d in days if d.weekday() < 5]
