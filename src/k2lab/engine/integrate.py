"""Drive a compiled model through time: inputs that hold for a while, and state resets.

:func:`integrate` runs a :class:`~k2lab.engine.codegen.CompiledModel` for a batch of people
(one column of the state each) with the Rosenbrock solver. Parameters change only at given
times (a daily intake, a new dose rate) and species may be set to a value at given times
(an injection filling a depot, as an SBML event does); the solver stops at each such time
and interpolates the outputs in between. What a model's inputs mean is the caller's
business (see :func:`k2lab.calcium.simulate_calcium`).

Example
-------
>>> from k2lab.engine.sbml import read_sbml_text
>>> from k2lab.engine.codegen import compile_model
>>> text = (
...     '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">'
...     '<model id="decay"><listOfCompartments><compartment id="c" size="1"/>'
...     '</listOfCompartments><listOfSpecies><species id="x" compartment="c" '
...     'initialConcentration="1"/></listOfSpecies><listOfParameters>'
...     '<parameter id="k" value="0.1"/></listOfParameters><listOfReactions>'
...     '<reaction id="out"><listOfReactants><speciesReference species="x" '
...     'stoichiometry="1"/></listOfReactants><kineticLaw>'
...     '<math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci>'
...     '<ci>x</ci></apply></math></kineticLaw></reaction></listOfReactions></model></sbml>'
... )
>>> m = compile_model(read_sbml_text(text))
>>> params, y0 = m.initial_values({})
>>> run = integrate(m, y0[:, None], np.array([0.0, 10.0]), lambda t: m.parameters(params))
>>> round(float(run.states[0, -1, 0]), 4)  # exp(-1)
0.3679
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from k2lab.engine.codegen import CompiledModel, FloatArray, ParamValue
from k2lab.engine.rosenbrock import Rosenbrock, SolverStats

__all__ = ["Integration", "integrate"]


@dataclass(frozen=True, eq=False)
class Integration:
    """Result of :func:`integrate`.

    Attributes
    ----------
    time_h
        Output times, shape (times,).
    states
        Species values, shape (people, times, species); NaN for people who failed.
    observed
        The requested rule variables and species, each of shape (people, times).
    alive
        Whether each person's state stayed finite to the end, shape (people,).
    stats
        Solver counters.
    """

    time_h: FloatArray
    states: FloatArray
    observed: Mapping[str, FloatArray]
    alive: NDArray[np.bool_]
    stats: SolverStats


def integrate(
    compiled: CompiledModel,
    y0: FloatArray,
    times: FloatArray,
    params_at: Callable[[float], Mapping[str, ParamValue]],
    *,
    input_times: Sequence[float] = (),
    resets: Mapping[float, Mapping[str, float]] | None = None,
    observe: Sequence[str] = (),
    rtol: float = 1e-6,
    jacobian_age: int = 1,
) -> Integration:
    """Integrate ``compiled`` from ``times[0] = 0`` to ``times[-1]`` for every column of ``y0``.

    Parameters
    ----------
    compiled
        The model.
    y0
        Initial state, shape (species, people).
    times
        Output times, hours, increasing from 0.
    params_at
        Parameters (static rules applied, :meth:`CompiledModel.parameters`) in force from a
        time on; called at 0 and at each of ``input_times``.
    input_times
        Times at which ``params_at`` gives new values.
    resets
        Species values set at a time: ``{t: {species_id: value}}``; an output at ``t``
        shows the state after the reset (and the inputs from ``t`` on). Resets after
        ``times[-1]`` are ignored.
    observe
        Species or dynamic rule variables to report at every output time.
    rtol, jacobian_age
        See :class:`~k2lab.engine.rosenbrock.Rosenbrock`.
    """
    n, people = compiled.n_species, y0.shape[1]
    y = np.array(y0, dtype=float)
    end = float(times[-1])
    index = {s: i for i, s in enumerate(compiled.species)}
    doses = {
        float(t): {index[s]: float(v) for s, v in values.items()}
        for t, values in (resets or {}).items()
        if t <= end
    }
    changes = {float(t) for t in input_times}
    breaks = sorted({*changes, *doses, end} - {0.0})

    scale = np.maximum(np.max(np.abs(y), axis=1), 1.0e-3)
    for values in doses.values():
        for i, v in values.items():
            scale[i] = max(scale[i], v)
    solver = Rosenbrock(compiled.jacobian_sparsity, scale, rtol=rtol, jacobian_age=jacobian_age)
    alive = np.ones(people, dtype=bool)
    # Outputs go straight into one array (allocating a copy per output time grows the heap
    # while the solver runs, which slows every temporary); their parameters are kept and
    # turned into observations at the end, one batched call per stretch of constant inputs.
    store = np.empty((len(times), n, people))
    recorded: list[Mapping[str, ParamValue]] = []

    def record(ys: FloatArray, p: Mapping[str, ParamValue]) -> None:
        store[len(recorded)] = ys
        recorded.append(p)

    def inputs_for(t: float) -> Mapping[str, ParamValue]:
        p = params_at(t)
        if people == 1:
            # One person: plain floats make every operation in the right-hand side cheap.
            p = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in p.items()}
        return p

    def reset(t: float) -> None:
        for i, v in doses[t].items():
            y[i] = v

    params = inputs_for(0.0)
    if 0.0 in doses:
        reset(0.0)
    record(y, params)
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
        if tb in changes or tb in doses:
            # The next interval starts with a change, as this one did: start it with the step
            # that suited the start of this one rather than the step reached at its end.
            h = solver.restart_step or h
        for ys in outs[: len(wanted) - 1] if wanted and wanted[-1] == tb else outs:
            record(ys, p)
        t = tb
        if tb in doses:
            reset(tb)
        if tb in changes:
            params = inputs_for(tb)
        if wanted and wanted[-1] == tb:
            record(y, params)
    store = store[: len(recorded)]
    states_view = np.moveaxis(store, 1, 0)  # (species, times, people), a view
    observed = {sid: np.empty((people, len(recorded))) for sid in observe}
    start = 0
    while start < len(recorded):
        stop = start
        while stop < len(recorded) and recorded[stop] is recorded[start]:
            stop += 1
        with np.errstate(all="ignore"):  # a rule may be infinite or NaN, as in SBML
            seen = compiled.observe(0.0, states_view[:, start:stop, :], recorded[start])
        for sid, arr in observed.items():
            value = states_view[index[sid], start:stop] if sid in index else seen[sid]
            arr[:, start:stop] = np.broadcast_to(value, (stop - start, people)).T
        start = stop
    states = np.ascontiguousarray(np.transpose(store, (2, 0, 1)))
    states[~alive] = np.nan
    for arr in observed.values():
        arr[~alive] = np.nan
    return Integration(
        time_h=np.asarray(times, dtype=float),
        states=states,
        observed=observed,
        alive=alive,
        stats=solver.stats,
    )
