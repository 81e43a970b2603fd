"""A supplement on a diet day: one regimen of the grammar in :mod:`k2lab.regimen`, as the
amount it gives per day.

Example
-------
>>> s = parse_supplement("D3 2000 IU")
>>> s.nutrient, s.amount, s.unit
('vitamin_d', 50.0, 'ug')
>>> parse_supplement("MK-7 360 ug mon,wed,fri").amount
154.28571428571428
"""

from __future__ import annotations

from dataclasses import dataclass

from k2lab.errors import RegimenError
from k2lab.regimen import MAX_DAILY, Regimen, parse_regimen

__all__ = ["MAX_DAILY", "Supplement", "parse_supplement"]


@dataclass(frozen=True)
class Supplement:
    """What a regimen gives per day of one nutrient, in k2lab units (µg; mg for calcium).

    ``regimen`` keeps the schedule, so simulations dose it as written.
    """

    nutrient: str
    amount: float
    unit: str
    text: str
    regimen: Regimen | None = None


def parse_supplement(text: str) -> Supplement:
    """Read a supplement of a diet day (see :func:`k2lab.regimen.parse_regimen`).

    The amount is the average per day (``mon,wed,fri`` gives 3/7 of the dose a day; ``once``
    gives the dose on that day).

    Raises
    ------
    RegimenError
        Unreadable text, or a stepped regimen (a diet day lists what is taken on it).
    """
    regimen = parse_regimen(text)
    if len(regimen.steps) > 1:
        raise RegimenError(
            f"'{text}': a diet day lists what is taken on it; give stepped regimens to "
            "`k2lab simulate --supplement`."
        )
    return Supplement(
        regimen.substance, regimen.steps[0].per_day, regimen.unit, text.strip(), regimen
    )
