app_name = "ai_school"
app_title = "AI School"
app_publisher = "ai_school contributors"
app_description = "AI for schools running ERPNext + Education: tutor, early warning, assessment insights, timetabling, teacher tools"
app_email = "dev@ai-school.local"
app_license = "mit"

required_apps = ["erpnext", "education"]

export_python_type_annotations = True

# Installation
# ------------

after_install = "ai_school.install.after_install"
before_uninstall = "ai_school.install.before_uninstall"

# run-tests: lift Frappe's sign-up throttle in the test process (a demo load makes ~800 users an hour)
before_tests = "ai_school.tests.utils.before_tests"

# Permissions
# -----------
# One rule set for list views, reports, get_list and single documents (ai_school/permissions.py).

_student_record_doctypes = (
	"AI Student Profile",
	"AI Chat Session",
	"AI Engagement Log",
	"Assessment Insight",
	"Behaviour Incident",
)

permission_query_conditions = {
	doctype: "ai_school.permissions.get_permission_query_conditions"
	for doctype in (
		*_student_record_doctypes,
		# child tables queried on their own (get_list with parent_doctype) follow their parent's rule
		"AI Chat Message",
		"AI Risk Factor",
		"AI Course Standing",
		"Assessment Insight Gap",
	)
}

has_permission = {doctype: "ai_school.permissions.has_permission" for doctype in _student_record_doctypes}

# Personal data (Frappe's download / deletion requests)
# -----------------------------------------------------
# Every record derived from a student's data, child tables included, found by the account it is about: the
# chatting user of a session, the student's portal user of a profile or insight. Child rows carry a copy of
# their parent's user (set by the parent's controller). A deletion request redacts the free text and names
# listed and, as Frappe does for every Link to the User, renames the account to the anonymous id.

user_data_fields = [
	{
		"doctype": "AI Chat Session",
		"filter_by": "user",
		"redact_fields": ["topic", "summary", "student_name"],
		"partial": 1,
	},
	{"doctype": "AI Chat Message", "filter_by": "user", "redact_fields": ["content"], "partial": 1},
	{
		"doctype": "AI Student Profile",
		"filter_by": "user",
		"redact_fields": ["learning_preferences", "student_name"],
		"partial": 1,
	},
	{"doctype": "AI Risk Factor", "filter_by": "user", "redact_fields": ["explanation"], "partial": 1},
	{"doctype": "AI Course Standing", "filter_by": "user", "partial": 1},
	{
		"doctype": "Assessment Insight",
		"filter_by": "user",
		"redact_fields": ["suggestions", "student_name"],
		"partial": 1,
	},
	{"doctype": "Assessment Insight Gap", "filter_by": "user", "redact_fields": ["note"], "partial": 1},
	{"doctype": "AI Engagement Log", "filter_by": "user", "redact_fields": ["error_message"], "partial": 1},
	{
		"doctype": "Behaviour Incident",
		"filter_by": "user",
		"redact_fields": ["description", "action_taken", "student_name"],
		"partial": 1,
	},
]

# No staff residue on records students and guardians read (ai_school/privacy.py)
# ------------------------------------------------------------------------------

override_whitelisted_methods = {
	"frappe.desk.form.load.getdoc": "ai_school.api.form.getdoc",
	"frappe.desk.form.load.get_docinfo": "ai_school.api.form.get_docinfo",
	"frappe.desk.form.load.get_communications": "ai_school.api.form.get_communications",
}

# Document events
# ---------------

doc_events = {
	"Guardian": {"on_update": "ai_school.integrations.education.guardian.grant_portal_role"},
	"Comment": {"validate": "ai_school.privacy.refuse_staff_comment"},
	"Communication": {"on_update": "ai_school.privacy.clear_comment_cache"},
	# early warning: recompute the student's profile (one deduplicated job drains a set of students)
	"Assessment Result": {
		"on_submit": "ai_school.integrations.education.insights.assessment_result_changed",
		"on_cancel": "ai_school.integrations.education.insights.assessment_result_changed",
	},
	"Student Attendance": {
		"on_submit": "ai_school.integrations.education.insights.attendance_changed",
		"on_cancel": "ai_school.integrations.education.insights.attendance_changed",
	},
	"Behaviour Incident": {
		"on_update": "ai_school.integrations.education.insights.incident_changed",
		"on_trash": "ai_school.integrations.education.insights.incident_changed",
	},
	# early-warning panels: the server tells the form whether the user may see them
	"Student": {"onload": "ai_school.integrations.education.panels.student_onload"},
	"Student Group": {"onload": "ai_school.integrations.education.panels.student_group_onload"},
}

# Early-warning panels on Education's forms (ai_school/public/js/insights/; panels.js holds the shared helpers)
doctype_js = {
	doctype: ["public/js/insights/panels.js", f"public/js/insights/{script}.js"]
	for doctype, script in (
		("Student", "student"),
		("Student Group", "student_group"),
		("Assessment Result", "assessment_result"),
	)
}

# Scheduled tasks
# ---------------

scheduler_events = {
	# tutor conversations older than AI School Settings' chat retention, in committed batches
	"daily_long": [
		"ai_school.tutor.retention.delete_expired_chats",
		# every student's early-warning profile, in committed chunks
		"ai_school.insights.risk.recompute_all",
	],
}

# the student's way to the tutor from the portal (/me and the portal sidebar)
portal_menu_items = [{"title": "AI Tutor", "route": "/tutor", "role": "Student"}]
