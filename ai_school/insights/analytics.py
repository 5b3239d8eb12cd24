"""Staff reports on the early warning: at-risk students, class comparison, subject analysis, attendance risk.

One function per report, shared by the Script Reports (``ai_school/insights/report/*``) and the whitelisted
methods (``ai_school/api/reports.py``), so a report and the API always return the same rows.

What a user sees: read-all staff (System Manager, Education Manager, Academics User) every student; an
Instructor only the students of the groups they teach in the current academic year, and in Class Comparison
only those groups (:func:`ai_school.permissions.get_scope`, the rule every AI record follows). Profiles are
read with ``frappe.get_list``, so the same permission query conditions apply; Education's records come through
the adapter and are narrowed to those students here.

The period is an academic term, or a whole academic year when no term is chosen; with no filter at all, the
current term (Education Settings). Scores and attendance are computed from Education's records for that
period with the early warning's own features (:mod:`ai_school.core.insights.features`), loaded the way the
risk job loads them (:mod:`ai_school.insights.risk`); risk tiers and reasons are the students' current AI
Student Profiles.

Scheduled delivery (Auto Email Report) runs the report in a background job as Administrator; the schedule's
user is stamped into its filters (``run_as``), so the mail shows what that user may see
(:func:`check_auto_email_report`, :func:`ai_school.permissions.report_user`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import frappe
from frappe import _
from frappe.utils import flt, getdate, today

from ai_school import education_data
from ai_school.insights import risk
from ai_school.permissions import get_scope, report_user, stamp_report_user

PROFILE = "AI Student Profile"
AT_RISK, CLASS_COMPARISON, SUBJECT_ANALYSIS, ATTENDANCE_RISK = (
	"At-Risk Students",
	"Class Comparison",
	"Subject Analysis",
	"Attendance Risk",
)
REPORTS = (AT_RISK, CLASS_COMPARISON, SUBJECT_ANALYSIS, ATTENDANCE_RISK)
LINKED_DOCTYPES = ("Student", "Student Group", "Program", "Course")  # the reports' Link columns

TIERS = ("Low", "Medium", "High", "Critical")
TIER_CHOICES = {
	"High and Critical": ("High", "Critical"),
	"Critical": ("Critical",),
	"High": ("High",),
	"Medium": ("Medium",),
	"Low": ("Low",),
	"All": TIERS,
}
DEFAULT_TIER = "High and Critical"
GROUP_KINDS = ("Batch", "Course", "Activity", "All")
DEFAULT_GROUP_KIND = "Batch"
BAND_LABELS = {"ok": "Under 5 %", "approaching": "Approaching chronic", "chronic": "Chronic"}
BAND_CHOICES = {
	"Approaching or chronic": ("approaching", "chronic"),
	"Chronic": ("chronic",),
	"All": ("ok", "approaching", "chronic"),
}
DEFAULT_BAND = "Approaching or chronic"
TOP_REASONS = 3
COLORS = {"Low": "#29cd42", "Medium": "#ecad4b", "High": "#f5793a", "Critical": "#e24c4c"}


# --- filters ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Period:
	"""The stretch of school a report covers: one term, or a whole year."""

	academic_year: str
	academic_term: str | None
	start: dt.date
	end: dt.date
	terms: tuple  # core Term records holding the period's results, earliest first

	@property
	def key(self) -> str:
		return self.academic_term or self.academic_year

	def as_dict(self) -> dict:
		return {
			"academic_year": self.academic_year,
			"academic_term": self.academic_term,
			"from_date": str(self.start),
			"to_date": str(self.end),
		}


def resolve_period(filters) -> Period:
	"""The term (or year) the filters name; with neither, the current term, else the current year."""
	from ai_school.core.insights.records import Term

	year, term = filters.get("academic_year"), filters.get("academic_term")
	if not year and not term:
		term = education_data.get_current_academic_term()
		current_years = education_data.get_current_academic_years()
		if term and current_years and education_data.get_term_dates(term).academic_year not in current_years:
			term = None
		year = current_years[0] if current_years else None
		if not year and term:
			year = education_data.get_term_dates(term).academic_year
	if term:
		dates = education_data.get_term_dates(term)
		if not dates:
			frappe.throw(_("Academic Term {0} not found").format(frappe.bold(term)), frappe.ValidationError)
		if year and dates.academic_year and dates.academic_year != year:
			frappe.throw(
				_("Academic Term {0} is not a term of {1}").format(frappe.bold(term), frappe.bold(year)),
				frappe.ValidationError,
			)
		if not (dates.term_start_date and dates.term_end_date):
			frappe.throw(
				_("Academic Term {0} has no dates").format(frappe.bold(term)), frappe.ValidationError
			)
		start, end = getdate(dates.term_start_date), getdate(dates.term_end_date)
		return Period(dates.academic_year or year, term, start, end, (Term(term, start, end),))
	if not year:
		frappe.throw(
			_("Choose an Academic Year, or set the Current Academic Year in Education Settings"),
			frappe.ValidationError,
		)
	dates = education_data.get_academic_year_dates(year)
	if not dates:
		frappe.throw(_("Academic Year {0} not found").format(frappe.bold(year)), frappe.ValidationError)
	start, end = getdate(dates.year_start_date), getdate(dates.year_end_date)
	terms = tuple(
		Term(row.name, getdate(row.term_start_date), getdate(row.term_end_date))
		for row in education_data.get_terms_of_year(year)
		if row.term_start_date
		and row.term_end_date
		and getdate(row.term_end_date) >= getdate(row.term_start_date)
	)
	return Period(year, None, start, end, terms or (Term(year, start, end),))


def _has_period(filters) -> bool:
	return bool(
		filters.get("academic_year")
		or filters.get("academic_term")
		or education_data.get_current_academic_years()
		or education_data.get_current_academic_term()
	)


def _choice(filters, fieldname: str, choices, default: str) -> str:
	value = filters.get(fieldname) or default
	if value not in choices:
		frappe.throw(
			_("{0} must be one of: {1}").format(frappe.bold(fieldname), ", ".join(choices)),
			frappe.ValidationError,
		)
	return value


# --- who and which groups --------------------------------------------------------------------------------


@dataclasses.dataclass
class Selection:
	period: Period | None  # None: no academic year to take groups from (At-Risk Students only)
	students: list[str]  # the students the report covers, sorted
	groups: (
		list  # Student Group rows the report may list (name, group_based_on, program, course, academic_term)
	)
	members: dict[str, list[str]]  # group -> its active students the user may see
	class_of: dict[str, str]  # student -> the group shown next to them
	restricted: bool  # False: no group/program filter narrowed the students
	user: str  # whose view this is (permissions.report_user)


def select(
	filters, period: Period | None = None, taught_groups_only: bool = False, need_period: bool = True
) -> Selection:
	"""The students and groups of the period the filters name, narrowed to what the user may see.
	`need_period=False`: with no period to be had (no filter, no current year), no groups instead of an error.
	"""
	if period is None and (need_period or _has_period(filters)):
		period = resolve_period(filters)
	user = report_user(filters)
	scope = get_scope(user)
	visible = None if scope.read_all else scope.taught
	# A Batch group is the year's class: its term (Frappe fills it in from the session default when a group
	# is made) does not take it out of the year's other terms. Course and Activity groups run for their term.
	groups = [
		group
		for group in (education_data.get_student_groups_of_year(period.academic_year) if period else [])
		if not period.academic_term
		or group.group_based_on == "Batch"
		or group.academic_term in (None, "", period.academic_term)
	]
	if visible is not None and taught_groups_only:
		taught = {group.name for group in education_data.get_current_groups_taught_by_user(user)}
		groups = [group for group in groups if group.name in taught]
	members = {
		group: [s for s in students if visible is None or s in visible]
		for group, students in education_data.get_group_students([g.name for g in groups]).items()
	}
	class_of: dict[str, str] = {}
	for group in sorted(groups, key=lambda g: (g.group_based_on != "Batch", g.name)):
		for student in members.get(group.name, ()):
			class_of.setdefault(student, group.name)

	students: set[str] = {s for found in members.values() for s in found}
	restricted = False
	if filters.get("student_group"):
		restricted = True
		chosen = filters.student_group
		in_group = education_data.get_group_students([chosen]).get(chosen, [])
		students = {s for s in in_group if visible is None or s in visible}
		groups = [group for group in groups if group.name == chosen]
		class_of.update({s: chosen for s in students})
	if filters.get("program"):
		restricted = True
		year = period.academic_year if period else None
		enrolled = set(education_data.get_program_students(filters.program, year))
		students &= enrolled
		groups = [group for group in groups if group.program == filters.program]
	return Selection(period, sorted(students), groups, members, class_of, restricted, user)


# --- features for a period -------------------------------------------------------------------------------


def period_features(students: list[str], period: Period, terms=None) -> tuple[dict, object]:
	"""Each student's features over the period (a year's terms pooled into one), and the SchoolData they came
	from (results relabelled to the period). `terms` replaces the period's own terms (a date range)."""
	from ai_school.core.insights.features import extract_features
	from ai_school.core.insights.records import SchoolData, Term

	if not students:
		return {}, None
	terms = tuple(terms or period.terms)
	context = risk.Context(
		on_date=getdate(today()),
		term=terms[-1].name,
		terms=list(terms),
		school_days=risk._school_days(terms),
		pass_mark=_school_pass_mark(),
		medians={},
	)
	data, _strength = risk._school_data(students, context)
	whole = Term(period.key if len(terms) > 1 else terms[0].name, terms[0].start, max(t.end for t in terms))
	if len(terms) > 1:
		data = SchoolData(
			terms=[whole],
			results=[dataclasses.replace(r, term=whole.name) for r in data.results],
			attendance=data.attendance,
			school_days=data.school_days,
			grading_scale=data.grading_scale,
			pass_mark=data.pass_mark,
			enrolments={whole.name: students},
		)
	found = extract_features(data, terms=[whole.name], students=students)
	return {item.student: item for item in found}, data


def link_column(fieldname: str, label: str, doctype: str, width: int) -> dict:
	"""A Link column for users who may read `doctype`, plain text for the others: Frappe's report runner
	refuses the whole report when a Link column names a DocType the user cannot read (an Education Manager
	holds no DocPerm on Student or Student Group in Education 15)."""
	if frappe.has_permission(doctype, "read"):
		return {
			"fieldname": fieldname,
			"label": label,
			"fieldtype": "Link",
			"options": doctype,
			"width": width,
		}
	return {"fieldname": fieldname, "label": label, "fieldtype": "Data", "width": width}


def _school_pass_mark() -> float | None:
	"""The pass mark the risk job uses: risk.school_pass_mark() (None: the grading scale's pass grade) once
	that change is in; until then the settings' value, 50 % when unset."""
	if hasattr(risk, "school_pass_mark"):
		return risk.school_pass_mark()
	value = frappe.db.get_single_value("AI School Settings", "pass_mark")
	return flt(value) if value is not None else 50.0


def resolved_pass_mark(data) -> float | None:
	"""The pass mark the period's features used (the school's, else its grading scale's pass grade)."""
	return None if data is None else data.resolved_pass_mark()


def _round(value, digits: int = 1):
	return None if value is None else round(value, digits)


# --- At-Risk Students ------------------------------------------------------------------------------------


def at_risk_students(filters) -> frappe._dict:
	"""Students by their current risk profile, highest score first: tier, score, trend, top reasons and
	attendance. `tiers` counts every matching student per tier before the tier filter (the chart)."""
	filters = frappe._dict(filters or {})
	tier = _choice(filters, "tier", TIER_CHOICES, DEFAULT_TIER)
	min_score = flt(filters.get("min_score"))
	if not 0 <= min_score <= 100:
		frappe.throw(_("Minimum Score must be between 0 and 100"), frappe.ValidationError)
	# the profiles are the current ones: the period only names the groups (none without a year)
	selection = select(filters, need_period=False)
	profile_filters = {"risk_level": ("is", "set")}
	if selection.restricted:
		if not selection.students:
			return frappe._dict(rows=[], tiers=_tier_counts([]), period=selection.period, tier=tier)
		profile_filters["student"] = ("in", selection.students)
	profiles = frappe.get_list(
		PROFILE,
		user=selection.user,
		filters=profile_filters,
		fields=["name", "student", "student_name", "risk_score", "risk_level", "trend", "attendance_rate"],
		order_by="risk_score desc, student_name asc",
		limit_page_length=0,
	)
	profiles = [p for p in profiles if flt(p.risk_score) >= min_score]
	counts = _tier_counts(p.risk_level for p in profiles)
	wanted = set(TIER_CHOICES[tier])
	profiles = [p for p in profiles if p.risk_level in wanted]
	reasons = _top_reasons([p.name for p in profiles], selection.user)
	rows = [
		{
			"student": p.student,
			"student_name": p.student_name,
			"student_group": selection.class_of.get(p.student),
			"risk_level": p.risk_level,
			"risk_score": flt(p.risk_score),
			"trend": p.trend,
			"reasons": "; ".join(reasons.get(p.name, [])),
			"attendance_rate": _round(p.attendance_rate),
		}
		for p in profiles
	]
	return frappe._dict(rows=rows, tiers=counts, period=selection.period, tier=tier)


def _top_reasons(profiles: list[str], user: str) -> dict[str, list[str]]:
	if not profiles:
		return {}
	factors = frappe.get_list(
		"AI Risk Factor",
		user=user,
		filters={"parent": ("in", profiles), "parenttype": PROFILE, "impact": (">", 0)},
		fields=["parent", "explanation"],
		order_by="impact desc, idx asc",
		parent_doctype=PROFILE,
		limit_page_length=0,
	)
	out: dict[str, list[str]] = {}
	for row in factors:
		found = out.setdefault(row.parent, [])
		if len(found) < TOP_REASONS and row.explanation:
			found.append(row.explanation)
	return out


def _tier_counts(levels) -> dict[str, int]:
	from ai_school.core.insights.cohorts import tier_counts

	return tier_counts(levels)


def _current_tiers(students: list[str], user: str) -> dict[str, str]:
	if not students:
		return {}
	rows = frappe.get_list(
		PROFILE,
		user=user,
		filters={"student": ("in", students)},
		fields=["student", "risk_level"],
		limit_page_length=0,
	)
	return {row.student: row.risk_level for row in rows}


# --- Class Comparison ------------------------------------------------------------------------------------


def class_comparison(filters) -> frappe._dict:
	"""One row per student group of the period: students, mean score, failing share, attendance, absence
	bands and current risk tiers. Instructors get the groups they teach this academic year."""
	from ai_school.core.insights.cohorts import GroupSpec, summarise_groups

	filters = frappe._dict(filters or {})
	kind = _choice(filters, "group_based_on", GROUP_KINDS, DEFAULT_GROUP_KIND)
	selection = select(filters, taught_groups_only=True)
	groups = [
		group
		for group in selection.groups
		if (kind == "All" or group.group_based_on == kind)
		and (not filters.get("course") or group.course == filters.course)
	]
	chosen = set(selection.students)
	specs = []
	for group in groups:
		students = selection.members.get(group.name, [])
		if selection.restricted:
			students = [s for s in students if s in chosen]
		if students:
			specs.append(GroupSpec(group.name, students, group.course or None))
	everyone = sorted({s for spec in specs for s in spec.students})
	features, data = period_features(everyone, selection.period)
	summaries = summarise_groups(specs, features, _current_tiers(everyone, selection.user))
	details = {group.name: group for group in groups}
	rows = []
	for summary in summaries:
		group = details[summary.group]
		rows.append(
			{
				"student_group": summary.group,
				"group_based_on": group.group_based_on,
				"program": group.program,
				"course": group.course,
				"students": summary.students,
				"assessed": summary.assessed,
				"mean_score": _round(summary.mean_score_pct),
				"failing_share": _round(summary.failing_pct),
				"attendance": _round(summary.attendance_pct),
				"approaching_chronic": summary.approaching,
				"chronic": summary.chronic,
				**{tier.lower(): summary.tiers[tier] for tier in TIERS},
			}
		)
	return frappe._dict(
		rows=rows, period=selection.period, group_based_on=kind, pass_mark=resolved_pass_mark(data)
	)


# --- Subject Analysis ------------------------------------------------------------------------------------


def subject_analysis(filters) -> frappe._dict:
	"""One row per course with results in the period: students, mean and median %, pass rate by the pass
	mark, grades by the grading scale, weakest assessment criteria."""
	from ai_school.core.insights.cohorts import summarise_courses

	filters = frappe._dict(filters or {})
	selection = select(filters)
	courses = None
	if filters.get("course"):
		courses = [filters.course]
	elif filters.get("student_group"):
		course = next((g.course for g in selection.groups if g.name == filters.student_group), None)
		courses = [course] if course else None
	features, data = period_features(selection.students, selection.period)
	results = data.results if data is not None else []
	scales = {}
	if data is not None and data.grading_scale is not None:
		scales = {course: data.grading_scale for course in {r.course for r in results}}
	summaries = summarise_courses(features.values(), results, scales, courses=courses)
	names = education_data.get_course_names([s.course for s in summaries])
	rows = [
		{
			"course": s.course,
			"course_name": names.get(s.course, s.course),
			"students": s.students,
			"mean_score": _round(s.mean_pct),
			"median_score": _round(s.median_pct),
			"pass_rate": _round(s.pass_rate_pct),
			"failing": s.failing,
			"results": s.results,
			"grades": " · ".join(f"{grade} {n}" for grade, n in s.grades),
			"weakest_criteria": " · ".join(f"{name} {_round(pct):g} %" for name, pct in s.weakest),
			"criteria": [{"criterion": name, "score": _round(pct)} for name, pct in s.criteria],
		}
		for s in summaries
	]
	return frappe._dict(rows=rows, period=selection.period, pass_mark=resolved_pass_mark(data))


# --- Attendance Risk -------------------------------------------------------------------------------------


def attendance_risk(filters) -> frappe._dict:
	"""Students by their share of school days absent between two dates (the period's start to today by
	default): approaching-chronic (5-9.9 %) and chronic (10 % or more) bands, the last weeks' rate and
	absence streaks. `bands` counts students per band before the band filter (the chart)."""
	from ai_school.core.insights.records import Term

	filters = frappe._dict(filters or {})
	band = _choice(filters, "band", BAND_CHOICES, DEFAULT_BAND)
	period = resolve_period(filters)
	from_date = getdate(filters.get("from_date") or period.start)
	to_date = getdate(filters.get("to_date") or min(period.end, getdate(today())))
	if from_date > to_date:
		frappe.throw(_("From Date must not be after To Date"), frappe.ValidationError)
	selection = select(filters, period)
	features, _data = period_features(selection.students, period, terms=[Term("range", from_date, to_date)])
	recorded = [f for f in features.values() if f.days_recorded]
	counts = {label: 0 for label in BAND_LABELS.values()}
	for item in recorded:
		counts[BAND_LABELS[item.absence_band]] += 1
	wanted = set(BAND_CHOICES[band])
	names = education_data.get_student_names([f.student for f in recorded if f.absence_band in wanted])
	rows = [
		{
			"student": f.student,
			"student_name": names.get(f.student),
			"student_group": selection.class_of.get(f.student),
			"days_recorded": f.days_recorded,
			"days_absent": _round(f.days_absent),
			"absence_pct": _round(f.absence_pct),
			"band": BAND_LABELS[f.absence_band],
			"recent_absence_pct": _round(f.recent_absence_pct),
			"current_streak": f.current_absence_streak,
			"longest_streak": f.longest_absence_streak,
		}
		for f in sorted(recorded, key=lambda f: (-f.absence_pct, f.student))
		if f.absence_band in wanted
	]
	return frappe._dict(
		rows=rows, bands=counts, period=period, from_date=from_date, to_date=to_date, band=band
	)


# --- Auto Email Report ------------------------------------------------------------------------------------


def check_auto_email_report(doc, method=None) -> None:
	"""Auto Email Report validate, for these reports: the schedule shows what its user may see, and its user
	can open the records the report links to.

	Frappe's scheduler runs the report from a background job as Administrator, not as the report's user, so
	the user goes into the filters as ``run_as`` (:func:`ai_school.permissions.report_user`); and Frappe
	refuses to send a report whose Link columns name a DocType the report's user cannot read.
	"""
	if doc.report not in REPORTS or not doc.user:
		return
	unreadable = [dt for dt in LINKED_DOCTYPES if not frappe.has_permission(dt, "read", user=doc.user)]
	if unreadable:
		frappe.throw(
			_("{0} links to {1}, which {2} cannot open: give them the Academics User role first.").format(
				frappe.bold(doc.report), ", ".join(unreadable), frappe.bold(doc.user)
			),
			frappe.PermissionError,
			title=_("Not Allowed"),
		)
	stamp_report_user(doc)
