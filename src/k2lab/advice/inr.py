"""Expected INR effect of MK-7 with a vitamin K antagonist: the plug-in point for an INR model.

:class:`InrPredictor` is what :func:`k2lab.advice.advise` calls. k2lab's exposure
model answers (:class:`ModelledInr`, the default of :func:`k2lab.advice.advise`);
:class:`PublishedDoseResponse` answers from the published dose-response facts in
``data/vka_mk7_response.csv`` (Theuwissen 2013) for drugs the model does not cover.

Example
-------
>>> e = PublishedDoseResponse()(medication="warfarin", mk7_ug_per_day=100.0, k1_ug_per_day=80.0)
>>> e.group_inr_change_pct, round(e.inr_after or 0, 1)
(-40.0, 1.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from k2lab.foods.build import read_data_csv

#: Middle of the usual therapeutic INR range 2-3, used when no target INR is given.
DEFAULT_INR_TARGET = 2.5


@dataclass(frozen=True)
class InrEffect:
    """Expected INR effect of a vitamin K intake with a VKA.

    ``group_inr_change_pct`` is a relative change of the INR (-40 = falls by 40 %);
    ``share_with_relevant_fall_pct`` the share of patients with a clinically relevant
    fall; ``inr_after`` the INR expected from ``inr_before``; None where unknown.
    """

    mk7_ug_per_day: float
    inr_before: float
    inr_after: float | None
    group_inr_change_pct: float | None
    share_with_relevant_fall_pct: float | None
    basis: str
    source_keys: tuple[str, ...]

    def describe(self) -> str:
        """One or two sentences for people."""
        if self.group_inr_change_pct is not None and self.inr_after is not None:
            return (
                f"Expected effect: the INR falls by about {abs(self.group_inr_change_pct):.0f}% "
                f"(from {self.inr_before:.1f} to about {self.inr_after:.1f}, below the usual 2–3 "
                f"range), which weakens anticoagulation; {self.basis}"
            )
        if self.share_with_relevant_fall_pct is not None:
            return (
                f"Expected effect: a clinically relevant INR fall in at least "
                f"{self.share_with_relevant_fall_pct:.0f}% of patients at this dose; {self.basis}"
            )
        return f"Expected effect: below the lowest MK-7 dose studied; {self.basis}"


class InrPredictor(Protocol):
    """Anything that predicts the INR effect of a daily vitamin K intake with a VKA.

    The physiology model of issue 3 plugs in here (an adapter around its exposure/INR
    simulation), passed as ``advise(..., inr_model=...)``.
    """

    def __call__(
        self,
        *,
        medication: str,
        mk7_ug_per_day: float,
        k1_ug_per_day: float,
        inr_target: float = DEFAULT_INR_TARGET,
    ) -> InrEffect: ...


@cache
def _rows() -> tuple[dict[str, str], ...]:
    return tuple(read_data_csv("vka_mk7_response.csv"))


class PublishedDoseResponse:
    """INR effect from the published MK-7 dose-response with a VKA (step function).

    At or above the highest dose studied (45 µg/day) the group INR change observed there
    (-40 %) is used as a lower bound of the effect; between 10 and 45 µg/day the share of
    patients with a relevant INR fall is reported.
    """

    def __call__(
        self,
        *,
        medication: str,
        mk7_ug_per_day: float,
        k1_ug_per_day: float,
        inr_target: float = DEFAULT_INR_TARGET,
    ) -> InrEffect:
        rows = sorted(_rows(), key=lambda r: float(r["mk7_ug_per_day"]))
        applicable = [r for r in rows if float(r["mk7_ug_per_day"]) <= mk7_ug_per_day]
        keys = tuple(sorted({r["source_key"] for r in rows}))
        if not applicable:
            return InrEffect(
                mk7_ug_per_day, inr_target, None, None, None,
                f"lowest dose studied is {float(rows[0]['mk7_ug_per_day']):g} µg/day MK-7 "
                "(Theuwissen 2013).",
                keys,
            )  # fmt: skip
        change = next(
            (float(r["group_inr_change_pct"]) for r in reversed(applicable)
             if r["group_inr_change_pct"]),
            None,
        )  # fmt: skip
        share = next(
            (float(r["share_with_relevant_inr_fall_pct"]) for r in reversed(applicable)
             if r["share_with_relevant_inr_fall_pct"]),
            None,
        )  # fmt: skip
        dose = float(applicable[-1]["mk7_ug_per_day"])
        basis = (
            f"published group result at {dose:g} µg/day MK-7 in anticoagulated volunteers "
            f"(Theuwissen 2013); your {mk7_ug_per_day:.0f} µg/day is at or above that dose, so "
            "the effect is at least this large. This is not a personal prediction."
        )
        after = None if change is None else inr_target * (1 + change / 100)
        return InrEffect(mk7_ug_per_day, inr_target, after, change, share, basis, keys)


class ModelledInr:
    """INR effect predicted by k2lab's exposure model (:mod:`k2lab.physiology`).

    Simulates a patient titrated to ``inr_target`` on their usual diet who adds
    ``mk7_ug_per_day`` MK-7 every day for ``weeks`` weeks (MK-7 reaches its plateau in
    about three weeks), and reports the INR at the end with the model's 90% interval.
    The model's INR response is calibrated to Theuwissen 2013 (docs/validation.md).
    Medications the model does not cover (e.g. phenprocoumon) fall back to the
    published dose-response.
    """

    def __init__(self, weeks: float = 6.0, n_samples: int = 30) -> None:
        self.weeks = weeks
        self.n_samples = n_samples

    def __call__(
        self,
        *,
        medication: str,
        mk7_ug_per_day: float,
        k1_ug_per_day: float,
        inr_target: float = DEFAULT_INR_TARGET,
    ) -> InrEffect:
        from k2lab.physiology.exposure import ExposureOptions, simulate_exposure
        from k2lab.physiology.inr import VKAS
        from k2lab.regimen import Dose

        published = PublishedDoseResponse()(
            medication=medication, mk7_ug_per_day=mk7_ug_per_day, k1_ug_per_day=k1_ug_per_day,
            inr_target=inr_target,
        )  # fmt: skip
        if medication not in VKAS or mk7_ug_per_day <= 0:
            return published
        days = round(self.weeks * 7)
        doses = [Dose(d * 24.0 + 8.0, "MK-7", mk7_ug_per_day) for d in range(days)]
        result = simulate_exposure(
            doses, medication=medication, hours=days * 24.0,
            options=ExposureOptions(step_h=24.0, n_samples=self.n_samples, inr_target=inr_target),
        )  # fmt: skip
        inr = result.endpoints["INR"]
        basis = (
            f"k2lab's exposure model predicts INR {inr.final:.1f} after {self.weeks:g} weeks "
            f"(90% interval {inr.low:.1f}-{inr.high:.1f}; calibrated to Theuwissen 2013, where "
            "45 µg/day MK-7 lowered the group INR by about 40%). A model estimate for a typical "
            "patient, not a personal prediction."
        )
        return InrEffect(
            mk7_ug_per_day, inr_target, inr.final, inr.change_percent,
            published.share_with_relevant_fall_pct, basis,
            (*published.source_keys, "k2lab_calibration"),
        )  # fmt: skip


__all__ = [
    "DEFAULT_INR_TARGET",
    "InrEffect",
    "InrPredictor",
    "ModelledInr",
    "PublishedDoseResponse",
]
