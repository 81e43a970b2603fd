"""Store fixtures: a fresh store (SQLite file) and the local user's id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from k2lab.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'k2lab.sqlite3'}")
    yield opened
    opened.close()


@pytest.fixture
def owner(store: Store) -> int:
    with store.session() as s:
        return store.local_user(s).id
