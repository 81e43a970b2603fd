"""``simulate(scenario) -> Trajectory``: one entry point for every horizon.

The horizon picks the resolution (:attr:`SimulationOptions.resolution` can force one):

- up to 10 days, **kinetics**: the vitamin K layers (absorption, kinetics, carboxylation,
  INR) hour by hour, for single doses and the first days of a regimen;
- longer, **system**: the calcium system (vitamin D → 25(OH)D, calcium absorption, the
  Peterson–Riggs core, BMD, calcification) with the vitamin K layers resolved hourly and
  reported daily. A person the calcium system cannot represent (dialysis, eGFR < 15,
  under 18) gets the vitamin K layers daily, and the trajectory says why the rest is
  missing (``Trajectory.skipped``).

Every input is honoured or refused: an input that acts only through a layer that does not
run (sunlight at a 72-hour horizon, D3 for a dialysis patient) is an error naming it with
``strict=True`` (the default), and a note in the trajectory otherwise.

Example
-------
>>> from k2lab.scenario import Horizon, Scenario
>>> t = simulate(Scenario(supplements=("MK-7 180 ug daily",), horizon=Horizon.weeks(12)),
...              options=SimulationOptions(n_samples=1, resolution="kinetics"))
>>> t["dp_ucMGP_pmol_per_L"].change_percent < -20
True
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from k2lab import checks
from k2lab.applicability import KINETICS_MAX_HOURS, RESOLUTIONS, check_inputs, resolution_for
from k2lab.calcium.system import simulate_system
from k2lab.calcium.system_scenario import (
    DAYS_PER_YEAR,
    SystemScenario,
    scenario_from_diet,
)
from k2lab.errors import ScenarioError
from k2lab.physiology.diet import diet_doses, diet_notes
from k2lab.physiology.exposure import ExposureOptions, exposure_notes, simulate_exposure
from k2lab.regimen import Dose
from k2lab.scenario import Scenario
from k2lab.trajectory import Comparison, Series, Trajectory

__all__ = [
    "KINETICS_MAX_HOURS",
    "SimulationOptions",
    "compare",
    "simulate",
    "simulate_many",
]

#: Largest run: parameter draws × simulated days (100 draws for 10 years), which bounds the
#: memory of one simulation (measured: 1.5 GB peak for 200 draws × 10 years, so about 0.75
#: GB at this limit).
MAX_DRAW_DAYS = 100 * 3653


@dataclass(frozen=True)
class SimulationOptions:
    """How to simulate.

    n_samples : parameter draws for the intervals (``None``: 50 for kinetics, 20 for the
        system; 1 = central only).
    seed : seed of the draws (the same seed gives the same draws, so runs pair up).
    interval_percent : width of the prediction interval.
    resolution : ``auto`` (by horizon), ``kinetics`` or ``system``.
    strict : refuse inputs no running layer uses (else: a note).
    throw : raise when a draw fails (else: leave it out of the intervals; see
        ``Trajectory.draw_ok``).
    """

    n_samples: int | None = None
    seed: int = 20121
    interval_percent: float = 90.0
    resolution: str = "auto"
    strict: bool = True
    throw: bool = True

    def __post_init__(self) -> None:
        n = self.n_samples
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 2000):
            raise ScenarioError(
                f"n_samples must be a whole number from 1 to 2000, not {n!r}.", field="samples"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ScenarioError(
                f"seed must be a whole number ≥ 0, not {self.seed!r}.", field="seed"
            )
        checks.number(self.interval_percent, "interval_percent", error=ScenarioError)
        if not 50 <= self.interval_percent < 100:
            raise ScenarioError(
                f"interval_percent must be in [50, 100), not {self.interval_percent!r}.",
                field="interval_percent",
            )
        for flag in ("strict", "throw"):
            if not isinstance(getattr(self, flag), bool):
                raise ScenarioError(f"{flag} must be True or False.", field=flag)
        if self.resolution not in RESOLUTIONS:
            raise ScenarioError(
                f"Unknown resolution '{self.resolution}'; use {', '.join(RESOLUTIONS)}.",
                field="resolution",
            )


def _options(options: object) -> SimulationOptions:
    if options is None:
        return SimulationOptions()
    return checks.instance(
        options, SimulationOptions, "options", error=ScenarioError, what="SimulationOptions"
    )


def _medication_notes(scenario: Scenario) -> list[str]:
    main = scenario.anticoagulant
    return [n for m in scenario.medications if m != main for n in exposure_notes([], m, "")]


def _k_doses(scenario: Scenario, hours: float) -> list[Dose]:
    doses = [d for r in scenario.regimens if r.is_vitamin_k for d in r.doses(hours)]
    if scenario.diet is not None:
        doses += diet_doses(scenario.diet, hours)
    return doses


def _run_kinetics(scenario: Scenario, opts: SimulationOptions) -> Trajectory:
    hours = scenario.horizon.hours
    doses = _k_doses(scenario, hours)
    n = opts.n_samples or 50
    res = simulate_exposure(
        doses,
        population=scenario.person.vitamin_k_population,
        medication=scenario.anticoagulant,
        hours=hours,
        options=ExposureOptions(
            step_h=1.0 if hours <= KINETICS_MAX_HOURS else 24.0,
            n_samples=n,
            seed=opts.seed,
            interval_percent=opts.interval_percent,
        ),
    )
    notes = [*res.notes, *_medication_notes(scenario)]
    if scenario.diet is not None:
        notes += diet_notes(scenario.diet)
    per_day: dict[str, float] = {}
    for d in doses:
        per_day[d.vitamer] = per_day.get(d.vitamer, 0.0) + d.amount_ug / max(hours / 24.0, 1.0)
    return Trajectory(
        label=scenario.label,
        resolution="kinetics",
        time_h=res.time_h,
        series={
            name: Series.from_draws(name, stack, interval_percent=opts.interval_percent)
            for name, stack in res.draws.items()
        },
        n_samples=res.n_samples,
        seed=opts.seed,
        interval_percent=opts.interval_percent,
        draw_ok=(True,) * res.n_samples,
        inputs={f"{v.lower().replace('-', '')}_ug_per_day": round(a, 4) for v, a in per_day.items()}
        | {"population": scenario.person.vitamin_k_population},
        notes=tuple(dict.fromkeys(notes)),
        source_keys=res.source_keys,
    )


def _system_scenario(scenario: Scenario) -> tuple[SystemScenario, list[str]]:
    person = scenario.person
    days = scenario.horizon.days
    k = tuple(r for r in scenario.regimens if r.is_vitamin_k)
    med = scenario.anticoagulant
    if scenario.diet is not None:
        base = scenario_from_diet(
            scenario.diet, person, years=days / DAYS_PER_YEAR, k_regimens=k, medication=med
        )
    else:
        base = SystemScenario(subject=person, k_regimens=k, medication=med)
    notes: list[str] = []
    calcium = base.calcium_supplement_mg_per_day
    vitamin_d = base.vitamin_d_supplement_ug_per_day
    doses = base.calcium_supplement_doses
    for r in scenario.regimens:
        if r.substance not in ("calcium", "vitamin_d"):
            continue
        mean = r.mean_per_day(days)
        if not r.constant:
            notes.append(
                f"'{r.text}' is simulated at its mean daily amount over the horizon "
                f"({mean:.3g} {r.unit}/day): the calcium system takes daily amounts."
            )
        if r.substance == "calcium":
            calcium += mean
            doses = max(doses, min(r.intakes_per_day, 6))
        else:
            vitamin_d += mean
    system = replace(
        base,
        calcium_food_mg_per_day=(
            base.calcium_food_mg_per_day
            if person.calcium_food_mg_per_day is None
            else person.calcium_food_mg_per_day
        ),
        vitamin_d_food_ug_per_day=(
            base.vitamin_d_food_ug_per_day
            if person.vitamin_d_food_ug_per_day is None
            else person.vitamin_d_food_ug_per_day
        ),
        calcium_supplement_mg_per_day=calcium,
        calcium_supplement_doses=doses,
        vitamin_d_supplement_ug_per_day=vitamin_d,
        label=scenario.label,
    )
    return system, notes


def _run_system(scenario: Scenario, opts: SimulationOptions) -> Trajectory:
    system, notes = _system_scenario(scenario)
    res = simulate_system(
        system,
        years=scenario.horizon.days / DAYS_PER_YEAR,
        n_samples=opts.n_samples or 20,
        seed=opts.seed,
        interval_percent=opts.interval_percent,
        throw=opts.throw,
    )
    ok = np.array(res.draw_ok)
    doses = [*system.k_doses, *(d for r in system.regimens for d in r.doses(24.0 * 7))]
    notes += res.notes
    notes += exposure_notes(doses, system.medication, scenario.person.vitamin_k_population)
    notes += _medication_notes(scenario)
    if scenario.diet is not None:
        notes += diet_notes(scenario.diet)
    return Trajectory(
        label=scenario.label,
        resolution="system",
        time_h=res.time_days * 24.0,
        series={
            name: Series.from_draws(
                name, res.draws[name], interval_percent=opts.interval_percent, ok=ok
            )
            for name in res.endpoints
        },
        n_samples=res.n_samples,
        seed=opts.seed,
        interval_percent=opts.interval_percent,
        draw_ok=res.draw_ok,
        inputs={**res.inputs, "population": scenario.person.vitamin_k_population},
        notes=tuple(dict.fromkeys(notes)),
        warnings=res.warnings,
        source_keys=res.source_keys,
    )


def simulate(scenario: Scenario, *, options: SimulationOptions | None = None) -> Trajectory:
    """Simulate ``scenario``; see the module docstring for what runs at which horizon.

    Raises
    ------
    ScenarioError
        A person or input the layers cannot represent (the field is named), with
        ``strict`` an input no running layer uses, or a failed model run.
    """
    checks.instance(scenario, Scenario, "scenario", error=ScenarioError, what="a k2lab.Scenario")
    opts = _options(options)
    resolution, why_not = resolution_for(scenario, opts.resolution)
    draws = opts.n_samples or (50 if resolution == "kinetics" else 20)
    if draws * max(scenario.horizon.days, 1.0) > MAX_DRAW_DAYS:
        raise ScenarioError(
            f"{draws} draws over {scenario.horizon} is more than one simulation may hold "
            f"(draws × days ≤ {MAX_DRAW_DAYS:,}, e.g. 100 draws for 10 years); use fewer "
            "draws, or a virtual trial for populations.",
            field="samples",
        )
    notes = check_inputs(scenario, why_not, strict=opts.strict)
    traj = _run_system(scenario, opts) if resolution == "system" else _run_kinetics(scenario, opts)
    skipped = {}
    if why_not is not None:
        skipped["calcium system"] = why_not
    bad = [n for n, s in traj.series.items() if not math.isfinite(s.final)]
    if bad:
        raise ScenarioError(f"The model produced non-finite {', '.join(bad)}; check the inputs.")
    return replace(traj, notes=(*notes, *traj.notes), skipped=skipped)


def compare(
    base: Scenario,
    other: Scenario | Sequence[str],
    *,
    options: SimulationOptions | None = None,
) -> Comparison:
    """``base`` against ``other`` (a scenario, or supplements added to ``base``), with the
    same parameter draws so the differences are paired."""
    checks.instance(base, Scenario, "base", error=ScenarioError, what="a k2lab.Scenario")
    if not isinstance(other, Scenario | str | list | tuple):
        raise ScenarioError(
            "other must be a k2lab.Scenario or supplements to add such as "
            f"['MK-7 180 ug daily'], not {other!r:.40}.",
            field="other",
        )
    b = other if isinstance(other, Scenario) else base.adding(other)
    return Comparison(simulate(base, options=options), simulate(b, options=options))


def _simulate_one(args: tuple[Scenario, SimulationOptions | None]) -> Trajectory:
    return simulate(args[0], options=args[1])


def simulate_many(
    scenarios: Sequence[Scenario],
    *,
    options: SimulationOptions | None = None,
    processes: int = 1,
    on_result: Callable[[int, Trajectory], None] | None = None,
) -> list[Trajectory]:
    """Simulate each scenario; with ``processes > 1`` in that many worker processes (each
    builds its compiled model once). Results come back in order and are the same numbers
    as in-process. ``on_result(i, trajectory)`` is called as each one finishes.
    """
    checks.whole(processes, "processes", low=1, error=ScenarioError)
    scenarios = checks.items(scenarios, Scenario, "scenarios", error=ScenarioError)
    options = _options(options)
    out: list[Trajectory | None] = [None] * len(scenarios)
    if processes == 1 or len(scenarios) < 2:
        for i, s in enumerate(scenarios):
            out[i] = t = simulate(s, options=options)
            if on_result:
                on_result(i, t)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
            jobs = pool.map(_simulate_one, [(s, options) for s in scenarios])
            for i, t in enumerate(jobs):
                out[i] = t
                if on_result:
                    on_result(i, t)
    return [t for t in out if t is not None]
