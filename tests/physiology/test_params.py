"""The shipped parameter tables: schema, ranges and sources."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from k2lab.errors import DataError
from k2lab.physiology.params import (
    PARAMETER_FILES,
    USE_POSTERIOR,
    default_parameters,
    load_sources,
    parse_parameter_csv,
    posterior_draws,
)


def test_sources_file_has_exact_columns() -> None:
    text = resources.files("k2lab.data").joinpath("sources_physiology.csv").read_text()
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["source_key", "citation", "doi", "url", "notes"]
    assert "k2lab_calibration" in load_sources()


def test_every_parameter_has_a_resolvable_source_and_a_valid_range() -> None:
    sources = load_sources()
    params = default_parameters()
    assert {r.file for r in params.records} == set(PARAMETER_FILES)
    for r in params.records:
        assert r.low <= r.value <= r.high, r
        for key in r.source_key.split(";"):
            assert key in sources, (r.name, key)


def test_calibrated_rows_carry_the_calibration_record() -> None:
    params = default_parameters()
    calibrated = [r for r in params.records if r.file == "calibrated_params.csv"]
    assert calibrated and all(r.source_key == "k2lab_calibration" for r in calibrated)


def test_no_human_mk4_conversion_number_is_claimed() -> None:
    r = default_parameters().record("conversion_to_mk4_fraction", "K1")
    assert "NO HUMAN PERCENTAGE" in r.notes
    assert r.low == 0.0 and r.high == 0.25


def test_bad_rows_are_refused() -> None:
    header = "name,scope,value,low,high,unit,source_key,notes\n"
    with pytest.raises(DataError, match="low <= value <= high"):
        parse_parameter_csv(header + "x,all,5,6,7,1,k2lab_prior,\n", "t.csv")
    with pytest.raises(DataError, match="source_key"):
        parse_parameter_csv(header + "x,all,5,,,1,,\n", "t.csv")
    with pytest.raises(DataError, match="columns"):
        parse_parameter_csv("a,b\n1,2\n", "t.csv")


def test_sampling_is_reproducible_and_within_ranges() -> None:
    params = default_parameters()
    a = params.sample(5, seed=3)
    b = params.sample(5, seed=3)
    assert a[0] is params
    for x, y in zip(a, b, strict=True):
        assert dict(x) == dict(y)
    # With the posterior switch on, the calibrated parameters come from the shipped draws
    # (wider than the refit ranges in calibrated_params.csv); every other row stays in range.
    keys, draws = posterior_draws()
    from_posterior = dict(zip(keys, draws.T, strict=True)) if USE_POSTERIOR else {}
    for draw in a[1:]:
        for r in params.records:
            if r.key in from_posterior:
                assert draw[r.key] in from_posterior[r.key]
            else:
                assert r.low - 1e-12 <= draw[r.key] <= r.high + 1e-12


def test_unknown_parameter_is_a_data_error() -> None:
    with pytest.raises(DataError):
        default_parameters().value("no_such_parameter", "K1")


def test_public_api_is_sorted_and_importable() -> None:
    import k2lab.physiology as phys

    assert len(set(phys.__all__)) == len(phys.__all__)
    for name in phys.__all__:
        assert hasattr(phys, name)
