"""Bounded carboxylation: a residual uncarboxylated share that supplements do not remove."""

from __future__ import annotations

from k2lab.physiology import ExposureOptions, simulate_exposure
from k2lab.physiology.params import default_parameters
from k2lab.regimen import parse_regimen

_KEYS = (
    ("residual_uncarboxylated_fraction", "osteocalcin"),
    ("residual_uncarboxylated_fraction", "MGP"),
)


def _changes(regimen: str, weeks: int, *, floors: bool) -> tuple[float, float]:
    params = default_parameters()
    if not floors:
        params = params.replace(dict.fromkeys(_KEYS, 0.0))
    hours = weeks * 168
    res = simulate_exposure(
        parse_regimen(regimen).doses(hours),
        population="postmenopausal",
        hours=hours,
        options=ExposureOptions(n_samples=1, params=params),
    )
    return (
        res.endpoints["ucOC_ng_per_mL"].change_percent,
        res.endpoints["dp_ucMGP_pmol_per_L"].change_percent,
    )


def test_the_residual_rows_have_sources_and_ranges() -> None:
    params = default_parameters()
    for key in _KEYS:
        r = params.record(*key)
        assert 0.0 <= r.low < r.high < 0.2 and r.source_key


def test_pharmacological_mk4_leaves_a_residual_ucoc_near_the_trial() -> None:
    # Jiang 2014: MK-4 45 mg/day for a year lowered ucOC by 82.3 % (total OC fell too).
    with_floor, _ = _changes("MK-4 15 mg three times daily", 52, floors=True)
    without, _ = _changes("MK-4 15 mg three times daily", 52, floors=False)
    assert without < -90.0  # the unbounded model drives ucOC almost to zero
    assert -88.0 < with_floor < -70.0
    assert with_floor > without + 10.0


def test_high_dose_mk7_cannot_empty_dp_ucmgp() -> None:
    with_floor_oc, with_floor = _changes("MK-7 2000 ug daily", 26, floors=True)
    without_oc, without = _changes("MK-7 2000 ug daily", 26, floors=False)
    assert with_floor > without + 3.0
    assert with_floor_oc > without_oc + 10.0 and with_floor_oc > -85.0


def test_the_calibration_arms_still_fit_with_the_residual() -> None:
    """Recalibrated with the residual in place, Dalmeijer 2012 stays within 3 pp."""
    from k2lab.validation.predict import predict_exposure
    from k2lab.validation.trials import load_trials

    params = default_parameters()
    for arm in load_trials():
        if arm.layer == "physiology" and arm.role == "calibration":
            assert abs(arm.error(predict_exposure(arm, params))) < 3.0, arm.arm_id
