"""Run the docstring examples of the physiology modules."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "k2lab.physiology.params",
    "k2lab.regimen",
    "k2lab.vocab",
    "k2lab.person",
    "k2lab.scenario",
    "k2lab.trajectory",
    "k2lab.simulation",
    "k2lab.applicability",
    "k2lab.physiology.absorption",
    "k2lab.physiology.pk",
    "k2lab.physiology.gla",
    "k2lab.physiology.inr",
    "k2lab.physiology.exposure",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
