"""One pint registry for all of k2lab, and the conversions that are easy to get wrong.

Canonical units inside the core: µg for vitamin K and vitamin D, mg for calcium,
grams for food, kcal for energy. Vitamin D: 1 µg = 40 IU (cholecalciferol).

Example
-------
>>> to_micrograms_vitamin_d(parse_quantity("2000 IU"))
50.0
>>> round(ureg.Quantity(1, "tbsp").to("mL").magnitude, 2)
14.79
"""

from __future__ import annotations

import math
import re
from typing import Any

import pint

from k2lab import checks
from k2lab.errors import AmountError, UnitError

Quantity = Any  # pint quantities are not generic-typed enough for mypy --strict

ureg: Any = pint.UnitRegistry()
ureg.define("international_unit_vitamin_d = 0.025 * microgram = IU")
ureg.define("mcg = microgram")

#: Molar masses (g/mol) of the vitamers, as used in the curated PK data (shared/reference/pk).
MOLAR_MASS_G_PER_MOL: dict[str, float] = {
    "K1": 450.7,
    "MK-4": 444.7,
    "MK-5": 512.8,
    "MK-6": 580.9,
    "MK-7": 649.0,
    "MK-8": 717.1,
    "MK-9": 785.2,
    "MK-10": 853.3,
}

_QUANTITY = re.compile(
    r"^\s*(?P<num>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|nan|inf)\s*(?P<unit>.*?)\s*$",
    re.IGNORECASE,
)
_ALIASES = {
    "µg": "microgram",
    "μg": "microgram",
    "ug": "microgram",
    "mcg": "microgram",
    "iu": "IU",
    "i.u.": "IU",
}


def parse_quantity(text: str) -> Quantity:
    """Parse ``"180 ug"``, ``"2000 IU"``, ``"0.5 mg"`` into a pint quantity.

    Refuses NaN, infinities and unknown units with a message that shows an accepted form.
    """
    m = _QUANTITY.match(checks.text(text, "amount", error=AmountError, example="'180 ug'"))
    if not m:
        raise AmountError(
            f"Cannot read the amount '{text}'. Write a number and a unit, e.g. '180 ug'."
        )
    value = float(m.group("num"))
    if math.isnan(value) or math.isinf(value):
        raise AmountError(f"The amount '{text}' is not a finite number. Write e.g. '180 ug'.")
    unit_text = m.group("unit").strip()
    if not unit_text:
        raise UnitError(
            f"The amount '{text}' has no unit. Write e.g. '{value:g} ug' or '{value:g} mg'."
        )
    unit = _ALIASES.get(unit_text.lower(), unit_text)
    try:
        return ureg.Quantity(value, unit)
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        TypeError,
        ValueError,
        AssertionError,
    ) as exc:
        raise UnitError(f"Unknown unit '{unit_text}' in '{text}'. Use ug, mg, g or IU.") from exc


def to_micrograms(q: Quantity, what: str = "the amount") -> float:
    """Convert a mass to µg, or say which unit was wrong."""
    checks.instance(q, ureg.Quantity, "q", error=UnitError, what="a quantity (parse_quantity)")
    try:
        return float(q.to("microgram").magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"{what} must be a mass (ug, mg, g), not '{q.units:~}'.") from exc


def to_micrograms_vitamin_d(q: Quantity) -> float:
    """Vitamin D as µg, accepting µg/mg or IU (1 µg = 40 IU)."""
    return to_micrograms(q, "Vitamin D")


def to_milligrams(q: Quantity, what: str = "the amount") -> float:
    """Convert a mass to mg."""
    return to_micrograms(q, what) / 1000.0


def mk4_equivalent_ug(vitamer: str, micrograms: float) -> float:
    """Mass of MK-4 with the same number of moles (Japan's DRI counts MK-7 this way)."""
    return micrograms * MOLAR_MASS_G_PER_MOL["MK-4"] / MOLAR_MASS_G_PER_MOL[vitamer]


def ug_to_nmol(vitamer: str, micrograms: float) -> float:
    """Micrograms to nanomoles by molar mass."""
    return micrograms * 1000.0 / MOLAR_MASS_G_PER_MOL[vitamer]
