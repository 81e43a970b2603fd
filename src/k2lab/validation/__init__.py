"""Calibration and validation of both layers against one table of published trial arms.

- :func:`load_trials` -> :class:`TrialArm` rows of ``k2lab/data/trial_arms.csv`` (both layers);
- :func:`exposure_arm`, :func:`system_arms` - an arm as the physiology's or the calcium
  system's inputs;
- :func:`calibrate` -> :class:`Calibration`: both layers' calibrated parameters, fitted to the
  calibration arms;
- :func:`validate` -> :class:`Validation`: every arm against the model with the shipped
  parameters, rendered by :func:`validation_markdown` (``docs/validation.md``,
  ``k2lab validate``) and :func:`validation_json` (``k2lab validate --json``).
"""

from __future__ import annotations

from k2lab.validation.calibrate import (
    PHYSIOLOGY_PARAMETERS,
    Calibration,
    FittedParameter,
    calibrate,
    calibrated_params_csv,
    shipped_parameters,
)
from k2lab.validation.checks import Check, model_checks
from k2lab.validation.predict import ArmResult, predict_arms
from k2lab.validation.report import (
    EndpointError,
    Validation,
    calcium_trials_markdown,
    endpoint_errors,
    validate,
    validation_json,
    validation_markdown,
)
from k2lab.validation.scenarios import ExposureArm, SystemArms, exposure_arm, system_arms
from k2lab.validation.trials import TrialArm, load_trials

__all__ = [
    "PHYSIOLOGY_PARAMETERS",
    "ArmResult",
    "Calibration",
    "Check",
    "EndpointError",
    "ExposureArm",
    "FittedParameter",
    "SystemArms",
    "TrialArm",
    "Validation",
    "calcium_trials_markdown",
    "calibrate",
    "calibrated_params_csv",
    "endpoint_errors",
    "exposure_arm",
    "load_trials",
    "model_checks",
    "predict_arms",
    "shipped_parameters",
    "system_arms",
    "validate",
    "validation_json",
    "validation_markdown",
]
