"""Who the advice is for: person, population, medications and conditions.

Example
-------
>>> p = Profile(medications=frozenset({"warfarin"}))
>>> p.on_vka, p.on_doac
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k2lab import checks
from k2lab.errors import K2LabError, RegimenError, UnitError
from k2lab.person import Person
from k2lab.physiology.exposure import POPULATIONS as PHYSIOLOGY_POPULATIONS
from k2lab.vocab import K2_VITAMERS, MEDICATIONS, DrugClass, normalise_medication


class AdviceError(K2LabError, ValueError):
    """Advice input that cannot be used (unknown medication, population ...)."""


#: The vitamin K populations the advice knows (those of the physiology).
POPULATIONS = PHYSIOLOGY_POPULATIONS
#: Authorities whose vitamin K value can serve as the K1 reference.
K1_AUTHORITIES = ("EFSA", "IOM", "D-A-CH", "NHMRC", "Japan")


def parse_medication(name: str) -> str:
    """Normalise a medication name (k2lab.vocab); unknown names raise with the closest."""
    try:
        return normalise_medication(name)
    except RegimenError as exc:
        raise AdviceError(exc.message, field="medications") from None


@dataclass(frozen=True)
class Profile:
    """Person, population, medications and conditions (frozen; validated on creation).

    ``k2_target_ug`` is the user's own K2 target (µg/day; no authority sets one) in
    ``k2_target_form`` ('K2' = all menaquinones, or one MK-n).
    """

    person: Person = field(default_factory=Person)
    population: str = "healthy"
    medications: frozenset[str] = frozenset()
    soy_allergy: bool = False
    ckd: bool = False
    k2_target_ug: float = 90.0
    k2_target_form: str = "K2"
    k1_authority: str = "EFSA"

    def __post_init__(self) -> None:
        checks.instance(self.person, Person, "person", error=AdviceError, what="a k2lab.Person")
        if self.population not in POPULATIONS:
            raise AdviceError(
                f"Unknown population '{self.population}'. Use one of: {', '.join(POPULATIONS)}.",
                field="population",
            )
        names = checks.texts(self.medications, "medications", error=AdviceError)
        meds = frozenset(parse_medication(m) for m in names)
        object.__setattr__(self, "medications", meds)
        if self.population == "postmenopausal" and self.person.sex != "female":
            raise AdviceError("population 'postmenopausal' needs sex = female (use --sex female).")
        if self.population == "hemodialysis":
            object.__setattr__(self, "ckd", True)
        if self.k2_target_form not in ("K2", *K2_VITAMERS):
            raise UnitError(
                f"The K2 target must be in K2 or one menaquinone (e.g. '90 ug K2', '180 ug MK-7'), "
                f"not {self.k2_target_form}."
            )
        if self.k1_authority not in K1_AUTHORITIES:
            raise AdviceError(
                f"Unknown K1 reference '{self.k1_authority}'. Use one of: {', '.join(K1_AUTHORITIES)}."
            )
        t = self.k2_target_ug
        if isinstance(t, bool) or not isinstance(t, int | float) or not 0 < t <= 10_000:
            raise AdviceError(f"The K2 target must be between 0 and 10,000 µg/day, not {t!r}.")

    def drugs(self, cls: DrugClass) -> list[str]:
        """The profile's medications of class ``cls``, sorted."""
        return sorted(m for m in self.medications if MEDICATIONS[m] == cls)

    @property
    def on_vka(self) -> bool:
        """Takes a vitamin K antagonist."""
        return bool(self.drugs(DrugClass.VKA))

    @property
    def on_doac(self) -> bool:
        """Takes a DOAC."""
        return bool(self.drugs(DrugClass.DOAC))

    @property
    def anticoagulated(self) -> bool:
        """Takes any oral anticoagulant."""
        return self.on_vka or self.on_doac


__all__ = [
    "K1_AUTHORITIES",
    "MEDICATIONS",
    "POPULATIONS",
    "AdviceError",
    "DrugClass",
    "Profile",
    "parse_medication",
]
