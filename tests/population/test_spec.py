"""Trial specs: the examples load; every bad field is named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from k2lab.errors import K2LabError
from k2lab.population.spec import load_spec, spec_from_dict
from tests.population.conftest import small_spec_dict

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "trials").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_load(path: Path) -> None:
    spec = load_spec(path)
    assert len(spec.arms) >= 2 and spec.control.regimens == ()


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLES} >= {"dp_ucmgp_12_weeks.toml", "bmd_lumbar_3_years.toml"}


def _set(d: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    target: Any = d
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("arms", 1, "n"), 0, "arms[1].n"),
        (("arms", 1, "n"), 2.5, "arms[1].n"),
        (("arms", 1, "regimens"), ["B12 500 ug daily"], "arms[1].regimens[0]"),
        (("arms", 1, "regimens"), ["MK-7 lots"], "arms[1].regimens[0]"),
        (("arms", 1, "name"), "placebo", "arms"),
        (("endpoints", 0, "name"), "happiness", "endpoints[0].name"),
        (("endpoints", 0, "visit_week"), 7, "endpoints[0].visit_week"),
        (("endpoints", 1, "change"), "percent", "endpoints[1].change"),
        (("trial", "visits_weeks"), [4, 12], "trial.visits_weeks"),
        (("trial", "dropout_percent_per_year"), 120, "trial.dropout_percent_per_year"),
        (("trial", "colour"), "red", "trial"),
        (("analysis", "control"), "nobody", "analysis.control"),
        (("analysis", "method"), "bayes", "analysis.method"),
        (("population", "preset"), "astronauts", "population.preset"),
        (("population", "inclusion"), {"shoe_size": [1, 2]}, "population.inclusion.shoe_size"),
        (
            ("population", "covariates"),
            {"age": {"distribution": "normal", "sdd": 1}},
            "population.covariates.age",
        ),
    ],
)
def test_bad_fields_are_named(path: tuple[Any, ...], value: Any, field: str) -> None:
    with pytest.raises(K2LabError) as exc:
        spec_from_dict(_set(small_spec_dict(), path, value))
    assert exc.value.field == field
    assert field.split(".")[0].split("[")[0] in str(exc.value)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text("[trial\nname = 1\n", encoding="utf-8")
    with pytest.raises(K2LabError, match="not valid TOML"):
        load_spec(p)
