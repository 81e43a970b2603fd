"""Virtual people: one stream per person, inclusion criteria, covariate and BSV draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from k2lab.calcium.params import calcium_parameters
from k2lab.errors import K2LabError
from k2lab.physiology.params import default_parameters
from k2lab.population.covariates import DEFAULT_COVARIATES, Covariate
from k2lab.population.people import PopulationSpec, draw_person, person_rng
from k2lab.population.variability import BSV, MEASUREMENT_ERROR, individual_parameters, observe


def test_a_person_depends_only_on_their_own_stream() -> None:
    spec = PopulationSpec(inclusion={"age": (55.0, 65.0)})
    forward = [draw_person(spec, person_rng(7, 0, 1, i)) for i in range(20)]
    backward = [draw_person(spec, person_rng(7, 0, 1, i)) for i in reversed(range(20))]
    assert forward == backward[::-1]
    assert len({p.age for p in forward}) == 20
    assert draw_person(spec, person_rng(7, 0, 0, 3)) != forward[3]


def test_inclusion_criteria_hold_for_every_person() -> None:
    spec = PopulationSpec(
        inclusion={"age": (60.0, 62.0), "egfr_ml_per_min": (70.0, 150.0), "sun": ("low",)}
    )
    people = [draw_person(spec, person_rng(1, 0, 0, i)) for i in range(60)]
    assert all(60 <= p.age <= 62 and p.egfr_ml_per_min >= 70 and p.sun == "low" for p in people)  # type: ignore[operator]
    assert all(p.sex == "female" for p in people)


def test_contradictory_criteria_are_an_error_that_names_them() -> None:
    spec = PopulationSpec(inclusion={"age": (20.0, 21.0)})  # the default age prior is 60 ± 5
    with pytest.raises(K2LabError, match="inclusion") as exc:
        draw_person(spec, person_rng(1, 0, 0, 0))
    assert exc.value.field == "population.inclusion"


def test_covariates_follow_their_distributions() -> None:
    rng = np.random.default_rng(5)
    age = Covariate("age", "normal", mean=60, sd=5)
    ages = np.array([age.draw(rng, {}) for _ in range(4000)])
    assert abs(ages.mean() - 60) < 0.3 and abs(ages.std() - 5) < 0.3
    egfr = DEFAULT_COVARIATES["egfr_ml_per_min"]
    young = np.mean([egfr.draw(rng, {"age": 40.0}) for _ in range(2000)])
    old = np.mean([egfr.draw(rng, {"age": 80.0}) for _ in range(2000)])
    assert 30 < young - old < 42  # 0.9 mL/min per year of age, truncation aside
    cac = DEFAULT_COVARIATES["calcification_au"]
    zero = np.mean([cac.draw(rng, {}) == 0.0 for _ in range(2000)])
    assert abs(zero - 0.5) < 0.04


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"field": "height", "distribution": "normal"}, "population.covariates"),
        ({"field": "age", "distribution": "gamma"}, "population.covariates.age"),
        (
            {"field": "sun", "distribution": "categorical", "levels": ("lots",), "weights": (1.0,)},
            "population.covariates.sun",
        ),
        (
            {"field": "sex", "distribution": "categorical", "levels": ("f",), "weights": (1.0,)},
            "population.covariates.sex",
        ),
    ],
)
def test_bad_covariates_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(K2LabError) as exc:
        Covariate(**kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_every_variability_entry_has_a_resolvable_source() -> None:
    keys = {r.source_key for ps in (default_parameters(), calcium_parameters()) for r in ps.records}
    known = {k for key in keys for k in key.split(";")} | {"k2lab_prior"}
    for v in BSV:
        assert v.source_key in known, v
    for m in MEASUREMENT_ERROR.values():
        assert m.source_key in known, m
    for c in DEFAULT_COVARIATES.values():
        assert c.source_key in known | {"kdigo2012"}, c


def test_bsv_moves_only_its_parameters_by_its_width() -> None:
    phys = default_parameters()
    same = individual_parameters(phys, np.zeros(len(BSV)), population="postmenopausal")
    assert dict(same) == dict(phys)
    rng = np.random.default_rng(2)
    key = ("dp_ucmgp_pmol_per_L", "postmenopausal")
    logs = []
    for _ in range(2000):
        p = individual_parameters(phys, rng.standard_normal(len(BSV)), population="postmenopausal")
        logs.append(math.log(p[key] / phys[key]))
        changed = {k for k in phys if p[k] != phys[k]}
        assert changed <= {
            (v.name, v.scope.format(population="postmenopausal", bone_scope="postmenopausal"))
            for v in BSV
        }
    width = next(v.width for v in BSV if v.name == "dp_ucmgp_pmol_per_L")
    assert abs(np.std(logs) - width) < 0.03


def test_measurement_error_has_its_width() -> None:
    rng = np.random.default_rng(4)
    x = observe("bmd_lumbar_spine_change_percent", np.zeros(5000), rng)
    assert abs(x.std() - MEASUREMENT_ERROR["bmd_lumbar_spine_change_percent"].sd) < 0.05
    assert np.array_equal(observe("plasma_K1_nmol_per_L", np.ones(3), rng), np.ones(3))
