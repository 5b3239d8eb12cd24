// Student Group form: class health (tier distribution, who moved tier, students at risk); see panels.js.
frappe.ui.form.on("Student Group", {
	refresh(frm) {
		ai_school.insights.group_panel(frm);
	},
});
