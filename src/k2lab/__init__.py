"""k2lab: vitamin K2 and the calcium paradox, with numbers and sources.

The public API: a :class:`Scenario` (a :class:`Person`, a diet, supplements in the
:func:`parse_regimen` grammar, medications, a :class:`Horizon`) goes into
:func:`simulate`, which returns a :class:`Trajectory`; :func:`compare` pairs two. Foods,
intake, advice, plans and the report (:func:`build_report`) sit beside it. Names load on first use, so ``import k2lab`` and
the CLI start fast.

Example
-------
>>> import k2lab
>>> s = k2lab.Scenario(k2lab.Person.preset("postmenopausal"),
...                    supplements=("MK-7 180 ug daily",), horizon=k2lab.Horizon.weeks(12))
>>> t = k2lab.simulation(s, options=k2lab.SimulationOptions(n_samples=1, resolution="kinetics"))
>>> t["dp_ucMGP_pmol_per_L"].change_percent < -20
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"  # before the imports: build.py reads it

# name -> module that defines it (loaded on first access)
_EXPORTS: dict[str, str] = {
    "AmountError": "k2lab.errors",
    "DataError": "k2lab.errors",
    "DietFileError": "k2lab.errors",
    "K2LabError": "k2lab.errors",
    "ModelFileError": "k2lab.errors",
    "RegimenError": "k2lab.errors",
    "ScenarioError": "k2lab.errors",
    "SolverError": "k2lab.errors",
    "UnitError": "k2lab.errors",
    "UnknownFoodError": "k2lab.errors",
    "Food": "k2lab.foods",
    "FoodDatabase": "k2lab.foods",
    "build_database": "k2lab.foods",
    "Diet": "k2lab.intake",
    "IntakeResult": "k2lab.intake",
    "compute_intake": "k2lab.intake",
    "load_diet": "k2lab.intake",
    "parse_target": "k2lab.intake",
    "parse_toml_diet": "k2lab.intake",
    "reference_intakes": "k2lab.intake",
    "to_grams": "k2lab.intake",
    "Person": "k2lab.person",
    "Dose": "k2lab.regimen",
    "Regimen": "k2lab.regimen",
    "parse_regimen": "k2lab.regimen",
    "Horizon": "k2lab.scenario",
    "Scenario": "k2lab.scenario",
    "SimulationOptions": "k2lab.simulation",
    "compare": "k2lab.simulation",
    "simulate": "k2lab.simulation",
    "simulate_many": "k2lab.simulation",
    "Comparison": "k2lab.trajectory",
    "Series": "k2lab.trajectory",
    "Trajectory": "k2lab.trajectory",
    "Advice": "k2lab.advice",
    "Profile": "k2lab.advice",
    "advise": "k2lab.advice",
    "DietPlan": "k2lab.plan",
    "PlanConstraints": "k2lab.plan",
    "plan_diet": "k2lab.plan",
    "Report": "k2lab.report",
    "build_report": "k2lab.report",
}

__all__ = [
    "Advice",
    "AmountError",
    "Comparison",
    "DataError",
    "Diet",
    "DietFileError",
    "DietPlan",
    "Dose",
    "Food",
    "FoodDatabase",
    "Horizon",
    "IntakeResult",
    "K2LabError",
    "ModelFileError",
    "Person",
    "PlanConstraints",
    "Profile",
    "Regimen",
    "RegimenError",
    "Report",
    "Scenario",
    "ScenarioError",
    "Series",
    "SimulationOptions",
    "SolverError",
    "Trajectory",
    "UnitError",
    "UnknownFoodError",
    "__version__",
    "advise",
    "build_database",
    "build_report",
    "compare",
    "compute_intake",
    "load_diet",
    "parse_regimen",
    "parse_target",
    "parse_toml_diet",
    "plan_diet",
    "reference_intakes",
    "simulate",
    "simulate_many",
    "to_grams",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from k2lab.advice import Advice, Profile, advise
    from k2lab.errors import (
        AmountError,
        DataError,
        DietFileError,
        K2LabError,
        ModelFileError,
        RegimenError,
        ScenarioError,
        SolverError,
        UnitError,
        UnknownFoodError,
    )
    from k2lab.foods import Food, FoodDatabase, build_database
    from k2lab.intake import (
        Diet,
        IntakeResult,
        compute_intake,
        load_diet,
        parse_target,
        parse_toml_diet,
        reference_intakes,
        to_grams,
    )
    from k2lab.person import Person
    from k2lab.plan import DietPlan, PlanConstraints, plan_diet
    from k2lab.regimen import Dose, Regimen, parse_regimen
    from k2lab.report import Report, build_report
    from k2lab.scenario import Horizon, Scenario
    from k2lab.simulation import SimulationOptions, compare, simulate, simulate_many
    from k2lab.trajectory import Comparison, Series, Trajectory


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'k2lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
