"""Custom fields the timetable installs on Education DocTypes.

`CUSTOM_FIELDS` stays a plain literal: the portable structural test reads it to know that the adapter may
query these fields although the Education schema does not have them.
"""

import frappe

CUSTOM_FIELDS = {
	"Room": [
		{
			"fieldname": "room_kind",
			"label": "Room Kind",
			"fieldtype": "Select",
			"options": "\nClassroom\nLab\nComputer Lab\nGym\nArt Room\nMusic Room\nLibrary\nOther",
			"insert_after": "seating_capacity",
			"in_list_view": 1,
			"in_standard_filter": 1,
			"description": "Timetable plans put lessons that need a kind of room only into rooms of that kind",
		}
	],
	"Course Schedule": [
		{
			"fieldname": "timetable_plan",
			"label": "Timetable Plan",
			"fieldtype": "Link",
			"options": "Timetable Plan",
			"insert_after": "program",
			"read_only": 1,
			"search_index": 1,
			"in_standard_filter": 1,
			"description": "Set when the schedule was published from a Timetable Plan; re-publishing replaces it",
		}
	],
}


def install_custom_fields():
	from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True)


def remove_custom_fields():
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
