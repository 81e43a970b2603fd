"""The engine's parts: code generation, solver order, vectorisation, inputs and errors."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from k2lab.calcium import (
    CalciumModel,
    CalciumScenario,
    SimulationStatus,
    TeriparatideRegimen,
    simulate_calcium,
)
from k2lab.calcium._mathml import to_python
from k2lab.calcium._rosenbrock import Rosenbrock, colour_columns
from k2lab.errors import K2LabError, ModelFileError, ScenarioError


def test_generated_rhs_equals_roadrunner_rates_at_a_random_state(
    model: CalciumModel, runner: Any
) -> None:
    rng = np.random.default_rng(7)
    params, y0 = model.initial_values({})
    p = model.compiled.parameters(params)
    y = y0 * (1.0 + 0.2 * rng.standard_normal(y0.shape))
    y[model.species.index("TERISC")] = 150.0
    runner.resetAll()
    assert list(runner.model.getFloatingSpeciesIds()) == list(model.species)
    for sid, value in zip(model.species, y, strict=True):
        runner.model[f"[{sid}]"] = float(value)
    expected = np.asarray(runner.model.getFloatingSpeciesConcentrationRates())
    got = model.compiled.rhs(0.0, y, p)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


def test_structural_sparsity_covers_the_finite_difference_jacobian(model: CalciumModel) -> None:
    params, y0 = model.initial_values({})
    p = model.compiled.parameters(params)
    f0 = model.compiled.rhs(0.0, y0, p)
    for j in range(model.n_species):
        y = y0.copy()
        y[j] += 1e-4 * max(abs(y[j]), 1.0)
        changed = model.compiled.rhs(0.0, y, p) != f0
        assert not np.any(changed & ~model.compiled.jacobian_sparsity[:, j]), model.species[j]


def test_analytic_jacobian_equals_central_differences_at_random_states(
    model: CalciumModel,
) -> None:
    rng = np.random.default_rng(5)
    c = model.compiled
    params, y0 = model.initial_values({"GFR": np.array([3.0, 6.0, 7.5])})
    p = c.parameters(params)
    y = y0.reshape(-1, 1) * (1.0 + 0.2 * rng.standard_normal((model.n_species, 3)))
    y[model.species.index("TERISC")] = rng.uniform(0.0, 5000.0, size=3)
    rows, cols = np.nonzero(c.jacobian_sparsity)
    got = c.jacobian(0.0, y, p)
    assert got.shape == (len(rows), 3)
    expected = np.empty_like(got)
    for j in range(model.n_species):
        h = 1e-5 * np.maximum(np.abs(y[j]), 1e-3)
        up, down = y.copy(), y.copy()
        up[j] += h
        down[j] -= h
        column = (c.rhs(0.0, up, p) - c.rhs(0.0, down, p)) / (2.0 * h)
        expected[cols == j] = column[rows[cols == j]]
    # Central differences are good to about 1e-7 relative to the size of the row's terms.
    size = np.abs(c.rhs(0.0, y, p))[rows] + np.abs(expected) + 1e-12
    worst = np.max(np.abs(got - expected) / size)
    assert worst < 1e-6, worst


@pytest.mark.parametrize(
    "expr",
    [
        ("op", "power", (("sym", "x"), ("sym", "y"))),
        ("op", "power", (("num", 2.0), ("op", "times", (("sym", "x"), ("sym", "x"))))),
        ("op", "root", (("num", 3.0), ("op", "plus", (("sym", "x"), ("num", 4.0))))),
        ("op", "log", (("num", 2.0), ("op", "divide", (("sym", "x"), ("sym", "y"))))),
        ("op", "abs", (("op", "minus", (("sym", "x"), ("num", 1.5))),)),
        ("op", "exp", (("op", "minus", (("op", "ln", (("sym", "x"),)),)),)),
        (
            "op",
            "piecewise",
            (
                ("op", "times", (("sym", "x"), ("sym", "y"), ("sym", "x"))),
                ("op", "gt", (("sym", "x"), ("num", 1.0))),
                ("op", "floor", (("sym", "x"),)),
            ),
        ),
    ],
)
def test_symbolic_partial_derivatives_match_differences(expr: Any) -> None:
    from k2lab.calcium._derivative import partial

    x = np.array([0.3, 0.9, 1.2, 2.6])
    y = np.array([1.7, 0.4, 2.2, 0.8])
    names = {"x": "x", "y": "y"}
    value = to_python(expr, names)
    for var in ("x", "y"):
        h = 1e-6
        env_up = {"np": np, "x": x + h * (var == "x"), "y": y + h * (var == "y")}
        env_down = {"np": np, "x": x - h * (var == "x"), "y": y - h * (var == "y")}
        expected = (eval(value, env_up) - eval(value, env_down)) / (2.0 * h)
        got = eval(to_python(partial(expr, var), names), {"np": np, "x": x, "y": y})
        np.testing.assert_allclose(np.broadcast_to(got, x.shape), expected, rtol=1e-6, atol=1e-8)


def test_rodas3_converges_with_order_three() -> None:
    def f(y: np.ndarray) -> np.ndarray:
        return np.stack([-(y[0] ** 2) + np.sin(y[1]), -3.0 * y[1] + y[0]])

    def run(n: int) -> np.ndarray:
        # A huge tolerance makes every step accepted: fixed steps of 1/n.
        solver = Rosenbrock(np.ones((2, 2), dtype=bool), np.ones(2), rtol=0.09)
        solver.atol_factor = 1e12
        solver.__post_init__()
        y = np.array([[1.0], [0.5]])
        for k in range(n):
            y, _, _ = solver.advance(f, y, k / n, (k + 1) / n, 1.0 / n, np.ones(1, dtype=bool))
        return y[:, 0]

    ref = run(2560)
    errors = [np.max(np.abs(run(n) - ref)) for n in (20, 40, 80)]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 2.8), orders


def test_colouring_groups_are_structurally_orthogonal(model: CalciumModel) -> None:
    s = model.compiled.jacobian_sparsity
    for group in colour_columns(s):
        assert np.all(s[:, group].sum(axis=1) <= 1)


def test_population_run_equals_per_person_runs(model: CalciumModel) -> None:
    rng = np.random.default_rng(11)
    days = 30
    intake = rng.uniform(300.0, 1800.0, size=(3, days))
    gfr = rng.uniform(40.0, 120.0, size=(3, 1))
    scenario = CalciumScenario(calcium_intake_mg_per_day=intake, gfr_ml_per_min=gfr)
    together = simulate_calcium(model, scenario, years=days / 365)
    assert together.status == (SimulationStatus.OK,) * 3
    for i in range(3):
        alone = simulate_calcium(
            model,
            CalciumScenario(calcium_intake_mg_per_day=intake[i], gfr_ml_per_min=gfr[i, 0]),
            years=days / 365,
        )
        for name, values in alone.endpoints.items():
            np.testing.assert_allclose(
                together.endpoints[name][i], values[0], rtol=1e-4, err_msg=name
            )


def test_defaults_come_from_the_sbml(model: CalciumModel) -> None:
    assert model.default_calcium_intake_mg_per_day == pytest.approx(24.055 * 40.078)
    assert model.default_gfr_ml_per_min == pytest.approx(100.0)
    assert model.published_teriparatide == TeriparatideRegimen(20.0, 12.0, 24.0, 3)
    # 20 µg of a 4117.8 g/mol peptide is 4857 pmol.
    assert model.teriparatide_depot_pmol(20.0) == pytest.approx(20e6 / 4117.8)


def test_zero_dose_teriparatide_equals_no_teriparatide(model: CalciumModel) -> None:
    none = simulate_calcium(model, years=10 / 365, output_every_h=6.0)
    zero = simulate_calcium(
        model,
        CalciumScenario(teriparatide=TeriparatideRegimen(0.0)),
        years=10 / 365,
        output_every_h=6.0,
    )
    for name, values in none.endpoints.items():
        np.testing.assert_allclose(zero.endpoints[name], values, rtol=1e-6, err_msg=name)


def test_ten_years_for_one_person_is_fast(model: CalciumModel) -> None:
    import time

    simulate_calcium(model, years=1)
    start = time.perf_counter()
    traj = simulate_calcium(model, years=10)
    assert time.perf_counter() - start < 1.0
    assert traj.endpoints["plasma_calcium_mmol_per_l"].shape == (1, 3651)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calcium_intake_mg_per_day": -1.0},
        {"calcium_intake_mg_per_day": float("nan")},
        {"gfr_ml_per_min": 0.0},
        {"calcium_intake_mg_per_day": np.ones((2, 2, 2))},
        {"calcium_intake_mg_per_day": np.ones((2, 1)), "gfr_ml_per_min": np.ones((3, 1))},
        {"calcium_intake_mg_per_day": "lots"},
    ],
)
def test_bad_scenarios_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError):
        CalciumScenario(**kwargs)


def test_bad_run_options_are_refused(model: CalciumModel) -> None:
    with pytest.raises(ScenarioError):
        simulate_calcium(model, years=0)
    with pytest.raises(ScenarioError):
        simulate_calcium(model, years=1, output_every_h=7.0)
    with pytest.raises(ScenarioError, match="2 values but the run needs 365"):
        simulate_calcium(model, CalciumScenario(calcium_intake_mg_per_day=[900.0, 800.0]), years=1)
    with pytest.raises(ScenarioError):
        TeriparatideRegimen(dose_ug=-5.0)


def test_errors_pickle_and_derive_from_the_root() -> None:
    err = pickle.loads(pickle.dumps(ScenarioError("bad")))
    assert isinstance(err, K2LabError) and isinstance(err, ValueError)
    assert str(err) == "bad"


def test_unsupported_mathml_is_an_error(tmp_path: Any) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">'
        '<model id="m"><listOfParameters><parameter id="k" value="1" constant="false"/>'
        '</listOfParameters><listOfRules><assignmentRule variable="k">'
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><apply><sin/><cn>1</cn></apply>'
        "</math></assignmentRule></listOfRules></model></sbml>"
    )
    with pytest.raises(ModelFileError, match="sin"):
        CalciumModel.from_sbml(bad)


def test_piecewise_translation_takes_each_persons_branch() -> None:
    expr = (
        "op",
        "piecewise",
        (("num", 1.0), ("op", "gt", (("sym", "x"), ("num", 0.0))), ("num", -1.0)),
    )
    code = to_python(expr, {"x": "x"})
    out = eval(code, {"np": np, "x": np.array([-2.0, 3.0])})
    assert out.tolist() == [-1.0, 1.0]


def test_sparse_lu_solves_like_a_dense_solver(model: CalciumModel) -> None:
    from k2lab.calcium._sparse_lu import SparseLU

    rng = np.random.default_rng(3)
    lu = SparseLU(model.compiled.jacobian_sparsity)
    people = 5
    values = rng.standard_normal((len(lu.rows), people))
    values[lu.diag_input] += 8.0
    dense = np.zeros((people, lu.n, lu.n))
    dense[:, lu.rows, lu.cols] = values.T
    b = rng.standard_normal((lu.n, people))
    x = lu.solve(lu.factor(values), b)
    assert lu.ok
    expected = np.linalg.solve(dense, b.T[:, :, None])[:, :, 0].T
    np.testing.assert_allclose(x, expected, rtol=1e-10, atol=1e-12)


def test_public_api_is_sorted_and_importable() -> None:
    import k2lab.calcium as calcium

    # isort style, as ruff keeps it: constants first, then the rest, each sorted.
    constants = [n for n in calcium.__all__ if n.isupper()]
    others = [n for n in calcium.__all__ if not n.isupper()]
    assert calcium.__all__ == sorted(constants) + sorted(others)
    for name in calcium.__all__:
        assert hasattr(calcium, name), name


def test_a_run_continued_from_its_last_state_equals_one_long_run() -> None:
    model = CalciumModel.from_sbml()
    scenario = CalciumScenario(calcium_intake_mg_per_day=[[500.0], [1500.0]])
    whole = simulate_calcium(model, scenario, years=2)
    first = simulate_calcium(model, scenario, years=1)
    second = simulate_calcium(model, scenario, years=1, initial_state=first.states[:, -1])
    for name, arr in whole.endpoints.items():
        np.testing.assert_allclose(second.endpoints[name][:, -1], arr[:, -1], rtol=1e-4)
    with pytest.raises(ScenarioError, match="shape"):
        simulate_calcium(model, scenario, years=1, initial_state=first.states[:, -1, :5])


@pytest.mark.parametrize("every", [0.0, 5.0, 25.0])
def test_input_period_must_divide_a_day(every: float) -> None:
    with pytest.raises(ScenarioError, match="input_every_h"):
        simulate_calcium(CalciumModel.from_sbml(), years=0.1, input_every_h=every)
