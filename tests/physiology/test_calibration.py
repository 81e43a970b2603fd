"""Calibration record and the generated validation page."""

from __future__ import annotations

from pathlib import Path

import pytest

from k2lab.physiology.calibration import FREE_PARAMETERS, _fit, load_arms
from k2lab.physiology.params import default_parameters
from k2lab.physiology.validation import validation_report

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


def test_calibration_and_validation_sets_are_separate() -> None:
    arms = load_arms()
    cal = {a.arm_id for a in arms if a.set == "calibration"}
    val = {a.arm_id for a in arms if a.set == "validation"}
    assert cal and val and not cal & val
    assert len(cal) + len(val) == len(arms)
    # No validation arm repeats a calibration arm's regimen and endpoint in the same population.
    signature = {
        (a.population, a.regimen, a.endpoint, a.weeks) for a in arms if a.set == "calibration"
    }
    assert not any(
        (a.population, a.regimen, a.endpoint, a.weeks) in signature
        for a in arms
        if a.set == "validation"
    )


def test_shipped_calibration_reproduces_the_fit() -> None:
    base = default_parameters()
    cal = [a for a in load_arms() if a.set == "calibration"]
    fitted = _fit(cal, base, [base[k] * 1.3 for k in FREE_PARAMETERS])
    for key, value in zip(FREE_PARAMETERS, fitted, strict=True):
        assert base[key] == pytest.approx(value, rel=5e-3), key


def test_committed_validation_page_matches_the_command() -> None:
    assert DOC.read_text(encoding="utf-8") == validation_report()
