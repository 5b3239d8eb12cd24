// Copyright (c) 2026, ai_school contributors
// For license information, please see license.txt

frappe.ui.form.on("AI School Settings", {
	refresh(frm) {
		frm.add_custom_button(__("Test Connection"), () => {
			if (frm.is_dirty()) {
				frappe.msgprint(__("Save the settings first, then test them."));
				return;
			}
			frappe.call({
				method: "ai_school.api.settings.test_connection",
				type: "POST",
				freeze: true,
				freeze_message: __("Asking the AI provider…"),
				callback: ({ message }) => {
					const fallback = message.fallback_used
						? __(" (the primary model failed; a fallback answered)")
						: "";
					frappe.msgprint({
						title: __("Connection works"),
						indicator: "green",
						message: __("{0} answered in {1} ms{2}.", [
							message.provider_model || message.model,
							message.latency_ms,
							fallback,
						]),
					});
				},
			});
		});
	},
});
