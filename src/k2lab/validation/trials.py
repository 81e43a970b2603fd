"""The trials table: every published arm that k2lab is calibrated to or validated against.

``k2lab/data/trial_arms.csv`` holds one row per arm and endpoint, for both layers:

- ``layer``: ``physiology`` (vitamin K exposure and Gla status, weeks) or ``calcium`` (the
  calcium system: BMD and calcification, years);
- ``role``: ``calibration`` (fitted a parameter) or ``validation`` (held out, informed nothing);
- who: ``population`` (the physiology's parameter set) and the person fields ``age``, ``sex``,
  ``menopause_age``, ``egfr_ml_per_min``, ``sun`` (empty: the model's default), ``medication``
  and ``inr_target``;
- what: ``background`` (taken in every arm of the trial, e.g. ``D3 10 ug; calcium 600 mg``),
  ``regimen`` (the tested regimen; empty for a control arm), ``matrix``, ``duration``
  (``12 weeks``, ``2 years``);
- the figure: ``endpoint``, ``metric`` (see :data:`METRICS`), ``observed``, ``observed_range``
  (the published spread, as text), ``comparison`` (in words), ``source_key``, ``notes``.

Example
-------
>>> arms = load_trials()
>>> sorted({a.layer for a in arms}), arms[0].arm_id, arms[0].duration_days
(['calcium', 'physiology'], 'garber_tablet_auc', 7.0)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from k2lab.errors import DataError

__all__ = [
    "COLUMNS",
    "LAYERS",
    "METRICS",
    "PERSON_FIELDS",
    "ROLES",
    "TRIALS_FILE",
    "TrialArm",
    "load_trials",
    "parse_trials",
]

TRIALS_FILE = "trial_arms.csv"
LAYERS = ("physiology", "calcium")
ROLES = ("calibration", "validation")
#: What the observed figure is: the value at the end (``value``), the relative change from
#: baseline in % (``change_percent``), the change end minus start (``change``, endpoint
#: units), or the change in the tested arm minus the change in the control arm
#: (``change_vs_control``).
METRICS = ("value", "change_percent", "change", "change_vs_control")
#: Person fields of the table, with their types (the names of ``k2lab.person.Person``).
PERSON_FIELDS: dict[str, type] = {
    "age": float,
    "sex": str,
    "menopause_age": float,
    "egfr_ml_per_min": float,
    "sun": str,
}
COLUMNS = (
    "arm_id",
    "layer",
    "role",
    "trial",
    "source_key",
    "population",
    *PERSON_FIELDS,
    "medication",
    "inr_target",
    "background",
    "regimen",
    "matrix",
    "duration",
    "endpoint",
    "metric",
    "observed",
    "observed_range",
    "comparison",
    "notes",
)
_DAYS_PER = {"day": 1.0, "week": 7.0, "year": 365.0}
_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>day|week|year)s?\s*$")


@dataclass(frozen=True)
class TrialArm:
    """One published arm x endpoint (a row of the trials table)."""

    arm_id: str
    layer: str
    role: str
    trial: str
    source_key: str
    population: str
    person: Mapping[str, float | str]
    medication: str | None
    inr_target: float | None
    background: str
    regimen: str
    matrix: str
    duration_days: float
    endpoint: str
    metric: str
    observed: float
    observed_range: str
    comparison: str
    notes: str

    @property
    def error_unit(self) -> str:
        """Unit of :meth:`error`: % of the observed value, percentage points or AU."""
        if self.metric == "value":
            return "%"
        return "AU" if self.endpoint.endswith("_AU") else "pp"

    def error(self, predicted: float) -> float:
        """Model minus observed: in % of the observed value for ``value``, else in the
        metric's own units."""
        if self.metric == "value":
            return 100.0 * (predicted / self.observed - 1.0)
        return predicted - self.observed


def _float(row: Mapping[str, str], column: str, where: str) -> float | None:
    text = row[column].strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise DataError(f"{where}: {column} must be a number, not {text!r}.") from None


def _choice(row: Mapping[str, str], column: str, choices: tuple[str, ...], where: str) -> str:
    if row[column] not in choices:
        raise DataError(
            f"{where}: {column} must be one of {', '.join(choices)}, not {row[column]!r}."
        )
    return row[column]


def _arm(row: Mapping[str, str], where: str) -> TrialArm:
    duration = _DURATION.match(row["duration"])
    if not duration:
        raise DataError(f"{where}: duration must read like '12 weeks' or '2 years'.")
    observed = _float(row, "observed", where)
    if observed is None:
        raise DataError(f"{where}: the observed value is missing.")
    person: dict[str, float | str] = {}
    for name, kind in PERSON_FIELDS.items():
        value = _float(row, name, where) if kind is float else row[name].strip() or None
        if value is not None:
            person[name] = value
    layer = _choice(row, "layer", LAYERS, where)
    if layer == "calcium" and not {"age", "sex"} <= person.keys():
        raise DataError(f"{where}: a calcium arm needs the person's age and sex.")
    if not (row["regimen"] or row["background"] or row["metric"] == "change"):
        raise DataError(f"{where}: only a 'change' of a control arm may have no regimen.")
    return TrialArm(
        arm_id=row["arm_id"],
        layer=layer,
        role=_choice(row, "role", ROLES, where),
        trial=row["trial"],
        source_key=row["source_key"],
        population=row["population"],
        person=person,
        medication=row["medication"] or None,
        inr_target=_float(row, "inr_target", where),
        background=row["background"],
        regimen=row["regimen"],
        matrix=row["matrix"] or "supplement",
        duration_days=float(duration["n"]) * _DAYS_PER[duration["unit"]],
        endpoint=row["endpoint"],
        metric=_choice(row, "metric", METRICS, where),
        observed=observed,
        observed_range=row["observed_range"],
        comparison=row["comparison"],
        notes=row["notes"],
    )


def parse_trials(text: str, filename: str = TRIALS_FILE) -> list[TrialArm]:
    """Read a trials table (CSV text); a bad row is a :class:`~k2lab.errors.DataError`."""
    reader = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise DataError(f"{filename}: missing columns {sorted(missing)}.")
    arms = [_arm(row, f"{filename}, line {reader.line_num} ({row['arm_id']})") for row in reader]
    ids = [a.arm_id for a in arms]
    if len(set(ids)) != len(ids):
        raise DataError(f"{filename}: arm_id values repeat; each arm needs its own id.")
    return arms


def load_trials() -> list[TrialArm]:
    """The shipped calibration and validation arms of both layers, in table order."""
    text = resources.files("k2lab.data").joinpath(TRIALS_FILE).read_text(encoding="utf-8")
    return parse_trials(text)
