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
	"AI Intervention",
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
		"AI Intervention Check-in",
	)
}

has_permission = {doctype: "ai_school.permissions.has_permission" for doctype in _student_record_doctypes}

# instructors' stricter tutor modes: the groups they teach this academic year (ai_school/permissions.py)
permission_query_conditions["AI Tutor Group Mode"] = "ai_school.permissions.get_group_mode_conditions"
has_permission["AI Tutor Group Mode"] = "ai_school.permissions.group_mode_has_permission"

# guardians' own records: a guardian their preferences, staff all (AI Guardian Notice is staff-only)
for _doctype in ("AI Guardian Preference", "AI Guardian Notice"):
	permission_query_conditions[_doctype] = "ai_school.permissions.get_guardian_record_conditions"
	has_permission[_doctype] = "ai_school.permissions.has_guardian_record_permission"

# safety alerts: staff-only, instructors their current students', safeguarding contacts all (ai_school/permissions.py)
permission_query_conditions["AI Safety Alert"] = "ai_school.permissions.get_safety_alert_conditions"
has_permission["AI Safety Alert"] = "ai_school.permissions.safety_alert_has_permission"

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
	{
		"doctype": "AI Intervention",
		"filter_by": "user",
		"redact_fields": ["student_name", "trigger_factors", "goal", "strategies", "outcome"],
		"partial": 1,
	},
	{"doctype": "AI Intervention Check-in", "filter_by": "user", "redact_fields": ["note"], "partial": 1},
	{"doctype": "AI Engagement Log", "filter_by": "user", "redact_fields": ["error_message"], "partial": 1},
	{
		"doctype": "AI Safety Alert",
		"filter_by": "user",
		"redact_fields": ["excerpt", "notes", "student_name"],
		"partial": 1,
	},
	{
		"doctype": "Behaviour Incident",
		"filter_by": "user",
		"redact_fields": ["description", "action_taken", "student_name"],
		"partial": 1,
	},
	# a guardian's own: their preferences (deleted with the account) and the notices sent to them
	{"doctype": "AI Guardian Preference", "filter_by": "user"},
	{"doctype": "AI Guardian Notice", "filter_by": "user", "redact_fields": ["email"], "partial": 1},
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
		"on_submit": [
			"ai_school.integrations.education.insights.assessment_result_changed",
			# guardians who want results straight away (ai_school/guardians/notices.py)
			"ai_school.integrations.education.guardian.result_submitted",
		],
		"on_cancel": "ai_school.integrations.education.insights.assessment_result_changed",
		# its Assessment Insights go with it (they link to it)
		"on_trash": "ai_school.integrations.education.insights.assessment_result_deleted",
	},
	"Student Attendance": {
		"on_submit": [
			"ai_school.integrations.education.insights.attendance_changed",
			# an absence: a same-day notice to the student's guardians (one deduplicated job sends them)
			"ai_school.integrations.education.guardian.attendance_submitted",
		],
		"on_cancel": "ai_school.integrations.education.insights.attendance_changed",
	},
	# a shared insight: guardians who want insights straight away
	"Assessment Insight": {"on_update": "ai_school.integrations.education.guardian.insight_updated"},
	"Behaviour Incident": {
		"on_update": "ai_school.integrations.education.insights.incident_changed",
		"on_trash": "ai_school.integrations.education.insights.incident_changed",
	},
	# the early-warning reports are mailed by a job that sees every student: only for users who do
	"Auto Email Report": {
		"validate": [
			"ai_school.insights.analytics.check_auto_email_report",
			# Tutor Usage: scoped to the report's user, not to the job's Administrator
			"ai_school.tutor.report.tutor_usage.tutor_usage.stamp_auto_email_user",
		]
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
# "Start Intervention" on the Student form and the AI Student Profile (ai_school/public/js/interventions.js)
doctype_js["Student"].append("public/js/interventions.js")
doctype_js["AI Student Profile"] = ["public/js/interventions.js"]

# Scheduled tasks
# ---------------

scheduler_events = {
	# tutor answers whose process died (Failed: Retry) and chats left with old Pending messages (queued again)
	"cron": {"* * * * *": ["ai_school.tutor.dispatch.recover_stalled"]},
	# tutor conversations older than AI School Settings' chat retention, in committed batches
	"daily_long": [
		"ai_school.tutor.retention.delete_expired_chats",
		# every student's early-warning profile, in committed chunks
		"ai_school.insights.risk.recompute_all",
		# guardians' weekly digest, on AI School Settings' digest weekday (once per ISO week)
		"ai_school.guardians.digest.daily",
	],
	# guardian notices still waiting (queued while the previous job was finishing)
	"hourly": ["ai_school.guardians.notices.sweep"],
	# retrain the risk model a week after a term ends (queues the job on the long queue; once per term)
	"daily": [
		"ai_school.insights.risk_model.retrain_after_term_end",
		# intervention owners: Notification Log reminders of due check-ins and end dates (each once)
		"ai_school.insights.interventions.send_reminders",
	],
}

# the student's way to the tutor from the portal (/me and the portal sidebar)
portal_menu_items = [
	{"title": "AI Tutor", "route": "/tutor", "role": "Student"},
	# guardians: their children's attendance, results, shared notes, tutor use and notification preferences
	{"title": "My Children", "route": "/guardian", "role": "Guardian"},
]
