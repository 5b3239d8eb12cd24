// Copyright (c) 2026, ai_school contributors
// For license information, please see license.txt

frappe.ui.form.on("Instructor Absence", {
	refresh(frm) {
		if (frm.is_new()) return;
		const call = (method, message) =>
			frappe.call({
				method: `ai_school.api.absence.${method}`,
				args: { absence: frm.doc.name },
				freeze: true,
				freeze_message: message,
				callback: () => frm.reload_doc(),
			});
		if (["Draft", "Proposed"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Propose Cover"), () => {
				const run = () => call("propose_cover", __("Looking for free instructors and slots..."));
				frm.is_dirty() ? frm.save().then(run) : run();
			});
		}
		if (frm.doc.status === "Proposed" && !frm.is_dirty()) {
			frm.add_custom_button(__("Apply Cover"), () =>
				frappe.confirm(
					__("Update the Course Schedules and notify the instructors involved?"),
					() => call("apply_cover", __("Applying cover..."))
				)
			).addClass("btn-primary");
		}
		if (frm.doc.status !== "Cancelled") {
			const question =
				frm.doc.status === "Applied"
					? __("Cancel this absence and put its lessons back?")
					: __("Cancel this absence?");
			frm.add_custom_button(
				__("Cancel Absence"),
				() => frappe.confirm(question, () => call("cancel_absence", __("Cancelling..."))),
				__("Actions")
			);
		}
	},
});
