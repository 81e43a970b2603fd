"""One description of a question: a :class:`Scenario` (person, diet, supplements,
medications, horizon) that :func:`k2lab.simulation` answers.

Frozen and validated on construction (the bad field is named), picklable for worker
processes, and the same for the CLI, the web app, the store and virtual trials.

Example
-------
>>> s = Scenario(
...     Person.preset("postmenopausal"),
...     supplements=("MK-7 180 ug daily", "D3 25 ug daily"),
...     horizon=Horizon.weeks(104),
... )
>>> [r.substance for r in s.supplements], s.horizon.days
(['MK-7', 'vitamin_d'], 728.0)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from k2lab import checks
from k2lab.errors import ScenarioError
from k2lab.intake.diet import Diet
from k2lab.person import Person
from k2lab.regimen import MAX_DAYS, Regimen, parse_regimen
from k2lab.vocab import MEDICATIONS, VKAS, DrugClass, normalise_medication

__all__ = ["Horizon", "Scenario"]

_HOURS_PER = {"h": 1.0, "d": 24.0, "w": 168.0, "m": 730.5, "y": 8766.0}
#: Medications a simulation cannot represent, with the reason it says.
_NOT_SIMULATED = {
    "phenprocoumon": (
        "INR under phenprocoumon is not parameterised (its half-life, about 6 days, is far "
        "longer than warfarin's); simulate warfarin for a qualitative picture."
    ),
    "teriparatide": (
        "teriparatide is simulated by the calcium core only (k2lab.calcium.CalciumScenario); "
        "its bone response in the whole system has not been checked against trials."
    ),
}


@dataclass(frozen=True)
class Horizon:
    """How long to simulate (1 hour to 50 years).

    >>> Horizon.parse("12 weeks").hours, Horizon.years(2).days
    (2016.0, 730.5)
    """

    hours: float = 12 * 168.0

    def __post_init__(self) -> None:
        h = self.hours
        if isinstance(h, bool) or not isinstance(h, int | float) or not math.isfinite(h):
            raise ScenarioError(
                f"The horizon must be a number of hours, not {h!r}.", field="horizon"
            )
        if not 1.0 <= h <= MAX_DAYS * 24.0:
            raise ScenarioError(
                f"The horizon must be between 1 hour and {MAX_DAYS // 365} years, not {h:g} h "
                "(e.g. --hours 72, --weeks 12 or --years 10).",
                field="horizon",
            )
        object.__setattr__(self, "hours", float(h))

    @classmethod
    def weeks(cls, n: float) -> Horizon:
        """``n`` weeks."""
        return cls(_times(n, 168.0))

    @classmethod
    def years(cls, n: float) -> Horizon:
        """``n`` years of 365.25 days."""
        return cls(_times(n, 8766.0))

    @classmethod
    def parse(cls, text: str) -> Horizon:
        """``"72 h"``, ``"12 weeks"``, ``"10 years"``, ``"90 days"``."""
        checks.text(text, "horizon", error=ScenarioError, example="'12 weeks'")
        m = re.fullmatch(
            r"\s*([0-9.eE+-]+)\s*(h|hours?|d|days?|w|weeks?|m|months?|y|years?)\s*", text
        )
        if not m:
            raise ScenarioError(
                f"Cannot read the horizon '{text}'; write e.g. '72 hours', '12 weeks', '10 years'.",
                field="horizon",
            )
        return cls(_times(float(m.group(1)), _HOURS_PER[m.group(2)[0]]))

    @property
    def days(self) -> float:
        """The horizon in days."""
        return self.hours / 24.0

    def __str__(self) -> str:
        if self.hours >= 8766 - 24:
            return f"{self.hours / 8766:.3g} years"
        if self.hours > 240:
            return f"{self.hours / 168:.3g} weeks"
        return f"{self.hours:.3g} hours"


def _times(n: float, unit_h: float) -> float:
    if isinstance(n, bool) or not isinstance(n, int | float) or not math.isfinite(n):
        raise ScenarioError(f"The horizon must be a number, not {n!r}.", field="horizon")
    return float(n) * unit_h


def _regimens(supplements: object) -> tuple[Regimen, ...]:
    """Supplements (one or a list of regimen texts or :class:`Regimen`), parsed."""
    if isinstance(supplements, str | Regimen):
        supplements = (supplements,)
    if not isinstance(supplements, Iterable) or isinstance(supplements, Mapping | bytes):
        raise ScenarioError(
            "supplements must be a list of regimens such as 'MK-7 180 ug daily', not "
            f"{supplements!r:.40}.",
            field="supplements",
        )
    parsed = []
    for s in supplements:
        if isinstance(s, Regimen):
            parsed.append(s)
        elif isinstance(s, str):
            parsed.append(parse_regimen(s))
        else:
            raise ScenarioError(
                f"A supplement is a regimen text like 'MK-7 180 ug daily', not {s!r:.40}.",
                field="supplements",
            )
    return tuple(parsed)


@dataclass(frozen=True)
class Scenario:
    """A person, what they eat and take, and for how long.

    Parameters
    ----------
    person : who (populations are presets: ``Person.preset("hemodialysis")``).
    diet : a diet or diary (:func:`k2lab.load_diet`): its foods are vitamin K doses, its
        mean calcium and vitamin D the habitual intake, its supplements are taken.
        Its own ``person`` is not used: give the person here.
    supplements : regimens (text as in :mod:`k2lab.regimen` or parsed) added to the diet.
    medications : names (generic or brand); one vitamin K antagonist at most.
    horizon : how long.
    label : a name for tables and legends (default: the supplements).
    """

    person: Person = field(default_factory=Person)
    diet: Diet | None = None
    supplements: tuple[Regimen | str, ...] = ()
    medications: tuple[str, ...] = ()
    horizon: Horizon = field(default_factory=Horizon)
    label: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.person, Person):
            raise ScenarioError("person must be a k2lab.Person.", field="person")
        if self.diet is not None and not isinstance(self.diet, Diet):
            raise ScenarioError("diet must be a k2lab diet (k2lab.load_diet).", field="diet")
        if not isinstance(self.horizon, Horizon):
            raise ScenarioError("horizon must be a k2lab.Horizon.", field="horizon")
        object.__setattr__(self, "supplements", _regimens(self.supplements))
        meds = checks.texts(
            self.medications, "medications", error=ScenarioError, example="'warfarin'"
        )
        names = tuple(dict.fromkeys(normalise_medication(m) for m in meds))
        for m in names:
            if m in _NOT_SIMULATED:
                raise ScenarioError(
                    f"Cannot simulate {m}: {_NOT_SIMULATED[m]}", field="medications"
                )
        if sum(m in VKAS for m in names) > 1:
            raise ScenarioError(
                "More than one vitamin K antagonist; give the one that is taken.",
                field="medications",
            )
        object.__setattr__(self, "medications", names)
        checks.text(self.label, "label", error=ScenarioError)
        if not self.label:
            object.__setattr__(self, "label", self.describe())

    @property
    def regimens(self) -> tuple[Regimen, ...]:
        """The supplements, parsed (construction has parsed every text)."""
        return tuple(r for r in self.supplements if isinstance(r, Regimen))

    @property
    def anticoagulant(self) -> str | None:
        """The vitamin K antagonist or DOAC taken, if any (the one the INR layer sees)."""
        for cls in (DrugClass.VKA, DrugClass.DOAC):
            for m in self.medications:
                if MEDICATIONS[m] is cls:
                    return m
        return None

    def describe(self) -> str:
        """A short human description: the supplements (the diet's first), or "no
        supplements"."""
        diet = (
            self.diet.days[0].supplements if self.diet is not None and self.diet.typical_day else ()
        )
        parts = [*(s.text for s in diet), *(r.text for r in self.regimens)]
        return " + ".join(parts) if parts else "no supplements"

    def adding(self, supplements: Sequence[str | Regimen], label: str = "") -> Scenario:
        """The same scenario with ``supplements`` taken too (for comparisons)."""
        extra = _regimens(supplements)
        merged = (*self.regimens, *extra)
        return replace(self, supplements=merged, label=label)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (the diet as its source and food entries)."""
        diet = None
        if self.diet is not None:
            diet = {
                "source": self.diet.source,
                "typical_day": self.diet.typical_day,
                "days": [
                    {
                        "label": d.label,
                        "foods": [
                            {"food_key": e.food.key, "amount": e.amount, "grams": e.grams.grams}
                            for e in d.foods
                        ],
                        "supplements": [s.text for s in d.supplements],
                    }
                    for d in self.diet.days
                ],
            }
        return {
            "label": self.label,
            "person": {k: getattr(self.person, k) for k in self.person.__dataclass_fields__},
            "diet": diet,
            "supplements": [r.text for r in self.regimens],
            "medications": list(self.medications),
            "horizon_h": self.horizon.hours,
        }
