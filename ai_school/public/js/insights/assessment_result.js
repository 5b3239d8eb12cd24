// Assessment Result form: its Assessment Insight (gaps per criterion against the group, trend); see panels.js.
frappe.ui.form.on("Assessment Result", {
	refresh(frm) {
		ai_school.insights.result_panel(frm);
	},
});
