"""Plain records the early-warning features are computed from.

The shell fills these from Education (Assessment Result and its details, Student Attendance, Student Log,
Academic Term, Grading Scale, the company's holiday list) and from the app's own tutor log; nothing here
knows about Frappe.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_PASS_MARK = 50.0  # when neither the school (AI School Settings) nor its grading scale gives one


@dataclass(frozen=True)
class CriterionScore:
	"""One row of an Assessment Result's details (Assessment Result Detail)."""

	criterion: str
	score: float
	maximum: float


@dataclass(frozen=True)
class AssessmentRecord:
	"""One Assessment Result: a student's total in one assessment of one course in one term.

	``score``/``maximum`` are the result's total and maximum score; when ``score`` is None the total is the
	sum of the criteria. ``date`` is the assessment plan's schedule date: results without one count as known
	at any cut-off date (so features "as of" mid-term only exclude dated results).
	"""

	student: str
	course: str
	term: str
	score: float | None = None
	maximum: float | None = None
	criteria: tuple[CriterionScore, ...] = ()
	grade: str | None = None
	date: dt.date | None = None

	def totals(self) -> tuple[float, float] | None:
		"""(score, maximum) of this result, or None when it has no usable maximum."""
		if self.score is not None and self.maximum:
			return float(self.score), float(self.maximum)
		if self.criteria:
			maximum = sum(c.maximum for c in self.criteria)
			if maximum > 0:
				return float(sum(c.score for c in self.criteria)), float(maximum)
		return None


PRESENT, ABSENT, LEAVE = "Present", "Absent", "Leave"  # Student Attendance's status options


@dataclass(frozen=True)
class AttendanceRecord:
	"""One Student Attendance row. A school marking attendance per lesson has several rows a day."""

	student: str
	date: dt.date
	status: str  # Present | Absent | Leave


@dataclass(frozen=True)
class Incident:
	"""A behaviour incident (e.g. a Student Log the school classes as behaviour).

	``severity`` is the school's own scale; by default 1 = minor, 2 = moderate, 3 or more = serious
	(``FeatureSettings.serious_severity``)."""

	student: str
	date: dt.date
	severity: int = 1


@dataclass(frozen=True)
class TutorActivity:
	"""Messages a student sent to the AI tutor on one day."""

	student: str
	date: dt.date
	messages: int = 1


@dataclass(frozen=True)
class Term:
	"""An Academic Term (start and end inclusive)."""

	name: str
	start: dt.date
	end: dt.date

	def __post_init__(self):
		if self.end < self.start:
			raise ValueError(f"term {self.name!r} ends ({self.end}) before it starts ({self.start})")

	def contains(self, day: dt.date) -> bool:
		return self.start <= day <= self.end


@dataclass(frozen=True)
class GradeBand:
	"""A Grading Scale Interval: the grade for percentages from ``threshold`` up to the next band, with the
	interval's description (Education's ``grade_description``), which may say "Pass" or "Fail"."""

	grade: str
	threshold: float
	description: str | None = None


_PASS_WORD = re.compile(r"\bpass(?:ing)?\b", re.IGNORECASE)  # "Pass", "Lowest passing grade"
_FAIL_WORD = re.compile(r"\bfail", re.IGNORECASE)  # "Fail", "Failed", "Failing"


@dataclass(frozen=True)
class GradingScale:
	"""Education's grading scale: the grade of a percentage is the band with the highest threshold not above
	it (Education's ``get_grade``). ``pass_grade`` names the lowest passing grade; Education's scales have no
	such field, so when it is None the pass mark is read from the scale itself (:meth:`inferred_pass_grade`).
	"""

	bands: tuple[GradeBand, ...]
	pass_grade: str | None = None

	def __post_init__(self):
		if not self.bands:
			raise ValueError("a grading scale needs at least one band")
		if self.pass_grade is not None and self.pass_grade not in {b.grade for b in self.bands}:
			raise ValueError(f"pass grade {self.pass_grade!r} is not a grade of the scale")

	def grade_for(self, percentage: float | None) -> str | None:
		if percentage is None:
			return None
		best = None
		for band in sorted(self.bands, key=lambda b: b.threshold):
			if band.threshold <= percentage:
				best = band.grade
		return best

	@property
	def pass_mark(self) -> float | None:
		"""Threshold of the pass grade: the one given, else the one the scale itself shows (None if neither)."""
		grade = self.pass_grade or self.inferred_pass_grade()
		for band in self.bands:
			if band.grade == grade:
				return band.threshold
		return None

	def inferred_pass_grade(self) -> str | None:
		"""The lowest passing grade as the scale shows it, in this order:

		1. the lowest band whose grade or description says "pass" (e.g. D, "Pass");
		2. else, when some bands say "fail" (e.g. F "Fail", E "Failed"), the lowest band above all of them;
		3. else the bottom band is the failing grade when it starts at 0 % (A-F, A*-U, 1-5 with 0 % at the
		   bottom): the band above it is the pass grade. A scale whose bottom band starts above 0 % gives
		   no grade below it, so that band is the lowest pass.

		A scale with several failing bands that do not say so (e.g. 1-7 with 4 the pass) needs the pass
		mark set by the school."""
		bands = sorted(self.bands, key=lambda b: (b.threshold, b.grade))
		said = [b for b in bands if _PASS_WORD.search(b.grade) or _PASS_WORD.search(b.description or "")]
		if said:
			return said[0].grade
		failing = [b for b in bands if _FAIL_WORD.search(b.grade) or _FAIL_WORD.search(b.description or "")]
		if failing:
			above = [b for b in bands if b.threshold > max(f.threshold for f in failing)]
			return above[0].grade if above else None
		if bands[0].threshold > 0:
			return bands[0].grade
		return bands[1].grade if len(bands) > 1 else None


@dataclass
class SchoolData:
	"""Everything the features of one school are computed from.

	``school_days`` are the days the school is open (term days minus the holiday list); when empty, the days
	on which the school recorded any attendance are used, and failing those the term's weekdays.
	``enrolments`` (term -> students) adds students with no records yet. ``tutor`` is None when the school
	does not use the tutor (features stay empty), a list (possibly empty) when it does.
	``pass_mark`` (%) decides failing courses; when None, the grading scale's pass mark (its pass grade, given
	or inferred: :meth:`GradingScale.inferred_pass_grade`), else 50 %.
	"""

	terms: Sequence[Term]
	results: Sequence[AssessmentRecord] = ()
	attendance: Sequence[AttendanceRecord] = ()
	incidents: Sequence[Incident] = ()
	school_days: Iterable[dt.date] = ()
	grading_scale: GradingScale | None = None
	pass_mark: float | None = None
	tutor: Sequence[TutorActivity] | None = None
	enrolments: Mapping[str, Iterable[str]] = field(default_factory=dict)

	def __post_init__(self):
		names = [t.name for t in self.terms]
		if len(set(names)) != len(names):
			raise ValueError("term names must be unique")
		if self.pass_mark is not None and not 0 <= self.pass_mark <= 100:
			raise ValueError(f"pass mark must be between 0 and 100, not {self.pass_mark}")

	def resolved_pass_mark(self) -> float:
		if self.pass_mark is not None:
			return float(self.pass_mark)
		if self.grading_scale is not None and self.grading_scale.pass_mark is not None:
			return float(self.grading_scale.pass_mark)
		return DEFAULT_PASS_MARK
