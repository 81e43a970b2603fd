"""Trial arms as the layers' inputs (one function per layer)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from k2lab.regimen import parse_regimen
from k2lab.validation.scenarios import exposure_arm, system_arms
from k2lab.validation.trials import TrialArm, load_trials


@pytest.fixture(scope="module")
def arms() -> dict[str, TrialArm]:
    return {a.arm_id: a for a in load_trials()}


def test_a_stepped_regimen_gives_each_step_its_weeks(arms: dict[str, TrialArm]) -> None:
    x = exposure_arm(arms["theuwissen_inr"])
    assert x.hours == 6 * 168 and x.inr_target == 2.0 and x.population == "healthy"
    assert [d.time_h for d in x.doses] == [24.0 * day for day in range(42)]
    assert [d.amount_ug for d in x.doses] == [10.0] * 14 + [20.0] * 14 + [45.0] * 14


def test_a_plain_regimen_is_the_regimen_over_the_arm(arms: dict[str, TrialArm]) -> None:
    x = exposure_arm(arms["garber_spinach_auc"])
    assert list(x.doses) == parse_regimen("K1 495 ug once").doses(168.0, matrix="vegetable")
    assert x.medication is None and x.inr_target is None


def test_calcium_arms_share_the_background_and_add_the_regimen(arms: dict[str, TrialArm]) -> None:
    s = system_arms(arms["kurnatowska_mk7_cac"])
    assert s.control.subject.sex == "male" and s.control.subject.egfr_ml_per_min == 30
    assert s.control.vitamin_d_supplement_ug_per_day == 10 and s.control.k_regimens == ()
    assert s.treatment is not None
    assert s.treatment.vitamin_d_supplement_ug_per_day == 10
    assert [r.text for r in s.treatment.regimens] == ["MK-7 90 ug daily"]
    assert round(s.years * 365) == 270  # 38.6 weeks, as the trial's 270 days
    placebo = system_arms(arms["ecko_placebo_spine"])
    assert placebo.treatment is None and placebo.years == 2.0
    assert placebo.control.subject.sun == "moderate"
    assert placebo.control.calcium_supplement_mg_per_day == 0


@pytest.mark.parametrize(
    "name",
    [
        "k2lab.validation.trials",
        "k2lab.validation.scenarios",
        "k2lab.validation.predict",
        "k2lab.validation.calibrate",
        "k2lab.validation.checks",
        "k2lab.validation.report",
        "k2lab.validation.ten_year",
    ],
)
def test_docstring_examples(name: str) -> None:
    assert doctest.testmod(importlib.import_module(name)).failed == 0
