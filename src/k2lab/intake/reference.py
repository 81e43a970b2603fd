"""Reference intakes by authority, age, sex and life stage, and the comparison with an intake.

No authority sets an intake for K2 (menaquinones): EFSA's AI covers K1 only; IOM,
D-A-CH and NHMRC give one number for all vitamin K; Japan counts K1 + MK-4 + MK-7 (as
MK-4 equivalents). A K2 target is the user's choice (45, 90 and 180 µg/day are common
supplement doses), and k2lab labels it so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from k2lab import checks
from k2lab.foods.build import read_data_csv
from k2lab.intake.compute import IntakeResult
from k2lab.intake.diet import Person

NO_K2_REFERENCE = (
    "No authority sets an intake for vitamin K2 (menaquinones). EFSA (2017) set an adequate "
    "intake for K1 only and judged menaquinone evidence insufficient; your K2 target is your "
    "own choice (45, 90 and 180 ug/day are common supplement doses)."
)
#: What a person reads for each reference nutrient.
NUTRIENT_LABELS = {
    "vitamin_k1": "Vitamin K1 (phylloquinone)",
    "vitamin_k_total": "Vitamin K, all forms",
    "vitamin_k_mk4_equivalent": "Vitamin K (as MK-4 equivalents)",
    "calcium": "Calcium",
    "vitamin_d": "Vitamin D",
}
#: Which intake figure each reference nutrient is compared with.
INTAKE_FOR = {
    "vitamin_k1": "K1",
    "vitamin_k_total": "K",
    "vitamin_k_mk4_equivalent": "K_mk4_equivalent",
    "calcium": "calcium",
    "vitamin_d": "vitamin_d",
}


@dataclass(frozen=True)
class ReferenceIntake:
    """One reference value of one authority for one population group."""

    authority: str
    year: int
    nutrient: str
    kind: str
    value: float
    unit: str
    source_key: str
    notes: str


@dataclass(frozen=True)
class Comparison:
    """An intake against one reference value."""

    reference: ReferenceIntake
    intake: float
    intake_low: float
    intake_high: float
    status: str  # 'below', 'meets', 'above' (for UL) or 'within' (for UL)
    percent: float


#: Kinds that fill one slot per authority and nutrient (a need, an upper bound); others
#: (the macronutrient ranges AMDR_low/AMDR_high) are slots of their own.
_SLOT = {"RDA": "need", "AI": "need", "UL": "upper", "CDRR": "upper"}
UPPER_KINDS = ("UL", "CDRR")


@cache
def _rows() -> tuple[dict[str, str], ...]:
    return tuple(read_data_csv("reference_intakes.csv"))


def reference_intakes(person: Person) -> list[ReferenceIntake]:
    """Reference values that apply to ``person`` (pregnancy/lactation values win)."""
    checks.instance(person, Person, "person", what="a k2lab.Person")
    chosen: dict[tuple[str, str, str], ReferenceIntake] = {}
    for row in _rows():
        if not float(row["age_min"]) <= person.age < float(row["age_max"]):
            continue
        if row["sex"] not in ("any", person.sex):
            continue
        if row["stage"] not in ("any", person.stage):
            continue
        value, unit = float(row["value"]), row["unit"]
        if unit == "ug/kg/day":
            if person.weight_kg is None:
                continue
            value, unit = value * person.weight_kg, "ug/day"
        ref = ReferenceIntake(
            row["authority"],
            int(row["year"]),
            row["nutrient"],
            row["kind"],
            value,
            unit,
            row["source_key"],
            row["notes"],
        )
        slot = (ref.authority, ref.nutrient, _SLOT.get(ref.kind, ref.kind))
        if slot not in chosen or row["stage"] != "any":
            chosen[slot] = ref
    return list(chosen.values())


def compare(result: IntakeResult, person: Person) -> list[Comparison]:
    """Compare the mean daily intake with every reference value for ``person``."""
    checks.instance(result, IntakeResult, "result", what="an IntakeResult (compute_intake)")
    out = []
    for ref in reference_intakes(person):
        if ref.nutrient not in INTAKE_FOR:
            continue  # whole-day nutrients (protein, iron ...) are the planner's, not the intake's
        est = result.mean[INTAKE_FOR[ref.nutrient]]
        if ref.kind == "UL":
            status = "above" if est.typical > ref.value else "within"
        else:
            status = "meets" if est.typical >= ref.value else "below"
        out.append(
            Comparison(ref, est.typical, est.low, est.high, status, 100.0 * est.typical / ref.value)
        )
    return out
