"""Parser fuzzing (issue 11 part 2, item 2): every reader of user input gives a valid result
or a K2LabError (a clear message), never another exception; export → import is lossless.

Covered: the diet TOML and CSV diary readers, amounts and units, the Cronometer servings
import, the planner's inputs (the plan form and request as the web app and ``k2lab plan``
read them), the scenario values (``Person``, ``Horizon``, ``Scenario``), and the diary's CSV
export read back. (The regimen grammar has its own fuzz test: tests/test_regimen.py.)
Seeded and bounded: ``derandomize=True`` and a fixed ``max_examples``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k2lab import Horizon, Person, Scenario
from k2lab.errors import K2LabError
from k2lab.foods.database import FoodDatabase
from k2lab.intake import parse_csv_diary, parse_toml_diet, to_grams
from k2lab.store import open_store
from k2lab.store.cronometer import plan_import, read_servings
from k2lab.store.days import MEALS, add_food, add_supplement
from k2lab.store.diaries import create_diary, get_diary
from k2lab.store.diary_io import diet_items, export_csv, parse_diary_file, write_items
from k2lab.units import parse_quantity, to_micrograms
from k2lab.web.plan import _constraints, _request_from_form

#: ``K2LAB_FUZZ_SCALE=N`` runs N times the examples (``make soak``: 10).
FUZZ_SCALE = int(os.environ.get("K2LAB_FUZZ_SCALE", "1"))

FUZZ = settings(
    derandomize=True,
    max_examples=60 * FUZZ_SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FOODS = ("natto", "gouda", "kale", "egg", "butter", "sauerkraut", "chicken liver", "spinach")
NUMBERS = st.one_of(
    st.integers(-10, 10_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1/2", "1e-400", "1e400", "0", "-0", ".5", "1,5", "½", "", "nan", "  "]),
)
UNITS = st.sampled_from(
    ["g", "kg", "mg", "ug", "µg", "mcg", "IU", "tbsp", "tsp", "cup", "slice", "slices",
     "pack", "large eggs", "oz", "lb", "ml", "l", "serving", "bogus", ""]
)  # fmt: skip
AMOUNTS = st.one_of(st.builds(lambda n, u: f"{n} {u}", NUMBERS, UNITS), st.text(max_size=30))
WORDS = st.one_of(st.sampled_from(FOODS), st.text(max_size=25))


def _only_k2lab_errors(call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call(...)``'s result, or None when it raised a K2LabError with a message."""
    try:
        return call(*args, **kwargs)
    except K2LabError as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
        return None


# ---- diet files ----

TOML_VALUES = st.one_of(
    st.builds(
        lambda f, a: f'{{ food = "{f}", amount = "{a}" }}',
        WORDS.map(lambda w: w.replace('"', "").replace("\\", "")),
        AMOUNTS.map(lambda w: w.replace('"', "").replace("\\", "")),
    ),
    st.sampled_from(["1", '"x"', "[]", "{}", "true", '{ food = "natto" }', "{ amount = 3 }"]),
)
PERSON_LINES = st.sampled_from(
    ["age = 45", "age = -5", "age = 1e9", 'age = "old"', 'sex = "male"', 'sex = "x"',
     'diet = "VEGAN"', 'diet = "carnivore"', "egfr_ml_per_min = -10", "weight_kg = 0",
     'sun = "blinding"', "pregnant = true", "menopause_age = 20", ""]
)  # fmt: skip


@st.composite
def toml_diets(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=200))
    lines = ["[person]", *draw(st.lists(PERSON_LINES, max_size=3))]
    for _ in range(draw(st.integers(0, 3))):
        foods = draw(st.lists(TOML_VALUES, max_size=4))
        lines += ["[[day]]", f"foods = [{', '.join(foods)}]"]
        if draw(st.booleans()):
            lines.append(
                f'supplements = ["{draw(st.sampled_from(["MK-7 180 ug", "D3 x", "", "K1 1 g"]))}"]'
            )
    return "\n".join(lines)


@st.composite
def csv_diaries(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=200))
    header = draw(
        st.sampled_from(
            ["day,kind,food,amount", "day,food,amount", "day,kind,food,amount,meal", "a,b"]
        )
    )
    rows = [header]
    for _ in range(draw(st.integers(0, 6))):
        cells = [draw(st.sampled_from(["mon", "tue", "2026-03-01", "2026-13-01", ""])),
                 draw(st.sampled_from(["food", "supplement", "recipe", ""])),
                 draw(WORDS).replace(",", " "), draw(AMOUNTS).replace(",", " "),
                 draw(st.sampled_from([*MEALS, "brunch", ""]))]  # fmt: skip
        rows.append(",".join(cells[: header.count(",") + 1]))
    return "\n".join(rows) + "\n"


def _check_diet(reader: Any, text: str, db: FoodDatabase) -> None:
    """``reader(text, db)`` is a diet whose every food has a positive weight, or an error."""
    diet = _only_k2lab_errors(reader, text, db)
    if diet is not None:
        assert all(0 < e.grams.grams < float("inf") for d in diet.days for e in d.foods)


@FUZZ
@given(text=toml_diets())
def test_toml_diet_reader(db: FoodDatabase, text: str) -> None:
    _check_diet(parse_toml_diet, text, db)


@FUZZ
@given(text=csv_diaries())
def test_csv_diary_reader(db: FoodDatabase, text: str) -> None:
    _check_diet(parse_csv_diary, text, db)
    # the web import's path over the same readers
    _only_k2lab_errors(parse_diary_file, text, "csv", db, name="x.csv")


# ---- amounts and units ----


@FUZZ
@given(food=st.sampled_from(FOODS), amount=AMOUNTS)
def test_amounts_of_a_food(db: FoodDatabase, food: str, amount: str) -> None:
    grams = _only_k2lab_errors(to_grams, db.resolve(food), amount)
    if grams is not None:
        assert 0 < grams.grams < float("inf")


@FUZZ
@given(text=st.one_of(AMOUNTS, st.text(max_size=20)))
def test_quantities_and_micrograms(text: str) -> None:
    q = _only_k2lab_errors(parse_quantity, text)
    if q is not None:
        ug = _only_k2lab_errors(to_micrograms, q)
        assert ug is None or ug == ug  # a number, never NaN


# ---- the Cronometer import ----

CRONO_HEADER = st.sampled_from(
    ["Day,Group,Food Name,Amount", "Day,Food Name,Amount", "Day,Time,Group,Food Name,Amount,Category",
     "Date,Food,Qty", ""]
)  # fmt: skip


@st.composite
def cronometer_csvs(draw: st.DrawFn) -> str:
    header = draw(CRONO_HEADER)
    rows = [header]
    for _ in range(draw(st.integers(0, 5))):
        cells = [draw(st.sampled_from(["2026-03-02", "2026-02-30", "yesterday", ""])),
                 draw(st.sampled_from(["Breakfast", "Snacks", "Uncategorized", "", "x"])),
                 draw(st.sampled_from(["Natto", "Gouda Cheese", "Kale, Raw", "Salmon, Atlantic, Wild, Raw"]) | WORDS).replace(",", " "),
                 draw(AMOUNTS).replace(",", " ")]  # fmt: skip
        rows.append(",".join(cells[: header.count(",") + 1]))
    return "\n".join(rows) + ("\n" if draw(st.booleans()) else "")


@FUZZ
@given(text=st.one_of(cronometer_csvs(), st.text(max_size=150)))
def test_cronometer_import(db: FoodDatabase, text: str) -> None:
    rows = _only_k2lab_errors(read_servings, text)
    if rows:
        _only_k2lab_errors(plan_import, rows, db)


# ---- the planner's inputs ----

PLAN_FORMS = st.fixed_dictionaries(
    {},
    optional={
        "pattern": st.sampled_from(["omnivore", "VEGAN", "vegetarian", "carnivore", "", " pescatarian "]),
        "target": st.one_of(st.sampled_from(["90 ug K2", "180 ug MK-7", "1 mg K1", "90", "-5 ug K2"]), st.text(max_size=30)),
        "exclude": st.one_of(st.sampled_from(["soy", "fish,dairy", "natto", "nope", ",,"]), st.text(max_size=30)),
        "days": st.one_of(st.sampled_from(["1", "7", "0", "8", "-1", "1.5", "x"]), st.text(max_size=5)),
        "supplements": st.one_of(st.sampled_from(["D3 15 ug", "MK-7 180 ug", "D3", ""]), st.text(max_size=30)),
        "anticoagulated": st.sampled_from(["on", "off", "true", ""]),
    },
)  # fmt: skip


@FUZZ
@given(form=PLAN_FORMS)
def test_planner_inputs(db: FoodDatabase, form: dict[str, str]) -> None:
    request = _only_k2lab_errors(_request_from_form, form)
    if request is not None:
        _only_k2lab_errors(_constraints, db, Person(), request)


# ---- scenario validation ----

ODD_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**12), 10**12),
    st.sampled_from([None, True, "40", [], object()]),
)  # fmt: skip


@FUZZ
@given(
    age=ODD_NUMBERS, weight=ODD_NUMBERS, egfr=ODD_NUMBERS, hours=ODD_NUMBERS,
    sex=st.one_of(st.sampled_from(["female", "male", "MALE", "x", ""]), st.text(max_size=8)),
    sun=st.one_of(st.none(), st.sampled_from(["low", "moderate", "high", "blinding"])),
    supplement=st.one_of(st.sampled_from(["MK-7 180 ug daily", "D3 25 ug daily", "MK-7 1e-400 ug daily"]), st.text(max_size=30)),
)  # fmt: skip
def test_scenario_values(
    age: Any, weight: Any, egfr: Any, hours: Any, sex: Any, sun: Any, supplement: str
) -> None:
    person = _only_k2lab_errors(Person, age=age, sex=sex, weight_kg=weight,
                                egfr_ml_per_min=egfr, sun=sun)  # fmt: skip
    horizon = _only_k2lab_errors(Horizon, hours=hours)
    if person is not None and horizon is not None:
        _only_k2lab_errors(Scenario, person=person, supplements=(supplement,), horizon=horizon)


# ---- export → import round trip ----

ENTRIES = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.one_of(
            st.tuples(
                st.just("food"),
                st.sampled_from(FOODS),
                st.sampled_from(["1 tbsp", "37 g", "2.5 g", "1 cup", "100 g", "0.125 g"]),
            ),
            st.tuples(
                st.just("supplement"),
                st.sampled_from(["MK-7 180 ug", "D3 1000 IU", "K1 100 ug"]),
                st.just(""),
            ),
        ),
        st.sampled_from(["", *MEALS]),
    ),
    min_size=1,
    max_size=8,
)


_DIARY_NAMES = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'k2lab.sqlite3'}")
    yield s
    s.close()


@settings(FUZZ, max_examples=25 * FUZZ_SCALE)
@given(entries=ENTRIES)
def test_csv_export_then_import_is_lossless(
    db: FoodDatabase, store: Any, entries: list[Any]
) -> None:
    start = dt.date(2026, 3, 2)
    with store.session() as s:
        owner = store.local_user(s).id
        first = create_diary(s, owner, f"fuzz {next(_DIARY_NAMES)}", {}, "90 ug K2", [])
        for day, (kind, what, amount), meal in entries:
            date = start + dt.timedelta(days=day)
            try:
                if kind == "food":
                    add_food(s, owner, first.id, date, db, food=what, amount=amount, meal=meal)
                else:
                    add_supplement(s, owner, first.id, date, text=what, meal=meal)
            except K2LabError:
                continue  # an amount this food has no weight for
        exported = export_csv(s, get_diary(s, owner, first.id))
        if exported.count("\n") == 1:  # only the header: nothing was written
            s.rollback()
            return
        diet = parse_diary_file(exported, "csv", db, name="export.csv")
        second = create_diary(s, owner, f"again {first.id}", {}, "90 ug K2", [])
        write_items(s, owner, second.id, diet_items(diet, start, exported))
        again = export_csv(s, get_diary(s, owner, second.id))
        s.rollback()
    assert again == exported


def test_cronometer_file_with_a_bare_carriage_return_is_a_clear_error() -> None:
    """Regression (found by this file): the csv module's own error escaped."""
    with pytest.raises(K2LabError, match="not a readable CSV file"):
        read_servings("Day,Food Name,Amount\n2026-03-02,Natto\r,1 g\n")
