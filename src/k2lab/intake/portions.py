"""Household amounts of a food -> grams: "1 tbsp", "2 slices", "1 large yolk", "3 oz", "100 g".

Mass units convert with pint. Volume units use the food's own density, taken from any
of its volume portions (so "1 tbsp natto" follows from SR26's 1 cup = 175 g when no
spoon weight exists). Count words ("slice", "pack", "yolk") match the food's portions.

Example
-------
>>> parse_amount_text("1 1/2 tbsp")
(1.5, 'tbsp')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import pint

from k2lab import checks
from k2lab.errors import AmountError, UnitError
from k2lab.foods.database import Food, Portion, normalise
from k2lab.units import Quantity, ureg

#: One food in one day above this is treated as a typing error (5 kg of natto).
MAX_GRAMS_PER_ENTRY = 2000.0

_VOLUME_WORDS = {
    "tbsp": "tablespoon",
    "tablespoon": "tablespoon",
    "tablespoons": "tablespoon",
    "tbs": "tablespoon",
    "tsp": "teaspoon",
    "teaspoon": "teaspoon",
    "teaspoons": "teaspoon",
    "cup": "cup",
    "cups": "cup",
    "ml": "milliliter",
    "l": "liter",
    "dl": "deciliter",
    "fl oz": "fluid_ounce",
    "floz": "fluid_ounce",
}
_MASS_WORDS = {
    "g": "gram",
    "gram": "gram",
    "grams": "gram",
    "kg": "kilogram",
    "mg": "milligram",
    "oz": "ounce",
    "ounce": "ounce",
    "ounces": "ounce",
    "lb": "pound",
    "lbs": "pound",
    "pound": "pound",
    "pounds": "pound",
}
_UNICODE_FRACTIONS = {"½": "1/2", "¼": "1/4", "¾": "3/4", "⅓": "1/3", "⅔": "2/3", "⅛": "1/8"}
_NUMBER = re.compile(
    r"^\s*(?P<num>\d+\s+\d+/\d+|\d+/\d+|[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?|nan|inf)"
    r"\s*(?P<unit>.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Grams:
    """An amount resolved to grams, with the portion that defined it (if any)."""

    grams: float
    count: float
    unit: str
    portion: Portion | None
    how: str


def parse_amount_text(text: str) -> tuple[float, str]:
    """Split ``"2 slices"`` into ``(2.0, "slices")``; fractions and ½ accepted."""
    for k, v in _UNICODE_FRACTIONS.items():
        text = text.replace(k, f" {v}")
    m = _NUMBER.match(text.strip())
    if not m:
        raise AmountError(
            f"Cannot read the amount '{text.strip()}'. Write e.g. '1 tbsp', '2 slices' or '100 g'."
        )
    num = m.group("num").strip()
    if " " in num:
        whole, frac = num.split()
        value = float(int(whole) + Fraction(frac))
    elif "/" in num:
        value = float(Fraction(num))
    else:
        value = float(num)
    if math.isnan(value) or math.isinf(value):
        raise AmountError(f"The amount '{text.strip()}' is not a finite number.")
    return value, " ".join(m.group("unit").lower().split())


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _portion_unit(portion: Portion) -> tuple[float, str]:
    count, rest = parse_amount_text(portion.name)
    return count, rest


def to_grams(food: Food, amount: str) -> Grams:
    """Grams of ``food`` in ``amount`` (see module docstring); refuses bad amounts."""
    checks.instance(food, Food, "food", what="a k2lab Food (e.g. db.resolve('natto'))")
    checks.text(amount, "amount", error=AmountError, example="'1 tbsp' or '30 g'")
    count, unit = parse_amount_text(amount)
    if count <= 0:
        raise AmountError(f"The amount '{amount}' of {food.name} must be above zero.")
    if not unit:
        raise UnitError(
            f"The amount '{amount}' of {food.name} has no unit. Write e.g. "
            f"'{count:g} g' or '{count:g} {_example_portion(food)}'."
        )
    result = _resolve(food, count, unit, amount)
    if result.grams > MAX_GRAMS_PER_ENTRY:
        raise AmountError(
            f"{amount} of {food.name} is {result.grams:,.0f} g, more than the "
            f"{MAX_GRAMS_PER_ENTRY:,.0f} g k2lab accepts for one food in a day. Check the "
            "number and the unit (g vs kg)."
        )
    return result


def _resolve(food: Food, count: float, unit: str, amount: str) -> Grams:
    if unit in _MASS_WORDS:
        grams = float(ureg.Quantity(count, _MASS_WORDS[unit]).to("gram").magnitude)
        return Grams(grams, count, unit, None, f"{count:g} {unit} = {grams:.4g} g")
    if unit in _VOLUME_WORDS:
        return _by_volume(food, count, unit)
    words = [_singular(w) for w in normalise(unit).split()]
    food_words = {
        _singular(w) for label in (food.name, *food.synonyms) for w in normalise(label).split()
    }
    matches = []
    for portion in food.portions:
        p_words = {_singular(w) for w in normalise(portion.name).split()}
        needed = [w for w in words if w in p_words or w not in food_words]
        if needed and all(w in p_words for w in needed):
            matches.append(portion)
    if not matches:
        raise UnitError(
            f"No household weight for '{unit}' of {food.name}. Known portions: "
            f"{_portion_list(food)}; or give a weight such as '{count:g} g' or '{count:g} oz'."
        )
    portion = min(matches, key=lambda p: ("large" not in p.name) + (p.name.count(" ") / 10))
    per_count, _ = _portion_unit(portion)
    grams = count * portion.grams / per_count
    return Grams(
        grams,
        count,
        unit,
        portion,
        f"{count:g} × '{portion.name}' ({portion.grams:g} g, {portion.quality}, "
        f"{portion.source_key}) = {grams:.4g} g",
    )


def _by_volume(food: Food, count: float, unit: str) -> Grams:
    target = ureg.Quantity(count, _VOLUME_WORDS[unit])
    best: tuple[int, Portion, float] | None = None
    for portion in food.portions:
        n, rest = _portion_unit(portion)
        head = rest.split(",")[0].strip()
        if head not in _VOLUME_WORDS:
            continue
        ml = float(ureg.Quantity(n, _VOLUME_WORDS[head]).to("milliliter").magnitude)
        exact = 0 if _VOLUME_WORDS[head] == _VOLUME_WORDS[unit] else 1
        if best is None or exact < best[0]:
            best = (exact, portion, portion.grams / ml)
    if best is None:
        raise UnitError(
            f"No volume weight (cup, tbsp, tsp) is known for {food.name}. Known portions: "
            f"{_portion_list(food)}; or give a weight such as '{count:g} g'."
        )
    _, portion, density = best
    grams = float(target.to("milliliter").magnitude) * density
    how = (
        f"{count:g} {unit} at {density:.3g} g/mL from '{portion.name}' = {portion.grams:g} g "
        f"({portion.quality}, {portion.source_key}) = {grams:.4g} g"
    )
    return Grams(grams, count, unit, portion, how)


def _portion_list(food: Food) -> str:
    return ", ".join(f"'{p.name}' ({p.grams:g} g)" for p in food.portions) or "none"


def _example_portion(food: Food) -> str:
    return food.portions[0].name.split(" ", 1)[1] if food.portions else "oz"


def quantity_grams(q: Quantity) -> float:
    """Grams in a pint mass quantity."""
    try:
        return float(q.to("gram").magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"'{q}' is not a mass.") from exc
