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
}


def workspace() -> dict:
	return json.loads(WORKSPACE.read_text())


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
