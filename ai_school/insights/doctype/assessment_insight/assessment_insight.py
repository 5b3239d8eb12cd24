# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from ai_school import education_data
from ai_school.permissions import check_insight_sharing, protect_computed_fields

# produced by the insight job (rules or a model); teachers may still edit them before sharing
COMPUTED_FIELDS = ("gaps", "suggestions", "source", "model")


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
		course: DF.Link | None
		gaps: DF.Table[AssessmentInsightGap]
		model: DF.Data | None
		source: DF.Literal["Rule", "Model"]
		status: DF.Literal["Draft", "Reviewed", "Shared", "Dismissed"]
		student: DF.Link | None
		student_group: DF.Link | None
		student_name: DF.Data | None
		suggestions: DF.TextEditor | None
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		protect_computed_fields(self, COMPUTED_FIELDS)
		self.set_result_context()
		self.set_gaps()
		check_insight_sharing(self)

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
		for row in self.gaps:
			if flt(row.maximum_score) and flt(row.student_score) > flt(row.maximum_score):
				frappe.throw(
					_("Gaps row {0}: the student score {1} is above the maximum score {2}.").format(
						row.idx, row.student_score, row.maximum_score
					)
				)
			row.gap = flt(row.student_score) - flt(row.group_mean)
			row.user = self.user
