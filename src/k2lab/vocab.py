"""The one vocabulary every layer reads: vitamers, nutrients, medications, populations and
endpoints (with their units and human labels).

Names here are canonical; :func:`normalise_vitamer`, :func:`normalise_substance` and
:func:`normalise_medication` accept the spellings people type ("mk7", "menatetrenone",
"vitamin D3", "Coumadin") and refuse the rest with the closest known names.

Example
-------
>>> normalise_vitamer("mk7"), normalise_substance("vitamin D3"), normalise_medication("Warfarin")
('MK-7', 'vitamin_d', 'warfarin')
>>> ENDPOINTS["dp_ucMGP_pmol_per_L"].unit
'pmol/L'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from k2lab.errors import RegimenError

__all__ = [
    "ACTIVITY_LEVELS",
    "DOACS",
    "ENDPOINTS",
    "K2_VITAMERS",
    "MATRICES",
    "MEDICATIONS",
    "PLAN_BACKENDS",
    "REGIMEN_EXAMPLES",
    "SIMULATED_VITAMERS",
    "SUBSTANCES",
    "VITAMERS",
    "VKAS",
    "DrugClass",
    "EndpointInfo",
    "normalise_medication",
    "normalise_substance",
    "normalise_vitamer",
    "plasma_endpoint_name",
]

#: Menaquinones (vitamin K2) by side-chain length, as far as food data report them.
#: K2 is always their sum, never mixed with K1.
K2_VITAMERS: Final = ("MK-4", "MK-5", "MK-6", "MK-7", "MK-8", "MK-9", "MK-10")
#: Every vitamin K form k2lab tracks.
VITAMERS: Final = ("K1", *K2_VITAMERS)
#: Forms with kinetic parameters (absorption, disposition, potency): the physiology
#: simulates these; the others count in intake only.
SIMULATED_VITAMERS: Final = ("K1", "MK-4", "MK-7", "MK-8", "MK-9")
#: What a supplement regimen can contain: a vitamin K form, vitamin D, calcium, or vitamin B12
#: (which vegan plans need; the physiology does not use it).
SUBSTANCES: Final = (*VITAMERS, "vitamin_d", "calcium", "vitamin_b12")
#: Dose matrices (absorption differs by matrix): ``supplement`` plus the food categories.
MATRICES: Final = (
    "supplement",
    "vegetable",
    "oil",
    "fermented_soy",
    "cheese_hard",
    "cheese_soft",
    "cheese_fresh",
    "dairy",
    "egg",
    "meat",
    "poultry",
    "organ_meat",
    "fish",
    "fermented_vegetable",
    "fruit",
    "other",
)

_VITAMER_ALIASES: Final = {
    **{v.lower().replace("-", ""): v for v in VITAMERS},
    "pk": "K1",
    "phylloquinone": "K1",
    "phytonadione": "K1",
    "vitamink1": "K1",
    "menatetrenone": "MK-4",
    "menaquinone4": "MK-4",
    "menaquinone7": "MK-7",
}
_OTHER_ALIASES: Final = {
    "d": "vitamin_d",
    "d3": "vitamin_d",
    "d2": "vitamin_d",
    "vitamind": "vitamin_d",
    "vitamind3": "vitamin_d",
    "vitamind2": "vitamin_d",
    "cholecalciferol": "vitamin_d",
    "ergocalciferol": "vitamin_d",
    "calcium": "calcium",
    "ca": "calcium",
    "b12": "vitamin_b12",
    "vitaminb12": "vitamin_b12",
    "cobalamin": "vitamin_b12",
    "cyanocobalamin": "vitamin_b12",
    "methylcobalamin": "vitamin_b12",
}
_NOT_A_FORM: Final = ("k2", "vitamink2", "menaquinone", "menaquinones", "vitamink", "k")


def _key(text: str) -> str:
    return "".join(text.lower().split()).replace("-", "").replace("_", "")


def _closest(text: str, choices: tuple[str, ...]) -> str:
    from rapidfuzz import process

    close = [c for c, score, _ in process.extract(text, list(choices), limit=3) if score >= 60]
    return f" Did you mean {', '.join(close)}?" if close else ""


def normalise_vitamer(text: str) -> str:
    """``"mk7"``, ``"MK-7"``, ``"menatetrenone"`` -> the canonical vitamer name.

    Raises
    ------
    RegimenError
        "K2" without a form, or an unknown name (with the closest known ones).
    """
    key = _key(text)
    if key in _NOT_A_FORM:
        raise RegimenError(
            f"'{text}' does not say which form: write K1, MK-4 or MK-7 (e.g. 'MK-7 180 ug')."
        )
    name = _VITAMER_ALIASES.get(key)
    if name is None:
        raise RegimenError(
            f"Unknown vitamin K form '{text}'.{_closest(text, VITAMERS)} "
            f"Use one of {', '.join(VITAMERS)}."
        )
    return name


def normalise_substance(text: str) -> str:
    """A vitamer, ``vitamin_d`` (D3, D2, cholecalciferol), ``calcium`` or ``vitamin_b12``.

    >>> normalise_substance("D3"), normalise_substance("K1")
    ('vitamin_d', 'K1')
    """
    key = _key(text)
    if key in _OTHER_ALIASES:
        return _OTHER_ALIASES[key]
    if key in ("calciumcarbonate", "calciumcitrate"):
        raise RegimenError(
            f"'{text}': give the elemental calcium on the label, e.g. 'calcium 500 mg daily'."
        )
    if key in _VITAMER_ALIASES or key in _NOT_A_FORM:
        return normalise_vitamer(text)
    raise RegimenError(
        f"Unknown supplement '{text}'.{_closest(text, (*VITAMERS, 'D3', 'D2', 'calcium'))} "
        "Use a vitamin K form (K1, MK-4, MK-7 ...), D3, D2, calcium or B12."
    )


class DrugClass(StrEnum):
    """How a medication meets vitamin K and calcium."""

    VKA = "vitamin K antagonist"
    DOAC = "direct oral anticoagulant"
    ANTIPLATELET = "antiplatelet"
    NATTOKINASE = "nattokinase (supplement)"
    PTH_ANALOGUE = "PTH analogue"


#: Every medication k2lab knows, by class.
MEDICATIONS: Final[dict[str, DrugClass]] = {
    "warfarin": DrugClass.VKA,
    "acenocoumarol": DrugClass.VKA,
    "phenprocoumon": DrugClass.VKA,
    "apixaban": DrugClass.DOAC,
    "rivaroxaban": DrugClass.DOAC,
    "dabigatran": DrugClass.DOAC,
    "edoxaban": DrugClass.DOAC,
    "aspirin": DrugClass.ANTIPLATELET,
    "clopidogrel": DrugClass.ANTIPLATELET,
    "nattokinase": DrugClass.NATTOKINASE,
    "teriparatide": DrugClass.PTH_ANALOGUE,
}
#: Vitamin K antagonists.
VKAS: Final = tuple(m for m, c in MEDICATIONS.items() if c is DrugClass.VKA)
#: Direct oral anticoagulants (not vitamin K dependent).
DOACS: Final = tuple(m for m, c in MEDICATIONS.items() if c is DrugClass.DOAC)
_BRANDS: Final = {
    "coumadin": "warfarin",
    "jantoven": "warfarin",
    "marevan": "warfarin",
    "sintrom": "acenocoumarol",
    "marcoumar": "phenprocoumon",
    "eliquis": "apixaban",
    "xarelto": "rivaroxaban",
    "pradaxa": "dabigatran",
    "lixiana": "edoxaban",
    "savaysa": "edoxaban",
    "forteo": "teriparatide",
}


def normalise_medication(name: str) -> str:
    """A medication (generic or common brand name) -> its generic name.

    Raises
    ------
    RegimenError
        Unknown names, with the closest known ones.
    """
    key = name.strip().lower()
    key = _BRANDS.get(key, key)
    if key in MEDICATIONS:
        return key
    raise RegimenError(
        f"Unknown medication '{name}'.{_closest(key, tuple(MEDICATIONS))} Known: "
        f"{', '.join(MEDICATIONS)}. For other drugs ask your pharmacist about vitamin K."
    )


@dataclass(frozen=True)
class EndpointInfo:
    """What one simulated series is: unit, a human label and the layer that computes it."""

    unit: str
    label: str
    layer: str


def plasma_endpoint_name(vitamer: str) -> str:
    """``MK-7`` -> ``plasma_MK7_nmol_per_L``."""
    return f"plasma_{vitamer.replace('-', '')}_nmol_per_L"


#: Every endpoint a simulation can return; names carry their unit.
ENDPOINTS: Final[dict[str, EndpointInfo]] = {
    **{
        plasma_endpoint_name(v): EndpointInfo("nmol/L", f"Plasma {v}", "kinetics")
        for v in SIMULATED_VITAMERS
    },
    "ucOC_ng_per_mL": EndpointInfo("ng/mL", "Uncarboxylated osteocalcin (ucOC)", "gla"),
    "ucOC_cOC_ratio": EndpointInfo("1", "ucOC / cOC ratio", "gla"),
    "dp_ucMGP_pmol_per_L": EndpointInfo("pmol/L", "dp-ucMGP (inactive MGP)", "gla"),
    "INR": EndpointInfo("1", "INR (clotting time)", "inr"),
    "vitamin_d25_nmol_per_L": EndpointInfo("nmol/L", "25(OH)D", "calcium"),
    "calcitriol_pmol_per_L": EndpointInfo("pmol/L", "Calcitriol", "calcium"),
    "pth_pmol_per_L": EndpointInfo("pmol/L", "PTH", "calcium"),
    "plasma_calcium_mmol_per_L": EndpointInfo("mmol/L", "Plasma calcium", "calcium"),
    "plasma_phosphate_mmol_per_L": EndpointInfo("mmol/L", "Plasma phosphate", "calcium"),
    "calcium_absorbed_mg_per_day": EndpointInfo("mg/day", "Calcium absorbed", "calcium"),
    "urinary_calcium_mg_per_day": EndpointInfo("mg/day", "Urinary calcium", "calcium"),
    "bmd_lumbar_spine_change_percent": EndpointInfo("%", "Lumbar spine BMD change", "bone"),
    "bmd_femoral_neck_change_percent": EndpointInfo("%", "Femoral neck BMD change", "bone"),
    "calcification_index_AU": EndpointInfo("AU", "Vessel calcification index", "vessel"),
}


#: Regimens as people write them (help texts and error messages; the grammar is
#: :func:`k2lab.regimen.parse_regimen`). Here, with no unit registry, so that the CLI's
#: help loads without pint.
REGIMEN_EXAMPLES: Final = (
    '"MK-7 180 ug daily", "MK-7 360 ug mon,wed,fri", "D3 2000 IU daily", '
    '"calcium 500 mg twice daily", "K1 1 mg once" or '
    '"MK-7 10 ug daily for 2 weeks, then 20 ug daily"'
)

#: The planner's MILP backends (HiGHS first: the default), and the physical activity
#: levels it knows (their energy factors are :data:`k2lab.plan.nutrition.ACTIVITY_PAL`).
PLAN_BACKENDS: Final = ("highs", "cbc")
ACTIVITY_LEVELS: Final = ("sedentary", "low", "active", "vigorous")
