"""Intake per vitamer per day from a diet: typical, low and high.

Arithmetic: a food entry contributes ``grams / 100 × value per 100 g`` of each
nutrient; supplements add their daily amount. ``low``/``high`` put every food at the
low/high end of its published range, so they bracket the typical value. K2 is the sum
of the menaquinones and is never mixed with K1; total K = K1 + K2.

Example
-------
>>> r = compute_intake(diet)                 # doctest: +SKIP
>>> r.mean["MK-7"].typical                   # µg/day  # doctest: +SKIP
104.3
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from k2lab import checks
from k2lab.foods.nutrients import K2_VITAMERS, NUTRIENT_UNITS, NUTRIENTS, VITAMERS
from k2lab.intake.diet import Diet
from k2lab.units import mk4_equivalent_ug

ESTIMATES = ("typical", "low", "high")
#: Derived totals reported next to the nutrients.
TOTALS = ("K2", "K", "K_mk4_equivalent")


@dataclass(frozen=True)
class Estimate:
    """A daily amount with its low–high range (unit in ``unit``)."""

    typical: float
    low: float
    high: float
    unit: str


@dataclass(frozen=True)
class Contribution:
    """What one food brings per day on average."""

    food_key: str
    name: str
    grams_per_day: float
    amounts: dict[str, float]  # nutrient/total -> typical per day


@dataclass(frozen=True)
class IntakeResult:
    """Intake of a diet: per day, averaged, by food, with data gaps named."""

    diet: Diet
    day_labels: tuple[str, ...]
    per_day: dict[str, NDArray[np.float64]]  # name -> (days, 3) typical/low/high
    mean: dict[str, Estimate]
    contributions: tuple[Contribution, ...]
    supplements: dict[str, float]  # nutrient -> mean per day from supplements
    foods_without_k2_data: tuple[str, ...]
    source_keys: tuple[str, ...]


def compute_intake(diet: Diet) -> IntakeResult:
    """Compute the intake of ``diet`` (pure; the diet already holds resolved foods)."""
    checks.instance(diet, Diet, "diet", what="a k2lab Diet (k2lab.load_diet)")
    foods = {e.food.key: e.food for day in diet.days for e in day.foods}
    keys = list(foods)
    index = {k: i for i, k in enumerate(keys)}
    n_nutr = len(NUTRIENTS)
    # content[food, nutrient, estimate] per gram
    content = np.zeros((len(keys), n_nutr, 3))
    for k, food in foods.items():
        for j, nutrient in enumerate(NUTRIENTS):
            for e, est in enumerate(ESTIMATES):
                content[index[k], j, e] = food.per_100g(nutrient, est) / 100.0
    day_idx, food_idx, grams = [], [], []
    for d, day in enumerate(diet.days):
        for entry in day.foods:
            day_idx.append(d)
            food_idx.append(index[entry.food.key])
            grams.append(entry.grams.grams)
    totals = np.zeros((len(diet.days), n_nutr, 3))
    fi = np.asarray(food_idx, dtype=np.intp)
    g = np.asarray(grams, dtype=float)
    if len(g):
        np.add.at(totals, np.asarray(day_idx, dtype=np.intp), g[:, None, None] * content[fi])
    supp = np.zeros((len(diet.days), n_nutr))
    for d, day in enumerate(diet.days):
        for s in day.supplements:
            supp[d, NUTRIENTS.index(s.nutrient)] += s.amount
    totals += supp[:, :, None]

    per_day = {n: totals[:, j, :] for j, n in enumerate(NUTRIENTS)}
    per_day["K2"] = sum((per_day[v] for v in K2_VITAMERS), np.zeros_like(per_day["K1"]))
    per_day["K"] = per_day["K1"] + per_day["K2"]
    # Japan's DRI counts K1 + MK-4 + MK-7, with MK-7 as the MK-4 mass of the same moles.
    per_day["K_mk4_equivalent"] = (
        per_day["K1"] + per_day["MK-4"] + mk4_equivalent_ug("MK-7", 1.0) * per_day["MK-7"]
    )
    units = {**NUTRIENT_UNITS, **dict.fromkeys(TOTALS, "ug")}
    mean = {
        n: Estimate(float(m[0]), float(m[1]), float(m[2]), units[n])
        for n, m in ((n, arr.mean(axis=0)) for n, arr in per_day.items())
    }

    n_days = len(diet.days)
    food_grams = np.bincount(fi, weights=g, minlength=len(keys)) / n_days if len(g) else np.zeros(0)
    contributions = []
    for k, food in foods.items():
        i = index[k]
        amounts = {n: float(food_grams[i] * content[i, j, 0]) for j, n in enumerate(NUTRIENTS)}
        amounts["K2"] = sum(amounts[v] for v in K2_VITAMERS)
        amounts["K"] = amounts["K1"] + amounts["K2"]
        contributions.append(Contribution(k, food.name, float(food_grams[i]), amounts))
    contributions.sort(key=lambda c: -c.amounts["K"])

    sources: set[str] = set()
    for food in foods.values():
        for nutrient in (*VITAMERS, "calcium", "vitamin_d"):
            summary = food.nutrient(nutrient)
            if summary is not None:
                sources.update(v.source_key for v in summary.values)
    for day in diet.days:
        for entry in day.foods:
            if entry.grams.portion is not None:
                sources.add(entry.grams.portion.source_key)
    return IntakeResult(
        diet=diet,
        day_labels=tuple(day.label for day in diet.days),
        per_day=per_day,
        mean=mean,
        contributions=tuple(contributions),
        supplements={
            n: float(supp[:, j].mean()) for j, n in enumerate(NUTRIENTS) if supp[:, j].any()
        },
        foods_without_k2_data=tuple(sorted(f.name for f in foods.values() if not f.has_k2_data)),
        source_keys=tuple(sorted(sources)),
    )
