"""The engine's parts: code generation, analytic Jacobian, solver order, sparse LU, errors.

The fixtures compile the shipped Peterson & Riggs SBML with the engine alone
(``tests/engine/conftest.py``); nothing here goes through :mod:`k2lab.calcium`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from k2lab.engine import CompiledModel, read_sbml
from k2lab.engine.derivative import partial
from k2lab.engine.mathml import to_python
from k2lab.engine.rosenbrock import Rosenbrock, colour_columns
from k2lab.engine.sparse_lu import SparseLU
from k2lab.errors import ModelFileError


def test_generated_rhs_equals_roadrunner_rates_at_a_random_state(
    compiled: CompiledModel, runner: Any
) -> None:
    rng = np.random.default_rng(7)
    params, y0 = compiled.initial_values({})
    p = compiled.parameters(params)
    y = y0 * (1.0 + 0.2 * rng.standard_normal(y0.shape))
    y[compiled.species.index("TERISC")] = 150.0
    runner.resetAll()
    assert list(runner.model.getFloatingSpeciesIds()) == list(compiled.species)
    for sid, value in zip(compiled.species, y, strict=True):
        runner.model[f"[{sid}]"] = float(value)
    expected = np.asarray(runner.model.getFloatingSpeciesConcentrationRates())
    got = compiled.rhs(0.0, y, p)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


def test_structural_sparsity_covers_the_finite_difference_jacobian(compiled: CompiledModel) -> None:
    params, y0 = compiled.initial_values({})
    p = compiled.parameters(params)
    f0 = compiled.rhs(0.0, y0, p)
    for j in range(compiled.n_species):
        y = y0.copy()
        y[j] += 1e-4 * max(abs(y[j]), 1.0)
        changed = compiled.rhs(0.0, y, p) != f0
        assert not np.any(changed & ~compiled.jacobian_sparsity[:, j]), compiled.species[j]


def test_analytic_jacobian_equals_central_differences_at_random_states(
    compiled: CompiledModel,
) -> None:
    rng = np.random.default_rng(5)
    c = compiled
    params, y0 = compiled.initial_values({"GFR": np.array([3.0, 6.0, 7.5])})
    p = c.parameters(params)
    y = y0.reshape(-1, 1) * (1.0 + 0.2 * rng.standard_normal((compiled.n_species, 3)))
    y[compiled.species.index("TERISC")] = rng.uniform(0.0, 5000.0, size=3)
    rows, cols = np.nonzero(c.jacobian_sparsity)
    got = c.jacobian(0.0, y, p)
    assert got.shape == (len(rows), 3)
    expected = np.empty_like(got)
    for j in range(compiled.n_species):
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


def test_colouring_groups_are_structurally_orthogonal(compiled: CompiledModel) -> None:
    s = compiled.jacobian_sparsity
    for group in colour_columns(s):
        assert np.all(s[:, group].sum(axis=1) <= 1)


def test_unsupported_mathml_is_an_error(tmp_path: Any) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">'
        '<model id="m"><listOfParameters><parameter id="k" value="1" constant="false"/>'
        '</listOfParameters><listOfRules><assignmentRule variable="k">'
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><apply><diff/><cn>1</cn></apply>'
        "</math></assignmentRule></listOfRules></model></sbml>"
    )
    with pytest.raises(ModelFileError, match="diff"):
        read_sbml(bad)


def test_piecewise_translation_takes_each_persons_branch() -> None:
    expr = (
        "op",
        "piecewise",
        (("num", 1.0), ("op", "gt", (("sym", "x"), ("num", 0.0))), ("num", -1.0)),
    )
    code = to_python(expr, {"x": "x"})
    out = eval(code, {"np": np, "x": np.array([-2.0, 3.0])})
    assert out.tolist() == [-1.0, 1.0]


def test_sparse_lu_solves_like_a_dense_solver(compiled: CompiledModel) -> None:
    rng = np.random.default_rng(3)
    lu = SparseLU(compiled.jacobian_sparsity)
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
