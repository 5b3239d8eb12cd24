"""Just enough maths to recognise the answer to a student's own task in a reply: a safe evaluator
for arithmetic (``ast`` with numbers and + - * / ** only, no names, no calls), the equations a student
pasted, and substitution to test whether a value the reply gives solves them."""

import ast
import math
import operator
import re
from dataclasses import dataclass
from fractions import Fraction

_OPS = {
	ast.Add: operator.add,
	ast.Sub: operator.sub,
	ast.Mult: operator.mul,
	ast.Div: operator.truediv,
	ast.Pow: operator.pow,
	ast.USub: operator.neg,
	ast.UAdd: operator.pos,
}
_MAX_EXPONENT = 64
_MAX_LENGTH = 200


class NotMaths(ValueError):
	pass


def _normalise(expr: str) -> str:
	expr = expr.replace("×", "*").replace("·", "*").replace("÷", "/").replace("−", "-").replace("^", "**")
	expr = re.sub(r"(?<=\d)\s*[xX]\s*(?=\d)", "*", expr)  # 348 x 27
	expr = re.sub(r"(?<=[\d)])\s*(?=[a-z(])", "*", expr)  # 2x, 3(x-2), (x+1)(x-1)
	expr = re.sub(r"(?<=[a-z)])\s*(?=\()", "*", expr)
	return expr


def evaluate(expr: str, variables: dict[str, float] | None = None) -> float:
	"""The value of an arithmetic expression, with single-letter variables substituted."""
	expr = _normalise(expr.strip())
	if not expr or len(expr) > _MAX_LENGTH:
		raise NotMaths(expr)
	try:
		tree = ast.parse(expr, mode="eval")
	except SyntaxError as exc:
		raise NotMaths(expr) from exc
	return _eval(tree.body, variables or {})


def _eval(node: ast.AST, variables: dict[str, float]) -> float:
	if (
		isinstance(node, ast.Constant)
		and isinstance(node.value, int | float)
		and not isinstance(node.value, bool)
	):
		return node.value
	if isinstance(node, ast.Name) and len(node.id) == 1 and node.id in variables:
		return variables[node.id]
	if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
		return _OPS[type(node.op)](_eval(node.operand, variables))
	if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
		left, right = _eval(node.left, variables), _eval(node.right, variables)
		if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
			raise NotMaths("exponent too large")
		try:
			return _OPS[type(node.op)](left, right)
		except (ZeroDivisionError, OverflowError) as exc:
			raise NotMaths(str(exc)) from exc
	raise NotMaths(ast.dump(node))


@dataclass(frozen=True)
class Equation:
	"""``left = right`` in one variable, as the student wrote it."""

	left: str
	right: str
	variable: str

	def satisfied_by(self, value: float) -> bool:
		try:
			left = evaluate(self.left, {self.variable: value})
			right = evaluate(self.right, {self.variable: value})
		except (NotMaths, TypeError, ValueError):
			return False
		if isinstance(left, complex) or isinstance(right, complex):
			return False
		return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-6)


_EQUATION = re.compile(r"([-+*/^().\w\s×÷²³]+?)=([-+*/^().\w\s×÷²³]+)")
_EXPRESSION = re.compile(
	r"(?<![\w.])\(?-?\d+(?:\.\d+)?(?:\s*(?:[-+*/^×÷]|\*\*|\s[xX]\s)\s*\(?-?\d+(?:\.\d+)?\)?)+"
)


def equations(text: str) -> list[Equation]:
	"""Equations in one variable in the student's text ("2x + 3 = 11", "x^2 - 5x + 6 = 0")."""
	found = []
	for line in re.split(r"[\n,;]|\band\b|\?|:", text.lower().replace("²", "^2").replace("³", "^3")):
		for match in _EQUATION.finditer(line):
			left, right = match.group(1), match.group(2)
			# keep the maths: drop words before the left side and after the right side
			left = re.split(r"\b[a-z]{2,}\b", left)[-1].strip()
			right = re.split(r"\b[a-z]{2,}\b", right)[0].strip()
			names = set(re.findall(r"(?<![a-z])([a-z])(?![a-z])", left + " " + right))
			names -= {"x"} if re.search(r"\d\s*x\s*\d", left + right) and len(names) > 1 else set()
			if len(names) != 1:
				continue
			variable = names.pop()
			equation = Equation(left, right.strip(), variable)
			try:
				evaluate(equation.left, {variable: 1.5})
				evaluate(equation.right, {variable: 1.5})
			except (NotMaths, TypeError, ValueError):
				continue
			found.append(equation)
	return found


def arithmetic_results(text: str) -> list[float]:
	"""Values of the calculations the student asked for: "348 x 27", "15% of 80", "square root of 196"."""
	text = text.lower()
	results = []
	for match in re.finditer(r"(\d+(?:\.\d+)?)\s*(?:%|percent)\s*of\s*(\d+(?:\.\d+)?)", text):
		results.append(float(match.group(1)) * float(match.group(2)) / 100)
	for match in re.finditer(r"(?:square root|sqrt|√)\s*(?:of\s*)?\(?(\d+(?:\.\d+)?)", text):
		results.append(math.sqrt(float(match.group(1))))
	for match in re.finditer(r"(?:cube root)\s*(?:of\s*)?(\d+(?:\.\d+)?)", text):
		results.append(round(float(match.group(1)) ** (1 / 3), 9))
	if "=" not in text:
		for match in _EXPRESSION.finditer(text.replace("×", "*").replace("÷", "/")):
			try:
				results.append(float(evaluate(match.group(0))))
			except (NotMaths, TypeError, ValueError):
				continue
	return results


def number_forms(value: float) -> set[str]:
	"""How a reply might write ``value``: 12, 12.0, 12.5, 1/8 as 0.125, 13/8, 1 5/8."""
	forms = set()
	if math.isclose(value, round(value), abs_tol=1e-9):
		integer = round(value)
		forms |= {str(integer), f"{integer:,}", f"{integer}.0"}
		return forms
	for digits in (1, 2, 3, 4):
		forms.add(f"{value:.{digits}f}".rstrip("0").rstrip("."))
	fraction = Fraction(value).limit_denominator(1000)
	if math.isclose(float(fraction), value, rel_tol=1e-9):
		forms.add(f"{fraction.numerator}/{fraction.denominator}")
		whole, rest = divmod(abs(fraction.numerator), fraction.denominator)
		if whole and rest:
			forms.add(f"{'-' if value < 0 else ''}{whole} {rest}/{fraction.denominator}")
	return forms


_NUMBER = re.compile(r"(?<![\w./])-?\d[\d,]*(?:\.\d+)?(?:/\d+)?(?![\w/]|\.\d)")


def numbers_in(text: str) -> set[str]:
	found = set(_NUMBER.findall(text))
	found |= {m.group(0) for m in re.finditer(r"(?<![\w./])-?\d+ \d+/\d+(?![\w/])", text)}
	return found


def parse_number(token: str) -> float | None:
	token = token.replace(",", "").strip()
	try:
		if " " in token:
			whole, frac = token.split(" ", 1)
			return float(whole) + float(Fraction(frac)) * (-1 if whole.startswith("-") else 1)
		if "/" in token:
			return float(Fraction(token))
		return float(token)
	except (ValueError, ZeroDivisionError):
		return None
