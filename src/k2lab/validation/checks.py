"""Checks of model behaviour: properties of the vitamin K physiology at central parameters
compared with statements from the literature (not trial arms: no error is computed).

Example
-------
>>> checks = model_checks()
>>> checks[0].label, checks[0].value
('MK-7 420 ug single dose: tmax', '5.1 h')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from k2lab.physiology.exposure import group_doses, simulate_trajectories
from k2lab.physiology.params import default_parameters
from k2lab.physiology.pk import disposition_modes
from k2lab.regimen import Dose, parse_regimen

__all__ = ["Check", "model_checks"]


@dataclass(frozen=True)
class Check:
    """A model property compared with a statement from the literature."""

    label: str
    value: str
    expectation: str
    source_key: str


def _single_dose(vitamer: str, amount_ug: float, hours: float) -> dict[str, np.ndarray]:
    groups = group_doses([Dose(0.0, vitamer, amount_ug)])
    return simulate_trajectories(
        groups,
        population="healthy",
        medication=None,
        step_h=0.1,
        n_steps=int(hours / 0.1),
        params=default_parameters(),
    )


def model_checks() -> list[Check]:
    """Central-parameter checks of the PK and INR behaviour named in the issue."""
    p = default_parameters()
    mk7 = (
        _single_dose("MK-7", 420.0, 72.0)["plasma_MK7_nmol_per_L"]
        - p[("plasma_nmol_per_L", "healthy/MK-7")]
    )
    mk4 = (
        _single_dose("MK-4", 420.0, 72.0)["plasma_MK4_nmol_per_L"]
        - p[("plasma_nmol_per_L", "healthy/MK-4")]
    )
    t = np.arange(mk7.size) * 0.1
    i48 = round(48 / 0.1)
    checks = [
        Check(
            "MK-7 420 ug single dose: tmax",
            f"{t[np.argmax(mk7)]:.1f} h",
            "2-8 h (6 h)",
            "sato2012_nutrj",
        ),
        Check(
            "MK-7 420 ug: C(48 h)/Cmax above baseline",
            f"{mk7[i48] / mk7.max():.2f}",
            "clearly detectable at 48 h",
            "sato2012_nutrj",
        ),
        Check(
            "MK-4 420 ug: Cmax / MK-7 Cmax",
            f"{mk4.max() / mk7.max():.2f}",
            "MK-4 not detectable (far below MK-7)",
            "sato2012_nutrj",
        ),
        Check(
            "MK-4 420 ug: AUC(0-72 h) / MK-7 AUC",
            f"{mk4.sum() / mk7.sum():.3f}",
            "far below",
            "sato2012_nutrj",
        ),
        Check(
            "MK-4 420 ug: C(24 h) / MK-7 C(24 h)",
            f"{mk4[240] / mk7[240]:.3f}",
            "far below",
            "sato2012_nutrj",
        ),
        Check(
            "MK-7 terminal half-life",
            f"{disposition_modes('MK-7', p).terminal_half_life_h:.0f} h",
            "about 3 days (prior 68 h)",
            "jadams_wiki",
        ),
    ]
    weeks = 8
    acc = {}
    for v in ("MK-7", "K1"):
        doses = parse_regimen(f"{v} 100 ug daily").doses(weeks * 168)
        traj = simulate_trajectories(
            group_doses(doses),
            population="healthy",
            medication=None,
            step_h=24.0,
            n_steps=weeks * 7,
            params=p,
        )[f"plasma_{v.replace('-', '')}_nmol_per_L"]
        acc[v] = traj - traj[0]
    checks.append(
        Check(
            "Daily 100 ug for 8 weeks: MK-7 / K1 mean plasma increment (same ug)",
            f"{acc['MK-7'][-7:].mean() / acc['K1'][-7:].mean():.1f}",
            "several-fold (7-8x at equimolar doses, by construction of CL/F)",
            "schurgers2007_blood",
        )
    )
    ss = acc["MK-7"][-1]
    day90 = int(np.argmax(acc["MK-7"] >= 0.9 * ss))
    checks.append(
        Check(
            "MK-7 daily: day reaching 90% of the week-8 level",
            f"day {day90}",
            "plateau at day 14-20",
            "examine_vitk;kinon_eu",
        )
    )
    for label, regimen, weeks_inr, expect, key in (
        (
            "K1 100 ug/d, 1 week, acenocoumarol INR 2.0",
            "K1 100 ug daily",
            1,
            "no significant INR change",
            "schurgers2004_blood",
        ),
        (
            "K1 150 ug/d, 1 week, acenocoumarol INR 2.0",
            "K1 150 ug daily",
            1,
            "first significant INR lowering",
            "schurgers2004_blood",
        ),
        (
            "MK-7 10 ug/d, 2 weeks, acenocoumarol INR 2.0",
            "MK-7 10 ug daily",
            2,
            "clinically relevant lowering in >= 40% of subjects",
            "theuwissen2013_jth",
        ),
    ):
        traj = simulate_trajectories(
            group_doses(parse_regimen(regimen).doses(weeks_inr * 168)),
            population="healthy",
            medication="acenocoumarol",
            step_h=24.0,
            n_steps=weeks_inr * 7,
            params=p,
            inr_target=2.0,
        )["INR"]
        checks.append(
            Check(
                label,
                f"INR {traj[0]:.2f} -> {traj[-1]:.2f} ({100 * (traj[-1] / traj[0] - 1):+.0f}%)",
                expect,
                key,
            )
        )
    return checks
