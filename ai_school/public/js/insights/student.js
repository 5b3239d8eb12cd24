// Student form: the early-warning panel (risk tier, reasons, trajectory, interventions); see panels.js.
frappe.ui.form.on("Student", {
	refresh(frm) {
		ai_school.insights.student_panel(frm);
	},
});
