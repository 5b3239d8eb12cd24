# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

"""AI Risk Model: one trained version of the early-warning model (ai_school/insights/risk_model.py makes
them). Managers may activate or retire a version by its status; at most one is Active, and a change of the
active version queues a recompute of every student's profile."""

import frappe
from frappe import _
from frappe.model.document import Document

from ai_school.insights.risk import queue_recompute_all
from ai_school.insights.risk_model import ACTIVE, DOCTYPE, RETIRED


class AIRiskModel(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		accuracy: DF.Percent
		brier: DF.Float
		decision: DF.SmallText | None
		duration: DF.Float
		f1: DF.Float
		first_term: DF.Link | None
		last_term: DF.Link | None
		parameters: DF.JSON | None
		pass_mark: DF.Percent
		positives: DF.Int
		roc_auc: DF.Float
		rows: DF.Int
		rule_accuracy: DF.Percent
		rule_brier: DF.Float
		rule_f1: DF.Float
		rule_roc_auc: DF.Float
		status: DF.Literal["Not Activated", "Active", "Retired"]
		student_terms: DF.Int
		terms: DF.Int
		test_rows: DF.Int
		test_terms: DF.SmallText | None
		trained_by: DF.Link | None
		trained_on: DF.Datetime | None
		validation: DF.JSON | None
		validation_scheme: DF.Data | None
		version: DF.Int
	# end: auto-generated types

	def before_insert(self):
		self.set_version()

	def validate(self):
		self.check_activation()

	def on_update(self):
		if self.has_value_changed("status") and (self.status == ACTIVE or self.get_doc_before_save()):
			self.retire_others()
			queue_recompute_all()

	def set_version(self):
		last = frappe.db.sql(f"select max(version) from `tab{DOCTYPE}`")[0][0]
		self.version = (last or 0) + 1

	def check_activation(self):
		if self.status == ACTIVE and not self.parameters:
			frappe.throw(_("Version {0} has no trained model to activate.").format(self.version))

	def retire_others(self):
		if self.status != ACTIVE:
			return
		for name in frappe.get_all(
			DOCTYPE, filters={"status": ACTIVE, "name": ("!=", self.name)}, pluck="name"
		):
			frappe.db.set_value(DOCTYPE, name, "status", RETIRED)
