import pytest

from k2lab.errors import AmountError, UnitError
from k2lab.foods import FoodDatabase
from k2lab.intake import to_grams
from k2lab.intake.portions import parse_amount_text


@pytest.mark.parametrize(
    ("food", "amount", "grams"),
    [
        ("natto", "1 tbsp", 10.9),
        ("natto", "1 tablespoon", 10.9),
        ("natto", "1 pack", 45.0),
        ("natto", "1 cup", 175.0),
        ("natto", "2 tsp", 2 * 175.0 / 48),  # from the cup's density
        ("gouda", "2 slices", 56.0),
        ("egg yolk", "1 large egg yolk", 17.0),
        ("egg yolk", "2 large yolks", 34.0),
        ("egg", "1 large egg", 50.0),
        ("cheddar", "3 oz", 3 * 28.349523125),
        ("natto", "100 g", 100.0),
        ("natto", "0.1 kg", 100.0),
        ("butter", "½ tbsp", 7.1),
        ("broccoli, boiled", "1/2 cup", 78.0),
        ("cheddar", "1 1/2 oz", 1.5 * 28.349523125),
    ],
)
def test_household_portions(db: FoodDatabase, food: str, amount: str, grams: float) -> None:
    assert to_grams(db.resolve(food), amount).grams == pytest.approx(grams, rel=1e-3)


def test_portion_records_how_it_was_derived(db: FoodDatabase) -> None:
    g = to_grams(db.resolve("gouda"), "2 slices")
    assert g.portion is not None and g.portion.quality == "analogy"
    assert "usda_sr26" in g.how


@pytest.mark.parametrize(
    ("amount", "error", "match"),
    [
        ("-1 tbsp", AmountError, "above zero"),
        ("0 g", AmountError, "above zero"),
        ("nan g", AmountError, "finite"),
        ("5 kg", AmountError, "more than the 2,000 g"),
        ("5000 g", AmountError, "g vs kg"),
        ("1 bucket", UnitError, "No household weight for 'bucket'"),
        ("2", UnitError, "has no unit"),
        ("lots", AmountError, "Cannot read"),
    ],
)
def test_bad_amounts(db: FoodDatabase, amount: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        to_grams(db.resolve("natto"), amount)


def test_volume_without_any_volume_portion_is_refused(db: FoodDatabase) -> None:
    with pytest.raises(UnitError, match="No volume weight"):
        to_grams(db.resolve("chicken liver"), "1 cup")


def test_parse_amount_text() -> None:
    assert parse_amount_text("1 1/2 tbsp") == (1.5, "tbsp")
    assert parse_amount_text("¾ cup") == (0.75, "cup")
    assert parse_amount_text("2 Slices") == (2.0, "slices")
