"""An OpenAI-compatible provider stub on 127.0.0.1 for the tutor load benchmark.

``POST /v1/chat/completions`` with ``"stream": true`` waits ``--wait`` seconds (1 by default), then streams an
answer as server-sent events spread evenly over ``--stream`` seconds (3 by default), then the usage and
``[DONE]``. Every request is answered on its own thread; the port it listens on is printed on stdout as
``port <n>``, and ``GET /stats`` returns how many requests came in and the most in progress at once.

    python stub_provider.py --port 0 --wait 1 --stream 3
"""

import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = (
	"Good question! Let's take it step by step. First, think about what the question is really asking "
	"and which idea from your lessons it uses. Then try a small example of your own: what happens in the "
	"simplest case? Compare it with the rule you learned and see where they match. What do you notice? "
	"Tell me your next step and I'll give you feedback on it."
)


class Stats:
	def __init__(self):
		self.lock = threading.Lock()
		self.requests = 0
		self.in_progress = 0
		self.peak = 0

	def enter(self):
		with self.lock:
			self.requests += 1
			self.in_progress += 1
			self.peak = max(self.peak, self.in_progress)

	def leave(self):
		with self.lock:
			self.in_progress -= 1


class Handler(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"

	def setup(self):
		super().setup()
		self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

	def do_GET(self):
		stats = self.server.stats
		body = json.dumps(
			{"requests": stats.requests, "in_progress": stats.in_progress, "peak": stats.peak}
		).encode()
		self.send_response(200)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(body)))
		self.end_headers()
		self.wfile.write(body)

	def do_POST(self):
		length = int(self.headers.get("Content-Length") or 0)
		body = json.loads(self.rfile.read(length) or b"{}")
		stats = self.server.stats
		stats.enter()
		try:
			time.sleep(self.server.wait)
			words = ANSWER.split(" ")
			chunks = [" ".join(words[i : i + 2]) + " " for i in range(0, len(words), 2)]
			self.send_response(200)
			self.send_header("Content-Type", "text/event-stream")
			self.send_header("Cache-Control", "no-cache")
			self.send_header("Connection", "close")
			self.end_headers()
			self.close_connection = True
			pause = self.server.stream / len(chunks)
			model = body.get("model") or "stub/tutor"
			for chunk in chunks:
				self._event({"model": model, "choices": [{"index": 0, "delta": {"content": chunk}}]})
				time.sleep(pause)
			usage = {"prompt_tokens": 400, "completion_tokens": 80, "total_tokens": 480}
			self._event(
				{
					"model": model,
					"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
					"usage": usage,
				}
			)
			self.wfile.write(b"data: [DONE]\n\n")
			self.wfile.flush()
		except (BrokenPipeError, ConnectionResetError):
			pass
		finally:
			stats.leave()

	def _event(self, payload: dict) -> None:
		self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
		self.wfile.flush()

	def log_message(self, *args):
		pass


def serve(port: int = 0, wait: float = 1.0, stream: float = 3.0) -> ThreadingHTTPServer:
	server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
	server.daemon_threads = True
	server.stats, server.wait, server.stream = Stats(), wait, stream
	return server


if __name__ == "__main__":
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--port", type=int, default=0)
	parser.add_argument("--wait", type=float, default=1.0, help="seconds before the first token")
	parser.add_argument("--stream", type=float, default=3.0, help="seconds the answer takes to stream")
	args = parser.parse_args()
	server = serve(args.port, args.wait, args.stream)
	print(f"port {server.server_address[1]}", flush=True)
	server.serve_forever()
