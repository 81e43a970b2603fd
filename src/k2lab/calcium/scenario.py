"""Calcium-model scenarios: daily calcium intake, GFR and teriparatide, per person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from k2lab.calcium.model import TeriparatideRegimen
from k2lab.errors import ScenarioError

FloatArray: TypeAlias = NDArray[np.float64]
DailyInput: TypeAlias = float | ArrayLike


def _daily(value: DailyInput | None, field: str, *, positive: bool) -> FloatArray | None:
    if value is None:
        return None
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"CalciumScenario.{field} must be numbers, not {value!r}.") from exc
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
    elif arr.ndim != 2:
        raise ScenarioError(
            f"CalciumScenario.{field} must be a number, a per-day sequence or a "
            f"(people, days) array, not an array of shape {arr.shape}."
        )
    if arr.size == 0:
        raise ScenarioError(f"CalciumScenario.{field} is empty.")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or (positive and np.any(arr == 0)):
        sign = "> 0" if positive else "≥ 0"
        raise ScenarioError(f"CalciumScenario.{field} must be finite and {sign}.")
    arr.setflags(write=False)
    return arr


def _parameters(value: object) -> Mapping[str, FloatArray]:
    """Validate per-person parameter overrides: name -> (1,) or (people,) array."""
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ScenarioError(
            "CalciumScenario.parameters must be a mapping of SBML parameter ids to values, "
            f"e.g. {{'T69': 0.12}}, not {type(value).__name__}."
        )
    out: dict[str, FloatArray] = {}
    for name, v in value.items():
        if not isinstance(name, str) or not name:
            raise ScenarioError(
                f"CalciumScenario.parameters: keys must be SBML parameter ids, not {name!r}."
            )
        try:
            arr = np.array(v, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(
                f"CalciumScenario.parameters['{name}'] must be a number or one number per "
                f"person, not {v!r}."
            ) from exc
        if arr.ndim > 1:
            raise ScenarioError(
                f"CalciumScenario.parameters['{name}'] must be a number or a (people,) "
                f"sequence; it is constant over the run. Got shape {arr.shape}."
            )
        arr = arr.reshape(-1)
        if arr.size == 0:
            raise ScenarioError(f"CalciumScenario.parameters['{name}'] is empty.")
        if not np.all(np.isfinite(arr)):
            raise ScenarioError(
                f"CalciumScenario.parameters['{name}'] must be finite (no NaN or infinity)."
            )
        arr.setflags(write=False)
        out[name] = arr
    return MappingProxyType(out)


@dataclass(frozen=True, eq=False)
class CalciumScenario:
    """Inputs of a calcium-model run. ``None`` keeps the model's own value.

    Each daily input is a number (everyone, every day), a sequence with one value per day
    (everyone), or an array of shape (people, days); ``days`` may be 1 for a constant
    per-person value. Days beyond the given ones are an error, not a silent hold.

    Parameters
    ----------
    calcium_intake_mg_per_day
        Oral calcium, mg/day (the model's own: 964 mg/day).
    gfr_ml_per_min
        Glomerular filtration rate, mL/min (the model's own: 100 mL/min).
    teriparatide
        Injections of teriparatide; ``None`` for none (the SBML as published has three
        daily doses: pass ``model.published_teriparatide`` to reproduce them).
    parameters
        Overrides of SBML parameters by id, constant over the run: a number (everyone) or
        one number per person, shape (people,). Names are checked against the model when
        the scenario is simulated. For the vitamin D hook of ``CalciumModel.extended()``
        see :func:`k2lab.calcium.vitamin_d.d25_model_parameters`.

    Example
    -------
    >>> CalciumScenario(calcium_intake_mg_per_day=[800, 1200]).n_people
    1
    """

    calcium_intake_mg_per_day: DailyInput | None = None
    gfr_ml_per_min: DailyInput | None = None
    teriparatide: TeriparatideRegimen | None = None
    parameters: Mapping[str, float | ArrayLike] | None = None

    def __post_init__(self) -> None:
        intake = _daily(self.calcium_intake_mg_per_day, "calcium_intake_mg_per_day", positive=False)
        gfr = _daily(self.gfr_ml_per_min, "gfr_ml_per_min", positive=True)
        object.__setattr__(self, "calcium_intake_mg_per_day", intake)
        object.__setattr__(self, "gfr_ml_per_min", gfr)
        params = _parameters(self.parameters)
        object.__setattr__(self, "parameters", params)
        rows = {a.shape[0] for a in (intake, gfr) if a is not None} - {1}
        rows |= {a.shape[0] for a in params.values()} - {1}
        if len(rows) > 1:
            raise ScenarioError(
                "CalciumScenario inputs disagree on the number of people: "
                f"{sorted(rows)} rows or values. Give each input one row (one value) or the "
                "same number of people."
            )
        if self.teriparatide is not None and not isinstance(self.teriparatide, TeriparatideRegimen):
            raise ScenarioError("CalciumScenario.teriparatide must be a TeriparatideRegimen.")

    @property
    def n_people(self) -> int:
        """Number of people (rows) the inputs describe."""
        rows = [a.shape[0] for a in self._arrays() if a is not None]
        rows += [a.shape[0] for a in self.parameter_arrays().values()]
        return max(rows, default=1)

    def parameter_arrays(self) -> Mapping[str, FloatArray]:
        """The parameter overrides, each of shape (1,) or (people,)."""
        params = self.parameters
        assert isinstance(params, Mapping)
        return params  # type: ignore[return-value]

    def _arrays(self) -> tuple[FloatArray | None, FloatArray | None]:
        intake = self.calcium_intake_mg_per_day
        gfr = self.gfr_ml_per_min
        assert intake is None or isinstance(intake, np.ndarray)
        assert gfr is None or isinstance(gfr, np.ndarray)
        return intake, gfr

    def daily_inputs(
        self, n_days: int, default_intake_mg_per_day: float, default_gfr_ml_per_min: float
    ) -> tuple[FloatArray, FloatArray]:
        """Intake (mg/day) and GFR (mL/min) as (people, days) arrays for ``n_days`` days."""
        people = self.n_people
        out: list[FloatArray] = []
        for arr, default, field in zip(
            self._arrays(),
            (default_intake_mg_per_day, default_gfr_ml_per_min),
            ("calcium_intake_mg_per_day", "gfr_ml_per_min"),
            strict=True,
        ):
            a = np.full((1, 1), default) if arr is None else arr
            if a.shape[1] not in (1,) and a.shape[1] < n_days:
                raise ScenarioError(
                    f"CalciumScenario.{field} has {a.shape[1]} values but the run needs "
                    f"{n_days} (one per day, or per input period with input_every_h); give "
                    "that many or a single value."
                )
            out.append(
                np.broadcast_to(a[:, :n_days] if a.shape[1] > 1 else a, (people, n_days)).astype(
                    float
                )
            )
        return out[0], out[1]
