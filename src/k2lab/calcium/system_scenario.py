"""What one calcium-system run takes: a :class:`SystemScenario` (a person and their daily
calcium, vitamin D, vitamin K regimens and medication), the people the system can
represent (:func:`check_person`), and :func:`scenario_from_diet`.

Example
-------
>>> s = SystemScenario(Person(age=62), calcium_supplement_mg_per_day=500)
>>> s.regimens, s.calcium_supplement_doses
((), 1)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from k2lab.calcium.absorption import effective_oral_calcium_mg_per_day
from k2lab.calcium.vitamin_d import d25_model_parameters, vitamin_d_input_ug_per_day
from k2lab.errors import ScenarioError
from k2lab.intake.diet import Diet
from k2lab.person import Person
from k2lab.physiology.diet import diet_doses
from k2lab.physiology.inr import MEDICATIONS
from k2lab.physiology.params import ParameterSet
from k2lab.regimen import Dose, Regimen, parse_regimen

FloatArray = NDArray[np.float64]

__all__ = [
    "BURN_IN_YEARS",
    "DAYS_PER_YEAR",
    "DEFAULT_EGFR_ML_PER_MIN",
    "DEFAULT_SUN",
    "HOURS_PER_DAY",
    "MAX_YEARS",
    "SYSTEM_ENDPOINTS",
    "SystemScenario",
    "check_person",
    "daily_inputs",
    "scenario_from_diet",
]

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365
MAX_YEARS = 50.0
#: Years the core runs on the person's habitual food, sun and kidney function first.
BURN_IN_YEARS = 10.0
#: What a person who does not give them is assumed to have (stated in the notes).
DEFAULT_EGFR_ML_PER_MIN = 90.0
DEFAULT_SUN = "low"
#: Endpoints the system returns (units from k2lab.vocab).
SYSTEM_ENDPOINTS = (
    "plasma_K1_nmol_per_L",
    "plasma_MK4_nmol_per_L",
    "plasma_MK7_nmol_per_L",
    "plasma_MK8_nmol_per_L",
    "plasma_MK9_nmol_per_L",
    "plasma_calcium_mmol_per_L",
    "plasma_phosphate_mmol_per_L",
    "pth_pmol_per_L",
    "calcitriol_pmol_per_L",
    "vitamin_d25_nmol_per_L",
    "calcium_absorbed_mg_per_day",
    "urinary_calcium_mg_per_day",
    "ucOC_ng_per_mL",
    "ucOC_cOC_ratio",
    "dp_ucMGP_pmol_per_L",
    "INR",
    "bmd_lumbar_spine_change_percent",
    "bmd_femoral_neck_change_percent",
    "calcification_index_AU",
)


def check_person(person: Person) -> None:
    """Refuse a person the calcium system cannot represent, saying why.

    Raises
    ------
    ScenarioError
        Under 18 or over 110 years, on dialysis, or eGFR below 15 mL/min.
    """
    if not 18 <= person.age <= 110:
        raise ScenarioError(
            f"The calcium system models adults aged 18-110 (the bone parameters come from "
            f"adult cohorts), not {person.age:g} years.",
            field="age",
        )
    if person.dialysis or (person.egfr_ml_per_min is not None and person.egfr_ml_per_min < 15):
        raise ScenarioError(
            "The Peterson & Riggs calcium core is not valid in kidney failure (eGFR below "
            "15 mL/min or dialysis): its kidney terms were fitted to GFR ≥ 15 and dialysis "
            "removes calcium and phosphate by another route. PTH, calcitriol, BMD and "
            "calcification cannot be simulated for this person; the vitamin K layers can.",
            field="egfr_ml_per_min" if not person.dialysis else "dialysis",
        )


@dataclass(frozen=True)
class SystemScenario:
    """Inputs of one calcium-system run (daily amounts; see :func:`scenario_from_diet`).

    ``calcium_food_mg_per_day`` defaults to the model's reference intake (964 mg/day).
    ``k_regimens`` are texts such as ``"MK-7 180 ug daily"``; ``k_doses`` are explicit doses
    (e.g. a diet's foods) for the whole run, hours from the start.
    """

    subject: Person = field(default_factory=Person)
    calcium_food_mg_per_day: float | None = None
    calcium_supplement_mg_per_day: float = 0.0
    calcium_supplement_doses: int = 1
    vitamin_d_food_ug_per_day: float = 0.0
    vitamin_d_supplement_ug_per_day: float = 0.0
    k_regimens: tuple[Regimen | str, ...] = ()
    k_doses: tuple[Dose, ...] = ()
    medication: str | None = None
    label: str = "scenario"
    notes: tuple[str, ...] = ()

    @property
    def regimens(self) -> tuple[Regimen, ...]:
        """The vitamin K regimens, parsed (construction has parsed every text)."""
        return tuple(r for r in self.k_regimens if isinstance(r, Regimen))

    def __post_init__(self) -> None:
        check_person(self.subject)
        for name in (
            "calcium_supplement_mg_per_day",
            "vitamin_d_food_ug_per_day",
            "vitamin_d_supplement_ug_per_day",
        ):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ScenarioError(f"{name} must be a number ≥ 0, not {value!r}.")
        food = self.calcium_food_mg_per_day
        if food is not None and (
            not isinstance(food, int | float) or not math.isfinite(food) or food < 0
        ):
            raise ScenarioError(f"calcium_food_mg_per_day must be a number ≥ 0, not {food!r}.")
        if int(self.calcium_supplement_doses) != self.calcium_supplement_doses or not (
            1 <= self.calcium_supplement_doses <= 6
        ):
            raise ScenarioError("calcium_supplement_doses must be a whole number from 1 to 6.")
        med = None if self.medication is None else self.medication.strip().lower()
        if med in ("", "none"):
            med = None
        if med == "teriparatide":
            raise ScenarioError(
                "Teriparatide is simulated by the calcium core (CalciumScenario.teriparatide), "
                "not by the calcium system: its bone response has not been checked against "
                "trials here."
            )
        if med is not None and med not in MEDICATIONS:
            raise ScenarioError(
                f"Unknown medication {self.medication!r}; use one of {', '.join(MEDICATIONS)}."
            )
        object.__setattr__(self, "medication", med)
        regimens = tuple(parse_regimen(r) if isinstance(r, str) else r for r in self.k_regimens)
        if any(not r.is_vitamin_k for r in regimens):
            raise ScenarioError("k_regimens holds vitamin K regimens only.", field="k_regimens")
        object.__setattr__(self, "k_regimens", regimens)
        object.__setattr__(self, "k_doses", tuple(self.k_doses))


def scenario_from_diet(
    diet: Diet,
    subject: Person,
    *,
    years: float,
    k_regimens: Sequence[Regimen | str] = (),
    medication: str | None = None,
    label: str = "scenario",
) -> SystemScenario:
    """A scenario from a diet or diary: its mean calcium and vitamin D, its vitamin K doses.

    Calcium and vitamin D from foods and supplements are the diet's daily means (the core
    is driven by the mean; bone responds over months). Foods without calcium data count as
    zero and are named in the notes; if no food has calcium data, this is an error.
    """
    from k2lab.intake.compute import compute_intake

    intake = compute_intake(diet)
    foods = {e.food.key: e.food for day in diet.days for e in day.foods}
    missing = sorted(f.name for f in foods.values() if f.nutrient("calcium") is None)
    notes: list[str] = []
    supp_ca = intake.supplements.get("calcium", 0.0)
    supp_d = intake.supplements.get("vitamin_d", 0.0)
    food_ca = intake.mean["calcium"].typical - supp_ca
    food_d = intake.mean["vitamin_d"].typical - supp_d
    if foods and len(missing) == len(foods):
        raise ScenarioError(
            f"None of the diet's foods has calcium data ({', '.join(missing[:5])}), so its "
            "calcium intake is unknown. Use foods from the USDA part of the database "
            "(k2lab foods search NAME) or give the calcium intake directly."
        )
    if missing:
        notes.append(
            f"No calcium data for {', '.join(missing)}; counted as 0 mg. Calcium from the "
            f"other foods: {food_ca:.0f} mg/day."
        )
    if not foods:
        food_ca = 0.0
    doses = tuple(diet_doses(diet, years * DAYS_PER_YEAR * HOURS_PER_DAY))
    # diet_doses includes the diet's vitamin K supplements; D and calcium are taken here.
    return SystemScenario(
        subject=subject,
        calcium_food_mg_per_day=max(food_ca, 0.0),
        calcium_supplement_mg_per_day=supp_ca,
        vitamin_d_food_ug_per_day=max(food_d, 0.0),
        vitamin_d_supplement_ug_per_day=supp_d,
        k_regimens=tuple(parse_regimen(r) if isinstance(r, str) else r for r in k_regimens),
        k_doses=doses,
        medication=medication,
        label=label,
        notes=tuple(notes),
    )


def daily_inputs(
    scenario: SystemScenario, cal: Sequence[ParameterSet], food_ca: float, supp_ca: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, dict[str, list[float]]]:
    """Per draw: vitamin D input (habitual, total), oral calcium (with, without supplements)
    and the vitamin D hook's parameters."""
    subject = scenario.subject
    sun = subject.sun or DEFAULT_SUN
    n = len(cal)
    habitual_d, total_d, oral, habitual_oral = (np.empty(n) for _ in range(4))
    d_params: dict[str, list[float]] = {}
    for i, ps in enumerate(cal):
        food_d = scenario.vitamin_d_food_ug_per_day
        habitual_d[i] = vitamin_d_input_ug_per_day(food_d, 0.0, sun, ps)
        total_d[i] = vitamin_d_input_ug_per_day(
            food_d, scenario.vitamin_d_supplement_ug_per_day, sun, ps
        )
        oral[i] = float(
            effective_oral_calcium_mg_per_day(
                food_ca, supp_ca, ps, supplement_doses=scenario.calcium_supplement_doses
            )
        )
        habitual_oral[i] = float(effective_oral_calcium_mg_per_day(food_ca, 0.0, ps))
        hook = d25_model_parameters(total_d[i], ps, habitual_ug_per_day=habitual_d[i])
        for k, v in hook.items():
            d_params.setdefault(k, []).append(v)
    return habitual_d, total_d, oral, habitual_oral, d_params
