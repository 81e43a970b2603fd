"""Shared fixtures: the shipped Peterson & Riggs SBML, compiled by the engine alone, and one
libroadrunner instance loaded with the same text (the engine's reference)."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from typing import Any

import pytest

from k2lab.engine import CompiledModel, compile_model, load_runner, read_sbml_text


@pytest.fixture(scope="session")
def sbml_text() -> str:
    return resources.files("k2lab").joinpath("data/peterson_riggs_2010.xml").read_text("utf-8")


@pytest.fixture(scope="session")
def compiled(sbml_text: str) -> CompiledModel:
    # The engine refuses events it does not run; the teriparatide event is k2lab.calcium's.
    return compile_model(replace(read_sbml_text(sbml_text), events=()))


@pytest.fixture(scope="session")
def runner(sbml_text: str) -> Any:
    return load_runner(sbml_text)
