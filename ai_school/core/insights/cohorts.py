"""Class and subject summaries from per-student term features (:mod:`.features`), for staff reports.

Plain data in, plain data out: the shell picks the students a user may see, loads their records, extracts the
features of one period (a term, a year or a date range) and passes them here. The numbers follow the
features' own definitions, so a report and a student's risk profile never disagree about what "failing" or
"chronically absent" means:

* a student's **course percentage** is the sum of their scores over the sum of the maxima in that course, and
  a course is **failing** below the pass mark;
* a student's **score** is the mean of their course percentages (in a course-based group: the group's course);
* **attendance** counts school days (a day marked per lesson counts by the share of lessons attended);
  "approaching chronic" is 5-9.9 % of days absent, "chronic" 10 % or more.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ai_school.core.insights.features import APPROACHING, CHRONIC, TermFeatures
from ai_school.core.insights.records import AssessmentRecord, GradingScale
from ai_school.core.insights.scores import CRITICAL, HIGH, LOW, MEDIUM

TIERS = (LOW, MEDIUM, HIGH, CRITICAL)  # in rising order of concern
WEAKEST_CRITERIA = 3


@dataclass(frozen=True)
class GroupSpec:
	"""A student group to summarise: its active students and, for a course-based group, its course."""

	name: str
	students: Sequence[str]
	course: str | None = None


@dataclass(frozen=True)
class GroupSummary:
	group: str
	students: int
	assessed: int  # students with at least one result in the period (in the group's course, if it has one)
	mean_score_pct: float | None  # mean of the assessed students' scores
	failing_pct: float | None  # share of assessed students failing a course (the group's course, if any)
	attendance_pct: float | None  # school days attended over days recorded, all students pooled
	approaching: int  # students 5-9.9 % absent
	chronic: int  # students 10 % or more absent
	tiers: dict[str, int] = field(default_factory=dict)  # risk tier -> students (from their profiles)


@dataclass(frozen=True)
class CourseSummary:
	course: str
	students: int  # students with a result in the course
	mean_pct: float
	median_pct: float
	pass_rate_pct: float  # share of those students at or above the pass mark
	failing: int
	results: int  # assessment results counted
	grades: tuple[tuple[str, int], ...]  # (grade, students) from the course's grading scale, best first
	criteria: tuple[tuple[str, float], ...]  # (criterion, %) every criterion, weakest first

	@property
	def weakest(self) -> tuple[tuple[str, float], ...]:
		return self.criteria[:WEAKEST_CRITERIA]


def student_score(features: TermFeatures, course: str | None = None) -> tuple[float, bool] | None:
	"""(score %, failing) of a student in the period: in `course` only when given, else over every course;
	None without results."""
	if course is not None:
		standing = next((s for s in features.courses if s.course == course), None)
		return None if standing is None else (standing.pct, standing.failing)
	if features.score_pct is None:
		return None
	return features.score_pct, bool(features.failing_courses)


def summarise_groups(
	groups: Iterable[GroupSpec],
	features: Mapping[str, TermFeatures],
	tiers: Mapping[str, str] | None = None,
) -> list[GroupSummary]:
	"""One summary per group, in the order given. `features` maps a student to their features for the period
	(students without any are counted as members only); `tiers` maps a student to their current risk tier."""
	tiers = tiers or {}
	out = []
	for group in groups:
		members = list(dict.fromkeys(group.students))
		scores, failing = [], 0
		recorded, absent = 0.0, 0.0
		approaching = chronic = 0
		for student in members:
			found = features.get(student)
			if found is None:
				continue
			score = student_score(found, group.course)
			if score is not None:
				scores.append(score[0])
				failing += score[1]
			if found.days_recorded:
				recorded += found.days_recorded
				absent += found.days_absent
				approaching += found.absence_band == APPROACHING
				chronic += found.absence_band == CHRONIC
		counts = Counter(tiers[s] for s in members if tiers.get(s) in TIERS)
		out.append(
			GroupSummary(
				group=group.name,
				students=len(members),
				assessed=len(scores),
				mean_score_pct=statistics.fmean(scores) if scores else None,
				failing_pct=100 * failing / len(scores) if scores else None,
				attendance_pct=100 * (1 - absent / recorded) if recorded else None,
				approaching=approaching,
				chronic=chronic,
				tiers={tier: counts.get(tier, 0) for tier in TIERS},
			)
		)
	return out


def summarise_courses(
	features: Iterable[TermFeatures],
	results: Iterable[AssessmentRecord],
	scales: Mapping[str, GradingScale] | None = None,
	courses: Iterable[str] | None = None,
) -> list[CourseSummary]:
	"""One summary per course with results, by course name. Course percentages and failing come from the
	features (the pass mark is theirs); `scales` maps a course to the grading scale its results use (grades
	are counted only for courses that have one); the criteria are pooled over the results given (sum of
	scores over sum of maxima per criterion). `courses` limits the output."""
	scales = scales or {}
	wanted = None if courses is None else set(courses)
	standings: dict[str, list] = defaultdict(list)
	for item in features:
		for standing in item.courses:
			if wanted is None or standing.course in wanted:
				standings[standing.course].append(standing)
	pooled: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
	counted: Counter = Counter()
	for result in results:
		if result.course not in standings or result.totals() is None:
			continue
		counted[result.course] += 1
		for criterion in result.criteria:
			if criterion.maximum > 0:
				total = pooled[result.course][criterion.criterion]
				total[0] += criterion.score
				total[1] += criterion.maximum
	out = []
	for course in sorted(standings):
		rows = standings[course]
		pcts = [s.pct for s in rows]
		failing = sum(1 for s in rows if s.failing)
		scale = scales.get(course)
		grades: Counter = Counter()
		if scale is not None:
			grades.update(scale.grade_for(p) for p in pcts)
		order = {band.grade: -band.threshold for band in scale.bands} if scale is not None else {}
		criteria = sorted(
			((name, 100 * score / maximum) for name, (score, maximum) in pooled[course].items()),
			key=lambda item: (item[1], item[0]),
		)
		out.append(
			CourseSummary(
				course=course,
				students=len(rows),
				mean_pct=statistics.fmean(pcts),
				median_pct=statistics.median(pcts),
				pass_rate_pct=100 * (len(rows) - failing) / len(rows),
				failing=failing,
				results=counted[course],
				grades=tuple(
					sorted(
						((g, n) for g, n in grades.items() if g is not None), key=lambda x: order.get(x[0], 0)
					)
				),
				criteria=tuple(criteria),
			)
		)
	return out


def tier_counts(tiers: Iterable[str]) -> dict[str, int]:
	"""Students per risk tier, every tier listed (Low to Critical)."""
	counts = Counter(t for t in tiers if t in TIERS)
	return {tier: counts.get(tier, 0) for tier in TIERS}
