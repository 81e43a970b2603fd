"""Reports computed once per version of what they are computed from.

A report depends on the diary (person, target, medications: its ``version``), on its days
(each day's ``version`` changes with any of its entries), on the owner's recipes (their
``version``), on the date range and on the food database, which is read-only. The key
holds all of these (and what tells apart rows whose ids were reused), so an edit anywhere
makes a new key and a stale report is never shown; reading the versions is two small
queries instead of loading every entry.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from k2lab.store import Diary, DiaryDay, Recipe

__all__ = ["VersionedCache", "report_key"]

T = TypeVar("T")
Key = tuple[object, ...]


def report_key(
    s: Session, diary: Diary, start: dt.date | None, end: dt.date | None, foods_path: object
) -> Key:
    """Everything a diary's report depends on, as a hashable key.

    Ids alone are not enough: SQLite may give a deleted row's id to a new row (whose
    version starts again at 1), and one process may serve several stores (tests do). So
    the key holds the store, and the creation time of the diary and of each recipe (a day
    is deleted only with its diary)."""
    days = s.execute(
        select(DiaryDay.id, DiaryDay.version).where(DiaryDay.diary_id == diary.id)
    ).all()
    recipes = s.execute(
        select(Recipe.id, Recipe.version, Recipe.created_at).where(
            Recipe.owner_id == diary.owner_id
        )
    ).all()
    return (
        str(s.get_bind().engine.url), str(foods_path), diary.owner_id, diary.id,
        str(diary.created_at), diary.version, start, end,
        tuple(sorted((int(i), int(v)) for i, v in days)),
        tuple(sorted((int(i), int(v), str(c)) for i, v, c in recipes)),
    )  # fmt: skip


class VersionedCache(Generic[T]):
    """A bounded, thread-safe map from :func:`report_key` keys to computed values (least
    recently used out first)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[Key, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> T | None:
        """The value for ``key``, or ``None``."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Key, value: T) -> None:
        """Keep ``value`` for ``key``."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
