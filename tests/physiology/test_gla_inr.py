"""Carboxylation, turnover and INR building blocks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from k2lab.physiology.gla import carboxylated_fraction, ec50_multiplier_for_target, turnover
from k2lab.physiology.inr import activity_for_inr, inr_from_activity


def test_carboxylated_fraction_is_saturable() -> None:
    a = np.array([0.0, 1.0, 2.0, 1e6])
    f = carboxylated_fraction(a, 2.0, hill=2.0)
    assert isinstance(f, np.ndarray)
    np.testing.assert_allclose(f, [0.0, 0.2, 0.5, 1.0], atol=1e-9)


def test_ec50_multiplier_hits_target() -> None:
    m = ec50_multiplier_for_target(3.0, 0.2, 3.0, 0.4)
    assert carboxylated_fraction(3.0, 0.2 * m, 3.0) == pytest.approx(0.4)


def test_turnover_closed_form() -> None:
    y = turnover(np.full(10, 1.0), 0.0, half_life_h=24.0, step_h=24.0)
    np.testing.assert_allclose(y, 1.0 - 0.5 ** np.arange(11))


def test_turnover_constant_target_stays() -> None:
    np.testing.assert_allclose(turnover(np.full(5, 0.3), 0.3, 10.0, 1.0), 0.3)


def test_inr_roundtrip() -> None:
    act = activity_for_inr(2.5, 1.2)
    assert inr_from_activity(act, 1.2) == pytest.approx(2.5)
    assert inr_from_activity(1.0, 1.0) == 1.0
    assert math.isfinite(float(inr_from_activity(0.0, 1.0)))
