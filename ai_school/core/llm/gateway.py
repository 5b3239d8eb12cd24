"""OpenAI-compatible chat completions with ordered model fallback.

The API key only ever travels in the Authorization header of each request: it is not stored on the
session, never logged, and scrubbed from any provider text quoted in an error.
"""

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests

from ai_school.core.llm.config import LLMConfig
from ai_school.core.llm.errors import BadOutput, NotConfigured, Rejected, Unavailable
from ai_school.core.llm.result import Completion, Usage
from ai_school.core.llm.shape import ShapeError, describe, parse_json_text, validate

logger = logging.getLogger(__name__)

# Request timeout and rate limit are worth retrying; other 4xx would fail on every model too.
_RETRYABLE_STATUS = {408, 429}
_DETAIL_LIMIT = 200
_REDACTED = "[redacted]"


class _Retryable(Exception):
	"""A transient failure of one attempt; the gateway tries again or moves to the next model."""

	def __init__(self, reason: str, retry_after: float | None = None):
		super().__init__(reason)
		self.reason = reason
		self.retry_after = retry_after


class Stream:
	"""Text deltas of a streamed answer; ``result`` holds the Completion once iteration ends.

	Creating the stream already waited for the first piece of text, so configuration errors,
	rejections and fallback happen before the caller starts relaying deltas. A failure after
	that raises Unavailable from the iteration: switching models mid-answer would mix two texts.
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

	``sleep`` is injectable so backoff can be observed (and skipped) in tests.
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
		self._sleep = sleep

	def complete(
		self,
		messages: Sequence[dict],
		*,
		models: Sequence[str] | None = None,
		temperature: float | None = None,
		max_tokens: int | None = None,
		extra_body: dict | None = None,
	) -> Completion:
		"""One answer, trying the models in order on transient failures."""
		order = self._check_ready(messages, models)
		started = time.monotonic()

		def attempt(model: str) -> dict:
			body = self._body(model, messages, temperature, max_tokens, extra_body, stream=False)
			return self._parse_body(model, self._post(model, body, stream=False))

		data, index, failures = self._run(order, attempt)
		answer = _Answer()
		answer.absorb(data)
		return answer.completion(messages, order[index], index > 0, failures, started)

	def stream(
		self,
		messages: Sequence[dict],
		*,
		models: Sequence[str] | None = None,
		temperature: float | None = None,
		max_tokens: int | None = None,
		extra_body: dict | None = None,
	) -> Stream:
		"""Stream an answer: iterate the returned Stream for text, then read ``stream.result``."""
		order = self._check_ready(messages, models)
		started = time.monotonic()

		def attempt(model: str) -> tuple[requests.Response, Iterator[dict], "_Answer"]:
			body = self._body(model, messages, temperature, max_tokens, extra_body, stream=True)
			response = self._post(model, body, stream=True)
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
			except BaseException:
				response.close()
				raise
			return response, events, answer

		(response, events, answer), index, failures = self._run(order, attempt)

		def deltas() -> Iterator[str]:
			try:
				yield from answer.parts
				for event in events:
					delta = answer.absorb(event)
					if delta:
						yield delta
			except _Retryable as failure:
				logger.warning("LLM stream from %s interrupted: %s", order[index], failure.reason)
				raise Unavailable(
					[(order[index], failure.reason)], message="The AI answer was interrupted"
				) from None
			finally:
				response.close()
			return answer.completion(messages, order[index], index > 0, failures, started)

		return Stream(deltas())

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
		BadOutput. The returned completion counts the tokens and time of both calls.
		"""
		instruction = (
			"Reply with one JSON value and nothing else: no prose, no code fences. "
			f"It must have this shape: {describe(shape)}"
		)
		conversation = _with_instruction(messages, instruction)
		body_extra = dict(extra_body or {})
		if self.config.json_mode and isinstance(shape, dict):
			body_extra.setdefault("response_format", {"type": "json_object"})
		options = {
			"models": models,
			"temperature": temperature,
			"max_tokens": max_tokens,
			"extra_body": body_extra,
		}

		first = self.complete(conversation, **options)
		try:
			return _checked(first.text, shape), first
		except ShapeError as error:
			problem = str(error)
		logger.info("LLM JSON answer from %s unusable (%s); asking once more", first.model, problem)
		retry = [
			*conversation,
			{"role": "assistant", "content": first.text},
			{
				"role": "user",
				"content": f"That reply was not usable: {problem}. Reply again with only the corrected JSON.",
			},
		]
		second = self.complete(retry, **options)
		combined = replace(
			second,
			usage=first.usage + second.usage,
			latency_ms=first.latency_ms + second.latency_ms,
			fallback_used=first.fallback_used or second.fallback_used,
			failures=first.failures + second.failures,
		)
		try:
			return _checked(second.text, shape), combined
		except ShapeError as error:
			logger.warning("LLM JSON answer from %s unusable twice: %s", second.model, error)
			raise BadOutput(
				"The AI reply was not in the expected format", detail=str(error), completion=combined
			) from None

	def close(self) -> None:
		self._session.close()

	def __enter__(self) -> "Gateway":
		return self

	def __exit__(self, *exc_info) -> None:
		self.close()

	def _check_ready(self, messages: Sequence[dict], models: Sequence[str] | None) -> tuple[str, ...]:
		if not self.config.api_key:
			raise NotConfigured("AI provider not configured: set the API key in AI School Settings")
		order = tuple(dict.fromkeys(m for m in models if m)) if models else self.config.models
		if not order:
			raise NotConfigured("AI provider not configured: set the model in AI School Settings")
		if not messages:
			raise ValueError("messages must not be empty")
		return order

	def _run(self, order: tuple[str, ...], attempt: Callable[[str], object]):
		"""Call ``attempt`` per model in order, retrying transient failures with capped backoff.

		Returns ``(value, model index, failures)``; Rejected propagates at once because another
		model would be refused for the same reason.
		"""
		failures: list[tuple[str, str]] = []
		for index, model in enumerate(order):
			for retry in range(self.config.retries_per_model + 1):
				try:
					return attempt(model), index, failures
				except _Retryable as failure:
					failures.append((model, failure.reason))
					logger.warning("LLM model %s failed (attempt %d): %s", model, retry + 1, failure.reason)
					if retry < self.config.retries_per_model:
						self._sleep(self._backoff(retry, failure.retry_after))
		raise Unavailable(failures)

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

	def _post(self, model: str, body: dict, *, stream: bool) -> requests.Response:
		headers = {
			**self.config.extra_headers,
			"Accept": "text/event-stream" if stream else "application/json",
			"Authorization": f"Bearer {self.config.api_key}",
		}
		logger.debug("LLM request: model=%s stream=%s", model, stream)
		try:
			response = self._session.post(
				f"{self.config.base_url}/chat/completions",
				json=body,
				headers=headers,
				timeout=self.config.timeout,
				stream=stream,
			)
		except requests.Timeout:
			raise _Retryable(f"timed out after {self.config.timeout:g}s") from None
		except requests.ConnectionError as error:
			logger.debug("LLM connection error for %s: %s", model, self._scrub(str(error)))
			raise _Retryable("connection failed") from None
		except requests.RequestException as error:
			raise _Retryable(f"request failed ({type(error).__name__})") from None
		if response.status_code != 200:
			try:
				detail = self._error_detail(response)
				self._raise_for_status(model, response.status_code, detail, _retry_after(response))
			finally:
				response.close()
		return response

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
		raise _Retryable(f"unexpected HTTP {status}")

	def _parse_body(self, model: str, response: requests.Response) -> dict:
		try:
			data = response.json()
		except ValueError:
			raise _Retryable("invalid response body (not JSON)") from None
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
		try:
			for raw in response.iter_lines(chunk_size=None):
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
		except requests.RequestException as error:
			logger.debug("LLM stream read error: %s", self._scrub(str(error)))
			raise _Retryable("connection lost while streaming") from None
		if data_lines and "\n".join(data_lines).strip() != "[DONE]":
			yield self._stream_event(model, "\n".join(data_lines))

	def _stream_event(self, model: str, data: str) -> dict:
		try:
			event = json.loads(data)
		except ValueError:
			raise _Retryable("invalid stream event (not JSON)") from None
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


def _checked(text: str, shape):
	data = parse_json_text(text)
	validate(data, shape)
	return data
