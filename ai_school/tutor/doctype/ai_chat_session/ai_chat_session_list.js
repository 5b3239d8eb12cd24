// Copyright (c) 2026, ai_school contributors
// For license information, please see license.txt

// Flagged chats stand out; Tutor Transcripts lists them first (a list view sorts by a field only).
frappe.listview_settings["AI Chat Session"] = {
	get_indicator(doc) {
		const colour = { Flagged: "red", Active: "blue", Closed: "gray", Archived: "gray" }[doc.status];
		return [__(doc.status), colour || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		listview.page.add_inner_button(__("Tutor Transcripts (flagged first)"), () =>
			frappe.set_route("tutor-transcripts")
		);
	},
};
