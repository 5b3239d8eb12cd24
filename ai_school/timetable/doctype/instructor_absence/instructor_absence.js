// Copyright (c) 2026, ai_school contributors
// For license information, please see license.txt

// Save the form when it has unsaved changes, then go on; resolve at once when there is nothing to save.
// frm.save() on an unchanged form only shows "No changes in document" and never settles, and on a failed save
// it still resolves; this rejects instead, so cover is never proposed for the old version of the absence.
// Handlers return nothing, so the toolbar never keeps a button disabled on a promise that does not settle.
const ai_school_absence = {
	save_first(frm) {
		if (!frm.is_dirty()) return Promise.resolve();
		return new Promise((resolve, reject) => {
			frm.save("Save", (r) => (r && !r.exc && !frm.is_dirty() ? resolve() : reject()), null, reject);
		});
	},
};

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
				ai_school_absence
					.save_first(frm)
					.then(() => call("propose_cover", __("Looking for free instructors and slots...")))
					.catch(() => {});
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
