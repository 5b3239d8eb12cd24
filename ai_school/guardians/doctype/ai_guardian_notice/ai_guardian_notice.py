# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AIGuardianNotice(Document):
	"""Written by ai_school.guardians.delivery only; its unique key makes each notice go out once."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		email: DF.Data | None
		guardian: DF.Link | None
		key: DF.Data
		kind: DF.Literal["Absence", "Result", "Insight", "Digest"]
		language: DF.Link | None
		notification_log: DF.Link | None
		on_date: DF.Date | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		student: DF.Link | None
		user: DF.Link | None
	# end: auto-generated types
