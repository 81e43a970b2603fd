"""Independent check that a returned plan meets every constraint it was given."""

from __future__ import annotations

from collections import defaultdict

from k2lab.foods.database import FoodDatabase
from k2lab.foods.nutrients import K2_VITAMERS, NUTRIENTS, diet_allows
from k2lab.plan import DietPlan, PlanConstraints, candidate_foods, groups_of
from k2lab.plan.candidates import _limits

TOL = 1e-6


def _le(a: float, b: float) -> bool:
    return a <= b + TOL * max(1.0, abs(b))


def check_plan(db: FoodDatabase, plan: DietPlan) -> None:
    """Recompute every daily total from the foods and assert every constraint holds."""
    c: PlanConstraints = plan.constraints
    cands = {x.key: x for x in candidate_foods(db, c)}
    current = {db.resolve(k).key for k in c.current_g_per_day}
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    per_food_days: dict[str, set[int]] = defaultdict(set)
    per_food_week: dict[str, int] = defaultdict(int)
    day_sets: dict[int, set[str]] = defaultdict(set)
    excluded = {db.resolve(n).key for n in c.exclude_foods}
    for item in plan.items:
        assert item.food_key in cands, f"{item.food_key} is not a candidate"
        food = db.get(item.food_key)
        cand = cands[item.food_key]
        assert diet_allows(c.pattern, food.diet)
        assert not (groups_of(food) & set(c.exclude_groups))
        if item.food_key not in current:
            assert "not_retail" not in groups_of(food)
        assert item.food_key not in excluded
        if c.anticoagulated:
            assert "natto" not in groups_of(food)
        assert 1 <= item.portions <= cand.max_per_day
        assert abs(item.grams - item.portions * cand.portion_g) < 1e-6
        by_food = _limits().get(food.key) or _limits().get(food.category, _limits()["default"])
        limit = c.max_g_per_food_day or by_food[0]
        if item.food_key not in current:
            assert item.grams <= limit + TOL, (item.food_key, item.grams, limit)
        per_food_days[item.food_key].add(item.day)
        per_food_week[item.food_key] += item.portions
        day_sets[item.day].add(item.food_key)
        day = totals[item.day]
        for n in NUTRIENTS:
            day[n] += food.per_100g(n) * item.grams / 100
        day["grams:" + food.category] += item.grams
        day["count"] += 1
    for key, n in per_food_week.items():
        assert n <= cands[key].max_per_week
        k2_source = cands[key].per_portion[c.k2_form] >= 0.25 * c.k2_target_ug
        if c.max_days_per_food is not None and key not in current and not k2_source:
            assert len(per_food_days[key]) <= c.max_days_per_food, key
    if c.distinct_days:
        sets = [frozenset(day_sets[d]) for d in range(1, c.days + 1)]
        assert len(set(sets)) == c.days, "two days have the same foods"
    k_days = []
    for d in range(1, c.days + 1):
        t = totals[d]
        k2 = sum(t[v] for v in K2_VITAMERS)
        form = (k2 if c.k2_form == "K2" else t[c.k2_form]) + c.supplement_per_day(c.k2_form)
        assert form >= c.k2_target_ug - TOL, (d, form)
        if c.k2_max_ug is not None:
            assert _le(form, c.k2_max_ug), (d, form)
        k1 = t["K1"] + c.supplement_per_day("K1")
        if c.k1_steady_ug is not None:
            assert c.k1_steady_ug[0] - TOL <= k1 and _le(k1, c.k1_steady_ug[1])
        elif c.k1_min_ug is not None:
            assert k1 >= c.k1_min_ug - TOL
        ca = t["calcium"] + c.supplement_per_day("calcium")
        if c.calcium_min_mg is not None:
            assert ca >= c.calcium_min_mg - TOL
        if c.calcium_max_mg is not None:
            assert _le(ca, c.calcium_max_mg)
        if c.energy_max_kcal is not None:
            assert _le(t["energy"], c.energy_max_kcal)
        if c.energy_min_kcal is not None:
            assert t["energy"] >= c.energy_min_kcal - TOL
        for b in c.nutrient_bounds:
            amount = t[b.nutrient] + c.supplement_per_day(b.nutrient)
            if b.min is not None:
                assert amount >= b.min - TOL, (d, b.nutrient, amount, b.min)
            if b.max is not None:
                assert _le(amount, b.max), (d, b.nutrient, amount, b.max)
        for s in c.energy_shares:
            kcal = s.kcal_per_g * t[s.nutrient]
            assert kcal >= s.min_share * t["energy"] - 1e-4, (d, s.nutrient)
            assert kcal <= s.max_share * t["energy"] + 1e-4, (d, s.nutrient)
        for g in c.group_servings:
            grams = sum(t["grams:" + cat] for cat in g.categories)
            assert grams >= g.min_g - TOL, (d, g.group, grams)
            if g.max_g is not None:
                assert _le(grams, g.max_g), (d, g.group, grams)
        assert t["count"] >= c.min_foods_per_day
        if c.anticoagulated:
            assert t["MK-7"] + c.supplement_per_day("MK-7") <= c.vka_mk7_max_ug + TOL
        k_days.append(t["K1"] + k2)
        # The plan's own totals agree with the independent recomputation.
        assert abs(plan.day_totals[d - 1]["K2"] - (k2 + c.supplement_per_day("K2"))) < 1e-6
        assert abs(plan.day_totals[d - 1]["energy"] - t["energy"]) < 1e-6
    if c.steady_k_range_ug is not None:
        assert max(k_days) - min(k_days) <= c.steady_k_range_ug + TOL
