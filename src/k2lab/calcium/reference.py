"""The reference: the same scenario run by libroadrunner on the unmodified SBML.

It also runs other SBML texts, such as the vitamin D extension
(:func:`k2lab.calcium.extension.extend_sbml`): pass that model (its own SBML text is used)
or a runner loaded with :func:`load_reference_runner`. A scenario's ``parameters`` are set as
initial values (``init(id)``), so initial assignments that use them (``D25 =
k2lab_d25_start``) are evaluated with the person's values.

k2lab's own engine must agree with this within 0.5 % (see ``tests/calcium``). Inputs reach
libroadrunner through the SBML's own parameters: ``OralCa`` and ``GFR`` are set at each
midnight where they change, and teriparatide is given by the model's own event with its
``teri_*`` parameters set to the regimen (dose 0 when there is none).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from k2lab.calcium._rosenbrock import SolverStats
from k2lab.calcium.model import CalciumModel, TeriparatideRegimen, shipped_sbml_text
from k2lab.calcium.scenario import CalciumScenario
from k2lab.calcium.simulate import (
    DAYS_PER_YEAR,
    HOURS_PER_DAY,
    CalciumTrajectory,
    SimulationStatus,
    _model_inputs,
    parameter_overrides,
)
from k2lab.errors import MissingDependencyError, ScenarioError


def _roadrunner(sbml: str) -> Any:
    try:
        import roadrunner
    except ImportError as exc:
        raise MissingDependencyError(
            "The reference simulator needs libroadrunner: pip install libroadrunner"
        ) from exc
    return roadrunner.RoadRunner(sbml)


def simulate_reference(
    model: CalciumModel,
    scenario: CalciumScenario | None = None,
    *,
    years: float,
    output_every_h: float = HOURS_PER_DAY,
    person: int = 0,
    runner: Any = None,
) -> CalciumTrajectory:
    """Run one person of ``scenario`` with libroadrunner (CVODE, its default tolerances).

    Parameters
    ----------
    model
        The k2lab model; only its SBML text and defaults are used.
    scenario, years, output_every_h
        As for :func:`~k2lab.calcium.simulate.simulate_calcium`.
    person
        Which row of the scenario's inputs to run.
    runner
        A ``roadrunner.RoadRunner`` loaded with the model's SBML, to reuse between calls
        (it is reset here); ``None`` loads one from ``model.sbml_text``.

    Returns
    -------
    CalciumTrajectory
        One person; ``stats`` is empty.
    """
    scenario = scenario or CalciumScenario()
    n_days = max(1, round(years * DAYS_PER_YEAR))
    intake, gfr = scenario.daily_inputs(
        n_days, model.default_calcium_intake_mg_per_day, model.default_gfr_ml_per_min
    )
    if not 0 <= person < intake.shape[0]:
        raise ScenarioError(f"person must lie in 0..{intake.shape[0] - 1}, not {person}.")
    overrides = parameter_overrides(model, scenario, intake.shape[0])
    # The SBML triggers each dose on ``time == t_k``; libroadrunner only sees such a trigger
    # when a time point falls exactly on t_k. So the reference runs on a grid fine enough to
    # hold every dose time and the output times, and keeps the output rows.
    grid_h = _grid_step(output_every_h, scenario.teriparatide)
    per_out = round(output_every_h / grid_h)
    per_day = round(HOURS_PER_DAY / grid_h)
    rr = runner if runner is not None else _roadrunner(model.sbml_text or shipped_sbml_text())
    rr.resetAll()
    for pid, per_person in overrides.items():
        rr[f"init({pid})"] = float(per_person[person])
    regimen = scenario.teriparatide
    if regimen is None:
        rr["teri_dose_mcg"] = 0.0
    else:
        rr["teri_dose_mcg"] = regimen.dose_ug
        rr["teri_times_initial"] = regimen.first_dose_h
        rr["teri_times_interval"] = regimen.interval_h
        rr["teri_number_of_doses"] = float(regimen.n_doses)
    endpoint_ids = model.endpoints
    rules = sorted({sid for sid, _ in endpoint_ids.values()} - set(model.species))
    rr.timeCourseSelections = ["time", *[f"[{s}]" for s in model.species], *rules]
    change = [0] + [
        d
        for d in range(1, n_days)
        if intake[person, d] != intake[person, d - 1] or gfr[person, d] != gfr[person, d - 1]
    ]
    bounds = [*change, n_days]
    chunks: list[Any] = []
    for k, (d0, d1) in enumerate(itertools.pairwise(bounds)):
        values = _model_inputs(intake[person, d0 : d0 + 1], gfr[person, d0 : d0 + 1])
        for key, value in values.items():
            rr[key] = float(np.asarray(value)[0])
        res = np.asarray(
            rr.simulate(d0 * HOURS_PER_DAY, d1 * HOURS_PER_DAY, (d1 - d0) * per_day + 1)
        )
        if k > 0:
            # At a midnight where inputs change, report the state with the new inputs in
            # force (rules such as urinary calcium use them), as k2lab's engine does.
            chunks[-1] = chunks[-1][:-1]
        chunks.append(res)
    table = np.concatenate(chunks, axis=0)[::per_out]
    n = model.n_species
    states = table[None, :, 1 : 1 + n]
    column = {s: 1 + i for i, s in enumerate(model.species)}
    column.update({r: 1 + n + i for i, r in enumerate(rules)})
    endpoints = {
        name: factor * table[None, :, column[sid]] for name, (sid, factor) in endpoint_ids.items()
    }
    return CalciumTrajectory(
        time_h=table[:, 0].copy(),
        endpoints=endpoints,
        states=np.ascontiguousarray(states),
        species=model.species,
        status=(SimulationStatus.OK,),
        stats=SolverStats(),
        sources=model.sources,
    )


def _grid_step(output_every_h: float, regimen: TeriparatideRegimen | None) -> float:
    """Largest step (hours) that divides the output spacing and lands on every dose."""
    step = Fraction(output_every_h).limit_denominator(3600)
    if regimen is not None and regimen.n_doses > 0:
        for value in (regimen.first_dose_h, regimen.interval_h):
            frac = Fraction(value).limit_denominator(3600)
            if frac:
                step = Fraction(
                    math.gcd(step.numerator * frac.denominator, frac.numerator * step.denominator),
                    step.denominator * frac.denominator,
                )
    return float(step)


def load_reference_runner(sbml: str | Path | None = None) -> Any:
    """A ``roadrunner.RoadRunner`` for :func:`simulate_reference`.

    Parameters
    ----------
    sbml
        SBML text (a string starting with ``<``), a path to an SBML file, or ``None`` for
        the shipped Peterson & Riggs 2010 file.
    """
    if sbml is None:
        return _roadrunner(shipped_sbml_text())
    if isinstance(sbml, str) and sbml.lstrip().startswith("<"):
        return _roadrunner(sbml)
    return _roadrunner(Path(sbml).read_text(encoding="utf-8"))
