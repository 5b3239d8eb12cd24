"""Command line for the risk model — no Frappe bench needed.

    python -m ai_school.core.insights.cli evaluate --csv FILE --label COLUMN [--positive VALUE]
        [--threshold NUMBER [--positive-above]] [--repeats N] [--folds 10] [--seed S] [--drop COL ...]
        [--reference] [--json OUT]

``evaluate`` runs repeated stratified k-fold cross-validation of the project's risk model
(:class:`~ai_school.core.insights.model.RiskModel`) on any CSV with numeric and categorical columns and
prints accuracy (PCC), F1 of the positive (at-risk) class, ROC AUC and the Brier score next to naive
baselines: the best single column, the majority class and stratified random guessing.

The label: ``--threshold T`` makes a numeric column's values below T the at-risk class (``G3 < 10`` for the
UCI student data's pass mark; ``--positive-above`` flips it); ``--positive VALUE`` names the at-risk value;
with neither, a two-valued column's rarer value is the at-risk class.

Exit codes: 0 = done, 1 = usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from typing import NoReturn

from ai_school.core.insights.tabular import (
	NUMERIC,
	TableError,
	infer_kind,
	is_missing,
	make_label,
	normalise,
	read_csv,
	take,
)

EXIT_OK, EXIT_INPUT = 0, 1


class _Parser(argparse.ArgumentParser):
	def error(self, message: str) -> NoReturn:
		self.print_usage(sys.stderr)
		self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
	parser = _Parser(prog="python -m ai_school.core.insights.cli", description=__doc__.split("\n\n")[0])
	commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
	evaluate = commands.add_parser(
		"evaluate",
		help="cross-validate the risk model on a CSV next to naive baselines",
		description="Repeated stratified k-fold cross-validation of the risk model on a CSV.",
	)
	evaluate.add_argument(
		"--csv", required=True, help="the table (comma, semicolon or tab separated, header row)"
	)
	evaluate.add_argument("--label", required=True, help="the column to predict")
	evaluate.add_argument("--positive", help="the label value of the at-risk class")
	evaluate.add_argument("--threshold", type=float, help="numeric label: values below this are at risk")
	evaluate.add_argument(
		"--positive-above", action="store_true", help="with --threshold: values at or above it are at risk"
	)
	evaluate.add_argument("--repeats", type=_positive_int, default=10, help="repetitions (default 10)")
	evaluate.add_argument("--folds", type=_positive_int, default=10, help="folds per repetition (default 10)")
	evaluate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
	evaluate.add_argument("--drop", nargs="+", default=[], metavar="COL", help="columns to leave out")
	evaluate.add_argument(
		"--reference",
		action="store_true",
		help="also cross-validate gradient-boosted trees (scikit-learn) as an accuracy reference",
	)
	evaluate.add_argument("--json", metavar="OUT", help="also write the per-repeat results as JSON")
	return parser


def _positive_int(text: str) -> int:
	try:
		value = int(text)
	except ValueError:
		raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
	if value < 1:
		raise argparse.ArgumentTypeError("must be at least 1")
	return value


def main(argv: Sequence[str] | None = None) -> int:
	args = build_parser().parse_args(argv)
	try:
		return evaluate(args)
	except TableError as exc:
		print(f"error: {exc}", file=sys.stderr)
		return EXIT_INPUT


def evaluate(args: argparse.Namespace) -> int:
	from ai_school.core.insights.model import RiskModel
	from ai_school.core.insights.validation import (
		METRICS,
		MajorityBaseline,
		SingleFeatureBaseline,
		StratifiedRandomBaseline,
		check_folds,
		cross_validate,
	)

	columns = read_csv(args.csv)
	if args.label not in columns:
		raise TableError(f"no column {args.label!r}; columns: {', '.join(columns)}")
	if args.folds < 2:
		raise TableError("--folds must be at least 2")
	unknown = [c for c in args.drop if c not in columns]
	if unknown:
		raise TableError(f"--drop names unknown columns: {', '.join(unknown)}")
	labelled = [i for i, v in enumerate(columns[args.label]) if not is_missing(v)]
	unlabelled = len(columns[args.label]) - len(labelled)
	if unlabelled:
		columns = take(columns, labelled)
	label = make_label(
		columns[args.label],
		args.label,
		positive=args.positive,
		threshold=args.threshold,
		positive_above=args.positive_above,
	)
	features = normalise({k: v for k, v in columns.items() if k != args.label and k not in args.drop})
	if not features:
		raise TableError("no columns left to predict from")
	try:
		folds = check_folds(label.y, args.folds)
	except ValueError as exc:
		raise TableError(str(exc)) from None
	kinds = Counter(infer_kind(v) for v in features.values())
	rows, positives = len(label.y), sum(label.y)
	print(f"data: {args.csv} — {rows} rows, {len(features)} input columns ", end="")
	print(f"({kinds[NUMERIC]} numeric, {len(features) - kinds[NUMERIC]} categorical)", end="")
	print(f"; left out: {', '.join(args.drop)}" if args.drop else "")
	if unlabelled:
		print(f"{unlabelled} rows without a value in {args.label} left out")
	print(
		f"at risk (positive class): {label.description} — {positives} of {rows} rows ({100 * positives / rows:.1f} %)"
	)
	fold_note = f" (the rarer class has only {folds} rows)" if folds < args.folds else ""
	print(
		f"{args.repeats} × stratified {folds}-fold cross-validation{fold_note}, seed {args.seed}; "
		"each repeat's pooled out-of-fold predictions scored, mean ± sd over repeats"
	)
	print()

	chosen: Counter = Counter()
	candidates = [
		("risk model (calibrated logistic regression)", lambda seed: RiskModel(random_state=seed), None),
		(
			"best single column",
			lambda seed: SingleFeatureBaseline(random_state=seed),
			lambda m: chosen.update([m.feature_]),
		),
		("majority class", lambda seed: MajorityBaseline(), None),
		("stratified random", lambda seed: StratifiedRandomBaseline(random_state=seed), None),
	]
	if args.reference:
		candidates.insert(1, ("reference: gradient-boosted trees", lambda seed: _Boosting(seed), None))
	results = {}
	for name, make, on_fit in candidates:
		results[name] = cross_validate(
			make, features, label.y, folds=folds, repeats=args.repeats, seed=args.seed, on_fit=on_fit
		)
	if chosen:
		total = sum(chosen.values())
		picks = ", ".join(f"{k} {100 * n / total:.0f} %" for k, n in chosen.most_common(3))
		renamed = {}
		for name, found in results.items():
			renamed[f"{name} ({picks})" if name == "best single column" else name] = found
		results = renamed
	_print_table(results, label.positive_name)
	if args.json:
		payload = {
			"csv": args.csv,
			"label": label.description,
			"rows": rows,
			"positives": positives,
			"folds": folds,
			"repeats": args.repeats,
			"seed": args.seed,
			"dropped": args.drop,
			"results": results,
			"metrics": list(METRICS),
		}
		with open(args.json, "w", encoding="utf-8") as handle:
			json.dump(payload, handle, indent=1)
	return EXIT_OK


def _print_table(results: dict[str, dict[str, list[float]]], positive: str) -> None:
	from ai_school.core.insights.validation import summarise

	headers = ("model", "PCC (accuracy)", f"F1 ({positive})", "ROC AUC", "Brier")
	lines = []
	for name, found in results.items():
		cells = [name]
		for metric, digits, unit in (("pcc", 1, " %"), ("f1", 3, ""), ("roc_auc", 3, ""), ("brier", 3, "")):
			mean, sd = summarise(found[metric])
			cells.append("n/a" if mean is None else f"{mean:.{digits}f} ± {sd:.{digits}f}{unit}")
		lines.append(cells)
	widths = [max(len(row[j]) for row in [headers, *lines]) for j in range(len(headers))]
	for row in [headers, *lines]:
		print(
			"  ".join(
				cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j]) for j, cell in enumerate(row)
			)
		)


class _Boosting:
	"""Histogram gradient-boosted trees with native categorical support, for comparison only (their
	reasons would not add up like the risk model's)."""

	def __init__(self, seed: int):
		self.seed = seed

	def fit(self, X, y):
		from sklearn.ensemble import HistGradientBoostingClassifier

		from ai_school.core.insights.model import Preprocessor

		self.pre_ = Preprocessor(log_skewed=False).fit(X)
		self.model_ = HistGradientBoostingClassifier(
			learning_rate=0.05,
			max_iter=200,
			max_leaf_nodes=8,
			min_samples_leaf=10,
			l2_regularization=1.0,
			random_state=self.seed,
		).fit(self.pre_.transform(X), y)
		return self

	def predict_proba(self, X):
		return self.model_.predict_proba(self.pre_.transform(X))


if __name__ == "__main__":
	sys.exit(main())
