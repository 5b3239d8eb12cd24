# Copyright (c) 2026, ai_school contributors and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class TimetablePlanUnavailability(Document):
	pass
