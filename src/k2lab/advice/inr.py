"""Expected INR effect of MK-7 with a vitamin K antagonist: the plug-in point for an INR model.

:class:`InrPredictor` is what :func:`k2lab.advice.advise` calls. Until the physiology
model (issue 3) is merged, :class:`PublishedDoseResponse` answers from the published
dose-response facts in ``data/vka_mk7_response.csv`` (Theuwissen 2013): it states group
results, not a personal prediction.

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


__all__ = ["DEFAULT_INR_TARGET", "InrEffect", "InrPredictor", "PublishedDoseResponse"]
