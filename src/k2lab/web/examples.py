"""The example diaries of ``make run``: loaded into an empty store for the local user.

``examples/omnivore.toml``, ``vegan_natto.toml`` and ``supplements_d3_calcium.toml`` (a
typical day each, dated today, with their person) and ``diary_week.csv`` (a week, Monday to
Sunday, dated so that it ends today). The files are read from the ``examples`` folder of a
source checkout (the repository root above ``src/``); an installed package without it loads
nothing and logs why.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import func, select

from k2lab.foods.database import FoodDatabase
from k2lab.store import Diary, Store
from k2lab.store.diaries import create_diary
from k2lab.store.diary_io import diet_items, parse_diary_file, write_items

__all__ = ["EXAMPLE_FILES", "examples_dir", "load_examples"]

log = logging.getLogger("k2lab.web")

#: File -> diary name.
EXAMPLE_FILES = {
    "diary_week.csv": "Example: a week",
    "omnivore.toml": "Example: omnivore day",
    "vegan_natto.toml": "Example: vegan with natto",
    "supplements_d3_calcium.toml": "Example: D3 and calcium pills",
}


def examples_dir() -> Path | None:
    """The checkout's ``examples`` folder, if there is one."""
    folder = Path(__file__).resolve().parents[3] / "examples"
    return folder if folder.is_dir() else None


def load_examples(
    store: Store, foods: FoodDatabase, *, today: dt.date | None = None, folder: Path | None = None
) -> int:
    """Load the examples as diaries of the local user when the store has no diary yet;
    returns how many were loaded (0 when the store already has diaries)."""
    folder = folder or examples_dir()
    if folder is None:
        log.warning("no examples folder next to the package; no example diaries loaded")
        return 0
    today = today or dt.date.today()
    with store.session() as s:
        if s.scalar(select(func.count()).select_from(Diary)):
            return 0
        owner = store.local_user(s).id
        for file, name in EXAMPLE_FILES.items():
            path = folder / file
            text = path.read_text(encoding="utf-8")
            fmt = "toml" if path.suffix == ".toml" else "csv"
            diet = parse_diary_file(text, fmt, foods, name=file)
            diary = create_diary(s, owner, name, diet.person.given(), "90 ug K2", [])
            start = today - dt.timedelta(days=len(diet.days) - 1)
            write_items(s, owner, diary.id, diet_items(diet, start, text if fmt == "csv" else None))
    return len(EXAMPLE_FILES)
