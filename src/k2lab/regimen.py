"""One regimen grammar for diet files, ``--supplement``, the planner, advice, web and API.

A regimen is a substance, an amount and a schedule, optionally in steps::

    MK-7 180 ug daily              D3 2000 IU daily          calcium 500 mg twice daily
    MK-7 360 ug mon,wed,fri        K1 1 mg once              MK-4 45 mg with meals
    MK-7 180 ug                    (no schedule word: daily, as on a supplement label)
    MK-7 10 ug daily for 2 weeks, then 20 ug daily

Amounts are stored in canonical units: µg for vitamin K and vitamin D (1 µg = 40 IU),
mg of elemental calcium. :meth:`Regimen.doses` lists the intakes over a duration;
:meth:`Regimen.mean_per_day` is the average daily amount. Errors name the token that could
not be read and show an example.

Example
-------
>>> r = parse_regimen("MK-7 10 ug daily for 2 weeks, then 20 ug daily")
>>> [s.amount for s in r.steps], r.steps[0].days
([10.0, 20.0], 14.0)
>>> [d.time_h for d in parse_regimen("MK-7 360 ug mon,wed,fri").doses(168)]
[0.0, 48.0, 96.0]
>>> parse_regimen("D3 2000 IU").mean_per_day(30)
50.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from k2lab import checks
from k2lab.errors import K2LabError, RegimenError
from k2lab.units import parse_quantity, to_micrograms
from k2lab.vocab import MATRICES, REGIMEN_EXAMPLES, normalise_substance, normalise_vitamer

__all__ = [
    "MAX_DAILY",
    "MAX_DAYS",
    "REGIMEN_EXAMPLES",
    "Dose",
    "Regimen",
    "Schedule",
    "Step",
    "parse_regimen",
]

#: Largest accepted amount per day (canonical units): above, a typing error is likelier
#: than an intake (vitamin K 1 g; vitamin D 2.5 mg = 100,000 IU; calcium 5 g; B12 10 mg).
MAX_DAILY = {
    "vitamin_k": 1_000_000.0,
    "vitamin_d": 2_500.0,
    "calcium": 5_000.0,
    "vitamin_b12": 10_000.0,
}
#: Longest duration a regimen can be expanded over (50 years).
MAX_DAYS = 50 * 365
_UNIT_OF = {"vitamin_d": "ug", "calcium": "mg", "vitamin_b12": "ug"}
_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf"
_STEP = re.compile(
    rf"^\s*(?:(?P<sub>.+?)\s+)??(?P<num>{_NUMBER})\s*(?P<unit>[A-Za-zµμ][A-Za-z.µμ]*)"
    rf"(?P<rest>.*?)\s*$",
    re.IGNORECASE,
)
_FOR = re.compile(
    rf"^(?P<sched>.*?)\s*\bfor\s+(?P<n>{_NUMBER})\s*(?P<u>days?|d|weeks?|wk|w|months?|mo|years?|y)\s*$",
    re.IGNORECASE,
)
_THEN = re.compile(r"\s*[,;]?\s*\bthen\b\s*", re.IGNORECASE)
_DAYS_PER = {"d": 1.0, "w": 7.0, "m": 30.4375, "y": 365.25}


class _Bad(K2LabError):
    """Internal: a token that could not be read (turned into a RegimenError)."""


@dataclass(frozen=True)
class Dose:
    """One intake of one vitamin K form at one time.

    Parameters
    ----------
    time_h : hours from the start of the simulation (>= 0).
    vitamer : a vitamin K form (``K1``, ``MK-4``, ``MK-7`` ...; aliases accepted).
    amount_ug : amount in µg (>= 0).
    matrix : ``supplement`` or a food category (see :data:`k2lab.vocab.MATRICES`).
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


@dataclass(frozen=True)
class Schedule:
    """When intakes happen: hours of the day on the days that have them.

    ``every_days`` days apart (1 = daily, 7 = weekly), or on ``weekdays`` (0 = the first
    day of the simulation, as Monday); ``once`` is a single intake at the step's start.
    """

    hours_of_day: tuple[float, ...] = (0.0,)
    every_days: int = 1
    weekdays: tuple[int, ...] = ()
    once: bool = False

    @property
    def per_week(self) -> float:
        """Intakes per week (0 for ``once``)."""
        if self.once:
            return 0.0
        days = len(self.weekdays) if self.weekdays else 7.0 / self.every_days
        return days * len(self.hours_of_day)

    def offsets_h(self, start_h: float, end_h: float) -> list[float]:
        """Intake times in ``[start_h, end_h)``, counted from ``start_h``'s schedule."""
        if self.once:
            return [start_h] if start_h < end_h else []
        out = []
        n_days = math.ceil((end_h - start_h) / 24.0)
        for day in range(n_days):
            if self.weekdays and day % 7 not in self.weekdays:
                continue
            if not self.weekdays and day % self.every_days:
                continue
            out += [start_h + 24.0 * day + h for h in self.hours_of_day]
        return [t for t in out if t < end_h]


def _schedule(text: str) -> Schedule:
    s = "".join(text.lower().split())
    if s in ("", "daily", "day", "/day", "/d", "perday", "aday", "qd", "everyday", "oncedaily"):
        return Schedule()
    s = s.removeprefix("every").removeprefix("each")
    if s in ("once", "single", "singledose", "oncealone"):
        return Schedule(once=True)
    if s in ("twicedaily", "bid", "2xdaily", "twiceaday", "twiceday"):
        return Schedule(hours_of_day=(0.0, 12.0))
    if s in ("threetimesdaily", "tid", "3xdaily", "withmeals", "threetimesaday"):
        return Schedule(hours_of_day=(0.0, 5.0, 11.0))
    if s in ("weekly", "week", "onceaweek", "aweek", "/week", "perweek"):
        return Schedule(every_days=7)
    if s in ("thriceweekly", "threetimesweekly", "3xweekly", "tiw", "threetimesaweek"):
        s = "mon,wed,fri"
    m = re.fullmatch(r"(\d+)(?:days?|d)", s)
    if m and 0 < int(m.group(1)) <= 365:
        return Schedule(every_days=int(m.group(1)))
    days = [d for d in s.split(",") if d]
    if days and all(d[:3] in _DAYS for d in days):
        return Schedule(weekdays=tuple(sorted({_DAYS[d[:3]] for d in days})))
    raise _Bad(
        f"the schedule '{text.strip()}' (use daily, twice daily, with meals, weekly, thrice "
        "weekly, every N days, days like mon,wed,fri, or once)"
    )


@dataclass(frozen=True)
class Step:
    """One phase of a regimen: ``amount`` per intake (µg; mg for calcium) on ``schedule``,
    for ``days`` (``None``: until the end)."""

    amount: float
    schedule: Schedule
    days: float | None = None

    @property
    def per_day(self) -> float:
        """Average amount per day over a week (for ``once``: the single amount)."""
        if self.schedule.once:
            return self.amount
        return self.amount * self.schedule.per_week / 7.0


@dataclass(frozen=True)
class Regimen:
    """A substance taken in one or more steps; see :func:`parse_regimen`.

    ``substance`` is a vitamin K form, ``vitamin_d`` or ``calcium``; ``unit`` is ``ug`` or
    ``mg`` (calcium); ``text`` is what was written.
    """

    substance: str
    steps: tuple[Step, ...]
    text: str = ""

    @property
    def unit(self) -> str:
        """Canonical unit of the amounts."""
        return _UNIT_OF.get(self.substance, "ug")

    @property
    def is_vitamin_k(self) -> bool:
        """True for vitamin K forms."""
        return self.substance not in _UNIT_OF

    @property
    def constant(self) -> bool:
        """One open-ended, repeating step: the same amount every week."""
        return len(self.steps) == 1 and not self.steps[0].schedule.once

    @property
    def intakes_per_day(self) -> int:
        """Intakes on a day that has them (1 daily, 2 twice daily ...)."""
        return len(self.steps[-1].schedule.hours_of_day)

    def intakes(self, duration_h: float, start_h: float = 0.0) -> list[tuple[float, float]]:
        """``(time_h, amount)`` of every intake within ``duration_h`` hours of the start."""
        if not (math.isfinite(duration_h) and 0 < duration_h <= MAX_DAYS * 24.0):
            raise RegimenError(
                f"The duration must be between 1 hour and {MAX_DAYS // 365} years, "
                f"not {duration_h:g} h."
            )
        out: list[tuple[float, float]] = []
        t0 = start_h
        for step in self.steps:
            end = duration_h if step.days is None else min(duration_h, t0 + step.days * 24.0)
            out += [(t, step.amount) for t in step.schedule.offsets_h(t0, end)]
            if step.days is None or end >= duration_h:
                break
            t0 = end
        return out

    def doses(
        self, duration_h: float, *, hour_of_day: float = 0.0, matrix: str = "supplement"
    ) -> list[Dose]:
        """Vitamin K doses within ``duration_h`` hours (``hour_of_day``: first intake's hour;
        ``matrix``: what it is taken in, see :data:`k2lab.vocab.MATRICES`).

        Raises
        ------
        RegimenError
            Called on vitamin D or calcium, which are not doses of the vitamin K kinetics.
        """
        if not self.is_vitamin_k:
            raise RegimenError(f"'{self.text}' is not a vitamin K regimen.")
        return [
            Dose(t, self.substance, a, matrix)
            for t, a in self.intakes(duration_h, start_h=hour_of_day)
            if t < duration_h
        ]

    def mean_per_day(self, days: float) -> float:
        """Average amount per day over the first ``days`` days."""
        total = sum(a for _, a in self.intakes(days * 24.0))
        return total / days

    def daily_amounts(self, days: int) -> list[float]:
        """The amount on each of the first ``days`` days."""
        out = [0.0] * days
        for t, a in self.intakes(days * 24.0):
            out[int(t // 24)] += a
        return out


def _amount(num: str, unit: str, substance: str, token: str) -> float:
    try:
        q = parse_quantity(f"{num} {unit}")
    except K2LabError as exc:
        raise _Bad(f"the amount '{num} {unit}' ({exc})") from None
    if "IU" in f"{q.units:~}" or "international_unit" in str(q.units):
        if substance != "vitamin_d":
            raise _Bad(f"'{unit}': IU are for vitamin D only; give {token} in ug or mg")
    try:
        ug = to_micrograms(q, f"The amount of {token}")
    except K2LabError as exc:
        raise _Bad(f"the unit '{unit}' ({exc})") from None
    if not ug > 0:
        raise _Bad(f"the amount '{num} {unit}' (it must be above zero)")
    return ug / 1000.0 if substance == "calcium" else ug


def _days(n: str, unit: str) -> float:
    value = float(n)
    if not (math.isfinite(value) and value > 0):
        raise _Bad(f"the duration 'for {n} {unit}' (it must be a positive number)")
    days = value * _DAYS_PER[unit[0].lower()]
    if days > MAX_DAYS:
        raise _Bad(f"the duration 'for {n} {unit}' (at most {MAX_DAYS // 365} years)")
    return days


def parse_regimen(text: str) -> Regimen:
    """Read a regimen such as ``"MK-7 180 ug daily"``; see the module docstring.

    Raises
    ------
    RegimenError
        A token that cannot be read (named in the message, with an example), an unknown
        substance, "K2" without a form, IU for anything but vitamin D, or an amount above
        :data:`MAX_DAILY` per day.
    """
    checks.text(text, "regimen", error=RegimenError, example="'MK-7 180 ug daily'")
    if not text.strip():
        raise RegimenError(f"Empty regimen. Write e.g. {REGIMEN_EXAMPLES}.", field="regimen")
    if len(text) > 500:
        raise RegimenError("A regimen is at most 500 characters; write one substance per line.")
    parts = _THEN.split(text.strip())
    substance: str | None = None
    steps: list[Step] = []
    try:
        for i, part in enumerate(parts):
            m = _STEP.match(part)
            if not m:
                raise _Bad(f"'{part}' (expected a substance, an amount and a unit)")
            if m.group("sub"):
                try:
                    sub = normalise_substance(m.group("sub"))
                except RegimenError as exc:
                    raise RegimenError(f"{exc} Write e.g. {REGIMEN_EXAMPLES}.") from None
                if substance is not None and sub != substance:
                    raise _Bad(f"'{m.group('sub')}' (one regimen has one substance)")
                substance = sub
            elif substance is None:
                raise _Bad(f"'{part}' (it does not name a substance)")
            rest = m.group("rest")
            days: float | None = None
            f = _FOR.match(rest)
            if f:
                rest, days = f.group("sched"), _days(f.group("n"), f.group("u"))
            elif i < len(parts) - 1:
                raise _Bad(f"'{part}' (a step followed by 'then' needs 'for N days/weeks')")
            schedule = _schedule(rest)
            steps.append(
                Step(
                    _amount(
                        m.group("num"), m.group("unit"), substance, m.group("sub") or substance
                    ),
                    schedule,
                    days,
                )
            )
    except _Bad as exc:
        raise RegimenError(
            f"Cannot read {exc} in '{text}'. Write e.g. {REGIMEN_EXAMPLES}."
        ) from None
    assert substance is not None
    regimen = Regimen(substance, tuple(steps), text.strip())
    _check_limit(regimen)
    return regimen


def _check_limit(regimen: Regimen) -> None:
    kind = "vitamin_k" if regimen.is_vitamin_k else regimen.substance
    limit = MAX_DAILY[kind]
    for step in regimen.steps:
        per_day = step.amount * len(step.schedule.hours_of_day)
        if per_day > limit:
            raise RegimenError(
                f"'{regimen.text}' gives {per_day:,.0f} {regimen.unit} of {regimen.substance} "
                f"on one day, above the {limit:,.0f} {regimen.unit} k2lab accepts. Check the "
                "unit (ug vs mg)."
            )
