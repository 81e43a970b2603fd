"""Parameters of k2lab's extensions to the calcium core (vitamin D, calcium absorption,
bone density, vessel wall), each with a value, a prior range and a source.

They live in ``k2lab/data/calcium_params.csv`` with the columns of the physiology tables
(``name,scope,value,low,high,unit,source_key,notes``); every ``source_key`` resolves in
``k2lab/data/sources_calcium.csv``. The Peterson & Riggs core keeps its own SBML values.

Example
-------
>>> p = calcium_parameters()
>>> p.value("d25_t_half_d") > 0
True
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from k2lab.errors import DataError
from k2lab.physiology.params import Parameter, ParameterSet, Source, parse_parameter_csv

__all__ = ["PARAMETER_FILE", "calcium_parameters", "calcium_sources"]

PARAMETER_FILE = "calcium_params.csv"


def _read(filename: str) -> str:
    return resources.files("k2lab.data").joinpath(filename).read_text(encoding="utf-8")


@cache
def calcium_sources() -> dict[str, Source]:
    """The sources of the calcium model and its extensions, by ``source_key``."""
    reader = csv.DictReader(io.StringIO(_read("sources_calcium.csv")))
    return {
        r["source_key"]: Source(r["source_key"], r["citation"], r["doi"], r["url"], r["notes"])
        for r in reader
    }


@cache
def calcium_parameters() -> ParameterSet:
    """All extension parameters (literature values, priors and calibrations)."""
    sources = calcium_sources()
    records: dict[tuple[str, str], Parameter] = {}
    for p in parse_parameter_csv(_read(PARAMETER_FILE), PARAMETER_FILE):
        for key in p.source_key.split(";"):
            if key not in sources:
                raise DataError(f"{PARAMETER_FILE}: source_key {key!r} is not in sources.")
        if p.key in records:
            raise DataError(f"{PARAMETER_FILE}: parameter {p.key} is defined twice.")
        records[p.key] = p
    return ParameterSet(records)
