"""Covariates of virtual people: each one drawn from a stated distribution with a source.

A :class:`Covariate` is one field of :class:`~k2lab.person.Person` (``age``,
``egfr_ml_per_min``, ``sun`` ...) with a distribution: ``normal`` (truncated to
``low``..``high``), ``lognormal`` (``median`` and ``sd_log``), ``categorical`` (``levels``
with ``weights``) or ``fixed``. eGFR falls with age: its mean is
``mean + per_year_of_age * (age - 60)``, the one correlation the defaults carry.

:data:`DEFAULT_COVARIATES` are the priors of a population preset's people; every entry has a
``source_key`` in the shipped sources tables and a note saying where the numbers come from.

Example
-------
>>> import numpy as np
>>> c = Covariate("age", "normal", mean=60, sd=3, low=55, high=65)
>>> 55 <= c.draw(np.random.default_rng(1), {}) <= 65
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from k2lab.errors import ScenarioError
from k2lab.person import SEXES, SUN_LEVELS

__all__ = ["COVARIATE_FIELDS", "DEFAULT_COVARIATES", "DISTRIBUTIONS", "Covariate"]

DISTRIBUTIONS = ("normal", "lognormal", "categorical", "fixed")
#: Person fields a covariate may set, in draw order (eGFR after age: it depends on age).
COVARIATE_FIELDS = (
    "age",
    "sex",
    "menopause_age",
    "weight_kg",
    "egfr_ml_per_min",
    "sun",
    "calcium_food_mg_per_day",
    "vitamin_d_food_ug_per_day",
    "calcification_au",
)
_MAX_TRIES = 1000


@dataclass(frozen=True)
class Covariate:
    """One person field and the distribution it is drawn from (see the module docstring)."""

    field: str
    distribution: str
    mean: float = 0.0
    sd: float = 0.0
    low: float = -math.inf
    high: float = math.inf
    median: float = 1.0
    sd_log: float = 0.0
    levels: tuple[Any, ...] = ()
    weights: tuple[float, ...] = ()
    value: Any = None
    per_year_of_age: float = 0.0
    zero_fraction: float = 0.0
    source_key: str = "k2lab_prior"
    note: str = ""

    def __post_init__(self) -> None:
        where = f"population.covariates.{self.field}"
        if self.field not in COVARIATE_FIELDS:
            raise ScenarioError(
                f"Unknown covariate '{self.field}'; use one of {', '.join(COVARIATE_FIELDS)}.",
                field="population.covariates",
            )
        if self.distribution not in DISTRIBUTIONS:
            raise ScenarioError(
                f"{where}: distribution must be one of {', '.join(DISTRIBUTIONS)}, "
                f"not {self.distribution!r}.",
                field=where,
            )
        if self.sd < 0 or self.sd_log < 0:
            raise ScenarioError(f"{where}: sd and sd_log must be ≥ 0.", field=where)
        if self.low > self.high:
            raise ScenarioError(f"{where}: low must not exceed high.", field=where)
        if not 0.0 <= self.zero_fraction < 1.0:
            raise ScenarioError(f"{where}: zero_fraction must lie in [0, 1).", field=where)
        if self.distribution == "categorical":
            if not self.levels or len(self.levels) != len(self.weights):
                raise ScenarioError(
                    f"{where}: a categorical covariate needs levels and as many weights.",
                    field=where,
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ScenarioError(f"{where}: weights must be ≥ 0 and not all 0.", field=where)
            if self.field == "sex" and not set(self.levels) <= set(SEXES):
                raise ScenarioError(f"{where}: sex levels are {', '.join(SEXES)}.", field=where)
            if self.field == "sun" and not set(self.levels) <= set(SUN_LEVELS):
                raise ScenarioError(
                    f"{where}: sun levels are {', '.join(SUN_LEVELS)}.", field=where
                )
        if self.distribution == "lognormal" and self.median <= 0:
            raise ScenarioError(f"{where}: a lognormal median must be > 0.", field=where)

    def draw(self, rng: np.random.Generator, drawn: Mapping[str, Any]) -> Any:
        """One value; ``drawn`` holds the fields drawn before (eGFR reads the age)."""
        if self.distribution == "fixed":
            return self.value
        if self.distribution == "categorical":
            w = np.asarray(self.weights, dtype=float)
            return self.levels[int(rng.choice(len(w), p=w / w.sum()))]
        if self.zero_fraction and rng.random() < self.zero_fraction:
            return 0.0
        mean = self.mean + self.per_year_of_age * (float(drawn.get("age", 60.0)) - 60.0)
        for _ in range(_MAX_TRIES):
            if self.distribution == "normal":
                x = float(rng.normal(mean, self.sd))
            else:
                x = float(self.median * math.exp(rng.normal(0.0, self.sd_log)))
            if self.low <= x <= self.high:
                return x
        raise ScenarioError(
            f"population.covariates.{self.field}: almost no draws fall in "
            f"{self.low:g}-{self.high:g}; widen the range or move the mean.",
            field=f"population.covariates.{self.field}",
        )

    @classmethod
    def from_dict(cls, name: str, d: Mapping[str, Any]) -> Covariate:
        """From a TOML table (``[population.covariates.age]``); unknown keys are errors."""
        known = set(cls.__dataclass_fields__) - {"field"}
        unknown = set(d) - known
        where = f"population.covariates.{name}"
        if unknown:
            raise ScenarioError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(known))}.",
                field=where,
            )
        kwargs = dict(d)
        for key in ("levels", "weights"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        try:
            return cls(field=name, **kwargs)
        except TypeError as exc:
            raise ScenarioError(f"{where}: {exc}", field=where) from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (infinite bounds as ``None``)."""
        out: dict[str, Any] = {"field": self.field, "distribution": self.distribution}
        for k in self.__dataclass_fields__:
            v = getattr(self, k)
            if k not in out:
                out[k] = None if isinstance(v, float) and math.isinf(v) else v
        return out


#: Priors for the people of a preset (women past menopause unless the preset says
#: otherwise). The numbers are k2lab priors for Western adults aged 55-65 unless a source
#: is named; they change baseline characteristics and eligibility, and through age, sex
#: and menopause the bone-loss rate and the vitamin K population.
DEFAULT_COVARIATES: dict[str, Covariate] = {
    c.field: c
    for c in (
        Covariate(
            "age",
            "normal",
            mean=60.0,
            sd=5.0,
            low=18.0,
            high=110.0,
            note="Prior: the 55-65 y women of Knapen 2013 and Cheung 2008 (mean age 59).",
        ),
        Covariate(
            "menopause_age",
            "normal",
            mean=51.0,
            sd=3.5,
            low=40.0,
            high=58.0,
            note="Prior: median 51 in Western cohorts (k2lab.person.DEFAULT_MENOPAUSE_AGE), "
            "clipped to the person's age.",
        ),
        Covariate(
            "weight_kg",
            "normal",
            mean=72.0,
            sd=12.0,
            low=40.0,
            high=160.0,
            note="Prior; used by no physiology layer (baseline table only).",
        ),
        Covariate(
            "egfr_ml_per_min",
            "normal",
            mean=85.0,
            sd=15.0,
            low=15.0,
            high=150.0,
            per_year_of_age=-0.9,
            source_key="kdigo2012",
            note="Prior: about 1 mL/min/1.73 m² lower per year of age past 40; categories "
            "after KDIGO 2012.",
        ),
        Covariate(
            "sun",
            "categorical",
            levels=("none", "low", "moderate", "high"),
            weights=(0.1, 0.5, 0.3, 0.1),
            note="Prior: most Northern European adults get little sun.",
        ),
        Covariate(
            "calcium_food_mg_per_day",
            "lognormal",
            median=900.0,
            sd_log=0.35,
            low=150.0,
            high=3000.0,
            note="Prior: a Western diet gives 700-1,200 mg/day.",
        ),
        Covariate(
            "vitamin_d_food_ug_per_day",
            "lognormal",
            median=4.0,
            sd_log=0.5,
            low=0.5,
            high=50.0,
            note="Prior: typical food vitamin D 2-10 ug/day.",
        ),
        Covariate(
            "calcification_au",
            "lognormal",
            median=60.0,
            sd_log=1.3,
            low=0.0,
            high=5000.0,
            zero_fraction=0.5,
            source_key="shea2009",
            note="Prior: about half of adults 60-80 y have no coronary calcium; the rest a "
            "skewed score (Shea 2009 baseline medians of tens to hundreds AU).",
        ),
    )
}
