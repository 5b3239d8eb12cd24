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
- Behaviour Incident and AI Intervention are staff-only: read-all staff see every record, an Instructor those
  of the students they teach this academic year (as above); students and guardians none, not even their own
  (no DocPerm and no family rule).
- Anyone else, Guest included: nothing.

Child tables (chat messages, risk factors, course standings, insight gaps) follow their parent: Frappe checks
the parent for a single row, and the query conditions below also cover list queries on the child itself.

Students and guardians get no staff residue on these records (ai_school/privacy.py): no version history,
no staff comments, no timeline in the form's docinfo.

Fields the server computes are guarded twice: students and guardians hold read-only DocPerms, and
`protect_computed_fields` undoes direct writes by anyone outside the staff roles.
"""

from dataclasses import dataclass
from functools import cached_property

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
	# the chatting student always; guardians only when the school lets them read tutor chats
	"AI Chat Session": Rule(user_field="user", family_switches=(None, "guardian_tutor_transcripts")),
	"AI Engagement Log": Rule(user_field="user"),
	"Assessment Insight": Rule(family_status=SHARED),
	"Behaviour Incident": Rule(family=False),
	"AI Intervention": Rule(family=False),
}

# the app's records students or guardians may read (their DocPerms grant read): no staff residue on these
FAMILY_READABLE = frozenset(doctype for doctype, rule in RULES.items() if rule.family) | {
	"AI Guardian Preference"  # a guardian reads (and edits) their own
}

CHILD_PARENTS = {
	"AI Chat Message": "AI Chat Session",
	"AI Risk Factor": "AI Student Profile",
	"AI Course Standing": "AI Student Profile",
	"Assessment Insight Gap": "Assessment Insight",
	"AI Intervention Check-in": "AI Intervention",
}


class Scope:
	"""The students a user may see records of, by relationship. Each relationship is read on first use, so a
	student opening their own chat never pays for the query of the groups they teach (none)."""

	def __init__(self, user: str = "Guest", read_all: bool = False):
		self.user, self.read_all = user, read_all

	@cached_property
	def own(self) -> frozenset[str]:
		return self._students(education_data.get_students_of_user)

	@cached_property
	def wards(self) -> frozenset[str]:
		return self._students(education_data.get_wards_of_user)

	@cached_property
	def taught(self) -> frozenset[str]:
		return self._students(education_data.get_students_taught_by_user)

	@property
	def family(self) -> frozenset[str]:
		return self.own | self.wards

	def _students(self, query) -> frozenset[str]:
		if self.read_all or self.user == "Guest":
			return frozenset()
		return frozenset(query(self.user))


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
	return Scope(
		user, read_all=user == "Administrator" or bool(READ_ALL_ROLES.intersection(frappe.get_roles(user)))
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


# --- reports ---------------------------------------------------------------------------------------------


def report_user(filters) -> str:
	"""Whose view a report shows: the signed-in user, or the user an Auto Email Report stamped into its
	filters as ``run_as`` when read-all staff run it (the scheduler runs reports as Administrator). ``run_as``
	only narrows: for anyone else it is ignored."""
	user = frappe.session.user
	run_as = (filters or {}).get("run_as")
	if run_as and run_as != user and get_scope(user).read_all:
		return run_as
	return user


def stamp_report_user(doc) -> None:
	"""Auto Email Report: put the schedule's user into its filters as ``run_as`` (read by
	:func:`report_user`), since Frappe's scheduler runs the report as Administrator."""
	filters = frappe.parse_json(doc.filters) if doc.filters else {}
	filters["run_as"] = doc.user
	doc.filters = frappe.as_json(filters, indent=None)


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


# --- guardians' own records (AI Guardian Preference, AI Guardian Notice) ----------------------------------
# Not about one student: read-all staff see every record, a guardian the records whose `user` is their own
# account (their preferences; AI Guardian Notice grants guardians no DocPerm, so it stays staff-only), anyone
# else none.


def has_guardian_record_permission(doc, ptype: str = "read", user: str | None = None) -> bool:
	user = user or frappe.session.user
	if get_scope(user).read_all:
		return True
	if user == "Guest" or doc.get("user") != user:
		return False
	if ptype not in ("read", "create") and doc.get("name"):
		# the stored record must be theirs too, not only the values sent
		return frappe.db.get_value(doc.doctype, doc.name, "user") in (None, user)
	return True


def get_guardian_record_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if get_scope(user).read_all:
		return ""
	if user == "Guest":
		return "1=0"
	return f"`tab{doctype}`.`user` = {_escape(user)}"


# --- instructors' tutor modes for a group (AI Tutor Group Mode) --------------------------------------------


def _groups_taught(user: str) -> frozenset[str]:
	return frappe.local_cache(
		"ai_school:groups_taught",
		user,
		lambda: frozenset(group.name for group in education_data.get_current_groups_taught_by_user(user)),
	)


def may_set_group_mode(student_group: str | None, user: str | None = None) -> bool:
	"""Read-all staff for any group; an Instructor for the groups they teach this academic year."""
	user = user or frappe.session.user
	return get_scope(user).read_all or (bool(student_group) and student_group in _groups_taught(user))


def group_mode_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool:
	"""has_permission hook of AI Tutor Group Mode: the group must be one the user may set modes for, before
	and after a change (moving an override to one's own group must not hand over another group's)."""
	user = user or frappe.session.user
	if get_scope(user).read_all:
		return True
	if not may_set_group_mode(doc.get("student_group"), user):
		return False
	if ptype not in ("read", "create") and doc.get("name"):
		stored = frappe.db.get_value(doc.doctype, doc.name, "student_group")
		if stored and not may_set_group_mode(stored, user):
			return False
	return True


def get_group_mode_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of AI Tutor Group Mode: an Instructor lists their current groups' only."""
	user = user or frappe.session.user
	if get_scope(user).read_all:
		return ""
	groups = _groups_taught(user)
	if not groups:
		return "1=0"
	return _in("`tabAI Tutor Group Mode`.`student_group`", groups)


# --- safety alerts (AI Safety Alert) ---------------------------------------------------------------------
# Staff-only and narrower than the other student records: Administrator, System Manager, Education Manager and
# the safeguarding contacts of AI School Settings see every alert; an Instructor the alerts of the students they
# teach this academic year (as above); other staff (an Academics User who is not a contact), students and
# guardians none. The DocPerms (System Manager, Education Manager, Academics User, Instructor) decide what each
# may do; a safeguarding contact needs one of those roles to open alerts in the desk.

SAFETY_ALERT = "AI Safety Alert"
SAFETY_READ_ALL_ROLES = frozenset({"System Manager", "Education Manager"})


def safeguarding_contacts() -> frozenset[str]:
	"""The users AI School Settings names as safeguarding contacts (computed once per request)."""
	return frappe.local_cache(
		"ai_school:safeguarding_contacts",
		"users",
		lambda: frozenset(
			frappe.get_all(
				"AI Safeguarding Contact",
				filters={"parent": "AI School Settings", "parentfield": "safeguarding_contacts"},
				pluck="user",
			)
		),
	)


def sees_all_safety_alerts(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	if user == "Guest":
		return False
	return bool(SAFETY_READ_ALL_ROLES.intersection(frappe.get_roles(user))) or user in safeguarding_contacts()


def _alert_students(user: str) -> frozenset[str]:
	scope = get_scope(user)
	if not scope.read_all:
		return scope.taught
	# an Academics User's scope lists no students; for alerts only those they teach count
	return frappe.local_cache(
		"ai_school:alert_students",
		user,
		lambda: frozenset(education_data.get_students_taught_by_user(user)),
	)


def safety_alert_has_permission(doc, ptype: str = "read", user: str | None = None) -> bool:
	"""has_permission hook of AI Safety Alert (see above); a change must leave the alert about a student the
	user teaches, and the stored alert must be one too."""
	user = user or frappe.session.user
	if sees_all_safety_alerts(user):
		return True
	students = _alert_students(user)
	if doc.get("student") not in students:
		return False
	if ptype not in ("read", "create") and doc.get("name"):
		stored = frappe.db.get_value(SAFETY_ALERT, doc.name, "student")
		if stored and stored not in students:
			return False
	return True


def get_safety_alert_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of AI Safety Alert: an Instructor lists their current students' alerts."""
	user = user or frappe.session.user
	if sees_all_safety_alerts(user):
		return ""
	students = _alert_students(user)
	if not students:
		return "1=0"
	return _in(f"`tab{SAFETY_ALERT}`.`student`", students)
