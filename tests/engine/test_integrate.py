"""The engine end to end without k2lab.calcium: SBML editing, integration with inputs that
change and state resets, against libroadrunner; the engine imports nothing above it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import k2lab.engine as engine
from k2lab.engine import (
    CompiledModel,
    compile_model,
    evaluate,
    grid_step,
    integrate,
    load_runner,
    read_sbml_text,
    simulate_piecewise,
)
from k2lab.engine.sbml_edit import (
    add_initial_assignment,
    add_parameter,
    add_rate_rule,
    add_species,
    apply,
    ci,
    cn,
    parse_model,
    piecewise,
    to_text,
)
from k2lab.errors import MissingDependencyError, ModelFileError

ENGINE = Path(engine.__file__).parent
FORBIDDEN = ("k2lab.calcium", "k2lab.physiology", "k2lab.intake", "k2lab.foods", "k2lab.commands")


def test_the_engine_imports_nothing_from_the_layers_above_it() -> None:
    for path in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert not name.startswith(FORBIDDEN), (path.name, name)


def test_public_api_is_sorted_and_importable() -> None:
    upper = [n for n in engine.__all__ if n[0].isupper()]
    lower = [n for n in engine.__all__ if not n[0].isupper()]
    assert engine.__all__ == sorted(upper) + sorted(lower)
    for name in engine.__all__:
        assert hasattr(engine, name), name


def test_integration_with_input_changes_and_resets_agrees_with_roadrunner(
    compiled: CompiledModel, runner: Any
) -> None:
    # Oral calcium (mmol/h) steps down on day 5 and up on day 12; the depot TERISC is set
    # at 36 h and 60 h, as an injection would (libroadrunner: the model's own event).
    days, oral = 20, {0.0: 40.0 / 24, 120.0: 12.0 / 24, 288.0: 60.0 / 24}
    params, y0 = compiled.initial_values({"OralCa": oral[0.0]})

    def params_at(t: float) -> dict[str, Any]:
        current = max(s for s in oral if s <= t)
        return compiled.parameters({**params, "OralCa": oral[current]})

    depot = 3000.0
    times = np.arange(days * 4 + 1) * 6.0
    run = integrate(
        compiled,
        y0[:, None],
        times,
        params_at,
        input_times=sorted(oral),
        resets={36.0: {"TERISC": depot}, 60.0: {"TERISC": depot}},
        observe=("CaConc", "C4", "PTH"),
    )
    assert run.alive.all() and run.states.shape == (1, len(times), compiled.n_species)
    np.testing.assert_array_equal(run.observed["PTH"][0], run.states[0, :, 0])
    dose = 3000.0 * 4117.8 / 1e6  # the event sets TERISC = teri_dose_mcg * 1e6 / 4117.8
    table = simulate_piecewise(
        runner,
        segments=[(t, {"OralCa": v}) for t, v in oral.items()],
        end_h=days * 24.0,
        grid_h=grid_step(6.0, 36.0, 24.0),
        selections=["time", "CaConc", "C4"],
        values={
            "teri_dose_mcg": dose,
            "teri_times_initial": 36.0,
            "teri_times_interval": 24.0,
            "teri_number_of_doses": 2.0,
        },
    )
    assert np.allclose(table[:, 0], times)
    for column, sid in ((1, "CaConc"), (2, "C4")):
        rel = np.abs(run.observed[sid][0] - table[:, column]) / np.abs(table[:, column])
        assert float(np.max(rel)) < 1e-3, (sid, float(np.max(rel)))
    # The resets and input changes did something to agree on.
    depot_h = run.states[0, :, compiled.species.index("TERISC")]
    # An output at a reset shows the state after it, with the inputs then in force.
    assert depot_h[times == 30.0][0] == 0.0 and depot_h[times == 36.0][0] == depot
    pth = run.observed["C4"][0]
    assert pth[times == 288.0][0] > pth[0] + 0.2 and pth[-1] < pth[times == 288.0][0] - 0.2


def test_people_are_columns_of_one_batch(compiled: CompiledModel) -> None:
    params, y0 = compiled.initial_values({"OralCa": np.array([0.4, 1.0, 2.5])})
    times = np.arange(11) * 24.0
    y = np.broadcast_to(y0.reshape(compiled.n_species, -1), (compiled.n_species, 3))
    together = integrate(
        compiled, y, times, lambda t: compiled.parameters(params), observe=("CaConc",)
    )
    for i, oral in enumerate((0.4, 1.0, 2.5)):
        p1, y1 = compiled.initial_values({"OralCa": oral})
        alone = integrate(
            compiled,
            y1[:, None],
            times,
            lambda t, p1=p1: compiled.parameters(p1),
            observe=("CaConc",),
        )
        np.testing.assert_allclose(
            together.observed["CaConc"][i], alone.observed["CaConc"][0], rtol=1e-5
        )


_EMPTY = (
    '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">'
    '<model id="m"><listOfCompartments><compartment id="c" size="1" constant="true"/>'
    "</listOfCompartments></model></sbml>"
)


def test_edited_sbml_reads_back_and_runs_like_its_equations() -> None:
    root, model = parse_model(_EMPTY)
    add_parameter(model, "k", 0.5)
    add_parameter(model, "x0", None)
    add_initial_assignment(model, "x0", cn(2.0))
    add_species(model, "x", "c", "decaying")
    add_initial_assignment(model, "x", ci("x0"))
    # dx/dt = -k x while x > 1, then 0: a piecewise rate rule.
    decay = apply("minus", apply("times", ci("k"), ci("x")))
    add_rate_rule(model, "x", piecewise(decay, apply("gt", ci("x"), cn(1.0)), cn(0.0)))
    text = to_text(root, _EMPTY)
    m = read_sbml_text(text)
    assert [s.id for s in m.species] == ["x"] and set(m.rate_rules) == {"x"}
    # Lists sit in SBML's order whatever order they were added in.
    tags = [e.tag.split("}")[1] for e in parse_model(text)[1]]
    assert tags == [
        "listOfCompartments",
        "listOfSpecies",
        "listOfParameters",
        "listOfInitialAssignments",
        "listOfRules",
    ]
    c = compile_model(m)
    params, y0 = c.initial_values({})
    assert y0[0] == 2.0
    run = integrate(c, y0[:, None], np.array([0.0, 1.0, 4.0]), lambda t: c.parameters(params))
    x = run.states[0, :, 0]
    assert x[1] == pytest.approx(2.0 * np.exp(-0.5), rel=1e-5)
    assert x[2] == pytest.approx(1.0, abs=1e-4)  # stops where the piecewise switches off
    with pytest.raises(ModelFileError):
        parse_model("<sbml/>")


def test_small_helpers() -> None:
    assert grid_step(24.0, 36.0, 0.0) == 12.0
    assert grid_step(6.0, 0.5) == 0.5
    expr = ("op", "divide", (("sym", "a"), ("op", "plus", (("sym", "b"), ("num", 1.0)))))
    assert evaluate(expr, {"a": 6.0, "b": 2.0}) == 2.0
    with pytest.raises(ModelFileError, match="no value for b"):
        evaluate(expr, {"a": 1.0})
    with pytest.raises(ModelFileError):
        load_runner(Path("/nonexistent/model.xml"))


def test_missing_roadrunner_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "roadrunner", None)
    with pytest.raises(MissingDependencyError, match="pip install libroadrunner"):
        load_runner(_EMPTY)
