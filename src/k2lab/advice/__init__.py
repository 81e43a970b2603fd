"""Advice: rules over a person's profile, intake, supplements and medications, with evidence.

k2lab informs; it does not diagnose or prescribe (see :data:`DISCLAIMER`). This package
computes advice items; :mod:`k2lab.report` composes them with the intake.
"""

from k2lab.advice.evidence import Claim, RuleData, claim, claims, rule_data
from k2lab.advice.inr import (
    DEFAULT_INR_TARGET,
    InrEffect,
    InrPredictor,
    ModelledInr,
    PublishedDoseResponse,
)
from k2lab.advice.items import DISCLAIMER, GAP_RULES, Advice, Severity, first_change
from k2lab.advice.profile import (
    MEDICATIONS,
    POPULATIONS,
    AdviceError,
    DrugClass,
    Profile,
    parse_medication,
)
from k2lab.advice.rules import advise
from k2lab.advice.suggest import (
    SUGGESTION_FOODS,
    GapFood,
    daily_limit_g,
    foods_to_close,
    suggestion_foods,
)

__all__ = [
    "DEFAULT_INR_TARGET",
    "DISCLAIMER",
    "GAP_RULES",
    "MEDICATIONS",
    "POPULATIONS",
    "SUGGESTION_FOODS",
    "Advice",
    "AdviceError",
    "Claim",
    "DrugClass",
    "GapFood",
    "InrEffect",
    "InrPredictor",
    "ModelledInr",
    "Profile",
    "PublishedDoseResponse",
    "RuleData",
    "Severity",
    "advise",
    "claim",
    "claims",
    "daily_limit_g",
    "first_change",
    "foods_to_close",
    "parse_medication",
    "rule_data",
    "suggestion_foods",
]
