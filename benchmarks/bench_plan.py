"""Benchmark: 7-day diet plans, HiGHS (highspy) vs CBC (PuLP) on the very same MILP.

Run with ``python benchmarks/bench_plan.py`` (not part of the test run). One process
builds each model once with :func:`k2lab.plan.build_model` and hands it to both
backends; the times include each backend's own model construction (HiGHS: arrays;
PuLP: Python objects and an MPS file for the CBC binary) and the solve. Each row gives
the relative MIP gap each backend ends with (nan: no incumbent or not reported).

Scenarios (45-year-old man, omnivore, K2 ≥ 180 µg/day):

- ``k-only``: vitamin K and calcium only (the K1 reference, calcium RDA–UL), default
  candidate foods; 0.1 % gap.
- ``week``: whole days (energy ±10 %, AMDR, NASEM DRIs, food groups, a food on at most
  4 days, distinct days), the whole week as one MILP; 2 % gap, time limit below.
- ``by-day``: the same constraints through ``plan_diet`` (each day a MILP that keeps the
  week's rules against the days before it; ≤ 5 s a day), end to end.
- ``by-day, all foods``: the same over every food with full data (``candidates='all'``).
"""

from __future__ import annotations

import time
from dataclasses import replace

from k2lab.foods import FoodDatabase
from k2lab.intake import Person
from k2lab.plan import (
    Objective,
    build_model,
    candidate_foods,
    constraints_for,
    plan_diet,
    solve_milp,
    whole_day_constraints,
)

TIME_LIMIT_S = 60.0
PERSON = Person(age=45, sex="male", diet="omnivore")


def main() -> None:
    db = FoodDatabase.open()
    print(f"food database: {len(db):,} foods; time limit {TIME_LIMIT_S:g} s per solve")
    print(
        f"{'scenario':10} {'foods':>6} {'rows':>7} {'cols':>7} {'highs s':>8} {'cbc s':>8} "
        f"{'cbc/highs':>9}  {'highs gap':>9} {'cbc gap':>8}  status"
    )
    verdicts: list[tuple[str, bool, bool]] = []
    k_only = constraints_for(PERSON, days=7, k2_target_ug=180.0)
    week = whole_day_constraints(PERSON, k2_target_ug=180.0, days=7)
    for name, c, gap in (("k-only", k_only, 1e-3), ("week", week, 2e-2)):
        cands = candidate_foods(db, c)
        current = dict(c.current_g_per_day)
        model, _ = build_model(cands, c, Objective.CLOSEST, current=current)
        res = {
            b: solve_milp(
                model, b, time_limit_s=TIME_LIMIT_S, gap=gap, abs_gap=0.6 if gap > 1e-3 else 1e-6
            )
            for b in ("highs", "cbc")
        }
        rows, cols = model.shape
        h, b = res["highs"].seconds, res["cbc"].seconds
        verdicts.append((name, h <= b, res["highs"].objective <= res["cbc"].objective + 1e-9))
        print(
            f"{name:10} {len(cands):>6} {rows:>7} {cols:>7} {h:>8.2f} {b:>8.2f} {b / h:>9.1f}  "
            f"{res['highs'].gap:>9.3%} {res['cbc'].gap:>8.3%}  "
            f"highs {res['highs'].status.value} ({res['highs'].objective:.4g}); "
            f"cbc {res['cbc'].status.value} ({res['cbc'].objective:.4g})"
        )
    print("\nplan_diet end to end (whole days, day by day):")
    for name, c in (("by-day", week), ("by-day, all foods", replace(week, candidates="all"))):
        plan_diet(db, replace(c, days=1, max_days_per_food=None, distinct_days=False))  # warm
        out = []
        for backend in ("highs", "cbc"):
            t0 = time.perf_counter()
            plan = plan_diet(db, c, backend=backend, time_limit_s=TIME_LIMIT_S)
            secs = time.perf_counter() - t0
            out.append((backend, secs, plan))
        (_, hs, hp), (_, cs, cp) = out
        days = len({frozenset(i.food_key for i in hp.items if i.day == d) for d in range(1, 8)})
        print(
            f"{name:18} {hp.n_candidates:>5} foods: highs {hs:.2f} s, objective "
            f"{hp.objective_value:.4g} ({hp.status.value}, worst day gap {hp.mip_gap:.1%}); "
            f"cbc {cs:.2f} s, objective {cp.objective_value:.4g} ({cp.status.value}, worst "
            f"day gap {cp.mip_gap:.1%}); cbc/highs {cs / hs:.1f}; {days} distinct days"
        )
        verdicts.append((name, hs <= cs, hp.objective_value <= cp.objective_value + 1e-9))
    print("\nHiGHS not slower than CBC / objective at least as good:")
    for name, faster, better in verdicts:
        print(f"  {name:18} {'yes' if faster else 'NO':>4} / {'yes' if better else 'NO'}")


if __name__ == "__main__":
    main()
