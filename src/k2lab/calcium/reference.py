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

from pathlib import Path
from typing import Any

import numpy as np

from k2lab.calcium.model import CalciumModel, shipped_sbml_text
from k2lab.calcium.scenario import CalciumScenario
from k2lab.calcium.simulate import (
    DAYS_PER_YEAR,
    HOURS_PER_DAY,
    CalciumTrajectory,
    SimulationStatus,
    _model_inputs,
    parameter_overrides,
)
from k2lab.engine.roadrunner import grid_step, load_runner, simulate_piecewise
from k2lab.engine.rosenbrock import SolverStats
from k2lab.errors import ScenarioError


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
    regimen = scenario.teriparatide
    dose_spacing = (
        (regimen.first_dose_h, regimen.interval_h)
        if regimen is not None and regimen.n_doses > 0
        else ()
    )
    grid_h = grid_step(output_every_h, *dose_spacing)
    rr = runner if runner is not None else load_runner(model.sbml_text or shipped_sbml_text())
    if regimen is None:
        dosing = {"teri_dose_mcg": 0.0}
    else:
        dosing = {
            "teri_dose_mcg": regimen.dose_ug,
            "teri_times_initial": regimen.first_dose_h,
            "teri_times_interval": regimen.interval_h,
            "teri_number_of_doses": float(regimen.n_doses),
        }
    endpoint_ids = model.endpoints
    rules = sorted({sid for sid, _ in endpoint_ids.values()} - set(model.species))
    change = [0] + [
        d
        for d in range(1, n_days)
        if intake[person, d] != intake[person, d - 1] or gfr[person, d] != gfr[person, d - 1]
    ]
    segments = []
    for d in change:
        values = _model_inputs(intake[person, d : d + 1], gfr[person, d : d + 1])
        segments.append(
            (d * HOURS_PER_DAY, {k: float(np.asarray(v)[0]) for k, v in values.items()})
        )
    table = simulate_piecewise(
        rr,
        segments=segments,
        end_h=n_days * HOURS_PER_DAY,
        grid_h=grid_h,
        selections=["time", *[f"[{s}]" for s in model.species], *rules],
        initial={pid: float(per_person[person]) for pid, per_person in overrides.items()},
        values=dosing,
    )[:: round(output_every_h / grid_h)]
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


def load_reference_runner(sbml: str | Path | None = None) -> Any:
    """A ``roadrunner.RoadRunner`` for :func:`simulate_reference`.

    Parameters
    ----------
    sbml
        SBML text (a string starting with ``<``), a path to an SBML file, or ``None`` for
        the shipped Peterson & Riggs 2010 file.
    """
    return load_runner(shipped_sbml_text() if sbml is None else sbml)
