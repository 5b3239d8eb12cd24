"""What a finished call reports back, for the caller and for the AI Engagement Log."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
	prompt_tokens: int = 0
	completion_tokens: int = 0
	# True when the provider sent no usage and the counts are a characters/4 estimate.
	estimated: bool = False

	@property
	def total_tokens(self) -> int:
		return self.prompt_tokens + self.completion_tokens

	def __add__(self, other: "Usage") -> "Usage":
		return Usage(
			self.prompt_tokens + other.prompt_tokens,
			self.completion_tokens + other.completion_tokens,
			self.estimated or other.estimated,
		)


@dataclass(frozen=True)
class Completion:
	"""A successful answer.

	``model`` is the configured model that answered, ``provider_model`` the name the provider
	reported (it may be more specific, e.g. a dated version or the model a router picked).
	``failures`` lists ``(model, reason)`` for every attempt that failed before this answer.
	"""

	text: str
	model: str
	provider_model: str
	usage: Usage
	latency_ms: int
	fallback_used: bool = False
	failures: tuple[tuple[str, str], ...] = ()
	finish_reason: str | None = None

	@property
	def outcome(self) -> str:
		"""``ok`` or ``fallback``; a failed call raises instead, which the caller logs as ``error``."""
		return "fallback" if self.fallback_used else "ok"
