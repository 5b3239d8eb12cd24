"""The AI School workspace as the desk serves it: in the sidebar of staff who can use it, with its cards and
shortcuts, and absent for desk users with nothing to open in it."""

import json

import frappe
from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items
from frappe.tests.utils import FrappeTestCase

from ai_school.tests.utils import make_user

WORKSPACE = "AI School"
EXPECTED = {
	"Timetable Plan",
	"Instructor Absence",
	"Timetable Conflicts",
	"AI School Settings",
	"AI Engagement Log",
	"AI Student Profile",
	"Assessment Insight",
	"Behaviour Incident",
}


def sidebar() -> list[str]:
	return [page.name for page in get_workspace_sidebar_items()["pages"]]


def page() -> dict:
	return get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))


class TestAISchoolWorkspace(FrappeTestCase):
	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_staff_find_every_feature_in_it(self):
		frappe.set_user(make_user(("Academics User",)))
		self.assertIn(WORKSPACE, sidebar())
		content = page()
		links = {link.link_to for card in content["cards"]["items"] for link in card["links"]}
		self.assertEqual(EXPECTED - links, set())
		shortcuts = {item["link_to"] for item in content["shortcuts"]["items"]}
		self.assertEqual(
			{"Timetable Plan", "Instructor Absence", "Timetable Conflicts", "AI School Settings"} - shortcuts,
			set(),
		)

	def test_instructors_see_only_what_they_may_open(self):
		frappe.set_user(make_user(("Instructor",)))
		self.assertIn(WORKSPACE, sidebar())
		links = {link.link_to for card in page()["cards"]["items"] for link in card["links"]}
		self.assertIn("Timetable Plan", links)
		# Instructor Absence and the settings are for academic staff only
		self.assertNotIn("Instructor Absence", links)
		self.assertNotIn("AI School Settings", links)

	def test_other_desk_users_do_not_get_it(self):
		frappe.set_user(make_user(("Accounts User",)))
		self.assertNotIn(WORKSPACE, sidebar())
