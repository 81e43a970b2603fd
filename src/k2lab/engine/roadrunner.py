"""libroadrunner as the engine's reference: load an SBML text and run it piecewise.

libroadrunner (CVODE) is a development dependency; :func:`load_runner` raises
:class:`~k2lab.errors.MissingDependencyError` with the install command when it is missing.
:func:`simulate_piecewise` runs a model whose parameters change at given times (inputs that
hold for a while, such as a daily intake) on a fixed output grid, which is how the tests
compare k2lab's own engine against it.

Example
-------
>>> grid_step(24.0, 12.0)
12.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from k2lab.errors import MissingDependencyError, ModelFileError

__all__ = ["grid_step", "load_runner", "simulate_piecewise"]

FloatArray = NDArray[np.float64]


def load_runner(sbml: str | Path) -> Any:
    """A ``roadrunner.RoadRunner`` for SBML text (a string starting with ``<``) or a file.

    Raises
    ------
    MissingDependencyError
        If libroadrunner is not installed.
    ModelFileError
        If the file cannot be read.
    """
    if not (isinstance(sbml, str) and sbml.lstrip().startswith("<")):
        try:
            sbml = Path(sbml).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"Cannot read the SBML file '{sbml}': {exc}.") from exc
    try:
        import roadrunner
    except ImportError as exc:
        raise MissingDependencyError(
            "The reference simulator needs libroadrunner: pip install libroadrunner"
        ) from exc
    return roadrunner.RoadRunner(sbml)


def grid_step(*spacings_h: float) -> float:
    """Largest step (hours) that divides every spacing given (zeros are ignored).

    An SBML event triggered by ``time == t_k`` fires in libroadrunner only when an output
    point falls exactly on ``t_k``; a grid of this step holds every such time.
    """
    step = Fraction(0)
    for value in spacings_h:
        frac = Fraction(value).limit_denominator(3600)
        if frac:
            step = Fraction(
                math.gcd(step.numerator * frac.denominator, frac.numerator * step.denominator),
                step.denominator * frac.denominator,
            )
    return float(step)


def simulate_piecewise(
    runner: Any,
    *,
    segments: Sequence[tuple[float, Mapping[str, float]]],
    end_h: float,
    grid_h: float,
    selections: Sequence[str],
    initial: Mapping[str, float] | None = None,
    values: Mapping[str, float] | None = None,
) -> FloatArray:
    """Reset ``runner`` and run it from 0 to ``end_h`` with inputs that change by segment.

    Parameters
    ----------
    runner
        A ``roadrunner.RoadRunner`` (see :func:`load_runner`); it is reset here.
    segments
        ``(start_h, {id: value})`` in time order, the first starting at 0: each sets model
        values (parameters) that hold until the next start.
    end_h, grid_h
        End time and output spacing, hours (``grid_h`` must divide each segment).
    selections
        What each output column holds (libroadrunner selection strings, e.g. ``"[P]"``).
    initial
        Initial values to set first, ``init(id)``, so initial assignments that use them
        are evaluated with them.
    values
        Values to set once after the reset (e.g. the parameters of a dosing event).

    Returns
    -------
    FloatArray
        One row per grid time; at a segment start the row is the one with the new inputs in
        force (assignment rules that use them show the new value).
    """
    runner.resetAll()
    for pid, value in (initial or {}).items():
        runner[f"init({pid})"] = float(value)
    for pid, value in (values or {}).items():
        runner[pid] = float(value)
    runner.timeCourseSelections = list(selections)
    bounds = [*(start for start, _ in segments), end_h]
    chunks: list[FloatArray] = []
    for k, ((start, inputs), stop) in enumerate(zip(segments, bounds[1:], strict=True)):
        for pid, value in inputs.items():
            runner[pid] = float(value)
        points = round((stop - start) / grid_h) + 1
        res = np.asarray(runner.simulate(start, stop, points), dtype=float)
        if k > 0:
            chunks[-1] = chunks[-1][:-1]
        chunks.append(res)
    return np.concatenate(chunks, axis=0)
