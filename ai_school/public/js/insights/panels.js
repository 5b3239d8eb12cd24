// Early-warning panels on Education's desk forms: shared helpers (loaded before each form's own script,
// see doctype_js in hooks.py). The server decides who sees a panel (the form's __onload) and what is in it
// (ai_school.api.insights); everything shown is escaped here.

frappe.provide("ai_school.insights");

(function () {
	const API = "ai_school.api.insights.";
	const esc = (value) => frappe.utils.escape_html(value == null ? "" : String(value));
	const fmt_pct = (value) => (value == null ? "—" : `${format_number(value, null, 1)} %`);
	const fmt_points = (value) => format_number(value || 0, null, 0);

	const CSS = `
		.ai-ew-card { border: 1px solid var(--border-color); border-radius: var(--border-radius-md, 8px);
			background: var(--card-bg, var(--fg-color)); padding: var(--padding-md, 12px) var(--padding-lg, 20px);
			margin-bottom: var(--margin-md, 12px); }
		.ai-ew-card .ai-ew-title { font-weight: 600; font-size: var(--text-md); color: var(--heading-color, var(--text-color));
			margin-bottom: var(--padding-sm, 8px); }
		.ai-ew { --ai-ew-gap: var(--padding-md, 12px); }
		.ai-ew .ai-ew-head { display: flex; flex-wrap: wrap; align-items: center; gap: var(--ai-ew-gap); }
		.ai-ew .ai-ew-stat { display: flex; flex-direction: column; min-width: 90px; }
		.ai-ew .ai-ew-stat .ai-ew-label { font-size: var(--text-xs); color: var(--text-muted); }
		.ai-ew .ai-ew-stat .ai-ew-value { font-size: var(--text-lg); font-weight: 600; color: var(--text-color); }
		.ai-ew .ai-ew-tier { font-size: var(--text-md); padding: 4px 12px; border-radius: var(--border-radius-full, 999px);
			font-weight: 600; white-space: nowrap; }
		.ai-ew table .ai-ew-tier, .ai-ew .ai-ew-legend .ai-ew-tier { font-size: var(--text-xs); padding: 2px 8px; }
		.ai-ew .ai-ew-tiers .chart-legend { display: none; }
		.ai-ew .ai-ew-tier.red { background: var(--red-100); color: var(--red-700); }
		.ai-ew .ai-ew-tier.orange { background: var(--orange-100); color: var(--orange-700); }
		.ai-ew .ai-ew-tier.yellow { background: var(--yellow-100); color: var(--yellow-700); }
		.ai-ew .ai-ew-tier.green { background: var(--green-100); color: var(--green-700); }
		.ai-ew .ai-ew-tier.gray { background: var(--gray-100); color: var(--gray-700); }
		.ai-ew .ai-ew-spacer { flex: 1; }
		.ai-ew .ai-ew-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: var(--ai-ew-gap);
			margin-top: var(--ai-ew-gap); }
		@media (max-width: 991px) { .ai-ew .ai-ew-grid { grid-template-columns: minmax(0, 1fr); } }
		.ai-ew h6 { margin: 0 0 6px; font-size: var(--text-sm); font-weight: 600; color: var(--text-muted);
			text-transform: uppercase; letter-spacing: 0.02em; }
		.ai-ew .ai-ew-reasons { list-style: none; padding: 0; margin: 0; }
		.ai-ew .ai-ew-reasons li { display: flex; gap: 8px; align-items: baseline; padding: 4px 0;
			border-bottom: 1px solid var(--border-color); }
		.ai-ew .ai-ew-reasons li:last-child { border-bottom: 0; }
		.ai-ew .ai-ew-points { flex: 0 0 auto; min-width: 40px; text-align: center; font-weight: 600;
			font-size: var(--text-xs); border-radius: var(--border-radius-sm, 4px); padding: 1px 6px;
			background: var(--red-100); color: var(--red-700); }
		.ai-ew .ai-ew-reasons li.ai-ew-none .ai-ew-points { background: var(--gray-100); color: var(--gray-600); }
		.ai-ew .ai-ew-reasons li.ai-ew-none { color: var(--text-muted); }
		.ai-ew table.ai-ew-table { width: 100%; font-size: var(--text-sm); }
		.ai-ew table.ai-ew-table th { color: var(--text-muted); font-weight: 500; }
		.ai-ew table.ai-ew-table td, .ai-ew table.ai-ew-table th { padding: 4px 6px;
			border-bottom: 1px solid var(--border-color); vertical-align: top; }
		.ai-ew .ai-ew-muted { color: var(--text-muted); font-size: var(--text-sm); }
		.ai-ew .ai-ew-up { color: var(--red-600); font-weight: 600; }
		.ai-ew .ai-ew-down { color: var(--green-600); font-weight: 600; }
		.ai-ew .ai-ew-legend { display: flex; flex-wrap: wrap; gap: 6px 12px; font-size: var(--text-sm); }
		.ai-ew .ai-ew-chart { min-height: 200px; }
		.ai-ew .ai-ew-suggestions { font-size: var(--text-sm); }
	`;

	function ensure_style() {
		frappe.dom.set_style(CSS, "ai-school-insights-panels");
	}

	// One panel per form: a card above the form's tabs (a tabbed form keeps its dashboard in the Connections
	// tab), replaced on every refresh. Returns the panel's body, or null when a newer refresh started while
	// the request was out.
	function section(frm, key, label, token) {
		if (frm[`__ai_ew_${key}`] !== token) return null;
		ensure_style();
		remove(frm, key);
		const card = $(`<div class="ai-ew-card ai-ew-section-${key}">
			<div class="ai-ew-title">${esc(label)}</div><div class="ai-ew"></div></div>`);
		const page = frm.layout.wrapper.find(".form-page").first();
		if (page.length) card.insertBefore(page);
		else card.prependTo(frm.layout.wrapper);
		return card.find(".ai-ew");
	}

	function remove(frm, key) {
		frm.layout && frm.layout.wrapper.find(`.ai-ew-section-${key}`).remove();
	}

	function start(frm, key) {
		const token = {};
		frm[`__ai_ew_${key}`] = token;
		remove(frm, key);
		return token;
	}

	function tier_pill(level, colour) {
		if (!level) return `<span class="ai-ew-tier gray">${__("Not computed")}</span>`;
		return `<span class="ai-ew-tier ${esc(colour || "gray")}" title="${esc(
			__("Risk tier")
		)}">${esc(__(level))} ${esc(__("risk"))}</span>`;
	}

	function stat(label, value) {
		return `<div class="ai-ew-stat"><span class="ai-ew-label">${esc(label)}</span>
			<span class="ai-ew-value">${esc(value)}</span></div>`;
	}

	function link(doctype, name, label) {
		return `<a href="/app/${frappe.router.slug(doctype)}/${encodeURIComponent(name)}">${esc(
			label || name
		)}</a>`;
	}

	function reasons_list(reasons) {
		if (!reasons.length)
			return `<div class="ai-ew-muted">${__("No reasons recorded yet.")}</div>`;
		const items = reasons.map((row) => {
			const none = !row.impact;
			return `<li class="${none ? "ai-ew-none" : ""}">
				<span class="ai-ew-points" title="${esc(__("Points this adds to the score"))}">+${fmt_points(
				row.impact
			)}</span>
				<span><b>${esc(__(row.factor))}</b>: ${esc(row.explanation)}</span></li>`;
		});
		return `<ul class="ai-ew-reasons">${items.join("")}</ul>`;
	}

	// --- trajectory chart ---------------------------------------------------------------------------------

	// "2025-26 (Term 1)" -> "25-26 T1": the chart cuts labels of more than about ten characters (the table
	// below keeps the names)
	function term_label(term) {
		return term.term
			.replace(/\s*\(\s*Term\s*(\d+)\s*\)/i, " T$1")
			.replace(/^\d{2}(\d{2})-(\d{2})\b/, "$1-$2");
	}

	function trajectory_html(trajectory) {
		const terms = trajectory.terms || [];
		if (!terms.length) {
			return `<div class="ai-ew-muted">${__("No terms with records yet.")}</div>`;
		}
		const markers = trajectory.interventions || [];
		const lines = markers.map(
			(m) =>
				`<div>⚑ ${esc(frappe.datetime.str_to_user(m.start_date))}: ${link(
					"AI Intervention",
					m.name,
					m.title || m.name
				)}${m.status ? ` <span class="ai-ew-muted">(${esc(__(m.status))})</span>` : ""}${
					m.term ? ` <span class="ai-ew-muted">— ${esc(m.term)}</span>` : ""
				}</div>`
		);
		const rows = terms.map(
			(t) => `<tr><td>${esc(t.term)}${
				t.complete ? "" : ` <span class="ai-ew-muted">(${esc(__("so far"))})</span>`
			}</td>
				<td>${fmt_points(t.risk_score)} · ${esc(__(t.risk_level))}</td>
				<td>${fmt_pct(t.attendance_pct)}</td><td>${fmt_pct(t.average_pct)}</td></tr>`
		);
		return `<div class="ai-ew-chart"></div>
			${
				lines.length
					? `<div class="ai-ew-muted">${__("Interventions started")}:</div>${lines.join(
							""
					  )}`
					: ""
			}
			<table class="ai-ew-table"><thead><tr><th>${__("Term")}</th><th>${__("Risk score")}</th>
				<th>${__("Attendance")}</th><th>${__("Average")}</th></tr></thead>
				<tbody>${rows.join("")}</tbody></table>`;
	}

	function draw_trajectory(container, trajectory) {
		const terms = trajectory.terms || [];
		const el = container.find(".ai-ew-chart").get(0);
		if (!el || !frappe.Chart) return null;
		if (terms.length < 2) {
			// a line needs two points (frappe-charts draws NaN paths for one); the table below has the term
			el.style.minHeight = "0";
			el.innerHTML = `<div class="ai-ew-muted">${esc(
				__("The chart starts once the student has a second term on record.")
			)}</div>`;
			return null;
		}
		const started = new Set(
			(trajectory.interventions || []).map((m) => m.term).filter(Boolean)
		);
		const labels = terms.map((t) =>
			started.has(t.term) ? `⚑${term_label(t)}` : term_label(t)
		);
		const datasets = [{ name: __("Risk score"), values: terms.map((t) => t.risk_score || 0) }];
		const colors = ["red"];
		if (terms.every((t) => t.attendance_pct != null)) {
			datasets.push({
				name: __("Attendance %"),
				values: terms.map((t) => t.attendance_pct),
			});
			colors.push("blue");
		}
		const thresholds = trajectory.thresholds || {};
		const y_markers = ["medium", "high", "critical"]
			.filter((key) => thresholds[key] != null)
			.map((key) => ({
				label: __(frappe.utils.to_title_case(key)),
				value: thresholds[key],
				options: { labelPos: "left" },
			}));
		return new frappe.Chart(el, {
			type: "line",
			height: 220,
			data: { labels, datasets, yMarkers: y_markers },
			colors,
			axisOptions: { xIsSeries: 0, shortenYAxisNumbers: 0 },
			lineOptions: { dotSize: 5, regionFill: 0 },
			tooltipOptions: { formatTooltipY: (value) => format_number(value, null, 1) },
		});
	}

	// --- Student ------------------------------------------------------------------------------------------

	ai_school.insights.student_panel = function (frm) {
		const onload = (frm.doc.__onload || {}).ai_school_risk;
		const token = start(frm, "student");
		if (!onload || frm.is_new()) return;
		frappe
			.call({
				method: API + "get_student_panel",
				args: { student: frm.doc.name },
				type: "GET",
			})
			.then((r) => render_student(frm, token, r.message));
	};

	function render_student(frm, token, data) {
		const box = section(frm, "student", __("Early warning"), token);
		if (!box || !data) return;
		const p = data.profile;
		const head = [
			tier_pill(p && p.risk_level, p && p.colour),
			stat(__("Risk score"), p ? `${fmt_points(p.risk_score)} / 100` : "—"),
			stat(__("Attendance this term"), p ? fmt_pct(p.attendance_rate) : "—"),
			stat(__("Since last term"), p && p.trend ? __(p.trend) : "—"),
			`<span class="ai-ew-spacer"></span>`,
			p && p.last_computed
				? `<span class="ai-ew-muted" title="${esc(p.model_version || "")}">${__(
						"Computed {0}",
						[
							// Frappe's own markup: a relative time it keeps up to date
							frappe.datetime.comment_when(p.last_computed),
						]
				  )}</span>`
				: "",
			data.can_recompute
				? `<button class="btn btn-xs btn-default ai-ew-recompute">${__(
						"Recompute"
				  )}</button>`
				: "",
		];
		const concern = data.reasons.filter((r) => r.impact > 0);
		const rest = data.reasons.filter((r) => !(r.impact > 0));
		const standings = data.course_standings.length
			? `<table class="ai-ew-table"><thead><tr><th>${__("Course")}</th><th>${__(
					"Score"
			  )}</th>
				<th>${__("Standing")}</th><th>${__("Trend")}</th></tr></thead><tbody>${data.course_standings
					.map(
						(c) => `<tr><td>${esc(c.course_name || c.course)}</td><td>${fmt_pct(
							c.score_percent
						)}</td>
						<td>${esc(__(c.standing || ""))}</td><td>${esc(__(c.trend || "—"))}</td></tr>`
					)
					.join("")}</tbody></table>`
			: `<div class="ai-ew-muted">${__("No results this term yet.")}</div>`;
		let interventions = "";
		if (data.interventions_available) {
			const rows = data.interventions.map((i) => {
				const details = [
					__(i.status || ""),
					i.start_date
						? __("from {0}", [frappe.datetime.str_to_user(i.start_date)])
						: "",
					i.owner_name || i.owner_user || "",
				].filter(Boolean);
				return `<div>${link("AI Intervention", i.name, i.title || i.goal || i.name)}
					<span class="ai-ew-muted">${esc(details.join(" · "))}</span></div>`;
			});
			interventions = `<div><h6>${__("Open interventions")}</h6>${
				rows.length ? rows.join("") : `<div class="ai-ew-muted">${__("None open.")}</div>`
			}${
				frappe.model.can_create("AI Intervention")
					? `<button class="btn btn-xs btn-default ai-ew-new-intervention"
						style="margin-top: 6px">${__("Start Intervention")}</button>`
					: ""
			}</div>`;
		}
		box.html(`
			<div class="ai-ew-head">${head.join("")}</div>
			${
				p
					? ""
					: `<div class="ai-ew-muted">${__(
							"No risk profile yet: it is computed daily and after new results or attendance."
					  )}</div>`
			}
			<div class="ai-ew-grid">
				<div><h6>${__("Why")}</h6>${reasons_list(concern.concat(rest))}</div>
				<div><h6>${__("Trajectory")}</h6>${trajectory_html(data.trajectory)}</div>
				<div><h6>${__("Courses this term")}</h6>${standings}</div>
				${interventions}
			</div>`);
		draw_trajectory(box, data.trajectory);
		box.find(".ai-ew-new-intervention").on("click", () => {
			// prefilled with the tier and reasons (public/js/interventions.js), else a blank one
			if (ai_school.interventions && ai_school.interventions.start) {
				ai_school.interventions.start(frm.doc.name);
			} else {
				frappe.new_doc("AI Intervention", { student: frm.doc.name });
			}
		});
		box.find(".ai-ew-recompute").on("click", () => {
			frappe
				.call({
					method: API + "recompute_student",
					args: { student: frm.doc.name },
					freeze: true,
					freeze_message: __("Recomputing…"),
				})
				.then((r) => {
					frm.__ai_ew_student = token;
					render_student(frm, token, r.message);
					frappe.show_alert({ message: __("Risk recomputed"), indicator: "green" });
				});
		});
	}

	// --- Student Group ------------------------------------------------------------------------------------

	ai_school.insights.group_panel = function (frm) {
		const token = start(frm, "group");
		if (!(frm.doc.__onload || {}).ai_school_class_health || frm.is_new()) return;
		frappe
			.call({
				method: API + "get_group_health",
				args: { student_group: frm.doc.name },
				type: "GET",
			})
			.then((r) => render_group(frm, token, r.message));
	};

	function render_group(frm, token, data) {
		const box = section(frm, "group", __("Class health"), token);
		if (!box || !data) return;
		const levels = Object.keys(data.tiers);
		const colour_of = (level) =>
			({ red: "red", orange: "orange", yellow: "yellow", green: "green" }[
				data.colours[level]
			] || "light-grey");
		const legend = levels
			.map(
				(level) =>
					`<span>${tier_pill(
						level === "Not computed" ? null : level,
						data.colours[level]
					)} ${data.tiers[level]}</span>`
			)
			.join("");
		const moved = data.moved.length
			? data.moved
					.map(
						(m) =>
							`<div><span class="${
								m.direction === "up" ? "ai-ew-up" : "ai-ew-down"
							}">${m.direction === "up" ? "▲" : "▼"}</span> ${link(
								"Student",
								m.student,
								m.student_name
							)}: ${esc(__(m.from))} → ${esc(__(m.to))}</div>`
					)
					.join("")
			: `<div class="ai-ew-muted">${
					data.previous_term
						? __("Nobody changed tier.")
						: __("No earlier term to compare with.")
			  }</div>`;
		const at_risk = data.at_risk.length
			? `<table class="ai-ew-table"><thead><tr><th>${__("Student")}</th><th>${__(
					"Tier"
			  )}</th>
				<th>${__("Score")}</th><th>${__("Top reason")}</th></tr></thead><tbody>${data.at_risk
					.map(
						(s) => `<tr><td>${link("Student", s.student, s.student_name)}</td>
						<td>${tier_pill(s.risk_level, s.colour)}</td><td>${fmt_points(s.risk_score)}</td>
						<td>${esc(s.top_reason || "")}</td></tr>`
					)
					.join("")}</tbody></table>`
			: `<div class="ai-ew-muted">${__("No student is at High or Critical risk.")}</div>`;
		box.html(`
			<div class="ai-ew-head">${stat(__("Active students"), data.students)}
				${stat(__("High or Critical"), data.at_risk.length)}
				${stat(__("Moved tier"), data.moved.length)}
				<span class="ai-ew-muted">${esc(data.term || "")}</span></div>
			<div class="ai-ew-grid">
				<div><h6>${__("Tiers")}</h6><div class="ai-ew-chart ai-ew-tiers"></div>
					<div class="ai-ew-legend">${legend}</div></div>
				<div><h6>${__("Moved since {0}", [esc(data.previous_term || __("last term"))])}</h6>${moved}</div>
			</div>
			<div style="margin-top: var(--padding-md)"><h6>${__("At risk")}</h6>${at_risk}</div>`);
		const shown = levels.filter((level) => data.tiers[level] > 0);
		const el = box.find(".ai-ew-tiers").get(0);
		if (el && shown.length && frappe.Chart) {
			new frappe.Chart(el, {
				type: "donut",
				height: 220,
				data: {
					labels: shown.map((level) => __(level)),
					datasets: [
						{ name: __("Students"), values: shown.map((level) => data.tiers[level]) },
					],
				},
				colors: shown.map(colour_of),
			});
		}
	}

	// --- Assessment Result --------------------------------------------------------------------------------

	ai_school.insights.result_panel = function (frm) {
		const token = start(frm, "result");
		if (frm.is_new() || frm.doc.docstatus !== 1) return;
		frappe
			.call({
				method: API + "get_result_insight",
				args: { assessment_result: frm.doc.name },
				type: "GET",
			})
			.then((r) => render_result(frm, token, r.message));
	};

	function render_result(frm, token, insight) {
		if (!insight) return;
		const box = section(frm, "result", __("Assessment insight"), token);
		if (!box) return;
		const change =
			insight.trend_points != null
				? `${insight.trend_points > 0 ? "+" : ""}${format_number(
						insight.trend_points,
						null,
						1
				  )}`
				: "";
		const head = [
			`<span class="indicator-pill ${
				{ Shared: "green", Reviewed: "blue", Draft: "orange" }[insight.status] || "gray"
			}">${esc(__(insight.status))}</span>`,
			insight.score_percent != null ? stat(__("Score"), fmt_pct(insight.score_percent)) : "",
			insight.group_mean_percent != null
				? stat(
						__("Group mean"),
						`${fmt_pct(insight.group_mean_percent)}${
							insight.group_size ? ` (${insight.group_size})` : ""
						}`
				  )
				: "",
			insight.trend
				? stat(
						__("Trend"),
						`${__(insight.trend)}${change ? ` (${change} ${__("points")})` : ""}`
				  )
				: "",
			insight.previous_percent != null
				? stat(__("Previous result"), fmt_pct(insight.previous_percent))
				: "",
			`<span class="ai-ew-spacer"></span>`,
			link("Assessment Insight", insight.name, __("Open insight")),
		];
		const gaps = (insight.gaps || []).length
			? `<table class="ai-ew-table"><thead><tr><th>${__("Criterion")}</th><th>${__(
					"Score"
			  )}</th>
				<th>${__("Group mean")}</th><th>${__("Gap")}</th><th></th></tr></thead><tbody>${insight.gaps
					.map(
						(g) => `<tr><td>${esc(g.assessment_criteria)}</td>
						<td>${format_number(g.student_score, null, 1)} / ${format_number(g.maximum_score, null, 1)}</td>
						<td>${format_number(g.group_mean, null, 1)}</td>
						<td class="${g.gap < 0 ? "ai-ew-up" : g.gap > 0 ? "ai-ew-down" : ""}">${
							g.gap > 0 ? "+" : ""
						}${format_number(g.gap, null, 1)}</td><td class="ai-ew-muted">${esc(
							g.note || ""
						)}</td></tr>`
					)
					.join("")}</tbody></table>`
			: `<div class="ai-ew-muted">${__("No criteria to compare.")}</div>`;
		box.html(`<div class="ai-ew-head">${head.join("")}</div>
			<div class="ai-ew-grid"><div><h6>${__("Against the group, per criterion")}</h6>${gaps}</div>
			<div><h6>${__("Suggestions")}</h6><div class="ai-ew-suggestions">${
			insight.suggestions || `<span class="ai-ew-muted">${__("None yet.")}</span>`
		}</div></div></div>`);
	}
})();
