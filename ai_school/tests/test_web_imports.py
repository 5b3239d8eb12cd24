"""What a web worker pays to load the app: importing every module of the Frappe shell (hooks, api, controllers,
permissions, the adapter, reports, portal pages) in a fresh interpreter with the real frappe must not pull in
the heavy libraries, which belong inside background jobs."""

import json
import subprocess
import sys
import textwrap

from frappe.tests.utils import FrappeTestCase

HEAVY = ("sklearn", "numpy", "ortools", "scipy", "pandas")

PROBE = textwrap.dedent(
	"""
	import importlib, json, pkgutil, sys
	import frappe
	heavy = {heavy!r}
	def loaded():
		return {{m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy}}
	before = loaded()
	import ai_school
	names = sorted(
		m.name for m in pkgutil.walk_packages(ai_school.__path__, "ai_school.")
		if not m.name.startswith(("ai_school.core", "ai_school.tests", "ai_school.demo"))
		and not m.name.rsplit(".", 1)[-1].startswith("test_")
	)
	for name in names:
		importlib.import_module(name)
	print(json.dumps({{"before": sorted(before), "added": sorted(loaded() - before), "modules": names}}))
	"""
)


class TestWebImports(FrappeTestCase):
	def test_shell_modules_do_not_import_heavy_libraries(self):
		result = subprocess.run(
			[sys.executable, "-c", PROBE.format(heavy=HEAVY)],
			capture_output=True,
			text=True,
			timeout=300,
			check=False,
		)
		self.assertEqual(result.returncode, 0, result.stderr)
		report = json.loads(result.stdout.strip().splitlines()[-1])
		self.assertIn("ai_school.hooks", report["modules"])
		self.assertIn("ai_school.permissions", report["modules"])
		self.assertEqual(report["added"], [], f"loading the app's web modules imported {report['added']}")
