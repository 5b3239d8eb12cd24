"""The AI School workspace as the desk serves it: in the sidebar of staff who can use it, with its cards and
shortcuts, and absent for desk users with nothing to open in it."""

import json

import frappe
from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items
from frappe.desk.query_report import run
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
	"At-Risk Students",
	"Class Comparison",
	"Subject Analysis",
	"Attendance Risk",
}
REPORTS = {"At-Risk Students", "Class Comparison", "Subject Analysis", "Attendance Risk"}
NUMBER_CARDS = {
	"AI High or Critical Risk",
	"AI Chronically Absent",
	"AI Approaching Chronic Absence",
	"AI Open Safety Alerts",
	"AI Open Interventions",
	"AI Declining Students",
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
		self.assertEqual(REPORTS - shortcuts, set())
		cards = {card.number_card_name for card in content["number_cards"]["items"]}
		self.assertEqual(cards, NUMBER_CARDS)
		self.assertEqual([chart.chart_name for chart in content["charts"]["items"]], ["AI Risk Tiers"])

	def test_instructors_see_only_what_they_may_open(self):
		frappe.set_user(make_user(("Instructor",)))
		self.assertIn(WORKSPACE, sidebar())
		links = {link.link_to for card in page()["cards"]["items"] for link in card["links"]}
		self.assertIn("Timetable Plan", links)
		# Instructor Absence, the settings and the risk model versions are for academic staff only
		self.assertNotIn("Instructor Absence", links)
		self.assertNotIn("AI School Settings", links)
		self.assertNotIn("AI Risk Model", links)
		# the early-warning reports, cards and the tier chart are for them too
		self.assertEqual(REPORTS - links, set())
		content = page()
		self.assertEqual({card.number_card_name for card in content["number_cards"]["items"]}, NUMBER_CARDS)
		self.assertEqual([chart.chart_name for chart in content["charts"]["items"]], ["AI Risk Tiers"])

	def test_the_tier_chart_is_the_at_risk_report_chart(self):
		chart = frappe.get_doc("Dashboard Chart", "AI Risk Tiers")
		self.assertEqual(
			(chart.chart_type, chart.report_name, chart.use_report_chart), ("Report", "At-Risk Students", 1)
		)
		frappe.set_user(make_user(("Instructor",)))
		self.assertTrue(frappe.has_permission("Dashboard Chart", doc=chart.name))
		# run as the chart widget runs it: every tier, counted per user (no shared cache)
		result = run(chart.report_name, filters=json.loads(chart.filters_json), ignore_prepared_report=1)
		self.assertEqual(result["chart"]["data"]["labels"], ["Low", "Medium", "High", "Critical"])

	def test_managers_find_the_risk_model_versions(self):
		frappe.set_user(make_user(("Education Manager",)))
		links = {link.link_to for card in page()["cards"]["items"] for link in card["links"]}
		self.assertIn("AI Risk Model", links)

	def test_other_desk_users_do_not_get_it(self):
		frappe.set_user(make_user(("Accounts User",)))
		self.assertNotIn(WORKSPACE, sidebar())
