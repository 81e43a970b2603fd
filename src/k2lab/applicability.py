"""Which inputs apply at which resolution: the rule that every input is honoured or refused.

Up to :data:`KINETICS_MAX_HOURS` only the vitamin K layers run; beyond, the calcium system
too, unless the person is one it cannot represent (:func:`~k2lab.calcium.system_scenario.
check_person`). An input that acts only through a layer that does not run is an error with
``strict`` (naming the field) and a note otherwise.

Example
-------
>>> from k2lab.scenario import Horizon, Scenario
>>> resolution_for(Scenario(horizon=Horizon(72)))[0], resolution_for(Scenario())[0]
('kinetics', 'system')
"""

from __future__ import annotations

from k2lab.calcium.system_scenario import check_person
from k2lab.errors import ScenarioError
from k2lab.scenario import Scenario

__all__ = ["KINETICS_MAX_HOURS", "RESOLUTIONS", "check_inputs", "resolution_for"]

#: Longest horizon simulated hour by hour with the vitamin K layers only (10 days).
KINETICS_MAX_HOURS = 240.0
RESOLUTIONS = ("auto", "kinetics", "system")


def _system_inputs(scenario: Scenario) -> list[tuple[str, str, bool]]:
    """Inputs that act only through the calcium system: ``(name, field, given)``."""
    p = scenario.person
    calcium_d = [r for r in scenario.regimens if r.substance in ("calcium", "vitamin_d")]
    return [
        ("sunlight", "sun", p.sun is not None),
        ("eGFR", "egfr_ml_per_min", p.egfr_ml_per_min is not None and not p.dialysis),
        ("the calcification score", "calcification_au", p.calcification_au is not None),
        ("calcium from food", "calcium_food_mg_per_day", p.calcium_food_mg_per_day is not None),
        (
            "vitamin D from food",
            "vitamin_d_food_ug_per_day",
            p.vitamin_d_food_ug_per_day is not None,
        ),
        (
            " and ".join(r.text for r in calcium_d) or "vitamin D/calcium supplements",
            "supplements",
            bool(calcium_d),
        ),
    ]


def resolution_for(scenario: Scenario, resolution: str = "auto") -> tuple[str, str | None]:
    """The resolution to run (``auto``: by horizon) and, if the calcium system does not
    run, why."""
    if resolution == "kinetics":
        return "kinetics", "kinetics resolution was asked for"
    if resolution == "auto" and scenario.horizon.hours <= KINETICS_MAX_HOURS:
        return "kinetics", (
            f"the horizon ({scenario.horizon}) is 10 days or less; bone, vessel and "
            "25(OH)D change over weeks to years (simulate --weeks 2 or longer)"
        )
    try:
        check_person(scenario.person)
    except ScenarioError as exc:
        if resolution == "system":
            raise
        return "kinetics", exc.message
    return "system", None


def check_inputs(scenario: Scenario, why_no_system: str | None, *, strict: bool) -> list[str]:
    """Refuse (``strict``) or note inputs that no running layer uses; refuse people the
    physiology cannot represent at all (children, pregnancy). Returns the notes."""
    notes = []
    p = scenario.person
    if p.age < 18:
        raise ScenarioError(
            f"The physiology's parameters come from studies in adults; it cannot simulate "
            f"a {p.age:g}-year-old (the intake report covers children).",
            field="age",
        )
    if p.pregnant or p.lactating:
        raise ScenarioError(
            "The physiology has no parameters for pregnancy or lactation, so it cannot "
            "simulate them; the intake report and advice do cover them.",
            field="pregnant" if p.pregnant else "lactating",
        )
    if why_no_system is not None:
        for what, name, given in _system_inputs(scenario):
            if not given:
                continue
            text = (
                f"{what} acts through the calcium system, which does not run here: {why_no_system}."
            )
            if strict:
                raise ScenarioError(f"{text} Leave it out.", field=name)
            notes.append(f"Not used: {text}")
        if scenario.diet is not None:
            notes.append(
                "The diet's calcium and vitamin D act through the calcium system, which does "
                "not run here; its vitamin K is simulated."
            )
    unused = [f for f in ("weight_kg", "diet") if getattr(p, f) is not None]
    unused += [r.text for r in scenario.regimens if r.substance == "vitamin_b12"]
    if unused:
        notes.append(f"Not used by the physiology: {', '.join(unused)} (no sourced effect).")
    if p.kidney_stage in ("G3a", "G3b", "G4", "G5"):
        notes.append(
            f"Kidney function stage {p.kidney_stage}: the vitamin K layers use the "
            f"{p.vitamin_k_population} baseline (no CKD-specific vitamin K status is "
            "parameterised; people with CKD tend to have higher dp-ucMGP)."
        )
    return notes
