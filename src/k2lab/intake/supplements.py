"""Supplements: "MK-7 180 ug", "D3 2000 IU", "calcium 500 mg", "K1 1 mg".

Example
-------
>>> parse_supplement("D3 2000 IU")
Supplement(nutrient='vitamin_d', amount=50.0, unit='ug', text='D3 2000 IU')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from k2lab.errors import AmountError, UnitError
from k2lab.foods.nutrients import NUTRIENT_UNITS, VITAMERS
from k2lab.units import parse_quantity, to_micrograms

_FORMS = {
    **{v.lower().replace("-", ""): v for v in VITAMERS},
    "phylloquinone": "K1",
    "vitamink1": "K1",
    "d3": "vitamin_d",
    "d2": "vitamin_d",
    "d": "vitamin_d",
    "vitamind": "vitamin_d",
    "vitamind3": "vitamin_d",
    "vitamind2": "vitamin_d",
    "cholecalciferol": "vitamin_d",
    "calcium": "calcium",
    "ca": "calcium",
}
#: Daily amounts above these are refused as impossible or typing errors (k2lab units).
MAX_DAILY = {"vitamin_k": 1_000_000.0, "vitamin_d": 2_500.0, "calcium": 5_000.0}
_PATTERN = re.compile(
    r"^\s*(?P<form>[A-Za-z0-9 \-]+?)\s+(?P<amount>[-+]?[\d.]+(?:e[-+]?\d+)?\s*\S+|nan\s*\S*)\s*$",
    re.IGNORECASE,
)
EXAMPLE = "'MK-7 180 ug', 'MK-4 45 mg', 'K1 1 mg', 'D3 50 ug' or 'D3 2000 IU', 'calcium 500 mg'"


@dataclass(frozen=True)
class Supplement:
    """A daily supplement amount of one nutrient in k2lab units (µg; mg for calcium)."""

    nutrient: str
    amount: float
    unit: str
    text: str


def parse_supplement(text: str) -> Supplement:
    """Parse one supplement; refuses unknown forms, wrong units and absurd amounts."""
    m = _PATTERN.match(text)
    if not m:
        raise AmountError(f"Cannot read the supplement '{text}'. Write e.g. {EXAMPLE}.")
    form_text = m.group("form").strip()
    key = re.sub(r"[\s\-]", "", form_text.lower())
    if key in ("k2", "vitamink2", "menaquinone"):
        raise UnitError(
            f"'{form_text}' does not say which menaquinone: write MK-7 or MK-4 "
            f"(e.g. 'MK-7 180 ug')."
        )
    if key in ("calciumcarbonate", "calciumcitrate"):
        raise UnitError(
            f"'{text}': give the elemental calcium on the label, e.g. 'calcium 500 mg'."
        )
    nutrient = _FORMS.get(key)
    if nutrient is None:
        raise UnitError(f"Unknown supplement '{form_text}'. Write e.g. {EXAMPLE}.")
    q = parse_quantity(m.group("amount"))
    if "international_unit" in str(q.units) and nutrient != "vitamin_d":
        raise UnitError(
            f"IU are for vitamin D only; give {form_text} in ug or mg (e.g. '{form_text} 180 ug')."
        )
    micrograms = to_micrograms(q, f"The amount of {form_text}")
    if q.magnitude <= 0:
        raise AmountError(f"The supplement '{text}' must have an amount above zero.")
    unit = NUTRIENT_UNITS[nutrient]
    amount = micrograms / 1000.0 if unit == "mg" else micrograms
    limit_key = "vitamin_k" if nutrient in VITAMERS else nutrient
    if amount > MAX_DAILY[limit_key]:
        raise AmountError(
            f"'{text}' is {amount:,.0f} {unit} a day, above the {MAX_DAILY[limit_key]:,.0f} {unit} "
            "k2lab accepts. Check the unit (ug vs mg)."
        )
    return Supplement(nutrient, amount, unit, text.strip())
