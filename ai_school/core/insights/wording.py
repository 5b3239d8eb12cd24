"""Plain words with numbers for each risk indicator ("Absent 14 % of days this term (school median 4 %)").

Numbers are computed by code and only formatted here (convention 23). Percentages are cut, not rounded, to
one decimal, so a rate never prints on the other side of a cut-point (9.96 % prints as 9.9 %, not 10 %).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ai_school.core.insights.features import CRITERION_PREFIX, TermFeatures


def cut1(value: float) -> str:
	"""One decimal, cut toward zero, no ".0": 14 -> "14", 4.56 -> "4.5", 9.96 -> "9.9"."""
	cut = math.floor(abs(value) * 10 + 1e-9) / 10
	text = f"{cut:.0f}" if cut == int(cut) else f"{cut:.1f}"
	return f"{'-' if value < 0 and cut else ''}{text}"


def pct(value: float) -> str:
	"""14 -> "14 %", 4.56 -> "4.5 %", 9.96 -> "9.9 %"."""
	return f"{cut1(value)} %"


def number(value: Any) -> str:
	if isinstance(value, bool) or value is None:
		return str(value)
	if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
		return f"{int(value)}"
	if isinstance(value, float):
		return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
	return str(value)


def _plural(n: float, word: str) -> str:
	return f"{number(n)} {word}{'' if n == 1 else 's'}"


def _median(
	median: float | None, formatter: Callable[[float], str] = pct, prefix: str = "school median"
) -> str:
	return "" if median is None else f" ({prefix} {formatter(median)})"


def _failing(value, f: TermFeatures | None) -> str:
	mark = f"the pass mark of {pct(f.pass_mark)}" if f is not None else "the pass mark"
	names = f": {', '.join(f.failing_courses)}" if f is not None and f.failing_courses else ""
	return f"Failing {_plural(value, 'course')} below {mark}{names}"


def _behaviour(value, f: TermFeatures | None, median) -> str:
	details = [f"{number(f.incident_days)} of {number(f.school_days)} days"] if f is not None else []
	if median is not None:
		details.append(f"school median {pct(median)}")
	return f"Behaviour incidents on {pct(value)} of school days" + (
		f" ({'; '.join(details)})" if details else ""
	)


def _change(value, f: TermFeatures | None) -> str:
	detail = (
		f" ({pct(f.prev_score_pct)} → {pct(f.score_pct)})"
		if f is not None and f.prev_score_pct is not None and f.score_pct is not None
		else ""
	)
	if value < 0:
		return f"Average fell {cut1(-value)} points since last term{detail}"
	return f"Average rose {cut1(value)} points since last term{detail}"


def _recent(value, f: TermFeatures | None, median) -> str:
	days = (
		f"the last {f.recent_days} school days" if f is not None and f.recent_days else "recent school days"
	)
	return f"Absent {pct(value)} of {days}{_median(median)}"


# name -> (label, words(value, features, median))
INDICATORS: dict[str, tuple[str, Callable[[Any, TermFeatures | None, float | None], str]]] = {
	"absence_pct": (
		"Attendance",
		lambda v, f, m: f"Absent {pct(v)} of days this term{_median(m)}",
	),
	"recent_absence_pct": ("Recent attendance", _recent),
	"current_absence_streak": (
		"Absence streak",
		lambda v, f, m: (
			f"Absent the last {_plural(v, 'school day')} in a row"
			if v
			else "Not absent on the last school day"
		),
	),
	"longest_absence_streak": (
		"Longest absence",
		lambda v, f, m: f"Longest run of absences this term: {_plural(v, 'school day')}",
	),
	"score_pct": (
		"Average score",
		lambda v, f, m: f"Average {pct(v)} across courses this term{_median(m)}",
	),
	"lowest_course_pct": (
		"Lowest course",
		lambda v, f, m: f"Lowest course average {pct(v)}{_median(m)}",
	),
	"n_courses": ("Courses assessed", lambda v, f, m: f"Results in {_plural(v, 'course')} so far"),
	"n_failing": ("Course failures", lambda v, f, m: _failing(v, f)),
	"incident_day_pct": ("Behaviour", _behaviour),
	"serious_incidents": (
		"Serious incidents",
		lambda v, f, m: f"{_plural(v, 'serious behaviour incident')} this term",
	),
	"history_terms": ("History", lambda v, f, m: f"{_plural(v, 'earlier term')} on record"),
	"prev_score_pct": ("Last term", lambda v, f, m: f"Last term's average {pct(v)}{_median(m)}"),
	"score_change": ("Trend", lambda v, f, m: _change(v, f)),
	"past_failures": (
		"Past failures",
		lambda v, f, m: f"Failed {_plural(v, 'course')} in earlier terms",
	),
	"prev_absence_pct": (
		"Last term's attendance",
		lambda v, f, m: f"Absent {pct(v)} of days last term{_median(m)}",
	),
	"tutor_messages": (
		"Tutor use",
		lambda v, f, m: f"Sent {_plural(v, 'message')} to the AI tutor this term{_median(m, number)}",
	),
	"tutor_active_days": (
		"Tutor use",
		lambda v, f, m: f"Used the AI tutor on {_plural(v, 'day')} this term{_median(m, number)}",
	),
}


def label(name: str) -> str:
	if name in INDICATORS:
		return INDICATORS[name][0]
	if name.startswith(CRITERION_PREFIX):
		return name[len(CRITERION_PREFIX) :]
	return name


def describe(name: str, value: Any, *, median: Any = None, features: TermFeatures | None = None) -> str:
	"""A sentence for one indicator; any column of any table falls back to "name: value (median m)"."""
	if value is None:
		return f"{label(name)}: no data yet"
	if name in INDICATORS:
		return INDICATORS[name][1](value, features, median)
	if name.startswith(CRITERION_PREFIX):
		return f"{label(name)}: {pct(value)} this term{_median(median)}"
	if isinstance(value, int | float) and not isinstance(value, bool):
		typical = "" if median is None else f" (median {number(median)})"
		return f"{name} = {number(value)}{typical}"
	typical = "" if median is None else f" (most common {median})"
	return f"{name} = {value}{typical}"
