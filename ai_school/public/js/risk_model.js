// The AI Risk Model list and form: a Retrain button for managers and the job's end as a message.
// Loaded with frappe.require("/assets/ai_school/js/risk_model.js").

frappe.provide("ai_school.risk_model");

ai_school.risk_model.is_manager = () =>
	frappe.user.has_role("System Manager") || frappe.user.has_role("Education Manager");

// The job's progress arrives as Frappe's own "progress" events (a progress bar); its end as ours.
ai_school.risk_model.listen = (on_done) => {
	frappe.realtime.off("ai_school:risk_model");
	frappe.realtime.on("ai_school:risk_model", (data) => {
		frappe.hide_progress();
		frappe.msgprint({
			title: data.version ? __("{0}: {1}", [data.version, __(data.status)]) : __("Risk model"),
			message: frappe.utils.escape_html(data.message || "").replace(/\n/g, "<br>"),
			indicator: data.status === "Active" ? "green" : "orange",
		});
		on_done && on_done(data);
	});
};

ai_school.risk_model.retrain = () =>
	frappe.call({ method: "ai_school.api.risk_model.retrain", type: "POST", freeze: true }).then((r) =>
		frappe.show_alert({ message: r.message.message, indicator: r.message.queued ? "blue" : "orange" })
	);
