"""Fill the `user` field that personal data requests filter by on records made before it existed: Assessment
Insights take their student's portal user, child rows the user of their parent."""

from collections import defaultdict

import frappe

from ai_school import education_data

CHILDREN = (
	("AI Chat Message", "AI Chat Session"),
	("AI Risk Factor", "AI Student Profile"),
	("AI Course Standing", "AI Student Profile"),
	("Assessment Insight Gap", "Assessment Insight"),
)


def execute():
	set_insight_users()
	for child, parent in CHILDREN:
		copy_parent_user(child, parent)


def set_insight_users():
	students = frappe.get_all(
		"Assessment Insight", filters={"user": ("is", "not set")}, pluck="student", distinct=True
	)
	for student in filter(None, students):
		user = education_data.get_user_of_student(student)
		if user:
			frappe.db.set_value(
				"Assessment Insight", {"student": student}, "user", user, update_modified=False
			)


def copy_parent_user(child: str, parent: str):
	parents_by_user = defaultdict(list)
	for row in frappe.get_all(parent, filters={"user": ("is", "set")}, fields=["name", "user"]):
		parents_by_user[row.user].append(row.name)
	table = frappe.qb.DocType(child)
	for user, names in parents_by_user.items():
		for start in range(0, len(names), 500):
			(
				frappe.qb.update(table)
				.set(table.user, user)
				.where((table.parenttype == parent) & table.parent.isin(names[start : start + 500]))
			).run()
