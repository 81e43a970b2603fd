"""How much of a food reaches a target: "180 ug MK-7", "90 ug K2", "70 ug K1".

Example
-------
>>> t = parse_target("180 ug MK-7"); (t.amount_ug, t.form)
(180.0, 'MK-7')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from k2lab import checks
from k2lab.errors import AmountError, K2LabError, UnitError
from k2lab.foods.database import Food
from k2lab.foods.nutrients import K2_VITAMERS, VITAMERS
from k2lab.units import parse_quantity, to_micrograms

TARGET_FORMS = {**{v.lower(): v for v in VITAMERS}, "k2": "K2", "k": "K"}
_TARGET = re.compile(r"^\s*(?P<q>\S+\s*[a-zA-Zµμ]+)\s+(?P<form>[A-Za-z0-9\-]+)\s*$")


@dataclass(frozen=True)
class Target:
    """A daily target of one vitamin K form (µg)."""

    amount_ug: float
    form: str

    def content_per_100g(self, food: Food, estimate: str = "typical") -> float:
        """µg of the target's form per 100 g of ``food``."""
        if self.form == "K2":
            return food.k2_per_100g(estimate)
        if self.form == "K":
            return food.k2_per_100g(estimate) + food.per_100g("K1", estimate)
        return food.per_100g(self.form, estimate)


@dataclass(frozen=True)
class Cover:
    """Grams of a food that reach a target: typical, and the range from the food's range."""

    food: Food
    target: Target
    grams_typical: float
    grams_low: float  # when the food is at the high end of its content range
    grams_high: float  # when the food is at the low end
    portions: tuple[tuple[str, float, float, float], ...]  # name, count typical, low, high


def parse_target(text: str) -> Target:
    """Parse ``"180 ug MK-7"`` (forms: K1, MK-4 ... MK-10, K2 = all menaquinones, K = all)."""
    m = _TARGET.match(checks.text(text, "target", error=AmountError, example="'90 ug K2'"))
    if not m:
        raise AmountError(
            f"Cannot read the target '{text}'. Write e.g. '180 ug MK-7' or '90 ug K2'."
        )
    form = TARGET_FORMS.get(m.group("form").lower().replace("mk", "mk-").replace("--", "-"))
    if form is None:
        raise UnitError(
            f"Unknown form '{m.group('form')}' in '{text}'. Use K1, K2, K or "
            f"{', '.join(K2_VITAMERS)}."
        )
    try:
        q = parse_quantity(m.group("q"))
    except AmountError as exc:
        raise AmountError(f"Cannot read the target '{text}'. Write e.g. '180 ug MK-7'.") from exc
    if "international_unit" in str(q.units):
        raise UnitError(
            f"IU are for vitamin D; give vitamin K targets in ug (e.g. '180 ug {form}')."
        )
    amount = to_micrograms(q, "The target")
    if not 0 < amount <= 1_000_000:
        raise AmountError(f"The target '{text}' must be above 0 and at most 1 g.")
    return Target(amount, form)


def cover(food: Food, target: Target) -> Cover:
    """Grams (and portions) of ``food`` that provide ``target`` per day."""
    checks.instance(food, Food, "food", what="a k2lab Food (e.g. db.resolve('natto'))")
    checks.instance(target, Target, "target", what="a Target (parse_target('90 ug K2'))")
    typical = target.content_per_100g(food)
    if typical <= 0:
        forms = [v for v in VITAMERS if food.per_100g(v) > 0]
        raise K2LabError(
            f"{food.name} has no {target.form} in any source, so no amount reaches the target. "
            + (f"It has: {', '.join(forms)}." if forms else "No vitamin K value is known for it.")
        )
    low_content = target.content_per_100g(food, "low")
    high_content = target.content_per_100g(food, "high")
    grams = 100.0 * target.amount_ug / typical
    grams_low = 100.0 * target.amount_ug / high_content
    grams_high = 100.0 * target.amount_ug / low_content if low_content > 0 else float("inf")
    portions = tuple(
        (p.name, grams / p.grams, grams_low / p.grams, grams_high / p.grams) for p in food.portions
    )
    return Cover(food, target, grams, grams_low, grams_high, portions)
