from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k2lab.foods import FoodDatabase
from k2lab.foods.nutrients import K2_VITAMERS, NUTRIENTS
from k2lab.intake import (
    Day,
    Diet,
    FoodEntry,
    Person,
    compute_intake,
    parse_supplement,
    parse_toml_diet,
)
from k2lab.intake.portions import Grams


def test_tablespoon_of_natto_in_the_implied_range(db: FoodDatabase) -> None:
    diet = parse_toml_diet('[[day]]\nfoods = ["1 tbsp natto"]\n', db)
    r = compute_intake(diet)
    natto = db.get("natto").nutrient("MK-7")
    assert natto is not None
    grams = 10.9
    mk7 = r.mean["MK-7"]
    assert mk7.typical == pytest.approx(grams * natto.typical / 100)
    assert mk7.low == pytest.approx(grams * 775 / 100)
    assert mk7.high == pytest.approx(grams * 1100 / 100)
    assert 84 <= mk7.low <= mk7.typical <= mk7.high <= 120
    # K1 is reported separately from K2 and comes from USDA's 23.1 µg/100 g.
    assert r.mean["K1"].typical == pytest.approx(grams * 23.1 / 100)
    k2 = sum(r.mean[v].typical for v in K2_VITAMERS)
    assert r.mean["K2"].typical == pytest.approx(k2)
    assert r.mean["K"].typical == pytest.approx(k2 + r.mean["K1"].typical)


def test_supplements_add_and_days_average(db: FoodDatabase) -> None:
    text = '[[day]]\nfoods = ["100 g gouda"]\nsupplements = ["MK-7 180 ug"]\n[[day]]\nfoods = ["100 g gouda"]\n'
    r = compute_intake(parse_toml_diet(text, db))
    assert r.per_day["MK-7"][:, 0].tolist() == pytest.approx([180.0, 0.0])
    assert r.mean["MK-7"].typical == pytest.approx(90.0)
    assert r.supplements["MK-7"] == pytest.approx(90.0)
    assert r.contributions[0].grams_per_day == pytest.approx(100.0)


FOODS = [
    "natto",
    "gouda",
    "egg_yolk",
    "kale_raw",
    "chicken_leg_meat",
    "brie",
    "butter",
    "milk_whole",
]


def _diet(db: FoodDatabase, items: list[tuple[int, str, float]]) -> Diet:
    days: dict[int, list[FoodEntry]] = {}
    for day, key, grams in items:
        food = db.get(key)
        days.setdefault(day, []).append(
            FoodEntry(food, f"{grams} g", Grams(grams, grams, "g", None, ""))
        )
    return Diet(Person(), tuple(Day(str(d), tuple(days[d])) for d in sorted(days)))


entries = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(FOODS), st.floats(1, 500)), min_size=1, max_size=12
)


@settings(deadline=None, max_examples=60)
@given(entries, st.floats(0.1, 4))
def test_intake_is_linear_and_never_negative(
    db: FoodDatabase, items: list[tuple[int, str, float]], k: float
) -> None:
    base = compute_intake(_diet(db, items))
    scaled = compute_intake(_diet(db, [(d, f, g * k) for d, f, g in items]))
    for n in (*NUTRIENTS, "K2", "K"):
        assert np.all(base.per_day[n] >= 0)
        assert np.allclose(scaled.per_day[n], k * base.per_day[n], rtol=1e-9, atol=1e-9)
        lo, typ, hi = base.mean[n].low, base.mean[n].typical, base.mean[n].high
        assert lo <= typ + 1e-9 and typ <= hi + 1e-9


@settings(deadline=None, max_examples=40)
@given(entries, entries)
def test_intake_is_additive_over_foods(
    db: FoodDatabase, a: list[tuple[int, str, float]], b: list[tuple[int, str, float]]
) -> None:
    a = [(0, f, g) for _, f, g in a]
    b = [(0, f, g) for _, f, g in b]
    both = compute_intake(_diet(db, a + b)).mean
    one, two = compute_intake(_diet(db, a)).mean, compute_intake(_diet(db, b)).mean
    for n in ("K1", "MK-7", "K2", "calcium"):
        assert both[n].typical == pytest.approx(one[n].typical + two[n].typical)


def test_foods_without_k2_data_are_named(db: FoodDatabase) -> None:
    r = compute_intake(
        parse_toml_diet('[[day]]\nfoods = ["1 cup spinach", "1 cup kale", "1 tbsp natto"]\n', db)
    )
    # Kale has a reported MK-4 of 0 (USDA), which is data; spinach has none.
    assert r.foods_without_k2_data == ("Spinach, raw",)
    assert "kamao_2007" in r.source_keys and "usda_sr26" in r.source_keys


def test_supplement_only_day(db: FoodDatabase) -> None:
    diet = Diet(Person(), (Day("1", (), (parse_supplement("MK-7 180 ug"),)),))
    r = compute_intake(diet)
    assert r.mean["K2"].typical == 180.0 and r.contributions == ()
    assert replace(diet, typical_day=True).typical_day
