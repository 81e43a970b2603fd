"""Doses and supplement regimens.

A :class:`Dose` is one intake at a time (hours from the start), of one vitamer, in µg,
from one matrix. :func:`parse_regimen` turns text such as ``"MK-7 180 ug daily"`` into
doses; food doses from a diet (matrix = food category) can simply be appended.

Example
-------
>>> doses = parse_regimen("MK-7 360 ug mon,wed,fri", duration_h=168)
>>> [d.time_h for d in doses]
[0.0, 48.0, 96.0]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from k2lab.errors import K2LabError, RegimenError
from k2lab.units import parse_quantity, to_micrograms

__all__ = [
    "MATRICES",
    "MAX_UG_PER_DAY",
    "REGIMEN_EXAMPLES",
    "VITAMERS",
    "Dose",
    "normalise_vitamer",
    "parse_regimen",
]

#: Vitamers the physiology can simulate.
VITAMERS: tuple[str, ...] = ("K1", "MK-4", "MK-7", "MK-8", "MK-9")

#: Dose matrices: ``supplement`` plus the food categories of :mod:`k2lab.foods`.
MATRICES: tuple[str, ...] = (
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

#: Largest total intake of one vitamer on one day that is accepted (1 g).
MAX_UG_PER_DAY = 1_000_000.0

REGIMEN_EXAMPLES = (
    '"MK-7 180 ug daily", "MK-7 360 ug mon,wed,fri", "MK-4 45 mg daily" or "K1 1 mg once"'
)

_VITAMER_ALIASES = {
    "k1": "K1",
    "pk": "K1",
    "phylloquinone": "K1",
    "mk4": "MK-4",
    "menatetrenone": "MK-4",
    "mk7": "MK-7",
    "mk8": "MK-8",
    "mk9": "MK-9",
}
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_REGIMEN = re.compile(
    r"^\s*(?P<vitamer>\S+)\s+"
    r"(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)\s*"
    r"(?P<unit>[A-Za-zµμ][^\s]*)\s*(?P<schedule>.*?)\s*$",
    re.IGNORECASE,
)


def normalise_vitamer(text: str) -> str:
    """``"mk7"``, ``"MK-7"``, ``"menatetrenone"`` -> canonical vitamer name."""
    key = text.strip().lower().replace("-", "").replace(" ", "")
    name = _VITAMER_ALIASES.get(key)
    if name is None:
        raise RegimenError(
            f"Unknown vitamer '{text}'. Use one of {', '.join(VITAMERS)}, e.g. {REGIMEN_EXAMPLES}."
        )
    return name


@dataclass(frozen=True)
class Dose:
    """One intake of one vitamer.

    Parameters
    ----------
    time_h : hours from the start of the simulation (>= 0).
    vitamer : ``K1``, ``MK-4``, ``MK-7``, ``MK-8`` or ``MK-9``.
    amount_ug : amount in µg (>= 0).
    matrix : ``supplement`` or a food category (see :data:`MATRICES`).
    """

    time_h: float
    vitamer: str
    amount_ug: float
    matrix: str = "supplement"

    def __post_init__(self) -> None:
        object.__setattr__(self, "vitamer", normalise_vitamer(self.vitamer))
        if not math.isfinite(self.time_h) or self.time_h < 0:
            raise RegimenError(
                f"Dose time must be a finite number of hours >= 0, not {self.time_h}."
            )
        if not math.isfinite(self.amount_ug) or self.amount_ug < 0:
            raise RegimenError(
                f"Dose amount must be a finite number of ug >= 0, not {self.amount_ug}. "
                f"Write e.g. {REGIMEN_EXAMPLES}."
            )
        if self.matrix not in MATRICES:
            raise RegimenError(
                f"Unknown matrix '{self.matrix}'. Use one of: {', '.join(MATRICES)}."
            )


def _offsets_h(schedule: str, duration_h: float) -> list[float]:
    s = schedule.strip().lower().replace(" ", "")
    s = s.removeprefix("every").removeprefix("each") if s not in ("everyday",) else "daily"
    if s in ("", "once", "single", "singledose"):
        return [0.0]
    if s in ("daily", "day", "/day", "/d", "perday", "qd", "onceaday", "oncedaily"):
        return [24.0 * k for k in range(math.ceil(duration_h / 24.0))]
    if s in ("twicedaily", "bid", "2xdaily", "twiceaday"):
        return [24.0 * k + h for k in range(math.ceil(duration_h / 24.0)) for h in (0.0, 12.0)]
    if s in ("threetimesdaily", "tid", "3xdaily", "withmeals"):
        return [24.0 * k + h for k in range(math.ceil(duration_h / 24.0)) for h in (0.0, 5.0, 11.0)]
    if s in ("weekly", "week", "onceaweek"):
        return [168.0 * k for k in range(math.ceil(duration_h / 168.0))]
    if s in ("thriceweekly", "threetimesweekly", "3xweekly", "tiw"):
        s = "mon,wed,fri"
    m = re.fullmatch(r"(\d+)days?", s)
    if m and int(m.group(1)) > 0:
        step = 24.0 * int(m.group(1))
        return [step * k for k in range(math.ceil(duration_h / step))]
    days = s.split(",")
    if days and all(d[:3] in _DAYS for d in days):
        chosen = sorted({_DAYS[d[:3]] for d in days})
        weeks = math.ceil(duration_h / 168.0)
        return [168.0 * w + 24.0 * d for w in range(weeks) for d in chosen]
    raise RegimenError(
        f"Cannot read the schedule '{schedule}'. Use once, daily, twice daily, with meals, "
        f"weekly, thrice weekly, every N days or days like mon,wed,fri; "
        f"e.g. {REGIMEN_EXAMPLES}."
    )


def parse_regimen(text: str, duration_h: float, matrix: str = "supplement") -> list[Dose]:
    """Doses of a regimen such as ``"MK-7 180 ug daily"`` within ``duration_h`` hours.

    Raises
    ------
    RegimenError
        Unreadable text, a negative amount or more than 1 g of a vitamer per day.
    """
    if not math.isfinite(duration_h) or duration_h <= 0:
        raise RegimenError(f"The duration must be > 0 hours, not {duration_h}.")
    first = text.split()[0] if text.split() else ""
    m = _REGIMEN.match(text)
    if not m:
        if first and first.lower().replace("-", "") not in _VITAMER_ALIASES:
            normalise_vitamer(first)
        raise RegimenError(f"Cannot read the regimen '{text}'. Write e.g. {REGIMEN_EXAMPLES}.")
    vitamer = normalise_vitamer(m.group("vitamer"))
    try:
        amount = f"{m.group('num')} {m.group('unit')}"
        amount_ug = to_micrograms(parse_quantity(amount), "A vitamin K dose")
    except K2LabError as exc:
        raise RegimenError(f"{exc} Regimens look like {REGIMEN_EXAMPLES}.") from exc
    if amount_ug < 0:
        raise RegimenError(
            f"The dose in '{text}' is negative. Write a positive amount, e.g. {REGIMEN_EXAMPLES}."
        )
    offsets = [t for t in _offsets_h(m.group("schedule"), duration_h) if t < duration_h]
    per_day: dict[int, float] = {}
    for t in offsets:
        per_day[int(t // 24)] = per_day.get(int(t // 24), 0.0) + amount_ug
    if per_day and max(per_day.values()) > MAX_UG_PER_DAY:
        raise RegimenError(
            f"'{text}' gives more than 1 g of {vitamer} per day, which is not a plausible "
            f"intake. Write e.g. {REGIMEN_EXAMPLES}."
        )
    return [Dose(t, vitamer, amount_ug, matrix) for t in offsets]
