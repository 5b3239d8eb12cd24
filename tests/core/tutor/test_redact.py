"""Personal data leaves the server only as placeholders, and comes back in the reply the student sees."""

import json

import pytest

from ai_school.core.llm import Gateway, LLMConfig
from ai_school.core.tutor.conversation import Turn, build_messages
from ai_school.core.tutor.labels import Mode
from ai_school.core.tutor.redact import PLACEHOLDER, NameIndex, Redactor, StreamRestorer
from tests.fake_provider import FakeProvider, sse

NAMES = ["Aisha Khan", "Tomasz Berry", "Priya Raman", "Will Grace"]
IDS = ["EDU-STU-2026-00012", "aisha.khan@school.example"]


@pytest.fixture
def provider():
	server = FakeProvider().start()
	yield server
	server.stop()


@pytest.mark.parametrize(
	"text, secret",
	[
		("My friend Aisha Khan can't do fractions", "Aisha Khan"),
		("aisha khan said the test is hard", "aisha khan"),
		("Tomasz helped me with this", "Tomasz"),
		("Ask Mrs Raman about it", "Raman"),
		("Priya Raman's essay and Tomasz's notes", "Raman"),
		("ask priya raman's brother", "priya raman"),
		("email me at aisha.k99@gmail.com please", "aisha.k99@gmail.com"),
		("call me on +44 7700 900123", "+44 7700 900123"),
		("my number is 07700 900123", "07700 900123"),
		("text (555) 123-4567 tonight", "(555) 123-4567"),
		("my phone number is 9876543210", "9876543210"),
		("I live at 12 Baker Street, come over", "12 Baker Street"),
		("post it to Hauptstrasse 5", "Hauptstrasse 5"),
		("my postcode is SW1A 1AA", "SW1A 1AA"),
		("my student id is 4455667", "4455667"),
		("this is EDU-STU-2026-00012 asking", "EDU-STU-2026-00012"),
		("ssn 123-45-6789", "123-45-6789"),
		("my aadhaar 2345 6789 0123", "2345 6789 0123"),
		("card 4111 1111 1111 1111 exp", "4111 1111 1111 1111"),
		("iban GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 32"),
	],
)
def test_personal_data_is_replaced_and_restored(text, secret):
	redactor = Redactor(names=NAMES, identifiers=IDS)
	redacted = redactor.redact(text)
	assert secret.casefold() not in redacted.casefold()
	assert PLACEHOLDER.search(redacted)
	assert redactor.restore(redacted) == text


@pytest.mark.parametrize(
	"text",
	[
		"Solve 2x + 3 = 11",
		"What is 348 x 27?",
		"In 1945 the war ended and 1,000,000 people moved",
		"the exam 2023 paper, question 4",
		"Will the graph of y = 3x + 2 cross the axis? I hope so, by grace",
		"What is the phone number format regex?",
		"Explain the Pythagorean theorem with a 3-4-5 triangle",
		"compute 12345678 * 9",
	],
)
def test_ordinary_school_questions_are_left_alone(text):
	assert Redactor(names=NAMES, identifiers=IDS).redact(text) == text


def test_possessive_stays_outside_the_placeholder():
	redactor = Redactor(names=NAMES)
	assert (
		redactor.redact("Priya Raman's essay and Tomasz's notes") == "[NAME_1]'s essay and [NAME_2]'s notes"
	)


def test_thousands_of_site_names_are_looked_up_by_word():
	def word(n: int) -> str:
		return "".join("abcdefghij"[int(d)] for d in f"{n:04d}").title()

	names = [f"Zo{word(n)} Qu{word(n)}" for n in range(3000)] + NAMES
	redactor = Redactor(names=names)
	text = "Can you explain adding fractions? zocjjj qucjjj asked Aisha. " * 30
	redacted = redactor.redact(text)
	assert redacted.count("[NAME_1]") == 30 and redacted.count("[NAME_2]") == 30
	assert redactor.mapping["[NAME_1]"] == "zocjjj qucjjj" and "Aisha" not in redacted


def test_one_name_index_serves_many_conversations_each_with_its_own_numbering():
	index = NameIndex(NAMES)
	first, second = Redactor(names=index), Redactor(names=index, identifiers=IDS)
	assert first.redact("Tomasz Berry asked Aisha") == "[NAME_1] asked [NAME_2]"
	assert second.redact("Aisha Khan, EDU-STU-2026-00012") == "[NAME_1], [ID_1]"
	assert first.mapping == {"[NAME_1]": "Tomasz Berry", "[NAME_2]": "Aisha"}
	text = "Priya Raman's phone is 07700 900123, mail aisha.khan@school.example"
	assert Redactor(names=index, identifiers=IDS).redact(text) == Redactor(
		names=NAMES, identifiers=IDS
	).redact(text)


def test_placeholders_are_stable_across_the_conversation():
	redactor = Redactor(names=NAMES)
	first = redactor.redact("Aisha Khan and Priya Raman")
	second = redactor.redact("then AISHA KHAN again, and aisha.k@mail.com")
	assert first == "[NAME_1] and [NAME_2]"
	assert second == "then [NAME_1] again, and [EMAIL_1]"
	# a placeholder the model writes in another case or spacing of the number still restores
	assert redactor.restore("Ask [name_02] and [NAME_1].") == "Ask Priya Raman and Aisha Khan."
	# unknown placeholders stay visible rather than being invented
	assert redactor.restore("[NAME_9] said hi") == "[NAME_9] said hi"


def test_redacting_twice_does_not_nest_placeholders():
	redactor = Redactor(names=NAMES)
	once = redactor.redact("Aisha Khan lives at 4 Elm Road, ID 7788990")
	assert redactor.redact(once) == once


def test_stream_restorer_holds_back_a_cut_placeholder():
	redactor = Redactor(names=NAMES)
	redactor.redact("Aisha Khan and tomasz@example.org")
	restorer = StreamRestorer(redactor)
	pieces = [restorer.feed(d) for d in ("Hi [NA", "ME_1], write to ", "[", "EMAIL_1] ok", " [NAME_")]
	pieces.append(restorer.finish())
	assert pieces == ["Hi ", "Aisha Khan, write to ", "", "tomasz@example.org ok", " ", "[NAME_"]


def test_no_personal_data_in_any_captured_provider_payload(provider):
	"""The whole path as the answer job runs it: payload built, redacted, streamed through the gateway to a
	real HTTP server; what arrived has no name, contact or ID and no user identifier; the reply's
	placeholders are restored for the student."""
	provider.script("tutor/model", sse("Good question, ", "[NAME", "_1]! Ask [NAME_2] to check."))
	redactor = Redactor(names=NAMES, identifiers=IDS)
	history = [
		Turn("user", "I'm Aisha Khan, my email is aisha.khan@school.example"),
		Turn("assistant", "Hello! What are we studying today?"),
	]
	messages = build_messages(
		"Priya Raman (phone 07700 900123, 12 Baker Street, student id EDU-STU-2026-00012) says x = 4?",
		Mode.GUIDED,
		history,
		course_title="Mathematics",
	)
	payload = redactor.redact_messages(messages)
	config = LLMConfig(
		api_key="sk-test", model="tutor/model", base_url=provider.base_url, allow_local_provider=True
	)
	with Gateway(config) as gateway:
		stream = gateway.stream(payload)
		restorer = StreamRestorer(redactor)
		shown = "".join(restorer.feed(delta) for delta in stream) + restorer.finish()

	[request] = provider.received
	sent = json.dumps(request.body, ensure_ascii=False).casefold()
	for secret in (
		"Aisha",
		"Khan",
		"Priya",
		"Raman",
		"aisha.khan@school.example",
		"07700 900123",
		"12 Baker Street",
		"EDU-STU-2026-00012",
	):
		assert secret.casefold() not in sent, secret
	assert "user" not in request.body
	assert redactor.leaks(sent) == []
	assert shown == "Good question, Aisha Khan! Ask Priya Raman to check."
	# the maths survives redaction
	assert "x = 4" in request.body["messages"][-1]["content"]
