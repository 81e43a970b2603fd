"""One result type: a :class:`Trajectory` of named, unit-suffixed series with intervals,
and a :class:`Comparison` of two trajectories with paired draws.

``Trajectory.to_dict()`` follows :data:`TRAJECTORY_SCHEMA` (JSON Schema, versioned by
:data:`SCHEMA_VERSION`): the CLI's ``--json``, the REST API and the store share it.

Example
-------
>>> import numpy as np
>>> draws = np.array([[1.0, 2.0], [1.0, 3.0]])
>>> s = Series.from_draws("INR", draws, interval_percent=90)
>>> s.baseline, s.final, s.change_percent
(1.0, 2.0, 100.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from k2lab.errors import MissingDependencyError, ScenarioError
from k2lab.vocab import ENDPOINTS

__all__ = [
    "SCHEMA_VERSION",
    "TRAJECTORY_SCHEMA",
    "Comparison",
    "Difference",
    "Series",
    "Trajectory",
]

FloatArray = NDArray[np.float64]
SCHEMA_VERSION = "k2lab.trajectory/1"


def _num(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 6)


@dataclass(frozen=True)
class Series:
    """One endpoint over time: the central draw and its prediction interval.

    ``draws`` (rows = parameter draws, the first is the central one) are kept for paired
    comparisons; ``values``, ``low`` and ``high`` are over time.
    """

    name: str
    unit: str
    label: str
    values: FloatArray = field(repr=False)
    low: FloatArray = field(repr=False)
    high: FloatArray = field(repr=False)
    draws: FloatArray = field(repr=False)
    interval_percent: float = 90.0

    @classmethod
    def from_draws(
        cls,
        name: str,
        draws: FloatArray,
        *,
        interval_percent: float,
        ok: NDArray[np.bool_] | None = None,
    ) -> Series:
        """A series from draws (rows; row 0 is the central draw); the interval is over the
        rows marked ``ok`` (all by default)."""
        info = ENDPOINTS[name]
        tail = (100.0 - interval_percent) / 2.0
        rows = draws if ok is None else draws[ok]
        lo, hi = np.percentile(rows, [tail, 100.0 - tail], axis=0)
        return cls(name, info.unit, info.label, draws[0], lo, hi, draws, interval_percent)

    @property
    def baseline(self) -> float:
        """Central value at the start."""
        return float(self.values[0])

    @property
    def final(self) -> float:
        """Central value at the end."""
        return float(self.values[-1])

    @property
    def change_percent(self) -> float:
        """Central change from the start, % (NaN when the start is 0)."""
        return 100.0 * (self.final / self.baseline - 1.0) if self.baseline else math.nan

    def change_percent_interval(self) -> tuple[float, float]:
        """Interval of the per-draw change from the start, %."""
        rows = self.draws[np.all(np.isfinite(self.draws), axis=1)]
        start = rows[:, 0]
        if np.any(start == 0):
            return (math.nan, math.nan)
        change = 100.0 * (rows[:, -1] / start - 1.0)
        tail = (100.0 - self.interval_percent) / 2.0
        lo, hi = np.percentile(change, [tail, 100.0 - tail])
        return float(lo), float(hi)

    def to_dict(self, index: NDArray[np.intp]) -> dict[str, Any]:
        """JSON-ready summary and the trajectory at ``index``."""
        c_lo, c_hi = self.change_percent_interval()
        return {
            "unit": self.unit,
            "label": self.label,
            "baseline": _num(self.baseline),
            "final": _num(self.final),
            "final_low": _num(float(self.low[-1])),
            "final_high": _num(float(self.high[-1])),
            "change_percent": _num(self.change_percent),
            "change_percent_low": _num(c_lo),
            "change_percent_high": _num(c_hi),
            "values": [_num(float(x)) for x in self.values[index]],
            "low": [_num(float(x)) for x in self.low[index]],
            "high": [_num(float(x)) for x in self.high[index]],
        }


@dataclass(frozen=True)
class Trajectory:
    """What :func:`k2lab.simulation` returns for one scenario.

    ``resolution`` is ``kinetics`` (the vitamin K layers, hourly or daily) or ``system``
    (the calcium system with the vitamin K layers, daily). ``draw_ok`` marks draws that
    completed (failed ones are left out of the intervals); ``skipped`` names layers that
    could not run, with the reason; ``inputs`` are the amounts simulated, in units.
    """

    label: str
    resolution: str
    time_h: FloatArray = field(repr=False)
    series: Mapping[str, Series] = field(repr=False)
    n_samples: int = 1
    seed: int = 0
    interval_percent: float = 90.0
    draw_ok: tuple[bool, ...] = ()
    inputs: Mapping[str, float | str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    skipped: Mapping[str, str] = field(default_factory=dict)
    source_keys: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Series:
        try:
            return self.series[name]
        except KeyError:
            raise ScenarioError(
                f"No series '{name}' in this trajectory; it has {', '.join(self.series)}.",
                field="endpoint",
            ) from None

    @property
    def time_days(self) -> FloatArray:
        """Output times in days."""
        return self.time_h / 24.0

    def _index(self, every_h: float | None) -> NDArray[np.intp]:
        n = len(self.time_h)
        if every_h is None or n < 2:
            return np.arange(n)
        step = self.time_h[1] - self.time_h[0]
        k = max(1, round(every_h / step))
        return np.unique(np.r_[np.arange(0, n, k), n - 1])

    def to_dict(self, *, every_h: float | None = None) -> dict[str, Any]:
        """JSON-ready dict following :data:`TRAJECTORY_SCHEMA`; trajectories every
        ``every_h`` hours (and the last point), all points when ``None``."""
        idx = self._index(every_h)
        return {
            "schema": SCHEMA_VERSION,
            "label": self.label,
            "resolution": self.resolution,
            "n_samples": self.n_samples,
            "seed": self.seed,
            "interval_percent": self.interval_percent,
            "draws_ok": int(sum(self.draw_ok)) if self.draw_ok else self.n_samples,
            "time_h": [float(t) for t in self.time_h[idx]],
            "series": {name: s.to_dict(idx) for name, s in self.series.items()},
            "inputs": dict(self.inputs),
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "skipped": dict(self.skipped),
            "source_keys": list(self.source_keys),
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame: ``time_h``, ``time_days`` and per series its central value,
        ``_low`` and ``_high`` (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise MissingDependencyError("to_frame needs pandas: pip install pandas") from exc
        cols: dict[str, FloatArray] = {"time_h": self.time_h, "time_days": self.time_days}
        for name, s in self.series.items():
            cols[name] = s.values
            cols[f"{name}_low"] = s.low
            cols[f"{name}_high"] = s.high
        return pd.DataFrame(cols)


@dataclass(frozen=True)
class Difference:
    """``b − a`` of one endpoint at the end, paired draw by draw."""

    name: str
    unit: str
    label: str
    a: float
    b: float
    difference: float
    low: float
    high: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "unit": self.unit,
            "label": self.label,
            "a": _num(self.a),
            "b": _num(self.b),
            "difference": _num(self.difference),
            "low": _num(self.low),
            "high": _num(self.high),
        }


@dataclass(frozen=True)
class Comparison:
    """Two trajectories of the same person with the same parameter draws.

    >>> # Comparison(a, b) raises unless seeds, draws and time grids match.
    """

    a: Trajectory
    b: Trajectory

    def __post_init__(self) -> None:
        a, b = self.a, self.b
        if (a.seed, a.n_samples, len(a.time_h), a.resolution) != (
            b.seed,
            b.n_samples,
            len(b.time_h),
            b.resolution,
        ):
            raise ScenarioError(
                "Compare trajectories of the same horizon, resolution, seed and number of "
                "draws, so that draws pair up."
            )

    def differences(self) -> dict[str, Difference]:
        """Paired differences at the end for every endpoint both trajectories have."""
        ok = np.ones(self.a.n_samples, dtype=bool)
        for t in (self.a, self.b):
            if t.draw_ok:
                ok &= np.array(t.draw_ok)
        out = {}
        for name, sa in self.a.series.items():
            sb = self.b.series.get(name)
            if sb is None or sa.draws.shape != sb.draws.shape:
                continue
            diff = sb.draws[:, -1] - sa.draws[:, -1]
            tail = (100.0 - self.a.interval_percent) / 2.0
            lo, hi = np.percentile(diff[ok[: len(diff)]], [tail, 100.0 - tail])
            out[name] = Difference(
                name, sa.unit, sa.label, sa.final, sb.final, float(diff[0]), float(lo), float(hi)
            )
        return out

    def to_dict(self, *, every_h: float | None = None) -> dict[str, Any]:
        """JSON-ready: both trajectories and the paired differences ``b − a``."""
        return {
            "schema": SCHEMA_VERSION,
            "a": self.a.to_dict(every_h=every_h),
            "b": self.b.to_dict(every_h=every_h),
            "difference_b_minus_a": {n: d.to_dict() for n, d in self.differences().items()},
        }


_NUM = {"type": ["number", "null"]}
_NUMS = {"type": "array", "items": _NUM}
_SERIES = {
    "type": "object",
    "required": ["unit", "label", "baseline", "final", "change_percent", "values", "low", "high"],
    "properties": {
        "unit": {"type": "string"},
        "label": {"type": "string"},
        "baseline": _NUM,
        "final": _NUM,
        "final_low": _NUM,
        "final_high": _NUM,
        "change_percent": _NUM,
        "change_percent_low": _NUM,
        "change_percent_high": _NUM,
        "values": _NUMS,
        "low": _NUMS,
        "high": _NUMS,
    },
    "additionalProperties": False,
}
#: JSON Schema of ``Trajectory.to_dict()`` (and of each side of a comparison).
TRAJECTORY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_VERSION,
    "title": "k2lab trajectory",
    "type": "object",
    "required": [
        "schema",
        "label",
        "resolution",
        "n_samples",
        "seed",
        "interval_percent",
        "time_h",
        "series",
        "notes",
        "source_keys",
    ],
    "properties": {
        "schema": {"const": SCHEMA_VERSION},
        "label": {"type": "string"},
        "resolution": {"enum": ["kinetics", "system"]},
        "n_samples": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer"},
        "interval_percent": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100},
        "draws_ok": {"type": "integer", "minimum": 1},
        "time_h": {"type": "array", "items": {"type": "number"}},
        "series": {
            "type": "object",
            "propertyNames": {"enum": sorted(ENDPOINTS)},
            "additionalProperties": _SERIES,
        },
        "inputs": {"type": "object", "additionalProperties": {"type": ["number", "string"]}},
        "notes": {"type": "array", "items": {"type": "string"}},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "skipped": {"type": "object", "additionalProperties": {"type": "string"}},
        "source_keys": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}
