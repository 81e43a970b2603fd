"""What the trial page and the power-curve page share: reading a design written in the
TOML of ``k2lab trial run``, the example designs, and the choices a power curve offers for
a design (its endpoints and treated arms).

Example
-------
>>> spec = parse_design('''
... [trial]
... visits_weeks = [0, 12]
... [[arms]]
... name = "placebo"
... n = 10
... [[arms]]
... name = "MK-7"
... n = 10
... regimens = ["MK-7 180 ug daily"]
... [[endpoints]]
... name = "dp_ucMGP_pmol_per_L"
... ''')
>>> power_choices(spec).arms
('MK-7',)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from k2lab.errors import K2LabError
from k2lab.population import TrialSpec, spec_from_dict
from k2lab.vocab import ENDPOINTS
from k2lab.web.examples import examples_dir

__all__ = [
    "MAX_DESIGN_CHARS",
    "POWER_KIND",
    "TRIAL_KIND",
    "PowerChoices",
    "endpoint_label",
    "example_designs",
    "parse_design",
    "power_choices",
]

#: Longest design text accepted.
MAX_DESIGN_CHARS = 20_000
#: The ``simulation_runs.kind`` of one virtual trial and of a power curve.
TRIAL_KIND = "trial"
POWER_KIND = "trial_power"


def parse_design(text: str, field: str = "design_toml") -> TrialSpec:
    """The validated design of ``text``; a :class:`K2LabError` naming ``field`` (or the
    design's own key, e.g. ``arms[1].n``) when it is not a design."""
    if len(text) > MAX_DESIGN_CHARS:
        raise K2LabError(f"The design is longer than {MAX_DESIGN_CHARS:,} characters.", field=field)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise K2LabError(f"The design is not valid TOML: {exc}.", field=field) from None
    except RecursionError:
        raise K2LabError("The design is nested too deeply to be a trial.", field=field) from None
    return spec_from_dict(data)


def example_designs() -> dict[str, str]:
    """The example designs shipped in the checkout's ``examples/trials``, by file stem."""
    folder = examples_dir()
    if folder is None or not (folder / "trials").is_dir():
        return {}
    return {
        p.stem: p.read_text(encoding="utf-8") for p in sorted((folder / "trials").glob("*.toml"))
    }


def endpoint_label(endpoint: str) -> tuple[str, str]:
    """The endpoint's human label and unit (the name itself when the vocabulary lacks it)."""
    info = ENDPOINTS.get(endpoint)
    return (info.label, info.unit) if info else (endpoint, "")


@dataclass(frozen=True)
class PowerChoices:
    """What the power form offers for a design: ``(name, label)`` of each endpoint (with
    its visit), the treated arms, the design's α, its duration, number of arms and largest
    n (for the default n range)."""

    endpoints: tuple[tuple[str, str], ...]
    arms: tuple[str, ...]
    alpha: float
    years: float
    arm_count: int
    #: The largest n per arm the design itself has.
    design_n: int


def power_choices(spec: TrialSpec) -> PowerChoices:
    """The endpoints (each at its visit) and treated arms of ``spec``."""
    endpoints = []
    for e in spec.endpoints:
        label, unit = endpoint_label(e.name)
        change = (
            "% change"
            if e.change == "percent"
            else f"absolute change, {unit}"
            if unit
            else "change"
        )
        endpoints.append((e.name, f"{label} at week {e.visit_week:g} ({change})"))
    treated = tuple(a.name for a in spec.arms if a.name != spec.control_arm)
    return PowerChoices(tuple(endpoints), treated, spec.alpha, spec.years, len(spec.arms),
                        max(a.n for a in spec.arms))  # fmt: skip
