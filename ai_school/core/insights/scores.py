"""A risk score with the reasons that add up to it, shared by the ABC rule and the trained model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOW, MEDIUM, HIGH, CRITICAL = "Low", "Medium", "High", "Critical"  # AI Student Profile's risk levels


@dataclass(frozen=True)
class Tiers:
	"""Score (0-100) from which a student is Medium, High and Critical risk."""

	medium: float = 15.0
	high: float = 40.0
	critical: float = 60.0

	def __post_init__(self):
		if not 0 <= self.medium <= self.high <= self.critical <= 100:
			raise ValueError("need 0 <= medium <= high <= critical <= 100")

	def tier(self, score: float) -> str:
		if score >= self.critical:
			return CRITICAL
		if score >= self.high:
			return HIGH
		if score >= self.medium:
			return MEDIUM
		return LOW


@dataclass(frozen=True)
class Contribution:
	"""One reason: the indicator, the student's value, the points it adds to the score and plain words.

	``log_odds`` is the model's additive term on the log-odds scale (None for the rule score)."""

	name: str
	label: str
	value: Any
	points: float
	text: str
	log_odds: float | None = None


@dataclass(frozen=True)
class RiskScore:
	"""``score`` (0-100) = ``base`` + the sum of the contributions' points.

	For the ABC rule, ``base`` is 0 and points are whole numbers, so the sum is exact. For the model,
	``score`` is the calibrated probability in percent and ``base`` the probability of a student with the
	training average of every input; see :meth:`RiskModel.explain` for the decomposition."""

	score: float
	tier: str
	base: float
	contributions: tuple[Contribution, ...]
	method: str  # "abc" | "model"
	probability: float | None = None

	def reasons(self, min_points: float = 0.0) -> list[Contribution]:
		"""Contributions that raise the score by more than ``min_points``, largest first."""
		return sorted(
			(c for c in self.contributions if c.points > min_points), key=lambda c: (-c.points, c.name)
		)

	def as_dict(self) -> dict[str, Any]:
		return {
			"score": self.score,
			"tier": self.tier,
			"base": self.base,
			"method": self.method,
			"probability": self.probability,
			"contributions": [
				{
					"name": c.name,
					"label": c.label,
					"value": c.value,
					"points": c.points,
					"text": c.text,
					"log_odds": c.log_odds,
				}
				for c in self.contributions
			],
		}
