// Copyright (c) 2026, ai_school contributors and contributors
// For license information, please see license.txt

frappe.ui.form.on("AI Risk Model", {
	refresh(frm) {
		frappe.require("/assets/ai_school/js/risk_model.js", () => {
			if (!ai_school.risk_model.is_manager()) return;
			ai_school.risk_model.listen(() => frm.reload_doc());
			frm.add_custom_button(__("Retrain"), () => ai_school.risk_model.retrain());
		});
	},
});
