"""Record rules for the app's student data, wired in hooks for list queries and single documents.

Roles (DocPerm) decide what a user may do with a DocType; these rules narrow which records:

- Administrator, System Manager, Education Manager, Academics User: every record.
- Instructor: records of the active students of the enabled Student Groups they instruct in the current
  academic year (Education Settings' Current Academic Year; if unset, the years whose dates include today; if
  none, no student records). Last year's classes give no access.
- Guardian: records of their wards (the students whose guardians table names them).
- Student: their own records; chat sessions and engagement logs also when they are the chatting user.
- Students and guardians see an Assessment Insight only once a teacher has set it to Shared; an Instructor may
  share (or change a shared) insight only for a group they teach this year, or for its course when they teach
  the student that course this year.
- AI Student Profile (risk score, tier and reasons) is staff-only unless AI School Settings shares it: the
  student sees their own with *Show Risk Scores to Students*, guardians their wards' with *Show Risk Scores to
  Guardians*.
- Behaviour Incident is staff-only: read-all staff see every incident, an Instructor those of the students they
  teach this academic year (as above); students and guardians none, not even their own (no DocPerm and no
  family rule).
- Anyone else, Guest included: nothing.

Child tables (chat messages, risk factors, course standings, insight gaps) follow their parent: Frappe checks
the parent for a single row, and the query conditions below also cover list queries on the child itself.

Students and guardians get no staff residue on these records (ai_school/privacy.py): no version history,
no staff comments, no timeline in the form's docinfo.

Fields the server computes are guarded twice: students and guardians hold read-only DocPerms, and
`protect_computed_fields` undoes direct writes by anyone outside the staff roles.
"""

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.model import table_fields

from ai_school import education_data

READ_ALL_ROLES = frozenset({"System Manager", "Education Manager", "Academics User"})
# may write server-computed fields directly (e.g. a teacher editing AI suggestions before sharing them)
STAFF_ROLES = READ_ALL_ROLES | {"Instructor"}

SHARED = "Shared"


@dataclass(frozen=True)
class Rule:
	"""How a DocType's records relate to a user beyond the `student` field every one of them has."""

	user_field: str | None = None  # the user the record is about, when it names one
	family_status: str | None = None  # the status a record needs before its student or guardians see it
	family: bool = True  # False: staff-only, the student and their guardians never see the record
	# AI School Settings switches that must be on before the student (first) and their guardians (second) see
	# the record at all; None (for both or either): no switch
	family_switches: tuple[str | None, str | None] | None = None


RULES = {
	# risk scores and their reasons are staff-only unless the school shares them (AI School Settings)
	"AI Student Profile": Rule(family_switches=("share_risk_with_students", "share_risk_with_guardians")),
	"AI Chat Session": Rule(user_field="user"),
	"AI Engagement Log": Rule(user_field="user"),
	"Assessment Insight": Rule(family_status=SHARED),
	"Behaviour Incident": Rule(family=False),
}

# the app's records students or guardians may read (their DocPerms grant read): no staff residue on these
FAMILY_READABLE = frozenset(doctype for doctype, rule in RULES.items() if rule.family)

CHILD_PARENTS = {
	"AI Chat Message": "AI Chat Session",
	"AI Risk Factor": "AI Student Profile",
	"AI Course Standing": "AI Student Profile",
	"Assessment Insight Gap": "Assessment Insight",
}


@dataclass(frozen=True)
class Scope:
	"""The students a user may see records of, by relationship."""

	read_all: bool = False
	own: frozenset[str] = frozenset()
	wards: frozenset[str] = frozenset()
	taught: frozenset[str] = frozenset()

	@property
	def family(self) -> frozenset[str]:
		return self.own | self.wards


def get_scope(user: str | None = None) -> Scope:
	"""The user's scope, computed once per request (frappe.set_user also starts afresh)."""
	user = user or frappe.session.user
	return frappe.local_cache("ai_school:record_scope", user, lambda: _build_scope(user))


def family_scope(rule: Rule, scope: Scope) -> frozenset[str]:
	"""The students whose records of this kind the user sees as the student or a guardian."""
	if not rule.family:
		return frozenset()
	if rule.family_switches is None:
		return scope.family
	students_switch, guardians_switch = rule.family_switches
	own = scope.own if students_switch is None or _switched_on(students_switch) else frozenset()
	wards = scope.wards if guardians_switch is None or _switched_on(guardians_switch) else frozenset()
	return own | wards


def _switched_on(fieldname: str) -> bool:
	return bool(frappe.db.get_single_value("AI School Settings", fieldname))


def _build_scope(user: str) -> Scope:
	if user == "Administrator":
		return Scope(read_all=True)
	if user == "Guest":
		return Scope()
	if READ_ALL_ROLES.intersection(frappe.get_roles(user)):
		return Scope(read_all=True)
	return Scope(
		own=frozenset(education_data.get_students_of_user(user)),
		wards=frozenset(education_data.get_wards_of_user(user)),
		taught=frozenset(education_data.get_students_taught_by_user(user)),
	)


# --- single documents ------------------------------------------------------------------------------------


def has_permission(doc, ptype: str = "read", user: str | None = None) -> bool:
	"""has_permission hook: False hides the record; True leaves the decision to the role permissions."""
	user = user or frappe.session.user
	scope = get_scope(user)
	if scope.read_all:
		return True
	rule = RULES[doc.doctype]
	if not _row_allowed(rule, scope, user, _values(doc)):
		return False
	if ptype not in ("read", "create") and doc.get("name"):
		# a write is checked against the values the user sends; the stored ones must be in scope too,
		# or moving a record to a permitted student would hand over someone else's record
		stored = frappe.db.get_value(doc.doctype, doc.name, list(_rule_fields(rule)), as_dict=True)
		if stored and not _row_allowed(rule, scope, user, stored):
			return False
	return True


def _rule_fields(rule: Rule) -> tuple[str, ...]:
	return (
		("student",)
		+ ((rule.user_field,) if rule.user_field else ())
		+ (("status",) if rule.family_status else ())
	)


def _values(doc) -> dict:
	values = {fieldname: doc.get(fieldname) for fieldname in ("student", "user", "status")}
	if not values["student"] and doc.doctype == "Assessment Insight" and doc.get("assessment_result"):
		# a new insight learns its student from the result only in validate, after the create check
		context = education_data.get_assessment_result_context(doc.assessment_result)
		values["student"] = context and context.student
	return values


def _row_allowed(rule: Rule, scope: Scope, user: str, values: dict) -> bool:
	student = values.get("student")
	if rule.user_field and values.get(rule.user_field) == user:
		return True
	if student in scope.taught:
		return True
	if student in family_scope(rule, scope):
		return rule.family_status is None or values.get("status") == rule.family_status
	return False


# --- list queries ----------------------------------------------------------------------------------------


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions hook for the app's student DocTypes and their child tables."""
	user = user or frappe.session.user
	if doctype in CHILD_PARENTS:
		parent = CHILD_PARENTS[doctype]
		condition = _conditions(parent, user)
		if not condition:
			return ""
		return (
			f"`tab{doctype}`.`parenttype` = {_escape(parent)} and `tab{doctype}`.`parent` in "
			f"(select `tab{parent}`.`name` from `tab{parent}` where {condition})"
		)
	return _conditions(doctype, user)


def _conditions(doctype: str, user: str) -> str:
	scope = get_scope(user)
	if scope.read_all:
		return ""
	rule = RULES[doctype]
	table = f"`tab{doctype}`"
	alternatives = []
	if rule.user_field:
		alternatives.append(f"{table}.`{rule.user_field}` = {_escape(user)}")
	if scope.taught:
		alternatives.append(_in(f"{table}.`student`", scope.taught))
	if family := family_scope(rule, scope):
		family = _in(f"{table}.`student`", family)
		if rule.family_status:
			family = f"({family} and {table}.`status` = {_escape(rule.family_status)})"
		alternatives.append(family)
	if not alternatives:
		return "1=0"
	return "(" + " or ".join(alternatives) + ")"


def _in(column: str, values: frozenset[str]) -> str:
	return f"{column} in ({', '.join(_escape(value) for value in sorted(values))})"


def _escape(value: str) -> str:
	# list queries run without a values argument, so a doubled % would reach the database as is
	return frappe.db.escape(value, percent=False)


# --- computed fields -------------------------------------------------------------------------------------


def is_staff(user: str | None = None) -> bool:
	"""Administrator or a holder of a staff role (Instructors included)."""
	user = user or frappe.session.user
	return user == "Administrator" or bool(STAFF_ROLES.intersection(frappe.get_roles(user)))


def can_write_computed_fields(user: str | None = None) -> bool:
	return is_staff(user)


def protect_computed_fields(doc, fieldnames: tuple[str, ...]) -> None:
	"""Undo a non-staff user's direct changes to fields the server computes.

	Server code (tutor API, insight jobs) saves with ignore_permissions; a REST or desk write never does,
	so only those writes are reverted — to the stored values, or to the defaults for a new record."""
	if doc.flags.ignore_permissions or can_write_computed_fields():
		return
	original = doc.get_doc_before_save() or frappe.new_doc(doc.doctype)
	for fieldname in fieldnames:
		if doc.meta.get_field(fieldname).fieldtype in table_fields:
			doc.set(fieldname, [row.as_dict() for row in original.get(fieldname)])
		else:
			doc.set(fieldname, original.get(fieldname))


# --- sharing insights ------------------------------------------------------------------------------------


def may_share_insight(doc, user: str | None = None) -> bool:
	"""Whether `user` may leave `doc` (an Assessment Insight) Shared with the student and their guardians:
	read-all staff always; an Instructor for an insight of a group they teach this academic year, or of a
	course they teach the student this year (through a current group of that course the student is active in).
	"""
	user = user or frappe.session.user
	if get_scope(user).read_all:
		return True
	groups = education_data.get_current_groups_taught_by_user(user)
	if doc.student_group and doc.student_group in {group.name for group in groups}:
		return True
	course_groups = [group.name for group in groups if doc.course and group.course == doc.course]
	return education_data.is_active_in_groups(doc.student, course_groups)


def check_insight_sharing(doc) -> None:
	"""Refuse a save that leaves an insight Shared by an instructor who does not teach its group or course."""
	if doc.status != SHARED or may_share_insight(doc):
		return
	frappe.throw(
		_(
			"Only the instructors of {0} this academic year can share this insight with the student and "
			"their guardians."
		).format(frappe.bold(doc.student_group or doc.course or doc.assessment_result)),
		frappe.PermissionError,
		title=_("Not Your Class"),
	)
