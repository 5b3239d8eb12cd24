"""Tools for the app's developers, run on a bench; nothing here is loaded by a web request or a job.

`dump_schema` writes the snapshot of the Education/ERPNext DocTypes that the portable test suite checks the
app against (tests/data/erpnext_schema.json), so that suite needs no bench and no file outside the repository:

    bench --site SITE execute ai_school.devtools.dump_schema

Run it after upgrading Education or ERPNext on the bench and commit the file it writes.
"""

import importlib
import json
from pathlib import Path

import frappe
from frappe.model import display_fieldtypes
from frappe.modules.utils import get_module_app

# ERPNext DocTypes the app reads or links to (holidays, instructors' employees, companies); Education's are
# taken whole.
ERPNEXT_DOCTYPES = (
	"Company",
	"Department",
	"Designation",
	"Employee",
	"Employee Group",
	"Employee Group Table",
	"Holiday",
	"Holiday List",
)

SNAPSHOT = Path("tests") / "data" / "erpnext_schema.json"


def dump_schema(path: str | None = None) -> str:
	"""Write the snapshot (to the app's tests/data/ unless `path` is given) and return where it went."""
	doctypes = sorted(
		set(frappe.get_all("DocType", filters={"module": ["in", _education_modules()]}, pluck="name"))
		| set(ERPNEXT_DOCTYPES)
	)
	snapshot = {
		"versions": {
			app: importlib.import_module(app).__version__ for app in ("frappe", "erpnext", "education")
		},
		"doctypes": {doctype: _describe(doctype) for doctype in doctypes},
	}
	target = Path(path) if path else Path(frappe.get_app_path("ai_school")).parent / SNAPSHOT
	target.parent.mkdir(parents=True, exist_ok=True)
	target.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n")
	return str(target)


def _education_modules() -> list[str]:
	return frappe.get_all("Module Def", filters={"app_name": "education"}, pluck="name")


def _describe(doctype: str) -> dict:
	# the DocType as its app defines it: site customisations (including this app's own custom fields, which the
	# structural tests read from the app's source) are left out
	meta = frappe.get_meta(doctype, cached=False)
	fields = []
	for df in meta.fields:
		if df.fieldtype in display_fieldtypes or df.get("is_custom_field"):
			continue
		field = {"fieldname": df.fieldname, "fieldtype": df.fieldtype}
		for key in ("label", "options"):
			if df.get(key):
				field[key] = df.get(key)
		if df.reqd:
			field["reqd"] = 1
		fields.append(field)
	return {
		"app": get_module_app(meta.module),
		"module": meta.module,
		"autoname": meta.autoname or None,
		"title_field": meta.title_field or None,
		"istable": meta.istable,
		"issingle": meta.issingle,
		"is_submittable": meta.is_submittable,
		"permissions": sorted({perm.role for perm in meta.permissions}),
		"fields": fields,
	}
