// Copyright (c) 2026, ai_school contributors
// For license information, please see license.txt

frappe.listview_settings["Instructor Absence"] = {
	add_fields: ["status", "uncovered_count"],
	get_indicator(doc) {
		const colors = { Draft: "red", Proposed: "orange", Applied: "green", Cancelled: "gray" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
