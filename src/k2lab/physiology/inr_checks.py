"""The model's INR response to added vitamin K against published studies of stable warfarin
patients (``data/inr_intake_checks.csv``; validation only, none of them set a parameter).

Example
-------
>>> [c.source_key for c in published_checks()]
['khan2004_bjh', 'foroughi2016_jpc']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from k2lab.physiology.inr_stability import inr_sensitivity

__all__ = ["InrCheck", "published_checks"]


@dataclass(frozen=True)
class InrCheck:
    """A published INR response to added vitamin K, with the model's for the same change."""

    check_id: str
    source_key: str
    description: str
    observed_inr_change: float
    model_inr_change: float
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in vars(self).items()}


def published_checks(params: Mapping[tuple[str, str], float] | None = None) -> tuple[InrCheck, ...]:
    """The studies in ``data/inr_intake_checks.csv`` against the model (central parameters).
    Validation only: none of them was used to set the INR parameters."""
    text = resources.files("k2lab.data").joinpath("inr_intake_checks.csv").read_text("utf-8")
    return tuple(
        InrCheck(
            check_id=row["check_id"],
            source_key=row["source_key"],
            description=row["description"],
            observed_inr_change=float(row["observed_inr_change"]),
            model_inr_change=inr_sensitivity(
                background_ug_per_day=float(row["background_ug_per_day"]),
                added_ug_per_day=float(row["added_ug_per_day"]),
                added_days=int(row["added_days"]),
                vitamer=row["vitamer"],
                matrix=row["matrix"],
                params=params,
            ),
            note=row["observed_note"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )
