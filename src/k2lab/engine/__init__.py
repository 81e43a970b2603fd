"""k2lab's SBML engine: read an SBML model, compile it to numpy, integrate many people at once.

Nothing here knows about calcium or vitamins; :mod:`k2lab.calcium` loads the Peterson &
Riggs model with it. The chain, one module per step:

* :mod:`.sbml` reads SBML Level 3 Version 1 core (the subset k2lab's models use) into
  frozen dataclasses; :mod:`.sbml_edit` adds species, parameters and rules to SBML text;
* :mod:`.mathml` turns MathML into expression trees and trees into numpy code, and
  :mod:`.derivative` differentiates the trees symbolically;
* :mod:`.codegen` compiles a model into a vectorised right-hand side, observations and an
  analytic Jacobian;
* :mod:`.rosenbrock` (RODAS3) with :mod:`.sparse_lu` steps a batch of people with one
  shared step, and :mod:`.integrate` drives it through inputs that change and state resets;
* :mod:`.roadrunner` runs the same SBML with libroadrunner, the reference in the tests.

Example
-------
>>> from dataclasses import replace
>>> from importlib import resources
>>> text = resources.files("k2lab").joinpath("data/peterson_riggs_2010.xml").read_text()
>>> m = read_sbml_text(text)
>>> len(m.events)  # the engine does not run events: k2lab.calcium runs this one itself
1
>>> compile_model(replace(m, events=())).n_species
31
"""

from __future__ import annotations

from k2lab.engine.codegen import CompiledModel, FloatArray, ParamValue, compile_model
from k2lab.engine.events import integrate_events
from k2lab.engine.integrate import Integration, integrate
from k2lab.engine.mathml import Expr, evaluate, parse_math, symbols, to_python
from k2lab.engine.roadrunner import grid_step, load_runner, simulate_piecewise
from k2lab.engine.rosenbrock import Rosenbrock, SolverStats
from k2lab.engine.sbml import SbmlModel, read_sbml, read_sbml_text
from k2lab.engine.sparse_lu import SparseLU

__all__ = [
    "CompiledModel",
    "Expr",
    "FloatArray",
    "Integration",
    "ParamValue",
    "Rosenbrock",
    "SbmlModel",
    "SolverStats",
    "SparseLU",
    "compile_model",
    "evaluate",
    "grid_step",
    "integrate",
    "integrate_events",
    "load_runner",
    "parse_math",
    "read_sbml",
    "read_sbml_text",
    "simulate_piecewise",
    "symbols",
    "to_python",
]
