"""Run the calcium model for one person or a population: :func:`simulate_calcium`."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from k2lab.calcium.model import (
    CALCIUM_MG_PER_MMOL,
    GFR_ML_PER_MIN_PER_L_PER_H,
    CalciumModel,
)
from k2lab.calcium.scenario import CalciumScenario
from k2lab.engine.codegen import FloatArray, ParamValue
from k2lab.engine.integrate import integrate
from k2lab.engine.rosenbrock import SolverStats
from k2lab.errors import ScenarioError

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365


class SimulationStatus(enum.Enum):
    """Outcome of a run for one person."""

    OK = "ok"
    FAILED = "failed"

    @property
    def message(self) -> str:
        """What the status means and what to change."""
        if self is SimulationStatus.OK:
            return "The run reached the end time."
        return (
            "The state became non-finite; check this person's inputs for extreme values "
            "or tighten rtol."
        )


@dataclass(frozen=True, eq=False)
class CalciumTrajectory:
    """Result of :func:`simulate_calcium`.

    Attributes
    ----------
    time_h
        Output times, hours from the start, shape (times,).
    endpoints
        Named endpoints with units in their names, each of shape (people, times).
    states
        All species values, shape (people, times, species), in the model's units.
    species
        SBML ids of the species, in ``states`` order.
    status
        One :class:`SimulationStatus` per person.
    stats
        Solver counters.
    sources
        Source keys of the model (see ``k2lab/data/sources_calcium.csv``).
    """

    time_h: FloatArray
    endpoints: Mapping[str, FloatArray]
    states: FloatArray
    species: tuple[str, ...]
    status: tuple[SimulationStatus, ...]
    stats: SolverStats
    sources: tuple[str, ...]

    @property
    def time_days(self) -> FloatArray:
        """Output times, days."""
        return self.time_h / HOURS_PER_DAY

    @property
    def n_people(self) -> int:
        """Number of people simulated."""
        return int(self.states.shape[0])

    def species_values(self, species_id: str) -> FloatArray:
        """Values of one species, shape (people, times)."""
        return self.states[:, :, self.species.index(species_id)]


def _model_inputs(
    intake_mg_per_day: FloatArray, gfr_ml_per_min: FloatArray
) -> dict[str, ParamValue]:
    return {
        "OralCa": intake_mg_per_day / CALCIUM_MG_PER_MMOL / HOURS_PER_DAY,
        "GFR": gfr_ml_per_min / GFR_ML_PER_MIN_PER_L_PER_H,
    }


#: Parameters a scenario sets through its own fields, not through ``parameters``.
_DEDICATED = {
    "OralCa": "calcium_intake_mg_per_day",
    "GFR": "gfr_ml_per_min",
    "event_counter": "teriparatide",
    "teri_dose_mcg": "teriparatide",
    "teri_times_initial": "teriparatide",
    "teri_times_interval": "teriparatide",
    "teri_number_of_doses": "teriparatide",
}


def parameter_overrides(
    model: CalciumModel, scenario: CalciumScenario, people: int
) -> dict[str, FloatArray]:
    """The scenario's parameter overrides checked against ``model``, each of shape (people,).

    Raises
    ------
    ScenarioError
        For an id that is not a settable parameter of the model (with the closest ids), or
        one that has its own scenario field.
    """
    m = model.sbml
    settable = sorted(
        k for k in m.parameters if k not in m.assignment_rules and k not in _DEDICATED
    )
    out: dict[str, FloatArray] = {}
    for name, arr in scenario.parameter_arrays().items():
        if name in _DEDICATED:
            raise ScenarioError(
                f"CalciumScenario.parameters cannot set '{name}'; use "
                f"CalciumScenario.{_DEDICATED[name]} instead."
            )
        if name in m.assignment_rules:
            raise ScenarioError(
                f"CalciumScenario.parameters cannot set '{name}': the model computes it by an "
                "assignment rule. Set the parameters it depends on instead."
            )
        if name not in m.parameters:
            close = difflib.get_close_matches(name, settable, n=5, cutoff=0.6)
            hint = (
                "Closest parameter ids: " + ", ".join(f"'{c}'" for c in close) + "."
                if close
                else "See model.sbml.parameters for the ids."
            )
            extra = (
                " The vitamin D parameters exist only in CalciumModel.extended()."
                if name.startswith("k2lab_") and "D25" not in model.species
                else ""
            )
            raise ScenarioError(
                f"CalciumScenario.parameters: the model has no parameter '{name}'.{extra} {hint}"
            )
        out[name] = np.array(np.broadcast_to(arr, (people,)), dtype=float)
    return out


def simulate_calcium(
    model: CalciumModel,
    scenario: CalciumScenario | None = None,
    *,
    years: float,
    output_every_h: float = HOURS_PER_DAY,
    rtol: float = 1e-6,
    jacobian_age: int = 1,
    initial_state: FloatArray | None = None,
    input_every_h: float = HOURS_PER_DAY,
) -> CalciumTrajectory:
    """Simulate the calcium model for everyone in ``scenario`` at once.

    Calcium intake and GFR are constant within a day and may change at midnight; injections
    of teriparatide refill the depot at their times, as the SBML event does.

    Parameters
    ----------
    model
        The compiled model, e.g. ``CalciumModel.from_sbml()``.
    scenario
        Inputs; ``None`` runs the model's own inputs without teriparatide.
    years
        Simulated time, years of 365 days.
    output_every_h
        Output spacing, hours; must divide 24.
    rtol
        Relative tolerance of the integrator's local error.
    jacobian_age
        Steps a Jacobian is reused for (1: fresh every step). Reuse makes population runs
        cheaper; a rejected step always gets a fresh one.
    initial_state
        Species values to start from, shape (people, species) in ``model.species`` order,
        e.g. the last state of an earlier run (``traj.states[:, -1]``); default: the
        model's initial values.
    input_every_h
        How long each value of the scenario's intake and GFR holds, hours (must divide 24;
        default one day). With 1, intake arrays have one value per hour, e.g. to resolve
        meals; intake is still given in mg/day (the rate while the value holds).

    Returns
    -------
    CalciumTrajectory
        Endpoints at every output time from 0, for each person.

    Example
    -------
    >>> traj = simulate_calcium(CalciumModel.from_sbml(), years=0.1)
    >>> round(float(traj.endpoints["plasma_calcium_mmol_per_l"][0, -1]), 2)
    2.35
    """
    scenario = scenario or CalciumScenario()
    if not np.isfinite(years) or years <= 0:
        raise ScenarioError(f"years must be > 0, not {years!r}.")
    if not (0 < output_every_h <= HOURS_PER_DAY) or (
        abs(HOURS_PER_DAY / output_every_h - round(HOURS_PER_DAY / output_every_h)) > 1e-9
    ):
        raise ScenarioError(f"output_every_h must divide 24 hours, not {output_every_h!r}.")
    if not 1e-12 < rtol < 1e-1:
        raise ScenarioError(f"rtol must lie between 1e-12 and 0.1, not {rtol!r}.")
    if not (0 < input_every_h <= HOURS_PER_DAY) or (
        abs(HOURS_PER_DAY / input_every_h - round(HOURS_PER_DAY / input_every_h)) > 1e-9
    ):
        raise ScenarioError(f"input_every_h must divide 24 hours, not {input_every_h!r}.")
    n_days = max(1, round(years * DAYS_PER_YEAR))
    n_inputs = n_days * round(HOURS_PER_DAY / input_every_h)
    intake, gfr = scenario.daily_inputs(
        n_inputs, model.default_calcium_intake_mg_per_day, model.default_gfr_ml_per_min
    )
    people = intake.shape[0]
    compiled = model.compiled
    overrides = parameter_overrides(model, scenario, people)
    base, y0 = compiled.initial_values({**overrides, **_model_inputs(intake[:, 0], gfr[:, 0])})
    y = np.array(np.broadcast_to(y0.reshape(compiled.n_species, -1), (compiled.n_species, people)))
    if initial_state is not None:
        given = np.asarray(initial_state, dtype=float)
        if given.shape not in ((people, compiled.n_species), (1, compiled.n_species)):
            raise ScenarioError(
                f"initial_state must have shape ({people}, {compiled.n_species}) "
                f"(people, species), not {given.shape}."
            )
        if not np.all(np.isfinite(given)):
            raise ScenarioError("initial_state must be finite.")
        y = np.array(np.broadcast_to(given.T, (compiled.n_species, people)))
    changes = np.ones(n_inputs, dtype=bool)
    changes[1:] = np.any(intake[:, 1:] != intake[:, :-1], axis=0) | np.any(
        gfr[:, 1:] != gfr[:, :-1], axis=0
    )

    per_day = round(HOURS_PER_DAY / output_every_h)
    times: FloatArray = np.arange(n_days * per_day + 1, dtype=float) * output_every_h
    doses: dict[float, dict[str, float]] = {}
    if scenario.teriparatide is not None:
        depot = model.teriparatide_depot_pmol(scenario.teriparatide.dose_ug)
        doses = {t: {"TERISC": depot} for t in scenario.teriparatide.dose_times_h()}

    def inputs_for(t: float) -> dict[str, ParamValue]:
        day = min(int(round(t / input_every_h, 9) // 1), n_inputs - 1)
        return compiled.parameters({**base, **_model_inputs(intake[:, day], gfr[:, day])})

    endpoint_ids = model.endpoints
    run = integrate(
        compiled,
        y,
        times,
        inputs_for,
        input_times=(np.flatnonzero(changes) * float(input_every_h)).tolist(),
        resets=doses,
        observe=sorted({sid for sid, _ in endpoint_ids.values()}),
        rtol=rtol,
        jacobian_age=jacobian_age,
    )
    endpoints = {name: factor * run.observed[sid] for name, (sid, factor) in endpoint_ids.items()}
    return CalciumTrajectory(
        time_h=times,
        endpoints=endpoints,
        states=run.states,
        species=compiled.species,
        status=tuple(SimulationStatus.OK if a else SimulationStatus.FAILED for a in run.alive),
        stats=run.stats,
        sources=model.sources,
    )
