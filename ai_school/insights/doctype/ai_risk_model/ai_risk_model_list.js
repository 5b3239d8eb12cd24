// Copyright (c) 2026, ai_school contributors and contributors
// For license information, please see license.txt

frappe.listview_settings["AI Risk Model"] = {
	get_indicator(doc) {
		const colours = { Active: "green", Retired: "gray", "Not Activated": "orange" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		frappe.require("/assets/ai_school/js/risk_model.js", () => {
			if (!ai_school.risk_model.is_manager()) return;
			ai_school.risk_model.listen(() => listview.refresh());
			listview.page.add_inner_button(__("Retrain"), () => ai_school.risk_model.retrain());
		});
	},
};
