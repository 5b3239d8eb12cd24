"""Errors raised by the LLM gateway.

Every failure inside the gateway leaves it as one of these, whatever caused it (an HTTP error, a header the
HTTP library can't encode, a message JSON can't encode, a bug). `str(error)` is always safe to show to a
user and to log: it never contains the API key, and provider error bodies are scrubbed and truncated before
they are quoted. They are raised without a chained cause or context, from frames that do not hold the
request headers, so a traceback printed with its local variables (Frappe's Error Log) can't show the key.
"""


class LLMError(Exception):
	"""Base class for every gateway failure."""


class NotConfigured(LLMError):
	"""Missing or unusable settings (no key, no model, a key that can't be sent, a provider address the
	policy refuses): raised before any key is sent."""


class InvalidRequest(LLMError):
	"""The request can't be built or sent as asked (e.g. a message value JSON cannot encode); every model
	would fail the same way, so no other is tried."""


class Rejected(LLMError):
	"""The provider refused the request itself (bad key, bad request), so other models would too."""

	def __init__(self, message: str, *, status_code: int, model: str):
		super().__init__(message)
		self.status_code = status_code
		self.model = model


class Unavailable(LLMError):
	"""Every model failed with a transient error (timeout, 429, 5xx, connection, garbled reply)."""

	def __init__(self, reasons: list[tuple[str, str]], message: str = "All AI models unavailable"):
		self.reasons = list(reasons)
		detail = "; ".join(f"{model}: {reason}" for model, reason in self.reasons)
		super().__init__(f"{message} ({detail})" if detail else message)


class DeadlineExceeded(Unavailable):
	"""The call's overall deadline passed before an answer was complete; nothing more is tried."""


class BadOutput(LLMError):
	"""The model answered, but not in the expected format, even after one corrective retry.

	`completion` is the last answer (with the usage of both calls) so the caller can log the cost.
	"""

	def __init__(self, message: str, *, detail: str, completion=None):
		super().__init__(f"{message}: {detail}")
		self.detail = detail
		self.completion = completion
