// AI Intervention: a new one picks up the student's tier and risk factors; "Log Check-in" adds today's note.
frappe.ui.form.on("AI Intervention", {
	student(frm) {
		if (!frm.is_new() || !frm.doc.student) return;
		frappe
			.call({
				method: "ai_school.api.interventions.start_intervention",
				args: { student: frm.doc.student },
			})
			.then((r) => {
				const values = r.message || {};
				for (const field of ["tier", "risk_score", "trigger_factors"]) {
					frm.set_value(field, values[field] || (field === "risk_score" ? 0 : ""));
				}
			});
	},

	refresh(frm) {
		if (frm.is_new() || !["Planned", "Active"].includes(frm.doc.status) || !frm.perm[0]?.write) return;
		frm.add_custom_button(__("Log Check-in"), () => {
			const dialog = new frappe.ui.Dialog({
				title: __("Check-in for {0}", [frm.doc.student_name || frm.doc.student]),
				fields: [
					{
						fieldname: "note",
						fieldtype: "Small Text",
						label: __("What did the check-in find?"),
						reqd: 1,
					},
				],
				primary_action_label: __("Log"),
				primary_action({ note }) {
					frappe
						.call({
							method: "ai_school.api.interventions.log_checkin",
							args: { intervention: frm.doc.name, note },
							type: "POST",
							freeze: true,
						})
						.then(() => {
							dialog.hide();
							frm.reload_doc();
						});
				},
			});
			dialog.show();
		});
	},
});
