"""A published model with events, end to end against libroadrunner.

Komarova et al. 2003 (BioModels BIOMD0000000148, curated, CC0; see the comment at the top of
``data/BIOMD0000000148.xml``): osteoclasts and osteoblasts in one remodelling cycle, with
bone mass set in motion by four events that switch resorption and formation on and off
as the cell numbers cross their steady states; every species means an amount
(hasOnlySubstanceUnits) and the steady states are assignment rules.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from k2lab.engine import read_sbml
from k2lab.engine.events import integrate_events

roadrunner = pytest.importorskip("roadrunner")

MODEL = Path(__file__).parent / "data" / "BIOMD0000000148.xml"
OUTPUTS = ["x1", "x2", "z"]


def test_komarova_2003_bone_remodelling_agrees_with_roadrunner() -> None:
    days = np.linspace(0.0, 300.0, 301)
    rr = roadrunner.RoadRunner(str(MODEL))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-10
    reference = rr.simulate(0.0, 300.0, len(days), ["time", *OUTPUTS])
    m = read_sbml(MODEL)
    assert len(m.events) == 4
    run, _, _ = integrate_events(m, days, observe=OUTPUTS, rtol=1e-9)
    for j, name in enumerate(OUTPUTS):
        np.testing.assert_allclose(
            run.observed[name][0], reference[:, j + 1], rtol=1e-6, atol=1e-9, err_msg=name
        )
    # The remodelling cycle ends, with bone mass settled above its start of 100.
    z = run.observed["z"][0]
    assert z[-1] > 110.0 and np.ptp(z[-50:]) < 1e-3
