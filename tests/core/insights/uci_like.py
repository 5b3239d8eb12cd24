"""A synthetic table shaped like the UCI student performance data (Cortez & Silva, 2008): the same 33
columns, types, value ranges and rough marginal frequencies, written the same way (semicolons, quoted
strings, G1/G2 quoted). The values are generated from a made-up latent "ability" model — not a copy of the
real data, which this project does not ship or download.

Like the real files it has students with a final grade of 0 (left the course) whose absences read 0, and
grades that drift from G1 to G3, so a model can neither read the label off one column nor ignore them.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

COLUMNS = (
	"school sex age address famsize Pstatus Medu Fedu Mjob Fjob reason guardian traveltime studytime "
	"failures schoolsup famsup paid activities nursery higher internet romantic famrel freetime goout "
	"Dalc Walc health absences G1 G2 G3"
).split()
QUOTED_NUMBERS = ("G1", "G2")  # the real files quote these two


def _choice(rng: random.Random, weights: dict) -> object:
	return rng.choices(list(weights), weights=list(weights.values()))[0]


def _clip(value: float, low: int, high: int) -> int:
	return int(min(high, max(low, round(value))))


def uci_like_rows(n: int = 395, seed: int = 0) -> list[dict]:
	rng = random.Random(seed)
	rows = []
	for _ in range(n):
		r: dict = {}
		r["school"] = _choice(rng, {"GP": 88, "MS": 12})
		r["sex"] = _choice(rng, {"F": 53, "M": 47})
		r["age"] = _choice(rng, {15: 82, 16: 104, 17: 98, 18: 82, 19: 24, 20: 3, 21: 1, 22: 1})
		r["address"] = _choice(rng, {"U": 78, "R": 22})
		r["famsize"] = _choice(rng, {"GT3": 71, "LE3": 29})
		r["Pstatus"] = _choice(rng, {"T": 90, "A": 10})
		r["Medu"] = _choice(rng, {0: 1, 1: 15, 2: 26, 3: 25, 4: 33})
		r["Fedu"] = _clip(r["Medu"] + rng.choice((-2, -1, -1, 0, 0, 0, 1)), 0, 4)
		r["Mjob"] = _choice(
			rng,
			{"teacher": 5 + 20 * (r["Medu"] == 4), "health": 9, "services": 26, "at_home": 15, "other": 36},
		)
		r["Fjob"] = _choice(rng, {"teacher": 7, "health": 5, "services": 28, "at_home": 5, "other": 55})
		r["reason"] = _choice(rng, {"course": 37, "home": 28, "reputation": 26, "other": 9})
		r["guardian"] = _choice(rng, {"mother": 69, "father": 23, "other": 8})
		r["traveltime"] = _choice(rng, {1: 65, 2: 27, 3: 6, 4: 2})
		r["studytime"] = _choice(rng, {1: 27, 2: 50, 3: 16, 4: 7})
		r["famrel"] = _choice(rng, {1: 2, 2: 5, 3: 17, 4: 49, 5: 27})
		r["freetime"] = _choice(rng, {1: 5, 2: 16, 3: 40, 4: 29, 5: 10})
		r["goout"] = _choice(rng, {1: 6, 2: 26, 3: 33, 4: 22, 5: 13})
		r["Dalc"] = _choice(rng, {1: 70, 2: 19, 3: 7, 4: 2, 5: 2})
		r["Walc"] = _clip(r["Dalc"] + rng.choice((0, 0, 1, 1, 2, 3)) - 1 + (r["goout"] >= 4), 1, 5)
		r["health"] = _choice(rng, {1: 12, 2: 11, 3: 23, 4: 17, 5: 37})
		r["romantic"] = _choice(rng, {"yes": 33, "no": 67})
		r["internet"] = _choice(rng, {"yes": 83 - 10 * (r["address"] == "R"), "no": 17})
		r["nursery"] = _choice(rng, {"yes": 79, "no": 21})
		r["activities"] = _choice(rng, {"yes": 51, "no": 49})
		r["famsup"] = _choice(rng, {"yes": 61, "no": 39})
		# latent ability drives grades and, through them, the rest
		ability = (
			rng.gauss(0, 1)
			+ 0.25 * (r["Medu"] - 2.7)
			+ 0.25 * (r["studytime"] - 2)
			- 0.15 * (r["goout"] - 3)
			- 0.15 * (r["Dalc"] - 1.5)
			- 0.2 * (r["age"] - 16.7)
			+ 0.15 * (r["sex"] == "M")
			- 0.2 * (r["romantic"] == "yes")
		)
		r["failures"] = _clip(max(0.0, rng.gauss(-0.9 - 0.9 * ability, 1.0)) ** 1.2, 0, 3)
		r["higher"] = (
			"yes" if rng.random() < 1 / (1 + math.exp(-(3.2 + 1.2 * ability - 1.0 * r["failures"]))) else "no"
		)
		r["schoolsup"] = (
			"yes" if rng.random() < 1 / (1 + math.exp(2.2 + 0.7 * ability + 0.6 * (r["age"] - 16))) else "no"
		)
		r["paid"] = _choice(rng, {"yes": 46 - 8 * r["failures"], "no": 54})
		r["absences"] = _clip(
			rng.expovariate(1 / (5.5 + 2.5 * max(0.0, -ability) + 2 * (r["age"] >= 18))), 0, 75
		)
		if rng.random() < 0.2:
			r["absences"] = 0
		g1 = 11.6 + 2.6 * ability - 1.2 * r["failures"] - 0.06 * r["absences"] + rng.gauss(0, 1.6)
		g2 = g1 + rng.gauss(0.0, 1.5) - 0.03 * r["absences"]
		g3 = g2 + rng.gauss(-0.1, 1.2) + 0.4 * (r["higher"] == "yes")
		r["G1"] = _clip(g1, 3, 19)
		r["G2"] = _clip(g2, 0, 19)
		r["G3"] = _clip(g3, 4, 20)
		# some students leave during the year: G3 is 0 and, as in the real files, absences read 0
		leave = 1 / (1 + math.exp(3.0 + 1.2 * ability - 0.8 * r["failures"]))
		if rng.random() < leave:
			r["G3"] = 0
			r["absences"] = 0
			if rng.random() < 0.4:
				r["G2"] = 0
		rows.append({column: r[column] for column in COLUMNS})
	return rows


def write_uci_like_csv(path: str | Path, n: int = 395, seed: int = 0) -> Path:
	"""Write the table as the UCI files are written: semicolons, strings (and G1, G2) in double quotes."""
	path = Path(path)
	lines = [";".join(COLUMNS)]
	for row in uci_like_rows(n, seed):
		lines.append(
			";".join(
				f'"{v}"' if isinstance(v, str) or column in QUOTED_NUMBERS else str(v)
				for column, v in row.items()
			)
		)
	path.write_text("\n".join(lines) + "\n", encoding="utf-8")
	return path
