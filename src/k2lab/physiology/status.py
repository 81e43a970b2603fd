"""Gla status over time for one parameter set: the deterministic core of the physiology.

:func:`group_doses` turns doses into the core's input; :func:`simulate_trajectories` gives
plasma vitamers, ucOC, dp-ucMGP and (under a vitamin K antagonist) INR on a time grid by
exact superposition of the linear kinetics. :mod:`k2lab.physiology.exposure` draws the
parameter sets and summarises the draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from k2lab.physiology.absorption import ka_factor, relative_bioavailability
from k2lab.physiology.gla import carboxylated_fraction, ec50_multiplier_for_target, turnover
from k2lab.physiology.inr import VKAS, activity_for_inr, inr_from_activity
from k2lab.physiology.pk import Modes, disposition_modes, superpose_grid
from k2lab.regimen import Dose
from k2lab.units import ug_to_nmol
from k2lab.vocab import SIMULATED_VITAMERS as VITAMERS
from k2lab.vocab import plasma_endpoint_name

__all__ = ["group_doses", "simulate_trajectories"]

FloatArray = NDArray[np.float64]
_PLASMA_BASE = {"healthy": "healthy", "postmenopausal": "postmenopausal", "hemodialysis": "healthy"}
_PLASMA_SHOWN = ("K1", "MK-4", "MK-7")


def group_doses(doses: Sequence[Dose]) -> dict[tuple[str, str], tuple[FloatArray, FloatArray]]:
    """Dose times (h) and amounts (nmol) by ``(vitamer, matrix)``, the core's input."""
    groups: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for d in doses:
        times, amounts = groups.setdefault((d.vitamer, d.matrix), ([], []))
        times.append(d.time_h)
        amounts.append(ug_to_nmol(d.vitamer, d.amount_ug))
    return {k: (np.array(t), np.array(a)) for k, (t, a) in groups.items()}


def simulate_trajectories(
    groups: Mapping[tuple[str, str], tuple[FloatArray, FloatArray]],
    *,
    population: str,
    medication: str | None,
    step_h: float,
    n_steps: int,
    params: Mapping[tuple[str, str], float],
    inr_target: float | None = None,
) -> dict[str, FloatArray]:
    """Deterministic core: one parameter set -> trajectories on ``k * step_h``, k=0..n.

    ``groups`` maps ``(vitamer, matrix)`` to dose times (h) and amounts (nmol).
    """
    p = params
    status = p[("vitamin_k_status", population)]
    base = _PLASMA_BASE[population]
    baseline = {v: status * p.get(("plasma_nmol_per_L", f"{base}/{v}"), 0.0) for v in VITAMERS}
    reference = {v: p.get(("plasma_nmol_per_L", f"healthy/{v}"), 0.0) for v in VITAMERS}
    zero_pts, zero_means = np.zeros(n_steps + 1), np.zeros(n_steps)
    points = dict.fromkeys(VITAMERS, zero_pts)
    means = dict.fromkeys(VITAMERS, zero_means)
    tissue_times: list[FloatArray] = []
    tissue_nmol: list[FloatArray] = []
    cache: dict[tuple[str, float], Modes] = {}
    for (vitamer, matrix), (times, nmol) in groups.items():
        absorbed = nmol * relative_bioavailability(vitamer, matrix, p)
        if vitamer == "K1":
            conversion = p[("conversion_to_mk4_fraction", "K1")]
            tissue_times.append(times)
            tissue_nmol.append(absorbed * conversion)
            absorbed = absorbed * (1.0 - conversion)
        kf = ka_factor(vitamer, matrix, p)
        modes = cache.get((vitamer, kf))
        if modes is None:
            modes = cache[(vitamer, kf)] = disposition_modes(vitamer, p, kf)
        pts, mns = superpose_grid(times, absorbed, modes, step_h, n_steps)
        points[vitamer] = points[vitamer] + pts
        means[vitamer] = means[vitamer] + mns
    tissue_means = zero_means
    if tissue_times:
        # K1 -> MK-4 in tissues (oral route): MK-4 kinetics, extrahepatic activity only.
        _, tissue_means = superpose_grid(
            np.concatenate(tissue_times),
            np.concatenate(tissue_nmol),
            disposition_modes("MK-4", p),
            step_h,
            n_steps,
        )

    def availability(tissue: str, level: Mapping[str, FloatArray | float]) -> FloatArray:
        total = np.zeros(n_steps)
        for v in VITAMERS:
            total = total + p[(f"potency_{tissue}", v)] * level[v]
        return total

    # Added vitamin K reaches the tissues scaled by the population's response factor
    # (1 for healthy adults; calibrated for hemodialysis).
    response = p[("dose_response_factor", population)]
    liver_0 = float(availability("liver", baseline)[0])
    ext_0 = float(availability("extrahepatic", baseline)[0])
    liver_now = liver_0 + response * availability("liver", means)
    ext_now = ext_0 + response * (
        availability("extrahepatic", means) + p[("potency_extrahepatic", "MK-4")] * tissue_means
    )
    liver_ref = float(availability("liver", reference)[0])
    ext_ref = float(availability("extrahepatic", reference)[0])

    ec50_liver = p[("liver_ec50_fraction", "all")] * liver_ref
    hill = p[("liver_hill", "all")]
    ec50_vessel = p[("vessel_ec50_nmol_per_L", "all")]
    # Each Gla protein keeps a residual uncarboxylated fraction that supplements do not
    # remove (``residual_uncarboxylated_fraction``): u = r + (1 - r)(1 - f). The bone EC50
    # is set so that the healthy baseline ucOC/cOC ratio holds with that residual.
    floor_oc = p.get(("residual_uncarboxylated_fraction", "osteocalcin"), 0.0) or 0.0
    floor_mgp = p.get(("residual_uncarboxylated_fraction", "MGP"), 0.0) or 0.0
    ratio_0 = p[("ucoc_coc_ratio", "healthy")]
    f_bone_0 = 1.0 - (ratio_0 / (1.0 + ratio_0) - floor_oc) / (1.0 - floor_oc)
    ec50_bone = ext_ref * (1.0 - f_bone_0) / f_bone_0
    exponent = p[("inr_activity_exponent", "all")]

    multiplier = 1.0
    f_liver_ref = float(carboxylated_fraction(liver_0, ec50_liver, hill))
    activity_0 = 1.0
    if medication in VKAS:
        target = inr_target if inr_target is not None else p[("inr_target", medication)]
        activity_0 = activity_for_inr(target, exponent)
        multiplier = ec50_multiplier_for_target(liver_0, ec50_liver, hill, f_liver_ref * activity_0)

    day_h = 24.0
    out: dict[str, FloatArray] = {}
    dosed = {vitamer for vitamer, _ in groups}
    for v in VITAMERS:
        if v in _PLASMA_SHOWN or v in dosed:
            if step_h <= 1.0:
                out[plasma_endpoint_name(v)] = baseline[v] + points[v]
            else:
                out[plasma_endpoint_name(v)] = baseline[v] + np.concatenate(
                    ([points[v][0]], means[v])
                )

    def extrahepatic(
        ec50: float, t_half: str, baseline: str, floor: float
    ) -> tuple[FloatArray, FloatArray]:
        """Uncarboxylated fraction over time and the uncarboxylated level (baseline units)."""
        f = turnover(
            np.asarray(carboxylated_fraction(ext_now, ec50 * multiplier)),
            float(carboxylated_fraction(ext_0, ec50 * multiplier)),
            p[(t_half, "all")] * day_h,
            step_h,
        )
        u = floor + (1.0 - floor) * (1.0 - f)
        u_0 = floor + (1.0 - floor) * (1.0 - float(carboxylated_fraction(ext_0, ec50)))
        return u, p[(baseline, population)] / u_0 * u

    _, out["dp_ucMGP_pmol_per_L"] = extrahepatic(
        ec50_vessel, "mgp_response_t_half_d", "dp_ucmgp_pmol_per_L", floor_mgp
    )
    u_bone, out["ucOC_ng_per_mL"] = extrahepatic(
        ec50_bone, "oc_response_t_half_d", "ucoc_ng_per_mL", floor_oc
    )
    out["ucOC_cOC_ratio"] = u_bone / (1.0 - u_bone)

    if medication in VKAS:
        activity = turnover(
            np.asarray(carboxylated_fraction(liver_now, ec50_liver * multiplier, hill))
            / f_liver_ref,
            activity_0,
            p[("clotting_response_t_half_h", "all")],
            step_h,
        )
        out["INR"] = np.asarray(inr_from_activity(activity, exponent))
    return out
