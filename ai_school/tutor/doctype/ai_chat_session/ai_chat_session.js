// Copyright (c) 2026, ai_school contributors
// For license information, please see license.txt

// The conversation as a chat, not a grid: the student's messages on the right, the tutor's on the left, with
// the guard's label and mode, the integrity post-check and safety signals next to each. Student and model text
// are untrusted: the student's goes in with jQuery's .text(); the tutor's is rendered as the student saw it, by
// the tutor page's renderer (sanitised Markdown and maths, tutor.bundle.js), and as text until that has loaded.

(() => {
	// scoped: desk scripts share the page's global scope
	frappe.ui.form.on("AI Chat Session", {
		refresh(frm) {
			render_chat(frm);
			show_alerts(frm);
			frappe.require("tutor.bundle.js", () => render_chat(frm));
		},
	});

	const MODE_COLOURS = { learning: "green", guided: "blue", restricted: "orange", blocked: "red" };

	function render_chat(frm) {
		const field = frm.get_field("messages");
		if (!field || !field.$wrapper) return;
		const $wrapper = field.$wrapper;
		// the grid stays in the DOM (Frappe refreshes it) but out of sight
		$wrapper.children().not(".ai-chat").hide();
		let $chat = $wrapper.children(".ai-chat");
		if (!$chat.length) $chat = $('<div class="ai-chat" role="log">').appendTo($wrapper);
		$chat.empty().attr("aria-label", __("Conversation"));

		const flags = parse_flags(frm.doc.safety_flags);
		if (frm.doc.status === "Flagged" || flags.length) {
			$('<div class="alert alert-danger small mb-3">')
				.text(__("Flagged for safety review: {0}", [flags.join(", ") || __("see the alerts")]))
				.appendTo($chat);
		}
		const messages = (frm.doc.messages || []).slice().sort((a, b) => a.idx - b.idx);
		if (!messages.length) {
			$('<p class="text-muted">').text(__("No messages yet.")).appendTo($chat);
			return;
		}
		messages.forEach((message) => bubble(message).appendTo($chat));
	}

	function bubble(message) {
		const student = message.role === "user";
		const unsafe = (message.guard_label || "").startsWith("unsafe_");
		const $row = $('<div class="d-flex mb-3">').css(
			"justify-content",
			student ? "flex-end" : "flex-start"
		);
		const $bubble = $('<div class="p-2 rounded">')
			.css({
				"max-width": "80%",
				border: "1px solid var(--border-color)",
				background: student ? "var(--control-bg)" : "var(--card-bg)",
			})
			.appendTo($row);
		if (unsafe) $bubble.css({ border: "2px solid var(--red-500)" });

		const who = student ? __("Student") : message.role === "assistant" ? __("Tutor") : __("System");
		const $meta = $('<div class="small text-muted mb-1">').appendTo($bubble);
		$("<strong>").text(who).appendTo($meta);
		if (message.timestamp) {
			$("<span>")
				.text(" · " + frappe.datetime.str_to_user(message.timestamp))
				.appendTo($meta);
		}

		const $text = $('<div class="ai-chat-text">').css({ "overflow-wrap": "anywhere" }).appendTo($bubble);
		const renderer = window.ai_school && window.ai_school.renderMessage;
		if (!student && renderer) renderer($text[0], message.content || "");
		else $text.css({ "white-space": "pre-wrap" }).text(message.content || "");

		const $tags = $('<div class="mt-1">').appendTo($bubble);
		if (student && message.guard_label) tag($tags, message.guard_label, unsafe ? "red" : "gray");
		if (message.guard_mode) tag($tags, message.guard_mode, MODE_COLOURS[message.guard_mode] || "gray");
		if (message.status === "Failed") tag($tags, __("Failed: {0}", [message.error || ""]), "red");
		if (message.status === "Pending") tag($tags, __("Waiting for an answer"), "gray");
		if (message.fallback) tag($tags, __("Offline study guide"), "gray");
		if (message.flagged) tag($tags, __("Rewritten by the integrity check"), "orange");
		if (message.model) tag($tags, message.model, "gray");
		return $row;
	}

	function tag($parent, text, colour) {
		$('<span class="indicator-pill no-indicator-dot mr-1 mb-1">')
			.addClass(colour)
			.text(text)
			.appendTo($parent);
	}

	function parse_flags(value) {
		if (!value) return [];
		try {
			const flags = typeof value === "string" ? JSON.parse(value) : value;
			return Array.isArray(flags) ? flags.map(String) : [];
		} catch (e) {
			return [];
		}
	}

	// the chat's safety alerts (the user's own read permission decides which), linked to each alert
	function show_alerts(frm) {
		if (frm.is_new()) return;
		frappe.db
			.get_list("AI Safety Alert", {
				filters: { session: frm.doc.name },
				fields: ["name", "category", "tier", "status", "creation"],
				order_by: "creation desc",
				limit: 20,
			})
			.then((alerts) => {
				if (!alerts || !alerts.length) return;
				const $chat = frm.get_field("messages").$wrapper.children(".ai-chat");
				const $box = $('<div class="alert alert-warning small mb-3">').prependTo($chat);
				$("<strong>")
					.text(__("Safety alerts") + ": ")
					.appendTo($box);
				alerts.forEach((alert, i) => {
					if (i) $box.append(document.createTextNode(", "));
					$("<a>")
						.attr("href", frappe.utils.get_form_link("AI Safety Alert", alert.name))
						.text(`${alert.category} (${__("tier {0}", [alert.tier])}, ${__(alert.status)})`)
						.appendTo($box);
				});
			})
			.catch(() => {});
	}
})();
