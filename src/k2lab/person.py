"""The one :class:`Person` every layer reads, and the population presets that fill one.

A field left ``None`` means "not given": each layer then uses its stated default (eGFR
90 mL/min, little sunlight, no calcification) and says so, and a simulation can tell a
value the user gave from a default. Populations are presets (:data:`PRESETS`), never a
separate switch: ``Person.preset("hemodialysis", age=70)`` is a 70-year-old on dialysis.

Example
-------
>>> p = Person.preset("postmenopausal", age=64)
>>> p.sex, p.postmenopausal, p.vitamin_k_population
('female', True, 'postmenopausal')
>>> Person.preset("hemodialysis").kidney_stage
'dialysis'
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Final

from k2lab import checks
from k2lab.errors import ScenarioError

__all__ = ["DEFAULT_MENOPAUSE_AGE", "DIET_PATTERNS", "PRESETS", "SEXES", "SUN_LEVELS", "Person"]

SEXES: Final = ("female", "male")
#: Diet patterns, from most to least restrictive.
DIET_PATTERNS: Final = ("vegan", "vegetarian", "pescatarian", "omnivore")
#: Sunlight exposure levels (UVB-driven vitamin D synthesis, see k2lab.calcium.vitamin_d).
SUN_LEVELS: Final = ("none", "low", "moderate", "high")
#: Menopause age assumed for women of 51 and over who give none (median age in Western
#: cohorts; a prior, stated in the output).
DEFAULT_MENOPAUSE_AGE: Final = 51.0

#: Population presets: the fields each one fills (documented priors; the physiology's
#: population parameters carry the sources). CKD stages follow KDIGO's eGFR categories
#: (G3a 45-59, G3b 30-44, G4 15-29, G5 < 15 mL/min/1.73 m², source_key kdigo2012); each
#: preset takes the middle of its category.
PRESETS: Final[dict[str, dict[str, Any]]] = {
    "healthy": {},
    "postmenopausal": {"sex": "female", "age": 60.0, "menopause_age": DEFAULT_MENOPAUSE_AGE},
    "ckd3a": {"age": 65.0, "egfr_ml_per_min": 52.0},
    "ckd3b": {"age": 65.0, "egfr_ml_per_min": 37.0},
    "ckd4": {"age": 65.0, "egfr_ml_per_min": 22.0},
    "ckd5": {"age": 65.0, "egfr_ml_per_min": 10.0},
    "hemodialysis": {"age": 65.0, "dialysis": True},
}


def _number(name: str, value: object, low: float, high: float, hint: str) -> float:
    return checks.number(value, name, low=low, high=high, error=ScenarioError, hint=hint)


def _known_fields(given: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``given`` that are not None, once each name is a field of Person."""
    names = [f.name for f in fields(Person)]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ScenarioError(
            f"Unknown Person field(s) {', '.join(unknown)}; use {', '.join(names)}.",
            field=unknown[0],
        )
    return {k: v for k, v in given.items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class Person:
    """Who eats, takes supplements and is simulated (frozen, validated, picklable).

    Parameters
    ----------
    age : years (0-120; the calcium system needs 18-110).
    sex : ``female`` or ``male``.
    menopause_age : age at the last period (women); ``None``: 51 for women aged 51+.
    pregnant, lactating : for reference intakes and advice (women).
    weight_kg : body weight (reference intakes per kg; the planner's energy need).
    egfr_ml_per_min : kidney function (1-150 mL/min); ``None``: 90.
    dialysis : on hemodialysis (kidney failure; eGFR then has no meaning).
    sun : sunlight exposure, one of :data:`SUN_LEVELS`; ``None``: ``low``.
    calcification_au : coronary calcium score already present (Agatston units); ``None``: 0.
    diet : diet pattern, one of :data:`DIET_PATTERNS` (for suggestions and plans).
    calcium_food_mg_per_day, vitamin_d_food_ug_per_day : habitual intake from food; given,
        they replace what a diet file implies (``None``: the diet's, else the model's
        reference intake).
    """

    age: float = 40.0
    sex: str = "female"
    menopause_age: float | None = None
    pregnant: bool = False
    lactating: bool = False
    weight_kg: float | None = None
    egfr_ml_per_min: float | None = None
    dialysis: bool = False
    sun: str | None = None
    calcification_au: float | None = None
    diet: str | None = None
    calcium_food_mg_per_day: float | None = None
    vitamin_d_food_ug_per_day: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "age", _number("age", self.age, 0, 120, "Give the age in years, e.g. 62."))
        sex = self.sex.strip().lower() if isinstance(self.sex, str) else self.sex
        if sex not in SEXES:
            raise ScenarioError(f"sex must be 'female' or 'male', not {self.sex!r}.", field="sex")
        set_(self, "sex", sex)
        for flag in ("pregnant", "lactating", "dialysis"):
            if not isinstance(getattr(self, flag), bool):
                raise ScenarioError(f"{flag} must be true or false.", field=flag)
        if (self.pregnant or self.lactating) and sex != "female":
            raise ScenarioError("pregnant/lactating apply to sex = 'female' only.", field="sex")
        if self.menopause_age is not None:
            if sex != "female":
                raise ScenarioError(
                    "menopause_age applies to women only; leave it out for men.",
                    field="menopause_age",
                )
            _number("menopause_age", self.menopause_age, 30, 65, "The age at the last period.")
            if self.menopause_age > self.age:
                raise ScenarioError(
                    f"menopause_age {self.menopause_age:g} is after the age {self.age:g}; "
                    "leave it out if menopause has not happened.",
                    field="menopause_age",
                )
        if self.weight_kg is not None:
            _number("weight_kg", self.weight_kg, 2, 400, "Give the body weight in kg.")
        if self.egfr_ml_per_min is not None:
            _number(
                "egfr_ml_per_min",
                self.egfr_ml_per_min,
                1,
                150,
                "A typical adult has 90-120 mL/min; kidney failure is below 15.",
            )
        if self.dialysis and self.egfr_ml_per_min is not None and self.egfr_ml_per_min >= 15:
            raise ScenarioError(
                f"dialysis with eGFR {self.egfr_ml_per_min:g} mL/min: people on dialysis "
                "have kidney failure (eGFR < 15); leave eGFR out.",
                field="egfr_ml_per_min",
            )
        sun = self.sun.strip().lower() if isinstance(self.sun, str) else self.sun
        if sun is not None and sun not in SUN_LEVELS:
            raise ScenarioError(
                f"Unknown sunlight level {self.sun!r}; use one of {', '.join(SUN_LEVELS)}.",
                field="sun",
            )
        set_(self, "sun", sun)
        if self.calcification_au is not None:
            _number(
                "calcification_au", self.calcification_au, 0, 10_000, "An Agatston score, or 0."
            )
        diet = self.diet.strip().lower() if isinstance(self.diet, str) else self.diet
        if diet is not None and diet not in DIET_PATTERNS:
            raise ScenarioError(
                f"diet must be one of {', '.join(DIET_PATTERNS)}, not {self.diet!r}.",
                field="diet",
            )
        set_(self, "diet", diet)
        if self.calcium_food_mg_per_day is not None:
            _number(
                "calcium_food_mg_per_day",
                self.calcium_food_mg_per_day,
                0,
                5000,
                "Calcium from food, mg/day (a Western diet gives 700-1,200).",
            )
        if self.vitamin_d_food_ug_per_day is not None:
            _number(
                "vitamin_d_food_ug_per_day",
                self.vitamin_d_food_ug_per_day,
                0,
                250,
                "Vitamin D from food, ug/day (typically 2-10).",
            )

    @classmethod
    def preset(cls, population: str, **fields_: Any) -> Person:
        """A person of ``population`` (see :data:`PRESETS`), with ``fields_`` on top.

        Raises
        ------
        ScenarioError
            An unknown population (the known ones are listed).
        """
        text = checks.text(population, "population", error=ScenarioError, example="'healthy'")
        key = text.strip().lower().replace("-", "").replace(" ", "")
        if key not in PRESETS:
            raise ScenarioError(
                f"Unknown population '{population}'. Use one of {', '.join(PRESETS)}.",
                field="population",
            )
        return cls(**{**PRESETS[key], **_known_fields(fields_)})

    def given(self) -> dict[str, Any]:
        """The fields that differ from :class:`Person`'s defaults."""
        default = Person()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }

    def with_(self, **changes: Any) -> Person:
        """A copy with ``changes`` (``None`` values are ignored)."""
        return replace(self, **_known_fields(changes))

    @property
    def postmenopausal(self) -> bool:
        """True for women past menopause (given, or assumed from age 51)."""
        if self.sex != "female":
            return False
        return self.menopause_age is not None or self.age >= DEFAULT_MENOPAUSE_AGE

    @property
    def stage(self) -> str:
        """Life stage for reference intakes: ``pregnancy``, ``lactation`` or ``any``."""
        return "pregnancy" if self.pregnant else "lactation" if self.lactating else "any"

    @property
    def kidney_stage(self) -> str:
        """``dialysis``, ``G5`` ... ``G1`` (KDIGO eGFR categories), ``G1`` when not given."""
        if self.dialysis:
            return "dialysis"
        egfr = 90.0 if self.egfr_ml_per_min is None else self.egfr_ml_per_min
        for limit, stage in ((15, "G5"), (30, "G4"), (45, "G3b"), (60, "G3a"), (90, "G2")):
            if egfr < limit:
                return stage
        return "G1"

    @property
    def vitamin_k_population(self) -> str:
        """Which baseline parameter set of the vitamin K physiology applies."""
        if self.dialysis:
            return "hemodialysis"
        return "postmenopausal" if self.postmenopausal else "healthy"

    @property
    def bone_scope(self) -> str:
        """Scope of the age-related bone-loss parameters of the calcium system."""
        if self.postmenopausal:
            return "postmenopausal"
        if self.sex == "male" and self.age >= 50:
            return "man"
        return "premenopausal"
