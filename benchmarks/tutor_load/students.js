// The students of the tutor load benchmark: each logs in over HTTP, listens on a real socket.io connection
// for its `ai_school:tutor` events, starts a chat, then sends messages one at a time, waiting for the full
// answer and "thinking" between them. A pinger measures /api/method/ping, first idle, then under load.
//
//   node students.js config.json results.json
//
// config: {base, socket, site, socketio_client, students: [{user, password, course}], messages,
//          think: [min, max], seed, idle_pings, ping_every_ms, answer_timeout_s, texts: [...]}
// Uses socket.io-client from Frappe's node_modules (the path is in the config).

const fs = require("fs");

const [configPath, resultsPath] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configPath, "utf8"));
const { io } = require(config.socketio_client);

const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// a small seeded generator (mulberry32) so think times repeat from run to run
function rng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

async function call(student, method, body) {
	const started = now();
	const response = await fetch(`${config.base}/api/method/${method}`, {
		method: "POST",
		headers: { "Content-Type": "application/json", Accept: "application/json", Cookie: student.cookie },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	const elapsed = now() - started;
	if (!response.ok) {
		throw new Error(`${method} ${response.status}: ${text.slice(0, 300)}`);
	}
	return { data: JSON.parse(text), elapsed };
}

async function login(student) {
	const response = await fetch(`${config.base}/api/method/login`, {
		method: "POST",
		headers: { "Content-Type": "application/json", Accept: "application/json" },
		body: JSON.stringify({ usr: student.user, pwd: student.password }),
	});
	if (!response.ok) {
		throw new Error(`login ${student.user}: ${response.status} ${(await response.text()).slice(0, 200)}`);
	}
	await response.text();
	student.cookie = response.headers
		.getSetCookie()
		.map((cookie) => cookie.split(";")[0])
		.join("; ");
}

function connect(student) {
	// events by message name, kept even when they arrive before the send's response
	student.events = new Map();
	return new Promise((resolve, reject) => {
		const socket = io(`${config.socket}/${config.site}`, {
			transports: ["websocket"],
			extraHeaders: { Cookie: student.cookie, Origin: config.base },
			reconnection: true,
		});
		student.socket = socket;
		const timer = setTimeout(() => reject(new Error(`socket for ${student.user}: no connection`)), 30000);
		socket.on("connect", () => {
			clearTimeout(timer);
			resolve();
		});
		socket.on("connect_error", (error) => {
			student.connectErrors = (student.connectErrors || 0) + 1;
			if (student.connectErrors > 5) reject(error);
		});
		socket.on("ai_school:tutor", (payload) => {
			const at = now();
			const key = payload.message;
			if (!student.events.has(key)) student.events.set(key, []);
			student.events.get(key).push({ type: payload.type, at });
			const waiter = student.waiters && student.waiters.get(key);
			if (waiter && (payload.type === "done" || payload.type === "failed")) waiter();
		});
	});
}

function waitDone(student, message, timeoutMs) {
	const finished = (student.events.get(message) || []).some((e) => e.type === "done" || e.type === "failed");
	if (finished) return Promise.resolve(true);
	student.waiters = student.waiters || new Map();
	return new Promise((resolve) => {
		const timer = setTimeout(() => {
			student.waiters.delete(message);
			resolve(false);
		}, timeoutMs);
		student.waiters.set(message, () => {
			clearTimeout(timer);
			student.waiters.delete(message);
			resolve(true);
		});
	});
}

async function ping() {
	const started = now();
	const response = await fetch(`${config.base}/api/method/ping`);
	await response.text();
	return { ms: now() - started, ok: response.ok };
}

async function pinger(until, into) {
	while (!until()) {
		try {
			const result = await ping();
			into.push(result.ms);
		} catch (error) {
			into.push(null);
		}
		await sleep(config.ping_every_ms);
	}
}

// the floor of a same-instant burst on this host: as many pings as students, all in the same instant
// (Frappe's cheapest method: no login, no database write), a few rounds; run.py reports their median
async function pingBursts(into) {
	for (let round = 0; round < config.ping_bursts; round++) {
		const times = await Promise.all(config.students.map(() => ping().then((r) => r.ms)));
		into.push(times);
		await sleep(2000);
	}
}

async function runStudent(student, index, results) {
	const random = rng(config.seed * 1000 + index);
	if (config.ramp) await sleep(random() * config.ramp * 1000);
	for (let n = 0; n < config.messages; n++) {
		const text = config.texts[(index + n) % config.texts.length];
		const sentAt = now();
		let sent;
		try {
			sent = await call(student, "ai_school.api.tutor.send_message", { session: student.session, text });
		} catch (error) {
			// fetch's own message is "fetch failed": the reason (ECONNRESET, a timeout) is its cause
			const cause = error.cause ? ` (${error.cause.code || error.cause.message || error.cause})` : "";
			results.errors.push(`send by ${student.user} at ${Math.round(now())} ms: ${error}${cause}`);
			continue;
		}
		const message = sent.data.message.name;
		const answered = await waitDone(student, message, config.answer_timeout_s * 1000);
		const events = student.events.get(message) || [];
		const first = events.find((e) => e.type === "delta") || events.find((e) => e.type === "done");
		const done = events.find((e) => e.type === "done");
		const start = events.find((e) => e.type === "start");
		results.messages.push({
			user: student.user,
			session: student.session,
			message,
			round: n,
			send_ms: sent.elapsed,
			start_ms: start ? start.at - sentAt : null,
			first_token_ms: first ? first.at - sentAt : null,
			done_ms: done ? done.at - sentAt : null,
			answered,
			failed: events.some((e) => e.type === "failed"),
			streamed: events.some((e) => e.type === "delta"),
		});
		if (n < config.messages - 1) {
			const [low, high] = config.think;
			await sleep((low + random() * (high - low)) * 1000);
		}
	}
}

async function main() {
	const results = { idle_pings: [], ping_bursts: [], load_pings: [], messages: [], errors: [], timeline: {} };
	const students = config.students.map((s) => ({ ...s }));

	// idle: nobody chatting
	let idleCount = 0;
	await pinger(() => idleCount++ >= config.idle_pings, results.idle_pings);

	// log in and connect, a few at a time as a class would
	for (let i = 0; i < students.length; i += 10) {
		await Promise.all(students.slice(i, i + 10).map((s) => login(s).then(() => connect(s))));
	}
	for (const student of students) {
		const { data } = await call(student, "ai_school.api.tutor.start_session", { course: student.course });
		student.session = data.message.session;
	}
	// warm-up (not counted): a few students send one message each, so the fresh web workers have loaded the
	// chat's code and metadata, as long-running ones have
	const warm = students.slice(0, config.warmup);
	await Promise.all(
		warm.map(async (student) => {
			const { data } = await call(student, "ai_school.api.tutor.send_message", {
				session: student.session,
				text: config.texts[0],
			});
			await waitDone(student, data.message.name, config.answer_timeout_s * 1000);
		})
	);
	await sleep(1000);
	await pingBursts(results.ping_bursts);

	// everyone at once
	results.timeline.load_start = Date.now();
	let running = true;
	const pings = pinger(() => !running, results.load_pings);
	await Promise.all(students.map((s, i) => runStudent(s, i, results)));
	running = false;
	await pings;
	results.timeline.load_end = Date.now();

	// late or duplicate events: listen a little longer, then count per message
	await sleep(3000);
	for (const student of students) {
		for (const m of results.messages.filter((m) => m.user === student.user)) {
			const events = student.events.get(m.message) || [];
			m.done_events = events.filter((e) => e.type === "done").length;
			m.failed_events = events.filter((e) => e.type === "failed").length;
		}
		student.socket.close();
	}
	results.sessions = students.map((s) => s.session);
	fs.writeFileSync(resultsPath, JSON.stringify(results));
	if (process.env.TUTOR_LOAD_DEBUG) console.log(JSON.stringify(results.messages, null, 1));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
