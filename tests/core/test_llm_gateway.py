"""LLM gateway against a real HTTP server on 127.0.0.1 (tests/fake_provider.py)."""

import logging
import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests

from ai_school.core.llm import (
	BadOutput,
	Gateway,
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
from tests.fake_provider import (
	FakeProvider,
	Gate,
	hang_up,
	inline_error,
	raw,
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

	result = gateway.complete(MESSAGES)

	assert result.text == "4"
	assert result.model == "primary/model"
	assert result.provider_model == "primary/model-2025-01"
	assert result.usage == Usage(prompt_tokens=21, completion_tokens=2, estimated=False)
	assert result.usage.total_tokens == 23
	assert (result.fallback_used, result.outcome, result.failures) == (False, "ok", ())
	assert result.finish_reason == "stop"
	assert 0 <= result.latency_ms < 2000
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
	gateway = Gateway(LLMConfig(api_key=SECRET, model="primary/model", base_url=provider.base_url), session)

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


def test_real_sleep_is_bounded_by_max_retry_wait(provider):
	provider.script("primary/model", status(429, headers={"Retry-After": "3600"}), reply("ok"))
	gateway = Gateway(
		LLMConfig(
			api_key=SECRET,
			model="primary/model",
			base_url=provider.base_url,
			retries_per_model=1,
			max_retry_wait=0.05,
		)
	)

	started = time.monotonic()
	assert gateway.complete(MESSAGES).text == "ok"
	assert time.monotonic() - started < 1.0


def test_timeout_falls_back_to_next_model(provider):
	provider.script("primary/model", slow(1.0, reply("too late")))
	provider.script("backup/model", reply("in time"))
	gateway = make_gateway(provider.base_url, timeout=0.3)

	started = time.monotonic()
	result = gateway.complete(MESSAGES)

	assert time.monotonic() - started < 0.9
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
