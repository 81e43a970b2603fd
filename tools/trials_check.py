"""Rerun published vitamin K trials as virtual trials; print a Markdown table for
docs/trials.md.

Run from the repository root: ``.venv/bin/python tools/trials_check.py [REPLICATES]``.
Each trial is simulated with its published n per arm, duration and population
``REPLICATES`` times (each replicate draws the parameter uncertainty and new people); the
95 % prediction interval is the 2.5-97.5th percentile of the replicates' estimated
differences. The observed numbers are from ../shared/reference/trials/trials.csv (copied
here with their trial key; nothing is fitted in this script).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

from k2lab.population import run_trial, spec_from_dict


def _dalmeijer(
    dose: int, observed: float, what: str, seed: int
) -> tuple[str, str, dict[str, Any], str, float]:
    """Dalmeijer 2012: adults 40-65 y, 60 randomised to placebo, 180 or 360 ug/d."""
    spec = {
        "trial": {"seed": seed, "visits_weeks": [0, 12]},
        "population": {
            "preset": "healthy",
            "covariates": {
                "age": {"distribution": "normal", "mean": 52, "sd": 7, "low": 40, "high": 65},
                "sex": {
                    "distribution": "categorical",
                    "levels": ["female", "male"],
                    "weights": [0.5, 0.5],
                },
            },
        },
        "arms": [
            {"name": "placebo", "n": 20},
            {"name": f"MK-7 {dose}", "n": 20, "regimens": [f"MK-7 {dose} ug daily"]},
        ],
        "endpoints": [{"name": "dp_ucMGP_pmol_per_L", "change": "percent"}],
    }
    return (
        "Dalmeijer2012",
        f"MK-7 {dose} ug/d, 12 wk, ~20/arm: {what}",
        spec,
        "dp_ucMGP_pmol_per_L",
        observed,
    )


#: (trial key, what was observed, the spec, endpoint, observed difference vs placebo).
TRIALS: list[tuple[str, str, dict[str, Any], str, float]] = [
    _dalmeijer(180, -31.0, "dp-ucMGP -31 % (placebo unchanged)", seed=1),
    _dalmeijer(360, -46.0, "dp-ucMGP -46 %", seed=2),
    (
        "Knapen2015_TH",
        "MK-7 180 ug/d, 3 y, postmenopausal women 55-65 y, 120 vs 124: dp-ucMGP -50 % vs placebo",
        {
            "trial": {"seed": 3, "visits_weeks": [0, 156], "dropout_percent_per_year": 6},
            "population": {"preset": "postmenopausal", "inclusion": {"age": [55, 65]}},
            "arms": [
                {"name": "placebo", "n": 124},
                {"name": "MK-7 180", "n": 120, "regimens": ["MK-7 180 ug daily"]},
            ],
            "endpoints": [{"name": "dp_ucMGP_pmol_per_L", "change": "percent"}],
        },
        "dp_ucMGP_pmol_per_L",
        -50.0,
    ),
    (
        "Cheung2008_ECKO",
        "K1 5 mg/d, 2 y, postmenopausal women (osteopenia), 440 total: lumbar BMD "
        "difference -0.06 pp (95 % CI -0.67 to 0.54)",
        {
            "trial": {"seed": 4, "visits_weeks": [0, 104], "dropout_percent_per_year": 10},
            "population": {
                "preset": "postmenopausal",
                "covariates": {
                    "age": {"distribution": "normal", "mean": 59, "sd": 6, "low": 45, "high": 80}
                },
            },
            "arms": [
                {"name": "placebo", "n": 220},
                {"name": "K1 5 mg", "n": 220, "regimens": ["K1 5 mg daily"]},
            ],
            "endpoints": [{"name": "bmd_lumbar_spine_change_percent"}],
        },
        "bmd_lumbar_spine_change_percent",
        -0.06,
    ),
    (
        "Emaus2010",
        "MK-7 360 ug/d, 1 y, women 50-60 y 1-5 y past menopause, 334 total: total hip "
        "-0.41 vs -0.35 % (difference -0.06 pp; the model's femoral neck stands in)",
        {
            "trial": {"seed": 5, "visits_weeks": [0, 52], "dropout_percent_per_year": 10},
            "population": {"preset": "postmenopausal", "inclusion": {"age": [50, 60]}},
            "arms": [
                {"name": "placebo", "n": 167},
                {"name": "MK-7 360", "n": 167, "regimens": ["MK-7 360 ug daily"]},
            ],
            "endpoints": [{"name": "bmd_femoral_neck_change_percent"}],
        },
        "bmd_femoral_neck_change_percent",
        -0.06,
    ),
]


def main() -> None:
    replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    out = sys.stdout.write
    out(
        "| trial | published | virtual median | 95 % prediction interval | inside | "
        "replicates |\n|---|---|---|---|---|---|\n"
    )
    hits = 0
    t0 = time.perf_counter()
    for key, what, d, endpoint, observed in TRIALS:
        spec = spec_from_dict(d)
        est = [
            next(
                e for e in run_trial(spec, replicate=r).effects if e.endpoint == endpoint
            ).difference.estimate
            for r in range(1, replicates + 1)
        ]
        low, mid, high = np.percentile(est, [2.5, 50, 97.5])
        inside = bool(low <= observed <= high)
        hits += inside
        out(
            f"| {key} | {what} | {mid:+.2f} | {low:+.2f} to {high:+.2f} | "
            f"{'yes' if inside else '**no**'} | {replicates} |\n"
        )
    out(f"\n{hits} of {len(TRIALS)} inside ({time.perf_counter() - t0:.0f} s).\n")


if __name__ == "__main__":
    main()
