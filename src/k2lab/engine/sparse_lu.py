"""Batched sparse LU for the small linear systems of the Rosenbrock steps.

Every person's matrix ``I/(h*gamma) - J`` has the same sparsity, so the elimination is planned
once (minimum-degree ordering, symbolic fill-in) and then run for all people together: each
pivot is a handful of numpy operations on arrays of shape (entries, people). There is no
pivoting during the factorisation; the caller checks :attr:`SparseLU.ok` and falls back to a
dense solve if a pivot is tiny or not finite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def _min_degree_order(pattern: NDArray[np.bool_]) -> list[int]:
    sym = pattern | pattern.T
    n = sym.shape[0]
    graph = {i: set(np.flatnonzero(sym[i]).tolist()) - {i} for i in range(n)}
    order: list[int] = []
    while graph:
        node = min(graph, key=lambda v: (len(graph[v]), v))
        neighbours = graph.pop(node)
        for a in neighbours:
            graph[a] |= neighbours - {a}
            graph[a].discard(node)
        order.append(node)
    return order


@dataclass(frozen=True)
class _Pivot:
    diag: int
    lower_rows: IntArray
    lower_idx: IntArray
    upper_cols: IntArray
    upper_idx: IntArray
    target: IntArray
    src_lower: IntArray
    src_upper: IntArray


class SparseLU:
    """Plan for factorising and solving matrices with the pattern ``pattern`` (n × n).

    Values are passed as an array of shape (entries, people) in the order of
    :attr:`rows`/:attr:`cols` (original numbering); the diagonal is always an entry.
    """

    def __init__(self, pattern: NDArray[np.bool_]) -> None:
        n = pattern.shape[0]
        full = pattern | np.eye(n, dtype=bool)
        self.perm = np.array(_min_degree_order(full), dtype=np.intp)
        a = full[np.ix_(self.perm, self.perm)].copy()
        for k in range(n):  # symbolic elimination: fill-in
            lower = np.flatnonzero(a[k + 1 :, k]) + k + 1
            upper = np.flatnonzero(a[k, k + 1 :]) + k + 1
            a[np.ix_(lower, upper)] = True
        rows, cols = np.nonzero(a)
        index = -np.ones((n, n), dtype=np.intp)
        index[rows, cols] = np.arange(len(rows))
        self.n = n
        self.n_entries = len(rows)
        inverse = np.empty(n, dtype=np.intp)
        inverse[self.perm] = np.arange(n)
        # Where each structural entry (original numbering) of the input sits in the plan.
        orig_rows, orig_cols = np.nonzero(full)
        self.rows = orig_rows
        self.cols = orig_cols
        self.input_index = index[inverse[orig_rows], inverse[orig_cols]]
        self.diag_input = np.flatnonzero(orig_rows == orig_cols)
        #: Where the diagonal sits in the plan's layout (original order of the diagonal).
        self.diag_plan = self.input_index[self.diag_input]
        self.pivots: list[_Pivot] = []
        for k in range(n):
            lower = np.flatnonzero(a[k + 1 :, k]) + k + 1
            upper = np.flatnonzero(a[k, k + 1 :]) + k + 1
            li, uj = np.meshgrid(lower, upper, indexing="ij")
            self.pivots.append(
                _Pivot(
                    diag=int(index[k, k]),
                    lower_rows=lower,
                    lower_idx=index[lower, k],
                    upper_cols=upper,
                    upper_idx=index[k, upper],
                    target=index[li, uj].ravel(),
                    src_lower=index[li, k].ravel(),
                    src_upper=index[k, uj].ravel(),
                )
            )
        self.ok = True
        self._diag = np.array([p.diag for p in self.pivots], dtype=np.intp)
        self._factor_code, self._solve_code = self._generate()

    def _generate(self) -> tuple[Any, Any]:
        """Straight-line Python for the factorisation and the solve (one line per update)."""
        f = ["def factor(lu):"]
        for p in self.pivots:
            if len(p.lower_idx):
                f.append(f"    piv = lu[{p.diag}]")
                for e in p.lower_idx.tolist():
                    f.append(f"    lu[{e}] /= piv")
                for t, a, b in zip(
                    p.target.tolist(), p.src_lower.tolist(), p.src_upper.tolist(), strict=True
                ):
                    f.append(f"    lu[{t}] -= lu[{a}] * lu[{b}]")
        f.append("    return lu")
        # The solve works on the right-hand side in the original numbering (no permuting).
        o = self.perm.tolist()
        g = ["def solve(lu, x):"]
        for k, p in enumerate(self.pivots):
            for r, e in zip(p.lower_rows.tolist(), p.lower_idx.tolist(), strict=True):
                g.append(f"    x[{o[r]}] -= lu[{e}] * x[{o[k]}]")
        for k in range(self.n - 1, -1, -1):
            p = self.pivots[k]
            for c, e in zip(p.upper_cols.tolist(), p.upper_idx.tolist(), strict=True):
                g.append(f"    x[{o[k]}] -= lu[{e}] * x[{o[c]}]")
            g.append(f"    x[{o[k]}] /= lu[{p.diag}]")
        g.append("    return x")
        namespace: dict[str, Any] = {}
        exec(compile("\n".join([*f, "", *g]) + "\n", "<k2lab sparse lu>", "exec"), namespace)
        return namespace["factor"], namespace["solve"]

    def scatter(self, values: FloatArray) -> FloatArray:
        """Matrices given by ``values`` (entries in :attr:`rows`/:attr:`cols`) in the plan's
        layout, fill-in entries zero: the input of :meth:`factor_in_place`."""
        lu = np.zeros((self.n_entries, values.shape[1]))
        lu[self.input_index] = values
        return lu

    def factor_in_place(self, lu: FloatArray) -> list[FloatArray]:
        """Factorise ``lu`` (plan layout, see :meth:`scatter`) in place; sets :attr:`ok`.

        Returns the rows of the factors, the input of :meth:`solve_rows`.
        """
        rows = list(lu)
        # The generated code updates the rows (views of ``lu``) in place.
        self._factor_code(rows)
        pivots = np.abs(lu[self._diag])
        # NaN fails both comparisons; a non-finite entry elsewhere reaches a later pivot or
        # the solution, which the caller checks.
        self.ok = bool(np.all((pivots > 1e-200) & (pivots < np.inf)))
        return rows

    def solve_rows(self, rows: list[FloatArray], b: FloatArray) -> FloatArray:
        """Solve with the factor rows from :meth:`factor_in_place`; ``b`` is (n, people)."""
        x = b.copy()
        self._solve_code(rows, list(x))  # in place on the rows of x
        return x

    def factor(self, values: FloatArray) -> FloatArray:
        """LU factors of matrices given by ``values`` (entries in :attr:`rows`/:attr:`cols`)."""
        lu = self.scatter(values)
        self.factor_in_place(lu)
        return lu

    def solve(self, lu: FloatArray, b: FloatArray) -> FloatArray:
        """Solve with factors from :meth:`factor`; ``b`` has shape (n, people)."""
        return self.solve_rows(list(lu), b)
