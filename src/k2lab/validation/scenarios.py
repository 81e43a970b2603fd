"""Trial arms as model inputs: one small function per layer.

:func:`exposure_arm` gives the vitamin K physiology's inputs (doses, population, medication,
duration) of a ``physiology`` row; :func:`system_arms` gives the calcium system's control and
tested scenarios of a ``calcium`` row. A regimen text holds parts separated by ``;``, each
in the one regimen grammar (:mod:`k2lab.regimen`, stepped regimens included).

Example
-------
>>> from k2lab.validation.trials import load_trials
>>> arms = {a.arm_id: a for a in load_trials()}
>>> x = exposure_arm(arms["theuwissen_inr"])
>>> len(x.doses), x.doses[14].amount_ug, x.medication
(42, 20.0, 'acenocoumarol')
>>> s = system_arms(arms["shea_k1_cac"])
>>> s.control.calcium_supplement_mg_per_day, [r.text for r in s.treatment.regimens], s.years
(600.0, ['K1 500 ug daily'], 3.0)
"""

from __future__ import annotations

from dataclasses import dataclass

from k2lab.calcium.system_scenario import DAYS_PER_YEAR, HOURS_PER_DAY, SystemScenario
from k2lab.person import Person
from k2lab.regimen import Dose, Regimen, parse_regimen
from k2lab.validation.trials import TrialArm

__all__ = ["ExposureArm", "SystemArms", "exposure_arm", "system_arms"]


def _parts(*texts: str) -> list[str]:
    return [p.strip() for text in texts for p in text.split(";") if p.strip()]


@dataclass(frozen=True)
class ExposureArm:
    """What the vitamin K physiology simulates for one arm."""

    doses: tuple[Dose, ...]
    population: str
    medication: str | None
    inr_target: float | None
    hours: float


def exposure_arm(arm: TrialArm) -> ExposureArm:
    """The physiology's inputs for a trial arm (its background and tested regimen)."""
    hours = arm.duration_days * HOURS_PER_DAY
    doses: list[Dose] = []
    for part in _parts(arm.background, arm.regimen):
        doses += parse_regimen(part).doses(hours, matrix=arm.matrix)
    return ExposureArm(tuple(doses), arm.population, arm.medication, arm.inr_target, hours)


@dataclass(frozen=True)
class SystemArms:
    """The calcium system's scenarios of one comparison: control, and the tested arm
    (``None`` when the figure is the control arm's own change)."""

    control: SystemScenario
    treatment: SystemScenario | None
    years: float


def _scenario(subject: Person, parts: list[str], arm: TrialArm) -> SystemScenario:
    amounts = {"calcium": 0.0, "vitamin_d": 0.0}
    k_regimens: list[Regimen | str] = []
    for part in parts:
        regimen = parse_regimen(part)
        if regimen.is_vitamin_k:
            k_regimens.append(regimen)
        else:
            amounts[regimen.substance] += regimen.steps[0].per_day
    return SystemScenario(
        subject,
        calcium_supplement_mg_per_day=amounts["calcium"],
        vitamin_d_supplement_ug_per_day=amounts["vitamin_d"],
        k_regimens=tuple(k_regimens),
        medication=arm.medication,
    )


def system_arms(arm: TrialArm) -> SystemArms:
    """The calcium system's control and tested scenarios for a trial arm."""
    subject = Person(**arm.person)  # type: ignore[arg-type]  # fields typed per column
    control = _scenario(subject, _parts(arm.background), arm)
    treatment = (
        _scenario(subject, _parts(arm.background, arm.regimen), arm) if arm.regimen else None
    )
    return SystemArms(control, treatment, arm.duration_days / DAYS_PER_YEAR)
