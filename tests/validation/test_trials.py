"""The one trials table: both layers, roles kept apart, sources resolve, bad rows refused."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from k2lab.calcium.params import calcium_sources
from k2lab.errors import DataError
from k2lab.physiology.exposure import POPULATIONS
from k2lab.physiology.params import load_sources
from k2lab.validation.trials import COLUMNS, LAYERS, TRIALS_FILE, load_trials, parse_trials


def _signature(a: object) -> tuple[object, ...]:
    from k2lab.validation.trials import TrialArm

    assert isinstance(a, TrialArm)
    return (
        a.layer,
        a.population,
        tuple(sorted(a.person.items())),
        a.background,
        a.regimen,
        a.endpoint,
        a.metric,
        a.duration_days,
    )


def test_both_layers_have_calibration_and_validation_arms_kept_apart() -> None:
    arms = load_trials()
    for layer in LAYERS:
        mine = [a for a in arms if a.layer == layer]
        cal = {_signature(a) for a in mine if a.role == "calibration"}
        val = [a for a in mine if a.role == "validation"]
        assert cal and val, layer
        # No validation arm repeats a calibration arm (same people, regimens and figure).
        assert not any(_signature(a) in cal for a in val), layer


def test_every_source_key_resolves_in_its_layer() -> None:
    sources = {"physiology": load_sources(), "calcium": calcium_sources()}
    for a in load_trials():
        for key in a.source_key.split(";"):
            assert key in sources[a.layer], (a.arm_id, key)


def test_populations_are_the_physiologys_and_agree_with_the_person() -> None:
    from k2lab.validation.scenarios import system_arms

    for a in load_trials():
        assert a.population in POPULATIONS, a.arm_id
        if a.layer == "calcium":
            assert system_arms(a).control.subject.vitamin_k_population == a.population, a.arm_id


def _table(**changes: str) -> str:
    """The shipped header and one valid calcium row, with ``changes``."""
    text = resources.files("k2lab.data").joinpath(TRIALS_FILE).read_text(encoding="utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["arm_id"] == "shea_k1_cac")
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerow({**row, **changes})
    return buf.getvalue()


def test_a_valid_row_reads() -> None:
    (arm,) = parse_trials(_table())
    assert arm.person == {"age": 68.0, "sex": "female"}
    assert arm.duration_days == 3 * 365
    assert arm.error_unit == "AU" and arm.error(-8.0) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"role": "training"}, "role must be one of calibration, validation"),
        ({"layer": "bone"}, "layer must be one of physiology, calcium"),
        ({"metric": "ratio"}, "metric must be one of"),
        ({"duration": "3 fortnights"}, "duration must read like"),
        ({"observed": "n/a"}, "observed must be a number"),
        ({"observed": ""}, "observed value is missing"),
        ({"age": "sixty"}, "age must be a number"),
        ({"age": ""}, "needs the person's age and sex"),
        ({"regimen": "", "background": ""}, "only a 'change' of a control arm"),
    ],
)
def test_bad_rows_are_data_errors_naming_the_line(changes: dict[str, str], match: str) -> None:
    with pytest.raises(DataError, match=match) as info:
        parse_trials(_table(**changes))
    assert "line 2 (shea_k1_cac)" in str(info.value)


def test_a_missing_column_and_repeated_ids_are_data_errors() -> None:
    text = _table()
    with pytest.raises(DataError, match="missing columns"):
        parse_trials(text.replace("observed_range", "range", 1))
    with pytest.raises(DataError, match="repeat"):
        parse_trials(text + text.splitlines()[1] + "\n")
