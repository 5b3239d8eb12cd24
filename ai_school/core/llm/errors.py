"""Errors raised by the LLM gateway.

`str(error)` is always safe to show to a user: it never contains the API key, and provider
error bodies are scrubbed and truncated before they are quoted.
"""


class LLMError(Exception):
	"""Base class for every gateway failure."""


class NotConfigured(LLMError):
	"""No API key or no model: raised before any HTTP call is made."""


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


class BadOutput(LLMError):
	"""The model answered, but not in the expected format, even after one corrective retry.

	`completion` is the last answer (with the usage of both calls) so the caller can log the cost.
	"""

	def __init__(self, message: str, *, detail: str, completion=None):
		super().__init__(f"{message}: {detail}")
		self.detail = detail
		self.completion = completion
