"""Run the calcium model for one person or a population: :func:`simulate_calcium`."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from k2lab.calcium._codegen import FloatArray, ParamValue
from k2lab.calcium._rosenbrock import Rosenbrock, SolverStats
from k2lab.calcium.model import (
    CALCIUM_MG_PER_MMOL,
    GFR_ML_PER_MIN_PER_L_PER_H,
    CalciumModel,
)
from k2lab.calcium.scenario import CalciumScenario
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
    doses: dict[float, float] = {}
    if scenario.teriparatide is not None:
        depot = model.teriparatide_depot_pmol(scenario.teriparatide.dose_ug)
        doses = {t: depot for t in scenario.teriparatide.dose_times_h() if t <= times[-1]}
    # The solver stops where an input changes or a dose is given, and interpolates outputs.
    changed_days = np.flatnonzero(changes) * float(input_every_h)
    breaks = sorted({*changed_days.tolist(), *doses, float(times[-1])} - {0.0})

    scale = np.maximum(np.max(np.abs(y), axis=1), 1.0e-3)
    teri = compiled.species.index("TERISC")
    if doses:
        scale[teri] = max(scale[teri], max(doses.values()))
    solver = Rosenbrock(compiled.jacobian_sparsity, scale, rtol=rtol, jacobian_age=jacobian_age)
    alive = np.ones(people, dtype=bool)
    # Outputs go straight into one array (allocating a copy per output time grows the heap
    # while the solver runs, which slows every temporary); their parameters are kept and
    # turned into endpoints at the end, one batched call per stretch of constant inputs.
    store = np.empty((len(times), compiled.n_species, people))
    recorded: list[Mapping[str, ParamValue]] = []
    species_index = {s: i for i, s in enumerate(compiled.species)}

    def record(t: float, ys: FloatArray, p: Mapping[str, ParamValue]) -> None:
        store[len(recorded)] = ys
        recorded.append(p)

    def inputs_for(t: float) -> dict[str, ParamValue]:
        day = min(int(round(t / input_every_h, 9) // 1), n_inputs - 1)
        p = compiled.parameters({**base, **_model_inputs(intake[:, day], gfr[:, day])})
        if people == 1:
            # One person: plain floats make every operation in the right-hand side cheap.
            p = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in p.items()}
        return p

    params = inputs_for(0.0)
    if 0.0 in doses:
        y[teri] = doses[0.0]
    record(0.0, y, params)
    h = 0.05
    t = 0.0
    for tb in breaks:
        p = params
        if people == 1:

            def f(yy: FloatArray, p: Mapping[str, ParamValue] = p) -> FloatArray:
                out: FloatArray = compiled.rhs(0.0, yy[..., 0], p)[..., None]
                return out

            def dfdy(yy: FloatArray, p: Mapping[str, ParamValue] = p) -> FloatArray:
                out: FloatArray = compiled.jacobian(0.0, yy[..., 0], p)[..., None]
                return out
        else:

            def f(yy: FloatArray, p: Mapping[str, ParamValue] = p) -> FloatArray:
                return compiled.rhs(0.0, yy, p)

            def dfdy(yy: FloatArray, p: Mapping[str, ParamValue] = p) -> FloatArray:
                return compiled.jacobian(0.0, yy, p)

        wanted = times[
            np.searchsorted(times, t, side="right") : np.searchsorted(times, tb, side="right")
        ].tolist()
        y, h, outs = solver.advance(f, y, t, tb, h, alive, wanted, dfdy)
        if tb in changed_days or tb in doses:
            # The next interval starts with a change, as this one did: start it with the step
            # that suited the start of this one rather than the step reached at its end.
            h = solver.restart_step or h
        for s, ys in zip(
            wanted[:-1] if wanted and wanted[-1] == tb else wanted, outs, strict=False
        ):
            record(s, ys, p)
        t = tb
        if tb in doses:
            y[teri] = doses[tb]
        if tb in changed_days:
            params = inputs_for(tb)
        if wanted and wanted[-1] == tb:
            record(tb, y, params)
    store = store[: len(recorded)]
    states = np.moveaxis(store, 1, 0)  # (species, times, people), a view
    endpoint_ids = model.endpoints
    endpoints = {name: np.empty((people, len(recorded))) for name in endpoint_ids}
    start = 0
    while start < len(recorded):
        stop = start
        while stop < len(recorded) and recorded[stop] is recorded[start]:
            stop += 1
        seen = compiled.observe(0.0, states[:, start:stop, :], recorded[start])
        for name, (sid, factor) in endpoint_ids.items():
            value = states[species_index[sid], start:stop] if sid in species_index else seen[sid]
            endpoints[name][:, start:stop] = (
                factor * np.broadcast_to(value, (stop - start, people)).T
            )
        start = stop
    states = np.ascontiguousarray(np.transpose(store, (2, 0, 1)))
    states[~alive] = np.nan
    for arr in endpoints.values():
        arr[~alive] = np.nan
    return CalciumTrajectory(
        time_h=times,
        endpoints=endpoints,
        states=states,
        species=compiled.species,
        status=tuple(SimulationStatus.OK if a else SimulationStatus.FAILED for a in alive),
        stats=solver.stats,
        sources=model.sources,
    )
