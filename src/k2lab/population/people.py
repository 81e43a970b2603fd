"""Virtual people: covariates drawn, eligibility checked, one random stream per person.

Person ``i`` of arm ``a`` in replicate ``r`` of a trial with seed ``s`` draws everything it
needs (covariates, BSV deviates, dropout time, measurement error) from
``numpy.random.default_rng([s, r, a, i])``, so a person is the same whichever chunk,
process or machine simulates them. A draw that fails the inclusion criteria is drawn again
from the same stream.

Example
-------
>>> pop = PopulationSpec(preset="postmenopausal", inclusion={"age": (55.0, 65.0)})
>>> p = draw_person(pop, np.random.default_rng([1, 0, 0, 7]))
>>> p.sex, 55 <= p.age <= 65, p.postmenopausal
('female', True, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from k2lab.errors import ScenarioError
from k2lab.person import PRESETS, Person
from k2lab.population.covariates import COVARIATE_FIELDS, DEFAULT_COVARIATES, Covariate

__all__ = ["CRITERIA", "PopulationSpec", "draw_person", "person_rng"]

#: What inclusion criteria may test: person fields and properties.
CRITERIA = (*COVARIATE_FIELDS, "postmenopausal", "dialysis", "kidney_stage")
_MAX_TRIES = 10_000


def person_rng(seed: int, replicate: int, arm: int, index: int) -> np.random.Generator:
    """The one random stream of a virtual person (see the module docstring)."""
    return np.random.default_rng([seed, replicate, arm, index])


@dataclass(frozen=True)
class PopulationSpec:
    """Who is recruited.

    preset : a :data:`~k2lab.person.PRESETS` name; its fixed fields (sex, dialysis ...)
        hold unless a covariate draws them.
    covariates : distributions replacing entries of
        :data:`~k2lab.population.covariates.DEFAULT_COVARIATES` by field.
    inclusion : field or property -> ``(low, high)`` (numbers, inclusive) or a tuple of
        allowed values (``sex``, ``sun``, ``kidney_stage``, booleans).
    """

    preset: str = "postmenopausal"
    covariates: Mapping[str, Covariate] = field(default_factory=dict)
    inclusion: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        key = self.preset.strip().lower()
        if key not in PRESETS:
            raise ScenarioError(
                f"population.preset '{self.preset}' is unknown; use one of {', '.join(PRESETS)}.",
                field="population.preset",
            )
        for name, rule in self.inclusion.items():
            where = f"population.inclusion.{name}"
            if name not in CRITERIA:
                raise ScenarioError(
                    f"{where}: cannot filter on '{name}'; use one of {', '.join(CRITERIA)}.",
                    field=where,
                )
            if not isinstance(rule, tuple) or not rule:
                raise ScenarioError(
                    f"{where}: give [low, high] or a list of allowed values.", field=where
                )

    @property
    def distributions(self) -> list[Covariate]:
        """The covariates drawn, in draw order (the preset's fixed fields are not drawn)."""
        fixed = PRESETS[self.preset.strip().lower()]
        merged = {
            k: v
            for k, v in DEFAULT_COVARIATES.items()
            if k not in fixed or k in ("age", "menopause_age")
        }
        if fixed.get("dialysis"):
            merged.pop("egfr_ml_per_min", None)
        merged.update(self.covariates)
        return [merged[f] for f in COVARIATE_FIELDS if f in merged]

    def eligible(self, person: Person) -> bool:
        """Whether ``person`` meets every inclusion criterion."""
        for name, rule in self.inclusion.items():
            value = getattr(person, name)
            numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in rule)
            if numeric and len(rule) == 2 and not isinstance(value, bool | str):
                if value is None or not rule[0] <= value <= rule[1]:
                    return False
            elif value not in rule:
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the preset, every distribution drawn and the criteria."""
        return {
            "preset": self.preset,
            "covariates": [c.to_dict() for c in self.distributions],
            "inclusion": {k: list(v) for k, v in self.inclusion.items()},
        }


def _candidate(spec: PopulationSpec, rng: np.random.Generator) -> Person | None:
    drawn: dict[str, Any] = {}
    for c in spec.distributions:
        drawn[c.field] = c.draw(rng, drawn)
    preset = PRESETS[spec.preset.strip().lower()]
    sex = drawn.get("sex", preset.get("sex", "female"))
    menopause = drawn.get("menopause_age")
    if sex != "female" or (menopause is not None and menopause > drawn.get("age", math.inf)):
        drawn["menopause_age"] = None
    try:
        return Person(**{**preset, **drawn, "menopause_age": drawn.get("menopause_age")})
    except ScenarioError:
        return None


def draw_person(spec: PopulationSpec, rng: np.random.Generator) -> Person:
    """One eligible person from ``rng`` (drawn again until the criteria hold). A woman whose
    drawn menopause age is above her age is premenopausal; add ``postmenopausal = [true]``
    to the criteria to recruit only women past menopause.

    Raises
    ------
    ScenarioError
        When almost no draw is eligible (the criteria contradict the distributions).
    """
    for _ in range(_MAX_TRIES):
        person = _candidate(spec, rng)
        if person is not None and spec.eligible(person):
            return person
    raise ScenarioError(
        f"Almost no virtual person meets the inclusion criteria "
        f"({', '.join(spec.inclusion) or 'none'}) or is a valid person (e.g. dialysis with an "
        "eGFR); widen the criteria or change the covariates.",
        field="population.inclusion",
    )
