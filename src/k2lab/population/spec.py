"""A virtual trial described in TOML: :class:`TrialSpec` and :func:`load_spec`.

Every field is checked when the spec is read; an error names the field (``arms[1].n``)
and says what to write. A spec looks like ``examples/trials/dp_ucmgp_12_weeks.toml``::

    [trial]
    name = "dp-ucMGP after 12 weeks of MK-7"
    seed = 2026
    visits_weeks = [0, 4, 12]
    dropout_percent_per_year = 10

    [population]
    preset = "postmenopausal"
    inclusion = { age = [55, 65] }

    [[arms]]
    name = "placebo"
    n = 30
    regimens = []

    [[arms]]
    name = "MK-7 180"
    n = 30
    regimens = ["MK-7 180 ug daily"]

    [[endpoints]]
    name = "dp_ucMGP_pmol_per_L"
    change = "percent"

    [analysis]
    control = "placebo"
    method = "change"   # or "ancova" (adjusted for baseline)

Example
-------
>>> spec = spec_from_dict({"trial": {"visits_weeks": [0, 12]},
...     "arms": [{"name": "placebo", "n": 5}, {"name": "K2", "n": 5,
...              "regimens": ["MK-7 180 ug daily"]}],
...     "endpoints": [{"name": "dp_ucMGP_pmol_per_L"}]})
>>> spec.visit_days, spec.control.name, spec.endpoints[0].visit_week
((0, 84), 'placebo', 12.0)
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from k2lab import checks
from k2lab.errors import K2LabError, ScenarioError
from k2lab.population.analysis import METHODS
from k2lab.population.covariates import Covariate
from k2lab.population.endpoints import CORE_ENDPOINTS, TRIAL_ENDPOINTS
from k2lab.population.people import PopulationSpec
from k2lab.regimen import Regimen, parse_regimen

__all__ = [
    "CHANGES",
    "SUBSTANCES",
    "Arm",
    "EndpointSpec",
    "TrialSpec",
    "load_spec",
    "spec_from_dict",
]

#: Substances besides vitamin K that an arm may give (they run the calcium core).
SUBSTANCES = ("calcium", "vitamin_d")
#: How an endpoint is analysed: visit minus baseline, or that as a percent of baseline.
CHANGES = ("absolute", "percent")
_MAX_N = 100_000


@dataclass(frozen=True)
class Arm:
    """One arm: a name, its regimens (vitamin K, calcium, vitamin D; none: placebo) and
    its size."""

    name: str
    n: int
    regimens: tuple[Regimen, ...] = ()

    @property
    def calcium_or_vitamin_d(self) -> bool:
        """Whether the arm gives calcium or vitamin D (its people run the calcium core)."""
        return any(r.substance in SUBSTANCES for r in self.regimens)


@dataclass(frozen=True)
class EndpointSpec:
    """An endpoint, how its change from baseline is taken, and at which visit (weeks)."""

    name: str
    change: str
    visit_week: float


@dataclass(frozen=True)
class TrialSpec:
    """A validated virtual trial (see the module docstring for the TOML)."""

    name: str
    arms: tuple[Arm, ...]
    endpoints: tuple[EndpointSpec, ...]
    visits_weeks: tuple[float, ...]
    population: PopulationSpec = field(default_factory=PopulationSpec)
    seed: int = 2026
    dropout_percent_per_year: float = 0.0
    control_arm: str = ""
    alpha: float = 0.05
    method: str = "change"

    @property
    def visit_days(self) -> tuple[int, ...]:
        """The visits in whole days from the first dose."""
        return tuple(round(w * 7) for w in self.visits_weeks)

    @property
    def control(self) -> Arm:
        """The arm every other arm is compared with."""
        return next(a for a in self.arms if a.name == self.control_arm)

    @property
    def years(self) -> float:
        """Duration (the last visit) in years of 365.25 days."""
        return self.visits_weeks[-1] * 7 / 365.25

    def runs_core(self, arm: int) -> bool:
        """Whether people of arm ``arm`` (index) run the calcium core: the arm gives calcium
        or vitamin D, or the trial measures an endpoint only the core has."""
        return self.arms[arm].calcium_or_vitamin_d or any(
            e.name in CORE_ENDPOINTS for e in self.endpoints
        )

    def with_n(self, n: int) -> TrialSpec:
        """The same trial with ``n`` people in every arm."""
        return replace(self, arms=tuple(replace(a, n=_count(n, "n")) for a in self.arms))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "name": self.name,
            "seed": self.seed,
            "visits_weeks": list(self.visits_weeks),
            "dropout_percent_per_year": self.dropout_percent_per_year,
            "population": self.population.to_dict(),
            "arms": [
                {"name": a.name, "n": a.n, "regimens": [r.text for r in a.regimens]}
                for a in self.arms
            ],
            "endpoints": [
                {"name": e.name, "change": e.change, "visit_week": e.visit_week}
                for e in self.endpoints
            ],
            "analysis": {"control": self.control_arm, "alpha": self.alpha, "method": self.method},
        }


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}", field=where)


def _table(d: Mapping[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
    t = d.get(key, {})
    if not isinstance(t, dict):
        raise _fail(key, "must be a table.")
    unknown = set(t) - allowed
    if unknown:
        raise _fail(
            key, f"unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(allowed))}."
        )
    return t


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= _MAX_N:
        raise _fail(where, f"must be a whole number from 2 to {_MAX_N:,}, not {value!r}.")
    return value


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, f"must be a number, not {value!r}.")
    if not low <= value <= high:
        raise _fail(where, f"{value:g} is outside {low:g}-{high:g}.")
    return float(value)


def _arm(i: int, d: Any) -> Arm:
    where = f"arms[{i}]"
    if not isinstance(d, dict):
        raise _fail(where, "each [[arms]] entry is a table with name, n and regimens.")
    unknown = set(d) - {"name", "n", "regimens"}
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}; use name, n, regimens.")
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(f"{where}.name", 'give each arm a name, e.g. "placebo".')
    texts = d.get("regimens", [])
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise _fail(f"{where}.regimens", 'a list of regimens, e.g. ["MK-7 180 ug daily"].')
    regimens = []
    for j, text in enumerate(texts):
        try:
            r = parse_regimen(text)
        except K2LabError as exc:
            raise _fail(f"{where}.regimens[{j}]", exc.message) from None
        if r.substance not in SUBSTANCES and not r.is_vitamin_k:
            raise _fail(
                f"{where}.regimens[{j}]",
                f"'{text}' is not simulated in trials; arms may give vitamin K, calcium and "
                "vitamin D (e.g. 'calcium 500 mg twice daily', 'D3 800 IU daily').",
            )
        regimens.append(r)
    return Arm(name.strip(), _count(d.get("n"), f"{where}.n"), tuple(regimens))


def _population(d: Mapping[str, Any]) -> PopulationSpec:
    t = _table(d, "population", {"preset", "covariates", "inclusion"})
    covs = t.get("covariates", {})
    if not isinstance(covs, dict) or not all(isinstance(v, dict) for v in covs.values()):
        raise _fail(
            "population.covariates", "one table per covariate, e.g. [population.covariates.age]."
        )
    inclusion = t.get("inclusion", {})
    if not isinstance(inclusion, dict):
        raise _fail("population.inclusion", "a table such as { age = [55, 65] }.")
    rules: dict[str, tuple[Any, ...]] = {}
    for k, v in inclusion.items():
        rules[k] = tuple(v) if isinstance(v, list) else (v,)
    return PopulationSpec(
        preset=str(t.get("preset", "postmenopausal")),
        covariates={k: Covariate.from_dict(k, v) for k, v in covs.items()},
        inclusion=rules,
    )


def _endpoint(i: int, d: Any, last_week: float, weeks: tuple[float, ...]) -> EndpointSpec:
    where = f"endpoints[{i}]"
    if not isinstance(d, dict) or set(d) - {"name", "change", "visit_week"}:
        raise _fail(where, "each [[endpoints]] entry has name, change and visit_week.")
    name = d.get("name")
    if name not in TRIAL_ENDPOINTS:
        raise _fail(
            f"{where}.name",
            f"{name!r} is not an endpoint; use one of {', '.join(TRIAL_ENDPOINTS)}.",
        )
    default = "absolute" if str(name).endswith(("_change_percent", "_AU")) else "percent"
    change = d.get("change", default)
    if change not in CHANGES:
        raise _fail(f"{where}.change", f"use {' or '.join(CHANGES)}, not {change!r}.")
    if change == "percent" and str(name).endswith("_change_percent"):
        raise _fail(f"{where}.change", f'{name} is already a percent change; use "absolute".')
    week = _number(d.get("visit_week", last_week), f"{where}.visit_week", 0, 2610)
    if week not in weeks or week == weeks[0]:
        raise _fail(
            f"{where}.visit_week",
            f"{week:g} is not a follow-up visit ({', '.join(f'{w:g}' for w in weeks[1:])}).",
        )
    return EndpointSpec(str(name), str(change), week)


def spec_from_dict(d: Mapping[str, Any]) -> TrialSpec:
    """A :class:`TrialSpec` from parsed TOML (see the module docstring).

    Raises
    ------
    ScenarioError
        Naming the first bad field.
    """
    checks.mapping(d, "spec", error=ScenarioError, what="a mapping (parsed TOML)")
    unknown = set(d) - {"trial", "population", "arms", "endpoints", "analysis"}
    if unknown:
        raise _fail(
            ", ".join(sorted(unknown)),
            "unknown table; use trial, population, arms, endpoints, analysis.",
        )
    trial = _table(d, "trial", {"name", "seed", "visits_weeks", "dropout_percent_per_year"})
    visits = trial.get("visits_weeks")
    if not isinstance(visits, list) or len(visits) < 2:
        raise _fail(
            "trial.visits_weeks", "give the visits in weeks, baseline first, e.g. [0, 4, 12]."
        )
    weeks = tuple(_number(w, f"trial.visits_weeks[{i}]", 0, 2610) for i, w in enumerate(visits))
    if weeks[0] != 0 or any(b <= a for a, b in itertools.pairwise(weeks)):
        raise _fail("trial.visits_weeks", "must start at 0 (baseline) and increase.")
    seed = trial.get("seed", 2026)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _fail("trial.seed", f"must be a whole number ≥ 0, not {seed!r}.")
    arms_in = d.get("arms")
    if not isinstance(arms_in, list) or len(arms_in) < 2:
        raise _fail("arms", "a trial needs at least two [[arms]] (e.g. placebo and MK-7).")
    arms = tuple(_arm(i, a) for i, a in enumerate(arms_in))
    if len({a.name for a in arms}) != len(arms):
        raise _fail("arms", "arm names must differ.")
    ends_in = d.get("endpoints")
    if not isinstance(ends_in, list) or not ends_in:
        raise _fail("endpoints", "give at least one [[endpoints]] entry.")
    endpoints = tuple(_endpoint(i, e, weeks[-1], weeks) for i, e in enumerate(ends_in))
    analysis = _table(d, "analysis", {"control", "alpha", "method"})
    method = analysis.get("method", "change")
    if method not in METHODS:
        raise _fail("analysis.method", f"use {' or '.join(METHODS)}, not {method!r}.")
    control = analysis.get("control", arms[0].name)
    if control not in {a.name for a in arms}:
        raise _fail(
            "analysis.control", f"{control!r} is not an arm ({', '.join(a.name for a in arms)})."
        )
    return TrialSpec(
        name=str(trial.get("name", "virtual trial")),
        arms=arms,
        endpoints=endpoints,
        visits_weeks=weeks,
        population=_population(d),
        seed=seed,
        dropout_percent_per_year=_number(
            trial.get("dropout_percent_per_year", 0.0), "trial.dropout_percent_per_year", 0, 90
        ),
        control_arm=str(control),
        alpha=_number(analysis.get("alpha", 0.05), "analysis.alpha", 1e-6, 0.5),
        method=str(method),
    )


def load_spec(path: str | Path) -> TrialSpec:
    """Read and validate a trial spec file.

    Raises
    ------
    ScenarioError
        An unreadable file, bad TOML (with its line) or a bad field (named).
    """
    p = checks.path(path, "path", error=ScenarioError)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            f"Cannot read the trial spec {p}: {exc.strerror}.", field="spec"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p} is not valid TOML: {exc}.", field="spec") from None
    return spec_from_dict(data)
