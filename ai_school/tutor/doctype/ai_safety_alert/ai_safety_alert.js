// Copyright (c) 2026, ai_school contributors and contributors
// For license information, please see license.txt

// Follow-up buttons (Acknowledge, Resolve, False alarm) call ai_school.api.safety; the alert links to its chat
// session and shows the student's message with the reply they were shown.
const SAFETY_API = "ai_school.api.safety.";

frappe.ui.form.on("AI Safety Alert", {
	refresh(frm) {
		if (frm.is_new()) return;
		const indicator = {
			Open: "red",
			Acknowledged: "orange",
			Resolved: "green",
			"False Alarm": "gray",
		}[frm.doc.status];
		frm.page.set_indicator(__(frm.doc.status), indicator);

		if (frm.doc.session) {
			frm.add_custom_button(__("Chat Session"), () =>
				frappe.set_route("Form", "AI Chat Session", frm.doc.session)
			);
		}
		if (frm.doc.message) {
			frm.add_custom_button(__("Message"), () => show_message(frm));
		}
		if (!frm.perm[0]?.write || ["Resolved", "False Alarm"].includes(frm.doc.status)) return;

		if (frm.doc.status === "Open") {
			frm.add_custom_button(__("Acknowledge"), () => change(frm, "acknowledge", {})).addClass(
				"btn-primary"
			);
		}
		frm.add_custom_button(
			__("Resolve"),
			() =>
				frappe.prompt(
					{
						fieldname: "notes",
						fieldtype: "Small Text",
						label: __("What was done"),
						reqd: 1,
					},
					(values) => change(frm, "resolve", values),
					__("Resolve Safety Alert"),
					__("Resolve")
				),
			__("Close")
		);
		frm.add_custom_button(
			__("False Alarm"),
			() =>
				frappe.prompt(
					{ fieldname: "notes", fieldtype: "Small Text", label: __("Why (optional)") },
					(values) => change(frm, "mark_false_alarm", values),
					__("Mark as False Alarm"),
					__("Mark False Alarm")
				),
			__("Close")
		);
	},
});

function change(frm, method, args) {
	frappe.call({
		method: SAFETY_API + method,
		type: "POST",
		args: { alert: frm.doc.name, ...args },
		freeze: true,
		callback: () => frm.reload_doc(),
	});
}

// the reply as the student read it, without the Markdown marks for bold
function plain(row) {
	return { ...row, content: (row.content || "").replace(/\*\*/g, "") };
}

function show_message(frm) {
	frappe.call({
		method: SAFETY_API + "get_alert",
		args: { alert: frm.doc.name },
		callback: ({ message }) => {
			const part = (title, row) =>
				`<p class="text-muted small">${frappe.utils.escape_html(title)}</p>` +
				`<div style="white-space: pre-wrap" class="mb-3">${
					row ? frappe.utils.escape_html(row.content || "") : __("(no longer kept)")
				}</div>`;
			const dialog = new frappe.ui.Dialog({
				title: __("Message {0} in the chat", [message.message ? message.message.idx : ""]),
				fields: [{ fieldtype: "HTML", fieldname: "body" }],
			});
			dialog.fields_dict.body.$wrapper.html(
				part(__("The student wrote"), message.message) +
					part(__("The tutor replied"), message.reply_shown && plain(message.reply_shown))
			);
			dialog.show();
		},
	});
}
