"""Optimistic locking: a write that carries the version it was based on is refused when the
record has moved on, and a write that loses a race with another one is refused, not lost.

Example
-------
>>> check_version("day", 3, 3)
>>> check_version("day", 4, 3)
Traceback (most recent call last):
...
k2lab.errors.ConflictError: This day was changed elsewhere (now version 4, you had 3). Reload it and apply your change again.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from k2lab.errors import ConflictError

__all__ = ["check_version", "flush"]


def check_version(kind: str, current: int, expected: int | None) -> None:
    """Refuse a write based on ``expected`` when the record is now at ``current``."""
    if expected is not None and expected != current:
        raise ConflictError(
            f"This {kind} was changed elsewhere (now version {current}, you had {expected}). "
            "Reload it and apply your change again.",
            current_version=current,
        )


def flush(s: Session, kind: str, record: object = None) -> None:
    """Write pending changes; a record another writer changed meanwhile is a ConflictError
    (with ``record``'s version as it is now, when ``record`` is given)."""
    try:
        s.flush()
    except (StaleDataError, IntegrityError) as exc:
        # IntegrityError: another writer created the same record (a day's first entry) first.
        s.rollback()
        state = inspect(record, raiseerr=False) if record is not None else None
        # A record that was stored is reloaded (the other writer's version); a new one has none.
        current = getattr(record, "version", None) if state and state.persistent else None
        raise ConflictError(
            f"This {kind} was changed by another writer at the same time; reload it and "
            "apply your change again.",
            current_version=current if isinstance(current, int) else None,
        ) from exc
