"""Anticoagulation: INR under a vitamin K antagonist, and which drugs that applies to.

Under warfarin or acenocoumarol the patient is assumed titrated to a target INR before
the supplement starts. Clotting activity is the hepatic carboxylated fraction relative to
the same person without the antagonist, with first-order turnover;

    INR = activity ** (-exponent).

DOACs (apixaban, rivaroxaban, dabigatran, edoxaban) do not act through vitamin K: no INR
change is predicted for them.

Example
-------
>>> round(inr_from_activity(0.5, exponent=1.0), 2)
2.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from k2lab import vocab
from k2lab.vocab import DOACS

__all__ = [
    "DOACS",
    "DOAC_NOTE",
    "MEDICATIONS",
    "VKAS",
    "activity_for_inr",
    "inr_from_activity",
]

FloatArray = NDArray[np.float64]

#: Vitamin K antagonists with INR parameters (phenprocoumon, far longer-acting, has none).
VKAS: tuple[str, ...] = ("warfarin", "acenocoumarol")
#: Medications the vitamin K physiology accepts: the antagonists above (INR predicted) and
#: every other known medication except those it cannot represent (a note explains them).
MEDICATIONS: tuple[str, ...] = tuple(
    m for m in vocab.MEDICATIONS if m not in vocab.VKAS or m in VKAS
)

DOAC_NOTE = (
    "{drug} is a direct oral anticoagulant: its effect does not depend on vitamin K, so "
    "vitamin K intake is not predicted to change its anticoagulation and INR is not a "
    "meaningful monitor for it."
)


def inr_from_activity(activity: FloatArray | float, exponent: float) -> FloatArray | float:
    """INR from clotting activity relative to no anticoagulant (1 = normal)."""
    a = np.maximum(np.asarray(activity, dtype=np.float64), 1e-6)
    out = a ** (-exponent)
    return float(out) if out.ndim == 0 else out


def activity_for_inr(inr: float, exponent: float) -> float:
    """Clotting activity that gives ``inr`` (inverse of :func:`inr_from_activity`)."""
    return float(inr ** (-1.0 / exponent))
