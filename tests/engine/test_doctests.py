"""Run the docstring examples of the engine's modules."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "k2lab.engine",
    "k2lab.engine.mathml",
    "k2lab.engine.derivative",
    "k2lab.engine.rosenbrock",
    "k2lab.engine.integrate",
    "k2lab.engine.roadrunner",
    "k2lab.engine.sbml_edit",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no example"
