# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AssessmentInsightGap(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		assessment_criteria: DF.Link
		gap: DF.Float
		group_count: DF.Int
		group_mean: DF.Float
		maximum_score: DF.Float
		note: DF.SmallText | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		student_score: DF.Float
		user: DF.Data | None
	# end: auto-generated types

	pass
