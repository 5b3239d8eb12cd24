"""The schema snapshot the portable suite checks the app against matches the bench it was taken from."""

import json
import tempfile
from pathlib import Path

import frappe
from frappe.tests.utils import FrappeTestCase

from ai_school.devtools import SNAPSHOT, dump_schema


class TestSchemaSnapshot(FrappeTestCase):
	def test_committed_snapshot_matches_this_bench(self):
		with tempfile.TemporaryDirectory() as folder:
			fresh = json.loads(Path(dump_schema(str(Path(folder) / "schema.json"))).read_text())
		committed = json.loads((Path(frappe.get_app_path("ai_school")).parent / SNAPSHOT).read_text())

		self.assertIn("Student", fresh["doctypes"])
		self.assertIn("Holiday List", fresh["doctypes"])
		stale = sorted(
			doctype
			for doctype in fresh["doctypes"].keys() | committed["doctypes"].keys()
			if fresh["doctypes"].get(doctype) != committed["doctypes"].get(doctype)
		)
		self.assertEqual(
			stale, [], "tests/data/erpnext_schema.json is stale: run ai_school.devtools.dump_schema"
		)

	def test_snapshot_leaves_out_site_customisations(self):
		# the app's own custom fields (Room.room_kind) belong to the app's source, not to Education's schema
		with tempfile.TemporaryDirectory() as folder:
			fresh = json.loads(Path(dump_schema(str(Path(folder) / "schema.json"))).read_text())
		self.assertTrue(frappe.get_meta("Room").has_field("room_kind"))
		self.assertNotIn("room_kind", {field["fieldname"] for field in fresh["doctypes"]["Room"]["fields"]})
