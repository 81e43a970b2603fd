"""Absorption: how much of a dose reaches plasma, and how fast, by vitamer and matrix.

The apparent clearances of :mod:`k2lab.physiology.pk` are per unit of a supplement taken
with a meal; other matrices scale the absorbed amount by ``relative_f`` and the absorption
rate by ``ka_factor`` (rows ``relative_f,<matrix>/<K1|MK>`` in ``absorption_params.csv``).

Example
-------
>>> from k2lab.physiology.params import default_parameters
>>> relative_bioavailability("K1", "vegetable", default_parameters())
0.13
"""

from __future__ import annotations

from collections.abc import Mapping

from k2lab.errors import RegimenError
from k2lab.vocab import MATRICES

__all__ = ["ka_factor", "relative_bioavailability", "vitamer_class"]


def vitamer_class(vitamer: str) -> str:
    """``K1`` for phylloquinone, ``MK`` for every menaquinone."""
    return "K1" if vitamer == "K1" else "MK"


def _check(matrix: str) -> None:
    if matrix not in MATRICES:
        raise RegimenError(f"Unknown matrix '{matrix}'. Use one of: {', '.join(MATRICES)}.")


def relative_bioavailability(
    vitamer: str, matrix: str, params: Mapping[tuple[str, str], float]
) -> float:
    """Fraction absorbed relative to a supplement taken with a meal (dimensionless)."""
    _check(matrix)
    return params[("relative_f", f"{matrix}/{vitamer_class(vitamer)}")]


def ka_factor(vitamer: str, matrix: str, params: Mapping[tuple[str, str], float]) -> float:
    """Factor on the absorption rate constant (1 = as fast as a supplement)."""
    _check(matrix)
    return params.get(("ka_factor", f"{matrix}/{vitamer_class(vitamer)}"), 1.0)
