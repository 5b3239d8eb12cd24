// Copyright (c) 2026, ai_school contributors and contributors
// For license information, please see license.txt

// Every filter is applied on the server (Auto Email Report sends the same rows); empty year and term mean
// the current ones (Education Settings).
frappe.query_reports["Class Comparison"] = {
	filters: [
		{
			fieldname: "academic_year",
			label: __("Academic Year"),
			fieldtype: "Link",
			options: "Academic Year",
			default: frappe.defaults.get_default("academic_year"),
		},
		{
			fieldname: "academic_term",
			label: __("Academic Term"),
			fieldtype: "Link",
			options: "Academic Term",
			default: frappe.defaults.get_default("academic_term"),
			get_query: () => {
				const year = frappe.query_report.get_filter_value("academic_year");
				return year ? { filters: { academic_year: year } } : {};
			},
		},
		{ fieldname: "program", label: __("Program"), fieldtype: "Link", options: "Program" },
		{
			fieldname: "group_based_on",
			label: __("Group Based On"),
			fieldtype: "Select",
			options: ["Batch", "Course", "Activity", "All"],
			default: "Batch",
		},
		{ fieldname: "course", label: __("Course"), fieldtype: "Link", options: "Course" },
		{
			fieldname: "student_group",
			label: __("Student Group"),
			fieldtype: "Link",
			options: "Student Group",
			get_query: () => {
				const year = frappe.query_report.get_filter_value("academic_year");
				return year ? { filters: { academic_year: year } } : {};
			},
		},
	],
};
