"""What k2lab may write over: nothing but a new file or an earlier k2lab food database.

Example
-------
>>> from pathlib import Path
>>> check_replaceable(Path("/nonexistent/k2lab/foods.sqlite"))  # a new file: fine
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from k2lab.errors import DataError

__all__ = ["check_replaceable"]


def check_replaceable(path: Path) -> None:
    """Refuse to replace anything that is not a k2lab food database (a device, a folder,
    another file): the build is renamed over ``path``."""
    if not path.exists() and not path.is_symlink():
        return
    if not path.is_file() or path.is_symlink():
        raise DataError(
            f"'{path}' exists and is not a regular file; k2lab writes its food database only "
            "to a new file or over an earlier k2lab database. Choose another path."
        )
    try:
        with path.open("rb") as f:
            is_sqlite = f.read(16) == b"SQLite format 3\x00"
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if is_sqlite else None
        try:
            ours = (
                con is not None
                and con.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'foods'"
                ).fetchone()
                is not None
            )
        finally:
            if con is not None:
                con.close()
    except (OSError, sqlite3.Error):
        ours = False
    if not ours:
        raise DataError(
            f"'{path}' exists and is not a k2lab food database; k2lab will not overwrite it. "
            "Choose another path or remove the file yourself."
        )
