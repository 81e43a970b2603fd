"""The examples in the docstrings of the report, citation and advice-item modules run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "k2lab.data.citations",
    "k2lab.advice.items",
    "k2lab.advice.facts",
    "k2lab.report.build",
    "k2lab.report.values",
    "k2lab.report.render_json",
    "k2lab.report.render_terminal",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
