"""Benchmark: a 7-day diet plan, HiGHS (highspy) vs CBC (PuLP) on the very same MILP.

Run with ``python benchmarks/bench_plan.py`` (not part of the test run). One process
builds each model once with :func:`k2lab.plan.build_model` and hands it to both
backends; the times include each backend's own model construction (HiGHS: arrays;
PuLP: Python objects and an MPS file for the CBC binary) and the solve. Both use a
0.1 % relative gap and a time limit.

Scenarios (62-year-old woman, omnivore, K1 ≥ EFSA AI, calcium between IOM RDA and UL):

- ``portioned``: default candidate set (foods with vitamin K data and household measures).
- ``full``: the full food database candidate set (every food with vitamin K data, 50 g
  steps where no measure exists).
- ``full+variety``: full set, at least 3 foods a day, each food on at most 3 days,
  energy ≤ 1,800 kcal.

Then ``plan_diet`` end to end, which solves one day and repeats it when nothing links
the days (exact: see ``k2lab.plan.solve._solve_one_day``).
"""

from __future__ import annotations

import statistics
import time

from k2lab.foods import FoodDatabase
from k2lab.intake import Person
from k2lab.plan import (
    Objective,
    build_model,
    candidate_foods,
    constraints_for,
    plan_diet,
    solve_milp,
)

TIME_LIMIT_S = 120.0
PERSON = Person(age=62, sex="female")


def _scenarios() -> list[tuple[str, dict[str, object], int]]:
    base: dict[str, object] = {"days": 7, "k2_target_ug": 90.0}
    return [
        ("portioned", {**base}, 1),
        ("full", {**base, "candidates": "all"}, 1),
        (
            "full+variety",
            {
                **base,
                "candidates": "all",
                "min_foods_per_day": 3,
                "max_days_per_food": 3,
                "energy_max_kcal": 1800.0,
            },
            1,
        ),
    ]


def main() -> None:
    db = FoodDatabase.open()
    print(f"food database: {len(db):,} foods; time limit {TIME_LIMIT_S:g} s per solve")
    print(
        f"{'scenario':14} {'foods':>6} {'rows':>7} {'cols':>7} "
        f"{'highs s':>8} {'cbc s':>8} {'cbc/highs':>9}  status (objective)"
    )
    for name, kwargs, repeats in _scenarios():
        c = constraints_for(PERSON, **kwargs)
        start = time.perf_counter()
        cands = candidate_foods(db, c)
        model, _ = build_model(cands, c, Objective.CLOSEST)
        build_s = time.perf_counter() - start
        times: dict[str, list[float]] = {"highs": [], "cbc": []}
        summary: dict[str, str] = {}
        for backend in ("highs", "cbc"):
            for _ in range(repeats):
                t0 = time.perf_counter()
                res = solve_milp(model, backend, time_limit_s=TIME_LIMIT_S)
                times[backend].append(time.perf_counter() - t0)
            summary[backend] = f"{res.status.value} ({res.objective:.4g})"
        h = statistics.median(times["highs"])
        b = statistics.median(times["cbc"])
        rows, cols = model.shape
        print(
            f"{name:14} {len(cands):>6} {rows:>7} {cols:>7} {h:>8.2f} {b:>8.2f} {b / h:>9.1f}  "
            f"highs {summary['highs']}; cbc {summary['cbc']}; model build {build_s:.2f} s"
        )
    print("\nplan_diet end to end (exact one-day shortcut when days are not linked):")
    for name, kwargs, _ in _scenarios()[:2]:
        c = constraints_for(PERSON, **kwargs)
        plan_diet(db, c)  # warm the food cache
        secs = {}
        for backend in ("highs", "cbc"):
            t0 = time.perf_counter()
            plan = plan_diet(db, c, backend=backend, time_limit_s=TIME_LIMIT_S)
            secs[backend] = time.perf_counter() - t0
            status = plan.status.value
        print(
            f"{name:14} highs {secs['highs']:.2f} s, cbc {secs['cbc']:.2f} s, "
            f"cbc/highs {secs['cbc'] / secs['highs']:.1f} ({status})"
        )


if __name__ == "__main__":
    main()
