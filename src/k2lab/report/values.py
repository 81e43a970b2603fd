"""The report as typed values (frozen dataclasses): what every renderer reads.

Values keep full precision and units in their names; renderers round and lay out. The
intake, the comparisons and the contributions reuse the intake layer's own values.

Example
-------
>>> TargetGap("K2", 90.0, Estimate(6.3, 6.3, 6.3, "ug"), 83.7, (), None).met
False
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from k2lab.advice import DISCLAIMER, Advice, Claim, GapFood
from k2lab.data.citations import Citation
from k2lab.foods.nutrients import K2_VITAMERS
from k2lab.intake.compute import Contribution, Estimate
from k2lab.intake.reference import Comparison
from k2lab.person import Person

__all__ = [
    "CHOSEN_BY",
    "AdviceItem",
    "AdviceReport",
    "DayIntake",
    "IntakeReport",
    "PortionUsed",
    "Report",
    "TargetGap",
    "main_k2_form",
]

#: Who sets the K2 target: always the user.
CHOSEN_BY = "user (no authority sets a K2 intake)"


@dataclass(frozen=True)
class DayIntake:
    """One day's typical intake by nutrient or total (``K1``, ``MK-7``, ``K2``, ...)."""

    label: str
    amounts: Mapping[str, float]


@dataclass(frozen=True)
class PortionUsed:
    """How one food entry of one day was read: the amount written and the grams it is."""

    day: str
    food_key: str
    amount: str
    grams: float
    how: str


@dataclass(frozen=True)
class IntakeReport:
    """A diet's intake: mean per day with ranges, each day, by food, against references."""

    diet_file: str
    person: Person
    day_labels: tuple[str, ...]
    typical_day: bool
    mean: Mapping[str, Estimate]
    per_day: tuple[DayIntake, ...]
    contributions: tuple[Contribution, ...]
    portions: tuple[PortionUsed, ...]
    supplements: Mapping[str, float]
    foods_without_k2_data: tuple[str, ...]
    comparisons: tuple[Comparison, ...]
    k2_reference_note: str
    warnings: tuple[str, ...]
    source_keys: tuple[str, ...]

    @property
    def days(self) -> int:
        """Number of days."""
        return len(self.day_labels)


@dataclass(frozen=True)
class TargetGap:
    """The user's K2 target, the intake of its form, the gap and the foods that close it."""

    form: str
    target_ug_per_day: float
    intake: Estimate
    gap_ug_per_day: float
    to_close: tuple[GapFood, ...]
    diet_pattern: str | None  # the pattern the foods were filtered by; None: all foods
    chosen_by: str = CHOSEN_BY

    @property
    def met(self) -> bool:
        """The typical intake reaches the target."""
        return self.gap_ug_per_day == 0.0


@dataclass(frozen=True)
class AdviceItem:
    """One advice item with the claims it uses resolved to their grades."""

    advice: Advice
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class AdviceReport:
    """Advice, most severe first; the change to make first; the citations behind them."""

    items: tuple[AdviceItem, ...]
    first_change: Advice | None
    sources: Mapping[str, Citation]
    disclaimer: str = DISCLAIMER


@dataclass(frozen=True)
class Report:
    """The full report: intake, top contributors, K2 target and gap, advice, sources."""

    intake: IntakeReport
    top_contributors: tuple[Contribution, ...]
    target: TargetGap
    sources: Mapping[str, Citation]  # of the foods, portions and reference intakes
    advice: AdviceReport
    disclaimer: str = DISCLAIMER


def main_k2_form(c: Contribution) -> str | None:
    """The menaquinone a food brings most of (``None`` when it brings no K2)."""
    if c.amounts.get("K2", 0.0) <= 0:
        return None
    return max(K2_VITAMERS, key=lambda v: c.amounts.get(v, 0.0))
