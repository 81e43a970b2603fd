"""Diet files: a TOML description of typical days, or a CSV diary of days × foods.

TOML (a single ``[[day]]`` is a typical day, repeated)::

    [person]
    age = 62
    sex = "female"
    [[day]]
    foods = [ { food = "natto", amount = "1 tbsp" }, { food = "gouda", amount = "2 slices" } ]
    supplements = [ "MK-7 180 ug", "D3 50 ug", "calcium 500 mg" ]

CSV diary: columns ``day,food,amount`` and optionally ``kind`` (``food`` or
``supplement``; a supplement row has the form in ``food`` and the dose in ``amount``).

Every error names the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from k2lab import checks
from k2lab.errors import DietFileError, K2LabError, UnknownFoodError
from k2lab.foods.database import Food, FoodDatabase
from k2lab.intake.portions import Grams, to_grams
from k2lab.intake.supplements import Supplement, parse_supplement
from k2lab.person import Person

__all__ = ["Day", "Diet", "FoodEntry", "Person", "load_diet", "parse_csv_diary", "parse_toml_diet"]


@dataclass(frozen=True)
class FoodEntry:
    """One food eaten on one day, resolved to grams."""

    food: Food
    amount: str
    grams: Grams

    def __post_init__(self) -> None:
        checks.instance(self.food, Food, "food", what="a k2lab Food (e.g. db.resolve('natto'))")
        checks.text(self.amount, "amount", example="'1 tbsp'")
        checks.instance(self.grams, Grams, "grams", what="Grams (k2lab.to_grams)")


@dataclass(frozen=True)
class Day:
    """One day of foods and supplements."""

    label: str
    foods: tuple[FoodEntry, ...] = ()
    supplements: tuple[Supplement, ...] = ()

    def __post_init__(self) -> None:
        checks.text(self.label, "label", example="'monday'")
        object.__setattr__(self, "foods", checks.items(self.foods, FoodEntry, "foods"))
        object.__setattr__(
            self, "supplements", checks.items(self.supplements, Supplement, "supplements")
        )


@dataclass(frozen=True)
class Diet:
    """A person and their days (a typical day or a diary)."""

    person: Person
    days: tuple[Day, ...]
    source: str = ""
    typical_day: bool = False
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        checks.instance(self.person, Person, "person", what="a k2lab.Person")
        object.__setattr__(self, "days", checks.items(self.days, Day, "days"))
        checks.text(self.source, "source")
        object.__setattr__(self, "warnings", checks.texts(self.warnings, "warnings"))


#: Largest diet or diary file read (bytes): ten years of a detailed diary fit in far less.
MAX_DIET_BYTES = 5_000_000
#: Most rows of a CSV diary (ten years at 25 lines a day).
MAX_DIARY_ROWS = 100_000


def load_diet(path: Path, db: FoodDatabase) -> Diet:
    """Read a ``.toml`` diet or a ``.csv`` diary; resolve foods and amounts against ``db``.

    Only regular files up to :data:`MAX_DIET_BYTES` are read (a device or a pipe is refused
    before reading); UTF-8 with or without a byte-order mark.
    """
    path = checks.path(path, "path", error=DietFileError)
    _check_db(db)
    suffix = path.suffix.lower()
    if suffix not in {".toml", ".csv"}:
        raise DietFileError(f"{path}: unknown diet file type '{suffix}'. Use .toml or .csv.")
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file"
            raise DietFileError(
                f"No diet file at {path}." if not path.exists() else f"{path} is {what}."
            )
        if path.stat().st_size > MAX_DIET_BYTES:
            raise DietFileError(
                f"{path} is {path.stat().st_size:,} bytes; diet files are read up to "
                f"{MAX_DIET_BYTES:,} bytes. Split it into several files."
            )
        with path.open("rb") as f:
            raw = f.read(MAX_DIET_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DietFileError(f"Cannot read {path}: {exc}. Diet files are UTF-8 text.") from exc
    if suffix == ".toml":
        return parse_toml_diet(text, db, name=str(path))
    return parse_csv_diary(text, db, name=str(path))


def _check_db(db: object) -> None:
    checks.instance(db, FoodDatabase, "db", what="a k2lab.FoodDatabase (FoodDatabase.open())")


def _line_of(text: str, needle: str, occurrence: int = 0) -> int | None:
    """Line number (1-based) of the n-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            if seen == occurrence:
                return number
            seen += 1
    return None


def parse_toml_diet(text: str, db: FoodDatabase, *, name: str = "diet.toml") -> Diet:
    """Parse the TOML diet format (see module docstring)."""
    checks.text(text, "text", error=DietFileError)
    _check_db(db)
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise DietFileError(f"{name}: not valid TOML: {exc}.") from exc
    except RecursionError as exc:
        raise DietFileError(f"{name}: nested too deeply to be a diet file.") from exc
    unknown = set(data) - {"person", "day"}
    if unknown:
        raise DietFileError(
            f"{name}: unknown section(s) {sorted(unknown)}; use [person] and [[day]]."
        )
    person_data = data.get("person", {})
    if not isinstance(person_data, dict):
        raise DietFileError(f"{name}: [person] must be a table with age and sex.")
    allowed = [f.name for f in fields(Person)]
    extra = set(person_data) - set(allowed)
    if extra:
        raise DietFileError(
            f"{name}, line {_line_of(text, sorted(extra)[0])}: unknown field(s) "
            f"{sorted(extra)} in [person]; allowed: {', '.join(allowed)}."
        )
    try:
        person = Person(**person_data)
    except K2LabError as exc:
        raise DietFileError(f"{name}, [person]: {exc}", field=exc.field) from exc
    days_data = data.get("day")
    if not isinstance(days_data, list) or not days_data:
        raise DietFileError(f"{name}: no [[day]] tables. Add at least one [[day]] with foods.")
    days = []
    counts: dict[str, int] = {}
    seen: dict[str, FoodEntry] = {}
    for d, day in enumerate(days_data, start=1):
        where = f"{name}, day {d}"
        if not isinstance(day, dict):
            raise DietFileError(f"{where}: each [[day]] must be a table.")
        extra = set(day) - {"foods", "supplements", "label"}
        if extra:
            raise DietFileError(
                f"{where}: unknown field(s) {sorted(extra)}; allowed: foods, supplements, label."
            )
        foods = []
        for i, item in enumerate(day.get("foods", []), start=1):
            needle = _needle(item)
            occurrence = counts.get(needle, 0)
            counts[needle] = occurrence + 1
            at = f"{where}, food {i}"
            try:
                foods.append(_food_entry(item, db, at, seen))
            except DietFileError as exc:  # the line is looked up only for an error
                line = _line_of(text, needle, occurrence) if needle else None
                raise _at_line(exc, at, line) from exc.__cause__
        supplements = []
        for i, item in enumerate(day.get("supplements", []), start=1):
            at = f"{where}, supplement {i}"
            try:
                if not isinstance(item, str):
                    raise DietFileError(f"{at}: a supplement is a string like 'MK-7 180 ug'.")
                try:
                    supplements.append(parse_supplement(item))
                except K2LabError as exc:
                    raise DietFileError(f"{at}: {exc}") from exc
            except DietFileError as exc:
                line = _line_of(text, str(item)) if isinstance(item, str) else None
                raise _at_line(exc, at, line) from exc.__cause__
        if not foods and not supplements:
            raise DietFileError(f"{where}: the day has no foods and no supplements.")
        days.append(Day(str(day.get("label", f"day {d}")), tuple(foods), tuple(supplements)))
    return Diet(person, tuple(days), name, typical_day=len(days) == 1)


def _at_line(exc: DietFileError, at: str, line: int | None) -> DietFileError:
    """``exc`` with ``(line N)`` after its location ``at``."""
    if line is None or not exc.message.startswith(at):
        return exc
    return DietFileError(f"{at} (line {line}){exc.message[len(at) :]}")


def _needle(item: Any) -> str:
    if isinstance(item, dict) and isinstance(item.get("food"), str):
        return f'"{item["food"]}"'
    return f'"{item}"' if isinstance(item, str) else ""


def _food_entry(
    item: Any, db: FoodDatabase, at: str, seen: dict[str, FoodEntry] | None = None
) -> FoodEntry:
    """The entry for ``item``; ``seen`` caches entries by their text, so a diet that repeats
    a phrase resolves it once."""
    key = repr(item) if isinstance(item, str | dict) else ""
    if seen is not None and key in seen:
        return seen[key]
    entry = _new_food_entry(item, db, at)
    if seen is not None and key:
        seen[key] = entry
    return entry


def _new_food_entry(item: Any, db: FoodDatabase, at: str) -> FoodEntry:
    if isinstance(item, str):
        food, amount = _split_phrase(item, db, at)
    elif isinstance(item, dict):
        missing = {"food", "amount"} - set(item)
        if missing:
            raise DietFileError(
                f"{at}: missing field '{sorted(missing)[0]}'. Write e.g. "
                '{ food = "natto", amount = "1 tbsp" }.'
            )
        extra = set(item) - {"food", "amount"}
        if extra:
            raise DietFileError(f"{at}: unknown field(s) {sorted(extra)}; allowed: food, amount.")
        if not isinstance(item["food"], str) or not isinstance(item["amount"], str | int | float):
            raise DietFileError(f"{at}: 'food' must be text and 'amount' text like '1 tbsp'.")
        try:
            food = db.resolve(item["food"])
        except UnknownFoodError as exc:
            raise DietFileError(f"{at}, field 'food': {exc}") from exc
        amount = str(item["amount"])
    else:
        raise DietFileError(
            f'{at}: a food is {{ food = "...", amount = "..." }} or a phrase like "1 tbsp natto".'
        )
    try:
        return FoodEntry(food, amount, to_grams(food, amount))
    except K2LabError as exc:
        raise DietFileError(f"{at}, field 'amount': {exc}") from exc


def _split_phrase(phrase: str, db: FoodDatabase, at: str) -> tuple[Food, str]:
    """'1 tbsp natto' -> (natto, '1 tbsp'): the longest trailing words that name a food."""
    words = phrase.split()
    for cut in range(1, len(words)):
        food = db.find(" ".join(words[cut:]))
        if food is not None:
            return food, " ".join(words[:cut])
    tail = " ".join(words[2:]) or phrase
    raise DietFileError(f"{at}: {UnknownFoodError(tail, db.suggest(tail))}")


def parse_csv_diary(text: str, db: FoodDatabase, *, name: str = "diary.csv") -> Diet:
    """Parse a CSV diary (see module docstring). Days keep the order of first appearance."""
    checks.text(text, "text", error=DietFileError)
    _check_db(db)
    try:
        return _parse_csv(text, db, name)
    except csv.Error as exc:
        raise DietFileError(f"{name}: not a readable CSV diary ({exc}).") from exc


def _parse_csv(text: str, db: FoodDatabase, name: str) -> Diet:
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in ("day", "food", "amount") if c not in header]
    if missing:
        raise DietFileError(
            f"{name}, line 1: missing column(s) {missing}; the header must be "
            "day,food,amount (and optionally kind)."
        )
    dupes = {c for c in header if header.count(c) > 1}
    if dupes:
        raise DietFileError(f"{name}, line 1: duplicate column(s) {sorted(dupes)}.")
    foods: dict[str, list[FoodEntry]] = {}
    supplements: dict[str, list[Supplement]] = {}
    seen: dict[str, FoodEntry] = {}
    for n, row in enumerate(reader, start=1):
        line = reader.line_num
        if n > MAX_DIARY_ROWS:
            raise DietFileError(
                f"{name}: more than {MAX_DIARY_ROWS:,} rows; split the diary into several files."
            )
        if None in row or any(v is None for v in row.values()):
            raise DietFileError(
                f"{name}, line {line}: wrong number of fields (expected {len(header)})."
            )
        day = (row["day"] or "").strip()
        if not day:
            raise DietFileError(f"{name}, line {line}, field 'day': empty.")
        kind = (row.get("kind") or "food").strip().lower()
        foods.setdefault(day, [])
        supplements.setdefault(day, [])
        if kind == "supplement":
            try:
                supplements[day].append(parse_supplement(f"{row['food']} {row['amount']}"))
            except K2LabError as exc:
                raise DietFileError(f"{name}, line {line}, field 'amount': {exc}") from exc
        elif kind == "food":
            at = f"{name}, line {line}"
            item = {"food": row["food"], "amount": row["amount"]}
            foods[day].append(_food_entry(item, db, at, seen))
        else:
            raise DietFileError(
                f"{name}, line {line}, field 'kind': '{kind}' is not 'food' or 'supplement'."
            )
    if not foods:
        raise DietFileError(f"{name}: no rows after the header.")
    days = tuple(Day(d, tuple(foods[d]), tuple(supplements[d])) for d in foods)
    return Diet(
        Person(),
        days,
        name,
        typical_day=False,
        warnings=(
            "CSV diaries carry no [person]; reference intakes assume a 40-year-old "
            "woman unless given on the command line.",
        ),
    )
