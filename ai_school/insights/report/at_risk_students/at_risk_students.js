// Copyright (c) 2026, ai_school contributors and contributors
// For license information, please see license.txt

// Every filter is applied on the server (Auto Email Report sends the same rows); empty year and term mean
// the current ones (Education Settings).
frappe.query_reports["At-Risk Students"] = {
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
			fieldname: "student_group",
			label: __("Student Group"),
			fieldtype: "Link",
			options: "Student Group",
			get_query: () => {
				const year = frappe.query_report.get_filter_value("academic_year");
				return year ? { filters: { academic_year: year } } : {};
			},
		},
		{
			fieldname: "tier",
			label: __("Tier"),
			fieldtype: "Select",
			options: ["High and Critical", "Critical", "High", "Medium", "Low", "All"],
			default: "High and Critical",
		},
		{ fieldname: "min_score", label: __("Minimum Score"), fieldtype: "Float", default: 0 },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		const colours = { Low: "green", Medium: "yellow", High: "orange", Critical: "red" };
		if (column.fieldname === "risk_level" && data && colours[data.risk_level]) {
			return `<span class="indicator-pill ${colours[data.risk_level]}">${value}</span>`;
		}
		return value;
	},
};

