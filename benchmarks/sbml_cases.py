"""Run one case of the SBML Test Suite (semantic) with k2lab's engine and judge it.

The suite's README (``../shared/sbml-test-suite/README.md``) describes each case folder
``NNNNN``: the SBML Level 3 files, ``NNNNN-settings.txt`` (output grid, the variables to
report, which of them as amounts, and the case's tolerances), ``NNNNN-results.csv`` (the
expected values) and ``NNNNN-model.m`` (the features it uses, as componentTags and
testTags). A value passes when ``|simulated - expected| <= absolute + relative * |expected|``
with the case's own tolerances, never looser.

Every case ends in one of four outcomes:

* ``pass``: all requested values within the tolerances;
* ``refused``: the engine raised :class:`~k2lab.errors.ModelFileError` (its message is the
  reason), which is the engine working as designed;
* ``wrong``: numbers outside the tolerances without an error (a bug);
* ``crash``: any other exception (a bug).

Example
-------
>>> import numpy as np
>>> within(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), 1e-10, 1e-6)
True
"""

from __future__ import annotations

import csv
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from k2lab.engine import compile_model, integrate, read_sbml
from k2lab.engine.events import integrate_events
from k2lab.errors import ModelFileError

FloatArray = NDArray[np.float64]

#: Relative tolerance of the solver: far tighter than any case's relative tolerance.
SOLVER_RTOL = 1e-9
OUTCOMES = ("pass", "refused", "wrong", "crash")


@dataclass(frozen=True)
class Case:
    """One time-course case: where its model is, what to report and how to judge it."""

    id: str
    sbml: Path
    times: FloatArray
    variables: tuple[str, ...]
    amounts: frozenset[str]
    concentrations: frozenset[str]
    absolute: float
    relative: float
    expected: FloatArray  # shape (times, variables)
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """How a case went: one of :data:`OUTCOMES`, the reason or the worst miss, the time."""

    case: str
    outcome: str
    detail: str
    seconds: float


def _settings(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _tags(model_m: Path) -> tuple[str, ...]:
    tags: list[str] = []
    if model_m.exists():
        for line in model_m.read_text(errors="replace").splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() in ("componentTags", "testTags"):
                tags += _names(value)
    return tuple(tags)


def time_course_cases(root: Path) -> list[Path]:
    """Folders of the time-course cases under ``root`` that have an SBML Level 3 file."""
    out = []
    for folder in sorted(p for p in (root / "cases" / "semantic").iterdir() if p.is_dir()):
        if not any(folder.glob(f"{folder.name}-sbml-l3v*.xml")):
            continue
        model_m = folder / f"{folder.name}-model.m"
        if model_m.exists() and not re.search(
            r"testType:\s*TimeCourse", model_m.read_text(errors="replace")
        ):
            continue
        out.append(folder)
    return out


def read_case(folder: Path) -> Case:
    """Read a case folder: the L3V1 file (else the L3V2 one), settings and results."""
    cid = folder.name
    sbml = folder / f"{cid}-sbml-l3v1.xml"
    if not sbml.exists():
        sbml = folder / f"{cid}-sbml-l3v2.xml"
    s = _settings(folder / f"{cid}-settings.txt")
    with (folder / f"{cid}-results.csv").open() as fh:
        rows = list(csv.reader(fh))
    header = [h.strip() for h in rows[0]]  # the time first, then the variables
    data = np.array([[float(x) for x in r] for r in rows[1:] if r], dtype=float)
    variables = _names(s["variables"])
    cols = [header.index(v, 1) for v in variables]
    return Case(
        id=cid,
        sbml=sbml,
        times=data[:, 0],
        variables=tuple(variables),
        amounts=frozenset(_names(s.get("amount", ""))),
        concentrations=frozenset(_names(s.get("concentration", ""))),
        absolute=float(s["absolute"]),
        relative=float(s["relative"]),
        expected=data[:, cols],
        tags=_tags(folder / f"{cid}-model.m"),
    )


def within(sim: FloatArray, expected: FloatArray, absolute: float, relative: float) -> bool:
    """Whether every simulated value is within the case's tolerances of the expected one.

    NaN is within only of NaN, and an infinity only of the same infinity.
    """
    both_nan = np.isnan(sim) & np.isnan(expected)
    same_inf = np.isinf(expected) & (sim == expected)
    with np.errstate(invalid="ignore"):
        close = np.abs(sim - expected) <= absolute + relative * np.abs(expected)
    return bool(np.all(close | both_nan | same_inf))


def simulate(case: Case) -> FloatArray:
    """The case's variables at its output times, shape (times, variables).

    The solver stops at every output time (no interpolation inside a step) and species are
    reported as concentrations, or as amounts (concentration × compartment size) where the
    settings ask for them.
    """
    m = read_sbml(case.sbml)
    if case.times[0] < 0.0:
        raise ModelFileError(f"Case {case.id} starts before time 0.")
    grid = np.unique(np.concatenate([[0.0], case.times]))
    rows = np.searchsorted(grid, case.times)
    if m.events:
        compiled = compile_model(replace(m, events=()))
    else:
        compiled = compile_model(m)
    params, y0 = compiled.initial_values({})
    p = compiled.parameters(params)
    species = {s.id: s for s in m.species if s.compartment}
    wanted = set(case.variables) | {species[v].compartment for v in case.variables if v in species}
    observe = sorted(v for v in wanted if v in compiled.dynamic_rules or v in compiled.species)
    for v in case.variables:
        if v not in observe and v not in p:
            raise ModelFileError(
                f"Output '{v}' is not a species, compartment, parameter or rule variable."
            )
    if m.events:
        run, _, in_force = integrate_events(m, grid, observe=observe, rtol=SOLVER_RTOL)
    else:
        run = integrate(
            compiled,
            y0[:, None],
            grid,
            lambda t: p,
            input_times=grid[1:-1].tolist(),
            observe=observe,
            rtol=SOLVER_RTOL,
        )
        in_force = [p] * len(grid)

    def series(v: str) -> FloatArray:
        if v in run.observed:
            return np.asarray(run.observed[v][0, rows], dtype=float)
        return np.array([float(np.asarray(in_force[r][v])) for r in rows])

    out = np.empty((len(case.times), len(case.variables)))
    for j, v in enumerate(case.variables):
        values = series(v)
        s = species.get(v)
        if s is not None and s.compartment in m.compartments.keys() | p.keys() | set(observe):
            # The state is what the name means (amount or concentration); convert if asked.
            if v in case.amounts and not s.amount:
                values = values * series(s.compartment)
            elif v in case.concentrations and s.amount:
                values = values / series(s.compartment)
        out[:, j] = values
    return out


def run_case(folder: Path) -> Outcome:
    """Simulate one case folder and judge it (see the module docstring)."""
    start = time.perf_counter()
    case_id = folder.name
    try:
        case = read_case(folder)
        sim = simulate(case)
        ok = within(sim, case.expected, case.absolute, case.relative)
        if ok:
            outcome, detail = "pass", ""
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                miss = np.abs(sim - case.expected) / (
                    case.absolute + case.relative * np.abs(case.expected)
                )
            worst = np.unravel_index(
                int(np.nanargmax(np.where(np.isnan(miss), np.inf, miss))), miss.shape
            )
            detail = (
                f"{case.variables[worst[1]]} at t = {case.times[worst[0]]:g}: "
                f"{sim[worst]:.6g} vs {case.expected[worst]:.6g}"
            )
            outcome = "wrong"
    except ModelFileError as exc:
        outcome, detail = "refused", str(exc)
    except Exception as exc:  # every other error is a crash
        outcome, detail = "crash", f"{type(exc).__name__}: {exc}"
    # Messages name the file; the folder is this machine's business.
    detail = detail.replace(f"{folder}/", "")
    return Outcome(case_id, outcome, detail, time.perf_counter() - start)
