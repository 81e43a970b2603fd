"""Planner: the 'must be true' cases, objectives, modes, backends, and every constraint."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2lab.errors import UnitError
from k2lab.foods.database import FoodDatabase
from k2lab.intake import Person, parse_supplement
from k2lab.plan import (
    Milp,
    Objective,
    PlanConstraints,
    PlanError,
    PlanStatus,
    build_model,
    candidate_foods,
    constraints_for,
    groups_of,
    plan_diet,
    solve_milp,
)

from .checks import check_plan

VEGAN = Person(age=40, sex="female", diet="vegan")


def test_vegan_week_180_k2_uses_natto(db: FoodDatabase) -> None:
    c = constraints_for(VEGAN, k2_target_ug=180.0, days=7)
    plan = plan_diet(db, c)
    assert plan.status == PlanStatus.OK
    assert {i.day for i in plan.items if i.food_key.startswith("natto")} == set(range(1, 8))
    assert all(t["K2"] >= 180 for t in plan.day_totals)
    check_plan(db, plan)


def test_vegan_without_soy_is_infeasible_and_proposes_a_supplement(db: FoodDatabase) -> None:
    c = constraints_for(VEGAN, k2_target_ug=180.0, days=7, exclude_groups=frozenset({"soy"}))
    plan = plan_diet(db, c)
    assert plan.status == PlanStatus.INFEASIBLE and not plan.items
    dg = plan.diagnosis
    assert dg is not None
    k2 = next(s for s in dg.shortfalls if s.constraint == "k2")
    assert k2.amount == pytest.approx(180 - dg.max_k2_from_food_ug_per_day, abs=1.0)
    assert dg.max_k2_from_food_ug_per_day < 20
    assert [s.nutrient for s in dg.proposed_supplements] == ["MK-7"]
    assert dg.proposed_supplements[0].amount >= k2.amount
    assert dg.proposal_feasible is True
    assert "MK-7" in plan.message
    # The proposal really works: plan again with it.
    again = plan_diet(
        db,
        constraints_for(
            VEGAN,
            k2_target_ug=180.0,
            days=7,
            exclude_groups=frozenset({"soy"}),
            supplements=dg.proposed_supplements,
        ),
    )
    assert again.ok
    check_plan(db, again)


def test_soy_group_membership(db: FoodDatabase) -> None:
    for key in ("natto", "miso", "tempeh", "edamame_prepared", "soybean_oil"):
        assert "soy" in groups_of(db.get(key)), key
    for key in ("gouda", "kale_raw", "sauerkraut"):
        assert "soy" not in groups_of(db.get(key)), key
    tofu = db.search("tofu", limit=1)[0]
    assert "soy" in groups_of(tofu)


def test_candidate_set_is_explicit(db: FoodDatabase) -> None:
    cands = candidate_foods(db, PlanConstraints())
    keys = {c.key for c in cands}
    assert "natto" in keys and "natto_lab_miyagino_strain" not in keys
    assert 50 < len(cands) < 400
    assert all(c.portion_g > 0 and c.max_per_day >= 1 for c in cands)
    full = candidate_foods(db, PlanConstraints(candidates="all"))
    assert len(full) > 10 * len(cands)


def test_anticoagulated_mode_keeps_k_steady_without_natto(db: FoodDatabase) -> None:
    person = Person(age=70, sex="male")
    # max_days_per_food < days forces the full model with the steady-range rows.
    c = constraints_for(
        person,
        k2_target_ug=30.0,
        days=3,
        steady_k_range_ug=20.0,
        min_foods_per_day=2,
        max_days_per_food=2,
    )
    plan = plan_diet(db, c)
    assert plan.ok
    ks = [t["K"] for t in plan.day_totals]
    assert max(ks) - min(ks) <= 20.0 + 1e-6
    assert not any(i.food_key.startswith("natto") for i in plan.items)
    check_plan(db, plan)


def test_closest_and_fewest_changes_keep_a_diet_that_already_fits(db: FoodDatabase) -> None:
    current = {"natto": 21.8, "gouda": 28.0}
    for objective in (Objective.CLOSEST, Objective.FEWEST_CHANGES):
        c = PlanConstraints(days=3, k2_target_ug=150.0, current_g_per_day=current)
        plan = plan_diet(db, c, objective)
        assert plan.ok
        assert plan.objective_value == pytest.approx(0.0, abs=1e-3)
        day1 = {i.food_key: round(i.grams, 3) for i in plan.items if i.day == 1}
        assert day1 == {"natto": 21.8, "gouda": 28.0}


def test_cost_objective_picks_the_cheaper_food(db: FoodDatabase) -> None:
    c = PlanConstraints(days=2, k2_target_ug=50.0, prices_per_100g={"gouda": 1.5, "natto": 30.0})
    plan = plan_diet(db, c, "cost")
    assert plan.ok and {i.food_key for i in plan.items} == {"gouda"}
    c = PlanConstraints(days=2, k2_target_ug=50.0, prices_per_100g={"gouda": 9.0, "natto": 1.0})
    assert {i.food_key for i in plan_diet(db, c, "cost").items} == {"natto"}
    with pytest.raises(PlanError, match="prices"):
        plan_diet(db, PlanConstraints(days=2), "cost")


def test_energy_budget_and_variety(db: FoodDatabase) -> None:
    c = constraints_for(
        Person(age=35, sex="male", diet="vegetarian"),
        k2_target_ug=90.0,
        days=3,
        energy_max_kcal=900.0,
        max_days_per_food=2,
        min_foods_per_day=3,
    )
    plan = plan_diet(db, c)
    assert plan.ok
    check_plan(db, plan)


def test_calcium_upper_limit_binds_with_supplement(db: FoodDatabase) -> None:
    c = constraints_for(
        Person(age=60, sex="female"),
        k2_target_ug=90.0,
        days=2,
        supplements=(parse_supplement("calcium 2500 mg"),),
    )
    plan = plan_diet(db, c)
    assert plan.status == PlanStatus.INFEASIBLE
    assert plan.diagnosis is not None
    binds = {s.constraint: s.amount for s in plan.diagnosis.shortfalls}
    assert binds["calcium_max"] == pytest.approx(500.0, abs=1.0)
    assert any("lower the calcium supplement" in p for p in plan.diagnosis.proposals)


def test_highs_and_cbc_agree_on_the_same_model(db: FoodDatabase) -> None:
    c = constraints_for(VEGAN, k2_target_ug=120.0, days=2)
    cands = candidate_foods(db, c)
    model, _ = build_model(cands, c, Objective.CLOSEST)
    a = solve_milp(model, "highs")
    b = solve_milp(model, "cbc")
    assert a.status == b.status == "optimal"
    assert a.objective == pytest.approx(b.objective, rel=1e-4, abs=1e-4)


def test_milp_infeasible_status() -> None:
    m = Milp()
    x = m.add_col("x", 1.0, 0.0, 1.0, integer=True)
    m.add_row("r", {x: 1.0}, 2.0, float("inf"))
    assert solve_milp(m).status == "infeasible"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"calcium_min_mg": 1500.0, "calcium_max_mg": 1000.0}, "Contradictory"),
        ({"energy_min_kcal": 2000.0, "energy_max_kcal": 1000.0}, "Contradictory"),
        ({"pattern": "paleo"}, "Unknown diet pattern"),
        ({"exclude_groups": frozenset({"gluten"})}, "Unknown food group"),
        ({"days": 0}, "days"),
        ({"k2_target_ug": -5.0}, "k2_target_ug"),
        ({"k2_target_ug": float("nan")}, "k2_target_ug"),
        ({"max_days_per_food": 9, "days": 7}, "max_days_per_food"),
    ],
)
def test_bad_constraints(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(PlanError, match=match):
        PlanConstraints(**kwargs)  # type: ignore[arg-type]


def test_wrong_target_form() -> None:
    with pytest.raises(UnitError, match="menaquinone"):
        PlanConstraints(k2_form="K1")


GROUPS = ("soy", "fish", "dairy", "egg", "organ_meat")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.floats(10.0, 400.0),
    form=st.sampled_from(["K2", "MK-7", "MK-4"]),
    pattern=st.sampled_from(["vegan", "vegetarian", "pescatarian", "omnivore"]),
    excluded=st.frozensets(st.sampled_from(GROUPS), max_size=3),
    days=st.integers(1, 4),
    energy=st.one_of(st.none(), st.floats(600.0, 2500.0)),
    min_foods=st.integers(1, 3),
    steady=st.one_of(st.none(), st.floats(20.0, 200.0)),
)
def test_every_constraint_holds_in_every_plan(
    db: FoodDatabase,
    target: float,
    form: str,
    pattern: str,
    excluded: frozenset[str],
    days: int,
    energy: float | None,
    min_foods: int,
    steady: float | None,
) -> None:
    c = constraints_for(
        Person(age=50, sex="female", diet=pattern),
        k2_target_ug=target,
        k2_form=form,
        days=days,
        exclude_groups=excluded,
        energy_max_kcal=energy,
        min_foods_per_day=min_foods,
        steady_k_range_ug=steady,
    )
    plan = plan_diet(db, c, time_limit_s=20.0)
    assert plan.status in (PlanStatus.OK, PlanStatus.INFEASIBLE, PlanStatus.TIME_LIMIT)
    if plan.day_totals:  # a returned plan (optimal or stopped at the time limit)
        check_plan(db, plan)
    elif plan.status == PlanStatus.INFEASIBLE:
        assert plan.diagnosis is not None and plan.diagnosis.shortfalls
        assert plan.diagnosis.proposals


def test_candidates_respect_daily_limits_and_are_not_duplicated(db: FoodDatabase) -> None:
    cands = candidate_foods(db, PlanConstraints())
    names = [c.name.lower() for c in cands]
    assert names.count("kale, raw") == 1  # the curated food, not also its USDA twin
    for c in cands:
        assert c.portion_g * c.max_per_day <= 500 + 1e-9
