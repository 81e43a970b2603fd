import csv
import sqlite3
from pathlib import Path

import pytest

from k2lab.errors import UnknownFoodError
from k2lab.foods import FoodDatabase
from k2lab.foods.nutrients import K2_VITAMERS

# The article's 11 foods by their everyday names, with the main form it names.
ARTICLE = [
    ("natto", "MK-7"),
    ("goose liver pâté", "MK-4"),
    ("chicken liver", "MK-4"),
    ("beef liver", "MK-4"),
    ("gouda", "MK-9"),
    ("munster", "MK-9"),
    ("eel", "MK-4"),
    ("brie", "MK-9"),
    ("camembert", "MK-9"),
    ("pasture-raised egg yolk", "MK-4"),
    ("butter", "MK-4"),
    ("miso", "MK-7"),
    ("tempeh", "MK-7"),
    ("sauerkraut", "MK-7"),
    ("kimchi", "MK-7"),
]


@pytest.mark.parametrize(("name", "form"), ARTICLE)
def test_article_foods_found_by_everyday_name(db: FoodDatabase, name: str, form: str) -> None:
    food = db.search(name, limit=1)[0]
    assert food.article_label, f"{name} -> {food.name} is not the article's food"
    assert food.main_k2_form == form
    article = [v for v in food.nutrient(form).values if v.source_key == "seed_article"]  # type: ignore[union-attr]
    assert article and article[0].quality == "article"


def test_article_cheese_forms_split_by_documented_ratio(db: FoodDatabase) -> None:
    gouda = db.get("gouda")
    mk8 = next(v for v in gouda.nutrient("MK-8").values if v.source_key == "seed_article")  # type: ignore[union-attr]
    mk9 = next(v for v in gouda.nutrient("MK-9").values if v.source_key == "seed_article")  # type: ignore[union-attr]
    assert mk8.low + mk9.low == pytest.approx(50, rel=1e-3)  # type: ignore[operator]
    assert mk8.high + mk9.high == pytest.approx(80, rel=1e-3)  # type: ignore[operator]
    assert mk9.value == pytest.approx(2 * mk8.value, rel=1e-3)


def test_natto_keeps_every_value_and_exposes_typical_and_range(db: FoodDatabase) -> None:
    mk7 = db.resolve("nattō").nutrient("MK-7")
    assert mk7 is not None
    sources = {v.source_key for v in mk7.values}
    assert {"kamao_2007", "tsukamoto_2000", "nih_ods_vitk_via_medwiki", "seed_article"} <= sources
    assert {v.value for v in mk7.values} >= {775.0, 939.0, 1000.0}
    assert mk7.low == 775 and mk7.high == 1100
    assert 775 < mk7.typical < 1100
    # USDA has K1 only for natto; it stays K1 and is never mixed into K2.
    k1 = db.get("natto").nutrient("K1")
    assert k1 is not None and k1.typical == pytest.approx(23.1)


def test_usda_breadth_and_every_value_sourced(db: FoodDatabase, food_db_path: Path) -> None:
    con = sqlite3.connect(food_db_path)
    usda = "source_key LIKE 'usda_fdc_%'"
    k1 = con.execute(
        f"SELECT COUNT(DISTINCT food_key) FROM food_values WHERE nutrient='K1' AND {usda}"
    ).fetchone()[0]
    mk4 = con.execute(
        f"SELECT COUNT(DISTINCT food_key) FROM food_values WHERE nutrient='MK-4' AND {usda}"
    ).fetchone()[0]
    assert k1 >= 5000
    assert mk4 >= 300
    orphans = con.execute(
        "SELECT COUNT(*) FROM food_values v LEFT JOIN sources s USING (source_key) "
        "WHERE s.source_key IS NULL"
    ).fetchone()[0]
    assert orphans == 0
    assert con.execute("SELECT COUNT(*) FROM food_values WHERE value < 0").fetchone()[0] == 0


def test_shipped_csv_source_keys_resolve() -> None:
    data = Path(__file__).resolve().parents[2] / "src/k2lab/data"
    keys = set()
    for p in data.glob("sources*.csv"):
        keys |= {
            r["source_key"] for r in csv.DictReader(p.read_text(encoding="utf-8").splitlines())
        }
    for p in data.glob("*.csv"):
        if p.name.startswith("sources"):
            continue
        for row in csv.DictReader(p.read_text(encoding="utf-8").splitlines()):
            for key in (row.get("source_key") or "").split(";"):
                assert not key or key.strip() in keys, f"{p.name}: {key}"


def test_unknown_food_suggests_closest(db: FoodDatabase) -> None:
    with pytest.raises(UnknownFoodError) as info:
        db.resolve("nato")
    assert info.value.suggestions[0] == "Natto"
    assert isinstance(info.value, KeyError)


def test_diet_category_and_vitamer_filters(db: FoodDatabase) -> None:
    vegan = db.search("cheese", diet="vegan", limit=50)
    assert all(f.diet == "vegan" for f in vegan)
    assert "gouda" not in {f.key for f in vegan}
    k2 = db.search("", vitamer="MK-7", rank_by="k2_per_100g", limit=5)
    assert all(f.per_100g("MK-7") > 0 for f in k2)
    assert [f.k2_per_100g() for f in k2] == sorted((f.k2_per_100g() for f in k2), reverse=True)
    hard = db.search("", category="cheese_hard", limit=200)
    assert hard and all(f.category == "cheese_hard" for f in hard)


def test_rank_by_portion_uses_household_weights(db: FoodDatabase) -> None:
    ranked = db.search("", diet="vegetarian", vitamer="K2", rank_by="k2_per_portion", limit=10)
    per_portion = [f.k2_per_100g() * f.typical_portion_grams for f in ranked]
    assert per_portion == sorted(per_portion, reverse=True)


def test_stats_counts_by_source(db: FoodDatabase) -> None:
    stats = db.stats()
    assert stats["MK-7"]["seed_article"] == 5
    assert stats["K1"]["any source"] >= 5000
    assert set(K2_VITAMERS) >= {n for n in stats if n.startswith("MK-")}


def test_missing_database_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="k2lab db build"):
        FoodDatabase(tmp_path / "none.sqlite")


def test_whole_day_nutrients_from_usda(db: FoodDatabase) -> None:
    """USDA SR Legacy natto (NDB 16113): protein 19.4 g, fat 11 g, fibre 5.4 g, iron 8.6 mg
    per 100 g; every value carries its FoodData Central source key."""
    natto = db.get("usda:sr:natto")
    assert natto.per_100g("protein") == pytest.approx(19.4, abs=0.1)
    assert natto.per_100g("fat") == pytest.approx(11.0, abs=0.1)
    assert natto.per_100g("fibre") == pytest.approx(5.4, abs=0.1)
    assert natto.per_100g("iron") == pytest.approx(8.6, abs=0.1)
    assert {v.source_key for v in natto.nutrients["protein"].values} == {"usda_fdc_sr_legacy"}
    # The curated natto keeps its MK-7 and gains its linked USDA food's macronutrients.
    curated = db.get("natto")
    assert curated.per_100g("MK-7") > 500 and curated.per_100g("protein") > 15


def test_carbohydrate_by_difference_is_never_negative(db: FoodDatabase) -> None:
    bison = db.get("usda:foundation:bison-ground-raw")
    assert bison.per_100g("carbohydrate") == 0.0
