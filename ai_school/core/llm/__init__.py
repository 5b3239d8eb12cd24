"""LLM gateway: OpenAI-compatible chat completions with fallback, streaming and JSON output.

Framework-free: the Frappe shell builds an LLMConfig (key from get_password) and calls a Gateway. Every
failure leaves the gateway as an LLMError that never holds the key; every call has an overall deadline;
the key only goes to https providers on public addresses unless a local provider is allowed (policy.py).
"""

from ai_school.core.llm.config import DEFAULT_BASE_URL, LLMConfig
from ai_school.core.llm.errors import (
	BadOutput,
	DeadlineExceeded,
	InvalidRequest,
	LLMError,
	NotConfigured,
	Rejected,
	Unavailable,
)
from ai_school.core.llm.gateway import Gateway, Stream
from ai_school.core.llm.policy import api_key_problem, destination, provider_url_problem
from ai_school.core.llm.result import Completion, Usage
from ai_school.core.llm.shape import ShapeError, describe, parse_json_text, validate

__all__ = [
	"DEFAULT_BASE_URL",
	"BadOutput",
	"Completion",
	"DeadlineExceeded",
	"Gateway",
	"InvalidRequest",
	"LLMConfig",
	"LLMError",
	"NotConfigured",
	"Rejected",
	"ShapeError",
	"Stream",
	"Unavailable",
	"Usage",
	"api_key_problem",
	"describe",
	"destination",
	"parse_json_text",
	"provider_url_problem",
	"validate",
]
