"""Model parameters: shipped CSV rows with a value, a range and a source.

Every number the physiology uses is one row of a CSV in ``k2lab/data`` with the columns
``name,scope,value,low,high,unit,source_key,notes``. ``scope`` says what the row applies
to: a vitamer (``MK-7``), a population (``hemodialysis``), a matrix and vitamer class
(``vegetable/K1``) or ``all``. ``source_key`` resolves in ``sources_physiology.csv``.

Example
-------
>>> p = default_parameters()
>>> p.value("t_half_h", "MK-7")
68.0
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from k2lab.errors import DataError

__all__ = [
    "PARAMETER_FILES",
    "POSTERIOR_DRAWS_FILE",
    "USE_POSTERIOR",
    "Parameter",
    "ParameterSet",
    "Source",
    "default_parameters",
    "load_parameter_set",
    "load_sources",
    "posterior_draws",
    "read_sources",
]

#: The shipped parameter tables, in load order (a later file may not repeat a key).
PARAMETER_FILES: tuple[str, ...] = (
    "pk_params.csv",
    "absorption_params.csv",
    "baseline_params.csv",
    "gla_params.csv",
    "calibrated_params.csv",
)

_COLUMNS = ["name", "scope", "value", "low", "high", "unit", "source_key", "notes"]


@dataclass(frozen=True)
class Source:
    """One citable source of a parameter."""

    source_key: str
    citation: str
    doi: str
    url: str
    notes: str


@dataclass(frozen=True)
class Parameter:
    """One model parameter with its plausible range (``low``..``high``) and source."""

    name: str
    scope: str
    value: float
    low: float
    high: float
    unit: str
    source_key: str
    notes: str
    file: str

    @property
    def key(self) -> tuple[str, str]:
        """``(name, scope)``, the lookup key."""
        return (self.name, self.scope)

    @property
    def uncertain(self) -> bool:
        """True when the range is wider than the value itself."""
        return self.high > self.low


class ParameterSet(Mapping[tuple[str, str], float]):
    """Immutable mapping ``(name, scope) -> value`` with the parameter records behind it."""

    def __init__(
        self,
        records: Mapping[tuple[str, str], Parameter],
        values: Mapping[tuple[str, str], float] | None = None,
    ) -> None:
        self._records = dict(records)
        self._posterior: np.ndarray | None = None
        self._posterior_keys: tuple[tuple[str, str], ...] = ()
        self._values = {k: r.value for k, r in self._records.items()}
        if values:
            unknown = set(values) - set(self._values)
            if unknown:
                raise DataError(f"Unknown parameters {sorted(unknown)}; see k2lab/data/*.csv.")
            self._values.update({k: float(v) for k, v in values.items()})

    def __getitem__(self, key: tuple[str, str]) -> float:
        try:
            return self._values[key]
        except KeyError:
            raise DataError(
                f"No parameter {key[0]!r} for {key[1]!r} in the shipped tables."
            ) from None

    def get(self, key: tuple[str, str], default: float | None = None) -> float | None:  # type: ignore[override]
        """Value for ``key``, or ``default`` when there is no such row."""
        return self._values.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def value(self, name: str, scope: str = "all") -> float:
        """Value of ``name`` for ``scope``."""
        return self[(name, scope)]

    def get_value(self, name: str, scope: str, default: float) -> float:
        """Value of ``name`` for ``scope``, or ``default`` when there is no such row."""
        return self._values.get((name, scope), default)

    def record(self, name: str, scope: str = "all") -> Parameter:
        """The CSV record behind a parameter."""
        return self._records[(name, scope)]

    @property
    def records(self) -> tuple[Parameter, ...]:
        """All parameter records, in file order."""
        return tuple(self._records.values())

    def replace(self, values: Mapping[tuple[str, str], float]) -> ParameterSet:
        """A copy with some values replaced (the records stay)."""
        merged = dict(self._values)
        merged.update(values)
        return ParameterSet(self._records, merged)

    def with_posterior(self, keys: tuple[tuple[str, str], ...], draws: np.ndarray) -> ParameterSet:
        """A copy whose :meth:`sample` draws ``keys`` jointly from ``draws`` (rows: draws,
        columns: ``keys``; e.g. :func:`posterior_draws`) instead of from their ranges."""
        out = ParameterSet(self._records, self._values)
        known = [i for i, k in enumerate(keys) if k in self._values]
        out._posterior_keys = tuple(keys[i] for i in known)
        out._posterior = np.asarray(draws, dtype=float)[:, known]
        return out

    def sample(self, n: int, seed: int) -> list[ParameterSet]:
        """``n`` parameter sets drawn independently within each row's ``low``..``high``.

        Positive ranges are sampled log-uniformly, others uniformly; rows without a range
        keep their value. The first set is always the central one.
        """
        rng = np.random.default_rng(seed)
        uncertain = [r for r in self._records.values() if r.uncertain]
        out = [self]
        for _ in range(max(n - 1, 0)):
            draws: dict[tuple[str, str], float] = {}
            for r in uncertain:
                if r.low > 0:
                    draws[r.key] = float(math.exp(rng.uniform(math.log(r.low), math.log(r.high))))
                else:
                    draws[r.key] = float(rng.uniform(r.low, r.high))
            out.append(self.replace(draws))
        if self._posterior is not None and n > 1:
            # A separate stream: the prior draws of all other parameters stay as they were.
            rows = np.random.default_rng([seed, 1]).integers(len(self._posterior), size=n - 1)
            out[1:] = [
                d.replace(dict(zip(self._posterior_keys, self._posterior[i].tolist(), strict=True)))
                for d, i in zip(out[1:], rows, strict=True)
            ]
        return out


def _read_text(filename: str) -> str:
    return resources.files("k2lab.data").joinpath(filename).read_text(encoding="utf-8")


def _parse_float(text: str, filename: str, line: int, column: str) -> float | None:
    if text.strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise DataError(f"{filename} line {line}: {column} {text!r} is not a number.") from None


def parse_parameter_csv(text: str, filename: str) -> list[Parameter]:
    """Parse one parameter table (used for the shipped files and in tests)."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != _COLUMNS:
        raise DataError(f"{filename}: columns must be {','.join(_COLUMNS)}.")
    rows: list[Parameter] = []
    for i, row in enumerate(reader, start=2):
        value = _parse_float(row["value"], filename, i, "value")
        if value is None:
            raise DataError(f"{filename} line {i}: value is empty.")
        low = _parse_float(row["low"], filename, i, "low")
        high = _parse_float(row["high"], filename, i, "high")
        low = value if low is None else low
        high = value if high is None else high
        if not low <= value <= high:
            raise DataError(f"{filename} line {i}: need low <= value <= high for {row['name']}.")
        if not row["source_key"].strip():
            raise DataError(f"{filename} line {i}: source_key is empty.")
        rows.append(
            Parameter(
                name=row["name"].strip(),
                scope=row["scope"].strip(),
                value=value,
                low=low,
                high=high,
                unit=row["unit"].strip(),
                source_key=row["source_key"].strip(),
                notes=row["notes"].strip(),
                file=filename,
            )
        )
    return rows


def read_sources(filename: str) -> dict[str, Source]:
    """A shipped sources table (``source_key,citation,doi,url,notes``) by ``source_key``."""
    reader = csv.DictReader(io.StringIO(_read_text(filename)))
    return {
        r["source_key"]: Source(r["source_key"], r["citation"], r["doi"], r["url"], r["notes"])
        for r in reader
    }


def load_parameter_set(filenames: tuple[str, ...], sources: Mapping[str, Source]) -> ParameterSet:
    """Shipped parameter tables as one set; every source key must be in ``sources`` and no
    key may be defined twice."""
    records: dict[tuple[str, str], Parameter] = {}
    for filename in filenames:
        for p in parse_parameter_csv(_read_text(filename), filename):
            for key in p.source_key.split(";"):
                if key not in sources:
                    raise DataError(f"{filename}: source_key {key!r} is not in sources.")
            if p.key in records:
                raise DataError(f"{filename}: parameter {p.key} is defined twice.")
            records[p.key] = p
    return ParameterSet(records)


@cache
def load_sources() -> dict[str, Source]:
    """The sources behind the physiology parameters, by ``source_key``."""
    return read_sources("sources_physiology.csv")


#: The one switch: when True, :func:`default_parameters` draws the calibrated parameters
#: from the shipped posterior (``posterior_draws.csv``) in :meth:`ParameterSet.sample`.
USE_POSTERIOR = True
POSTERIOR_DRAWS_FILE = "posterior_draws.csv"


def posterior_draws() -> tuple[tuple[tuple[str, str], ...], np.ndarray]:
    """The shipped posterior draws of the calibrated parameters: keys and a draws array
    (written by ``k2lab validate --write-posterior``; comment lines start with ``#``)."""
    lines = [ln for ln in _read_text(POSTERIOR_DRAWS_FILE).splitlines() if not ln.startswith("#")]
    rows = list(csv.reader(lines))
    try:
        keys = tuple((h.split("|")[0], h.split("|")[1]) for h in rows[0][2:])
        return keys, np.array([r[2:] for r in rows[1:]], dtype=float)
    except (IndexError, ValueError):
        raise DataError(f"{POSTERIOR_DRAWS_FILE} is malformed; regenerate it.") from None


@cache
def default_parameters() -> ParameterSet:
    """All shipped parameters (literature, priors and the calibration record); with
    :data:`USE_POSTERIOR`, sampling draws the calibrated ones from the posterior."""
    params = load_parameter_set(PARAMETER_FILES, load_sources())
    if USE_POSTERIOR:
        params = params.with_posterior(*posterior_draws())
    return params
