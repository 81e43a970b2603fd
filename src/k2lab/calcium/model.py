"""The Peterson & Riggs 2010 calcium model as k2lab loads it, and how its inputs map.

The SBML (BioModels BIOMD0000000613, CC0) ships as ``k2lab/data/peterson_riggs_2010.xml``.
Time is in hours; every compartment has volume 1, so species values are amounts (mmol for
calcium and phosphate, pmol for PTH and calcitriol); plasma concentrations divide by the
extracellular volume ``V1`` = 14 L (``CaConc = P / 14``, ``C4 = PTH / V1``).

Inputs of the SBML that k2lab exposes:

* ``OralCa``: oral calcium, mmol/h (initial assignment 24.055/24, i.e. 964 mg/day).
* ``GFR``: glomerular filtration rate, L/h (initial assignment 100/16.667 for 100 mL/min;
  k2lab converts mL/min with the model's own factor 16.667).
* Teriparatide: one event that sets the subcutaneous depot ``TERISC`` to
  ``teri_dose_mcg * 1e6 / 4117.8`` pmol at ``teri_times_initial + k * teri_times_interval``
  hours for ``k < teri_number_of_doses`` (as published: three daily 20 µg doses from 12 h).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from k2lab.engine.codegen import CompiledModel, FloatArray, ParamValue, compile_model
from k2lab.engine.mathml import evaluate, symbols
from k2lab.engine.sbml import SbmlModel, read_sbml_text
from k2lab.errors import ModelFileError

#: Molar mass of calcium, g/mol (mg/mmol).
CALCIUM_MG_PER_MMOL = 40.078
#: The model's conversion of GFR: L/h = (mL/min) / 16.667 (see the initial assignment of GFR).
GFR_ML_PER_MIN_PER_L_PER_H = 16.667

_TERI_PARAMS = frozenset(
    {"event_counter", "teri_times_initial", "teri_times_interval", "teri_number_of_doses"}
)

#: Daily endpoints: name with units -> (SBML id of a species or rule, factor).
ENDPOINTS: dict[str, tuple[str, float]] = {
    "plasma_calcium_mmol_per_l": ("CaConc", 1.0),
    "pth_pmol_per_l": ("C4", 1.0),
    "calcitriol_pmol_per_l": ("C8", 1.0),
    "plasma_phosphate_mmol_per_l": ("C2", 1.0),
    "osteoblasts_pmol_per_l": ("Osteoblast", 1.0),
    "osteoclasts_pmol_per_l": ("OC", 1.0),
    "bone_calcium_mmol": ("Qbone", 1.0),
    "exchangeable_bone_calcium_mmol": ("Q", 1.0),
    "hydroxyapatite_rel": ("HAp", 1.0),
    "gut_calcium_absorption_mmol_per_h": ("J40", 1.0),
    "urinary_calcium_mmol_per_h": ("J27", 1.0),
}

#: Endpoints of k2lab's extensions, reported only by models that have the species or rule
#: (the vitamin D hook of :mod:`k2lab.calcium.extension` adds ``D25``; the composed export
#: of :mod:`k2lab.calcium.export` adds the slow layers).
EXTENSION_ENDPOINTS: dict[str, tuple[str, float]] = {
    "vitamin_d25_nmol_per_l": ("D25", 1.0),
    "bmd_remodelling_lumbar_spine_rel": ("k2lab_bmd_lumbar_spine", 1.0),
    "bmd_remodelling_femoral_neck_rel": ("k2lab_bmd_femoral_neck", 1.0),
    "calcification_index_au": ("k2lab_calcification_au", 1.0),
}


@dataclass(frozen=True)
class TeriparatideRegimen:
    """Subcutaneous teriparatide doses, as the SBML event gives them.

    Parameters
    ----------
    dose_ug
        Dose, µg per injection.
    first_dose_h
        Time of the first injection, hours from the start.
    interval_h
        Hours between injections.
    n_doses
        Number of injections.
    """

    dose_ug: float = 20.0
    first_dose_h: float = 12.0
    interval_h: float = 24.0
    n_doses: int = 3

    def __post_init__(self) -> None:
        from k2lab.errors import ScenarioError

        for name in ("dose_ug", "first_dose_h", "interval_h"):
            value = float(getattr(self, name))
            if not np.isfinite(value) or value < 0:
                raise ScenarioError(
                    f"TeriparatideRegimen.{name} must be finite and ≥ 0, not {value!r}."
                )
        if self.interval_h <= 0 and self.n_doses > 1:
            raise ScenarioError("TeriparatideRegimen.interval_h must be > 0 for repeated doses.")
        if int(self.n_doses) != self.n_doses or self.n_doses < 0:
            raise ScenarioError(
                f"TeriparatideRegimen.n_doses must be a whole number ≥ 0, not {self.n_doses!r}."
            )

    def dose_times_h(self) -> list[float]:
        """Injection times, hours."""
        return [self.first_dose_h + k * self.interval_h for k in range(int(self.n_doses))]


@dataclass(frozen=True)
class CalciumModel:
    """A compiled calcium model ready to simulate.

    Build it with :meth:`from_sbml`; it is immutable and can be shared between runs.
    """

    compiled: CompiledModel
    source_key: str
    teriparatide_dose_expr: tuple[object, ...]
    sbml_text: str = ""

    @classmethod
    def from_sbml(
        cls, path: Path | str | None = None, *, source_key: str = "peterson_riggs_2010"
    ) -> CalciumModel:
        """Load and compile the model (the shipped Peterson & Riggs 2010 copy by default).

        Example
        -------
        >>> model = CalciumModel.from_sbml()
        >>> model.n_species
        31
        """
        if path is None:
            return _shipped_model()
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"Cannot read the SBML file '{path}': {exc}.") from exc
        return _build(text, source_key, str(path))

    @classmethod
    def from_sbml_text(cls, text: str, *, source_key: str = "peterson_riggs_2010") -> CalciumModel:
        """Load and compile a model from SBML text (e.g. from :func:`.extension.extend_sbml`).

        ``source_key`` may list several keys of ``sources_calcium.csv`` joined by ``;``.
        """
        return _build(text, source_key, "the SBML text")

    @classmethod
    def extended(cls) -> CalciumModel:
        """The shipped model with k2lab's vitamin D hook (compiled once, then cached).

        It adds serum 25(OH)D (species ``D25``, endpoint ``vitamin_d25_nmol_per_l``) and
        makes calcitriol production depend on it; see :mod:`k2lab.calcium.extension`. With
        the neutral defaults it reproduces the published model.

        Example
        -------
        >>> CalciumModel.extended().n_species
        32
        """
        return _extended_model()

    @property
    def endpoints(self) -> dict[str, tuple[str, float]]:
        """Endpoints this model reports: :data:`ENDPOINTS` plus extension endpoints it has."""
        have = set(self.species) | set(self.sbml.assignment_rules)
        out = dict(ENDPOINTS)
        out.update({k: v for k, v in EXTENSION_ENDPOINTS.items() if v[0] in have})
        return out

    @property
    def sources(self) -> tuple[str, ...]:
        """Source keys of the model (``sources_calcium.csv``)."""
        return tuple(self.source_key.split(";"))

    @property
    def sbml(self) -> SbmlModel:
        """The parsed SBML."""
        return self.compiled.sbml

    @property
    def species(self) -> tuple[str, ...]:
        """SBML ids of the state variables, in state order."""
        return self.compiled.species

    @property
    def n_species(self) -> int:
        """Number of state variables."""
        return self.compiled.n_species

    @property
    def default_calcium_intake_mg_per_day(self) -> float:
        """The model's oral calcium, mg/day (964 mg/day for the published model)."""
        return float(self._initial("OralCa")) * 24.0 * CALCIUM_MG_PER_MMOL

    @property
    def default_gfr_ml_per_min(self) -> float:
        """The model's GFR, mL/min (100 for the published model)."""
        return float(self._initial("GFR")) * GFR_ML_PER_MIN_PER_L_PER_H

    @property
    def published_teriparatide(self) -> TeriparatideRegimen:
        """The dosing the SBML itself encodes (three daily 20 µg doses from 12 h)."""
        p = self.sbml.parameters
        return TeriparatideRegimen(
            dose_ug=p["teri_dose_mcg"],
            first_dose_h=p["teri_times_initial"],
            interval_h=p["teri_times_interval"],
            n_doses=int(p["teri_number_of_doses"]),
        )

    def teriparatide_depot_pmol(self, dose_ug: float) -> float:
        """Depot amount one injection sets, pmol, by the SBML's event assignment."""
        return evaluate(self.teriparatide_dose_expr, {"teri_dose_mcg": dose_ug})

    def _initial(self, name: str) -> float:
        m = self.sbml
        if name in m.initial_assignments:
            expr = m.initial_assignments[name]
            if symbols(expr):
                raise ModelFileError(f"The initial assignment of '{name}' is not a constant.")
            return evaluate(expr)
        return m.parameters[name]

    def initial_values(
        self, overrides: dict[str, ParamValue]
    ) -> tuple[dict[str, ParamValue], FloatArray]:
        """Parameters and initial state with ``overrides`` applied (see CompiledModel)."""
        return self.compiled.initial_values(overrides)


def _build(text: str, source_key: str, where: str) -> CalciumModel:
    m = read_sbml_text(text, where)
    for needed in ("OralCa", "GFR", "CaConc", "C4", "TERISC"):
        if (
            needed not in m.parameters
            and needed not in m.assignment_rules
            and needed not in {s.id for s in m.species}
        ):
            raise ModelFileError(f"The model has no '{needed}'; is it Peterson & Riggs 2010?")
    dose_expr: tuple[object, ...] = ("num", 0.0)
    for ev in m.events:
        targets = {a.variable for a in ev.assignments}
        if (
            targets != {"event_counter", "TERISC"}
            or not symbols(ev.trigger) <= _TERI_PARAMS
            or ev.delay not in (None, ("num", 0.0))
            or not ev.persistent
        ):
            raise ModelFileError(
                f"Event '{ev.id}' is not the teriparatide dosing event k2lab supports."
            )
        dose_expr = next(a.math for a in ev.assignments if a.variable == "TERISC")
    # The dosing event is run by simulate_calcium (as resets), not by the engine.
    return CalciumModel(compile_model(replace(m, events=())), source_key, dose_expr, text)


@cache
def shipped_sbml_text() -> str:
    """The shipped Peterson & Riggs 2010 SBML, as text."""
    return resources.files("k2lab").joinpath("data/peterson_riggs_2010.xml").read_text("utf-8")


@cache
def _shipped_model() -> CalciumModel:
    return _build(shipped_sbml_text(), "peterson_riggs_2010", "peterson_riggs_2010.xml")


@cache
def _extended_model() -> CalciumModel:
    from k2lab.calcium.extension import EXTENSION_SOURCES, extend_sbml

    keys = ";".join(("peterson_riggs_2010", *EXTENSION_SOURCES))
    return _build(extend_sbml(shipped_sbml_text()), keys, "the extended SBML")
