"""A power curve as the pool runs it (:class:`PowerJob`), the validation of a request
(:func:`power_job`: the n range, replicates, α, the endpoint and arm of the design, and the
bound on the work), and the defaults the form offers. The routes are
:mod:`k2lab.web.trial_power`.

The work of a curve is bounded: replicates × arms × the largest n × years ≤
:data:`MAX_WEB_POWER_PERSON_YEARS` and replicates × arms × the largest n ≤
:data:`MAX_WEB_POWER_PEOPLE` (short trials cost per person). Larger curves are the CLI's
(``k2lab trial power``, on Dask if you like).

Example
-------
>>> parse_n_range("10:50:20"), parse_n_range("20, 40")
((10, 30, 50), (20, 40))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from k2lab.errors import K2LabError
from k2lab.population import TrialSpec, power_curve
from k2lab.web.power_charts import TARGET_POWER, reaching
from k2lab.web.trial_design import POWER_KIND, PowerChoices, parse_design, power_choices

__all__ = [
    "DEFAULT_REPLICATES",
    "MAX_N_VALUES",
    "MAX_REPLICATES",
    "MAX_WEB_POWER_PEOPLE",
    "MAX_WEB_POWER_PERSON_YEARS",
    "PowerJob",
    "default_n_range",
    "form_context",
    "parse_n_range",
    "power_job",
]

#: Most person-years one web power curve simulates (≈ 15-30 s on 2 shared cores).
MAX_WEB_POWER_PERSON_YEARS = 10_000.0
#: Most people one web power curve simulates (each costs ≈ 0.5 ms however short the trial).
MAX_WEB_POWER_PEOPLE = 20_000
#: Most virtual trials per n, and most n values in one curve.
MAX_REPLICATES = 500
MAX_N_VALUES = 20
DEFAULT_REPLICATES = 40
_RANGE = re.compile(r"\s*(\d{1,6})\s*:\s*(\d{1,6})\s*:\s*(\d{1,6})\s*")
_LIST = re.compile(r"\s*\d{1,6}\s*(,\s*\d{1,6}\s*)*")


def parse_n_range(text: str, field: str = "n") -> tuple[int, ...]:
    """``"start:stop:step"`` (stop included) or a list ``"20, 40, 80"``: the n per arm,
    each ≥ 2, at most :data:`MAX_N_VALUES` of them, ascending and distinct."""
    if m := _RANGE.fullmatch(text):
        start, stop, step = (int(g) for g in m.groups())
        if step < 1 or stop < start:
            raise K2LabError(
                f"n range {text.strip()!r}: need start ≤ stop and a step ≥ 1.", field=field
            )
        ns = tuple(range(start, stop + 1, step))
    elif _LIST.fullmatch(text):
        ns = tuple(sorted({int(x) for x in text.split(",")}))
    else:
        raise K2LabError(
            f"n range {text.strip()[:40]!r}: write start:stop:step (e.g. 10:100:10) or a "
            "list (20, 40, 80).",
            field=field,
        )
    if ns[0] < 2:
        raise K2LabError("Every n per arm must be at least 2.", field=field)
    if len(ns) > MAX_N_VALUES:
        raise K2LabError(
            f"{len(ns)} values of n; the web computes up to {MAX_N_VALUES} per curve "
            "(a larger step).",
            field=field,
        )
    return ns


@dataclass(frozen=True)
class PowerJob:
    """A power curve for the pool: :func:`k2lab.population.power_curve` of ``spec`` (whose
    α is the one asked for) on ``endpoint``, ``arm`` against the control."""

    spec: TrialSpec
    endpoint: str
    arm: str
    ns: tuple[int, ...]
    replicates: int
    kind: ClassVar[str] = POWER_KIND

    def canonical(self) -> dict[str, Any]:
        """The request as JSON (what the reuse key hashes)."""
        return {"trial": self.spec.to_dict(), "endpoint": self.endpoint, "arm": self.arm,
                "ns": list(self.ns), "replicates": self.replicates}  # fmt: skip

    def compute(self, progress: Callable[[float], None] = lambda _p: None) -> dict[str, Any]:
        """``PowerCurve.to_dict`` with the design, α and the n that reaches 80 %;
        ``progress(share)`` as chunks of people finish."""
        curve = power_curve(self.spec, self.endpoint, list(self.ns), arm=self.arm,
                            replicates=self.replicates,
                            progress=lambda done, total: progress(done / max(total, 1)))  # fmt: skip
        out = curve.to_dict()
        return {**out, "trial": self.spec.to_dict(), "alpha": self.spec.alpha,
                "target_power": TARGET_POWER, "reaches_target": reaching(out["rows"], TARGET_POWER)}  # fmt: skip


def _work_limit(spec: TrialSpec, ns: tuple[int, ...], replicates: int) -> None:
    arms = len(spec.arms)
    people = replicates * arms * ns[-1]
    person_years = people * spec.years
    how = f"{replicates} replicates × {arms} arms × {ns[-1]} per arm"
    cli = "Larger curves: `k2lab trial power design.toml --endpoint … --n …` (Dask if you like)."
    if person_years > MAX_WEB_POWER_PERSON_YEARS:
        raise K2LabError(
            f"This power curve is {person_years:,.0f} person-years ({how} × {spec.years:.2g} "
            f"years); the web computes up to {MAX_WEB_POWER_PERSON_YEARS:,.0f}: fewer "
            f"replicates, a smaller largest n or a shorter trial. {cli}",
            field="n",
        )
    if people > MAX_WEB_POWER_PEOPLE:
        raise K2LabError(
            f"This power curve simulates {people:,} people ({how}); the web computes up to "
            f"{MAX_WEB_POWER_PEOPLE:,}: fewer replicates or a smaller largest n. {cli}",
            field="n",
        )


def power_job(
    design_toml: str,
    endpoint: str,
    n: str,
    replicates: int = DEFAULT_REPLICATES,
    alpha: float | None = None,
    arm: str | None = None,
) -> PowerJob:
    """The job of a power request; a :class:`K2LabError` naming the bad field (the work
    bound names ``n`` and states the limit)."""
    spec = parse_design(design_toml)
    choices = power_choices(spec)
    names = [name for name, _ in choices.endpoints]
    if endpoint not in names:
        raise K2LabError(
            f"The design has no endpoint {endpoint[:60]!r}; choose one of {', '.join(names)}.",
            field="endpoint",
        )
    arm = arm or choices.arms[0]
    if arm not in choices.arms:
        raise K2LabError(
            f"No treated arm {arm[:60]!r} in the design; choose one of {', '.join(choices.arms)}.",
            field="arm",
        )
    if isinstance(replicates, bool) or not 2 <= replicates <= MAX_REPLICATES:
        raise K2LabError(
            f"replicates must be a whole number from 2 to {MAX_REPLICATES}, not {replicates!r}.",
            field="replicates",
        )
    if alpha is not None:
        if isinstance(alpha, bool) or not 1e-6 <= alpha <= 0.5:
            raise K2LabError(f"alpha must be from 0.000001 to 0.5, not {alpha!r}.", field="alpha")
        spec = replace(spec, alpha=float(alpha))
    ns = parse_n_range(n)
    _work_limit(spec, ns, replicates)
    return PowerJob(spec, endpoint, arm, ns, replicates)


def default_n_range(choices: PowerChoices) -> tuple[str, int]:
    """An n range and a number of replicates for the form: ten steps up to twice the
    design's n (at least 20), with 40 replicates, or 20 when that keeps more of the range
    within the web's bounds."""
    wanted = max(20, 2 * choices.design_n)
    for reps in (DEFAULT_REPLICATES, 20):
        per_rep = reps * choices.arm_count
        top = min(MAX_WEB_POWER_PERSON_YEARS / (per_rep * max(choices.years, 1e-9)),
                  MAX_WEB_POWER_PEOPLE / per_rep, wanted)  # fmt: skip
        stop = max(4, int(top // 10) * 10)
        if stop >= min(wanted, 60) or reps == 20:
            step = max(2, stop // 10)
            return f"{step}:{stop}:{step}", reps
    raise AssertionError("unreachable")  # pragma: no cover


def form_context(design: str) -> dict[str, Any]:
    """What the power part of the trial form shows for ``design``: its endpoints, treated
    arms, α and a default n range, or why the design cannot be read yet."""
    try:
        choices = power_choices(parse_design(design))
    except K2LabError as exc:
        return {"power_error": exc.message, "power_limit": MAX_WEB_POWER_PERSON_YEARS}
    n, reps = default_n_range(choices)
    return {"power": choices, "power_n": n, "power_replicates": reps,
            "power_limit": MAX_WEB_POWER_PERSON_YEARS, "power_people": MAX_WEB_POWER_PEOPLE}  # fmt: skip
