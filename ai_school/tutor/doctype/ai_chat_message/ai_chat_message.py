# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AIChatMessage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		content: DF.LongText | None
		error: DF.SmallText | None
		fallback: DF.Check
		flagged: DF.Check
		guard_label: DF.Data | None
		guard_mode: DF.Data | None
		latency_ms: DF.Int
		model: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		reply_to: DF.Data | None
		role: DF.Literal["user", "assistant", "system"]
		status: DF.Literal["", "Pending", "Answered", "Failed"]
		timestamp: DF.Datetime | None
		tokens_in: DF.Int
		tokens_out: DF.Int
		user: DF.Data | None
	# end: auto-generated types

	pass
