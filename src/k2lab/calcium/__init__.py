"""The calcium core: Peterson & Riggs 2010 (PTH, calcitriol, plasma calcium and phosphate,
gut, kidney, bone remodelling), simulated by an engine of k2lab's own.

Why ``k2lab.calcium`` (not ``k2lab.physiology.calcium``): the calcium system is one layer of
its own; a flat package keeps imports short, and later layers (vitamin K, vessel wall) can
import it without a ``physiology`` umbrella.

How it works: the generic SBML engine :mod:`k2lab.engine` reads the shipped SBML, compiles
its MathML into a vectorised numpy right-hand side and analytic Jacobian, and steps all
people together with a shared step (RODAS3, sparse LU). This package holds the physiology:
:mod:`.model` (what the Peterson & Riggs inputs mean), :func:`simulate_calcium` (daily
inputs, teriparatide), the vitamin D hook (:mod:`.extension`, :mod:`.vitamin_d`), calcium
absorption, the slow layers (:mod:`.bone`, :mod:`.vessel`), the composed SBML export
(:mod:`.export`) and the whole system (:mod:`.system`). :mod:`.reference` runs the same
scenario with libroadrunner, which the tests use as the reference.

Example
-------
>>> model = CalciumModel.from_sbml()
>>> traj = simulate_calcium(model, CalciumScenario(calcium_intake_mg_per_day=500), years=1)
>>> bool(traj.endpoints["pth_pmol_per_l"][0, -1] > 3.85)
True
"""

from __future__ import annotations

from k2lab.calcium.absorption import (
    absorbed_fraction,
    absorption_factor,
    effective_oral_calcium_mg_per_day,
    load_fraction,
)
from k2lab.calcium.export import composed_sbml
from k2lab.calcium.extension import extend_sbml, extension_defaults
from k2lab.calcium.model import (
    CALCIUM_MG_PER_MMOL,
    ENDPOINTS,
    EXTENSION_ENDPOINTS,
    CalciumModel,
    TeriparatideRegimen,
)
from k2lab.calcium.params import calcium_parameters
from k2lab.calcium.scenario import CalciumScenario
from k2lab.calcium.simulate import CalciumTrajectory, SimulationStatus, simulate_calcium
from k2lab.calcium.vitamin_d import (
    SUN_LEVELS,
    d25_model_parameters,
    d25_steady_state_nmol_per_l,
    sun_equivalent_ug_per_day,
    vitamin_d_input_ug_per_day,
)
from k2lab.engine.rosenbrock import SolverStats

__all__ = [
    "CALCIUM_MG_PER_MMOL",
    "ENDPOINTS",
    "EXTENSION_ENDPOINTS",
    "SUN_LEVELS",
    "CalciumModel",
    "CalciumScenario",
    "CalciumTrajectory",
    "SimulationStatus",
    "SolverStats",
    "TeriparatideRegimen",
    "absorbed_fraction",
    "absorption_factor",
    "calcium_parameters",
    "composed_sbml",
    "d25_model_parameters",
    "d25_steady_state_nmol_per_l",
    "effective_oral_calcium_mg_per_day",
    "extend_sbml",
    "extension_defaults",
    "load_fraction",
    "simulate_calcium",
    "sun_equivalent_ug_per_day",
    "vitamin_d_input_ug_per_day",
]
