"""A real HTTP server on 127.0.0.1 that plays an OpenAI-compatible provider from a script.

Tests queue behaviours per model name; each request to ``/chat/completions`` pops the next
behaviour for the model in its body and records what arrived (headers, JSON body, client port).
A request nobody scripted gets HTTP 418 so a surprise call fails loudly instead of passing.
"""

import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Behaviour = Callable[["_Handler", dict], None]


@dataclass
class Received:
	path: str
	headers: dict[str, str]
	body: dict
	client_port: int

	@property
	def model(self) -> str:
		return self.body.get("model", "")


class FakeProvider:
	def __init__(self):
		self.received: list[Received] = []
		self._script: dict[str, deque[Behaviour]] = defaultdict(deque)
		self._lock = threading.Lock()
		self.stopping = threading.Event()
		self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
		self._server.provider = self
		self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

	@property
	def base_url(self) -> str:
		host, port = self._server.server_address[:2]
		return f"http://{host}:{port}/api/v1"

	@property
	def models_called(self) -> list[str]:
		return [r.model for r in self.received]

	def script(self, model: str, *behaviours: Behaviour) -> None:
		with self._lock:
			self._script[model].extend(behaviours)

	def start(self) -> "FakeProvider":
		self._thread.start()
		return self

	def stop(self) -> None:
		# Releases handlers still sleeping in `slow` or waiting on a gate.
		self.stopping.set()
		self._server.shutdown()
		self._server.server_close()

	def _next(self, received: Received) -> Behaviour:
		with self._lock:
			self.received.append(received)
			queue = self._script.get(received.model)
			return queue.popleft() if queue else unscripted


class _Handler(BaseHTTPRequestHandler):
	# HTTP/1.1 keep-alive, as real providers use, so connection reuse is observable.
	protocol_version = "HTTP/1.1"

	def setup(self):
		super().setup()
		# Headers and body go out in separate writes; without this, delayed ACKs add ~40 ms each.
		self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

	def do_POST(self):
		length = int(self.headers.get("Content-Length") or 0)
		raw = self.rfile.read(length)
		try:
			body = json.loads(raw)
		except ValueError:
			body = {}
		received = Received(self.path, dict(self.headers.items()), body, self.client_address[1])
		if not self.path.endswith("/chat/completions"):
			send(self, 404, {"error": {"message": "not found"}})
			return
		behaviour = self.server.provider._next(received)
		try:
			behaviour(self, body)
		except (BrokenPipeError, ConnectionResetError):
			# The client gave up (timeout test); nothing left to answer.
			self.close_connection = True

	def log_message(self, format, *args):
		pass


def send(handler: _Handler, status: int, payload, headers: dict | None = None, raw: bytes | None = None):
	data = raw if raw is not None else json.dumps(payload).encode()
	handler.send_response(status)
	handler.send_header("Content-Type", "application/json")
	handler.send_header("Content-Length", str(len(data)))
	for name, value in (headers or {}).items():
		handler.send_header(name, value)
	handler.end_headers()
	handler.wfile.write(data)


def completion_body(text: str, model: str, usage: tuple[int, int] | None) -> dict:
	body = {
		"id": "gen-1",
		"object": "chat.completion",
		"model": model,
		"choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
	}
	if usage:
		body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
	return body


def reply(text: str, *, usage: tuple[int, int] | None = (12, 7), model: str | None = None) -> Behaviour:
	"""A normal non-streamed completion; ``model`` is what the provider reports."""

	def behave(handler, body):
		send(handler, 200, completion_body(text, model or body.get("model", ""), usage))

	return behave


def status(code: int, message: str = "", headers: dict | None = None) -> Behaviour:
	"""An OpenAI-style error response."""

	def behave(handler, body):
		send(handler, code, {"error": {"message": message or f"status {code}", "code": code}}, headers)

	return behave


def raw(data: bytes, code: int = 200) -> Behaviour:
	"""Arbitrary bytes, e.g. a malformed JSON body."""

	def behave(handler, body):
		send(handler, code, None, raw=data)

	return behave


def inline_error(message: str, code: int | None = None) -> Behaviour:
	"""HTTP 200 whose body is an error object, as OpenRouter returns for some upstream failures."""
	error = {"message": message, **({"code": code} if code is not None else {})}
	return lambda handler, body: send(handler, 200, {"error": error})


def slow(seconds: float, then: Behaviour) -> Behaviour:
	"""Answer only after ``seconds``: beyond the client timeout the write lands on a closed socket."""

	def behave(handler, body):
		if handler.server.provider.stopping.wait(seconds):
			return
		then(handler, body)

	return behave


def hang_up() -> Behaviour:
	"""Close the connection without answering."""

	def behave(handler, body):
		handler.close_connection = True

	return behave


def drip(head: bytes, byte: bytes = b" ", every: float = 0.05) -> Behaviour:
	"""Write ``head`` (raw HTTP, from the status line on), then ``byte`` every ``every`` seconds until the
	provider stops: a provider that never finishes but never goes quiet long enough for a read timeout."""

	def behave(handler, body):
		handler.close_connection = True
		handler.wfile.write(head)
		handler.wfile.flush()
		while not handler.server.provider.stopping.wait(every):
			handler.wfile.write(byte)
			handler.wfile.flush()

	return behave


def drip_body(every: float = 0.05) -> Behaviour:
	"""A 200 JSON response whose body (announced as 100 kB) arrives one space at a time."""
	head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
	return drip(head, every=every)


def drip_headers(every: float = 0.05) -> Behaviour:
	"""A status line, then one header whose value never ends."""
	return drip(b"HTTP/1.1 200 OK\r\nX-Pad: ", b"a", every)


def drip_stream(*first_lines: str, every: float = 0.05) -> Behaviour:
	"""An event stream that sends ``first_lines`` (each an SSE line) and then only keep-alive comments."""
	head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
	head += b"".join(f"{line}\n\n".encode() for line in first_lines)
	return drip(head, b": keep-alive\n\n", every)


def redirect(location: str, code: int = 307) -> Behaviour:
	def behave(handler, body):
		send(handler, code, {}, headers={"Location": location})

	return behave


def unscripted(handler, body):
	send(handler, 418, {"error": {"message": f"unscripted request for model {body.get('model')!r}"}})


def sse_lines(*lines: str, gate: "Gate | None" = None) -> Behaviour:
	"""A chunked ``text/event-stream``: one chunk per line (blank line appended to each event).

	With a ``gate``, the server stops after the first line and waits until the test opens it,
	which proves the client sees deltas before the answer is complete.
	"""

	def behave(handler, body):
		handler.send_response(200)
		handler.send_header("Content-Type", "text/event-stream")
		handler.send_header("Transfer-Encoding", "chunked")
		handler.end_headers()
		for number, line in enumerate(lines):
			write_chunk(handler, f"{line}\n\n".encode())
			if gate and number == gate.after_line:
				gate.wait(handler.server.provider.stopping)
		write_chunk(handler, b"")

	return behave


def sse(
	*deltas: str,
	usage: tuple[int, int] | None = (9, 3),
	model: str | None = None,
	gate: "Gate | None" = None,
) -> Behaviour:
	"""A typical streamed completion: a comment, role chunk, content chunks, finish, usage, [DONE]."""

	def behave(handler, body):
		name = model or body.get("model", "")

		def event(choices, **extra):
			return "data: " + json.dumps({"id": "gen-1", "model": name, "choices": choices, **extra})

		lines = [": OPENROUTER PROCESSING", event([{"index": 0, "delta": {"role": "assistant"}}])]
		lines += [event([{"index": 0, "delta": {"content": d}}]) for d in deltas]
		lines.append(event([{"index": 0, "delta": {}, "finish_reason": "stop"}]))
		if usage:
			lines.append(event([], usage={"prompt_tokens": usage[0], "completion_tokens": usage[1]}))
		lines.append("data: [DONE]")
		sse_lines(*lines, gate=gate)(handler, body)

	return behave


def write_chunk(handler: _Handler, data: bytes) -> None:
	handler.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
	handler.wfile.flush()


class Gate:
	"""Holds a stream after line ``after_line`` until the test calls ``open``."""

	def __init__(self, after_line: int, limit: float = 3.0):
		self.after_line = after_line
		self.limit = limit
		self._event = threading.Event()
		self.opened_by_client = False

	def open(self) -> None:
		self._event.set()

	def wait(self, stopping: threading.Event) -> None:
		deadline = time.monotonic() + self.limit
		while not self._event.is_set() and not stopping.is_set() and time.monotonic() < deadline:
			self._event.wait(0.01)
		self.opened_by_client = self._event.is_set()
