# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AIRiskFactor(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		explanation: DF.SmallText | None
		factor: DF.Data
		impact: DF.Float
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		user: DF.Data | None
		value: DF.Float
	# end: auto-generated types

	pass
