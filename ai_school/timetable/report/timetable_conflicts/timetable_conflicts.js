// Copyright (c) 2026, ai_school contributors and contributors
// For license information, please see license.txt

frappe.query_reports["Timetable Conflicts"] = {
	filters: [
		{ fieldname: "academic_term", label: __("Academic Term"), fieldtype: "Link", options: "Academic Term" },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date" },
		{ fieldname: "student_group", label: __("Student Group"), fieldtype: "Link", options: "Student Group" },
		{ fieldname: "instructor", label: __("Instructor"), fieldtype: "Link", options: "Instructor" },
		{ fieldname: "room", label: __("Room"), fieldtype: "Link", options: "Room" },
	],
};
