"""Whole-day targets: energy from the person, macronutrient ranges, reference intakes,
food-group servings and variety, as :class:`~k2lab.plan.model.PlanConstraints`.

Energy is Mifflin–St Jeor resting energy (Mifflin_1990) times a physical activity level
(FAO_WHO_UNU_2004_energy), kept within ±``energy_band``. Nutrients: the NASEM
(US/Canada) DRIs in ``data/reference_intakes.csv`` for the person (RDA or AI as the
minimum, UL or CDRR as the maximum); calcium and vitamin D from IOM 2011; the
macronutrient ranges (AMDR) as shares of the day's energy; food-group servings from
``data/plan_servings.csv``.

Example
-------
>>> from k2lab.intake import Person
>>> round(energy_need_kcal(Person(age=45, sex="male"), activity="low"))
2638
>>> c = whole_day_constraints(Person(age=45, sex="male"), k2_target_ug=180.0)
>>> c.k2_max_ug, sorted(b.nutrient for b in c.nutrient_bounds)[:3]
(270.0, ['fibre', 'folate', 'iron'])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache

from k2lab.foods.build import read_data_csv
from k2lab.foods.database import FoodDatabase
from k2lab.foods.nutrients import NUTRIENTS
from k2lab.intake.diet import Person
from k2lab.intake.reference import UPPER_KINDS, reference_intakes
from k2lab.plan.model import (
    EnergyShare,
    GroupServing,
    NutrientBound,
    PlanConstraints,
    PlanError,
    constraints_for,
)
from k2lab.vocab import ACTIVITY_LEVELS

#: Physical activity levels (× resting energy) within the FAO/WHO/UNU 2004 bands.
ACTIVITY_PAL = dict(zip(ACTIVITY_LEVELS, (1.45, 1.6, 1.85, 2.1), strict=True))
#: DRI reference body sizes when the person gives none (IOM_2005_Macronutrients).
REFERENCE_HEIGHT_CM = {"female": 163.0, "male": 177.0}
REFERENCE_WEIGHT_KG = {"female": 57.0, "male": 70.0}
#: Atwater energy per gram.
KCAL_PER_G = {"protein": 4.0, "fat": 9.0, "carbohydrate": 4.0}
#: Authority of the whole-day nutrients.
AUTHORITY = "NASEM (US/Canada)"
#: Nutrients whose minimum the planner does not apply (salt added in cooking is not in
#: the food data; a sodium minimum would push salty foods).
NO_MINIMUM = frozenset({"sodium"})
#: Nutrients from the vitamin K and calcium authorities (bounds set elsewhere).
_OTHER_AUTHORITY = {"vitamin_d": "IOM (US/Canada)"}
#: The upper end of the K2 band, as a multiple of the target.
K2_BAND = 1.5


def energy_need_kcal(
    person: Person, *, height_cm: float | None = None, activity: str = "low"
) -> float:
    """Daily energy need: Mifflin–St Jeor resting energy × physical activity level.

    ``10·W + 6.25·H − 5·A + 5`` (men) or ``− 161`` (women), kcal/day with W in kg, H in
    cm, A in years; W and H default to the DRI reference body (57 kg, 163 cm women;
    70 kg, 177 cm men).
    """
    if activity not in ACTIVITY_PAL:
        raise PlanError(f"Unknown activity '{activity}'. Use one of: {', '.join(ACTIVITY_PAL)}.")
    if person.age < 19:
        raise PlanError(
            "Whole-day plans use adult reference intakes (19 years and over); give an age "
            "of 19 or more, or plan vitamin K only (--k-only)."
        )
    height = REFERENCE_HEIGHT_CM[person.sex] if height_cm is None else float(height_cm)
    if not 120.0 <= height <= 230.0:
        raise PlanError(f"height must be between 120 and 230 cm, not {height_cm!r}.")
    weight = person.weight_kg or REFERENCE_WEIGHT_KG[person.sex]
    rest = (
        10.0 * weight + 6.25 * height - 5.0 * person.age + (5.0 if person.sex == "male" else -161.0)
    )
    return rest * ACTIVITY_PAL[activity]


def nutrient_bounds(person: Person) -> tuple[NutrientBound, ...]:
    """The person's reference intakes as daily bounds (minimum RDA/AI, maximum UL/CDRR)."""
    lo: dict[str, tuple[float, str, str]] = {}
    hi: dict[str, tuple[float, str, str]] = {}
    for r in reference_intakes(person):
        if r.authority != _OTHER_AUTHORITY.get(r.nutrient, AUTHORITY) or r.unit == "%energy":
            continue
        if r.nutrient == "calcium":
            continue  # the calcium bounds are PlanConstraints.calcium_min_mg/max_mg
        if r.kind in UPPER_KINDS:
            hi[r.nutrient] = (r.value, r.kind, r.source_key)
        elif r.nutrient not in NO_MINIMUM:
            lo[r.nutrient] = (r.value, r.kind, r.source_key)
    out = []
    for n in sorted(set(lo) | set(hi)):
        low, high = lo.get(n), hi.get(n)
        kinds = "/".join(x[1] for x in (low, high) if x)
        keys = ";".join(dict.fromkeys(k for x in (low, high) if x for k in x[2].split(";")))
        authority = _OTHER_AUTHORITY.get(n, AUTHORITY)
        out.append(
            NutrientBound(
                n, low[0] if low else None, high[0] if high else None, authority, keys, kinds
            )
        )
    return tuple(out)


def energy_shares(person: Person) -> tuple[EnergyShare, ...]:
    """Protein, fat and carbohydrate as shares of energy (the AMDR) for ``person``."""
    ranges: dict[str, dict[str, float]] = {}
    keys: dict[str, str] = {}
    for r in reference_intakes(person):
        if r.authority == AUTHORITY and r.unit == "%energy":
            ranges.setdefault(r.nutrient, {})[r.kind] = r.value / 100.0
            keys[r.nutrient] = r.source_key
    return tuple(
        EnergyShare(n, KCAL_PER_G[n], v["AMDR_low"], v["AMDR_high"], keys[n])
        for n, v in sorted(ranges.items())
    )


#: Energy of the base days in ``data/plan_base_days.csv`` (about 2,000 kcal each).
BASE_DAY_KCAL = 2000.0


@cache
def _base_days() -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for r in read_data_csv("plan_base_days.csv"):
        out.setdefault(r["pattern"], {})[r["food_key"]] = float(r["grams_per_day"])
    return out


def base_day(pattern: str, energy_kcal: float = BASE_DAY_KCAL) -> dict[str, float]:
    """A typical day of ``pattern`` (food key -> grams), scaled to ``energy_kcal``.

    The planner starts from it when no diary is given, so a plan is the smallest change
    to an ordinary day (the diet-optimisation approach of staying close to what people
    eat) rather than the fewest grams of the densest foods.
    """
    if pattern not in _base_days():
        raise PlanError(f"No base day for the pattern '{pattern}'.")
    scale = energy_kcal / BASE_DAY_KCAL
    return {k: round(g * scale, 1) for k, g in _base_days()[pattern].items()}


@cache
def group_servings() -> tuple[GroupServing, ...]:
    """Food-group grams per day from ``data/plan_servings.csv``."""
    return tuple(
        GroupServing(
            r["group"],
            frozenset(r["categories"].split(";")),
            float(r["min_g_per_day"]),
            float(r["max_g_per_day"]) if r["max_g_per_day"] else None,
            r["source_key"],
        )
        for r in read_data_csv("plan_servings.csv")
    )


def whole_day_constraints(
    person: Person,
    *,
    k2_target_ug: float,
    k2_form: str = "K2",
    k2_max_ug: float | None = None,
    height_cm: float | None = None,
    activity: str = "low",
    energy_band: float = 0.1,
    energy_kcal: float | None = None,
    max_days_per_food: int | None = 4,
    distinct_days: bool = True,
    **kwargs: object,
) -> PlanConstraints:
    """Constraints for whole days: energy, macronutrients, references, servings, variety.

    Parameters
    ----------
    k2_target_ug, k2_form : the K2 target (µg/day) and its form; the band's upper end is
        ``k2_max_ug`` (default 1.5 × target).
    height_cm, activity : for the energy need (``energy_kcal`` overrides it).
    energy_band : energy kept within ±this fraction of the need.
    max_days_per_food : a food on at most this many days (None: no limit; capped at days).
    distinct_days : no two days with the same foods.
    kwargs : any other :class:`PlanConstraints` field (explicit values win). Without
        ``current_g_per_day`` (a diary) the plan starts from :func:`base_day`.
    """
    if not 0.0 < energy_band < 0.5:
        raise PlanError(f"energy_band must be between 0 and 0.5, not {energy_band!r}.")
    need = (
        energy_kcal
        if energy_kcal is not None
        else energy_need_kcal(person, height_cm=height_cm, activity=activity)
    )
    days = int(kwargs.get("days", 7))  # type: ignore[call-overload]
    values: dict[str, object] = {
        "k2_target_ug": k2_target_ug,
        "k2_form": k2_form,
        "k2_max_ug": k2_max_ug if k2_max_ug is not None else K2_BAND * k2_target_ug,
        "energy_min_kcal": need * (1.0 - energy_band),
        "energy_max_kcal": need * (1.0 + energy_band),
        "nutrient_bounds": nutrient_bounds(person),
        "energy_shares": energy_shares(person),
        "group_servings": group_servings(),
        "max_days_per_food": None if max_days_per_food is None else min(max_days_per_food, days),
        "distinct_days": distinct_days and days > 1,
        "candidates": "portioned",
    }
    if not kwargs.get("current_g_per_day"):
        values["current_g_per_day"] = base_day(person.diet or "omnivore", need)
    values.update({k: v for k, v in kwargs.items() if k != "current_g_per_day" or v})
    return constraints_for(person, **values)  # type: ignore[arg-type]


def minimal_change_constraints(
    db: FoodDatabase,
    person: Person,
    current_g_per_day: Mapping[str, float],
    *,
    k2_target_ug: float,
    anticoagulated: bool = False,
    k1_steady_ug: float = 20.0,
    **kwargs: object,
) -> PlanConstraints:
    """Whole-day constraints for the smallest change to a diary (its mean day).

    Energy stays within ±10 % of the diary's; every other bound is met or not made
    worse: a minimum the diary misses becomes the diary's level, a maximum it exceeds
    likewise (so a partial diary is not rebuilt into a whole new day). With a vitamin K
    antagonist K1 stays within ±``k1_steady_ug`` of the diary's and total K steady.
    """
    totals = dict.fromkeys(NUTRIENTS, 0.0)
    groups: dict[str, float] = {}
    for key, grams in current_g_per_day.items():
        food = db.resolve(key)
        for n in NUTRIENTS:
            totals[n] += food.per_100g(n) * grams / 100.0
        for g in group_servings():
            if food.category in g.categories:
                groups[g.group] = groups.get(g.group, 0.0) + grams
    if totals["energy"] <= 0:
        raise PlanError("The diary has no energy: list the foods you eat with their amounts.")
    c = whole_day_constraints(
        person,
        k2_target_ug=k2_target_ug,
        energy_kcal=totals["energy"],
        current_g_per_day=dict(current_g_per_day),
        distinct_days=False,
        **kwargs,  # type: ignore[arg-type]
    )
    bounds = tuple(
        replace(
            b,
            min=None if b.min is None else min(b.min, totals[b.nutrient]),
            max=None if b.max is None else max(b.max, totals[b.nutrient]),
        )
        for b in c.nutrient_bounds
    )
    shares = tuple(
        replace(
            s,
            min_share=min(s.min_share, s.kcal_per_g * totals[s.nutrient] / totals["energy"]),
            max_share=max(s.max_share, s.kcal_per_g * totals[s.nutrient] / totals["energy"]),
        )
        for s in c.energy_shares
    )
    servings = tuple(
        replace(
            g,
            min_g=min(g.min_g, groups.get(g.group, 0.0)),
            max_g=None if g.max_g is None else max(g.max_g, groups.get(g.group, 0.0)),
        )
        for g in c.group_servings
    )
    ca_min = None if c.calcium_min_mg is None else min(c.calcium_min_mg, totals["calcium"])
    ca_max = None if c.calcium_max_mg is None else max(c.calcium_max_mg, totals["calcium"])
    k1_min = None if c.k1_min_ug is None else min(c.k1_min_ug, totals["K1"])
    steady: dict[str, object] = {}
    if anticoagulated:
        k1 = totals["K1"]
        steady = {
            "k1_steady_ug": (max(k1 - k1_steady_ug, 0.0), k1 + k1_steady_ug),
            "steady_k_range_ug": c.steady_k_range_ug or 100.0,
        }
    return replace(
        c,
        nutrient_bounds=bounds,
        energy_shares=shares,
        group_servings=servings,
        calcium_min_mg=ca_min,
        calcium_max_mg=ca_max,
        k1_min_ug=k1_min,
        **steady,  # type: ignore[arg-type]
    )


__all__ = [
    "ACTIVITY_PAL",
    "AUTHORITY",
    "BASE_DAY_KCAL",
    "K2_BAND",
    "KCAL_PER_G",
    "NO_MINIMUM",
    "REFERENCE_HEIGHT_CM",
    "REFERENCE_WEIGHT_KG",
    "base_day",
    "energy_need_kcal",
    "energy_shares",
    "group_servings",
    "minimal_change_constraints",
    "nutrient_bounds",
    "whole_day_constraints",
]
