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

from functools import cache

from k2lab.physiology.params import ParameterSet, Source, load_parameter_set, read_sources

__all__ = ["PARAMETER_FILE", "calcium_parameters", "calcium_sources"]

PARAMETER_FILE = "calcium_params.csv"


@cache
def calcium_sources() -> dict[str, Source]:
    """The sources of the calcium model and its extensions, by ``source_key``."""
    return read_sources("sources_calcium.csv")


@cache
def calcium_parameters() -> ParameterSet:
    """All extension parameters (literature values, priors and calibrations)."""
    return load_parameter_set((PARAMETER_FILE,), calcium_sources())
