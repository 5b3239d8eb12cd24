"""LLM gateway: OpenAI-compatible chat completions with fallback, streaming and JSON output.

Framework-free: the Frappe shell builds an LLMConfig (key from get_password) and calls a Gateway.
"""

from ai_school.core.llm.config import DEFAULT_BASE_URL, LLMConfig
from ai_school.core.llm.errors import BadOutput, LLMError, NotConfigured, Rejected, Unavailable
from ai_school.core.llm.gateway import Gateway, Stream
from ai_school.core.llm.result import Completion, Usage
from ai_school.core.llm.shape import ShapeError, describe, parse_json_text, validate

__all__ = [
	"DEFAULT_BASE_URL",
	"BadOutput",
	"Completion",
	"Gateway",
	"LLMConfig",
	"LLMError",
	"NotConfigured",
	"Rejected",
	"ShapeError",
	"Stream",
	"Unavailable",
	"Usage",
	"describe",
	"parse_json_text",
	"validate",
]
