"""Tables as plain columns: reading CSV files, telling numeric from categorical columns, building a 0/1 label.

A table is a dict ``column name -> list of values`` (all lists the same length). The model also accepts a
list of row dicts, a pandas DataFrame or a 2-D array and turns it into this shape with :func:`as_columns`.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NUMERIC, CATEGORICAL = "numeric", "categorical"
# "none" and "-" are left alone: they are often real answers ("club: none")
MISSING_WORDS = frozenset({"", "na", "n/a", "nan", "null", "?"})

Columns = dict[str, list[Any]]


def is_missing(value: Any) -> bool:
	if value is None:
		return True
	if isinstance(value, float):
		return math.isnan(value)
	if isinstance(value, str):
		return value.strip().lower() in MISSING_WORDS
	return False


def to_number(value: Any) -> float | None:
	"""The value as a float, None when missing; ValueError when it is not a number."""
	kind = type(value)
	if kind is float:
		return None if math.isnan(value) else value
	if kind is int:
		return float(value)
	if is_missing(value):
		return None
	if isinstance(value, bool):
		return float(value)
	if isinstance(value, int | float):
		return float(value)
	if hasattr(value, "item"):  # numpy scalars
		return to_number(value.item())
	number = float(str(value).strip())
	if math.isnan(number) or math.isinf(number):
		raise ValueError(f"{value!r} is not a finite number")
	return number


def is_number(value: Any) -> bool:
	"""A present value that reads as a number."""
	try:
		return to_number(value) is not None
	except (TypeError, ValueError):
		return False


def as_columns(data: Any) -> Columns:
	"""Columns from a dict of columns, a list of row dicts (missing keys are None), a DataFrame or a 2-D
	array (columns ``x0``, ``x1``, ...)."""
	if hasattr(data, "to_dict") and hasattr(data, "columns"):  # pandas DataFrame
		return {str(k): list(v) for k, v in data.to_dict("list").items()}
	if isinstance(data, Mapping):
		columns = {str(k): list(v) for k, v in data.items()}
		lengths = {len(v) for v in columns.values()}
		if len(lengths) > 1:
			raise ValueError(f"columns have different lengths: {sorted(lengths)}")
		return columns
	rows = list(data)
	if rows and isinstance(rows[0], Mapping):
		names: dict[str, None] = {}
		for row in rows:
			names.update(dict.fromkeys(map(str, row)))
		return {name: [row.get(name) for row in rows] for name in names}
	if rows and hasattr(rows[0], "as_row"):  # TermFeatures
		return as_columns([row.as_row() for row in rows])
	if not rows:
		return {}
	if hasattr(rows[0], "__len__") and not isinstance(rows[0], str):  # rows of a 2-D array
		width = len(rows[0])
		return {f"x{j}": [row[j] for row in rows] for j in range(width)}
	raise TypeError(f"cannot read a table from {type(data).__name__}")


def n_rows(columns: Columns) -> int:
	return len(next(iter(columns.values()))) if columns else 0


def take(columns: Columns, index: Sequence[int]) -> Columns:
	return {name: [values[i] for i in index] for name, values in columns.items()}


def normalise(columns: Columns) -> Columns:
	"""Numeric columns as floats (None for missing), categorical ones as stripped strings (None for
	missing): read once, so repeated fits don't parse the same text again."""
	out: Columns = {}
	for name, values in columns.items():
		if infer_kind(values) == NUMERIC:
			out[name] = [to_number(v) for v in values]
		else:
			out[name] = [None if is_missing(v) else str(v).strip() for v in values]
	return out


def infer_kind(values: Sequence[Any]) -> str:
	"""Numeric when every present value is a number (so "5" and 5 both are); otherwise categorical."""
	present = [v for v in values if not is_missing(v)]
	return NUMERIC if present and all(is_number(v) for v in present) else CATEGORICAL


class TableError(ValueError):
	"""A CSV file or a label that cannot be used; the message says why in one line."""


def read_csv(path: str | Path) -> Columns:
	"""Columns of a CSV file whose delimiter is sniffed (comma, semicolon, tab or bar; the UCI student
	files use semicolons). Values stay strings; :func:`infer_kind` decides what is numeric."""
	path = Path(path)
	try:
		text = path.read_text(encoding="utf-8-sig")
	except OSError as exc:
		raise TableError(f"cannot read {path}: {exc.strerror}") from None
	except UnicodeDecodeError:
		text = path.read_text(encoding="latin-1")
	if not text.strip():
		raise TableError(f"{path} is empty")
	try:
		dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
	except csv.Error:
		dialect = csv.excel
	rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
	header = [name.strip() for name in rows[0]]
	if len(set(header)) != len(header):
		duplicated = sorted(name for name, count in Counter(header).items() if count > 1)
		raise TableError(f"{path}: repeated column names {duplicated}")
	body = rows[1:]
	if not body:
		raise TableError(f"{path} has a header but no rows")
	for line, row in enumerate(body, start=2):
		if len(row) != len(header):
			raise TableError(f"{path}: row {line} has {len(row)} values, the header has {len(header)}")
	return {name: [row[j].strip() for row in body] for j, name in enumerate(header)}


@dataclass(frozen=True)
class Label:
	"""A 0/1 label (1 = the positive, at-risk class) and how it was made."""

	y: list[int]
	description: str  # e.g. "G3 < 10" or "result = fail"
	positive_name: str  # short name of the positive class for headings


def make_label(
	values: Sequence[Any],
	column: str,
	*,
	positive: str | None = None,
	threshold: float | None = None,
	positive_above: bool = False,
) -> Label:
	"""The positive (at-risk) class from a label column.

	* ``threshold``: the column is numeric and a value below it is positive (``positive_above``: at or above
	  it), e.g. ``G3`` with threshold 10 -> failing = G3 < 10.
	* ``positive``: rows whose value equals it are positive (numbers compare as numbers: "1" = "1.0").
	* neither: the column must have exactly two values and the rarer one is positive.

	Rows with a missing label are an error (drop them first)."""
	if positive is not None and threshold is not None:
		raise TableError("give either --positive or --threshold, not both")
	missing = sum(1 for v in values if is_missing(v))
	if missing:
		raise TableError(f"label column {column!r} has {missing} missing values")
	if threshold is not None:
		try:
			numbers = [to_number(v) for v in values]
		except (TypeError, ValueError):
			raise TableError(f"label column {column!r} is not numeric; use --positive VALUE") from None
		if positive_above:
			return Label(
				[int(v >= threshold) for v in numbers], f"{column} ≥ {threshold:g}", f"{column}≥{threshold:g}"
			)
		return Label(
			[int(v < threshold) for v in numbers], f"{column} < {threshold:g}", f"{column}<{threshold:g}"
		)
	keys = [_label_key(v) for v in values]
	counts = Counter(keys)
	if positive is None:
		if len(counts) != 2:
			shown = ", ".join(str(k) for k, _ in counts.most_common(6))
			raise TableError(
				f"label column {column!r} has {len(counts)} values ({shown}{', …' if len(counts) > 6 else ''}); "
				"give --positive VALUE or --threshold NUMBER"
			)
		(common, _), (rare, rare_count) = counts.most_common()
		if counts[common] == rare_count:
			rare = sorted(counts, key=str)[-1]
		positive_key = rare
	else:
		positive_key = _label_key(positive)
		if positive_key not in counts:
			shown = ", ".join(str(k) for k in sorted(counts, key=str)[:10])
			raise TableError(f"no row has {column} = {positive!r} (values: {shown})")
	return Label([int(k == positive_key) for k in keys], f"{column} = {positive_key}", f"{positive_key}")


def _label_key(value: Any) -> Any:
	if is_number(value):
		number = to_number(value)
		return int(number) if number.is_integer() else number
	return str(value).strip()
