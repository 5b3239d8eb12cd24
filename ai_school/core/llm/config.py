"""Settings for one provider, injected by the Frappe shell (which reads the key with get_password)."""

import re
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"


@dataclass(frozen=True)
class LLMConfig:
	"""OpenAI-compatible provider settings.

	``fallback_models`` may be a sequence or the comma/newline separated text of a settings field.
	``retries_per_model`` counts extra attempts on the same model before moving to the next one;
	``max_retry_wait`` caps every backoff sleep, including a provider's ``Retry-After``, so a user
	waiting on the page is never held for long.

	``timeout`` bounds each network wait (connect, or one read); ``deadline`` bounds the whole call: every
	attempt, backoff, fallback and the reading of the answer (for a stream, until its last delta), so a
	provider that drips bytes or keep-alive comments can't hold the caller past it.

	``allow_local_provider`` lifts the address policy (see ``policy.py``: https to public addresses only),
	for tests and self-hosted models.
	"""

	api_key: str = field(default="", repr=False)
	model: str = ""
	fallback_models: tuple[str, ...] = ()
	base_url: str = DEFAULT_BASE_URL
	timeout: float = 30.0
	deadline: float = 120.0
	max_tokens: int | None = 1024
	temperature: float | None = 0.3
	extra_headers: dict[str, str] = field(default_factory=dict)
	retries_per_model: int = 1
	backoff_seconds: float = 0.5
	max_retry_wait: float = 5.0
	json_mode: bool = True
	allow_local_provider: bool = False

	def __post_init__(self):
		fallback = self.fallback_models
		if isinstance(fallback, str):
			fallback = re.split(r"[,\n]", fallback)
		object.__setattr__(self, "fallback_models", tuple(m.strip() for m in fallback if m and m.strip()))
		object.__setattr__(self, "model", (self.model or "").strip())
		object.__setattr__(self, "api_key", (self.api_key or "").strip())
		object.__setattr__(self, "base_url", (self.base_url or DEFAULT_BASE_URL).rstrip("/"))
		object.__setattr__(self, "extra_headers", dict(self.extra_headers or {}))
		if self.timeout <= 0:
			raise ValueError("timeout must be positive")
		if self.deadline <= 0:
			raise ValueError("deadline must be positive")
		if self.retries_per_model < 0:
			raise ValueError("retries_per_model must not be negative")

	@property
	def models(self) -> tuple[str, ...]:
		"""Primary model first, then fallbacks, without duplicates."""
		return tuple(dict.fromkeys(m for m in (self.model, *self.fallback_models) if m))
