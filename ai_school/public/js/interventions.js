// "Start Intervention" on the Student form and the AI Student Profile: opens a new AI Intervention prefilled
// with the student's tier and risk factors (ai_school.api.interventions.start_intervention; nothing is saved
// until the teacher saves the form). Shown to users who may create interventions.
frappe.provide("ai_school.interventions");

ai_school.interventions.start = function (student) {
	return frappe
		.call({
			method: "ai_school.api.interventions.start_intervention",
			args: { student },
			freeze: true,
		})
		.then((r) => {
			if (r.message) frappe.new_doc("AI Intervention", r.message);
		});
};

ai_school.interventions.add_button = function (frm, student) {
	if (frm.is_new() || !student || !frappe.model.can_create("AI Intervention")) return;
	frm.add_custom_button(
		__("Start Intervention"),
		() => ai_school.interventions.start(student),
		__("AI School")
	);
};

frappe.ui.form.on("Student", {
	refresh(frm) {
		ai_school.interventions.add_button(frm, frm.doc.name);
	},
});

frappe.ui.form.on("AI Student Profile", {
	refresh(frm) {
		ai_school.interventions.add_button(frm, frm.doc.student);
	},
});
