"""The one citation registry: every ``data/sources_*.csv`` loaded once, by ``source_key``.

Every value, parameter, claim and rule in the shipped tables carries a ``source_key``
(several joined by ``;``); :func:`cite` turns keys into :class:`Citation` values and
refuses a key that no sources table defines. A key may appear in more than one table
only with the same citation, DOI and URL.

Example
-------
>>> cite("kamao_2007;seed_article")["kamao_2007"].citation[:11]
'Kamao M, Su'
>>> split_keys(" a; b ;")
('a', 'b')
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from k2lab.errors import DataError

__all__ = ["Citation", "citations", "cite", "split_keys"]


@dataclass(frozen=True)
class Citation:
    """One source: its key, the reference as text, and its DOI and URL ('' when none)."""

    source_key: str
    citation: str
    doi: str
    url: str


def split_keys(keys: str | Iterable[str]) -> tuple[str, ...]:
    """Source keys from ``'a;b'`` or an iterable of such strings, in order, without repeats."""
    items = [keys] if isinstance(keys, str) else keys
    return tuple(dict.fromkeys(k.strip() for item in items for k in item.split(";") if k.strip()))


@cache
def citations() -> Mapping[str, Citation]:
    """Every shipped citation by ``source_key`` (read once; read-only)."""
    table: dict[str, Citation] = {}
    where: dict[str, str] = {}
    files = sorted(
        (f for f in resources.files("k2lab.data").iterdir() if f.name.startswith("sources_")),
        key=lambda f: f.name,
    )
    for f in files:
        if not f.name.endswith(".csv"):
            continue
        for row in csv.DictReader(io.StringIO(f.read_text(encoding="utf-8"), newline="")):
            key = row["source_key"].strip()
            c = Citation(
                key, row["citation"].strip(), (row["doi"] or "").strip(), (row["url"] or "").strip()
            )
            if not key or not c.citation:
                raise DataError(f"{f.name}: a row has no source_key or no citation: {row}.")
            if key in table and table[key] != c:
                raise DataError(
                    f"source_key '{key}' is defined differently in {where[key]} and {f.name}; "
                    "give it one citation, DOI and URL in both (or rename one)."
                )
            table[key] = c
            where.setdefault(key, f.name)
    return MappingProxyType(table)


def cite(keys: str | Iterable[str]) -> dict[str, Citation]:
    """Citations of ``keys`` (``'a;b'`` or an iterable of such), in order.

    Raises
    ------
    DataError
        For a key that no ``data/sources_*.csv`` defines (with the closest known keys).
    """
    table = citations()
    wanted = split_keys(keys)
    missing = [k for k in wanted if k not in table]
    if missing:
        hints = {k: difflib.get_close_matches(k, table, n=2) for k in missing}
        text = "; ".join(
            f"'{k}'" + (f" (did you mean {' or '.join(h)}?)" if h else "") for k, h in hints.items()
        )
        raise DataError(
            f"Unknown source key {text}: add it to a src/k2lab/data/sources_*.csv table "
            "or correct the key."
        )
    return {k: table[k] for k in wanted}
