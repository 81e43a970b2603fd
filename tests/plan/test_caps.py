"""Portion caps implied by the upper rows: provably safe (same optimum), and tighter."""

from __future__ import annotations

from dataclasses import replace

import pytest

from k2lab.foods.database import FoodDatabase
from k2lab.intake import Person
from k2lab.plan import Objective, build_model, candidate_foods, constraints_for, solve_milp
from k2lab.plan.caps import portion_caps
from k2lab.plan.milp import SolveStatus

MAN = Person(age=45, sex="male", diet="omnivore")


def _small(db: FoodDatabase, **kwargs: object):  # type: ignore[no-untyped-def]
    c = constraints_for(MAN, k2_target_ug=180.0, days=1, **kwargs)
    return c, candidate_foods(db, c)


def test_caps_follow_each_upper_row(db: FoodDatabase) -> None:
    c, cands = _small(db, k2_max_ug=400.0, energy_max_kcal=600.0)
    caps = portion_caps(cands, c)
    for cap, cand in zip(caps, cands, strict=True):
        assert 0 <= cap <= cand.max_per_day
        for nutrient, limit in (("K2", 400.0), ("energy", 600.0), ("calcium", c.calcium_max_mg)):
            assert limit is not None
            assert cap * cand.per_portion[nutrient] <= limit * (1 + 1e-9)
        # One more portion than the cap breaks a bound, unless max_per_day set it.
        over = [
            n
            for n, limit in (("K2", 400.0), ("energy", 600.0), ("calcium", c.calcium_max_mg))
            if limit is not None and (cap + 1) * cand.per_portion[n] > limit * (1 + 1e-9)
        ]
        assert cap == cand.max_per_day or over, cand.key
    assert any(cap < cand.max_per_day for cap, cand in zip(caps, cands, strict=True))
    # A family left out with ``drop`` does not cap anything.
    loose = portion_caps(cands, c, frozenset({"k2_max", "energy_max", "calcium_max"}))
    assert loose == [cand.max_per_day for cand in cands]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"k2_max_ug": 260.0, "energy_max_kcal": 900.0},
        {"k2_max_ug": 400.0, "energy_max_kcal": 2000.0, "min_foods_per_day": 4},
    ],
)
@pytest.mark.parametrize("objective", [Objective.CLOSEST, Objective.FEWEST_CHANGES])
def test_capped_model_has_the_uncapped_optimum(
    db: FoodDatabase, kwargs: dict[str, object], objective: Objective
) -> None:
    c, cands = _small(db, **kwargs)
    c = replace(c, current_g_per_day={"broccoli": 90.0, "cheddar": 30.0})
    current = {db.resolve(k).key: g for k, g in c.current_g_per_day.items()}
    cands = candidate_foods(db, c)
    results = []
    for tighten in (False, True):
        model, _ = build_model(cands, c, objective, current=current, tighten=tighten)
        res = solve_milp(model, "highs", time_limit_s=60.0, gap=1e-9, abs_gap=1e-9)
        assert res.status == SolveStatus.OPTIMAL
        results.append((res.objective, model))
    (plain, plain_model), (capped, capped_model) = results
    assert capped == pytest.approx(plain, rel=1e-7, abs=1e-7)
    n = len(cands)  # the x columns come first
    assert sum(capped_model.col_hi[:n]) < sum(plain_model.col_hi[:n])
