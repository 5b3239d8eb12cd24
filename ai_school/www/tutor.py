"""/tutor: the student's chat with the AI tutor (portal page; the API is ai_school/api/tutor.py).

Only a signed-in student sees it (guests are sent to the login page); the courses offered are those they take
this year. Answers arrive as ``ai_school:tutor`` realtime events, or by polling ``get_history`` when the page
has no socket. Every text is shown as text (``textContent``), never as HTML.
"""

import frappe
from frappe import _

from ai_school import education_data, llm

no_cache = 1


def get_context(context):
	user = frappe.session.user
	if user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/tutor"
		raise frappe.Redirect
	students = education_data.get_students_of_user(user)
	if not students:
		frappe.throw(_("The AI tutor is for students."), frappe.PermissionError)
	context.no_cache = 1
	context.show_sidebar = False
	context.title = _("AI Tutor")
	context.enabled = bool(llm.settings().enable_tutor)
	context.courses = [
		{"name": course, "title": education_data.get_course_title(course)}
		for course in education_data.get_current_courses_of_student(students[0])
	]
	# the record rules limit this to the student's own chats
	context.sessions = frappe.get_list(
		"AI Chat Session",
		filters={"user": user, "status": ("in", ["Active", "Flagged"])},
		fields=["name", "course", "topic", "modified"],
		order_by="modified desc",
		limit_page_length=10,
	)
	return context
