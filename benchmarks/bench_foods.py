"""Benchmark: food search and 365-day diary intake, k2lab vs a plain pandas baseline.

Run with ``make bench`` (or ``python benchmarks/bench_foods.py``). Both sides run in the
same process on the same data; results are printed as medians and ratios.

- Search: k2lab's fuzzy search (rapidfuzz over names and synonyms, with filters) vs
  pandas substring search (``str.contains``) over the same food names. The baseline is
  cheaper per query but finds no misspellings ('nato') or accent variants ('nattō').
- Intake: a 365-day diary of 3-8 foods per day; k2lab's ``compute_intake`` (numpy) vs a
  pandas merge + groupby of the same diary with the same per-100 g table.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Callable

import pandas as pd

from k2lab.foods import FoodDatabase
from k2lab.foods.nutrients import NUTRIENTS
from k2lab.intake import Day, Diet, FoodEntry, Person, compute_intake
from k2lab.intake.portions import Grams

QUERIES = [
    "natto",
    "nato",
    "gouda",
    "egg yolk",
    "brie",
    "chicken liver",
    "spinach",
    "kale",
    "cheddar cheese",
    "sauerkraut",
    "nattō",
    "milk",
    "butter",
    "salmon",
    "broccoli",
]
CURATED = [
    "natto",
    "gouda",
    "egg_yolk",
    "kale_raw",
    "chicken_leg_meat",
    "brie",
    "butter",
    "milk_whole",
    "spinach_raw",
    "sauerkraut",
    "miso",
    "cheddar",
    "munster",
    "broccoli_raw",
]


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    t0 = time.perf_counter()
    db = FoodDatabase.open()
    open_s = time.perf_counter() - t0
    con = sqlite3.connect(db.path)
    names = pd.DataFrame(
        con.execute("SELECT food_key, name FROM foods").fetchall(), columns=["food_key", "name"]
    )
    print(f"database: {len(db):,} foods; open (warm cache, index build) {open_s * 1000:.0f} ms")

    k2 = median_time(lambda: [db.search(q, limit=10) for q in QUERIES], 7) / len(QUERIES)
    base = median_time(
        lambda: [
            names[names["name"].str.contains(q, case=False, regex=False)].head(10) for q in QUERIES
        ],
        7,
    ) / len(QUERIES)
    misses = [
        q for q in QUERIES if names["name"].str.contains(q, case=False, regex=False).sum() == 0
    ]
    print(
        f"search, per query: k2lab {k2 * 1000:.2f} ms | pandas str.contains {base * 1000:.2f} ms"
        f" | ratio k2lab/pandas {k2 / base:.2f}  (pandas finds nothing for: {misses})"
    )

    rng = random.Random(7)
    foods = {k: db.get(k) for k in CURATED}
    diary = []
    for d in range(365):
        entries = []
        for key in rng.sample(CURATED, rng.randint(3, 8)):
            g = round(rng.uniform(5, 250), 1)
            entries.append(FoodEntry(foods[key], f"{g} g", Grams(g, g, "g", None, "")))
        diary.append(Day(str(d), tuple(entries)))
    diet = Diet(Person(), tuple(diary))

    table = pd.DataFrame(
        [{"food_key": k, **{n: f.per_100g(n) for n in NUTRIENTS}} for k, f in foods.items()]
    )
    rows = pd.DataFrame(
        [
            {"day": d.label, "food_key": e.food.key, "grams": e.grams.grams}
            for d in diary
            for e in d.foods
        ]
    )

    def pandas_intake() -> pd.DataFrame:
        m = rows.merge(table, on="food_key")
        m[list(NUTRIENTS)] = m[list(NUTRIENTS)].mul(m["grams"] / 100.0, axis=0)
        return m.groupby("day", sort=False)[list(NUTRIENTS)].sum()

    ours = compute_intake(diet)
    theirs = pandas_intake()
    assert abs(ours.per_day["MK-7"][:, 0].sum() - theirs["MK-7"].sum()) < 1e-6, "results differ"
    k2_t = median_time(lambda: compute_intake(diet), 15)
    pd_t = median_time(pandas_intake, 15)
    print(
        f"intake, 365-day diary ({len(rows):,} entries, typical+low+high, by-food, totals): "
        f"k2lab {k2_t * 1000:.2f} ms | pandas merge+groupby (typical only) {pd_t * 1000:.2f} ms"
        f" | ratio k2lab/pandas {k2_t / pd_t:.2f}"
    )


if __name__ == "__main__":
    main()
