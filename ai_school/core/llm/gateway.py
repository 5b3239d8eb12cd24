"""OpenAI-compatible chat completions with ordered model fallback.

The API key only ever travels in the Authorization header of each request. The headers are built in one
method, ``_send``, which never lets an exception out: whatever goes wrong there (a header the HTTP library
can't encode, a dropped connection, a bug) becomes a short reason, and the typed error (errors.py) is raised
later, outside any ``except`` block. So no traceback, exception context or local variable of an escaping
error reaches the frames that held the headers, and Frappe's Error Log (which prints every frame's locals)
can't show the key. Nothing else escapes either: a public method lets only LLMError out. The key is not
stored on the session, never logged, and scrubbed from any provider text quoted in an error.

Every call has an overall deadline (``LLMConfig.deadline``) across attempts, backoff, fallback and reading:
a watchdog shuts down the socket of the connection in use when it passes, which ends a read however slowly
the provider drips bytes, and no further attempt starts. Redirects are not followed, and unless a local
provider is allowed, the address connected to must be public (``policy.py``), checked on the socket itself
so that a host name re-resolving to a private address is still refused.
"""

import functools
import json
import logging
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ai_school.core.llm.config import LLMConfig
from ai_school.core.llm.errors import (
	BadOutput,
	DeadlineExceeded,
	InvalidRequest,
	LLMError,
	NotConfigured,
	Rejected,
	Unavailable,
)
from ai_school.core.llm.policy import api_key_problem, is_public_address, provider_url_problem
from ai_school.core.llm.result import Completion, Usage
from ai_school.core.llm.shape import ShapeError, describe, parse_json_text, validate

logger = logging.getLogger(__name__)

# Request timeout and rate limit are worth retrying; other 4xx would fail on every model too.
_RETRYABLE_STATUS = {408, 429}
_DETAIL_LIMIT = 200
_REDACTED = "[redacted]"
# Raised while sending: the request itself can't be encoded, so every model would fail alike.
_UNSENDABLE = (
	UnicodeError,
	requests.exceptions.InvalidHeader,
	requests.exceptions.InvalidURL,
	requests.exceptions.InvalidSchema,
	requests.exceptions.MissingSchema,
)


class _Retryable(Exception):
	"""A transient failure of one attempt; the gateway tries again or moves to the next model."""

	def __init__(self, reason: str, retry_after: float | None = None):
		super().__init__(reason)
		self.reason = reason
		self.retry_after = retry_after


class _SendFailure:
	"""Why ``_send`` got no response: a reason (never the exception, which saw the headers)."""

	def __init__(self, reason: str, *, fatal: bool = False):
		self.reason = reason
		self.fatal = fatal


_local = threading.local()


class _Watch:
	"""The deadline of one call and the sockets it is using.

	A timer runs ``expire`` at the deadline: it shuts down every socket the call still uses, which wakes a
	blocked read at once, however the provider drips bytes. Sockets are attached as urllib3 hands a pooled
	connection to a request made inside ``active()`` and as new connections are made (the raw socket
	before TLS, then the TLS one); ``release()`` lets go of them when the call ends, so a pooled
	connection reused by a later call is never touched. Sockets, not connections, are kept: http.client
	hands the socket of a close-delimited response over to the response and forgets it.
	"""

	def __init__(self, seconds: float, *, allow_local: bool):
		self.seconds = seconds
		self.allow_local = allow_local
		self.ends_at = time.monotonic() + seconds
		self.expired = False
		self.refused: str | None = None
		self._sockets: list[socket.socket] = []
		self._lock = threading.Lock()
		self._timer = threading.Timer(seconds, self.expire)
		self._timer.daemon = True
		self._timer.start()

	def remaining(self) -> float:
		return self.ends_at - time.monotonic()

	@property
	def over(self) -> bool:
		return self.expired or self.remaining() <= 0

	@contextmanager
	def active(self):
		_local.watch = self
		try:
			yield
		finally:
			_local.watch = None

	def attach(self, sock) -> None:
		if sock is None:
			return
		with self._lock:
			self._sockets.append(sock)
			expired = self.expired
		if expired:
			_shut_down(sock)

	def expire(self) -> None:
		with self._lock:
			self.expired = True
			sockets = list(self._sockets)
		for sock in sockets:
			_shut_down(sock)

	def release(self) -> None:
		self._timer.cancel()
		with self._lock:
			self._sockets.clear()

	def check_peer(self, connection) -> None:
		"""Refuse a connection whose peer is not public, unless local providers are allowed.

		Through a proxy the peer is the proxy, so only the host name check of ``_check_ready`` applies.
		"""
		if (
			self.allow_local
			or getattr(connection, "proxy", None)
			or getattr(connection, "_tunnel_host", None)
		):
			return
		try:
			address = str(connection.sock.getpeername()[0])
		except (AttributeError, OSError, IndexError):
			return
		if not is_public_address(address):
			self.refused = f"the provider address connects to {address}, which is not a public address"
			raise OSError("provider address refused")


def _current_watch() -> "_Watch | None":
	return getattr(_local, "watch", None)


def _shut_down(sock) -> None:
	try:
		# the plain socket's shutdown, also for TLS sockets: it ends a read blocked in another thread
		socket.socket.shutdown(sock, socket.SHUT_RDWR)
	except (OSError, ValueError, TypeError):
		pass


class _GuardedConnection:
	def _new_conn(self):
		sock = super()._new_conn()
		watch = _current_watch()
		if watch is not None:
			watch.attach(sock)
		return sock

	def connect(self):
		super().connect()
		watch = _current_watch()
		if watch is not None:
			watch.attach(self.sock)
			watch.check_peer(self)


class _GuardedHTTPConnection(_GuardedConnection, HTTPConnection):
	pass


class _GuardedHTTPSConnection(_GuardedConnection, HTTPSConnection):
	pass


class _WatchedPool:
	def _get_conn(self, timeout=None):
		connection = super()._get_conn(timeout)
		watch = _current_watch()
		if watch is not None:
			watch.attach(getattr(connection, "sock", None))
		return connection


class _HTTPPool(_WatchedPool, HTTPConnectionPool):
	ConnectionCls = _GuardedHTTPConnection


class _HTTPSPool(_WatchedPool, HTTPSConnectionPool):
	ConnectionCls = _GuardedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _GuardedAdapter(HTTPAdapter):
	"""requests' adapter with connections the deadline watchdog can reach and the peer check guards."""

	def init_poolmanager(self, *args, **kwargs):
		super().init_poolmanager(*args, **kwargs)
		self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

	def proxy_manager_for(self, proxy, **proxy_kwargs):
		manager = super().proxy_manager_for(proxy, **proxy_kwargs)
		if not proxy.lower().startswith("socks"):
			manager.pool_classes_by_scheme = dict(_POOLS)
		return manager


def _typed_errors(method):
	"""Let only LLMError out of a public method: anything else becomes one, raised without context."""

	@functools.wraps(method)
	def wrapper(self, *args, **kwargs):
		try:
			return method(self, *args, **kwargs)
		except LLMError:
			raise
		except Exception as error:
			kind = type(error).__name__
			where = traceback.extract_tb(error.__traceback__)[-1]
			caller_mistake = isinstance(error, TypeError | ValueError)
		# name and place only: an unexpected exception's text or locals could hold anything
		logger.warning(
			"LLM call failed unexpectedly: %s in %s (%s:%d)", kind, where.name, where.filename, where.lineno
		)
		if caller_mistake:
			raise InvalidRequest(f"The AI request could not be made ({kind})")
		raise Unavailable([], message=f"The AI call failed unexpectedly ({kind})")

	return wrapper


class Stream:
	"""Text deltas of a streamed answer; ``result`` holds the Completion once iteration ends.

	Creating the stream already waited for the first piece of text, so configuration errors,
	rejections and fallback happen before the caller starts relaying deltas. A failure after
	that raises Unavailable from the iteration (DeadlineExceeded once the call's deadline passed):
	switching models mid-answer would mix two texts.
	"""

	def __init__(self, deltas: Iterator[str]):
		self._deltas = deltas
		self.result: Completion | None = None

	def __iter__(self) -> "Stream":
		return self

	def __next__(self) -> str:
		try:
			return next(self._deltas)
		except StopIteration as done:
			if done.value is not None:
				self.result = done.value
			raise

	def close(self) -> None:
		"""Stop early and release the connection; ``result`` stays None."""
		self._deltas.close()

	def __enter__(self) -> "Stream":
		return self

	def __exit__(self, *exc_info) -> None:
		self.close()


class Gateway:
	"""Chat completions against one OpenAI-compatible provider.

	``sleep`` is injectable so backoff can be observed (and skipped) in tests. An injected ``session`` gets
	the gateway's guarded adapter mounted for http and https.
	"""

	def __init__(
		self,
		config: LLMConfig,
		session: requests.Session | None = None,
		*,
		sleep: Callable[[float], None] = time.sleep,
	):
		self.config = config
		self._session = session or requests.Session()
		adapter = _GuardedAdapter()
		for prefix in ("https://", "http://"):
			self._session.mount(prefix, adapter)
		self._sleep = sleep

	@_typed_errors
	def complete(
		self,
		messages: Sequence[dict],
		*,
		models: Sequence[str] | None = None,
		temperature: float | None = None,
		max_tokens: int | None = None,
		extra_body: dict | None = None,
	) -> Completion:
		"""One answer, trying the models in order on transient failures, within the deadline."""
		order = self._check_ready(messages, models)
		watch = self._watch()
		try:
			return self._complete(messages, order, watch, temperature, max_tokens, extra_body)
		finally:
			watch.release()

	@_typed_errors
	def stream(
		self,
		messages: Sequence[dict],
		*,
		models: Sequence[str] | None = None,
		temperature: float | None = None,
		max_tokens: int | None = None,
		extra_body: dict | None = None,
	) -> Stream:
		"""Stream an answer: iterate the returned Stream for text, then read ``stream.result``.

		The deadline runs until the last delta: a caller relaying slowly uses up the same allowance.
		"""
		order = self._check_ready(messages, models)
		watch = self._watch()
		started = time.monotonic()

		def attempt(model: str) -> tuple[requests.Response, Iterator[dict], "_Answer"]:
			body = self._body(model, messages, temperature, max_tokens, extra_body, stream=True)
			response = self._post(model, body, stream=True, watch=watch)
			answer = _Answer()
			try:
				if response.headers.get("Content-Type", "").startswith("application/json"):
					# Some OpenAI-compatible servers ignore "stream": the whole answer is one event.
					events = iter([self._parse_body(model, response)])
				else:
					events = self._sse_events(model, response)
				for event in events:
					if answer.absorb(event):
						break
				if watch.expired:
					raise _Retryable("the deadline passed while waiting for the first words")
			except BaseException:
				response.close()
				raise
			return response, events, answer

		try:
			(response, events, answer), index, failures = self._run(order, attempt, watch)
		except BaseException:
			watch.release()
			raise
		relay = self._relay(
			response, events, answer, order[index], watch, messages, index > 0, failures, started
		)
		return Stream(relay)

	@_typed_errors
	def complete_json(
		self,
		messages: Sequence[dict],
		shape,
		*,
		models: Sequence[str] | None = None,
		temperature: float | None = None,
		max_tokens: int | None = None,
		extra_body: dict | None = None,
	):
		"""Ask for JSON matching ``shape`` (see ``shape.py``); returns ``(data, completion)``.

		An unusable answer is sent back once with the validation error; a second one raises
		BadOutput. The returned completion counts the tokens and time of both calls, and both share
		one deadline.
		"""
		instruction = (
			"Reply with one JSON value and nothing else: no prose, no code fences. "
			f"It must have this shape: {describe(shape)}"
		)
		conversation = _with_instruction(messages, instruction)
		order = self._check_ready(conversation, models)
		body_extra = dict(extra_body or {})
		if self.config.json_mode and isinstance(shape, dict):
			body_extra.setdefault("response_format", {"type": "json_object"})
		watch = self._watch()
		try:
			first = self._complete(conversation, order, watch, temperature, max_tokens, body_extra)
			data, problem = _checked(first.text, shape)
			if problem is None:
				return data, first
			logger.info("LLM JSON answer from %s unusable (%s); asking once more", first.model, problem)
			retry = [
				*conversation,
				{"role": "assistant", "content": first.text},
				{
					"role": "user",
					"content": f"That reply was not usable: {problem}. Reply again with only the corrected JSON.",
				},
			]
			second = self._complete(retry, order, watch, temperature, max_tokens, body_extra)
		finally:
			watch.release()
		combined = replace(
			second,
			usage=first.usage + second.usage,
			latency_ms=first.latency_ms + second.latency_ms,
			fallback_used=first.fallback_used or second.fallback_used,
			failures=first.failures + second.failures,
		)
		data, problem = _checked(second.text, shape)
		if problem is None:
			return data, combined
		logger.warning("LLM JSON answer from %s unusable twice: %s", second.model, problem)
		raise BadOutput("The AI reply was not in the expected format", detail=problem, completion=combined)

	def close(self) -> None:
		self._session.close()

	def __enter__(self) -> "Gateway":
		return self

	def __exit__(self, *exc_info) -> None:
		self.close()

	def _watch(self) -> _Watch:
		return _Watch(self.config.deadline, allow_local=self.config.allow_local_provider)

	def _check_ready(self, messages: Sequence[dict], models: Sequence[str] | None) -> tuple[str, ...]:
		if not self.config.api_key:
			raise NotConfigured("AI provider not configured: set the API key in AI School Settings")
		problem = api_key_problem(self.config.api_key)
		if problem:
			raise NotConfigured(
				f"AI provider not configured: {problem}; enter it again in AI School Settings"
			)
		order = tuple(dict.fromkeys(m for m in models if m)) if models else self.config.models
		if not order:
			raise NotConfigured("AI provider not configured: set the model in AI School Settings")
		if not messages:
			raise InvalidRequest("The AI request has no messages")
		problem = provider_url_problem(self.config.base_url, allow_local=self.config.allow_local_provider)
		if problem:
			raise NotConfigured(f"AI provider not allowed: {problem}")
		return order

	def _complete(self, messages, order, watch, temperature, max_tokens, extra_body) -> Completion:
		started = time.monotonic()

		def attempt(model: str) -> dict:
			body = self._body(model, messages, temperature, max_tokens, extra_body, stream=False)
			data = self._parse_body(model, self._post(model, body, stream=False, watch=watch))
			if watch.expired:
				raise _Retryable("the deadline passed while reading the answer")
			return data

		data, index, failures = self._run(order, attempt, watch)
		answer = _Answer()
		answer.absorb(data)
		return answer.completion(messages, order[index], index > 0, failures, started)

	def _run(self, order: tuple[str, ...], attempt: Callable[[str], object], watch: _Watch):
		"""Call ``attempt`` per model in order, retrying transient failures with capped backoff.

		Returns ``(value, model index, failures)``. Rejected and the other typed errors propagate at
		once because another model would fail for the same reason; once the deadline has passed no
		attempt starts and DeadlineExceeded lists what was tried. Errors are raised outside the
		``except`` blocks, so they carry no context.
		"""
		failures: list[tuple[str, str]] = []
		for index, model in enumerate(order):
			for retry in range(self.config.retries_per_model + 1):
				if watch.over:
					raise DeadlineExceeded(failures, message=self._deadline_message())
				try:
					return attempt(model), index, failures
				except _Retryable as failure:
					reason, retry_after = failure.reason, failure.retry_after
				except LLMError:
					raise
				except Exception as error:
					reason, retry_after = f"unexpected error ({type(error).__name__})", None
				if watch.expired:
					reason = f"no complete answer within {self.config.deadline:g}s"
				failures.append((model, reason))
				logger.warning("LLM model %s failed (attempt %d): %s", model, retry + 1, reason)
				if watch.over:
					raise DeadlineExceeded(failures, message=self._deadline_message())
				if retry < self.config.retries_per_model:
					self._sleep(min(self._backoff(retry, retry_after), max(0.0, watch.remaining())))
		raise Unavailable(failures)

	def _deadline_message(self) -> str:
		return f"No AI answer within the {self.config.deadline:g} second limit"

	def _relay(self, response, events, answer, model, watch, messages, fallback_used, failures, started):
		"""The deltas of an opened stream; returns the Completion (StopIteration.value) at the end."""
		reason = None
		try:
			yield from answer.parts
			for event in events:
				delta = answer.absorb(event)
				if delta:
					yield delta
		except _Retryable as failure:
			reason = failure.reason
		except Exception as error:
			reason = f"unexpected error ({type(error).__name__})"
		finally:
			response.close()
			watch.release()
		if watch.expired:
			reason = f"no complete answer within {self.config.deadline:g}s"
			logger.warning("LLM stream from %s interrupted: %s", model, reason)
			raise DeadlineExceeded([(model, reason)], message="The AI answer was interrupted")
		if reason is not None:
			logger.warning("LLM stream from %s interrupted: %s", model, reason)
			raise Unavailable([(model, reason)], message="The AI answer was interrupted")
		return answer.completion(messages, model, fallback_used, failures, started)

	def _backoff(self, retry: int, retry_after: float | None) -> float:
		wait = retry_after if retry_after is not None else self.config.backoff_seconds * 2**retry
		return max(0.0, min(wait, self.config.max_retry_wait))

	def _body(self, model, messages, temperature, max_tokens, extra_body, *, stream: bool) -> dict:
		body = {"model": model, "messages": list(messages), "stream": stream}
		temperature = self.config.temperature if temperature is None else temperature
		max_tokens = self.config.max_tokens if max_tokens is None else max_tokens
		if temperature is not None:
			body["temperature"] = temperature
		if max_tokens is not None:
			body["max_tokens"] = max_tokens
		if stream:
			body["stream_options"] = {"include_usage": True}
		body.update(extra_body or {})
		return body

	def _post(self, model: str, body: dict, *, stream: bool, watch: _Watch) -> requests.Response:
		"""Send one attempt and check its status; the headers (and the key) live only in ``_send``."""
		data = _encode(body)
		logger.debug("LLM request: model=%s stream=%s", model, stream)
		outcome = self._send(data, stream=stream, watch=watch)
		if isinstance(outcome, _SendFailure):
			if watch.refused:
				raise NotConfigured(f"AI provider not allowed: {watch.refused}")
			if outcome.fatal:
				raise InvalidRequest(f"The AI request could not be sent: {outcome.reason}")
			raise _Retryable(outcome.reason)
		response = outcome
		if response.status_code != 200:
			try:
				detail = self._error_detail(response)
				self._raise_for_status(model, response.status_code, detail, _retry_after(response))
			finally:
				response.close()
		return response

	def _send(self, data: bytes, *, stream: bool, watch: _Watch) -> "requests.Response | _SendFailure":
		"""POST ``data``: the one frame that holds the request headers.

		It never raises: an exception raised by the HTTP library may quote a header value (requests'
		InvalidHeader does) and its traceback passes through frames holding the headers, so it is reduced
		to a reason here and dropped.
		"""
		wait = max(0.001, min(self.config.timeout, watch.remaining()))
		try:
			headers = {
				**self.config.extra_headers,
				"Content-Type": "application/json",
				"Accept": "text/event-stream" if stream else "application/json",
				"Authorization": f"Bearer {self.config.api_key}",
			}
			with watch.active():
				return self._session.post(
					f"{self.config.base_url}/chat/completions",
					data=data,
					headers=headers,
					timeout=(wait, wait),
					stream=stream,
					allow_redirects=False,
				)
		except requests.Timeout:
			return _SendFailure(f"timed out after {wait:g}s")
		except requests.ConnectionError:
			return _SendFailure("connection failed")
		except _UNSENDABLE as error:
			return _SendFailure(
				f"a header or the address can't be encoded ({type(error).__name__})", fatal=True
			)
		except Exception as error:
			return _SendFailure(f"request failed ({type(error).__name__})")

	def _raise_for_status(
		self, model: str, status: int, detail: str, retry_after: float | None = None
	) -> None:
		suffix = f": {detail}" if detail else ""
		if status == 401:
			raise Rejected(
				f"AI provider rejected the API key (HTTP 401){suffix}", status_code=status, model=model
			)
		if status >= 500 or status in _RETRYABLE_STATUS:
			raise _Retryable(f"HTTP {status}{suffix}", retry_after)
		if 400 <= status < 500:
			raise Rejected(
				f"AI provider rejected the request (HTTP {status}){suffix}", status_code=status, model=model
			)
		if 300 <= status < 400:
			# never followed: the key would go wherever the provider points
			raise Rejected(
				f"AI provider answered with a redirect (HTTP {status}); check the Provider Base URL",
				status_code=status,
				model=model,
			)
		raise _Retryable(f"unexpected HTTP {status}")

	def _parse_body(self, model: str, response: requests.Response) -> dict:
		failure = None
		try:
			data = response.json()
		except ValueError:
			failure = "invalid response body (not JSON)"
		except requests.RequestException as error:
			failure = f"connection lost while reading ({type(error).__name__})"
		if failure:
			raise _Retryable(failure)
		if not isinstance(data, dict):
			raise _Retryable("invalid response body (not an object)")
		self._raise_for_inline_error(model, data)
		choices = data.get("choices")
		if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
			raise _Retryable("invalid response body (no choices)")
		return data

	def _raise_for_inline_error(self, model: str, data: dict) -> None:
		"""Some providers (OpenRouter) report failures inside a 200 body or a stream event."""
		error = data.get("error")
		if not error:
			return
		code = error.get("code") if isinstance(error, dict) else None
		detail = self._detail_text(error.get("message") if isinstance(error, dict) else error)
		if isinstance(code, int) and 400 <= code < 600:
			self._raise_for_status(model, code, detail)
		raise _Retryable(f"provider error: {detail}" if detail else "provider error")

	def _sse_events(self, model: str, response: requests.Response) -> Iterator[dict]:
		"""Parse server-sent events; stop at ``[DONE]`` or the end of the body."""
		data_lines: list[str] = []
		lost = None
		try:
			for raw in _body_lines(response):
				line = raw.decode("utf-8", errors="replace")
				if line.startswith("data:"):
					data_lines.append(line[5:].removeprefix(" "))
					continue
				if line or not data_lines:
					# Comments (": keep-alive") and other SSE fields carry no content for us.
					continue
				data = "\n".join(data_lines)
				data_lines = []
				if data.strip() == "[DONE]":
					return
				yield self._stream_event(model, data)
		except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
			lost = type(error).__name__
		if lost:
			logger.debug("LLM stream read error: %s", lost)
			raise _Retryable("connection lost while streaming")
		if data_lines and "\n".join(data_lines).strip() != "[DONE]":
			yield self._stream_event(model, "\n".join(data_lines))

	def _stream_event(self, model: str, data: str) -> dict:
		try:
			event = json.loads(data)
		except ValueError:
			event = _NOT_JSON
		if event is _NOT_JSON:
			raise _Retryable("invalid stream event (not JSON)")
		if not isinstance(event, dict):
			raise _Retryable("invalid stream event (not an object)")
		self._raise_for_inline_error(model, event)
		return event

	def _error_detail(self, response: requests.Response) -> str:
		try:
			data = response.json()
		except ValueError:
			return self._detail_text(response.text)
		error = data.get("error") if isinstance(data, dict) else None
		if isinstance(error, dict):
			return self._detail_text(error.get("message"))
		return self._detail_text(error or data)

	def _detail_text(self, value) -> str:
		"""Provider text made fit for a user-facing message: key removed, one short line."""
		if value is None:
			return ""
		text = value if isinstance(value, str) else json.dumps(value)
		text = re.sub(r"\s+", " ", self._scrub(text)).strip()
		return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1] + "…"

	def _scrub(self, text: str) -> str:
		key = self.config.api_key
		return text.replace(key, _REDACTED) if key else text


_NOT_JSON = object()


def _body_lines(response: requests.Response) -> Iterator[bytes]:
	"""The lines of a streamed body as they arrive.

	A chunked body is read chunk by chunk; any other (a stream that ends when the connection closes) with
	``read1``, which returns what has arrived instead of waiting for a full buffer or the end.
	"""
	read1 = getattr(response.raw, "read1", None)
	if response.raw.chunked or read1 is None:
		chunks = response.iter_content(chunk_size=None)
	else:
		chunks = iter(lambda: read1(65536, decode_content=True), b"")
	pending = b""
	for chunk in chunks:
		pending += chunk
		lines = pending.splitlines(keepends=True)
		pending = lines.pop() if lines and not lines[-1].endswith((b"\n", b"\r")) else b""
		for line in lines:
			yield line.rstrip(b"\r\n")
	if pending:
		yield pending


def _encode(body: dict) -> bytes:
	"""The request body as JSON; a value JSON can't encode is the caller's mistake, named by type only."""
	try:
		return json.dumps(body, allow_nan=False).encode()
	except (TypeError, ValueError, RecursionError) as error:
		problem = f"{type(error).__name__}: {error}"[:_DETAIL_LIMIT]
	raise InvalidRequest(f"The AI request could not be built: {problem}")


class _Answer:
	"""What the provider has told us so far: text pieces, usage, model and finish reason.

	Fed stream events one by one, or a whole non-streamed body once (its choice has
	``message`` where an event has ``delta``).
	"""

	def __init__(self):
		self.parts: list[str] = []
		self.usage: Usage | None = None
		self.provider_model = ""
		self.finish_reason: str | None = None

	def absorb(self, event: dict) -> str:
		"""Record one event; return its text delta ('' for usage-only or role-only events)."""
		if event.get("model"):
			self.provider_model = str(event["model"])
		self.usage = _usage_from(event.get("usage")) or self.usage
		choices = event.get("choices")
		if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
			return ""
		choice = choices[0]
		self.finish_reason = choice.get("finish_reason") or self.finish_reason
		delta = choice.get("delta") or choice.get("message")
		text = delta.get("content") if isinstance(delta, dict) else None
		if not isinstance(text, str) or not text:
			return ""
		self.parts.append(text)
		return text

	def completion(
		self, messages: Sequence[dict], model: str, fallback_used: bool, failures, started: float
	) -> Completion:
		text = "".join(self.parts)
		completion = Completion(
			text=text,
			model=model,
			provider_model=self.provider_model or model,
			usage=self.usage or _estimate_usage(messages, text),
			latency_ms=round((time.monotonic() - started) * 1000),
			fallback_used=fallback_used,
			failures=tuple(failures),
			finish_reason=self.finish_reason,
		)
		logger.info(
			"LLM answer from %s in %d ms (%s, %d tokens%s)",
			model,
			completion.latency_ms,
			completion.outcome,
			completion.usage.total_tokens,
			", estimated" if completion.usage.estimated else "",
		)
		return completion


def _usage_from(raw) -> Usage | None:
	if not isinstance(raw, dict):
		return None
	prompt, completion = raw.get("prompt_tokens"), raw.get("completion_tokens")
	if not isinstance(prompt, int) or not isinstance(completion, int):
		return None
	return Usage(prompt_tokens=prompt, completion_tokens=completion)


def _estimate_usage(messages: Sequence[dict], text: str) -> Usage:
	"""About four characters per token: rough, and flagged as an estimate."""
	prompt_chars = sum(len(_content_text(m.get("content"))) for m in messages)
	return Usage(
		prompt_tokens=-(-prompt_chars // 4),
		completion_tokens=-(-len(text) // 4),
		estimated=True,
	)


def _content_text(content) -> str:
	if isinstance(content, str):
		return content
	if isinstance(content, list):
		return "".join(part.get("text", "") for part in content if isinstance(part, dict))
	return ""


def _retry_after(response: requests.Response) -> float | None:
	"""Seconds to wait from a Retry-After header (delta-seconds or HTTP date), if any."""
	value = (response.headers.get("Retry-After") or "").strip()
	if not value:
		return None
	try:
		return max(0.0, float(value))
	except ValueError:
		pass
	try:
		when = parsedate_to_datetime(value)
	except (TypeError, ValueError):
		return None
	if when.tzinfo is None:
		when = when.replace(tzinfo=timezone.utc)
	return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _with_instruction(messages: Sequence[dict], instruction: str) -> list[dict]:
	"""Add the format instruction to the leading system message, or start with one."""
	messages = list(messages)
	if messages and messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
		first = messages[0]
		return [{**first, "content": f"{first['content']}\n\n{instruction}"}, *messages[1:]]
	return [{"role": "system", "content": instruction}, *messages]


def _checked(text: str, shape) -> tuple[object, str | None]:
	"""``(data, None)`` when ``text`` is JSON matching ``shape``, else ``(None, what is wrong)``."""
	try:
		data = parse_json_text(text)
		validate(data, shape)
	except ShapeError as error:
		return None, str(error)
	return data, None
