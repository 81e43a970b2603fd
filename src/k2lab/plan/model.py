"""The planner's inputs: constraints, objectives and food groups.

A plan chooses whole portions of candidate foods (:mod:`k2lab.plan.candidates`) for
each of N days.

Example
-------
>>> c = PlanConstraints(days=7, k2_target_ug=180.0, pattern="vegan")
>>> c.k2_form, c.days
('K2', 7)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from k2lab import checks
from k2lab.errors import K2LabError, UnitError
from k2lab.foods.build import read_data_csv
from k2lab.foods.database import Food, FoodDatabase, normalise
from k2lab.foods.nutrients import DIET_PATTERNS, K2_VITAMERS, NUTRIENTS, VITAMERS
from k2lab.intake.diet import Person
from k2lab.intake.reference import reference_intakes
from k2lab.intake.supplements import Supplement

#: Grams of one step for a food without a household measure.
GENERIC_STEP_G = 50.0
#: Nutrients tracked per portion: every stored nutrient, plus total K2 and total K.
TRACKED = (*NUTRIENTS, "K2", "K")
#: A whole-day candidate needs these (a food without them would count as empty).
WHOLE_DAY_REQUIRED = ("energy", "protein", "fat", "carbohydrate")
#: Most days a plan may cover.
MAX_DAYS = 28
#: Anticoagulants that switch on the steady vitamin K mode.
VKA = frozenset({"warfarin", "acenocoumarol", "phenprocoumon", "fluindione", "vka"})


class PlanError(K2LabError, ValueError):
    """Planner input that cannot be used (contradictory or unknown constraints)."""


class Objective(StrEnum):
    """What the planner minimises once every constraint holds."""

    CLOSEST = "closest"  # grams away from the current diet (from nothing when none given)
    FEWEST_CHANGES = "fewest_changes"  # number of (food, day) entries that differ
    COST = "cost"  # money, from prices per 100 g


@dataclass(frozen=True)
class NutrientBound:
    """A daily amount of ``nutrient`` (units of ``NUTRIENT_UNITS``) kept in [min, max]."""

    nutrient: str
    min: float | None
    max: float | None
    authority: str
    source_key: str
    kinds: str = ""  # e.g. 'RDA/UL'


@dataclass(frozen=True)
class EnergyShare:
    """``nutrient`` (g) × ``kcal_per_g`` kept between two fractions of the day's energy."""

    nutrient: str
    kcal_per_g: float
    min_share: float
    max_share: float
    source_key: str


@dataclass(frozen=True)
class GroupServing:
    """Grams per day from foods of ``categories`` kept in [min_g, max_g]."""

    group: str
    categories: frozenset[str]
    min_g: float
    max_g: float | None
    source_key: str


@dataclass(frozen=True)
class PlanConstraints:
    """Everything a plan must respect (amounts per day; µg, mg for calcium, kcal).

    ``k1_min_ug``/``calcium_min_mg``/``calcium_max_mg`` of None mean "no such bound";
    :func:`constraints_for` fills them from a person's reference intakes.
    ``steady_k_range_ug`` switches on the anticoagulated mode: total vitamin K may
    vary by at most this much between days, natto is excluded and food MK-7 stays
    below ``vka_mk7_max_ug`` a day.
    """

    days: int = 7
    k2_target_ug: float = 90.0
    k2_form: str = "K2"
    k1_min_ug: float | None = None
    calcium_min_mg: float | None = None
    calcium_max_mg: float | None = None
    pattern: str = "omnivore"
    exclude_groups: frozenset[str] = frozenset()
    exclude_foods: frozenset[str] = frozenset()
    max_g_per_food_day: float | None = None  # overrides plan_limits.csv when given
    max_g_per_food_week: float | None = None
    max_days_per_food: int | None = None
    min_foods_per_day: int = 1
    energy_min_kcal: float | None = None
    energy_max_kcal: float | None = None
    supplements: tuple[Supplement, ...] = ()
    steady_k_range_ug: float | None = None
    vka_mk7_max_ug: float = 10.0
    current_g_per_day: Mapping[str, float] = field(default_factory=dict)
    prices_per_100g: Mapping[str, float] = field(default_factory=dict)
    candidates: str = "portioned"  # 'portioned' | 'all'
    # Whole days (see k2lab.plan.nutrition.whole_day_constraints).
    k2_max_ug: float | None = None
    nutrient_bounds: tuple[NutrientBound, ...] = ()
    energy_shares: tuple[EnergyShare, ...] = ()
    group_servings: tuple[GroupServing, ...] = ()
    distinct_days: bool = False
    k1_steady_ug: tuple[float, float] | None = None  # K1 per day kept in [lo, hi]

    def __post_init__(self) -> None:
        if not isinstance(self.days, int) or not 1 <= self.days <= MAX_DAYS:
            raise PlanError(
                f"days must be a whole number from 1 to {MAX_DAYS}, not {self.days!r}.",
                field="days",
            )
        self._check_collections()
        if self.k2_form not in ("K2", *K2_VITAMERS):
            raise UnitError(
                f"The K2 target must be total menaquinones (K2) or one menaquinone "
                f"(MK-4 ... MK-10), not '{self.k2_form}'. Write e.g. '90 ug K2' or '180 ug MK-7'."
            )
        _finite("k2_target_ug", self.k2_target_ug, positive=True)
        if self.k2_max_ug is not None:
            _finite("k2_max_ug", self.k2_max_ug, positive=True)
            _order("k2_target_ug", self.k2_target_ug, "k2_max_ug", self.k2_max_ug)
        for b in self.nutrient_bounds:
            if b.nutrient not in NUTRIENTS:
                raise PlanError(
                    f"Unknown nutrient '{b.nutrient}' in a bound. Use one of: {', '.join(NUTRIENTS)}."
                )
            _order(f"{b.nutrient} minimum", b.min, f"{b.nutrient} maximum", b.max)
        if self.k1_steady_ug is not None:
            pair = self.k1_steady_ug
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise PlanError(
                    f"k1_steady_ug must be a pair (low, high) of µg/day, not {pair!r:.40}.",
                    field="k1_steady_ug",
                )
            for x in pair:
                _finite("k1_steady_ug", x)
            _order("K1 steady low", self.k1_steady_ug[0], "K1 steady high", self.k1_steady_ug[1])
        for name in (
            "k1_min_ug",
            "calcium_min_mg",
            "calcium_max_mg",
            "max_g_per_food_day",
            "max_g_per_food_week",
            "energy_min_kcal",
            "energy_max_kcal",
            "steady_k_range_ug",
        ):
            value = getattr(self, name)
            if value is not None:
                _finite(name, value, positive=name.startswith("max_g"))
        _finite("vka_mk7_max_ug", self.vka_mk7_max_ug, positive=True)
        if self.pattern not in DIET_PATTERNS:
            raise PlanError(
                f"Unknown diet pattern '{self.pattern}'. Use one of: {', '.join(DIET_PATTERNS)}."
            )
        unknown = sorted(set(self.exclude_groups) - set(food_groups()))
        if unknown:
            raise PlanError(
                f"Unknown food group(s) to exclude: {', '.join(unknown)}. "
                f"Use {', '.join(sorted(g for g in food_groups() if g != 'not_retail'))} "
                "or name foods."
            )
        _order("calcium_min_mg", self.calcium_min_mg, "calcium_max_mg", self.calcium_max_mg)
        _order("energy_min_kcal", self.energy_min_kcal, "energy_max_kcal", self.energy_max_kcal)
        if (
            self.max_g_per_food_day is not None
            and self.max_g_per_food_week is not None
            and self.max_g_per_food_week < self.max_g_per_food_day
        ):
            raise PlanError(
                f"max_g_per_food_week ({self.max_g_per_food_week:g} g) is below "
                f"max_g_per_food_day ({self.max_g_per_food_day:g} g): raise the weekly limit."
            )
        if self.max_days_per_food is not None:
            checks.whole(self.max_days_per_food, "max_days_per_food", error=PlanError)
        if self.max_days_per_food is not None and not 1 <= self.max_days_per_food <= self.days:
            raise PlanError(
                f"max_days_per_food must be between 1 and days ({self.days}), "
                f"not {self.max_days_per_food!r}."
            )
        if not isinstance(self.min_foods_per_day, int) or self.min_foods_per_day < 0:
            raise PlanError("min_foods_per_day must be a whole number ≥ 0.")
        for key, grams in self.current_g_per_day.items():
            _finite(f"current grams of {key}", grams)
        for key, price in self.prices_per_100g.items():
            _finite(f"price of {key}", price)
        if self.candidates not in ("portioned", "all"):
            raise PlanError("candidates must be 'portioned' or 'all'.")

    def _check_collections(self) -> None:
        """The collection fields have the right shape (names, mappings, parsed items)."""
        set_ = object.__setattr__
        for name in ("exclude_groups", "exclude_foods"):
            set_(self, name, frozenset(checks.texts(getattr(self, name), name, error=PlanError)))
        for name in ("current_g_per_day", "prices_per_100g"):
            checks.mapping(
                getattr(self, name), name, error=PlanError, what="a mapping food → number"
            )
        for name, cls in (
            ("supplements", Supplement),
            ("nutrient_bounds", NutrientBound),
            ("energy_shares", EnergyShare),
            ("group_servings", GroupServing),
        ):
            set_(self, name, checks.items(getattr(self, name), cls, name, error=PlanError))

    @property
    def whole_day(self) -> bool:
        """True when the plan is for whole days (nutrient bounds or energy shares given)."""
        return bool(self.nutrient_bounds or self.energy_shares)

    @property
    def anticoagulated(self) -> bool:
        """True in anticoagulated (vitamin K antagonist) mode."""
        return self.steady_k_range_ug is not None

    def supplement_per_day(self, nutrient: str) -> float:
        """Daily amount of ``nutrient`` (or 'K2'/'K') from the fixed supplements."""
        forms = {"K2": K2_VITAMERS, "K": VITAMERS}.get(nutrient, (nutrient,))
        return sum(s.amount for s in self.supplements if s.nutrient in forms)


def _finite(name: str, value: float, *, positive: bool = False) -> None:
    if not isinstance(value, int | float) or math.isnan(value) or math.isinf(value) or value < 0:
        raise PlanError(f"{name} must be a finite number ≥ 0, not {value!r}.", field=name)
    if positive and value <= 0:
        raise PlanError(f"{name} must be above zero, not {value!r}.", field=name)


def _order(lo_name: str, lo: float | None, hi_name: str, hi: float | None) -> None:
    if lo is not None and hi is not None and lo > hi:
        raise PlanError(
            f"Contradictory constraints: {lo_name} ({lo:g}) is above {hi_name} ({hi:g}). "
            "Lower the minimum or raise the maximum."
        )


@cache
def food_groups() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Food groups for exclusions: group -> (match, value, source_key) rows."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for row in read_data_csv("food_groups.csv"):
        out.setdefault(row["group"], []).append((row["match"], row["value"], row["source_key"]))
    return {g: tuple(rows) for g, rows in out.items()}


def groups_of(food: Food) -> frozenset[str]:
    """The groups (soy, fish, dairy, egg, natto, organ_meat, not_retail) ``food`` belongs to.

    A row matches by food key, k2lab category, a word of the name, or
    ``category_word`` ('grain:raw': a grain whose name has the word raw).
    """
    words = set(normalise(food.name).split())
    found = set()
    for group, rows in food_groups().items():
        for match, value, _ in rows:
            if (
                (match == "key" and food.key == value)
                or (match == "category" and food.category == value)
                or (match == "name_word" and value in words)
                or (match == "category_word" and _category_word(food, words, value))
            ):
                found.add(group)
                break
    return frozenset(found)


def split_exclusions(db: FoodDatabase, values: list[str]) -> tuple[set[str], set[str]]:
    """Exclusions as (food groups, food keys): each value is a group or a food name, and a
    value may hold several separated by commas. An unknown food is an
    :class:`~k2lab.errors.UnknownFoodError` with the closest names."""
    groups, foods = set(), set()
    for v in values:
        for part in (p.strip() for p in v.split(",")):
            if not part:
                continue
            if part.lower() in food_groups() and part.lower() != "not_retail":
                groups.add(part.lower())
            else:
                foods.add(db.resolve(part).key)
    return groups, foods


def _category_word(food: Food, words: set[str], value: str) -> bool:
    """``value`` 'grain:raw' matches a grain whose name has the word raw."""
    category, _, word = value.partition(":")
    return food.category == category and word in words


def constraints_for(
    person: Person,
    *,
    k1_authority: str = "EFSA",
    calcium_authority: str = "IOM (US/Canada)",
    **kwargs: object,
) -> PlanConstraints:
    """Constraints with the K1 and calcium bounds taken from ``person``'s reference intakes.

    K1: the chosen authority's value (EFSA's AI is for K1 alone; for authorities that
    give total vitamin K, that value is applied to K1, which is stricter). Calcium:
    RDA/AI as the minimum and the UL as the maximum. Explicit keyword arguments win.
    """
    refs = reference_intakes(person)
    k1 = [
        r.value
        for r in refs
        if r.authority.startswith(k1_authority)
        and r.nutrient in ("vitamin_k1", "vitamin_k_total", "vitamin_k_mk4_equivalent")
        and r.kind != "UL"
        and r.unit == "ug/day"
    ]
    if not k1:
        known = sorted({r.authority for r in refs if r.nutrient.startswith("vitamin_k")})
        raise PlanError(
            f"No K1 reference from '{k1_authority}' for this person. Use one of: {', '.join(known)}."
        )
    ca_min = [
        r.value
        for r in refs
        if r.authority == calcium_authority and r.nutrient == "calcium" and r.kind != "UL"
    ]
    ca_max = [
        r.value
        for r in refs
        if r.authority == calcium_authority and r.nutrient == "calcium" and r.kind == "UL"
    ]
    values: dict[str, object] = {
        "k1_min_ug": k1[0],
        "calcium_min_mg": ca_min[0] if ca_min else None,
        "calcium_max_mg": ca_max[0] if ca_max else None,
        "pattern": person.diet or "omnivore",
    }
    values.update(kwargs)
    return PlanConstraints(**values)  # type: ignore[arg-type]


__all__ = [
    "GENERIC_STEP_G",
    "MAX_DAYS",
    "TRACKED",
    "VKA",
    "WHOLE_DAY_REQUIRED",
    "EnergyShare",
    "GroupServing",
    "NutrientBound",
    "Objective",
    "PlanConstraints",
    "PlanError",
    "constraints_for",
    "food_groups",
    "groups_of",
    "split_exclusions",
]
