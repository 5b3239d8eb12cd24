"""The AI School desk workspace (sidebar entry): its JSON is one Frappe syncs, and every shortcut and card
link points at a DocType or report the app defines, for roles that can open them."""

import json

from tests import appscan
from tests.appscan import PACKAGE

WORKSPACE = PACKAGE / "ai_school" / "workspace" / "ai_school" / "ai_school.json"
# what staff must find without searching (issue #9, item 12)
REQUIRED = {
	("DocType", "Timetable Plan"),
	("DocType", "Instructor Absence"),
	("Report", "Timetable Conflicts"),
	("DocType", "AI School Settings"),
	("DocType", "AI Engagement Log"),
	("DocType", "AI Student Profile"),
	("DocType", "Assessment Insight"),
	("DocType", "Behaviour Incident"),
	("Report", "At-Risk Students"),
	("Report", "Class Comparison"),
	("Report", "Subject Analysis"),
	("Report", "Attendance Risk"),
}


def workspace() -> dict:
	return json.loads(WORKSPACE.read_text())


def app_records(folder: str, doctype: str) -> dict[str, tuple[str, dict]]:
	"""Records Frappe syncs from <module>/<folder>/<name>/<name>.json: name -> (module folder's module, JSON)."""
	found = {}
	for module, module_dir in appscan.module_dirs().items():
		for path in module_dir.glob(f"{folder}/*/*.json"):
			meta = json.loads(path.read_text())
			if meta.get("doctype") == doctype and path.parent.name == path.stem == appscan.scrub(
				meta["name"]
			):
				found[meta["name"]] = (module, meta)
	return found


def app_reports() -> dict[str, dict]:
	found = {}
	for module_dir in appscan.module_dirs().values():
		for path in module_dir.glob("report/*/*.json"):
			meta = json.loads(path.read_text())
			if meta.get("doctype") == "Report":
				found[meta["name"]] = meta
	return found


def test_workspace_is_where_frappe_syncs_it():
	ws = workspace()
	assert ws["doctype"] == "Workspace"
	assert ws["name"] == ws["label"] == ws["title"] == "AI School"
	# frappe syncs <app>/<module folder>/workspace/<scrubbed name>/<scrubbed name>.json for modules.txt entries
	assert appscan.module_dirs()[ws["module"]] == WORKSPACE.parents[2]
	assert WORKSPACE.parent.name == appscan.scrub(ws["name"])
	assert ws["public"] == 1 and not ws["is_hidden"] and not ws["for_user"] and not ws["parent_page"]


def test_cards_and_shortcuts_cover_the_app_and_resolve():
	ws = workspace()
	doctypes, reports = appscan.app_doctypes(), app_reports()
	links = [(row["link_type"], row["link_to"]) for row in ws["links"] if row["type"] == "Link"]
	shortcuts = [(row["type"], row["link_to"]) for row in ws["shortcuts"]]
	assert REQUIRED <= set(links), REQUIRED - set(links)
	for kind, target in links + shortcuts:
		if kind == "DocType":
			assert target in doctypes, f"{target}: no such DocType in the app"
			assert not doctypes[target].meta.get("istable"), f"{target} is a child table"
		else:
			assert kind == "Report" and target in reports, f"{kind} {target}: not a report of the app"
	for row in ws["links"]:
		if row["type"] == "Link" and row["link_type"] == "Report":
			report = reports[row["link_to"]]
			assert row["is_query_report"] == (report["report_type"] in ("Script Report", "Query Report"))
			assert row["report_ref_doctype"] == report["ref_doctype"]


def test_content_blocks_name_existing_cards_and_shortcuts():
	ws = workspace()
	blocks = json.loads(ws["content"])
	cards = [row["label"] for row in ws["links"] if row["type"] == "Card Break"]
	shortcuts = [row["label"] for row in ws["shortcuts"]]
	assert sorted(b["data"]["card_name"] for b in blocks if b["type"] == "card") == sorted(cards)
	assert sorted(b["data"]["shortcut_name"] for b in blocks if b["type"] == "shortcut") == sorted(shortcuts)
	ids = [b["id"] for b in blocks]
	assert len(ids) == len(set(ids))
	# a card's link_count is the number of links under it (the desk shows that many)
	counts, current = {}, None
	for row in ws["links"]:
		if row["type"] == "Card Break":
			current = row["label"]
			counts[current] = row["link_count"]
		else:
			counts[current] -= 1
	assert all(left == 0 for left in counts.values()), counts


def test_roles_that_see_it_can_read_something_in_it():
	ws = workspace()
	doctypes = appscan.app_doctypes()
	readers: dict[str, set[str]] = {}
	for row in ws["links"]:
		if row["type"] == "Link" and row["link_type"] == "DocType":
			for perm in doctypes[row["link_to"]].meta.get("permissions", []):
				if perm.get("read"):
					readers.setdefault(perm["role"], set()).add(row["link_to"])
	roles = [row["role"] for row in ws["roles"]]
	assert roles, "no roles: every desk user (accounts, stock) would get the workspace"
	for role in roles:
		assert readers.get(role), f"{role} sees the workspace but can open nothing in it"


def test_number_cards_and_charts_ship_with_the_app():
	"""Every number card and chart the workspace shows is a standard record in its module's folder (synced by
	migrate), counts a DocType of the app or draws one of its reports, and has a content block."""
	ws = workspace()
	cards = app_records("number_card", "Number Card")
	charts = app_records("dashboard_chart", "Dashboard Chart")
	doctypes, reports = appscan.app_doctypes(), app_reports()
	blocks = json.loads(ws["content"])
	shown_cards = [row["number_card_name"] for row in ws["number_cards"]]
	shown_charts = [row["chart_name"] for row in ws["charts"]]
	assert shown_cards and shown_charts
	# the desk finds a block's widget by the row's label (frappe/public/js/frappe/views/workspace/blocks/block.js)
	card_labels = [row["label"] for row in ws["number_cards"]]
	chart_labels = [row["label"] for row in ws["charts"]]
	assert sorted(b["data"]["number_card_name"] for b in blocks if b["type"] == "number_card") == sorted(
		card_labels
	)
	assert sorted(b["data"]["chart_name"] for b in blocks if b["type"] == "chart") == sorted(chart_labels)
	for name in shown_cards:
		assert name in cards, f"number card {name} is not shipped in a module folder"
		module, card = cards[name]
		assert card["module"] == module and card["is_standard"] == 1 and card["is_public"] == 1
		assert card["type"] == "Document Type" and card["document_type"] in doctypes, name
		assert not card["show_percentage_stats"]
		for row in json.loads(card["filters_json"]):
			assert row[0] == card["document_type"] or row[0] in doctypes, row
	for name in shown_charts:
		assert name in charts, f"chart {name} is not shipped in a module folder"
		module, chart = charts[name]
		assert chart["module"] == module and chart["is_standard"] == 1 and chart["is_public"] == 1
		# a report chart runs per user; Frappe caches Group By / Count charts per chart for everyone
		assert (
			chart["chart_type"] == "Report" and chart["report_name"] in reports and chart["use_report_chart"]
		)


def test_reports_can_be_emailed_and_are_for_staff():
	"""Auto Email Report needs every filter applied on the server and no total row it would mail as data."""
	for name in ("At-Risk Students", "Class Comparison", "Subject Analysis", "Attendance Risk"):
		report = app_reports()[name]
		assert report["report_type"] == "Script Report" and report["is_standard"] == "Yes"
		assert report["add_total_row"] == 0 and report["prepared_report"] == 0
		roles = {row["role"] for row in report["roles"]}
		assert roles == {"Instructor", "Academics User", "Education Manager", "System Manager"}, name
