# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from ai_school.permissions import protect_computed_fields

# written by the insights job; learning preferences by staff
COMPUTED_FIELDS = (
	"risk_score",
	"risk_level",
	"trend",
	"attendance_rate",
	"factors",
	"course_standings",
	"learning_preferences",
	"last_computed",
	"model_version",
)


class AIStudentProfile(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from ai_school.insights.doctype.ai_course_standing.ai_course_standing import AICourseStanding
		from ai_school.insights.doctype.ai_risk_factor.ai_risk_factor import AIRiskFactor

		attendance_rate: DF.Percent
		course_standings: DF.Table[AICourseStanding]
		factors: DF.Table[AIRiskFactor]
		last_computed: DF.Datetime | None
		learning_preferences: DF.SmallText | None
		model_version: DF.Data | None
		risk_level: DF.Literal["", "Low", "Medium", "High", "Critical"]
		risk_score: DF.Float
		student: DF.Link
		student_name: DF.Data | None
		trend: DF.Literal["", "Improving", "Stable", "Declining"]
		user: DF.Link | None
	# end: auto-generated types

	def validate(self):
		protect_computed_fields(self, COMPUTED_FIELDS)
		self.validate_ranges()
		self.set_row_users()

	def validate_ranges(self):
		for fieldname in ("risk_score", "attendance_rate"):
			if not 0 <= flt(self.get(fieldname)) <= 100:
				frappe.throw(
					_("{0} must be between 0 and 100; it is {1}.").format(
						_(self.meta.get_label(fieldname)), self.get(fieldname)
					),
					title=_("Value Out of Range"),
				)

	def set_row_users(self):
		# personal data requests find the rows by the student's account, as they find the profile
		for row in self.factors + self.course_standings:
			row.user = self.user
