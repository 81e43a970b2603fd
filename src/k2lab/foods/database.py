"""Read access to the food database: lookup, fuzzy search, filters and ranking.

Example
-------
>>> db = FoodDatabase.open()                        # doctest: +SKIP
>>> db.get("natto").nutrient("MK-7").typical          # doctest: +SKIP
957.0
>>> [f.name for f in db.search("nato", limit=1)]    # doctest: +SKIP
['Natto']
"""

from __future__ import annotations

import contextlib
import sqlite3
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args

from rapidfuzz import fuzz, process

from k2lab import checks
from k2lab.errors import DataError, K2LabError, UnknownFoodError
from k2lab.foods.build import SCHEMA_VERSION, build_database, default_database_path
from k2lab.foods.nutrients import DIET_PATTERNS, K2_VITAMERS, NUTRIENTS, diet_allows
from k2lab.vocab import normalise_vitamer


@dataclass(frozen=True)
class SourcedValue:
    """One published value per 100 g with its source."""

    value: float
    low: float | None
    high: float | None
    quality: str
    source_key: str
    country: str
    notes: str


@dataclass(frozen=True)
class NutrientSummary:
    """Typical value and range per 100 g of one nutrient of one food, with every value."""

    nutrient: str
    typical: float
    low: float
    high: float
    evidence: str
    rule: str
    values: tuple[SourcedValue, ...] = ()


@dataclass(frozen=True)
class Portion:
    """A household measure of a food in grams."""

    name: str
    grams: float
    source_key: str
    quality: str
    notes: str


@dataclass(frozen=True)
class Food:
    """A food with its per-100 g nutrient summaries and household portions."""

    key: str
    name: str
    synonyms: tuple[str, ...]
    category: str
    diet: str
    diet_basis: str
    origin: str
    usda_name: str | None
    article_label: str | None
    nutrients: dict[str, NutrientSummary] = field(default_factory=dict)
    portions: tuple[Portion, ...] = ()

    def nutrient(self, nutrient: str) -> NutrientSummary | None:
        """Summary of ``nutrient`` per 100 g, or None when no source reports it."""
        return self.nutrients.get(nutrient)

    def per_100g(self, nutrient: str, estimate: str = "typical") -> float:
        """``typical``/``low``/``high`` per 100 g; 0 where no source reports the nutrient."""
        s = self.nutrients.get(nutrient)
        return 0.0 if s is None else float(getattr(s, estimate))

    def k2_per_100g(self, estimate: str = "typical") -> float:
        """Sum of menaquinones per 100 g (µg)."""
        return sum(self.per_100g(v, estimate) for v in K2_VITAMERS)

    @property
    def typical_portion_grams(self) -> float:
        """Median weight of the food's household portions (100 g when it has none)."""
        return statistics.median(p.grams for p in self.portions) if self.portions else 100.0

    @property
    def has_k2_data(self) -> bool:
        """True if any source reports a menaquinone for this food."""
        return any(v in self.nutrients for v in K2_VITAMERS)

    @property
    def main_k2_form(self) -> str | None:
        """The menaquinone with the largest typical value, if any is above zero."""
        forms = [(self.per_100g(v), v) for v in K2_VITAMERS if self.per_100g(v) > 0]
        return max(forms)[1] if forms else None


def normalise(text: str) -> str:
    """Accent-free lower-case words: ``'Nattō'`` -> ``'natto'``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


RankBy = Literal["relevance", "k2_per_100g", "k2_per_portion"]


def _vitamer(text: str) -> str:
    """``"k2"`` -> ``"K2"``, ``"mk-7"``/``"mk7"`` -> ``"MK-7"``; unknown names are an error."""
    name = "K2" if checks.text(text, "vitamer").strip().upper() == "K2" else ""
    with contextlib.suppress(K2LabError):
        name = name or normalise_vitamer(text)
    if name != "K2" and name not in NUTRIENTS:
        raise K2LabError(
            f"Unknown vitamer '{text}'. Use K1, K2 or MK-4 ... MK-10.", field="vitamer"
        )
    return name


class FoodDatabase:
    """The embedded SQLite food database (read-only); one instance may be shared between
    threads: Python's SQLite is serialized (``sqlite3.threadsafety == 3``, a test checks)."""

    def __init__(self, path: Path) -> None:
        path = checks.path(path, "path", error=DataError)
        if not path.is_file():
            raise DataError(f"No food database at {path}. Build it with `k2lab db build`.")
        self.path = path
        try:
            self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            version = self._con.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
            if version is None or int(version[0]) != SCHEMA_VERSION:
                raise DataError(f"{path} was built by another k2lab version; run `k2lab db build`.")
            rows = self._con.execute(
                "SELECT food_key, name, synonyms, category, diet, origin FROM foods"
            ).fetchall()
        except (sqlite3.Error, ValueError) as exc:
            raise DataError(
                f"'{path}' is not a readable k2lab food database ({exc}). Rebuild it with "
                f"`k2lab db build --path {path}`, or leave out --db to use the default one."
            ) from exc
        self._keys = [r[0] for r in rows]
        self._index = {r[0]: i for i, r in enumerate(rows)}
        self._meta = rows
        names: list[str] = []
        owners: list[int] = []
        for i, (_, name, synonyms, *_rest) in enumerate(rows):
            for label in (name, *[s for s in synonyms.split(";") if s]):
                names.append(normalise(label))
                owners.append(i)
        self._names, self._owners = names, owners
        self._exact: dict[str, int] = {}
        for label, owner in zip(names, owners, strict=True):
            # Curated foods come last in the table and win a tie on an exact name.
            if label not in self._exact or rows[owner][5] == "curated":
                self._exact[label] = owner
        self._cache: dict[str, Food] = {}

    @classmethod
    def open(cls, path: Path | None = None, *, build: bool = True) -> FoodDatabase:
        """Open the database at ``path``; without one, the cache path, built if missing.

        Raises
        ------
        DataError
            ``path`` was given but does not exist or is not a file: nothing is built where
            the user named a file to open.
        """
        if path is not None:
            path = checks.path(path, "path", error=DataError)
            if not path.exists():
                raise DataError(
                    f"No food database at '{path}'. Check the name, or build one there with "
                    f"`k2lab db build --path {path}`."
                )
            if not path.is_file():
                raise DataError(f"'{path}' is not a file; give the path of a food database.")
            return cls(path)
        path = default_database_path()
        if not path.is_file() and build:
            build_database(path)
        return cls(path)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def keys(self) -> Sequence[str]:
        """All food keys."""
        return self._keys

    def get(self, key: str) -> Food:
        """The food with this exact key."""
        checks.text(key, "key", example="'natto'")
        if key in self._cache:
            return self._cache[key]
        if key not in self._index:
            raise UnknownFoodError(key, self.suggest(key))
        row = self._con.execute(
            "SELECT food_key, name, synonyms, category, diet, diet_basis, origin, usda_name, "
            "article_label FROM foods WHERE food_key = ?",
            (key,),
        ).fetchone()
        values: dict[str, list[SourcedValue]] = {}
        for nutrient, *rest in self._con.execute(
            "SELECT nutrient, value, low, high, quality, source_key, country, notes "
            "FROM food_values WHERE food_key = ?",
            (key,),
        ):
            values.setdefault(nutrient, []).append(SourcedValue(*rest))
        nutrients = {
            n: NutrientSummary(n, t, lo, hi, ev, rule, tuple(values.get(n, ())))
            for n, t, lo, hi, ev, rule in self._con.execute(
                "SELECT nutrient, typical, low, high, evidence, rule FROM summaries "
                "WHERE food_key = ?",
                (key,),
            )
        }
        portions = [
            Portion(*r)
            for r in self._con.execute(
                "SELECT portion_name, grams, source_key, quality, notes FROM portions "
                "WHERE food_key = ?",
                (key,),
            )
        ]
        own = {normalise(p.name) for p in portions}
        portions += [
            Portion(*r)
            for r in self._con.execute(
                "SELECT portion_name, grams, source_key, quality, notes FROM generic_portions "
                "WHERE category = ?",
                (row[3],),
            )
            if normalise(r[0]) not in own
        ]
        food = Food(
            row[0],
            row[1],
            tuple(s for s in row[2].split(";") if s),
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            nutrients,
            tuple(portions),
        )
        self._cache[key] = food
        return food

    def resolve(self, name: str) -> Food:
        """The food named exactly ``name`` (key, name or synonym, accents and case ignored).

        Raises :class:`UnknownFoodError` with the closest matches otherwise: a diet file
        never silently gets a different food than the one written.
        """
        food = self.find(name)
        if food is None:
            raise UnknownFoodError(name, self.suggest(name))
        return food

    def find(self, name: str) -> Food | None:
        """Like :meth:`resolve`, but ``None`` for no match (and no costly suggestions)."""
        text = checks.text(name, "name", example="'natto'").strip()
        if text in self._index:
            return self.get(text)
        owner = self._exact.get(normalise(text))
        return None if owner is None else self.get(self._keys[owner])

    def suggest(self, text: str, limit: int = 5) -> list[str]:
        """Names of the foods closest to ``text``, best first."""
        return [f.name for f in self.search(text, limit=limit)]

    def search(
        self,
        text: str = "",
        *,
        diet: str | None = None,
        category: str | None = None,
        vitamer: str | None = None,
        rank_by: RankBy = "relevance",
        limit: int = 20,
    ) -> list[Food]:
        """Foods matching ``text`` (fuzzy), filtered by diet pattern, category and vitamer.

        ``vitamer`` keeps foods with a value above zero for that form (``"K2"`` = any
        menaquinone). ``rank_by`` orders by match quality or by K2 per 100 g / per portion.
        """
        checks.choice(rank_by, get_args(RankBy), "rank_by")
        checks.whole(limit, "limit", low=1)
        if diet is not None:
            diet = checks.text(diet, "diet").strip().lower()
            if diet not in DIET_PATTERNS:
                raise K2LabError(
                    f"Unknown diet '{diet}'. Use one of: {', '.join(DIET_PATTERNS)}.", field="diet"
                )
        if vitamer is not None:
            vitamer = _vitamer(vitamer)
        if category is not None:
            category = checks.text(category, "category").strip().lower()
            if category not in self.categories:
                close = process.extract(category, self.categories, limit=3)
                raise K2LabError(
                    f"Unknown category '{category}'. Closest: "
                    f"{', '.join(c for c, *_ in close)} (`k2lab foods stats` lists them all).",
                    field="category",
                )
        candidates = self._candidates(checks.text(text, "text", example="'natto' or ''"))
        out: list[tuple[float, Food]] = []
        for score, i in candidates:
            key, _, _, cat, food_diet, _ = self._meta[i]
            if diet is not None and not diet_allows(diet, food_diet):
                continue
            if category is not None and cat != category:
                continue
            food = self.get(key) if (vitamer or rank_by != "relevance") else None
            if vitamer is not None and food is not None:
                amount = food.k2_per_100g() if vitamer == "K2" else food.per_100g(vitamer)
                if amount <= 0:
                    continue
            out.append((score, food or self.get(key)))
            if rank_by == "relevance" and len(out) >= limit:
                break
        if rank_by == "k2_per_100g":
            out.sort(key=lambda sf: -sf[1].k2_per_100g())
        elif rank_by == "k2_per_portion":
            out.sort(key=lambda sf: -sf[1].k2_per_100g() * sf[1].typical_portion_grams / 100)
        return [f for _, f in out[:limit]]

    @cached_property
    def categories(self) -> list[str]:
        """Every food category, sorted."""
        return sorted({row[3] for row in self._meta})

    def _candidates(self, text: str) -> list[tuple[float, int]]:
        query = normalise(text)
        if not query:
            return [(0.0, i) for i in reversed(range(len(self._keys)))]
        hits = process.extract(query, self._names, scorer=fuzz.WRatio, limit=400, score_cutoff=60)
        best: dict[int, float] = {}
        for label, score, pos in hits:
            owner = self._owners[pos]
            # Prefer exact words and short, curated names over long USDA descriptions.
            bonus = (10.0 if label == query else 0.0) + (
                5.0 if self._meta[owner][5] == "curated" else 0.0
            )
            bonus -= min(len(label), 80) / 40
            best[owner] = max(best.get(owner, 0.0), score + bonus)
        return sorted(((s, i) for i, s in best.items()), reverse=True)

    def stats(self) -> dict[str, dict[str, int]]:
        """How many foods carry each nutrient, by source key."""
        out: dict[str, dict[str, int]] = {}
        for nutrient, source, n in self._con.execute(
            "SELECT nutrient, source_key, COUNT(DISTINCT food_key) FROM food_values "
            "GROUP BY nutrient, source_key ORDER BY nutrient, source_key"
        ):
            out.setdefault(nutrient, {})[source] = n
        for nutrient, n in self._con.execute(
            "SELECT nutrient, COUNT(*) FROM summaries GROUP BY nutrient"
        ):
            out.setdefault(nutrient, {})["any source"] = n
        return out

    @cached_property
    def totals(self) -> dict[str, list[dict[str, object]]]:
        """Published totals (several forms summed) by food key, for display."""
        out: dict[str, list[dict[str, object]]] = {}
        cur = self._con.execute("SELECT * FROM totals")
        cols = [d[0] for d in cur.description]
        for row in cur:
            rec = dict(zip(cols, row, strict=True))
            out.setdefault(str(rec["food_key"]), []).append(rec)
        return out
