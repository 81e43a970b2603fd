"""docs/reliability.md is the rendering of the committed figures (nobody types a figure), and
every check it names exists."""

from __future__ import annotations

import copy
import json
import re
from types import ModuleType
from typing import Any

import pytest

from .conftest import DOCS, ROOT


@pytest.fixture(scope="module")
def figures(reliability: ModuleType) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(reliability.FIGURES.read_text(encoding="utf-8"))
    return data


def test_page_is_the_rendering_of_the_committed_figures(
    reliability: ModuleType, figures: dict[str, Any]
) -> None:
    page = (DOCS / "reliability.md").read_text(encoding="utf-8")
    assert page == reliability.render(figures), "stale: run `make reliability`"


def test_a_changed_figure_changes_the_page(
    reliability: ModuleType, figures: dict[str, Any]
) -> None:
    changed = copy.deepcopy(figures)
    changed["durability_sqlite"]["kills"] += 1
    assert reliability.render(changed) != reliability.render(figures)


def test_every_named_check_exists(reliability: ModuleType) -> None:
    for promise in reliability.PROMISES:
        for check in promise["tests"]:
            path, _, name = check.partition("::")
            text = (ROOT / path).read_text(encoding="utf-8")
            assert not name or re.search(rf"^def {name}\(", text, re.M), check


def test_a_failed_check_is_listed(reliability: ModuleType, figures: dict[str, Any]) -> None:
    changed = copy.deepcopy(figures)
    test = reliability.PROMISES[0]["tests"][0]
    changed["tests"][test]["outcome"] = "failed"
    assert set(reliability.failed(changed)) == {*reliability.failed(figures), test}
    assert "| failed |" in reliability.render(changed)
