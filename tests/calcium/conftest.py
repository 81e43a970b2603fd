"""Shared fixtures: one compiled model and one libroadrunner instance per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from k2lab.calcium import CalciumModel, CalciumTrajectory
from k2lab.calcium.reference import load_reference_runner

#: The issue's agreement requirement with libroadrunner, relative.
RTOL_REFERENCE = 5e-3


@pytest.fixture(scope="session")
def model() -> CalciumModel:
    return CalciumModel.from_sbml()


@pytest.fixture(scope="session")
def runner() -> Any:
    return load_reference_runner()


def max_relative_deviation(
    a: CalciumTrajectory, b: CalciumTrajectory, person: int = 0
) -> dict[str, float]:
    """Largest |a - b| / |b| over all output times, per endpoint (``b`` is the reference).

    Urinary calcium is clamped at zero by the model during PTH peaks; so that a quantity
    passing through zero does not divide by zero, ``|b|`` is floored at 1 % of the
    endpoint's largest magnitude in the run. Concentrations never come near the floor.
    """
    assert np.array_equal(a.time_h, b.time_h)
    out = {}
    for name, ref in b.endpoints.items():
        denom = np.maximum(np.abs(ref[0]), 0.01 * np.max(np.abs(ref[0])))
        out[name] = float(np.max(np.abs(a.endpoints[name][person] - ref[0]) / denom))
    return out


def max_state_deviation(a: CalciumTrajectory, b: CalciumTrajectory, person: int = 0) -> float:
    """Largest species deviation relative to that species' largest magnitude in the run."""
    ref = b.states[0]
    scale = np.maximum(np.max(np.abs(ref), axis=0), 1e-12)
    return float(np.max(np.abs(a.states[person] - ref) / scale))


@pytest.fixture(scope="session")
def deviation() -> Any:
    """The comparison helpers, as a fixture so test modules need no imports from here."""

    class Helpers:
        endpoints = staticmethod(max_relative_deviation)
        states = staticmethod(max_state_deviation)
        rtol = RTOL_REFERENCE

    return Helpers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``slow`` tests unless asked for (``-m slow`` or K2LAB_RUN_SLOW=1)."""
    import os

    if config.getoption("-m") or os.environ.get("K2LAB_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or K2LAB_RUN_SLOW=1")
    here = Path(__file__).parent
    for item in items:
        if "slow" in item.keywords and here in item.path.parents:
            item.add_marker(skip)
