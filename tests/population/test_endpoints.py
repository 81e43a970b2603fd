"""The trial path (calcium core at its steady state) against the whole calcium system."""

from __future__ import annotations

import numpy as np
import pytest

from k2lab.calcium.params import calcium_parameters
from k2lab.calcium.system import SystemScenario, simulate_system
from k2lab.person import Person
from k2lab.physiology.params import default_parameters
from k2lab.population.endpoints import CORE_ENDPOINTS, TRIAL_ENDPOINTS, person_endpoints
from k2lab.regimen import parse_regimen

DAYS = [0, 28, 84, 365]


@pytest.mark.parametrize("regimens", [(), ("MK-7 180 ug daily",)])
def test_matches_simulate_system(regimens: tuple[str, ...]) -> None:
    person = Person.preset("postmenopausal", age=62, calcification_au=100.0)
    system = simulate_system(SystemScenario(person, k_regimens=regimens), years=1, n_samples=1)
    fast = person_endpoints(
        person,
        [parse_regimen(r) for r in regimens],
        default_parameters(),
        calcium_parameters(),
        DAYS,
    )
    assert set(fast) == set(TRIAL_ENDPOINTS) - set(CORE_ENDPOINTS)
    for name, values in fast.items():
        expected = system.draws[name][0][DAYS]
        if name.startswith("bmd_"):  # the core's bone cells drift by < 1e-4 after burn-in
            np.testing.assert_allclose(values, expected, atol=2e-3)
        else:
            np.testing.assert_allclose(values, expected, rtol=1e-6)
    if regimens:
        assert fast["dp_ucMGP_pmol_per_L"][-1] < 0.8 * fast["dp_ucMGP_pmol_per_L"][0]


def test_placebo_shortcut_equals_a_full_run() -> None:
    person = Person.preset("postmenopausal")
    short = person_endpoints(person, [], default_parameters(), calcium_parameters(), DAYS)
    zero = [parse_regimen("MK-7 0.000001 ug daily")]
    full = person_endpoints(person, zero, default_parameters(), calcium_parameters(), DAYS)
    for name in ("dp_ucMGP_pmol_per_L", "ucOC_ng_per_mL", "bmd_lumbar_spine_change_percent"):
        np.testing.assert_allclose(short[name], full[name], rtol=1e-6, atol=1e-9)
