"""Vitamin K physiology: absorption, disposition, carboxylation and INR.

The public API:

- :func:`simulate_exposure` -> :class:`ExposureResult` with one :class:`Endpoint` per
  predicted quantity (plasma K1/MK-4/MK-7 nmol/L, ucOC ng/mL, ucOC/cOC, dp-ucMGP pmol/L,
  INR under a vitamin K antagonist);
- :func:`default_parameters` - every parameter with its range and source.

Calibration and validation against trials are in :mod:`k2lab.validation`.
"""

from __future__ import annotations

from k2lab.physiology.exposure import (
    POPULATIONS,
    Endpoint,
    ExposureOptions,
    ExposureResult,
    simulate_exposure,
)
from k2lab.physiology.inr import DOACS, MEDICATIONS, VKAS
from k2lab.physiology.params import Parameter, ParameterSet, default_parameters, load_sources

__all__ = [
    "DOACS",
    "MEDICATIONS",
    "POPULATIONS",
    "VKAS",
    "Endpoint",
    "ExposureOptions",
    "ExposureResult",
    "Parameter",
    "ParameterSet",
    "default_parameters",
    "load_sources",
    "simulate_exposure",
]
