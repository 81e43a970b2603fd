"""Small trial specs for the population tests."""

from __future__ import annotations

from typing import Any

import pytest

from k2lab.population.spec import TrialSpec, spec_from_dict


def small_spec_dict(**trial: Any) -> dict[str, Any]:
    """Two arms of 6, visits at 0, 4 and 12 weeks, dp-ucMGP and lumbar BMD."""
    return {
        "trial": {"name": "small", "seed": 11, "visits_weeks": [0, 4, 12], **trial},
        "population": {"preset": "postmenopausal", "inclusion": {"age": [50, 70]}},
        "arms": [
            {"name": "placebo", "n": 6, "regimens": []},
            {"name": "MK-7", "n": 6, "regimens": ["MK-7 180 ug daily"]},
        ],
        "endpoints": [
            {"name": "dp_ucMGP_pmol_per_L", "change": "percent"},
            {"name": "bmd_lumbar_spine_change_percent"},
        ],
        "analysis": {"control": "placebo"},
    }


@pytest.fixture
def small_spec() -> TrialSpec:
    return spec_from_dict(small_spec_dict())
