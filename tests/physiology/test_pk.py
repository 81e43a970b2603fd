"""Analytic superposition against direct summation and a scipy ODE solution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k2lab.physiology.params import default_parameters
from k2lab.physiology.pk import (
    auc_nmol_h_per_L,
    concentration_at,
    disposition_modes,
    superpose_grid,
)
from k2lab.physiology.reference import ode_concentration

PARAMS = default_parameters()
VITAMERS = ["K1", "MK-4", "MK-7", "MK-9"]


@pytest.mark.parametrize("vitamer", VITAMERS)
def test_grid_matches_scipy_ode(vitamer: str) -> None:
    # Irregular dosing: daily for 3 weeks at 08:00 plus an extra dose at 12.5 h on day 3.
    times = np.concatenate([8.0 + 24.0 * np.arange(21), [60.5]])
    amounts = np.concatenate([np.full(21, 150.0), [400.0]])
    modes = disposition_modes(vitamer, PARAMS)
    points, _ = superpose_grid(times, amounts, modes, 1.0, 24 * 25)
    ode = ode_concentration(vitamer, PARAMS, times, amounts, np.arange(24 * 25 + 1.0))
    np.testing.assert_allclose(points, ode, rtol=1e-7, atol=1e-9 * points.max())


@pytest.mark.parametrize("vitamer", VITAMERS)
def test_grid_matches_direct_sum_and_exact_means(vitamer: str) -> None:
    modes = disposition_modes(vitamer, PARAMS, ka_factor=0.667)
    times = np.array([0.0, 5.3, 24.0, 49.9, 50.0, 130.0])
    amounts = np.array([100.0, 50.0, 100.0, 20.0, 300.0, 80.0])
    step = 6.0
    points, means = superpose_grid(times, amounts, modes, step, 40)
    grid = np.arange(41) * step
    np.testing.assert_allclose(
        points, concentration_at(grid, times, amounts, modes), rtol=1e-10, atol=1e-14
    )
    fine = np.linspace(0, 240, 240 * 200 + 1)
    c = concentration_at(fine, times, amounts, modes)
    # Trapezoid means over each 6-h interval (the response has kinks only at dose times).
    numeric = np.array(
        [
            np.trapezoid(c[i * 1200 : (i + 1) * 1200 + 1], fine[i * 1200 : (i + 1) * 1200 + 1])
            / step
            for i in range(40)
        ]
    )
    np.testing.assert_allclose(means, numeric, rtol=2e-5, atol=1e-9)


def test_zero_dose_gives_zero_increment() -> None:
    modes = disposition_modes("MK-7", PARAMS)
    points, means = superpose_grid(np.arange(10) * 24.0, np.zeros(10), modes, 24.0, 30)
    assert not points.any() and not means.any()


def test_single_dose_auc_is_dose_over_clearance() -> None:
    modes = disposition_modes("K1", PARAMS)
    auc = auc_nmol_h_per_L(modes, 1000.0, 10_000.0)
    assert auc == pytest.approx(1000.0 / modes.clearance_l_per_h, rel=1e-9)


def test_mk7_half_life_is_the_prior() -> None:
    assert disposition_modes("MK-7", PARAMS).terminal_half_life_h == pytest.approx(68.0)


def test_doses_after_the_horizon_are_ignored() -> None:
    modes = disposition_modes("K1", PARAMS)
    points, _ = superpose_grid(np.array([500.0]), np.array([100.0]), modes, 1.0, 100)
    assert not points.any()


dose_lists = st.lists(st.tuples(st.floats(0, 400), st.floats(0, 5000)), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(
    doses=dose_lists,
    vitamer=st.sampled_from(VITAMERS),
    scale=st.floats(0.0, 50.0),
    step=st.sampled_from([0.5, 1.0, 24.0]),
)
def test_non_negative_and_linear(
    doses: list[tuple[float, float]], vitamer: str, scale: float, step: float
) -> None:
    t = np.array([d[0] for d in doses])
    u = np.array([d[1] for d in doses])
    modes = disposition_modes(vitamer, PARAMS)
    n = int(480 / step)
    p1, m1 = superpose_grid(t, u, modes, step, n)
    p2, m2 = superpose_grid(t, scale * u, modes, step, n)
    tol = 1e-9 * max(1.0, float(np.abs(p1).max()))
    assert p1.min() >= -tol and m1.min() >= -tol
    np.testing.assert_allclose(p2, scale * p1, rtol=1e-9, atol=tol * max(scale, 1.0))
    np.testing.assert_allclose(m2, scale * m1, rtol=1e-9, atol=tol * max(scale, 1.0))


@settings(max_examples=30, deadline=None)
@given(a=dose_lists, b=dose_lists)
def test_superposition_of_two_histories(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> None:
    modes = disposition_modes("K1", PARAMS)
    ta, ua = np.array([d[0] for d in a]), np.array([d[1] for d in a])
    tb, ub = np.array([d[0] for d in b]), np.array([d[1] for d in b])
    pa, _ = superpose_grid(ta, ua, modes, 1.0, 480)
    pb, _ = superpose_grid(tb, ub, modes, 1.0, 480)
    pab, _ = superpose_grid(np.concatenate([ta, tb]), np.concatenate([ua, ub]), modes, 1.0, 480)
    np.testing.assert_allclose(pab, pa + pb, rtol=1e-9, atol=1e-9 * max(1.0, pab.max()))


def test_accumulation_mk7_far_above_k1() -> None:
    from k2lab.physiology.pk import accumulation_ratio, steady_state_mean_nmol_per_L

    mk7 = accumulation_ratio(disposition_modes("MK-7", PARAMS), 24.0)
    k1 = accumulation_ratio(disposition_modes("K1", PARAMS), 24.0)
    assert mk7 > 3.0 and k1 < 2.0
    # The grid converges to the analytic steady-state mean.
    modes = disposition_modes("MK-7", PARAMS)
    _, means = superpose_grid(np.arange(120) * 24.0, np.full(120, 100.0), modes, 24.0, 120)
    assert means[-1] == pytest.approx(steady_state_mean_nmol_per_L(modes, 100.0, 24.0), rel=1e-6)
