"""Virtual trials: numbers independent of chunking and backend, analysis, power."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from k2lab.population.analysis import ancova, difference
from k2lab.population.backends import LocalBackend
from k2lab.population.power import power_curve
from k2lab.population.spec import TrialSpec, spec_from_dict
from k2lab.population.trial import run_trial, simulate_chunk, spec_digest
from tests.population.conftest import small_spec_dict


def test_chunk_size_does_not_change_the_numbers(small_spec: TrialSpec) -> None:
    whole = simulate_chunk(small_spec, 0, 1, 0, 6)
    parts = [simulate_chunk(small_spec, 0, 1, s, s + 2) for s in (0, 2, 4)]
    assert np.array_equal(whole[0], np.concatenate([p[0] for p in parts]), equal_nan=True)
    a = run_trial(small_spec, chunk=4).to_dict()
    b = run_trial(small_spec, chunk=1, backend=LocalBackend()).to_dict()
    assert a["effects"] == b["effects"] and a["visits"] == b["visits"]


def test_mk7_lowers_dp_ucmgp_against_placebo(small_spec: TrialSpec) -> None:
    r = run_trial(small_spec)
    e = next(x for x in r.effects if x.endpoint == "dp_ucMGP_pmol_per_L")
    assert e.arm == "MK-7" and e.control == "placebo"
    assert -45 < e.treated.mean < -15 and abs(e.control_summary.mean) < 10
    assert e.difference.ci_high < 0 and e.difference.p_value < 0.01
    assert r.person_years == pytest.approx(12 * 12 * 7 / 365.25)


def test_replicates_differ_and_repeat(small_spec: TrialSpec) -> None:
    one = run_trial(small_spec, replicate=1).effects[0].difference
    assert run_trial(small_spec, replicate=1).effects[0].difference == one
    assert run_trial(small_spec, replicate=2).effects[0].difference != one


def test_dropout_removes_people_from_later_visits() -> None:
    spec = spec_from_dict(small_spec_dict(dropout_percent_per_year=90))
    obs, _ = simulate_chunk(spec.with_n(60), 0, 0, 0, 60)
    seen = np.isfinite(obs[:, :, 0]).sum(axis=0)
    assert seen[0] == 60 and seen[1] >= seen[2]
    # 90 %/year leaves exp(ln(0.1) * 12 * 7 / 365.25) = 59 % at 12 weeks
    assert 0.4 < seen[2] / 60 < 0.8


def test_welch_difference_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 2.0, 30), rng.normal(0.0, 1.0, 25)
    d = difference(a, b)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert d.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert d.ci_low < d.estimate < d.ci_high


def test_power_rows_are_the_trials_of_that_size(small_spec: TrialSpec) -> None:
    curve = power_curve(small_spec, "dp_ucMGP_pmol_per_L", [3, 6], replicates=3)
    assert curve.ns == (3, 6) and curve.replicates == 3
    estimates = [
        run_trial(small_spec.with_n(3), replicate=r).effects[0].difference.estimate
        for r in (1, 2, 3)
    ]
    assert curve.effect_mean[0] == pytest.approx(np.mean(estimates), rel=1e-12)
    assert all(0 <= p <= 1 for p in curve.power)


def test_power_refuses_an_unknown_endpoint(small_spec: TrialSpec) -> None:
    with pytest.raises(Exception, match="no endpoint"):
        power_curve(small_spec, "INR", [5], replicates=2)


def test_dask_gives_the_same_numbers(small_spec: TrialSpec) -> None:
    pytest.importorskip("distributed")
    from k2lab.population.backends import DaskBackend

    local = run_trial(small_spec, chunk=6).to_dict()
    with DaskBackend(workers=2) as backend:
        dask = run_trial(small_spec, chunk=2, backend=backend).to_dict()
    assert dask["backend"] == "dask"
    assert dask["effects"] == local["effects"] and dask["visits"] == local["visits"]


def test_dask_scheduler_address_gives_the_same_numbers(small_spec: TrialSpec) -> None:
    distributed = pytest.importorskip("distributed")
    from k2lab.population.backends import DaskBackend

    local = run_trial(small_spec).to_dict()
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        DaskBackend(scheduler=cluster.scheduler_address) as backend,
    ):
        remote = run_trial(small_spec, chunk=3, backend=backend).to_dict()
    assert remote["effects"] == local["effects"]


def test_ancova_is_the_within_group_slope_adjustment() -> None:
    rng = np.random.default_rng(1)
    b1, b0 = rng.normal(10, 3, 40), rng.normal(11, 3, 35)
    y1 = 2.0 - 0.5 * b1 + rng.normal(0, 1, 40)
    y0 = 0.0 - 0.5 * b0 + rng.normal(0, 1, 35)
    d = ancova(y1, b1, y0, b0)

    def centred(x: np.ndarray) -> np.ndarray:
        return x - x.mean()

    slope = (centred(b1) @ centred(y1) + centred(b0) @ centred(y0)) / (
        centred(b1) @ centred(b1) + centred(b0) @ centred(b0)
    )
    adjusted = (y1.mean() - y0.mean()) - slope * (b1.mean() - b0.mean())
    assert d.estimate == pytest.approx(adjusted, rel=1e-9)
    assert d.df == 72 and d.ci_low < 2.0 < d.ci_high
    welch = difference(y1, y0)
    assert d.ci_high - d.ci_low < welch.ci_high - welch.ci_low  # baseline explains variance


def test_spec_can_ask_for_ancova() -> None:
    d = small_spec_dict()
    d["analysis"]["method"] = "ancova"
    spec = spec_from_dict(d)
    e = run_trial(spec).effects[0]
    assert spec.method == "ancova" and e.difference.df == 12 - 3


def test_a_stored_run_resumes_with_the_same_numbers(small_spec: TrialSpec, tmp_path: Path) -> None:
    fresh = run_trial(small_spec, chunk=2).to_dict()["effects"]
    first = run_trial(small_spec, chunk=2, store=tmp_path).to_dict()["effects"]
    chunks = sorted(tmp_path.glob(f"{spec_digest(small_spec)}-*.npz"))
    assert len(chunks) == 6 and first == fresh
    chunks[0].unlink()  # as if interrupted before the last chunk came back
    chunks[1].write_bytes(b"cut off")
    done: list[int] = []
    again = run_trial(small_spec, chunk=2, store=tmp_path, progress=lambda d, t: done.append(d))
    assert again.to_dict()["effects"] == fresh
    assert done == [5, 6]  # four chunks were read back, two simulated
    assert spec_digest(small_spec.with_n(4)) != spec_digest(small_spec)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "trials"


def test_example_powers_follow_the_trial_evidence() -> None:
    """dp-ucMGP: tens per arm suffice; lumbar BMD: 50 per arm do not."""
    from k2lab.population.spec import load_spec

    dp = load_spec(EXAMPLES / "dp_ucmgp_12_weeks.toml")
    assert power_curve(dp, "dp_ucMGP_pmol_per_L", [20], replicates=20).power[0] >= 0.8
    bmd = load_spec(EXAMPLES / "bmd_lumbar_3_years.toml")
    curve = power_curve(bmd, "bmd_lumbar_spine_change_percent", [50], replicates=10)
    assert curve.power[0] < 0.8
