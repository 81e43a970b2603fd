"""Vitamin D input → serum 25(OH)D, and the parameters of the vitamin D hook.

A person's vitamin D input is an oral-equivalent amount, µg/day: diet + supplement + a
sunlight term by level (``none``, ``low``, ``moderate``, ``high``; priors). The steady
state of serum 25(OH)D rises with it along a saturating curve,

    25(OH)D = baseline + Dmax · (1 − exp(−input / scale)),

whose two constants are fitted to the dose-response slopes of Ekwaru et al. 2014 (12.0
nmol/L per 1,000 IU/d at 0–1,000 IU/d, 1.1 per 1,000 IU/d at 15,000–20,000 IU/d); the
derivation is in the notes of ``k2lab/data/calcium_params.csv``. Units: µg of vitamin D3;
1 µg = 40 IU. Amounts may be numbers (µg/day), pint quantities or strings such as
``"2000 IU"``; IU is never assumed for a plain number.

Oral intake (diet + supplement) above the adult UL (100 µg/day) gives an
:class:`~k2lab.errors.IntakeWarning`, as does any input above EFSA's LOAEL (250 µg/day);
more than 2,500 µg/day is refused as an entry error.

Example
-------
>>> vitamin_d_input_ug_per_day(4.0, 25.0, sun="none")
29.0
>>> round(d25_steady_state_nmol_per_l(0.0), 1)
30.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from k2lab.calcium._intake import FloatArray, amount, check_limits, scalar_or_array
from k2lab.calcium.extension import extension_defaults
from k2lab.calcium.params import calcium_parameters
from k2lab.errors import AmountError, ScenarioError
from k2lab.physiology.params import ParameterSet

__all__ = [
    "SUN_LEVELS",
    "d25_model_parameters",
    "d25_steady_state_nmol_per_l",
    "sun_equivalent_ug_per_day",
    "vitamin_d_input_ug_per_day",
]

#: Sunlight levels, each an oral-equivalent input (``sun_<level>_ug_per_day``, priors).
SUN_LEVELS: tuple[str, ...] = ("none", "low", "moderate", "high")


def _params(params: ParameterSet | None) -> ParameterSet:
    return params if params is not None else calcium_parameters()


def sun_equivalent_ug_per_day(sun: str = "low", params: ParameterSet | None = None) -> float:
    """Oral-equivalent vitamin D from skin synthesis at a sunlight level, µg/day (a prior).

    Example
    -------
    >>> sun_equivalent_ug_per_day("none")
    0.0
    """
    if not isinstance(sun, str) or sun.strip().lower() not in SUN_LEVELS:
        raise ScenarioError(f"Unknown sunlight level {sun!r}; use one of {', '.join(SUN_LEVELS)}.")
    return _params(params).value(f"sun_{sun.strip().lower()}_ug_per_day")


def vitamin_d_input_ug_per_day(
    diet_ug: Any, supplement_ug: Any, sun: str = "low", params: ParameterSet | None = None
) -> float:
    """Total oral-equivalent vitamin D input, µg/day: diet + supplement + sunlight.

    Parameters
    ----------
    diet_ug, supplement_ug
        Vitamin D per day from food and from supplements: µg as plain numbers, or pint
        quantities / strings in µg, mg or IU (``"1000 IU"`` = 25 µg).
    sun
        ``none``, ``low`` (default), ``moderate`` or ``high``.
    params
        Parameter table (``calcium_parameters()`` or one of its samples).

    Raises
    ------
    AmountError
        For negative, NaN or non-numeric amounts, or oral intake above 2,500 µg/day.
    UnitError
        For a unit that is not a mass (or IU).
    ScenarioError
        For an unknown sunlight level.

    Warns
    -----
    IntakeWarning
        Oral intake above the UL (100 µg/day) or EFSA's LOAEL (250 µg/day).
    """
    p = _params(params)
    diet = amount(diet_ug, "microgram", "Dietary vitamin D", allow_iu=True)
    supplement = amount(supplement_ug, "microgram", "Supplemental vitamin D", allow_iu=True)
    if diet.size != 1 or supplement.size != 1:
        raise AmountError(
            "vitamin_d_input_ug_per_day takes one diet and one supplement amount; call it "
            "once per person."
        )
    oral = float(diet.reshape(-1)[0] + supplement.reshape(-1)[0])
    _check_oral(np.array([oral]), p)
    return oral + sun_equivalent_ug_per_day(sun, p)


def _check_oral(oral: FloatArray, p: ParameterSet) -> None:
    ul = p.value("vitd_ul_ug_per_day")
    loael = p.value("vitd_loael_ug_per_day")
    top = float(np.max(oral)) if oral.size else 0.0
    check_limits(
        oral,
        what="Oral vitamin D (diet + supplement)",
        unit="µg",
        warn_above=loael if top > loael else ul,
        warn_reason=(
            f"EFSA's LOAEL for persistent hypercalciuria, {loael:g} µg/day = "
            f"{loael * 40:,.0f} IU/day; outside the dose-response data"
            if top > loael
            else f"the adult tolerable upper intake level, {ul:g} µg/day = {ul * 40:,.0f} IU/day"
        ),
        refuse_above=p.value("vitd_max_ug_per_day"),
        refuse_reason="no daily intake this large is plausible; 1 µg = 40 IU",
    )


def d25_steady_state_nmol_per_l(
    input_ug_per_day: float | ArrayLike, params: ParameterSet | None = None
) -> FloatArray | float:
    """Steady-state serum 25(OH)D, nmol/L, for a total vitamin D input (µg/day).

    ``baseline + Dmax·(1 − exp(−input/scale))``; a float for a scalar input, else an array
    of the input's shape. The input includes the sunlight term (see
    :func:`vitamin_d_input_ug_per_day`).

    Example
    -------
    >>> [round(x) for x in d25_steady_state_nmol_per_l([0, 25, 100])]
    [30, 42, 69]
    """
    p = _params(params)
    x = amount(input_ug_per_day, "microgram", "Vitamin D input", allow_iu=True)
    check_limits(
        x,
        what="Vitamin D input",
        unit="µg",
        warn_above=np.inf,
        warn_reason="",
        refuse_above=p.value("vitd_max_ug_per_day") + p.value("sun_high_ug_per_day"),
        refuse_reason="oral intake above 2,500 µg/day plus the highest sunlight level",
    )
    d25 = p.value("d25_baseline_nmol_per_l") + p.value("d25_rise_max_nmol_per_l") * (
        1.0 - np.exp(-x / p.value("d25_rise_scale_ug_per_day"))
    )
    return scalar_or_array(d25)


def d25_model_parameters(
    input_ug_per_day: float,
    params: ParameterSet | None = None,
    *,
    start_nmol_per_l: float | None = None,
    habitual_ug_per_day: float | None = None,
) -> dict[str, float]:
    """Parameters of the vitamin D hook for ``CalciumScenario(parameters=...)``.

    The person's 25(OH)D moves from ``start`` towards the steady state of
    ``input_ug_per_day`` with the 25(OH)D half-life. By default the person has been on
    this input already (start = target, a steady state); to model a change, give the
    habitual input (``habitual_ug_per_day``, start = its steady state) or a measured
    ``start_nmol_per_l``.

    Parameters
    ----------
    input_ug_per_day
        Total vitamin D input from the start of the run, µg/day
        (:func:`vitamin_d_input_ug_per_day`).
    params
        Parameter table (``calcium_parameters()`` or one of its samples).
    start_nmol_per_l
        Serum 25(OH)D at the start, nmol/L.
    habitual_ug_per_day
        The input before the run, µg/day (alternative to ``start_nmol_per_l``).

    Returns
    -------
    dict
        ``k2lab_d25_target``, ``k2lab_d25_start`` (nmol/L), ``k2lab_d25_k`` (1/h),
        ``k2lab_d25_ref`` and ``k2lab_calcitriol_km`` (nmol/L), for
        :meth:`CalciumModel.extended <k2lab.calcium.model.CalciumModel.extended>`.

    Example
    -------
    >>> p = d25_model_parameters(50.0, habitual_ug_per_day=10.0)
    >>> round(p["k2lab_d25_start"], 1), round(p["k2lab_d25_target"], 1)
    (35.0, 52.4)
    """
    p = _params(params)
    if np.ndim(input_ug_per_day) != 0:
        raise AmountError(
            "d25_model_parameters takes one input (µg/day) per call; build per-person "
            "arrays from one call per person."
        )
    out = extension_defaults(p)
    target = float(d25_steady_state_nmol_per_l(input_ug_per_day, p))
    if start_nmol_per_l is not None and habitual_ug_per_day is not None:
        raise ScenarioError("Give start_nmol_per_l or habitual_ug_per_day, not both.")
    if start_nmol_per_l is not None:
        start = float(np.asarray(start_nmol_per_l, dtype=float))
        if not (np.isfinite(start) and 0.0 < start <= 1000.0):
            raise AmountError(
                f"start_nmol_per_l must lie in (0, 1000] nmol/L, not {start:g}; 25(OH)D in "
                "ng/mL × 2.496 gives nmol/L."
            )
    elif habitual_ug_per_day is not None:
        start = float(d25_steady_state_nmol_per_l(habitual_ug_per_day, p))
    else:
        start = target
    out["k2lab_d25_target"] = target
    out["k2lab_d25_start"] = start
    return out
