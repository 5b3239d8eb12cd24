# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AICourseStanding(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		course: DF.Link
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		score_percent: DF.Percent
		standing: DF.Literal["", "Strength", "On Track", "Weakness"]
		trend: DF.Literal["", "Improving", "Stable", "Declining"]
		user: DF.Data | None
	# end: auto-generated types

	pass
