"""The tutor's integrity guard: what a student's message is, how much help it may get, and whether the
model's reply gives away too much. Works without any LLM provider.

    from ai_school.core.tutor.guard import check, classify, decide_mode, delimit, post_check
    label = classify("can u just give me the answers to page 52")  # Label.SOLVE_REQUEST
    mode = decide_mode(label, context)  # Mode.GUIDED, or stricter in an assessment window
    decision = check(student_text, context)  # label, mode, rule names, every unsafe signal
    prompt_part = delimit(student_text)  # student text is data in the prompt, never instructions
    reply, flagged = post_check(model_reply, student_text, mode, system_prompt=system_prompt)

``context`` is a ``GuardContext`` or the same as a plain dict (course, student groups, now, assessment
windows from Assessment Plans, instructors' group modes, margin in minutes).

Command line (JSON Lines in, JSON Lines out):

    python -m ai_school.core.tutor.guard classify [--in FILE] [--out FILE]
        reads {"text": ...} per line (optionally "context": {...} as for GuardContext.from_dict) and
        writes {"text", "label", "mode"} per line; stdin/stdout by default.
    python -m ai_school.core.tutor.guard evaluate FILE [--folds 5] [--seed 0] [--model guard|rules|nb]
        stratified k-fold cross-validation on a labelled {"text", "label"} file: accuracy, per-label
        precision/recall/F1, confusion matrix. --holdout FILE also fits on all of FILE and scores a
        separate file.
    python -m ai_school.core.tutor.guard train [FILE] [--out guard_model.json]
        rebuilds the shipped model weights from the labelled set (deterministic).

Exit codes: 0 ok, 1 bad input (unreadable file, invalid JSON line — the other lines are still written).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NoReturn

from ai_school.core.tutor.classifier import Analysis, analyse
from ai_school.core.tutor.classifier import classify as classify_by_rules
from ai_school.core.tutor.labels import PRECEDENCE, Label, Mode
from ai_school.core.tutor.modes import (
	AssessmentWindow,
	GroupModeOverride,
	GuardContext,
	active_windows,
	decide_mode,
	in_assessment_window,
)
from ai_school.core.tutor.postcheck import post_check
from ai_school.core.tutor.prompting import SYSTEM_RULES, delimit, leaks_system_prompt

__all__ = [
	"PRECEDENCE",
	"SYSTEM_RULES",
	"Analysis",
	"AssessmentWindow",
	"Decision",
	"GroupModeOverride",
	"GuardContext",
	"Label",
	"Mode",
	"active_windows",
	"analyse",
	"check",
	"classify",
	"decide_mode",
	"delimit",
	"in_assessment_window",
	"leaks_system_prompt",
	"main",
	"post_check",
]


def classify(text: str) -> Label:
	"""Exactly one label for a student's message (the shipped model; the rules alone if its weights
	are missing)."""
	from ai_school.core.tutor.model import default_model

	model = default_model()
	return model.predict_one(text or "") if model is not None else classify_by_rules(text or "")


@dataclass(frozen=True)
class Decision:
	"""What the shell needs for one message: the label, the mode, and why (rule names)."""

	label: Label
	mode: Mode
	reasons: list[str] = field(default_factory=list)
	unsafe: list[Label] = field(default_factory=list)

	def to_dict(self) -> dict:
		return {
			"label": self.label.value,
			"mode": self.mode.value,
			"reasons": self.reasons,
			"unsafe": [label.value for label in self.unsafe],
		}


def check(text: str, context: GuardContext | dict | None = None) -> Decision:
	"""Label, mode and reasons for one message. ``unsafe`` lists every unsafe label with evidence, so a
	message that is both a threat and a disclosure of abuse is escalated for both."""
	label = classify(text)
	analysis = analyse(text)
	unsafe = [l_ for l_ in PRECEDENCE if l_.unsafe and (l_ in analysis.evidence or l_ is label)]
	reasons = [hit.rule for hit in analysis.evidence.get(label, [])] or ["model"]
	return Decision(label, decide_mode(label, context), reasons, unsafe)


# --- command line -----------------------------------------------------------------------------

EXIT_OK, EXIT_INPUT = 0, 1
# the labelled set in a source checkout (tests/ is not part of an installed package)
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "tutor" / "guard_labelled.jsonl"


class _Parser(argparse.ArgumentParser):
	def error(self, message: str) -> NoReturn:
		self.print_usage(sys.stderr)
		self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
	parser = _Parser(prog="python -m ai_school.core.tutor.guard", description="The tutor's integrity guard.")
	sub = parser.add_subparsers(dest="command", required=True)
	c = sub.add_parser("classify", help="label JSONL messages: {'text': ...} -> {'text','label','mode'}")
	c.add_argument("--in", dest="input", default="-", help="input JSONL file (default: stdin)")
	c.add_argument("--out", dest="output", default="-", help="output JSONL file (default: stdout)")
	e = sub.add_parser("evaluate", help="stratified k-fold cross-validation on a labelled JSONL file")
	e.add_argument("file", help="labelled JSONL: {'text': ..., 'label': ...} per line")
	e.add_argument("--folds", type=int, default=5)
	e.add_argument("--seed", type=int, default=0)
	e.add_argument(
		"--model", choices=("guard", "rules", "nb"), default="guard", help="guard = the shipped classifier"
	)
	e.add_argument("--holdout", help="also fit on FILE's whole set and score this separate labelled file")
	e.add_argument("--errors", type=int, default=0, help="print up to N misclassified messages")
	e.add_argument("--json", action="store_true", help="print the report as JSON")
	t = sub.add_parser("train", help="rebuild the shipped model weights from a labelled JSONL file")
	t.add_argument(
		"file", nargs="?", default=str(DEFAULT_DATA), help=f"labelled JSONL (default: {DEFAULT_DATA})"
	)
	t.add_argument("--out", default=None, help="weights file (default: the package's guard_model.json)")
	return parser


def classify_lines(source: IO[str], sink: IO[str]) -> int:
	"""Classify each JSONL line of ``source`` into ``sink``; returns the number of bad lines."""
	bad = 0
	for number, line in enumerate(source, 1):
		if not line.strip():
			continue
		try:
			row = json.loads(line)
			if not isinstance(row, dict) or not isinstance(row.get("text"), str):
				raise ValueError('expected an object with a string "text"')
			context = GuardContext.from_dict(row["context"]) if row.get("context") else None
		except (ValueError, KeyError, TypeError) as exc:
			bad += 1
			print(f"line {number}: {exc}", file=sys.stderr)
			continue
		label = classify(row["text"])
		out = {"text": row["text"], "label": label.value, "mode": decide_mode(label, context).value}
		sink.write(json.dumps(out, ensure_ascii=False) + "\n")
	return bad


def _make(model: str):
	from ai_school.core.tutor.model import GuardModel, NaiveBayes, RuleClassifier

	return {"rules": RuleClassifier, "nb": NaiveBayes, "guard": GuardModel}[model]


def _train(args: argparse.Namespace) -> int:
	from pathlib import Path

	from ai_school.core.tutor.evaluation import load_jsonl
	from ai_school.core.tutor.model import WEIGHTS_FILE, NaiveBayes, dumps_weights

	examples = load_jsonl(args.file)
	model = NaiveBayes().fit([e.text for e in examples], [e.label for e in examples])
	out = Path(args.out) if args.out else WEIGHTS_FILE
	out.write_text(dumps_weights(model.to_dict()), encoding="utf-8")
	print(f"{out}: {len(model.vocabulary_)} features from {len(examples)} messages", file=sys.stderr)
	return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
	from ai_school.core.tutor.evaluation import (
		cross_validate,
		evaluate_on,
		format_errors,
		format_report,
		load_jsonl,
	)

	examples = load_jsonl(args.file)
	make = _make(args.model)
	report = cross_validate(examples, make, k=args.folds, seed=args.seed)
	out = {"cross_validation": report.to_dict()}
	text = [
		format_report(
			report, f"{args.folds}-fold stratified cross-validation ({args.model}), seed {args.seed}"
		)
	]
	text += list(format_errors(report, args.errors))
	if args.holdout:
		held = load_jsonl(args.holdout)
		model = make().fit([e.text for e in examples], [e.label for e in examples])
		held_report = evaluate_on(held, model)
		out["holdout"] = held_report.to_dict()
		text += ["", format_report(held_report, f"held-out set {args.holdout} ({args.model})")]
		text += list(format_errors(held_report, args.errors))
	print(json.dumps(out, indent=1) if args.json else "\n".join(text))
	return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
	args = _parser().parse_args(argv)
	try:
		if args.command == "classify":
			source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")
			sink = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
			try:
				bad = classify_lines(source, sink)
			finally:
				if source is not sys.stdin:
					source.close()
				if sink is not sys.stdout:
					sink.close()
			return EXIT_INPUT if bad else EXIT_OK
		if args.command == "train":
			return _train(args)
		return _evaluate(args)
	except (OSError, ValueError) as exc:
		print(f"error: {exc}", file=sys.stderr)
		return EXIT_INPUT


if __name__ == "__main__":
	sys.exit(main())
