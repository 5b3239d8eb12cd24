# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from ai_school import education_data
from ai_school.permissions import SHARED, check_insight_sharing, is_staff, protect_computed_fields

# produced by the insight job (ai_school/insights/assessment.py); teachers may still edit the suggestions
COMPUTED_FIELDS = (
	"gaps",
	"suggestions",
	"source",
	"model",
	"score_percent",
	"group_mean_percent",
	"group_size",
	"previous_percent",
	"trend",
	"trend_points",
	"computed_on",
	"facts_hash",
)
# fewer results than this in the plan: no group mean (core.insights.assessment.InsightSettings)
MIN_GROUP_SIZE = 3


class AssessmentInsight(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from ai_school.insights.doctype.assessment_insight_gap.assessment_insight_gap import (
			AssessmentInsightGap,
		)

		assessment_plan: DF.Link | None
		assessment_result: DF.Link
		computed_on: DF.Datetime | None
		course: DF.Link | None
		facts_hash: DF.Data | None
		gaps: DF.Table[AssessmentInsightGap]
		group_mean_percent: DF.Percent
		group_size: DF.Int
		model: DF.Data | None
		previous_percent: DF.Percent
		score_percent: DF.Percent
		source: DF.Literal["Rule", "Model", "Teacher"]
		status: DF.Literal["Draft", "Reviewed", "Shared", "Withdrawn"]
		student: DF.Link | None
		student_group: DF.Link | None
		student_name: DF.Data | None
		suggestions: DF.TextEditor | None
		trend: DF.Literal["", "Improving", "Stable", "Declining", "First Result"]
		trend_points: DF.Float
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		protect_computed_fields(self, COMPUTED_FIELDS)
		self.set_result_context()
		self.set_gaps()
		self.mark_teacher_edit()
		self.validate_sharing()
		check_insight_sharing(self)

	def mark_teacher_edit(self):
		"""Suggestions a member of staff edits are theirs: the insight job no longer rewrites them."""
		if self.flags.ignore_permissions or self.is_new() or not is_staff():
			return
		if self.has_value_changed("suggestions"):
			self.source = "Teacher"
			self.model = None

	def validate_sharing(self):
		if self.status != SHARED or not self.has_value_changed("status"):
			return
		if education_data.get_assessment_result_context(self.assessment_result).docstatus == 2:
			frappe.throw(
				_("Assessment Result {0} was cancelled: its insight can no longer be shared.").format(
					self.assessment_result
				),
				title=_("Result Cancelled"),
			)

	def set_result_context(self):
		"""Copy who and what the result is about, refusing results that are not submitted."""
		result = education_data.get_assessment_result_context(self.assessment_result)
		if not result:
			frappe.throw(_("Assessment Result {0} does not exist.").format(self.assessment_result))
		if self.has_value_changed("assessment_result") and result.docstatus != 1:
			frappe.throw(
				_(
					"Assessment Result {0} is not submitted. Insights are drawn only from submitted results: "
					"submit it first."
				).format(self.assessment_result),
				title=_("Result Not Submitted"),
			)
		for fieldname in ("student", "student_name", "course", "student_group", "assessment_plan"):
			self.set(fieldname, result.get(fieldname))
		# the student's account: personal data requests find the insight and its gaps by it
		self.user = education_data.get_user_of_student(self.student)

	def set_gaps(self):
		"""Gap = student score minus group mean, where at least MIN_GROUP_SIZE results were compared."""
		for row in self.gaps:
			if flt(row.maximum_score) and flt(row.student_score) > flt(row.maximum_score):
				frappe.throw(
					_("Gaps row {0}: the student score {1} is above the maximum score {2}.").format(
						row.idx, row.student_score, row.maximum_score
					)
				)
			if cint(row.group_count) >= MIN_GROUP_SIZE:
				row.gap = flt(row.student_score) - flt(row.group_mean)
			else:
				row.group_mean = row.gap = 0
			row.user = self.user
