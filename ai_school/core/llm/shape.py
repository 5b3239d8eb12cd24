"""A tiny shape language for checking JSON returned by a model.

A shape is one of:

- a type: ``str``, ``int``, ``float`` (accepts ints), ``bool``, ``dict``, ``list``; ``object`` accepts anything;
- a dict ``{"key": shape}``: every key is required unless it ends with ``?``; extra keys are allowed;
- a one-item list ``[shape]``: a list whose items all match ``shape`` (``[]`` is any list);
- a tuple ``(shape, ...)``: any one of the alternatives, e.g. ``(str, None)`` for a nullable string.
"""

import json
import re

_TYPE_NAMES = {
	str: "string",
	int: "integer",
	float: "number",
	bool: "boolean",
	dict: "object",
	list: "array",
	object: "any",
	None: "null",
}

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)


class ShapeError(ValueError):
	"""The value does not match the shape; the message names the offending path."""


def parse_json_text(text: str):
	"""Parse a model's JSON answer, tolerating code fences and prose around a single object."""
	candidate = text.strip()
	fenced = _FENCE.match(candidate)
	if fenced:
		candidate = fenced.group(1).strip()
	try:
		return json.loads(candidate)
	except json.JSONDecodeError as first_error:
		# Models sometimes wrap the object in a sentence; the outermost braces usually hold it.
		start, end = candidate.find("{"), candidate.rfind("}")
		if 0 <= start < end:
			try:
				return json.loads(candidate[start : end + 1])
			except json.JSONDecodeError:
				pass
		raise ShapeError(f"not valid JSON ({first_error.msg} at line {first_error.lineno})") from None


def validate(value, shape, path: str = "$") -> None:
	"""Raise ShapeError describing the first mismatch between ``value`` and ``shape``."""
	if isinstance(shape, tuple):
		for alternative in shape:
			try:
				validate(value, alternative, path)
				return
			except ShapeError:
				continue
		raise ShapeError(f"{path}: expected {describe(shape)}, got {_kind(value)}")
	if isinstance(shape, dict):
		if not isinstance(value, dict):
			raise ShapeError(f"{path}: expected object, got {_kind(value)}")
		for raw_key, sub_shape in shape.items():
			key, optional = _split_key(raw_key)
			if key not in value:
				if optional:
					continue
				raise ShapeError(f"{path}: missing key {key!r}")
			validate(value[key], sub_shape, f"{path}.{key}")
		return
	if isinstance(shape, list):
		if len(shape) > 1:
			raise TypeError("a list shape holds at most one item shape")
		if not isinstance(value, list):
			raise ShapeError(f"{path}: expected array, got {_kind(value)}")
		for index, item in enumerate(value):
			if shape:
				validate(item, shape[0], f"{path}[{index}]")
		return
	if not _is_instance(value, shape):
		raise ShapeError(f"{path}: expected {describe(shape)}, got {_kind(value)}")


def describe(shape) -> str:
	"""Render a shape as JSON-like text that a model can follow."""
	if isinstance(shape, tuple):
		return " or ".join(describe(alternative) for alternative in shape)
	if isinstance(shape, dict):
		fields = []
		for raw_key, sub_shape in shape.items():
			key, optional = _split_key(raw_key)
			fields.append(f"{json.dumps(key)}: {describe(sub_shape)}{' (optional)' if optional else ''}")
		return "{" + ", ".join(fields) + "}"
	if isinstance(shape, list):
		return f"[{describe(shape[0])}, ...]" if shape else "array"
	if shape not in _TYPE_NAMES:
		raise TypeError(f"unsupported shape: {shape!r}")
	return _TYPE_NAMES[shape]


def _split_key(raw_key: str) -> tuple[str, bool]:
	return (raw_key[:-1], True) if raw_key.endswith("?") else (raw_key, False)


def _is_instance(value, shape) -> bool:
	if shape is None:
		return value is None
	if shape is object:
		return True
	if shape not in _TYPE_NAMES:
		raise TypeError(f"unsupported shape: {shape!r}")
	# JSON has no separate boolean-as-number; True must not pass as an int or a float.
	if isinstance(value, bool) and shape is not bool:
		return False
	if shape is float:
		return isinstance(value, int | float)
	return isinstance(value, shape)


def _kind(value) -> str:
	if value is None:
		return "null"
	return _TYPE_NAMES.get(type(value), type(value).__name__)
