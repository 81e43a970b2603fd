"""Advice: rules over a person's profile, intake, supplements and medications, with evidence.

k2lab informs; it does not diagnose or prescribe (see :data:`DISCLAIMER`).
"""

from k2lab.advice.evidence import Claim, RuleData, cite, claim, claims, rule_data, sources
from k2lab.advice.inr import (
    DEFAULT_INR_TARGET,
    InrEffect,
    InrPredictor,
    ModelledInr,
    PublishedDoseResponse,
)
from k2lab.advice.profile import (
    MEDICATIONS,
    POPULATIONS,
    AdviceError,
    DrugClass,
    Profile,
    parse_medication,
)
from k2lab.advice.rules import Advice, Severity, advise
from k2lab.report import DISCLAIMER

__all__ = [
    "DEFAULT_INR_TARGET",
    "DISCLAIMER",
    "MEDICATIONS",
    "POPULATIONS",
    "Advice",
    "AdviceError",
    "Claim",
    "DrugClass",
    "InrEffect",
    "InrPredictor",
    "ModelledInr",
    "Profile",
    "PublishedDoseResponse",
    "RuleData",
    "Severity",
    "advise",
    "cite",
    "claim",
    "claims",
    "parse_medication",
    "rule_data",
    "sources",
]
