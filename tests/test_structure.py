"""Structural checks of the Frappe app that need no site: layout, DocType JSON, hooks targets, the adapter's
queries against the ERPNext/Education schema, and the import boundaries (core never imports frappe; nothing a
web worker loads pulls in the heavy libraries)."""

import ast
import json
import subprocess
import sys
import textwrap

import pytest

from tests import appscan
from tests.appscan import PACKAGE, REPO

ADAPTER = PACKAGE / "education_data.py"

# frappe read calls -> how to find the doctype and fields in them
READ_CALLS = {
	"frappe.get_all",
	"frappe.get_list",
	"frappe.db.get_all",
	"frappe.db.get_list",
	"frappe.db.get_value",
	"frappe.db.get_values",
	"frappe.get_cached_value",
	"frappe.db.exists",
	"frappe.db.count",
	"frappe.get_doc",
	"frappe.get_cached_doc",
	"frappe.qb.DocType",
	"frappe.db.get_single_value",
}


def test_app_layout_is_bench_new_app_shape():
	for rel in (
		"pyproject.toml",
		"README.md",
		"requirements.txt",
		"license.txt",
		".ci/run",
		"ai_school/__init__.py",
		"ai_school/hooks.py",
		"ai_school/modules.txt",
		"ai_school/patches.txt",
		"ai_school/public",
		"ai_school/www",
		"ai_school/api/__init__.py",
		"ai_school/core/__init__.py",
		"ai_school/education_data.py",
	):
		assert (REPO / rel).exists(), f"{rel} is missing"
	for name, folder in appscan.module_dirs().items():
		assert (folder / "__init__.py").exists(), f"module {name!r} has no package folder {folder}"
	version = ast.parse((PACKAGE / "__init__.py").read_text()).body[0]
	assert isinstance(version, ast.Assign) and version.targets[0].id == "__version__"


def test_hooks_declare_required_apps():
	hooks = _hooks()
	assert hooks["app_name"] == "ai_school"
	assert hooks["required_apps"] == ["erpnext", "education"]


def _hooks() -> dict:
	namespace: dict = {}
	exec(compile((PACKAGE / "hooks.py").read_text(), "hooks.py", "exec"), namespace)
	return {k: v for k, v in namespace.items() if not k.startswith("__")}


def _dotted_strings(value):
	if isinstance(value, str):
		if value.startswith("ai_school."):
			yield value
	elif isinstance(value, dict):
		for item in value.values():
			yield from _dotted_strings(item)
	elif isinstance(value, list | tuple):
		for item in value:
			yield from _dotted_strings(item)


def _defined_names(path) -> set[str]:
	tree = ast.parse(path.read_text())
	names = set()
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
			names.add(node.name)
		elif isinstance(node, ast.Assign):
			names.update(t.id for t in node.targets if isinstance(t, ast.Name))
		elif isinstance(node, ast.ImportFrom):
			names.update(alias.asname or alias.name for alias in node.names)
	return names


def test_every_hooks_target_exists():
	modules = appscan.python_modules()
	targets = sorted(set(_dotted_strings(_hooks())))
	assert targets, "hooks.py names no ai_school targets"
	for target in targets:
		if target.endswith((".js", ".css")) or "/" in target:
			continue
		module, _, attr = target.rpartition(".")
		if target in modules:  # a module path, e.g. a doctype class override module
			continue
		assert module in modules, f"hooks target {target}: module {module} not found"
		assert attr in _defined_names(modules[module]), (
			f"hooks target {target}: {attr} not defined in {module}"
		)


def test_public_assets_named_in_hooks_exist():
	hooks = _hooks()
	for key in ("app_include_js", "app_include_css", "web_include_js", "web_include_css"):
		for asset in hooks.get(key, []) if isinstance(hooks.get(key), list) else [hooks.get(key)]:
			if not asset:
				continue
			bundle = asset.split("/")[-1]
			matches = list((PACKAGE / "public").rglob(bundle))
			assert matches, f"{key} names {asset}, not found under ai_school/public"


# --- DocTypes -------------------------------------------------------------------------------------


def test_app_has_doctypes():
	assert appscan.app_doctypes(), "no DocType JSON found under the module folders"


@pytest.mark.parametrize("doctype", sorted(appscan.app_doctypes()))
def test_doctype_json_is_valid(doctype):
	dt = appscan.app_doctypes()[doctype]
	meta = dt.meta
	folder = dt.path.parent
	assert folder.name == appscan.scrub(doctype), f"{doctype}: folder {folder.name} does not match its name"
	assert meta["module"] in appscan.module_dirs(), f"{doctype}: module {meta['module']} not in modules.txt"
	assert dt.path.is_relative_to(appscan.module_dirs()[meta["module"]]), (
		f"{doctype} is in another module's folder"
	)
	assert (folder / "__init__.py").exists()
	assert (folder / f"{folder.name}.py").exists(), f"{doctype} has no controller"
	fieldnames = [f["fieldname"] for f in meta.get("fields", [])]
	assert len(fieldnames) == len(set(fieldnames)), f"{doctype}: duplicate fieldnames"
	assert meta.get("field_order", fieldnames) == fieldnames, f"{doctype}: field_order differs from fields"
	for field in meta.get("fields", []):
		assert field["fieldtype"] in appscan.FRAPPE_FIELDTYPES, (
			f"{doctype}.{field['fieldname']}: bad fieldtype"
		)
		if field["fieldtype"] in ("Link", "Table", "Table MultiSelect"):
			assert field.get("options") in appscan.known_doctypes(), (
				f"{doctype}.{field['fieldname']} links to unknown doctype {field.get('options')!r}"
			)
		if field["fieldtype"] in ("Table", "Table MultiSelect"):
			child = appscan.app_doctypes().get(field["options"])
			assert child is None or child.meta.get("istable"), f"{field['options']} is not a child table"
		if field.get("fetch_from"):
			source, _, remote = field["fetch_from"].partition(".")
			link = next((f for f in meta["fields"] if f["fieldname"] == source), None)
			assert link and link["fieldtype"] == "Link", (
				f"{doctype}.{field['fieldname']}: fetch_from {source}"
			)
			remote_fields = appscan.fields_of(link["options"])
			assert remote_fields is None or remote in remote_fields | appscan.STANDARD_FIELDS, (
				f"{doctype}.{field['fieldname']} fetches {link['options']}.{remote}, which does not exist"
			)
	if not meta.get("istable"):
		assert meta.get("permissions"), f"{doctype} grants no role any permission"
	for perm in meta.get("permissions", []):
		assert perm.get("role"), f"{doctype}: permission row without a role"
	for key in ("title_field", "search_fields", "sort_field"):
		for name in filter(None, (meta.get(key) or "").split(",")):
			assert name.strip() in set(fieldnames) | appscan.STANDARD_FIELDS, f"{doctype}.{key}: {name}"


# --- the adapter and the schema ---------------------------------------------------------------------


def _literal_list(node) -> list[str] | None:
	if isinstance(node, ast.List | ast.Tuple):
		values = [appscan.string_literal(elt) for elt in node.elts]
		return values if all(v is not None for v in values) else None
	value = appscan.string_literal(node)
	return [value] if value is not None else None


def _filter_fields(node, name_allowed: bool = False) -> list[str] | None:
	"""Fieldnames a filters argument names: dict keys, or the first item of [field, op, value] rows.
	`name_allowed`: the argument may instead hold a document name (get_value, exists), which names no field."""
	if isinstance(node, ast.Dict):
		keys = [appscan.string_literal(k) for k in node.keys]
		return keys if all(k is not None for k in keys) else None
	if isinstance(node, ast.List):
		found = []
		for row in node.elts:
			if not isinstance(row, ast.List | ast.Tuple) or not row.elts:
				return None
			first = appscan.string_literal(row.elts[0])
			if first is None:
				return None
			# [doctype, field, op, value] rows put the field second
			found.append(appscan.string_literal(row.elts[1]) if len(row.elts) == 4 else first)
		return found
	if name_allowed and (
		appscan.string_literal(node) is not None or isinstance(node, ast.Name | ast.Attribute | ast.Call)
	):
		return []
	return None


def _plain_field(expression: str) -> str | None:
	"""`student as name`, `modified desc` -> the column; expressions such as count(*) -> None."""
	head = expression.strip().split(" ")[0].strip("`")
	if "(" in head or head == "*":
		return None
	return head.split(".")[-1]


def adapter_queries() -> tuple[list[tuple[int, str, str]], list[str]]:
	"""(line, doctype, field) for every field the adapter names in a frappe read, and problems found."""
	tree = ast.parse(ADAPTER.read_text())
	queries: list[tuple[int, str, str]] = []
	problems: list[str] = []
	qb_tables: dict[str, str] = {}

	for node in ast.walk(tree):
		if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
			if appscan.call_name(node.value) == "frappe.qb.DocType" and isinstance(node.targets[0], ast.Name):
				doctype = appscan.string_literal(node.value.args[0]) if node.value.args else None
				if doctype:
					qb_tables[node.targets[0].id] = doctype

	called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
	for node in ast.walk(tree):
		if (
			isinstance(node, ast.Attribute)
			and isinstance(node.value, ast.Name)
			and node.value.id in qb_tables
			and id(node) not in called
		):
			queries.append((node.lineno, qb_tables[node.value.id], node.attr))
		if not isinstance(node, ast.Call):
			continue
		name = appscan.call_name(node)
		if name in ("frappe.db.sql", "frappe.db.multisql"):
			problems.append(
				f"line {node.lineno}: raw SQL in the adapter; use frappe.qb so fields can be checked"
			)
			continue
		if name not in READ_CALLS:
			continue
		doctype = appscan.string_literal(node.args[0]) if node.args else None
		if doctype is None:
			doctype_kw = next((k.value for k in node.keywords if k.arg == "doctype"), None)
			doctype = appscan.string_literal(doctype_kw) if doctype_kw is not None else None
		if doctype is None:
			problems.append(f"line {node.lineno}: {name} without a literal doctype")
			continue
		queries.append((node.lineno, doctype, "name"))
		kwargs = {k.arg: k.value for k in node.keywords}
		filter_nodes = [(kwargs[k], False) for k in ("filters", "or_filters") if k in kwargs]
		field_nodes = [kwargs[k] for k in ("fields", "pluck", "fieldname") if k in kwargs]
		order_nodes = [kwargs[k] for k in ("order_by", "group_by") if k in kwargs]
		# positional arguments as frappe's signatures place them
		if name in ("frappe.db.get_value", "frappe.db.get_values", "frappe.get_cached_value"):
			filter_nodes += [(arg, True) for arg in node.args[1:2]]
			field_nodes += node.args[2:3]
		elif name in ("frappe.db.exists", "frappe.db.count"):
			filter_nodes += [(arg, name == "frappe.db.exists") for arg in node.args[1:2]]
		elif name in ("frappe.get_all", "frappe.get_list", "frappe.db.get_all", "frappe.db.get_list"):
			field_nodes += node.args[1:2]  # DatabaseQuery.execute(fields, filters, ...)
			filter_nodes += [(arg, False) for arg in node.args[2:3]]
		for arg in field_nodes + order_nodes:
			values = _literal_list(arg)
			if values is None:
				problems.append(f"line {node.lineno}: {name}({doctype!r}) with non-literal fields")
				continue
			for value in values:
				for part in value.split(","):
					field = _plain_field(part)
					if field:
						queries.append((node.lineno, doctype, field))
		for arg, name_allowed in filter_nodes:
			values = _filter_fields(arg, name_allowed)
			if values is None:
				problems.append(f"line {node.lineno}: {name}({doctype!r}) with non-literal filter fields")
				continue
			queries.extend((node.lineno, doctype, field) for field in values)
	return queries, problems


def test_adapter_queries_only_fields_that_exist():
	queries, problems = adapter_queries()
	assert not problems, "\n".join(problems)
	assert queries, "the adapter makes no reads the test can see"
	unknown = []
	for line, doctype, field in queries:
		fields = appscan.fields_of(doctype)
		if fields is None:
			if doctype not in appscan.FRAPPE_CORE_DOCTYPES:
				unknown.append(f"line {line}: unknown doctype {doctype!r}")
			continue
		if field not in fields | appscan.STANDARD_FIELDS:
			unknown.append(f"line {line}: {doctype}.{field} does not exist")
	assert not unknown, "\n".join(unknown)


def test_adapter_checker_catches_a_wrong_field(tmp_path, monkeypatch):
	bad = tmp_path / "education_data.py"
	bad.write_text(
		textwrap.dedent(
			"""
			import frappe
			def wards(guardian):
				return frappe.get_all("Student Guardian", filters={"guardian": guardian}, fields=["parent", "no_such_field"])
			def raw():
				return frappe.db.sql("select 1")
			def unchecked(conditions):
				return frappe.get_all("Student", filters=conditions)
			"""
		)
	)
	monkeypatch.setattr(sys.modules[__name__], "ADAPTER", bad)
	queries, problems = adapter_queries()
	assert (4, "Student Guardian", "no_such_field") in queries
	assert (4, "Student Guardian", "guardian") in queries
	assert any("raw SQL" in p for p in problems)
	assert any("non-literal filter fields" in p for p in problems)


def test_education_data_is_read_only_through_the_adapter():
	"""Shell modules other than the adapter must not query Education/ERPNext doctypes themselves."""
	erp_doctypes = set(appscan.schema())
	exempt = ("ai_school.education_data", "ai_school.demo", "ai_school.core")
	offenders = []
	for module, path in appscan.python_modules().items():
		if module.startswith(exempt) or path.name.startswith("test_") or ".tests." in f".{module}.":
			continue
		for node in ast.walk(ast.parse(path.read_text())):
			if isinstance(node, ast.Call) and appscan.call_name(node) in READ_CALLS and node.args:
				doctype = appscan.string_literal(node.args[0])
				if doctype in erp_doctypes:
					offenders.append(f"{module}:{node.lineno} reads {doctype}")
	assert not offenders, "read these through ai_school/education_data.py:\n" + "\n".join(offenders)


# --- import boundaries -------------------------------------------------------------------------------


def _run_isolated(code: str) -> subprocess.CompletedProcess:
	return subprocess.run(
		[sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
	)


def test_core_never_imports_frappe():
	"""Import every core module in a process where importing frappe (or erpnext/education) fails."""
	code = textwrap.dedent(
		"""
		import importlib, importlib.abc, pkgutil, sys
		class Block(importlib.abc.MetaPathFinder):
			def find_spec(self, name, path, target=None):
				if name.split(".")[0] in ("frappe", "erpnext", "education"):
					raise ImportError(f"core imported {name}")
		sys.meta_path.insert(0, Block())
		import ai_school.core
		names = [m.name for m in pkgutil.walk_packages(ai_school.core.__path__, "ai_school.core.")]
		for name in names:
			importlib.import_module(name)
		assert not [m for m in sys.modules if m.split(".")[0] in ("frappe", "erpnext", "education")]
		print(len(names))
		"""
	)
	result = _run_isolated(code)
	assert result.returncode == 0, result.stderr
	assert int(result.stdout.strip()) >= 1


def test_core_has_no_frappe_import_statement():
	for module, path in appscan.python_modules(PACKAGE / "core").items():
		for imported in appscan.load_time_imports(module, path) | _function_imports(path):
			assert imported.split(".")[0] not in ("frappe", "erpnext", "education"), (
				f"{module} imports {imported}"
			)


def _function_imports(path) -> set[str]:
	found = set()
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.Import):
			found.update(a.name for a in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
			found.add(node.module)
	return found


def web_loaded_modules() -> list[str]:
	"""Modules a web request can load: hooks and everything hooks names, api/, www/, doctype controllers,
	permissions and the adapter."""
	modules = appscan.python_modules()
	hooks_targets = {t.rpartition(".")[0] for t in _dotted_strings(_hooks())} | set(_dotted_strings(_hooks()))
	chosen = {"ai_school.hooks"} | {m for m in hooks_targets if m in modules}
	for name in modules:
		if (
			name.endswith(".__init__")
			or ".test_" in f".{name.split('.')[-1]}"
			or name.split(".")[-1].startswith("test_")
		):
			continue
		if (
			name.startswith(("ai_school.api", "ai_school.www"))
			or ".doctype." in name
			or ".report." in name
			or name in ("ai_school.permissions", "ai_school.education_data")
		):
			chosen.add(name)
	return sorted(chosen)


def test_web_loaded_modules_do_not_import_heavy_libraries():
	modules = web_loaded_modules()
	assert "ai_school.hooks" in modules and "ai_school.education_data" in modules
	for module in modules:
		reached = appscan.transitive_load_imports(module)
		heavy = sorted(m for m in reached if m.split(".")[0] in appscan.HEAVY_MODULES)
		assert not heavy, f"importing {module} loads {heavy} at import time; import it inside the function"


def test_load_time_import_scan_sees_through_modules(tmp_path):
	"""The scan must follow app imports transitively and ignore imports inside functions."""
	pkg = tmp_path / "ai_school"
	pkg.mkdir()
	(pkg / "__init__.py").write_text("")
	(pkg / "a.py").write_text("from ai_school import b\n")
	(pkg / "b.py").write_text("import numpy\n")
	(pkg / "c.py").write_text("def f():\n\timport sklearn\n")
	assert "numpy" in _scan_in(tmp_path, "ai_school.a")
	assert "sklearn" not in _scan_in(tmp_path, "ai_school.c")


def _scan_in(root, module):
	original = (appscan.REPO, appscan.PACKAGE)
	appscan.REPO, appscan.PACKAGE = root, root / "ai_school"
	try:
		return appscan.transitive_load_imports(module)
	finally:
		appscan.REPO, appscan.PACKAGE = original


def test_importing_hooks_loads_no_heavy_library():
	result = _run_isolated(
		"import sys, ai_school.hooks; print(sorted(m for m in sys.modules if m.split('.')[0] in "
		f"{appscan.HEAVY_MODULES!r}))"
	)
	assert result.returncode == 0, result.stderr
	assert result.stdout.strip() == "[]"


def test_doctype_json_files_parse():
	for path in PACKAGE.rglob("*.json"):
		json.loads(path.read_text())


def test_readme_documents_every_whitelisted_method():
	"""The README's API section is the developers' reference: each `api/<module>.py` has a heading naming the
	module and every whitelisted method of it in the section. Wrappers of Frappe's own methods
	(`override_whitelisted_methods`) keep Frappe's name and are not the app's API."""
	readme = (REPO / "README.md").read_text()
	api = readme[readme.index("\n## API\n") : readme.index("\n## Tests\n")]
	overrides = set(_hooks()["override_whitelisted_methods"].values())
	missing = []
	for path in sorted((PACKAGE / "api").glob("*.py")):
		methods = [
			node.name
			for node in ast.walk(ast.parse(path.read_text()))
			if isinstance(node, ast.FunctionDef)
			and any("whitelist" in ast.unparse(d) for d in node.decorator_list)
			and f"ai_school.api.{path.stem}.{node.name}" not in overrides
		]
		if methods and f"(`ai_school.api.{path.stem}`)" not in api:
			missing.append(f"a heading for ai_school.api.{path.stem}")
		missing += [f"ai_school.api.{path.stem}.{name}" for name in methods if f"`{name}" not in api]
	assert missing == [], f"the README's API section lacks {missing}"
