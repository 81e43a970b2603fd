"""Between-subject variability (BSV) and measurement error, kept apart from uncertainty.

Two levels, as population PK/PD simulators have them:

- **uncertainty**: what is not known about the population's parameters. One draw per trial
  replicate (``ParameterSet.sample``), the same for every person in that replicate.
- **BSV**: how people differ around the population value. One draw per person
  (:func:`individual_parameters`): log-normal (a factor ``exp(sd_log·z)``) for positive
  parameters, normal (an added ``sd·z``) for rates that may change sign.

Measurement error (:data:`MEASUREMENT_ERROR`) is added to each observed value at each visit.
Every entry names a ``source_key`` and says how its width was chosen.

Example
-------
>>> import numpy as np
>>> from k2lab.physiology.params import default_parameters
>>> z = np.random.default_rng(3).standard_normal(len(BSV))
>>> p = individual_parameters(default_parameters(), z, population="postmenopausal")
>>> p.value("vitamin_k_status", "postmenopausal") != 1.0
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from k2lab.physiology.params import ParameterSet

__all__ = [
    "BSV",
    "MEASUREMENT_ERROR",
    "MeasurementError",
    "Variability",
    "individual_parameters",
    "observe",
]


@dataclass(frozen=True)
class Variability:
    """BSV of one parameter: ``{population}`` and ``{bone_scope}`` in ``scope`` are filled in
    per person; ``kind`` is ``lognormal`` (``width`` = SD of the log) or ``normal``."""

    name: str
    scope: str
    kind: str
    width: float
    source_key: str
    note: str


#: BSV of the physiology and calcium-extension parameters.
BSV: tuple[Variability, ...] = (
    Variability(
        "vitamin_k_status",
        "{population}",
        "lognormal",
        0.3,
        "k2lab_prior",
        "Prior: habitual vitamin K intake differs between people by about two-fold; it "
        "sets how far added vitamin K lowers dp-ucMGP and ucOC.",
    ),
    Variability(
        "dp_ucmgp_pmol_per_L",
        "{population}",
        "lognormal",
        0.57,
        "lasa2018",
        "LASA: dp-ucMGP 376 ± 233 pmol/L in adults 55-65 y (CV 0.62, so sd_log = 0.57).",
    ),
    Variability(
        "ucoc_ng_per_mL",
        "{population}",
        "lognormal",
        0.4,
        "k2lab_prior",
        "Prior: ucOC varies between people about as much as dp-ucMGP.",
    ),
    Variability(
        "t_half_h",
        "MK-7",
        "lognormal",
        0.25,
        "k2lab_prior",
        "Prior: PK half-lives typically vary 20-30 % between people.",
    ),
    Variability(
        "clearance_over_f_l_per_h",
        "K1",
        "lognormal",
        0.3,
        "k2lab_prior",
        "Prior: apparent clearance typically varies about 30 % between people.",
    ),
    Variability(
        "vessel_ec50_nmol_per_L",
        "all",
        "lognormal",
        0.3,
        "k2lab_prior",
        "Prior: tissue sensitivity to vitamin K.",
    ),
    Variability(
        "bmd_loss_percent_per_year",
        "{bone_scope}/lumbar_spine",
        "normal",
        1.4,
        "cheung2008",
        "From ECKO (Cheung 2008): the 95 % CI of the 2-year lumbar difference (-0.67 to "
        "0.54 pp, ~220 per arm) gives an SD of change of ~3.2 pp; less 1 pp measurement "
        "error at each of two scans, 2 years of loss differing with SD 1.4 %/y.",
    ),
    Variability(
        "bmd_loss_percent_per_year",
        "{bone_scope}/femoral_neck",
        "normal",
        1.3,
        "cheung2008",
        "From ECKO's total hip CI (-0.37 to 0.75 pp): SD of 2-year change ~3.0 pp, as for "
        "the lumbar spine.",
    ),
    Variability(
        "cac_progression_au_per_year",
        "all",
        "lognormal",
        0.8,
        "shea2009",
        "Prior: CAC progression is strongly skewed between people (Shea 2009 SEM 7 on a "
        "mean gain of 37 AU in ~200 per arm gives an SD near 100 AU).",
    ),
)


@dataclass(frozen=True)
class MeasurementError:
    """Error of one observation: ``kind`` ``proportional`` (a factor ``exp(sd·z)``) or
    ``additive`` (``+ sd·z``, in the endpoint's unit)."""

    endpoint: str
    kind: str
    sd: float
    source_key: str
    note: str


MEASUREMENT_ERROR: dict[str, MeasurementError] = {
    m.endpoint: m
    for m in (
        MeasurementError(
            "dp_ucMGP_pmol_per_L",
            "proportional",
            0.1,
            "k2lab_prior",
            "Prior: immunoassay CV about 10 %.",
        ),
        MeasurementError(
            "ucOC_ng_per_mL", "proportional", 0.15, "k2lab_prior", "Prior: assay CV 15 %."
        ),
        MeasurementError(
            "bmd_lumbar_spine_change_percent",
            "additive",
            1.0,
            "k2lab_prior",
            "Prior: DXA precision about 1 % at the lumbar spine.",
        ),
        MeasurementError(
            "bmd_femoral_neck_change_percent",
            "additive",
            1.5,
            "k2lab_prior",
            "Prior: DXA precision about 1.5 % at the femoral neck.",
        ),
        MeasurementError(
            "plasma_calcium_mmol_per_L",
            "additive",
            0.05,
            "k2lab_prior",
            "Prior: total serum calcium is measured to about ±0.05 mmol/L (analytical CV "
            "about 2 % at 2.4 mmol/L).",
        ),
        MeasurementError(
            "pth_pmol_per_L",
            "proportional",
            0.1,
            "k2lab_prior",
            "Prior: intact PTH immunoassay CV about 10 %.",
        ),
        MeasurementError(
            "vitamin_d25_nmol_per_L",
            "proportional",
            0.1,
            "k2lab_prior",
            "Prior: 25(OH)D immunoassay/LC-MS CV about 10 %.",
        ),
        MeasurementError(
            "calcification_index_AU",
            "additive",
            10.0,
            "k2lab_prior",
            "Prior: repeat CT scoring differs by about 10 AU at low scores.",
        ),
    )
}


def individual_parameters(
    params: ParameterSet,
    z: Sequence[float] | NDArray[np.float64],
    *,
    population: str,
    bone_scope: str = "postmenopausal",
    table: Sequence[Variability] = BSV,
) -> ParameterSet:
    """``params`` (one replicate's population values) with one person's BSV applied.

    ``z`` holds the person's standard-normal deviates, one per entry of ``table``; entries
    whose parameter is not in ``params`` are skipped, so the physiology and the calcium
    tables take the same ``z``.
    """
    values: dict[tuple[str, str], float] = {}
    for v, zi in zip(table, z, strict=True):
        key = (v.name, v.scope.format(population=population, bone_scope=bone_scope))
        if key not in params:
            continue
        base = params[key]
        values[key] = (
            base * math.exp(v.width * zi) if v.kind == "lognormal" else base + v.width * zi
        )
    return params.replace(values)


def observe(endpoint: str, values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``values`` as measured: with the endpoint's error (none when it has no entry)."""
    m = MEASUREMENT_ERROR.get(endpoint)
    z = rng.standard_normal(values.shape)  # drawn always: the stream does not depend on m
    if m is None:
        return values
    if m.kind == "proportional":
        return values * np.exp(m.sd * z)
    return values + m.sd * z
