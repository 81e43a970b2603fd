"""What k2lab may write over or remove: a new file or an earlier k2lab food database, and
its own unfinished builds (``.<name>.<pid>.<random>.building``) whose process is gone.

Example
-------
>>> from pathlib import Path
>>> check_replaceable(Path("/nonexistent/k2lab/foods.sqlite"))  # a new file: fine
>>> building_prefix(Path("/cache/foods.sqlite"), pid=41)
'.foods.sqlite.41.'
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from k2lab.errors import DataError

__all__ = ["BUILDING_SUFFIX", "building_prefix", "check_replaceable", "remove_stale_builds"]

#: Suffix of a database being built (renamed over the final name when complete).
BUILDING_SUFFIX = ".building"


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


def building_prefix(path: Path, pid: int | None = None) -> str:
    """Start of the name of a build of ``path`` by process ``pid`` (default: this one)."""
    return f".{path.name}.{os.getpid() if pid is None else pid}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else (EPERM)
        return True
    return True


def remove_stale_builds(path: Path) -> list[Path]:
    """Remove the unfinished builds of ``path`` (and their SQLite journals) left by
    processes that no longer run, e.g. a build killed with SIGKILL; return what went.

    Only names of k2lab's own pattern are touched; a build of a live process (a concurrent
    build) is kept. On systems without POSIX process ids nothing is removed.
    """
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) is a probe on POSIX only
        return []
    pattern = re.compile(
        re.escape(f".{path.name}.") + r"(\d+)\.[A-Za-z0-9_]+"
        + re.escape(BUILDING_SUFFIX) + r"(-journal|-wal|-shm)?"
    )  # fmt: skip
    removed = []
    try:
        names = [p for p in path.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return []
    for p in names:
        match = pattern.fullmatch(p.name)
        if match and not _alive(int(match.group(1))) and p.is_file() and not p.is_symlink():
            try:
                p.unlink()
            except OSError:
                continue
            removed.append(p)
    return removed
