"""The transparent ABC rule score: points for Attendance, Behaviour and Course performance (plus history),
with configurable cut-points. Works from the first day, with no history and no training.

Default cut-points and their sources:

* Attendance — missing 10 % or more of school days for any reason is *chronic absence* and 5-9.9 % is the
  "at risk" warning band (Attendance Works, *Present, Engaged and Accounted For*, 2008; US Department of
  Education, *Chronic Absenteeism in the Nation's Schools*, 2016; the National High School Center's Early
  Warning System flags under 90 % attendance: Therriault et al., 2013). Attendance under 80 % (20 % or more
  absent) in sixth grade left three in four students off the graduation path (Balfanz, Herzog & Mac Iver,
  2007, *Educational Psychologist* 42(4)), hence a top band.
* Course performance — a failed course is the strongest single warning sign; each further failure lowers
  the chance of graduating (Allensworth & Easton, *The On-Track Indicator as a Predictor of High School
  Graduation*, 2005, and *What Matters for Staying On-Track*, 2007; Balfanz et al. 2007: failing maths or
  English).
* Behaviour — incidents as a share of school days, as Panorama Education's early-warning dashboards report
  them, so a student whose incidents stop recovers; one serious incident counts as the top band (Balfanz et
  al. 2007: a suspension or poor behaviour mark; Bruce, Bridgeland, Fox & Balfanz, *On Track for Success*,
  2011, on the ABC indicators).
* History — earlier course failures and a falling average add a little; with no history they add nothing.

Points are whole numbers that sum to at most 100, so each student's reasons add up exactly to the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ai_school.core.insights.features import FeatureSettings, TermFeatures
from ai_school.core.insights.scores import Contribution, RiskScore, Tiers
from ai_school.core.insights.wording import INDICATORS, describe, pct


@dataclass(frozen=True)
class AbcCutpoints:
	"""Cut-points and points of the ABC rule (see the module docstring for the sources)."""

	# attendance: share of school days absent this term (%); bands are [approaching, chronic), [chronic,
	# severe), [severe, 100]
	approaching_absence_pct: float = 5.0
	chronic_absence_pct: float = 10.0
	severe_absence_pct: float = 20.0
	points_approaching: int = 10
	points_chronic: int = 25
	points_severe: int = 30
	# the last weeks at a chronic rate while the term's rate is not (an early sign); needs this many days
	recent_min_days: int = 10
	points_recent_chronic: int = 10
	# course performance: courses below the pass mark; "borderline" = no failure but a course within this
	# many percentage points above the pass mark
	points_one_failure: int = 25
	points_two_failures: int = 35
	borderline_margin: float = 5.0
	points_borderline: int = 10
	# behaviour: share of school days with an incident (%); any incident at or above serious_severity
	# (counted by the features) is the top band
	behaviour_moderate_pct: float = 2.0
	behaviour_high_pct: float = 5.0
	points_behaviour_moderate: int = 8
	points_behaviour_high: int = 15
	# history
	points_per_past_failure: int = 5
	max_past_failure_points: int = 10
	decline_points: float = 10.0  # the average fell at least this many percentage points since last term
	points_declining: int = 10
	tiers: Tiers = field(default_factory=Tiers)

	def __post_init__(self):
		if (
			not 0
			<= self.approaching_absence_pct
			<= self.chronic_absence_pct
			<= self.severe_absence_pct
			<= 100
		):
			raise ValueError("need 0 <= approaching <= chronic <= severe absence % <= 100")
		if not 0 <= self.behaviour_moderate_pct <= self.behaviour_high_pct <= 100:
			raise ValueError("need 0 <= behaviour_moderate_pct <= behaviour_high_pct <= 100")
		points = [v for k, v in vars(self).items() if k.startswith(("points_", "max_"))]
		if any(p < 0 for p in points):
			raise ValueError("points must not be negative")
		if self.max_points() > 100:
			raise ValueError(f"the points can add up to {self.max_points()}; at most 100 is allowed")

	def max_points(self) -> int:
		return (
			max(self.points_severe, self.points_chronic, self.points_approaching + self.points_recent_chronic)
			+ max(self.points_two_failures, self.points_one_failure, self.points_borderline)
			+ max(self.points_behaviour_high, self.points_behaviour_moderate)
			+ self.max_past_failure_points
			+ self.points_declining
		)

	def feature_settings(self) -> FeatureSettings:
		"""Feature settings whose absence bands match these cut-points."""
		return FeatureSettings(
			approaching_absence_pct=self.approaching_absence_pct, chronic_absence_pct=self.chronic_absence_pct
		)


def abc_score(
	features: TermFeatures,
	cutpoints: AbcCutpoints | None = None,
	medians: dict[str, float] | None = None,
) -> RiskScore:
	"""The ABC rule score of one student-term. ``medians`` (from :func:`features.school_medians`) add the
	school median to the reasons. Every indicator is listed, with 0 points when it raises no concern."""
	c = cutpoints or AbcCutpoints()
	m = medians or {}
	found = [
		_attendance(features, c, m),
		*_recent_attendance(features, c, m),
		_courses(features, c, m),
		_behaviour(features, c, m),
		_past_failures(features, c),
		*_trend(features, c),
	]
	score = sum(x.points for x in found)
	return RiskScore(score=score, tier=c.tiers.tier(score), base=0, contributions=tuple(found), method="abc")


def _contribution(name: str, value, points: int, text: str) -> Contribution:
	return Contribution(name=name, label=_LABELS[name], value=value, points=points, text=text)


_LABELS = {
	"attendance": "Attendance",
	"recent_attendance": "Recent attendance",
	"course_failures": "Course performance",
	"behaviour": "Behaviour",
	"past_failures": "Past failures",
	"trend": "Trend",
}


def _attendance(f: TermFeatures, c: AbcCutpoints, m) -> Contribution:
	v = f.absence_pct
	if v is None:
		return _contribution("attendance", None, 0, "Attendance: no records yet this term")
	if v >= c.severe_absence_pct:
		points = c.points_severe
	elif v >= c.chronic_absence_pct:
		points = c.points_chronic
	elif v >= c.approaching_absence_pct:
		points = c.points_approaching
	else:
		points = 0
	text = describe("absence_pct", v, median=m.get("absence_pct"), features=f)
	if v >= c.chronic_absence_pct:
		text += f" — chronic absence ({pct(c.chronic_absence_pct)} or more)"
	elif v >= c.approaching_absence_pct:
		text += " — approaching chronic absence"
	if f.current_absence_streak >= 2:
		text += f"; absent the last {f.current_absence_streak} school days in a row"
	return _contribution("attendance", v, points, text)


def _recent_attendance(f: TermFeatures, c: AbcCutpoints, m) -> list[Contribution]:
	v = f.recent_absence_pct
	if v is None or f.recent_days < c.recent_min_days or f.recent_days >= f.days_recorded:
		return []  # too few days, or the recent window is the whole term (already counted)
	term_chronic = f.absence_pct is not None and f.absence_pct >= c.chronic_absence_pct
	points = c.points_recent_chronic if v >= c.chronic_absence_pct and not term_chronic else 0
	text = INDICATORS["recent_absence_pct"][1](v, f, m.get("recent_absence_pct"))
	return [_contribution("recent_attendance", v, points, text)]


def _courses(f: TermFeatures, c: AbcCutpoints, m) -> Contribution:
	if not f.courses:
		return _contribution("course_failures", None, 0, "Course performance: no results yet this term")
	if f.n_failing:
		points = c.points_two_failures if f.n_failing >= 2 else c.points_one_failure
		text = describe("n_failing", f.n_failing, features=f)
		if f.score_pct is not None:
			text += f"; average {pct(f.score_pct)}"
			if "score_pct" in m:
				text += f" (school median {pct(m['score_pct'])})"
		return _contribution("course_failures", f.n_failing, points, text)
	lowest = min(f.courses, key=lambda s: (s.pct, s.course))
	borderline = lowest.pct < f.pass_mark + c.borderline_margin
	text = f"Passing all {f.n_courses} courses; lowest {lowest.course} at {pct(lowest.pct)}"
	text += f" (pass mark {pct(f.pass_mark)})"
	if borderline:
		text += " — close to failing"
	return _contribution("course_failures", 0, c.points_borderline if borderline else 0, text)


def _behaviour(f: TermFeatures, c: AbcCutpoints, m) -> Contribution:
	v = f.incident_day_pct
	if v is None:
		return _contribution("behaviour", None, 0, "Behaviour: no school days yet this term")
	if f.serious_incidents or v >= c.behaviour_high_pct:
		points = c.points_behaviour_high
	elif v >= c.behaviour_moderate_pct:
		points = c.points_behaviour_moderate
	else:
		points = 0
	text = describe("incident_day_pct", v, median=m.get("incident_day_pct"), features=f)
	if f.serious_incidents:
		text += f"; {describe('serious_incidents', f.serious_incidents).lower()}"
	return _contribution("behaviour", v, points, text)


def _past_failures(f: TermFeatures, c: AbcCutpoints) -> Contribution:
	if not f.history_terms:
		return _contribution("past_failures", None, 0, "No earlier terms on record")
	points = min(c.max_past_failure_points, c.points_per_past_failure * f.past_failures)
	return _contribution("past_failures", f.past_failures, points, describe("past_failures", f.past_failures))


def _trend(f: TermFeatures, c: AbcCutpoints) -> list[Contribution]:
	if f.score_change is None:
		return []
	points = c.points_declining if f.score_change <= -c.decline_points else 0
	return [
		_contribution("trend", f.score_change, points, describe("score_change", f.score_change, features=f))
	]
