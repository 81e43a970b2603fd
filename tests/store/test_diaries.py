"""The store's diary, day, entry and recipe functions, called directly."""

from __future__ import annotations

import datetime as dt

import pytest

from k2lab.errors import ConflictError, K2LabError, NotFoundError, UnknownFoodError
from k2lab.foods import FoodDatabase
from k2lab.intake import compute_intake, to_grams
from k2lab.store import Store, User
from k2lab.store import days as d
from k2lab.store.diaries import (
    create_diary,
    current_diary,
    delete_diary,
    diary_medications,
    diary_person,
    diary_to_diet,
    list_diaries,
    update_diary,
)
from k2lab.store.recipes import create_recipe, delete_recipe, update_recipe

DAY = dt.date(2026, 3, 2)


def _other_owner(store: Store) -> int:
    with store.session() as s:
        user = User(username="bob")
        s.add(user)
        s.flush()
        return user.id


def test_current_diary_creates_one_and_then_returns_it(store: Store, owner: int) -> None:
    with store.session() as s:
        first = current_diary(s, owner)
        assert first.name == "My diary"
        assert current_diary(s, owner).id == first.id
        assert current_diary(s, owner, first.id).id == first.id
        assert [x.id for x in list_diaries(s, owner)] == [first.id]


def test_another_owners_diary_is_not_found(store: Store, owner: int) -> None:
    bob = _other_owner(store)
    with store.session() as s:
        mine = current_diary(s, owner)
        with pytest.raises(NotFoundError):
            current_diary(s, bob, mine.id)
        with pytest.raises(NotFoundError):
            d.get_day(s, bob, mine.id, DAY)
        assert list_diaries(s, bob) == []


def test_create_diary_validates_each_field(store: Store, owner: int) -> None:
    with store.session() as s:
        cases = [
            ({"name": ""}, "name"),
            ({"person": {"age": -5}}, "age"),
            ({"person": {"sex": "x"}}, "sex"),
            ({"person": {"population": "martian"}}, "population"),
            ({"person": {"shoe_size": 42}}, "shoe_size"),
            ({"target": "lots"}, "target"),
            ({"medications": ["unobtainium"]}, "medications"),
        ]
        for change, field in cases:
            args = {"name": "x", "person": {}, "target": "90 ug K2", "medications": []}
            args.update(change)
            with pytest.raises(K2LabError) as err:
                create_diary(s, owner, **args)  # type: ignore[arg-type]
            assert err.value.field == field, change
        create_diary(s, owner, "Dup", {}, "90 ug K2", [])
        with pytest.raises(K2LabError) as err:
            create_diary(s, owner, "Dup", {}, "90 ug K2", [])
        assert err.value.field == "name"


def test_person_and_medications_round_trip(store: Store, owner: int) -> None:
    with store.session() as s:
        diary = create_diary(
            s, owner, "Clinic", {"population": "CKD4", "sex": "male"}, "180 ug MK-7", ["Xarelto"]
        )
        person = diary_person(diary)
        assert (person.sex, person.egfr_ml_per_min) == ("male", 22.0)
        assert diary_medications(diary) == ("rivaroxaban",)
        before = diary.version
        update_diary(s, owner, diary.id, target="100 ug K2", expected_version=before)
        assert diary.version == before + 1
        with pytest.raises(ConflictError) as err:
            update_diary(s, owner, diary.id, name="Late", expected_version=before)
        assert err.value.current_version == before + 1
        delete_diary(s, owner, diary.id)
        with pytest.raises(NotFoundError):
            current_diary(s, owner, diary.id)


def test_add_food_resolves_grams_and_bumps_the_day(
    store: Store, owner: int, db: FoodDatabase
) -> None:
    natto = db.resolve("natto")
    with store.session() as s:
        diary = current_diary(s, owner)
        e1 = d.add_food(s, owner, diary.id, DAY, db, food="natto", amount="1 tbsp", meal="lunch")
        assert e1.grams == pytest.approx(to_grams(natto, "1 tbsp").grams)
        assert e1.amount == "1 tbsp"
        e2 = d.add_food(s, owner, diary.id, DAY, db, food="2 slices gouda", expected_version=1)
        assert e2.amount == "2 slices"
        day = d.get_day(s, owner, diary.id, DAY)
        assert day is not None
        assert day.version == 2
        assert [e.position for e in day.entries] == [0, 1]
        with pytest.raises(ConflictError) as err:
            d.add_food(
                s, owner, diary.id, DAY, db, food="egg", amount="1 large egg", expected_version=1
            )
        assert err.value.current_version == 2
        assert len(day.entries) == 2


@pytest.mark.parametrize(
    ("food", "amount", "field"),
    [
        ("natto", "-2 g", "amount"),
        ("natto", "5 kg", "amount"),
        ("natto", "abc", "amount"),
        ("natto", "3 wheelbarrows", "amount"),
        ("natto", "", "amount"),
        ("nattoxyz", "1 g", "food"),
        ("", "1 g", "food"),
        ("natto", "1 tbsp", "meal"),
    ],
)
def test_bad_entries_name_the_field_and_write_nothing(
    store: Store, owner: int, db: FoodDatabase, food: str, amount: str, field: str
) -> None:
    with store.session() as s:
        diary = current_diary(s, owner)
        meal = "elevenses" if field == "meal" else ""
        with pytest.raises(K2LabError) as err:
            d.add_food(s, owner, diary.id, DAY, db, food=food, amount=amount, meal=meal)
        assert err.value.field == field
        assert d.get_day(s, owner, diary.id, DAY) is None


def test_unknown_food_suggests(store: Store, owner: int, db: FoodDatabase) -> None:
    with store.session() as s:
        diary = current_diary(s, owner)
        with pytest.raises(UnknownFoodError) as err:
            d.add_food(s, owner, diary.id, DAY, db, food="nato", amount="1 tbsp")
        assert any("atto" in x for x in err.value.suggestions)


def test_edit_move_delete_and_copy(store: Store, owner: int, db: FoodDatabase) -> None:
    bob = _other_owner(store)
    with store.session() as s:
        diary = current_diary(s, owner)
        a = d.add_food(s, owner, diary.id, DAY, db, food="natto", amount="1 tbsp")
        b = d.add_supplement(s, owner, diary.id, DAY, text="MK-7 180 ug", meal="breakfast")
        with pytest.raises(K2LabError) as err:
            d.add_supplement(s, owner, diary.id, DAY, text="MK-7 lots")
        assert err.value.field == "text"
        d.update_entry(s, owner, a.id, db, amount="2 tbsp", meal="dinner")
        assert a.grams == pytest.approx(2 * to_grams(db.resolve("natto"), "1 tbsp").grams)
        with pytest.raises(K2LabError) as err:
            d.update_entry(s, owner, a.id, db, amount="-1 g")
        assert err.value.field == "amount"
        assert a.amount == "2 tbsp"
        d.update_entry(s, owner, b.id, db, position=0)
        day = d.get_day(s, owner, diary.id, DAY)
        assert day is not None
        assert [e.id for e in day.entries] == [b.id, a.id]
        with pytest.raises(NotFoundError):
            d.update_entry(s, bob, a.id, db, amount="1 g")
        with pytest.raises(NotFoundError):
            d.delete_entry(s, bob, a.id)
        target = DAY + dt.timedelta(days=1)
        copied = d.copy_day(s, owner, diary.id, DAY, target)
        assert [(e.kind, e.amount, e.text) for e in copied.entries] == [
            (e.kind, e.amount, e.text) for e in day.entries
        ]
        version = day.version
        d.delete_entry(s, owner, a.id, expected_version=version)
        assert day.version == version + 1
        assert [e.id for e in day.entries] == [b.id]
        with pytest.raises(K2LabError) as err:
            d.copy_day(s, owner, diary.id, DAY + dt.timedelta(days=9), target)
        assert err.value.field == "from"


def test_entry_bound(
    store: Store, owner: int, db: FoodDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(d, "MAX_ENTRIES_PER_DAY", 2)
    with store.session() as s:
        diary = current_diary(s, owner)
        for _ in range(2):
            d.add_food(s, owner, diary.id, DAY, db, food="egg", amount="10 g")
        with pytest.raises(K2LabError, match="at most 2 entries") as err:
            d.add_food(s, owner, diary.id, DAY, db, food="egg", amount="10 g")
        assert err.value.field == "entries"


def test_diary_to_diet_matches_the_intake_of_the_same_foods(
    store: Store, owner: int, db: FoodDatabase
) -> None:
    natto, gouda = db.resolve("natto"), db.resolve("gouda")
    with store.session() as s:
        diary = current_diary(s, owner)
        with pytest.raises(K2LabError) as err:
            diary_to_diet(diary, db)
        assert err.value.field == "date"
        d.add_food(s, owner, diary.id, DAY, db, food="natto", amount="1 tbsp")
        d.add_food(s, owner, diary.id, DAY, db, food="gouda", amount="2 slices")
        d.add_supplement(s, owner, diary.id, DAY - dt.timedelta(days=1), text="MK-7 90 ug")
        diet = diary_to_diet(diary, db)
        assert [day.label for day in diet.days] == ["2026-03-01", "2026-03-02"]
        only = diary_to_diet(diary, db, start=DAY)
        mk7 = compute_intake(only).mean["MK-7"].typical
        expected = sum(
            f.per_100g("MK-7") / 100 * to_grams(f, a).grams
            for f, a in ((natto, "1 tbsp"), (gouda, "2 slices"))
        )
        assert mk7 == pytest.approx(expected)
        both = compute_intake(diet).mean["MK-7"].typical
        assert both == pytest.approx((expected + 90) / 2)
        sources = compute_intake(only).source_keys
        assert to_grams(natto, "1 tbsp").portion is not None
        assert to_grams(natto, "1 tbsp").portion.source_key in sources  # type: ignore[union-attr]


def test_recipes_expand_by_the_serving(store: Store, owner: int, db: FoodDatabase) -> None:
    bob = _other_owner(store)
    with store.session() as s:
        diary = current_diary(s, owner)
        recipe = create_recipe(
            s, owner, db, name="Natto bowl", servings=2, items=[("natto", "2 tbsp")]
        )
        with pytest.raises(NotFoundError):
            d.add_recipe(s, bob, diary.id, DAY, recipe_id=recipe.id)
        entry = d.add_recipe(s, owner, diary.id, DAY, recipe_id=recipe.id, servings="1")
        assert entry.amount == "1"
        diet = diary_to_diet(diary, db)
        (food,) = diet.days[0].foods
        assert food.grams.grams == pytest.approx(to_grams(db.resolve("natto"), "1 tbsp").grams)
        for bad in ("0", "-1", "lots", "60"):
            with pytest.raises(K2LabError) as err:
                d.add_recipe(s, owner, diary.id, DAY, recipe_id=recipe.id, servings=bad)
            assert err.value.field == "amount"
        with pytest.raises(K2LabError) as err:
            delete_recipe(s, owner, recipe.id)
        assert "used by 1" in str(err.value)
        v = recipe.version
        update_recipe(s, owner, recipe.id, db, items=[("natto", "4 tbsp")], expected_version=v)
        assert recipe.version == v + 1
        with pytest.raises(ConflictError):
            update_recipe(s, owner, recipe.id, db, name="x", expected_version=v)
        with pytest.raises(K2LabError) as err:
            create_recipe(s, owner, db, name="Bad", items=[("natto", "1 tbsp")] * 101)
        assert err.value.field == "items"
        with pytest.raises(K2LabError) as err:
            create_recipe(s, owner, db, name="Bad", items=[("natto", "1 tbsp"), ("egg", "-1")])
        assert err.value.field == "items.1.amount"
        with pytest.raises(K2LabError) as err:
            create_recipe(s, owner, db, name="Natto bowl", items=[("egg", "1 large egg")])
        assert err.value.field == "name"
