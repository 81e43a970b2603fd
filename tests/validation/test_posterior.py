"""The Bayesian calibration: likelihood pieces, a short chain, and the shipped draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from k2lab.errors import DataError
from k2lab.physiology.params import (
    PARAMETER_FILES,
    default_parameters,
    load_parameter_set,
    load_sources,
    posterior_draws,
)
from k2lab.validation.calibrate import PHYSIOLOGY_PARAMETERS
from k2lab.validation.posterior import (
    TAU,
    PosteriorSettings,
    _group_loglik,
    arm_se,
    load_posterior,
    log_posterior,
    parse_posterior,
    posterior_csv,
    run_posterior,
)
from k2lab.validation.trials import load_trials


def _dense_loglik(r: np.ndarray, se: np.ndarray, tau: float) -> float:
    cov = np.diag(se**2) + tau**2
    _, logdet = np.linalg.slogdet(cov)
    return float(-0.5 * (r @ np.linalg.solve(cov, r) + logdet + len(r) * math.log(2 * math.pi)))


def test_group_likelihood_equals_the_dense_multivariate_normal() -> None:
    r, se = np.array([3.0, -1.0, 7.5]), np.array([4.0, 6.0, 2.5])
    for tau in (0.0, 2.0, 30.0):
        assert _group_loglik(r, se, tau) == pytest.approx(_dense_loglik(r, se, tau))


def test_measurement_error_uses_the_arm_size() -> None:
    arms = {a.arm_id: a for a in load_trials()}
    assert arm_se(arms["knapen2015_mgp"]) < arm_se(arms["dalmeijer_180_mgp"])
    assert arm_se(arms["dalmeijer_180_mgp"]) == pytest.approx(35.0 / math.sqrt(20))


def test_log_posterior_is_minus_infinity_outside_the_prior_bounds() -> None:
    arms = [a for a in load_trials() if a.layer == "physiology" and a.role == "calibration"]
    base = default_parameters()
    x = np.log([base[k] for k in PHYSIOLOGY_PARAMETERS] + [5.0])
    assert math.isfinite(log_posterior(x, arms, base))
    x[0] = math.log(PHYSIOLOGY_PARAMETERS[next(iter(PHYSIOLOGY_PARAMETERS))][1]) + 0.1
    assert log_posterior(x, arms, base) == -math.inf


def test_a_short_chain_is_reproducible_and_round_trips() -> None:
    s = PosteriorSettings(walkers=14, steps=30, burn=10, thin=5, seed=3)
    a, b = run_posterior(s), run_posterior(s)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert a.draws.shape == (14, 4, len(PHYSIOLOGY_PARAMETERS) + 1)
    back = parse_posterior(posterior_csv(a))
    np.testing.assert_allclose(back.draws, a.draws, rtol=1e-4)
    assert back.settings == s


def test_shipped_draws_carry_their_provenance_and_converged() -> None:
    post = load_posterior()
    assert post.settings == PosteriorSettings()
    assert post.keys == (*PHYSIOLOGY_PARAMETERS, TAU)
    assert post.draws.shape[:2] == (
        post.settings.walkers,
        len(range(0, post.settings.steps - post.settings.burn, post.settings.thin)),
    )
    assert 0.15 < post.acceptance < 0.7
    assert np.all(post.rhat() < 1.1)
    assert np.all(post.ess() > 200)
    # The posterior lies inside the priors' bounds and around the least-squares fit.
    for i, key in enumerate(PHYSIOLOGY_PARAMETERS):
        lo, hi, _ = PHYSIOLOGY_PARAMETERS[key]
        col = post.flat[:, i]
        assert lo <= col.min() and col.max() <= hi
        q5, q95 = np.percentile(col, [5, 95])
        assert q5 < default_parameters()[key] < q95


def test_parse_rejects_a_broken_file() -> None:
    with pytest.raises(DataError, match="write-posterior"):
        parse_posterior("walker,draw\n1,2\n")


def test_posterior_switch_draws_the_fitted_parameters_from_the_draws() -> None:
    base = load_parameter_set(PARAMETER_FILES, load_sources())
    keys, draws = posterior_draws()
    on = base.with_posterior(keys, draws)
    prior, post = base.sample(40, 5), on.sample(40, 5)
    assert post[0] is on and [p.keys() for p in post] == [p.keys() for p in prior]
    k = keys[0]
    assert all(p[k] in set(draws[:, 0].tolist()) for p in post[1:])
    other = ("t_half_h", "MK-7")
    assert [p[other] for p in post] == [p[other] for p in prior]
    assert [p[k] for p in on.sample(40, 5)] == [p[k] for p in post]
