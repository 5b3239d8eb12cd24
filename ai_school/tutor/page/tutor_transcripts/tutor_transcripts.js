// Copyright (c) 2026, ai_school contributors
// For license information, please see license.txt

// Tutor Transcripts: the chats a member of staff may read (an instructor: the students of the groups they teach
// this academic year), flagged ones first, filtered by group, course or student; a row opens the chat in the
// AI Chat Session form, which shows it as a conversation. The group modes in force for the user's groups are
// listed above, with Set Group Mode / Clear. Every text from the server goes in as text, never as HTML.

(() => {
	// scoped: desk scripts share the page's global scope
	frappe.pages["tutor-transcripts"].on_page_load = function (wrapper) {
		const page = frappe.ui.make_app_page({
			parent: wrapper,
			title: __("Tutor Transcripts"),
			single_column: true,
		});
		wrapper.transcripts = new TutorTranscripts(page);
	};

	frappe.pages["tutor-transcripts"].on_page_show = function (wrapper) {
		if (wrapper.transcripts) wrapper.transcripts.refresh();
	};

	const API = "ai_school.api.tutor.";
	const PAGE_LENGTH = 20;
	const STATUS_COLOURS = { Flagged: "red", Active: "blue", Closed: "gray", Archived: "gray" };

	class TutorTranscripts {
		constructor(page) {
			this.page = page;
			this.start = 0;
			this.groups = [];
			this.make_filters();
			this.$modes = $('<div class="tutor-group-modes mb-3">').appendTo(page.body);
			this.$list = $('<div class="tutor-transcripts frappe-card p-3">').appendTo(page.body);
			this.$more = $('<div class="text-center mt-3">').appendTo(page.body);
			page.set_primary_action(__("Set Group Mode"), () => this.set_group_mode(), "lock");
			page.set_secondary_action(__("Refresh"), () => this.refresh());
			frappe.call(API + "get_transcript_filters").then((r) => {
				const options = r.message || { groups: [], courses: [] };
				this.groups = options.groups;
				this.fields.student_group.df.options = [""].concat(options.groups);
				this.fields.student_group.refresh();
				this.fields.course.df.options = [""].concat(options.courses);
				this.fields.course.refresh();
				this.refresh();
			});
		}

		make_filters() {
			const change = () => {
				this.start = 0;
				this.load();
			};
			this.fields = {
				student_group: this.page.add_field({
					fieldname: "student_group",
					label: __("Student Group"),
					fieldtype: "Select",
					options: [""],
					change,
				}),
				course: this.page.add_field({
					fieldname: "course",
					label: __("Course"),
					fieldtype: "Select",
					options: [""],
					change,
				}),
				student: this.page.add_field({
					fieldname: "student",
					label: __("Student"),
					fieldtype: "Data",
					change,
				}),
				flagged_only: this.page.add_field({
					fieldname: "flagged_only",
					label: __("Flagged only"),
					fieldtype: "Check",
					change,
				}),
			};
		}

		filters() {
			const values = {};
			for (const [name, field] of Object.entries(this.fields)) {
				const value = field.get_value();
				if (value) values[name] = value;
			}
			return values;
		}

		refresh() {
			this.start = 0;
			this.load();
			this.load_modes();
		}

		load() {
			const args = { ...this.filters(), start: this.start, page_length: PAGE_LENGTH };
			frappe.call({ method: API + "get_transcripts", type: "GET", args }).then((r) => {
				const data = r.message || { sessions: [], more: false };
				if (this.start === 0) this.$list.empty();
				if (!data.sessions.length && this.start === 0) {
					$('<p class="text-muted m-0">')
						.text(__("No chats match these filters."))
						.appendTo(this.$list);
				}
				data.sessions.forEach((session) => this.row(session).appendTo(this.$list));
				this.$more.empty();
				if (data.more) {
					$('<button class="btn btn-default btn-sm">')
						.text(__("More"))
						.on("click", () => {
							this.start += PAGE_LENGTH;
							this.load();
						})
						.appendTo(this.$more);
				}
			});
		}

		row(session) {
			const $row = $(
				'<div class="d-flex align-items-center py-2 border-bottom" role="link" tabindex="0">'
			)
				.css("cursor", "pointer")
				.attr("data-session", session.name);
			const open = () => frappe.set_route("Form", "AI Chat Session", session.name);
			$row.on("click", open).on("keydown", (e) => e.key === "Enter" && open());

			$('<span class="indicator-pill mr-3">')
				.addClass(STATUS_COLOURS[session.status] || "gray")
				.text(__(session.status))
				.css("min-width", "80px")
				.appendTo($row);
			const $main = $('<div class="flex-grow-1">').appendTo($row);
			$('<div class="bold">')
				.text(`${session.student_name || session.student} · ${session.topic || session.course || ""}`)
				.appendTo($main);
			const flags = parse_flags(session.safety_flags);
			const details = [
				session.messages === 1 ? __("1 message") : __("{0} messages", [session.messages]),
				frappe.datetime.prettyDate(session.modified),
			];
			if (flags.length) details.push(__("flags: {0}", [flags.join(", ")]));
			$('<div class="small text-muted">').text(details.join(" · ")).appendTo($main);
			return $row;
		}

		load_modes() {
			frappe.db
				.get_list("AI Tutor Group Mode", {
					filters: { to_date: [">=", frappe.datetime.get_today()] },
					fields: ["name", "student_group", "course", "mode", "from_date", "to_date", "reason"],
					order_by: "from_date asc",
					limit: 50,
				})
				.then((modes) => {
					this.$modes.empty();
					if (!modes.length) return;
					const $box = $('<div class="frappe-card p-3">').appendTo(this.$modes);
					$('<div class="bold mb-2">').text(__("Group modes now and ahead")).appendTo($box);
					modes.forEach((mode) => {
						const $line = $('<div class="d-flex align-items-center mb-1">').appendTo($box);
						$('<span class="indicator-pill mr-2">')
							.addClass(
								{ Guided: "blue", Restricted: "orange", Blocked: "red" }[mode.mode] || "gray"
							)
							.text(__(mode.mode))
							.appendTo($line);
						$('<span class="flex-grow-1">')
							.text(
								`${mode.student_group}: ${frappe.datetime.str_to_user(mode.from_date)} – ` +
									`${frappe.datetime.str_to_user(mode.to_date)} · ${mode.reason}`
							)
							.appendTo($line);
						$('<button class="btn btn-xs btn-default">')
							.text(__("Clear"))
							.on("click", () => this.clear_group_mode(mode.name))
							.appendTo($line);
					});
				});
		}

		set_group_mode() {
			const dialog = new frappe.ui.Dialog({
				title: __("Set the tutor's mode for a group"),
				fields: [
					{
						fieldname: "student_group",
						label: __("Student Group"),
						fieldtype: "Select",
						options: this.groups,
						reqd: 1,
						default: this.fields.student_group.get_value() || this.groups[0],
					},
					{
						fieldname: "mode",
						label: __("Mode"),
						fieldtype: "Select",
						options: ["Guided", "Restricted", "Blocked"],
						default: "Guided",
						reqd: 1,
						description: __(
							"Guided: hints, never the final answer. Restricted: sends students to you and the course's resources. Blocked: no help with the course."
						),
					},
					{ fieldtype: "Column Break" },
					{
						fieldname: "from_date",
						label: __("From Date"),
						fieldtype: "Date",
						default: frappe.datetime.get_today(),
						reqd: 1,
					},
					{
						fieldname: "to_date",
						label: __("To Date (inclusive)"),
						fieldtype: "Date",
						default: frappe.datetime.add_days(frappe.datetime.get_today(), 4),
						reqd: 1,
					},
					{ fieldtype: "Section Break" },
					{
						fieldname: "reason",
						label: __("Reason (shown to the students)"),
						fieldtype: "Small Text",
						reqd: 1,
					},
				],
				primary_action_label: __("Set"),
				primary_action: (values) => {
					frappe.call({ method: API + "set_group_mode", args: values }).then((r) => {
						dialog.hide();
						frappe.show_alert({
							message: __("{0} mode set for {1}", [
								__(r.message.mode),
								r.message.student_group,
							]),
							indicator: "green",
						});
						this.load_modes();
					});
				},
			});
			dialog.show();
		}

		clear_group_mode(name) {
			frappe.confirm(__("Clear this group mode?"), () => {
				frappe
					.call({ method: API + "clear_group_mode", args: { name } })
					.then(() => this.load_modes());
			});
		}
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
})();
