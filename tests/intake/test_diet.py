from pathlib import Path

import pytest

from k2lab.errors import DietFileError
from k2lab.foods import FoodDatabase
from k2lab.intake import load_diet, parse_csv_diary, parse_toml_diet

ISSUE_EXAMPLE = """
[person]
age = 62
sex = "female"
[[day]]
foods = [ { food = "natto", amount = "1 tbsp" }, { food = "gouda", amount = "2 slices" } ]
supplements = [ "MK-7 180 ug", "D3 50 ug", "calcium 500 mg" ]
"""


def test_issue_example_parses(db: FoodDatabase) -> None:
    diet = parse_toml_diet(ISSUE_EXAMPLE, db)
    assert diet.typical_day and diet.person.age == 62
    day = diet.days[0]
    assert [e.food.key for e in day.foods] == ["natto", "gouda"]
    assert [s.nutrient for s in day.supplements] == ["MK-7", "vitamin_d", "calcium"]


def test_phrase_entries(db: FoodDatabase) -> None:
    diet = parse_toml_diet('[[day]]\nfoods = ["1 tbsp natto", "2 slices gouda"]\n', db)
    assert [(e.food.key, e.amount) for e in diet.days[0].foods] == [
        ("natto", "1 tbsp"),
        ("gouda", "2 slices"),
    ]


@pytest.mark.parametrize(
    "path", sorted(p for p in (Path(__file__).parents[2] / "examples").iterdir() if p.is_file())
)
def test_examples_load(db: FoodDatabase, path: Path) -> None:
    assert load_diet(path, db).days


BAD_TOML = [
    (
        '[[day]]\nfoods = [ { food = "nato", amount = "1 tbsp" } ]\n',
        r"line 2.*field 'food'.*Unknown food 'nato'.*'Natto'",
    ),
    (
        '[[day]]\nfoods = [ { food = "natto", amount = "5 kg" } ]\n',
        r"line 2.*field 'amount'.*2,000 g",
    ),
    (
        '[[day]]\nfoods = [ { food = "natto", amount = "-1 tbsp" } ]\n',
        r"field 'amount'.*above zero",
    ),
    ('[[day]]\nfoods = [ { food = "natto", amount = "nan g" } ]\n', r"field 'amount'.*finite"),
    ('[[day]]\nfoods = [ { food = "natto", amount = "1 bucket" } ]\n', r"field 'amount'.*bucket"),
    ('[[day]]\nfoods = [ { food = "natto" } ]\n', r"missing field 'amount'"),
    (
        '[[day]]\nfoods = [ { food = "natto", amount = "1 tbsp", grams = 3 } ]\n',
        r"unknown field.*grams",
    ),
    ('[[day]]\nfoods = [ { food = "natto", amount = "1 tbsp" }\n', r"not valid TOML"),
    ('[[day]]\nfoods = [ { food = "natto", amount = 1 tbsp } ]\n', r"not valid TOML.*line 2"),
    ('[person]\nage = 300\n[[day]]\nfoods = ["1 tbsp natto"]\n', r"age = 300 is outside 0-120"),
    ('[person]\nsex = "x"\n[[day]]\nfoods = ["1 tbsp natto"]\n', r"sex must be"),
    (
        '[person]\nage = 40\nheight = 2\n[[day]]\nfoods = ["1 tbsp natto"]\n',
        r"line 3.*unknown field.*height",
    ),
    ("[person]\nage = 40\n", r"no \[\[day\]\]"),
    ('[[day]]\nsupplements = ["K2 100 ug"]\n', r"line 2.*K1, MK-4 or MK-7"),
    ("[[day]]\nfoods = []\n", r"no foods and no supplements"),
    ("[[dya]]\nfoods = []\n", r"unknown section"),
]


@pytest.mark.parametrize(("text", "match"), BAD_TOML)
def test_bad_toml_names_line_and_field(db: FoodDatabase, text: str, match: str) -> None:
    with pytest.raises(DietFileError, match=match):
        parse_toml_diet(text, db)


def test_csv_diary(db: FoodDatabase) -> None:
    diet = parse_csv_diary(
        "day,kind,food,amount\n1,food,natto,1 tbsp\n1,supplement,D3,1000 IU\n2,food,gouda,1 oz\n",
        db,
    )
    assert [d.label for d in diet.days] == ["1", "2"]
    assert diet.days[0].supplements[0].amount == 25.0


BAD_CSV = [
    ("day,food\n1,natto\n", r"line 1.*missing column.*amount"),
    ("day,food,amount,amount\n1,natto,1 tbsp,2\n", r"line 1.*duplicate column"),
    ("day,food,amount\n1,natto,1 tbsp\n2,nato,1 tbsp\n", r"line 3.*Unknown food 'nato'"),
    ("day,food,amount\n1,natto\n", r"line 2.*wrong number of fields"),
    ("day,food,amount\n,natto,1 tbsp\n", r"line 2.*field 'day'"),
    ("day,kind,food,amount\n1,pill,MK-7,1 ug\n", r"line 2.*field 'kind'"),
    ("day,food,amount\n", r"no rows"),
]


@pytest.mark.parametrize(("text", "match"), BAD_CSV)
def test_bad_csv_names_line_and_field(db: FoodDatabase, text: str, match: str) -> None:
    with pytest.raises(DietFileError, match=match):
        parse_csv_diary(text, db)


def test_file_errors(db: FoodDatabase, tmp_path: Path) -> None:
    with pytest.raises(DietFileError, match="No diet file"):
        load_diet(tmp_path / "missing.toml", db)
    (tmp_path / "d.json").write_text("{}")
    with pytest.raises(DietFileError, match=r"\.toml or \.csv"):
        load_diet(tmp_path / "d.json", db)
    (tmp_path / "b.toml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DietFileError, match="UTF-8"):
        load_diet(tmp_path / "b.toml", db)
