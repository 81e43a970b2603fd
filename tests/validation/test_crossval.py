"""Leave-one-trial-out cross-validation of the physiology calibration."""

from __future__ import annotations

import pytest

from k2lab.physiology.params import default_parameters
from k2lab.validation.crossval import leave_one_trial_out, loo_endpoint_errors
from k2lab.validation.predict import predict_exposure


def test_every_calibration_arm_is_predicted_without_its_own_trial() -> None:
    loo = leave_one_trial_out()
    assert {r.arm.role for r in loo} == {"calibration"} and len(loo) >= 7
    full = {r.arm.arm_id: predict_exposure(r.arm, default_parameters()) for r in loo}
    # Without Westenfeld nothing informs the hemodialysis factor, so its arm moves off the
    # full fit (which matches it within 0.1 pp).
    w = next(r for r in loo if r.arm.arm_id == "westenfeld_135_mgp")
    assert abs(full[w.arm.arm_id] - w.arm.observed) < 0.1
    assert abs(w.error) > 5.0
    rows = {name: (n, rms) for name, n, rms, _, _ in loo_endpoint_errors(loo)}
    assert rows["all endpoints in pp"][0] == sum(r.arm.error_unit == "pp" for r in loo)
    assert rows["INR"][1] == pytest.approx(
        abs(next(r.error for r in loo if r.arm.endpoint == "INR"))
    )
