"""The validation of both layers as one result, and its renderings.

:func:`validate` runs every arm of the trials table (:mod:`.predict`) and the model checks
(:mod:`.checks`) into a :class:`Validation`; :func:`validation_markdown` renders
``docs/validation.md`` (what ``k2lab validate`` prints), :func:`validation_json` the
``--json`` output, and :func:`calcium_trials_markdown` the trial table that
``docs/calcium_system.md`` shows.

Example
-------
>>> from k2lab.validation.predict import ArmResult
>>> arm = next(a for a in load_trials() if a.arm_id == "dalmeijer_180_mgp")  # observed -31 %
>>> e = endpoint_errors([ArmResult(arm, -28.0, -40.0, -10.0)])[0]
>>> e.endpoint, e.rms_error, e.unit
('dp_ucMGP_pmol_per_L', 3.0, 'pp')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from k2lab.validation.calibrate import FittedParameter, shipped_parameters
from k2lab.validation.checks import Check, model_checks
from k2lab.validation.posterior_report import posterior_markdown
from k2lab.validation.predict import EXPOSURE_SAMPLES, SYSTEM_SAMPLES, ArmResult, predict_arms
from k2lab.validation.trials import LAYERS, ROLES, TRIALS_FILE, load_trials

__all__ = [
    "EndpointError",
    "Validation",
    "calcium_trials_markdown",
    "endpoint_errors",
    "validate",
    "validation_json",
    "validation_markdown",
]

_DAYS_PER_WEEK = 7.0
_DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Validation:
    """Every arm's figure against the trial, the calibrated parameters as shipped, and the
    model checks."""

    arms: tuple[ArmResult, ...]
    parameters: tuple[FittedParameter, ...]
    checks: tuple[Check, ...]
    exposure_samples: int
    system_samples: int


def validate(
    *, exposure_samples: int = EXPOSURE_SAMPLES, system_samples: int = SYSTEM_SAMPLES
) -> Validation:
    """Run every calibration and validation arm of both layers with the shipped parameters."""
    arms = predict_arms(
        load_trials(), exposure_samples=exposure_samples, system_samples=system_samples
    )
    return Validation(
        tuple(arms),
        tuple(shipped_parameters()),
        tuple(model_checks()),
        exposure_samples,
        system_samples,
    )


@dataclass(frozen=True)
class EndpointError:
    """RMS and mean error over the arms of one endpoint (or all of one unit: ``endpoint``
    then reads ``all endpoints in UNIT``), one layer and one role."""

    layer: str
    endpoint: str
    role: str
    n_arms: int
    rms_error: float
    mean_error: float
    unit: str


def _summary(layer: str, endpoint: str, role: str, rs: Sequence[ArmResult]) -> EndpointError:
    errors = [r.error for r in rs]
    rms = math.sqrt(sum(e * e for e in errors) / len(errors))
    return EndpointError(
        layer, endpoint, role, len(errors), rms, sum(errors) / len(errors), rs[0].arm.error_unit
    )


def endpoint_errors(results: Sequence[ArmResult]) -> list[EndpointError]:
    """Errors per layer, endpoint and role; then per layer, unit and role where a unit has
    more than one endpoint."""
    out = []
    for layer in LAYERS:
        mine = [r for r in results if r.arm.layer == layer]
        for endpoint, role in sorted({(r.arm.endpoint, r.arm.role) for r in mine}):
            group = [r for r in mine if (r.arm.endpoint, r.arm.role) == (endpoint, role)]
            out.append(_summary(layer, endpoint, role, group))
        for unit in sorted({r.arm.error_unit for r in mine}):
            if len({r.arm.endpoint for r in mine if r.arm.error_unit == unit}) < 2:
                continue
            for role in ROLES:
                group = [r for r in mine if r.arm.error_unit == unit and r.arm.role == role]
                if group:
                    out.append(_summary(layer, f"all endpoints in {unit}", role, group))
    return out


def _fmt(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.1f}"


def _range(p: FittedParameter) -> str:
    return "" if p.low is None or p.high is None else f"{p.low:.4g}-{p.high:.4g}"


def calcium_trials_markdown(results: Sequence[ArmResult]) -> str:
    """The calcium system's arms against the trials, with held-out RMS errors by unit."""
    calcium = [r for r in results if r.arm.layer == "calcium"]
    lines = [
        "| trial | role | comparison | years | observed | model (90% interval) | model − observed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in calcium:
        a = r.arm
        observed = f"{a.observed:+.2f} {a.error_unit}" + (
            f" ({a.observed_range})" if a.observed_range else ""
        )
        lines.append(
            f"| {a.trial} | {a.role} | {a.comparison} | {a.duration_days / _DAYS_PER_YEAR:.2g} | "
            f"{observed} | {r.predicted:+.2f} ({r.low:+.2f} to {r.high:+.2f}) | {r.error:+.2f} |"
        )
    lines.append("")
    for unit, label in (("pp", "BMD, percentage points"), ("AU", "calcification, Agatston units")):
        held = [r.error for r in calcium if r.arm.role == "validation" and r.arm.error_unit == unit]
        if held:
            rms = math.sqrt(sum(e * e for e in held) / len(held))
            lines.append(f"Held-out RMS error, {label}: {rms:.2f} ({len(held)} comparisons).")
    return "\n".join(lines) + "\n"


def _physiology_arms_table(results: Sequence[ArmResult]) -> list[str]:
    lines = [
        "| role | arm | population | regimen | weeks | endpoint | observed | predicted "
        "| 90% interval | error |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        a = r.arm
        if a.layer != "physiology":
            continue
        unit = "%" if a.metric == "change_percent" else ""
        med = f" + {a.medication}" if a.medication else ""
        lines.append(
            f"| {a.role} | {a.arm_id} | {a.population}{med} | {a.regimen} ({a.matrix}) | "
            f"{a.duration_days / _DAYS_PER_WEEK:g} | {a.endpoint} ({a.metric}) | "
            f"{a.observed:g}{unit} | {_fmt(r.predicted)}{unit} | "
            f"{_fmt(r.low)} to {_fmt(r.high)} | {r.error:+.1f} |"
        )
    return lines


def validation_markdown(v: Validation) -> str:
    """Markdown report of both layers' calibration and validation (``docs/validation.md``)."""
    lines = [
        "# Validation against published trials",
        "",
        "Generated by `k2lab validate` from the shipped parameters and",
        f"`src/k2lab/data/{TRIALS_FILE}` (one table for the vitamin K physiology and the",
        "calcium system); do not edit by hand. Calibration arms were used to fit the",
        "parameters below; validation arms were not used for any fit. Errors are model minus",
        "observed: percentage points (pp) for percent changes and BMD changes, Agatston units",
        "(AU) for calcification, percent of the observed value for absolute values. Intervals",
        f"are central 90% ranges over {v.exposure_samples} parameter draws for the physiology",
        f"and {v.system_samples} paired draws for the calcium system (fixed seeds).",
        "",
        "## Fitted parameters",
        "",
        "| layer | parameter | scope | value | range | unit |",
        "|---|---|---|---|---|---|",
    ]
    for p in v.parameters:
        lines.append(
            f"| {p.layer} | {p.name} | {p.scope} | {p.value:.4g} | {_range(p)} | {p.unit} |"
        )
    lines += [
        "",
        "`k2lab.validation.calibrate()` fits both layers (`k2lab validate --write-params`",
        "rewrites the physiology's `calibrated_params.csv`); tests check that the shipped",
        "values are its output. A physiology range comes from refitting for parameter sets",
        "drawn from the priors of all other parameters; a calcium range is the prior around",
        "the calibrated value (`calcium_params.csv`).",
        "",
        "## Vitamin K physiology: arms",
        "",
        *_physiology_arms_table(v.arms),
        "",
        "## Calcium system: trial comparisons",
        "",
        "Paired draws: a difference between arms uses the same parameter draws in both.",
        "",
        calcium_trials_markdown(v.arms).rstrip("\n"),
        "",
        "## Errors per endpoint",
        "",
        "| layer | endpoint | role | arms | RMS error | mean error | unit |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in endpoint_errors(v.arms):
        lines.append(
            f"| {e.layer} | {e.endpoint} | {e.role} | {e.n_arms} | {e.rms_error:.1f} | "
            f"{e.mean_error:+.1f} | {e.unit} |"
        )
    lines += [
        "",
        "## Checks of model behaviour (vitamin K physiology, central parameters)",
        "",
        "| check | model | literature | source |",
        "|---|---|---|---|",
    ]
    for c in v.checks:
        lines.append(f"| {c.label} | {c.value} | {c.expectation} | {c.source_key} |")
    lines += ["", *posterior_markdown().rstrip("\n").split("\n")]
    lines += [
        "",
        "## Reading this honestly",
        "",
        "- Calibration errors are small by construction: five physiology parameters for seven",
        "  targets, and one calcium parameter for each of its three calibration arms.",
        "- Validation arms in other populations and durations are the real test; the",
        "  uncontrolled Aoun 2017 arm (pre-post, no placebo) is expected to overstate the fall.",
        "- Several literature statements (MK-7 half-life, MK-4 at nutritional doses, the",
        "  7-8-fold MK-7/K1 ratio) enter the model as priors or derived parameters, so the",
        "  matching checks are consistency checks, not independent validation.",
        "- The calcium system's misses (K1 and BMD in ECKO, calcification in CKD) are discussed",
        "  in [calcium_system.md](calcium_system.md#against-trials-calibration-and-held-out-arms).",
        "",
    ]
    return "\n".join(lines)


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def validation_json(v: Validation) -> dict[str, Any]:
    """JSON-ready dict of a :class:`Validation` (units in field names; NaN -> None)."""
    return {
        "trials_file": TRIALS_FILE,
        "interval_percent": 90.0,
        "exposure_samples": v.exposure_samples,
        "system_samples": v.system_samples,
        "parameters": [
            {
                "layer": p.layer,
                "name": p.name,
                "scope": p.scope,
                "value": p.value,
                "low": p.low,
                "high": p.high,
                "unit": p.unit,
                "source_key": p.source_key,
            }
            for p in v.parameters
        ],
        "arms": [
            {
                "arm_id": r.arm.arm_id,
                "layer": r.arm.layer,
                "role": r.arm.role,
                "trial": r.arm.trial,
                "source_key": r.arm.source_key,
                "population": r.arm.population,
                "person": dict(r.arm.person),
                "medication": r.arm.medication,
                "background": r.arm.background,
                "regimen": r.arm.regimen,
                "duration_days": r.arm.duration_days,
                "endpoint": r.arm.endpoint,
                "metric": r.arm.metric,
                "comparison": r.arm.comparison,
                "observed": r.arm.observed,
                "observed_range": r.arm.observed_range,
                "predicted": _num(r.predicted),
                "low": _num(r.low),
                "high": _num(r.high),
                "error": _num(r.error),
                "error_unit": r.arm.error_unit,
            }
            for r in v.arms
        ],
        "errors": [
            {
                "layer": e.layer,
                "endpoint": e.endpoint,
                "role": e.role,
                "n_arms": e.n_arms,
                "rms_error": _num(e.rms_error),
                "mean_error": _num(e.mean_error),
                "unit": e.unit,
            }
            for e in endpoint_errors(v.arms)
        ],
        "model_checks": [
            {
                "label": c.label,
                "model": c.value,
                "literature": c.expectation,
                "source_key": c.source_key,
            }
            for c in v.checks
        ],
    }
