"""Run an SBML model with its events, for one person: triggers, delays, priorities.

:func:`integrate_events` integrates the model compiled without its events and stops where
a trigger changes its value (found to the solver's precision by bisection on each step's
interpolant, then the step redone to end there; see
:meth:`~k2lab.engine.rosenbrock.Rosenbrock.advance`). At each stop, following the SBML
Level 3 Version 2 core specification (section 4.12):

* an event *fires* when its trigger goes from false to true (the value just before the
  start is the trigger's ``initialValue``); its assignments are carried out after its
  delay (the delay evaluated when it fires), with values computed when it fires where
  ``useValuesFromTriggerTime`` holds, else when they are carried out;
* a non-persistent event whose trigger turns false before its delay has passed is
  cancelled;
* of the events due at the same time, the one with the highest priority (evaluated when
  it is carried out) goes first, ties in the order they fired; after each, every trigger
  is evaluated again, so one event may fire or cancel another; of equal priorities, one
  is chosen at random (seeded, so runs repeat).

An event may set a species, a parameter or a compartment; static rules are evaluated again
after it. Outputs are the states at the output times, the solver stopping at each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from k2lab.engine.codegen import CompiledModel, FloatArray, ParamValue, compile_model
from k2lab.engine.integrate import Integration
from k2lab.engine.mathml import NAMESPACE, Expr, symbols, to_python
from k2lab.engine.rosenbrock import Rosenbrock
from k2lab.engine.sbml import SbmlModel, Species
from k2lab.errors import ModelFileError

__all__ = ["integrate_events"]

_TICK = "_k2lab_event_clock"


@dataclass
class _Pending:
    """An event that fired and waits for its delay to pass."""

    time: float
    order: int
    event: int
    values: list[float] | None


class _Maths:
    """Evaluates event expressions from the state, the parameters and the dynamic rules."""

    def __init__(self, compiled: CompiledModel, known: set[str]) -> None:
        self.compiled = compiled
        self.index = {s: i for i, s in enumerate(compiled.species)}
        self.known = known | set(self.index) | set(compiled.dynamic_rules)

    def function(self, exprs: Sequence[Expr], where: str) -> Callable[..., list[float]]:
        """A compiled ``f(t, y, p)`` returning the value of each of ``exprs``."""
        used: set[str] = set()
        for e in exprs:
            used |= symbols(e)
        missing = used - self.known
        if missing:
            raise ModelFileError(f"{where} uses '{min(missing)}', which the model does not define.")
        lines = ["def f(t, y, p):"]
        if used & set(self.compiled.dynamic_rules):
            lines.append("    _d = observe(t, y, p)")
        for s in sorted(used):
            if s in self.index:
                lines.append(f"    v_{s} = y[{self.index[s]}]")
            elif s in self.compiled.dynamic_rules:
                lines.append(f"    v_{s} = _d[{s!r}]")
            else:
                lines.append(f"    v_{s} = p[{s!r}]")
        names = {s: "v_" + s for s in used}
        lines.append("    return [" + ", ".join(to_python(e, names) for e in exprs) + "]")
        namespace: dict[str, Any] = {**NAMESPACE, "observe": self.compiled.observe}
        exec(compile("\n".join(lines) + "\n", f"<k2lab events {where}>", "exec"), namespace)
        fn: Callable[..., list[float]] = namespace["f"]
        return fn


_RELATIONS = frozenset({"gt", "lt", "geq", "leq", "eq", "neq"})


def _comparisons(e: Expr) -> list[Expr]:
    """The comparisons (two-argument relations) inside ``e``."""
    if e[0] != "op":
        return []
    args: tuple[Expr, ...] = e[2]  # type: ignore[assignment]
    found = [e] if e[1] in _RELATIONS and len(args) == 2 else []
    for a in args:
        found += _comparisons(a)
    return found


def integrate_events(
    m: SbmlModel,
    times: FloatArray,
    *,
    observe: Sequence[str] = (),
    overrides: Mapping[str, float] | None = None,
    rtol: float = 1e-6,
    seed: int = 0,
) -> tuple[Integration, CompiledModel, list[dict[str, ParamValue]]]:
    """Integrate ``m`` with its events for one person from ``times[0] = 0``.

    Returns the integration (states shape (1, times, species)), the model compiled
    without events and the parameters in force at each output time (events may change
    them).

    Raises
    ------
    ModelFileError
        If an event sets something that is neither a species, a parameter nor a
        compartment, or an expression uses an undefined name.
    """
    without = replace(m, events=())
    if not m.species and not m.rate_rules:
        # Nothing to integrate: a clock gives the solver steps at which to watch triggers.
        without = replace(
            without,
            species=(Species(_TICK, "", 0.0, amount=True),),
            rate_rules={_TICK: ("num", 1.0)},
        )
    compiled = compile_model(without)
    base, y0 = compiled.initial_values(dict(overrides or {}))
    base = {k: float(np.asarray(v)) for k, v in base.items()}
    p = compiled.parameters(base)
    maths = _Maths(compiled, set(p))
    events = m.events
    triggers = maths.function([ev.trigger for ev in events], "triggers")
    delays = [None if ev.delay is None else maths.function([ev.delay], ev.id) for ev in events]
    priorities = [
        None if ev.priority is None else maths.function([ev.priority], ev.id) for ev in events
    ]
    assigns = [maths.function([a.math for a in ev.assignments], ev.id) for ev in events]
    for ev in events:
        for a in ev.assignments:
            if a.variable not in maths.index and a.variable not in base:
                raise ModelFileError(
                    f"Event '{ev.id}' sets '{a.variable}', which is not a species, a "
                    "parameter or a compartment (setting a rule's variable is not allowed)."
                )

    concentrations: dict[str, list[int]] = {}
    for sp in m.species:
        if not sp.amount and sp.compartment and sp.id in maths.index:
            concentrations.setdefault(sp.compartment, []).append(maths.index[sp.id])
    sizes = set(concentrations)
    rng = np.random.default_rng(seed)
    y = np.array(y0, dtype=float).reshape(-1)
    scale = np.maximum(np.abs(y), 1.0e-3)
    solver = Rosenbrock(compiled.jacobian_sparsity, scale, rtol=rtol)
    alive = np.ones(1, dtype=bool)

    def values_of(fn: Callable[..., list[float]], t: float, yy: FloatArray) -> list[float]:
        with np.errstate(all="ignore"):
            return [float(v) for v in fn(np.float64(t), yy, p)]

    def fired(t: float, yy: FloatArray) -> list[bool]:
        return [bool(v) for v in values_of(triggers, t, yy)]

    # A trigger can change only where one of its comparisons changes sign: the solver
    # watches every comparison (so a trigger true only inside one step is not missed),
    # and a trigger without comparisons itself.
    sides = maths.function(
        [("op", "minus", c[2]) for ev in events for c in _comparisons(ev.trigger)]
        + [
            ("op", "minus", (ev.trigger, ("num", 0.5)))
            for ev in events
            if not _comparisons(ev.trigger)
        ],
        "comparisons",
    )

    current = [ev.initial_value for ev in events]
    queue: list[_Pending] = []
    order = 0

    def process(t: float) -> None:
        nonlocal current, order, p
        while True:
            now = fired(t, y)
            for i, ev in enumerate(events):
                if now[i] and not current[i]:
                    d = delays[i]
                    delay = 0.0 if d is None else values_of(d, t, y)[0]
                    if not delay >= 0.0:
                        raise ModelFileError(f"Event '{ev.id}': a negative or undefined delay.")
                    vals = values_of(assigns[i], t, y) if ev.use_trigger_values else None
                    queue.append(_Pending(t + delay, order, i, vals))
                    order += 1
                if not now[i] and not ev.persistent:
                    queue[:] = [q for q in queue if q.event != i]
            current = now
            due = [q for q in queue if q.time <= t]
            if not due:
                return
            ranks = [_priority(priorities[q.event], t) for q in due]
            top = [q for q, r in zip(due, ranks, strict=True) if r == max(ranks)]
            # Of events due together with equal priorities, SBML picks one at random.
            q = top[int(rng.integers(len(top)))] if len(top) > 1 else top[0]
            queue.remove(q)
            ev = events[q.event]
            vals = q.values if q.values is not None else values_of(assigns[q.event], t, y)
            # Values are assigned at once: a concentration set with a compartment's size
            # is one in the old size (SBML keeps amounts when a size changes), so the
            # sizes go last and carry every concentration in them along.
            pairs = sorted(
                zip(ev.assignments, vals, strict=True), key=lambda av: av[0].variable in sizes
            )
            for a, v in pairs:
                where = maths.index.get(a.variable)
                old = float(y[where]) if where is not None else float(np.asarray(p[a.variable]))
                for i in concentrations.get(a.variable, ()):
                    y[i] *= old / v
                if where is not None:
                    y[where] = v
                else:
                    base[a.variable] = v
            p = compiled.parameters(base)

    def _priority(fn: Callable[..., list[float]] | None, t: float) -> float:
        return -np.inf if fn is None else values_of(fn, t, y)[0]

    store = np.empty((len(times), compiled.n_species))
    params_at: list[dict[str, ParamValue]] = []
    end = float(times[-1])
    process(0.0)
    store[0] = y
    params_at.append(dict(p))
    k, t, h = 1, 0.0, 0.05
    while k < len(times):
        stop = min([float(times[k]), *(q.time for q in queue if q.time > t)])
        pp = p

        def f(yy: FloatArray, pp: Mapping[str, ParamValue] = pp) -> FloatArray:
            out: FloatArray = compiled.rhs(0.0, yy[..., 0], pp)[..., None]
            return out

        def dfdy(yy: FloatArray, pp: Mapping[str, ParamValue] = pp) -> FloatArray:
            out: FloatArray = compiled.jacobian(0.0, yy[..., 0], pp)[..., None]
            return out

        def watch(s: float, yy: FloatArray, pp: Mapping[str, ParamValue] = pp) -> FloatArray:
            with np.errstate(all="ignore"):
                return np.array(sides(np.float64(s), yy[:, 0], pp), dtype=float)

        ynew, h, _ = solver.advance(f, y[:, None], t, stop, h, alive, (), dfdy, watch)
        y[:] = ynew[:, 0]
        t = solver.stopped_at
        if not alive[0]:
            store[k:] = np.nan
            params_at += [dict(p)] * (len(times) - k)
            break
        process(t)
        while k < len(times) and float(times[k]) <= t:
            store[k] = y
            params_at.append(dict(p))
            k += 1
        if t >= end:
            break
    observed = {sid: np.full((1, len(times)), np.nan) for sid in observe}
    for i in range(k):
        with np.errstate(all="ignore"):
            seen = compiled.observe(0.0, store[i], params_at[i]) if compiled.dynamic_rules else {}
        for sid, arr in observed.items():
            if sid in maths.index:
                arr[0, i] = store[i, maths.index[sid]]
            else:
                arr[0, i] = float(np.asarray(seen[sid] if sid in seen else params_at[i][sid]))
    run = Integration(
        time_h=np.asarray(times, dtype=float),
        states=store[None],
        observed=observed,
        alive=alive,
        stats=solver.stats,
    )
    return run, compiled, params_at
