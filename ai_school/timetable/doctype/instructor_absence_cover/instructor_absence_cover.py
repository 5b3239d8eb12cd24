# Copyright (c) 2026, ai_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class InstructorAbsenceCover(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Literal["Substitute", "Move", "Leave Uncovered"]
		alternatives: DF.SmallText | None
		course: DF.Link | None
		course_schedule: DF.Link | None
		cover_status: DF.Literal["Proposed", "Applied", "Reverted"]
		from_time: DF.Time | None
		new_date: DF.Date | None
		new_from_time: DF.Time | None
		new_to_time: DF.Time | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		reasons: DF.SmallText | None
		room: DF.Link | None
		schedule_date: DF.Date | None
		score: DF.Float
		student_group: DF.Link | None
		substitute: DF.Link | None
		substitute_name: DF.Data | None
		to_time: DF.Time | None
	# end: auto-generated types

	pass
