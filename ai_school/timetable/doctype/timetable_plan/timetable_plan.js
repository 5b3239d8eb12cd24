// Copyright (c) 2026, ai_school contributors and contributors
// For license information, please see license.txt

const API = "ai_school.api.timetable.";

frappe.ui.form.on("Timetable Plan", {
	setup(frm) {
		frm.grid_state = { view: "Student Group", key: null };
	},

	onload(frm) {
		// one handler per event, not one per form ever opened
		frappe.realtime.off("ai_school:timetable_progress");
		frappe.realtime.off("ai_school:timetable_published");
		frappe.realtime.on("ai_school:timetable_progress", (data) => {
			if (data.plan !== frm.doc.name) return;
			if (data.done) {
				frappe.hide_progress();
				frm.reload_doc();
				frappe.show_alert({ message: __("Solver finished: {0}", [__(data.status)]), indicator: "green" });
			}
		});
		frappe.realtime.on("ai_school:timetable_published", (data) => {
			if (data.plan !== frm.doc.name) return;
			frappe.hide_progress();
			if (data.error) frappe.msgprint({ title: __("Publishing failed"), message: data.error, indicator: "red" });
			frm.reload_doc();
		});
	},

	refresh(frm) {
		if (frm.is_new()) return;
		const busy = frm.doc.status === "Solving";
		const publishing = ["Queued", "Running"].includes(frm.doc.publish_status);
		const solved = ["Solved", "Published", "Publishing"].includes(frm.doc.status);
		// the same field holds why no timetable was found, or notes on the one found (e.g. a memory budget)
		frm.set_df_property("explanation", "label", solved ? __("Solver Notes") : __("Why No Timetable Was Found"));
		// Handlers return nothing, so the toolbar never disables their button waiting on a promise that may not
		// settle; frappe.call's freeze blocks double clicks, and a failed call leaves the button usable.
		const call = (method, args, then) =>
			frappe
				.call({ method: API + method, args: { plan: frm.doc.name, ...args }, freeze: true })
				.then((r) => then && then(r.message));

		if (publishing) {
			frm.dashboard.set_headline(frappe.utils.escape_html(frm.doc.publish_progress || __("Publishing")), "blue");
		} else if (frm.doc.publish_status === "Failed") {
			frm.dashboard.set_headline(frappe.utils.escape_html(frm.doc.publish_progress || __("Publishing failed")), "red");
		}

		if (!busy && !publishing) {
			frm.add_custom_button(__("Load from Student Groups"), () => {
				ai_school_timetable
					.save_first(frm)
					.then(() =>
						call("load_from_student_groups", {}, (r) => {
							frappe.show_alert(__("{0} lesson rows loaded", [r.lessons]));
							frm.reload_doc();
						})
					)
					.catch(() => {});
			});
			frm.add_custom_button(__("Solve"), () => {
				ai_school_timetable
					.save_first(frm)
					.then(() =>
						call("solve", {}, () => {
							frappe.show_progress(__("Solving timetable"), 1, 100, __("Queued"));
							frm.reload_doc();
						})
					)
					.catch(() => {});
			}).addClass("btn-primary");
		}
		if (solved && !busy && !publishing) {
			const resume = frm.doc.status === "Publishing";
			frm.add_custom_button(resume ? __("Resume Publishing") : __("Publish"), () => {
				const question = resume
					? __("Finish publishing this plan's Course Schedules?")
					: __("Create Course Schedules for the rest of the term (replacing this plan's future ones)?");
				frappe.confirm(question, () =>
					call("publish", {}, (r) => {
						if (r.queued) frappe.show_alert(__("Publishing {0} Course Schedules in the background", [r.count]));
						else frappe.msgprint(__("{0} Course Schedules created, {1} replaced, {2} holiday dates skipped", [r.created, r.replaced, r.skipped_holidays]));
						frm.reload_doc();
					}).catch(() => {})
				);
			});
		}
		frm.add_custom_button(__("Validate"), () => {
			frappe
				.call({ method: API + "validate_plan", args: { plan: frm.doc.name }, type: "GET", freeze: true })
				.then(({ message: r }) => {
					const lines = [];
					if (r.summary) lines.push(`<pre>${frappe.utils.escape_html(r.summary)}</pre>`);
					if (r.term_conflicts !== null) lines.push(__("Conflicts among this term's Course Schedules: {0}", [r.term_conflicts]));
					frappe.msgprint({ title: __("Validation"), message: lines.join("<br>") || __("Nothing to validate yet") });
				})
				.catch(() => {});
		});
		frm.add_custom_button(__("Conflicts Report"), () =>
			frappe.set_route("query-report", "Timetable Conflicts", { academic_term: frm.doc.academic_term })
		);
		ai_school_timetable.render(frm);
	},
});

const ai_school_timetable = {
	// Save the form when it has unsaved changes, then go on; resolve at once when there is nothing to save.
	// frm.save() on an unchanged form only shows "No changes in document" and never settles, and on a failed
	// save it still resolves; this rejects instead, so the action is not run on the old version.
	save_first(frm) {
		if (!frm.is_dirty()) return Promise.resolve();
		return new Promise((resolve, reject) => {
			frm.save("Save", (r) => (r && !r.exc && !frm.is_dirty() ? resolve() : reject()), null, reject);
		});
	},

	render(frm) {
		const $wrap = $(frm.fields_dict.grid_html.wrapper).empty();
		if (!frm.doc.solution_json) {
			$wrap.html(`<p class="text-muted">${__("Solve the plan to see the timetable here.")}</p>`);
			return;
		}
		frappe
			.call({ method: API + "get_grid", args: { plan: frm.doc.name, ...frm.grid_state }, type: "GET" })
			.then(({ message }) => this.draw(frm, $wrap, message));
	},

	draw(frm, $wrap, data) {
		frm.grid_state = { view: data.view, key: data.key };
		const esc = frappe.utils.escape_html;
		const views = data.views.map((v) => `<option ${v === data.view ? "selected" : ""}>${esc(v)}</option>`).join("");
		const keys = data.keys
			.map((k) => `<option value="${esc(k.value)}" ${k.value === data.key ? "selected" : ""}>${esc(k.label)}</option>`)
			.join("");
		const head = data.days.map((d) => `<th>${esc(__(d))}</th>`).join("");
		const body = data.periods
			.map((p, pi) => {
				const label = `<th>${esc(p.label)}<br><small class="text-muted">${esc(p.from_time.slice(0, 5))}–${esc(p.to_time.slice(0, 5))}</small></th>`;
				if (p.is_break) return `<tr class="tt-break">${label}<td colspan="${data.days.length}" class="text-muted text-center">${__("Break")}</td></tr>`;
				const cells = data.days
					.map((d, di) => {
						const items = (data.cells[`${di}-${pi}`] || [])
							.map(
								(e) => `<div class="tt-lesson ${e.locked ? "tt-locked" : ""}" data-lesson="${esc(e.lesson)}" data-room="${esc(e.room)}" title="${esc(e.lesson)}">
								${e.locked ? "🔒 " : ""}<b>${esc(e.course)}</b>${e.continued ? " ↓" : ""}<br>
								<small>${esc(["Instructor", "Room"].includes(data.view) ? e.student_group : e.instructors)} · ${esc(e.room)}</small></div>`
							)
							.join("");
						return `<td data-day="${esc(d)}" data-period="${pi + 1}">${items}</td>`;
					})
					.join("");
				return `<tr>${label}${cells}</tr>`;
			})
			.join("");
		$wrap.html(`
			<style>
				.tt-grid td, .tt-grid th { border: 1px solid var(--border-color); padding: 4px; vertical-align: top; min-width: 110px; }
				.tt-lesson { background: var(--bg-blue); border-radius: 4px; padding: 2px 4px; margin-bottom: 2px; cursor: pointer; font-size: 12px; }
				.tt-lesson.tt-locked { background: var(--bg-orange); }
				.tt-break td { background: var(--subtle-fg); }
			</style>
			<div class="flex" style="gap: 8px; margin-bottom: 8px;">
				<select class="form-control input-sm tt-view" style="max-width: 180px;">${views}</select>
				<select class="form-control input-sm tt-key" style="max-width: 320px;">${keys}</select>
				<span class="text-muted small" style="align-self: center;">${__("Click a lesson to lock, move or swap it")}</span>
			</div>
			<table class="tt-grid" style="width: 100%; border-collapse: collapse;"><thead><tr><th></th>${head}</tr></thead><tbody>${body}</tbody></table>`);
		$wrap.find(".tt-view").on("change", (e) => {
			frm.grid_state = { view: e.target.value, key: null };
			this.render(frm);
		});
		$wrap.find(".tt-key").on("change", (e) => {
			frm.grid_state.key = e.target.value;
			this.render(frm);
		});
		$wrap.find(".tt-lesson").on("click", (e) => {
			const $lesson = $(e.currentTarget);
			this.edit(frm, data, $lesson.data("lesson"), $lesson.data("room"));
		});
	},

	edit(frm, data, lesson, room) {
		const row = (frm.doc.assignments || []).find((a) => a.lesson_id === lesson) || {};
		const others = (frm.doc.assignments || []).map((a) => a.lesson_id).filter((l) => l !== lesson);
		const d = new frappe.ui.Dialog({
			title: lesson,
			fields: [
				{
					fieldtype: "HTML",
					options: `<p>${frappe.utils.escape_html(__("{0}, period {1}, {2}{3}", [__(row.day), row.period, room || __("no room"), row.locked ? " · " + __("locked") : ""]))}</p>`,
				},
				{ fieldname: "day", label: __("Move to day"), fieldtype: "Select", options: data.days, default: row.day },
				{ fieldname: "period", label: __("Move to period"), fieldtype: "Int", default: row.period },
				{ fieldname: "swap_with", label: __("Or swap with lesson"), fieldtype: "Autocomplete", options: others },
			],
			primary_action_label: __("Move / Swap"),
			primary_action: (v) => {
				const args = v.swap_with
					? { method: "swap_lessons", args: { first: lesson, second: v.swap_with } }
					: { method: "move_lesson", args: { lesson, day: v.day, period: v.period } };
				frappe.call({ method: API + args.method, args: { plan: frm.doc.name, ...args.args } }).then(() => {
					d.hide();
					frm.reload_doc();
				});
			},
			secondary_action_label: row.locked ? __("Unlock") : __("Lock here"),
			secondary_action: () =>
				frappe
					.call({ method: API + "set_lock", args: { plan: frm.doc.name, lessons: [lesson], locked: row.locked ? 0 : 1 } })
					.then(() => {
						d.hide();
						frm.reload_doc();
					}),
		});
		d.show();
	},
};
