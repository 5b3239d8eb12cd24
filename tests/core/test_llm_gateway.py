"""LLM gateway against a real HTTP server on 127.0.0.1 (tests/fake_provider.py)."""

import datetime as dt
import logging
import socket
import time
import traceback
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests

from ai_school.core.llm import (
	BadOutput,
	DeadlineExceeded,
	Gateway,
	InvalidRequest,
	LLMConfig,
	LLMError,
	NotConfigured,
	Rejected,
	ShapeError,
	Unavailable,
	Usage,
	describe,
	parse_json_text,
	validate,
)
from ai_school.core.llm.gateway import _GuardedHTTPConnection, _Watch
from ai_school.core.llm.policy import api_key_problem, destination, provider_url_problem
from tests.fake_provider import (
	FakeProvider,
	Gate,
	drip_body,
	drip_headers,
	drip_stream,
	hang_up,
	inline_error,
	raw,
	redirect,
	reply,
	slow,
	sse,
	sse_lines,
	status,
)

SECRET = "sk-or-v1-TESTSECRET-7f3a9c0e51"
MESSAGES = [{"role": "system", "content": "You are a tutor."}, {"role": "user", "content": "What is 2+2?"}]


@pytest.fixture
def provider():
	server = FakeProvider().start()
	yield server
	server.stop()


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog):
	caplog.set_level(logging.DEBUG)
	yield
	assert SECRET not in caplog.text
	assert all(SECRET not in record.getMessage() for record in caplog.records)


@pytest.fixture
def closed_port():
	with socket.socket() as sock:
		sock.bind(("127.0.0.1", 0))
		return sock.getsockname()[1]


class Sleeps(list):
	"""Records backoff waits instead of sleeping."""

	def __call__(self, seconds):
		self.append(seconds)


def make_gateway(base_url, sleeps=None, **overrides):
	settings = {
		"api_key": SECRET,
		"model": "primary/model",
		"fallback_models": ("backup/model",),
		"base_url": base_url,
		"timeout": 2.0,
		"retries_per_model": 0,
		"allow_local_provider": True,
		**overrides,
	}
	return Gateway(LLMConfig(**settings), sleep=sleeps if sleeps is not None else Sleeps())


def test_complete_sends_openai_request_and_reports_usage(provider):
	provider.script("primary/model", reply("4", usage=(21, 2), model="primary/model-2025-01"))
	gateway = make_gateway(
		provider.base_url,
		extra_headers={"HTTP-Referer": "https://school.example", "X-Title": "AI School"},
		temperature=0.2,
		max_tokens=300,
	)

	started = time.monotonic()
	result = gateway.complete(MESSAGES)
	took_ms = (time.monotonic() - started) * 1000

	assert result.text == "4"
	assert result.model == "primary/model"
	assert result.provider_model == "primary/model-2025-01"
	assert result.usage == Usage(prompt_tokens=21, completion_tokens=2, estimated=False)
	assert result.usage.total_tokens == 23
	assert (result.fallback_used, result.outcome, result.failures) == (False, "ok", ())
	assert result.finish_reason == "stop"
	# the latency recorded is the call's own, measured inside it
	assert 0 <= result.latency_ms <= took_ms + 1
	[request] = provider.received
	assert request.path == "/api/v1/chat/completions"
	assert request.headers["Authorization"] == f"Bearer {SECRET}"
	assert request.headers["HTTP-Referer"] == "https://school.example"
	assert request.headers["X-Title"] == "AI School"
	assert request.body == {
		"model": "primary/model",
		"messages": MESSAGES,
		"stream": False,
		"temperature": 0.2,
		"max_tokens": 300,
	}


def test_call_options_override_config_and_models(provider):
	provider.script("cheap/model", reply("ok"))
	gateway = make_gateway(provider.base_url)

	result = gateway.complete(
		MESSAGES, models=["cheap/model"], temperature=0.0, max_tokens=5, extra_body={"top_p": 0.5}
	)

	assert result.model == "cheap/model"
	body = provider.received[0].body
	assert (body["model"], body["temperature"], body["max_tokens"], body["top_p"]) == (
		"cheap/model",
		0.0,
		5,
		0.5,
	)


def test_extra_headers_cannot_replace_the_key(provider):
	provider.script("primary/model", reply("ok"))
	gateway = make_gateway(provider.base_url, extra_headers={"Authorization": "Bearer other"})

	gateway.complete(MESSAGES)

	assert provider.received[0].headers["Authorization"] == f"Bearer {SECRET}"


def test_missing_usage_is_estimated_and_flagged(provider):
	provider.script("primary/model", reply("x" * 40, usage=None))

	result = make_gateway(provider.base_url).complete(MESSAGES)

	prompt_chars = sum(len(m["content"]) for m in MESSAGES)
	assert result.usage == Usage(prompt_tokens=-(-prompt_chars // 4), completion_tokens=10, estimated=True)


def test_session_connection_is_reused(provider):
	provider.script("primary/model", reply("one"), reply("two"))
	gateway = make_gateway(provider.base_url)

	assert [gateway.complete(MESSAGES).text for _ in range(2)] == ["one", "two"]

	first, second = provider.received
	assert first.client_port == second.client_port


def test_injected_session_is_used_and_holds_no_key(provider):
	provider.script("primary/model", reply("ok"))
	session = requests.Session()
	session.headers["X-Trace"] = "from-shell"
	config = LLMConfig(
		api_key=SECRET, model="primary/model", base_url=provider.base_url, allow_local_provider=True
	)
	gateway = Gateway(config, session)

	gateway.complete(MESSAGES)

	assert provider.received[0].headers["X-Trace"] == "from-shell"
	assert SECRET not in repr(dict(session.headers))


def test_stream_yields_deltas_then_result_with_final_usage(provider):
	provider.script("primary/model", sse("Two", " plus two", " is four.", usage=(30, 6)))
	gateway = make_gateway(provider.base_url)

	stream = gateway.stream(MESSAGES)
	assert stream.result is None
	deltas = list(stream)

	assert deltas == ["Two", " plus two", " is four."]
	result = stream.result
	assert result.text == "Two plus two is four."
	assert result.usage == Usage(30, 6, estimated=False)
	assert (result.model, result.fallback_used, result.finish_reason) == ("primary/model", False, "stop")
	[request] = provider.received
	assert request.body["stream"] is True
	assert request.body["stream_options"] == {"include_usage": True}
	assert request.headers["Accept"] == "text/event-stream"
	assert request.headers["Authorization"] == f"Bearer {SECRET}"


def test_stream_delivers_deltas_before_the_answer_is_complete(provider):
	gate = Gate(after_line=2)  # comment, role chunk, first delta
	provider.script("primary/model", sse("first", " second", gate=gate))

	stream = make_gateway(provider.base_url).stream(MESSAGES)
	first = next(stream)
	gate.open()
	rest = list(stream)

	assert [first, *rest] == ["first", " second"]
	assert gate.opened_by_client


def test_stream_without_usage_estimates_it(provider):
	provider.script("primary/model", sse("abcd" * 5, usage=None))

	stream = make_gateway(provider.base_url).stream(MESSAGES)
	assert "".join(stream) == "abcd" * 5

	assert stream.result.usage.estimated
	assert stream.result.usage.completion_tokens == 5


def test_stream_request_answered_with_plain_json_still_yields_the_text(provider):
	provider.script("primary/model", reply("whole answer", usage=(8, 2)))

	stream = make_gateway(provider.base_url).stream(MESSAGES)

	assert list(stream) == ["whole answer"]
	assert stream.result.usage == Usage(8, 2)
	assert stream.result.finish_reason == "stop"


def test_stream_falls_back_before_the_first_delta(provider):
	provider.script("primary/model", status(503, "overloaded"))
	provider.script("backup/model", sse("hello"))
	gateway = make_gateway(provider.base_url)

	stream = gateway.stream(MESSAGES)
	assert list(stream) == ["hello"]

	assert provider.models_called == ["primary/model", "backup/model"]
	assert stream.result.fallback_used
	assert stream.result.outcome == "fallback"
	assert stream.result.failures == (("primary/model", "HTTP 503: overloaded"),)


def test_stream_error_event_before_content_falls_back(provider):
	provider.script(
		"primary/model",
		sse_lines('data: {"error": {"message": "upstream timeout", "code": 502}}', "data: [DONE]"),
	)
	provider.script("backup/model", sse("ok"))

	stream = make_gateway(provider.base_url).stream(MESSAGES)

	assert list(stream) == ["ok"]
	assert stream.result.failures == (("primary/model", "HTTP 502: upstream timeout"),)


def test_stream_interrupted_after_content_raises_unavailable(provider):
	first = '{"choices": [{"index": 0, "delta": {"content": "partial"}}]}'
	provider.script("primary/model", sse_lines(f"data: {first}", "data: {not json"))
	gateway = make_gateway(provider.base_url)

	stream = gateway.stream(MESSAGES)
	assert next(stream) == "partial"
	with pytest.raises(Unavailable) as caught:
		next(stream)

	assert "interrupted" in str(caught.value)
	assert caught.value.reasons == [("primary/model", "invalid stream event (not JSON)")]
	assert provider.models_called == ["primary/model"]
	assert stream.result is None


def test_stream_close_releases_connection_early(provider):
	gate = Gate(after_line=2)
	provider.script("primary/model", sse("a", "b", gate=gate), reply("next"))
	gateway = make_gateway(provider.base_url)

	with gateway.stream(MESSAGES) as stream:
		assert next(stream) == "a"
	gate.open()

	assert stream.result is None
	assert gateway.complete(MESSAGES).text == "next"


def test_server_error_retries_same_model_then_falls_back(provider):
	provider.script("primary/model", status(500, "boom"), status(502, "bad gateway"))
	provider.script("backup/model", reply("from backup", model="backup/model"))
	sleeps = Sleeps()
	gateway = make_gateway(provider.base_url, sleeps, retries_per_model=1, backoff_seconds=0.25)

	result = gateway.complete(MESSAGES)

	assert provider.models_called == ["primary/model", "primary/model", "backup/model"]
	assert sleeps == [0.25]  # between the two attempts on the primary, none when switching model
	assert (result.text, result.model, result.fallback_used, result.outcome) == (
		"from backup",
		"backup/model",
		True,
		"fallback",
	)
	assert result.failures == (
		("primary/model", "HTTP 500: boom"),
		("primary/model", "HTTP 502: bad gateway"),
	)


@pytest.mark.parametrize(
	("retry_after", "expected_wait"),
	[
		("2", 2.0),
		("120", 3.0),  # capped by max_retry_wait
		(format_datetime(datetime.now(timezone.utc) + timedelta(hours=1), usegmt=True), 3.0),
		("soon", 0.5),  # unparsable: plain backoff
	],
)
def test_rate_limit_honours_retry_after_with_cap(provider, retry_after, expected_wait):
	provider.script(
		"primary/model", status(429, "rate limited", headers={"Retry-After": retry_after}), reply("ok")
	)
	sleeps = Sleeps()
	gateway = make_gateway(
		provider.base_url, sleeps, retries_per_model=1, max_retry_wait=3.0, backoff_seconds=0.5
	)

	result = gateway.complete(MESSAGES)

	assert sleeps == [expected_wait]
	assert provider.models_called == ["primary/model", "primary/model"]
	assert (result.text, result.fallback_used) == ("ok", False)
	assert result.failures == (("primary/model", "HTTP 429: rate limited"),)


def test_retry_after_wait_is_bounded_by_max_retry_wait(provider):
	sleeps = Sleeps()
	provider.script("primary/model", status(429, headers={"Retry-After": "3600"}), reply("ok"))
	gateway = Gateway(
		LLMConfig(
			api_key=SECRET,
			model="primary/model",
			base_url=provider.base_url,
			retries_per_model=1,
			max_retry_wait=0.05,
			allow_local_provider=True,
		),
		sleep=sleeps,
	)

	assert gateway.complete(MESSAGES).text == "ok"
	assert sleeps == [0.05]


def test_timeout_falls_back_to_next_model(provider):
	provider.script("primary/model", slow(1.0, reply("too late")))
	provider.script("backup/model", reply("in time"))
	gateway = make_gateway(provider.base_url, timeout=0.3)

	result = gateway.complete(MESSAGES)

	assert result.text == "in time"
	assert result.failures == (("primary/model", "timed out after 0.3s"),)
	assert provider.models_called == ["primary/model", "backup/model"]


def test_connection_refused_makes_every_model_unavailable(closed_port):
	sleeps = Sleeps()
	gateway = make_gateway(f"http://127.0.0.1:{closed_port}/api/v1", sleeps, retries_per_model=1)

	with pytest.raises(Unavailable) as caught:
		gateway.complete(MESSAGES)

	assert caught.value.reasons == [
		("primary/model", "connection failed"),
		("primary/model", "connection failed"),
		("backup/model", "connection failed"),
		("backup/model", "connection failed"),
	]
	assert len(sleeps) == 2
	assert str(caught.value).startswith("All AI models unavailable (primary/model: connection failed;")


def test_dropped_connection_falls_back(provider):
	provider.script("primary/model", hang_up())
	provider.script("backup/model", reply("ok"))

	result = make_gateway(provider.base_url).complete(MESSAGES)

	assert result.text == "ok"
	assert result.failures == (("primary/model", "connection failed"),)


@pytest.mark.parametrize(
	("behaviour", "reason"),
	[
		(raw(b'{"choices": [ not json'), "invalid response body (not JSON)"),
		(raw(b'["a list"]'), "invalid response body (not an object)"),
		(raw(b'{"choices": []}'), "invalid response body (no choices)"),
		(inline_error("Upstream error from provider"), "provider error: Upstream error from provider"),
		(inline_error("overloaded", code=503), "HTTP 503: overloaded"),
	],
)
def test_unusable_200_body_falls_back(provider, behaviour, reason):
	provider.script("primary/model", behaviour)
	provider.script("backup/model", reply("ok"))

	result = make_gateway(provider.base_url).complete(MESSAGES)

	assert result.text == "ok"
	assert result.failures == (("primary/model", reason),)


def test_bad_key_is_rejected_without_trying_other_models(provider):
	provider.script("primary/model", status(401, f"Invalid API key {SECRET}"))
	gateway = make_gateway(provider.base_url, retries_per_model=2)

	with pytest.raises(Rejected) as caught:
		gateway.complete(MESSAGES)

	error = caught.value
	assert str(error) == "AI provider rejected the API key (HTTP 401): Invalid API key [redacted]"
	assert (error.status_code, error.model) == (401, "primary/model")
	assert provider.models_called == ["primary/model"]


@pytest.mark.parametrize("code", [400, 402, 404])
def test_other_client_errors_are_rejected_without_fallback(provider, code):
	provider.script("primary/model", status(code, "nope"))

	with pytest.raises(Rejected) as caught:
		make_gateway(provider.base_url).complete(MESSAGES)

	assert str(caught.value) == f"AI provider rejected the request (HTTP {code}): nope"
	assert provider.models_called == ["primary/model"]


def test_inline_auth_error_is_rejected(provider):
	provider.script("primary/model", inline_error("User not found.", code=401))

	with pytest.raises(Rejected, match="rejected the API key"):
		make_gateway(provider.base_url).complete(MESSAGES)


def test_all_models_failing_lists_each_reason(provider):
	provider.script("primary/model", status(500, "internal"))
	provider.script("backup/model", status(429, "slow down", headers={"Retry-After": "1"}))
	provider.script("last/model", raw(b"<html>bad gateway</html>"))
	gateway = make_gateway(provider.base_url, fallback_models=["backup/model", "last/model"])

	with pytest.raises(Unavailable) as caught:
		gateway.complete(MESSAGES)

	assert caught.value.reasons == [
		("primary/model", "HTTP 500: internal"),
		("backup/model", "HTTP 429: slow down"),
		("last/model", "invalid response body (not JSON)"),
	]
	for model, reason in caught.value.reasons:
		assert f"{model}: {reason}" in str(caught.value)
	assert provider.models_called == ["primary/model", "backup/model", "last/model"]


def test_long_error_bodies_are_shortened(provider):
	provider.script("primary/model", raw(b"x" * 5000, code=500))

	with pytest.raises(Unavailable) as caught:
		make_gateway(provider.base_url, fallback_models=()).complete(MESSAGES)

	assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
	("settings", "message"),
	[
		({"api_key": ""}, "AI provider not configured: set the API key in AI School Settings"),
		({"api_key": "   "}, "AI provider not configured: set the API key in AI School Settings"),
		(
			{"model": "", "fallback_models": ()},
			"AI provider not configured: set the model in AI School Settings",
		),
	],
)
def test_not_configured_makes_no_http_call(provider, settings, message):
	gateway = make_gateway(provider.base_url, **settings)

	for call in (
		lambda: gateway.complete(MESSAGES),
		lambda: gateway.stream(MESSAGES),
		lambda: gateway.complete_json(MESSAGES, {"a": str}),
	):
		with pytest.raises(NotConfigured) as caught:
			call()
		assert str(caught.value) == message
	assert provider.received == []


def test_errors_share_one_base_class():
	for error in (NotConfigured, Unavailable, BadOutput, Rejected):
		assert issubclass(error, LLMError)


QUIZ_SHAPE = {"title": str, "questions": [{"q": str, "answer": str, "points?": int}]}
VALID_QUIZ = '{"title": "Fractions", "questions": [{"q": "1/2 + 1/4?", "answer": "3/4", "points": 2}]}'


def test_complete_json_parses_fenced_answer_and_asks_for_json(provider):
	provider.script("primary/model", reply(f"```json\n{VALID_QUIZ}\n```"))

	data, result = make_gateway(provider.base_url).complete_json(MESSAGES, QUIZ_SHAPE)

	assert data["questions"][0]["answer"] == "3/4"
	assert result.outcome == "ok"
	body = provider.received[0].body
	assert body["response_format"] == {"type": "json_object"}
	system = body["messages"][0]
	assert system["role"] == "system"
	assert system["content"].startswith("You are a tutor.")
	assert describe(QUIZ_SHAPE) in system["content"]
	assert body["messages"][1:] == MESSAGES[1:]


def test_complete_json_without_json_mode_still_instructs(provider):
	provider.script("primary/model", reply(VALID_QUIZ))
	gateway = make_gateway(provider.base_url, json_mode=False)

	gateway.complete_json([{"role": "user", "content": "Make a quiz"}], QUIZ_SHAPE)

	body = provider.received[0].body
	assert "response_format" not in body
	assert body["messages"][0]["role"] == "system"
	assert "JSON" in body["messages"][0]["content"]


def test_complete_json_retries_once_with_the_validation_error(provider):
	bad = '{"title": "Fractions", "questions": [{"q": "1/2 + 1/4?", "answer": 0.75}]}'
	provider.script("primary/model", reply(bad, usage=(100, 20)), reply(VALID_QUIZ, usage=(140, 25)))

	data, result = make_gateway(provider.base_url).complete_json(MESSAGES, QUIZ_SHAPE)

	assert data["title"] == "Fractions"
	assert result.usage == Usage(240, 45)
	retry_messages = provider.received[1].body["messages"]
	assert retry_messages[-2] == {"role": "assistant", "content": bad}
	assert retry_messages[-1]["role"] == "user"
	assert "$.questions[0].answer: expected string, got number" in retry_messages[-1]["content"]


def test_complete_json_invalid_twice_raises_bad_output(provider):
	provider.script("primary/model", reply("Sure! Here is your quiz."), reply('{"title": "Quiz"}'))

	with pytest.raises(BadOutput) as caught:
		make_gateway(provider.base_url).complete_json(MESSAGES, QUIZ_SHAPE)

	error = caught.value
	assert str(error) == "The AI reply was not in the expected format: $: missing key 'questions'"
	assert error.completion.usage == Usage(24, 14)
	assert "not valid JSON" in provider.received[1].body["messages"][-1]["content"]
	assert provider.models_called == ["primary/model", "primary/model"]


def test_complete_json_retry_can_fall_back(provider):
	provider.script("primary/model", reply("[]"), status(503))
	provider.script("backup/model", reply(VALID_QUIZ))

	data, result = make_gateway(provider.base_url).complete_json(MESSAGES, QUIZ_SHAPE)

	assert data["title"] == "Fractions"
	assert result.fallback_used
	assert provider.models_called == ["primary/model", "primary/model", "backup/model"]


def test_secret_never_appears_in_errors_reprs_or_logs(provider, closed_port, caplog):
	echo = f"key {SECRET} is not allowed"
	provider.script("primary/model", status(401, echo))
	provider.script("primary/model", status(500, echo), inline_error(echo))
	provider.script("primary/model", sse_lines(f'data: {{"error": {{"message": "{echo}"}}}}'))
	provider.script("primary/model", status(400, echo), reply("{}"), reply("{}"))
	provider.script("backup/model", slow(1.0, reply("late")), status(503, echo), sse("fine"))
	gateway = make_gateway(provider.base_url, timeout=0.3)
	surfaces = [repr(gateway.config), str(gateway.config), repr(gateway)]

	def capture(call):
		try:
			value = call()
		except LLMError as error:
			surfaces.extend([str(error), repr(error), repr(error.args), repr(vars(error))])
			return None
		surfaces.append(repr(value))
		return value

	capture(lambda: gateway.complete(MESSAGES))  # 401 echoing the key
	capture(lambda: gateway.complete(MESSAGES))  # 500 echoing it, then timeout on backup
	capture(lambda: gateway.complete(MESSAGES))  # inline error echoing it, then 503 on backup
	stream = capture(lambda: gateway.stream(MESSAGES))  # stream error event echoing it, then backup
	assert list(stream) == ["fine"]
	surfaces.append(repr(stream.result))
	capture(lambda: gateway.complete(MESSAGES))  # 400 echoing it
	capture(lambda: gateway.complete_json(MESSAGES, {"a": int}))  # BadOutput
	refused = make_gateway(f"http://127.0.0.1:{closed_port}/api/v1")
	capture(lambda: refused.complete(MESSAGES))

	assert sum("[redacted]" in text for text in surfaces) >= 4
	assert all(SECRET not in text for text in surfaces)
	assert provider.received[0].headers["Authorization"] == f"Bearer {SECRET}"
	assert caplog.records  # the gateway did log; the autouse fixture checks none shows the key


def test_config_normalises_settings_text_and_hides_key():
	config = LLMConfig(
		api_key=f" {SECRET} \n",
		model="a/model",
		fallback_models="b/model,\n c/model, a/model,",
		base_url="https://example.test/v1/",
	)

	assert config.api_key == SECRET
	assert config.models == ("a/model", "b/model", "c/model")
	assert config.base_url == "https://example.test/v1"
	assert SECRET not in repr(config)
	with pytest.raises(ValueError):
		LLMConfig(timeout=0)


def test_parse_json_text_tolerates_fences_and_prose():
	assert parse_json_text('```json\n{"a": 1}\n```') == {"a": 1}
	assert parse_json_text('```\n{"a": [1, 2]}\n```') == {"a": [1, 2]}
	assert parse_json_text('Here you go: {"a": {"b": null}} Enjoy!') == {"a": {"b": None}}
	with pytest.raises(ShapeError, match="not valid JSON"):
		parse_json_text("no json here")


@pytest.mark.parametrize(
	("value", "shape", "error"),
	[
		({"a": 1}, {"a": int}, None),
		({"a": 1.5, "b": 2}, {"a": float, "b": float}, None),
		({"a": True}, {"a": int}, "$.a: expected integer, got boolean"),
		({"a": 1}, {"a": bool}, "$.a: expected boolean, got integer"),
		({}, {"a": str}, "$: missing key 'a'"),
		({}, {"a?": str}, None),
		({"a": None}, {"a?": str}, "$.a: expected string, got null"),
		({"a": None}, {"a": (str, None)}, None),
		({"a": [{"b": "x"}, {"b": 3}]}, {"a": [{"b": str}]}, "$.a[1].b: expected string, got integer"),
		({"a": "x"}, {"a": [str]}, "$.a: expected array, got string"),
		({"a": [1, "x"]}, {"a": []}, None),
		([1], {"a": int}, "$: expected object, got array"),
		({"a": {"deep": [1]}}, {"a": object}, None),
		({"a": {"extra": 1}}, {"a": {}}, None),
	],
)
def test_validate_shapes(value, shape, error):
	if error is None:
		validate(value, shape)
	else:
		with pytest.raises(ShapeError) as caught:
			validate(value, shape)
		assert str(caught.value) == error


def test_describe_renders_shape_for_the_prompt():
	assert describe(QUIZ_SHAPE) == (
		'{"title": string, "questions": [{"q": string, "answer": string, "points": integer (optional)}, ...]}'
	)
	assert describe({"note": (str, None)}) == '{"note": string or null}'
	with pytest.raises(TypeError):
		describe({"a": set})


# --- The key never leaves in an error, whatever fails (issue 9 item 2) ---------------------------------------


def leak_surfaces(error: BaseException) -> list[str]:
	"""Every text an error can turn into: message, repr, tracebacks with chained causes, and tracebacks
	with every frame's local variables (as Frappe's Error Log prints them).

	The test's own frames are left out: they hold the key on purpose, as a caller's settings would.
	"""
	while error.__traceback__ and error.__traceback__.tb_frame.f_code.co_filename == __file__:
		error.__traceback__ = error.__traceback__.tb_next
	return [
		str(error),
		repr(error),
		repr(vars(error)),
		"".join(traceback.format_exception(error)),
		"".join(
			traceback.TracebackException(type(error), error, error.__traceback__, capture_locals=True).format(
				chain=True
			)
		),
	]


class HeaderQuotingSession(requests.Session):
	"""A session whose transport fails with the request headers in its message, as requests' InvalidHeader
	and other library errors do."""

	def send(self, request, **kwargs):
		raise RuntimeError(f"cannot send {dict(request.headers)}")


ZERO_WIDTH_KEY = SECRET[:9] + "\u200b" + SECRET[9:]


@pytest.mark.parametrize(
	("settings", "messages", "session", "expected", "message"),
	[
		# a key pasted with an invisible zero-width space: the header can't be encoded
		({"api_key": ZERO_WIDTH_KEY}, MESSAGES, None, NotConfigured, "not plain ASCII (character 10)"),
		# another header that latin-1 can't encode: http.client raises UnicodeEncodeError mid-request
		({"extra_headers": {"X-Title": "École 学校"}}, MESSAGES, None, InvalidRequest, "UnicodeEncodeError"),
		# a message JSON can't encode: TypeError from json.dumps
		({}, [{"role": "user", "content": dt.date(2026, 1, 5)}], None, InvalidRequest, "TypeError"),
		({}, [{"role": "user", "content": float("nan")}], None, InvalidRequest, "ValueError"),
		# any other exception from the transport, quoting the headers
		({}, MESSAGES, HeaderQuotingSession(), Unavailable, "request failed (RuntimeError)"),
	],
)
def test_every_failure_becomes_a_typed_error_without_the_key(
	provider, settings, messages, session, expected, message
):
	gateway = make_gateway(provider.base_url, **settings)
	if session is not None:
		gateway = Gateway(gateway.config, session)
	key = gateway.config.api_key

	with pytest.raises(LLMError) as caught:
		gateway.complete(messages)

	error = caught.value
	assert type(error) is expected
	assert message in str(error)
	assert error.__cause__ is None and error.__context__ is None
	for text in leak_surfaces(error):
		assert key not in text
		assert SECRET not in text
	assert provider.received == []


def test_stream_and_json_calls_turn_unexpected_failures_into_typed_errors(provider):
	gateway = make_gateway(provider.base_url, extra_headers={"X-Title": "学校"})

	for call in (lambda: gateway.stream(MESSAGES), lambda: gateway.complete_json(MESSAGES, {"a": int})):
		with pytest.raises(InvalidRequest) as caught:
			call()
		assert all(SECRET not in text for text in leak_surfaces(caught.value))
	assert provider.received == []


def test_redirects_are_not_followed(provider):
	provider.script("primary/model", redirect("/api/v1/other"))

	with pytest.raises(Rejected, match="redirect"):
		make_gateway(provider.base_url).complete(MESSAGES)

	assert len(provider.received) == 1


# --- Where the key may go (issue 9 item 3) ---------------------------------------------------------------


@pytest.mark.parametrize(
	("url", "resolved", "problem"),
	[
		("https://openrouter.ai/api/v1", ["104.18.2.115"], None),
		("https://openrouter.ai/api/v1", [], None),  # no DNS: nothing can be sent anyway
		("http://openrouter.ai/api/v1", ["104.18.2.115"], "must use https"),
		("openrouter.ai/api/v1", [], "web address"),
		("ftp://openrouter.ai/api/v1", [], "web address"),
		("https://user:pw@openrouter.ai/api/v1", ["104.18.2.115"], "user name or password"),
		("https://127.0.0.1:8000/v1", [], "private, loopback or link-local"),
		("https://[::1]/v1", [], "private, loopback or link-local"),
		("https://[::ffff:10.0.0.5]/v1", [], "private, loopback or link-local"),
		("https://169.254.169.254/latest", [], "private, loopback or link-local"),
		("https://100.64.1.1/v1", [], "private, loopback or link-local"),
		("https://localhost/v1", ["127.0.0.1"], "private, loopback or link-local"),
		("https://llm.internal.example/v1", ["104.18.2.115", "192.168.1.20"], "private"),
		("https://8.8.8.8/v1", [], None),
	],
)
def test_provider_address_policy(url, resolved, problem):
	found = provider_url_problem(url, resolver=lambda host: resolved)
	if problem is None:
		assert found is None
	else:
		assert problem in found


def test_a_local_provider_is_allowed_only_when_asked():
	url = "http://127.0.0.1:8000/v1"
	assert provider_url_problem(url, resolver=lambda host: []) is not None
	assert provider_url_problem(url, allow_local=True) is None
	assert "web address" in provider_url_problem("127.0.0.1:8000", allow_local=True)


def test_destination_is_scheme_host_and_port():
	assert destination("https://OpenRouter.ai/api/v1") == ("https", "openrouter.ai", 443)
	assert destination("https://openrouter.ai:443/other") == destination("https://openrouter.ai/api/v1")
	assert destination("https://openrouter.ai@evil.example/v1") == ("https", "evil.example", 443)
	assert destination("http://127.0.0.1:8000/v1") == ("http", "127.0.0.1", 8000)


@pytest.mark.parametrize(
	("key", "problem"),
	[
		(SECRET, None),
		(ZERO_WIDTH_KEY, "not plain ASCII (character 10)"),
		("sk-or-v1-é", "not plain ASCII"),
		("sk-or v1", "space or line break (character 6)"),
		("sk-or\nv1", "space or line break"),
		("sk-or\x07v1", "control character"),
	],
)
def test_api_key_must_be_plain_ascii_without_spaces(key, problem):
	found = api_key_problem(key)
	if problem is None:
		assert found is None
	else:
		assert problem in found
		assert key not in found


def test_a_private_provider_is_refused_before_the_key_is_sent(provider):
	gateway = make_gateway(provider.base_url, allow_local_provider=False)

	with pytest.raises(NotConfigured, match="not allowed: the provider address must use https"):
		gateway.complete(MESSAGES)

	assert provider.received == []


def test_a_connection_to_a_private_peer_is_refused(provider):
	# A host name can resolve to a public address when checked and a private one when connecting; the
	# connection itself is checked, before anything is sent on it.
	host, port = provider.base_url.split("//")[1].split("/")[0].split(":")
	watch = _Watch(5.0, allow_local=False)
	connection = _GuardedHTTPConnection(host, int(port))
	try:
		with watch.active(), pytest.raises(OSError):
			connection.connect()
	finally:
		watch.release()
		connection.close()

	assert "127.0.0.1" in watch.refused
	assert provider.received == []


# --- An overall deadline per call (issue 9 item 3) ----------------------------------------------------------

# The drips below would go on for as long as the provider runs (until the test stops it); the deadline of
# 0.5 s must end each call long before that, whatever the per-read timeout (2 s, never reached by a drip).
DRIP_GIVE_UP = 15.0


def timed(call):
	started = time.monotonic()
	try:
		call()
	except LLMError as error:
		return error, time.monotonic() - started
	raise AssertionError("the call did not fail")


@pytest.mark.parametrize("behaviour", [drip_body(), drip_headers()], ids=["body", "headers"])
def test_deadline_ends_a_dripping_answer_and_skips_fallback(provider, behaviour):
	provider.script("primary/model", behaviour)
	provider.script("backup/model", reply("too late to ask"))
	gateway = make_gateway(provider.base_url, deadline=0.5)

	error, elapsed = timed(lambda: gateway.complete(MESSAGES))

	assert isinstance(error, DeadlineExceeded)
	assert "0.5 second limit" in str(error)
	assert error.reasons == [("primary/model", "no complete answer within 0.5s")]
	assert provider.models_called == ["primary/model"]
	assert elapsed < DRIP_GIVE_UP


def test_deadline_ends_a_stream_that_only_sends_keep_alives(provider):
	provider.script("primary/model", drip_stream(": OPENROUTER PROCESSING"))
	gateway = make_gateway(provider.base_url, deadline=0.5, fallback_models=())

	error, elapsed = timed(lambda: gateway.stream(MESSAGES))

	assert isinstance(error, DeadlineExceeded)
	assert elapsed < DRIP_GIVE_UP


def test_deadline_ends_a_stream_that_stalls_after_the_first_words(provider):
	first = 'data: {"choices": [{"index": 0, "delta": {"content": "Two"}}]}'
	provider.script("primary/model", drip_stream(first))
	gateway = make_gateway(provider.base_url, deadline=0.5)

	stream = gateway.stream(MESSAGES)
	assert next(stream) == "Two"
	error, elapsed = timed(lambda: list(stream))

	assert isinstance(error, DeadlineExceeded)
	assert "interrupted" in str(error)
	assert stream.result is None
	assert elapsed < DRIP_GIVE_UP


def test_deadline_spans_fallback_and_caps_backoff(provider):
	provider.script("primary/model", status(429, "slow down", headers={"Retry-After": "3600"}))
	provider.script("backup/model", reply("never asked"))
	sleeps = Sleeps()
	gateway = make_gateway(provider.base_url, sleeps, retries_per_model=1, max_retry_wait=60, deadline=0.5)

	# the recorded sleep returns at once, so the second attempt on the primary still runs; it is
	# scripted to get no answer, and by then the deadline is what decides
	provider.script("primary/model", drip_body())
	error, _ = timed(lambda: gateway.complete(MESSAGES))

	assert isinstance(error, DeadlineExceeded)
	assert len(sleeps) == 1 and sleeps[0] <= 0.5
	assert provider.models_called == ["primary/model", "primary/model"]


def test_a_connection_is_usable_again_after_a_call_within_its_deadline(provider):
	provider.script("primary/model", reply("one"), reply("two"))
	gateway = make_gateway(provider.base_url, deadline=0.3)

	assert gateway.complete(MESSAGES).text == "one"
	time.sleep(0.4)  # the first call's deadline has passed: its watchdog must not touch the pooled connection
	assert gateway.complete(MESSAGES).text == "two"
	first, second = provider.received
	assert first.client_port == second.client_port


def test_config_rejects_a_non_positive_deadline():
	with pytest.raises(ValueError):
		LLMConfig(deadline=0)
