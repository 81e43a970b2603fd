"""What the advice rules read: the intake figures, the rule data, reference values and
the food that closes a gap (helpers of :mod:`k2lab.advice.rules`).

Example
-------
>>> threshold("vka_mk7_supplement")
10.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from k2lab.advice.evidence import rule_data
from k2lab.advice.items import Advice, Severity
from k2lab.advice.profile import Profile
from k2lab.advice.suggest import GapFood, foods_to_close
from k2lab.foods.database import Food
from k2lab.intake.compute import IntakeResult
from k2lab.intake.cover import Target
from k2lab.intake.reference import reference_intakes
from k2lab.plan.model import groups_of

__all__ = [
    "Facts",
    "closing_food",
    "facts",
    "k1_reference",
    "make_advice",
    "threshold",
    "upper_limit",
]


@dataclass(frozen=True)
class Facts:
    """The intake figures the rules read (means per day)."""

    k1: float
    k2: float
    target_form_intake: float
    calcium: float
    vitamin_d: float
    supp: dict[str, float]
    natto_g: float
    natto_mk7: float
    k1_day_low: float
    k1_day_high: float
    n_days: int


def facts(profile: Profile, intake: IntakeResult) -> Facts:
    """The figures of ``intake`` the rules read, for ``profile``'s K2 target form."""
    natto_g = 0.0
    natto_mk7 = 0.0
    n_days = max(1, len(intake.diet.days))
    for day in intake.diet.days:
        for e in day.foods:
            if "natto" in groups_of(e.food):
                natto_g += e.grams.grams / n_days
                natto_mk7 += e.grams.grams * e.food.per_100g("MK-7") / 100 / n_days
    k1_days = np.asarray(intake.per_day["K1"][:, 0], dtype=float)
    form = profile.k2_target_form
    return Facts(
        k1=intake.mean["K1"].typical,
        k2=intake.mean["K2"].typical,
        target_form_intake=intake.mean[form].typical,
        calcium=intake.mean["calcium"].typical,
        vitamin_d=intake.mean["vitamin_d"].typical,
        supp=dict(intake.supplements),
        natto_g=natto_g,
        natto_mk7=natto_mk7,
        k1_day_low=float(k1_days.min()) if len(k1_days) else 0.0,
        k1_day_high=float(k1_days.max()) if len(k1_days) else 0.0,
        n_days=len(intake.diet.days),
    )


def make_advice(
    rule_id: str, numbers: dict[str, float], *, extra_sources: tuple[str, ...] = (), **fmt: Any
) -> Advice:
    """The advice of rule ``rule_id``: its message template filled with ``fmt``."""
    data = rule_data()[rule_id]
    return Advice(
        rule_id,
        Severity[data.severity.upper()],
        data.message.format(**fmt),
        {k: round(float(v), 2) for k, v in numbers.items()},
        data.evidence_grade,
        tuple(dict.fromkeys((*data.source_keys, *extra_sources))),
        data.claims,
    )


def threshold(rule_id: str) -> float:
    """The threshold of rule ``rule_id`` (in its ``threshold_unit``)."""
    value = rule_data()[rule_id].threshold
    if value is None:  # pragma: no cover - shipped data
        raise ValueError(f"rule {rule_id} has no threshold")
    return value


def upper_limit(profile: Profile, nutrient: str) -> tuple[float, str, str] | None:
    """The lowest UL of ``nutrient`` for the person: value, authority and year, source."""
    uls = [
        r for r in reference_intakes(profile.person) if r.nutrient == nutrient and r.kind == "UL"
    ]
    if not uls:
        return None
    ul = min(uls, key=lambda r: r.value)
    return ul.value, f"{ul.authority} {ul.year}", ul.source_key


def k1_reference(profile: Profile) -> tuple[float, str] | None:
    """The K1 (or total K) reference of the profile's authority: µg/day, authority year."""
    for r in reference_intakes(profile.person):
        if (
            r.authority.startswith(profile.k1_authority)
            and r.nutrient in ("vitamin_k1", "vitamin_k_total", "vitamin_k_mk4_equivalent")
            and r.kind != "UL"
            and r.unit == "ug/day"
        ):
            return r.value, f"{r.authority} {r.year}"
    return None


def closing_food(gap: Target, foods: Sequence[Food], profile: Profile) -> GapFood | None:
    """The food that closes ``gap`` in the fewest grams, allowed by diet and allergy."""
    found = foods_to_close(
        gap, foods, diet=profile.person.diet, soy_allergy=profile.soy_allergy, limit=1
    )
    return found[0] if found else None
