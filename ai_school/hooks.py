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

# Permissions
# -----------
# One rule set for list views, reports, get_list and single documents (ai_school/permissions.py).

permission_query_conditions = {}

has_permission = {}

# Personal data (Frappe's download / deletion requests)
# -----------------------------------------------------

user_data_fields = []

# Document events
# ---------------

doc_events = {}

# Scheduled tasks
# ---------------

scheduler_events = {}
