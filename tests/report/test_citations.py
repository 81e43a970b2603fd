"""The one citation registry: every source key of the shipped data resolves; others fail."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import pytest

from k2lab.data.citations import Citation, citations, cite, split_keys
from k2lab.errors import DataError
from k2lab.foods.build import read_data_csv


def _tables() -> list[str]:
    names = (f.name for f in resources.files("k2lab.data").iterdir())
    return sorted(n for n in names if n.endswith(".csv") and not n.startswith("sources_"))


def test_every_source_key_in_the_shipped_tables_resolves() -> None:
    known = citations()
    checked = set()
    for name in _tables():
        rows = read_data_csv(name)
        if not rows or "source_key" not in rows[0]:
            continue
        checked.add(name)
        for row in rows:
            keys = split_keys(row["source_key"])
            assert keys, (name, row)
            assert all(k in known for k in keys), (name, keys)
    # The tables the brief names must be among those checked.
    assert {
        "food_vitamers.csv",
        "absorption_params.csv",
        "pk_params.csv",
        "calcium_params.csv",
        "claims.csv",
        "advice_rules.csv",
        "trial_arms.csv",
        "portions.csv",
        "reference_intakes.csv",
        "plan_limits.csv",
    } <= checked


def test_every_source_key_in_the_built_database_resolves(food_db_path: Path) -> None:
    con = sqlite3.connect(food_db_path)
    keys = {r[0] for r in con.execute("SELECT DISTINCT source_key FROM food_values")}
    keys |= {r[0] for r in con.execute("SELECT DISTINCT source_key FROM portions")}
    assert any(k.startswith("usda_fdc_") for k in keys)
    assert set(cite(keys)) == {k for key in keys for k in split_keys(key)}


def test_joined_keys_resolve_in_order_and_once() -> None:
    got = cite(["kamao_2007;seed_article", " seed_article ", "usda_sr26"])
    assert list(got) == ["kamao_2007", "seed_article", "usda_sr26"]
    c = got["kamao_2007"]
    assert isinstance(c, Citation) and c.doi == "10.3177/jnsv.53.464" and "Kamao" in c.citation


def test_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(DataError, match=r"Unknown source key 'kamao2007'.*kamao_2007.*sources_"):
        cite("seed_article;kamao2007")


def test_keys_in_several_tables_have_one_citation() -> None:
    seen: dict[str, tuple[str, str, str]] = {}
    for f in resources.files("k2lab.data").iterdir():
        if f.name.startswith("sources_") and f.name.endswith(".csv"):
            for row in read_data_csv(f.name):
                entry = (row["citation"].strip(), row["doi"].strip(), row["url"].strip())
                assert seen.setdefault(row["source_key"], entry) == entry, row["source_key"]
    assert set(seen) == set(citations())
