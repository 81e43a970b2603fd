"""Bone density and vessel-wall layers: exact daily integration and their parameters."""

from __future__ import annotations

import numpy as np
import pytest

from k2lab.calcium.bone import bone_trend, integrate_linear, remodelling_bmd
from k2lab.calcium.params import calcium_parameters, calcium_sources
from k2lab.calcium.vessel import calcification_index


def test_integrate_linear_matches_a_step_by_step_loop() -> None:
    rng = np.random.default_rng(1)
    a = rng.uniform(0.0, 0.02, size=(3, 400))
    b = rng.uniform(-0.001, 0.03, size=(3, 400))
    b[0, 10] = 0.0  # the b -> 0 branch
    x0 = np.array([1.0, 0.5, 2.0])
    got = integrate_linear(a, b, x0, 1.0)
    x = x0.copy()
    for n in range(400):
        q = np.exp(-b[:, n])
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(b[:, n] == 0, a[:, n], a[:, n] / b[:, n] * (1 - q))
        x = q * x + c
        np.testing.assert_allclose(got[:, n + 1], x, rtol=1e-10)


def test_more_resorption_lowers_bmd_and_more_formation_raises_it() -> None:
    days = 3 * 365 + 1
    ones = np.ones((1, days))
    kw = {"kout_per_day": 0.000397 * 24, "gamma_ob": 0.0793, "gamma_oc": 0.14}
    assert remodelling_bmd(ones, 1.2 * ones, **kw)[0, -1] < 0.98
    assert remodelling_bmd(1.2 * ones, ones, **kw)[0, -1] > 1.01
    # steady state of dB/dt = k (OB^g1 - OC^g2 B): B = OB^g1 / OC^g2
    b = remodelling_bmd(1.1 * ones, 1.3 * ones, **kw)[0, -1]
    assert b == pytest.approx(1.1**0.0793 / 1.3**0.14, rel=1e-6)


def test_trend_is_the_loss_rate_without_vitamin_k_and_smaller_with_it() -> None:
    days = 2 * 365 + 1
    none = bone_trend(
        np.zeros((1, days)), loss_percent_per_year=0.61, k_effect_percent_per_year=0.5
    )
    assert 100 * (none[0, -1] - 1) == pytest.approx(-1.22, abs=0.01)
    fall = np.full((1, days), 0.6)
    with_k = bone_trend(fall, loss_percent_per_year=0.61, k_effect_percent_per_year=0.5)
    assert 100 * (with_k[0, -1] - 1) == pytest.approx(-1.22 + 0.6, abs=0.01)


def test_calcification_grows_with_caxp_and_falls_with_carboxylated_mgp() -> None:
    days = 365 + 1
    kw = {"baseline_au": 50.0, "progression_au_per_year": 12.3, "caxp_gamma": 2.0}
    base = calcification_index(np.ones((1, days)), np.zeros((1, days)), mgp_inhibition=0.15, **kw)
    assert base[0, 0] == 50.0 and base[0, -1] == pytest.approx(62.3)
    high = calcification_index(
        np.full((1, days), 1.1), np.zeros((1, days)), mgp_inhibition=0.15, **kw
    )
    assert high[0, -1] - 50 == pytest.approx(12.3 * 1.21)
    mk7 = calcification_index(
        np.ones((1, days)), np.full((1, days), 0.4), mgp_inhibition=0.15, **kw
    )
    assert mk7[0, -1] - 50 == pytest.approx(12.3 * 0.94)


def test_every_extension_parameter_has_a_source_and_a_sane_range() -> None:
    sources = calcium_sources()
    for r in calcium_parameters().records:
        assert r.low <= r.value <= r.high, r
        for key in r.source_key.split(";"):
            assert key in sources, (r.name, key)
