"""Static views of the app used by the structural tests: where its files are, what its modules import at
load time, which ERPNext/Education fields the adapter queries. Reading source with `ast` keeps these checks
honest without importing frappe, which is not installed where the portable suite runs."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "ai_school"
# Education/ERPNext DocTypes as the bench defines them, written by `ai_school.devtools.dump_schema`
SCHEMA_FILE = REPO / "tests" / "data" / "erpnext_schema.json"

# Fields every DocType row has (frappe/model/__init__.py default_fields and child_table_fields).
STANDARD_FIELDS = frozenset(
	{
		"name",
		"owner",
		"creation",
		"modified",
		"modified_by",
		"docstatus",
		"idx",
		"parent",
		"parenttype",
		"parentfield",
	}
)

# Frappe core DocTypes the app may link to; the schema file covers only Education and ERPNext setup.
FRAPPE_CORE_DOCTYPES = frozenset(
	{
		"User",
		"Role",
		"Has Role",
		"DocType",
		"File",
		"Notification Log",
		"Custom Field",
		"Email Account",
		"Email Queue",
		"Communication",
		"ToDo",
		"Comment",
		"Language",
		"Module Def",
		"Report",
		"Print Format",
		"Gender",
		"Country",
		"Currency",
		"Contact",
		"Address",
		"Error Log",
		"RQ Job",
		"Scheduled Job Type",
	}
)

FRAPPE_FIELDTYPES = frozenset(
	{
		"Autocomplete",
		"Attach",
		"Attach Image",
		"Barcode",
		"Button",
		"Check",
		"Code",
		"Color",
		"Column Break",
		"Currency",
		"Data",
		"Date",
		"Datetime",
		"Duration",
		"Dynamic Link",
		"Float",
		"Fold",
		"Geolocation",
		"Heading",
		"HTML",
		"HTML Editor",
		"Icon",
		"Image",
		"Int",
		"JSON",
		"Link",
		"Long Text",
		"Markdown Editor",
		"Password",
		"Percent",
		"Phone",
		"Read Only",
		"Rating",
		"Section Break",
		"Select",
		"Signature",
		"Small Text",
		"Tab Break",
		"Table",
		"Table MultiSelect",
		"Text",
		"Text Editor",
		"Time",
	}
)

HEAVY_MODULES = ("sklearn", "numpy", "ortools", "scipy", "pandas")


@cache
def schema() -> dict[str, dict]:
	return json.loads(SCHEMA_FILE.read_text())["doctypes"]


def scrub(name: str) -> str:
	return name.replace(" ", "_").replace("-", "_").lower()


def module_dirs() -> dict[str, Path]:
	"""modules.txt entries mapped to their folders, as frappe resolves them."""
	names = [line.strip() for line in (PACKAGE / "modules.txt").read_text().splitlines() if line.strip()]
	return {name: PACKAGE / scrub(name) for name in names}


@dataclass(frozen=True)
class AppDocType:
	path: Path
	meta: dict

	@property
	def name(self) -> str:
		return self.meta["name"]

	def fieldnames(self) -> set[str]:
		return {f["fieldname"] for f in self.meta.get("fields", []) if f.get("fieldname")}


@cache
def app_doctypes() -> dict[str, AppDocType]:
	found = {}
	for module_dir in module_dirs().values():
		for path in sorted(module_dir.glob("doctype/*/*.json")):
			if path.stem != path.parent.name:
				continue
			meta = json.loads(path.read_text())
			if meta.get("doctype") == "DocType":
				found[meta["name"]] = AppDocType(path, meta)
	return found


def known_doctypes() -> set[str]:
	return set(schema()) | set(app_doctypes()) | FRAPPE_CORE_DOCTYPES


def fields_of(doctype: str) -> set[str] | None:
	"""Data fields of a DocType from the schema file or the app's own JSON; None if unknown."""
	if doctype in app_doctypes():
		return app_doctypes()[doctype].fieldnames()
	if doctype in schema():
		return {f["fieldname"] for f in schema()[doctype]["fields"]} | app_custom_fields().get(doctype, set())
	return None


@cache
def app_custom_fields() -> dict[str, set[str]]:
	"""Fields the app adds to other apps' DocTypes: the `CUSTOM_FIELDS` literal of each custom_fields.py."""
	found: dict[str, set[str]] = {}
	for path in sorted(PACKAGE.rglob("custom_fields.py")):
		for node in ast.parse(path.read_text()).body:
			if isinstance(node, ast.Assign) and any(
				getattr(t, "id", "") == "CUSTOM_FIELDS" for t in node.targets
			):
				for doctype, fields in ast.literal_eval(node.value).items():
					found.setdefault(doctype, set()).update(f["fieldname"] for f in fields)
	return found


def python_modules(root: Path | None = None) -> dict[str, Path]:
	"""Dotted module name -> file for every .py under root (default: the whole package)."""
	found = {}
	for path in sorted((root or PACKAGE).rglob("*.py")):
		rel = path.relative_to(REPO).with_suffix("")
		parts = list(rel.parts)
		if parts[-1] == "__init__":
			parts.pop()
		found[".".join(parts)] = path
	return found


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
	base = module.split(".")
	if not is_package:
		base = base[:-1]
	if level > 1:
		base = base[: len(base) - (level - 1)]
	return ".".join(base + ([target] if target else []))


def load_time_imports(module: str, path: Path) -> set[str]:
	"""Modules imported when `module` is imported: statements executed at import time, i.e. not inside a
	function body (class bodies and `if` blocks at module level do run at import)."""
	tree = ast.parse(path.read_text(), filename=str(path))
	is_package = path.name == "__init__.py"
	imports: set[str] = set()

	def visit(nodes):
		for node in nodes:
			if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
				continue
			if isinstance(node, ast.Import):
				imports.update(alias.name for alias in node.names)
			elif isinstance(node, ast.ImportFrom):
				target = (
					_resolve_relative(module, is_package, node.level, node.module)
					if node.level
					else node.module
				)
				imports.add(target)
				# `from pkg import sub` may import the submodule pkg.sub
				imports.update(f"{target}.{alias.name}" for alias in node.names)
			visit(ast.iter_child_nodes(node))

	visit(tree.body)
	return imports


def transitive_load_imports(start: str) -> set[str]:
	"""Every module (app or third-party, top-level name kept whole) reached at import time from `start`."""
	modules = python_modules()
	seen: set[str] = set()
	stack = [start]
	while stack:
		name = stack.pop()
		if name in seen:
			continue
		seen.add(name)
		if name not in modules:
			continue
		# importing a.b.c runs a/__init__ and a/b/__init__ first
		parts = name.split(".")
		stack.extend(".".join(parts[:i]) for i in range(1, len(parts)))
		stack.extend(load_time_imports(name, modules[name]))
	return seen


def string_literal(node: ast.AST) -> str | None:
	return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def call_name(node: ast.Call) -> str:
	parts = []
	func = node.func
	while isinstance(func, ast.Attribute):
		parts.append(func.attr)
		func = func.value
	if isinstance(func, ast.Name):
		parts.append(func.id)
	return ".".join(reversed(parts))
