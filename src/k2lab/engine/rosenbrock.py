"""A Rosenbrock integrator that steps many people at once with one shared step size.

The method is RODAS3 (Sandu et al. 1997, Atmos. Environ. 31:3459): four stages, order 3,
L-stable and stiffly accurate, with an embedded order-2 solution for error control. Each
step needs the Jacobian of every person: the model's generated analytic Jacobian when the
caller passes one, else forward differences with the model's structural sparsity,
perturbing structurally independent species together (column colouring), so one batched
right-hand-side call gives all columns. The linear systems are small (one per person) and
are solved by a batched sparse LU (dense inverses for a few people).

The step is shared by all people: its error is the largest scaled RMS error over people.
People whose state turns non-finite are marked failed and frozen so the others continue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from k2lab.engine.crossing import first_change, hermite
from k2lab.engine.sparse_lu import SparseLU
from k2lab.errors import SolverError

FloatArray = NDArray[np.float64]
Rhs = Callable[[FloatArray], FloatArray]
#: Jacobian entries at ``np.nonzero(sparsity)`` (row-major) for states (species, people).
JacobianFn = Callable[[FloatArray], FloatArray]

# RODAS3 in the form (I/(h*gamma) - J) K_i = f(y + sum_j A_ij K_j) + sum_j C_ij/h K_j.
_GAMMA = 0.5
# The step below uses the coefficients' structure: a41 = a31, c41 = c31 = 1, c42 = c32 = -1,
# and (stiffly accurate) the new state is the fourth stage's point plus k4.
_A31, _A41, _A43 = 2.0, 2.0, 1.0
_C21, _C31, _C32, _C41, _C42, _C43 = 4.0, 1.0, -1.0, 1.0, -1.0, -8.0 / 3.0
#: Up to this many people the linear systems are solved densely.
_DENSE_UP_TO = 16
_EPS_SQRT = float(np.sqrt(np.finfo(float).eps))


def colour_columns(sparsity: NDArray[np.bool_]) -> list[list[int]]:
    """Group Jacobian columns that share no non-zero row (greedy colouring).

    Example
    -------
    >>> colour_columns(np.eye(3, dtype=bool))
    [[0, 1, 2]]
    """
    groups: list[list[int]] = []
    rows_used: list[NDArray[np.bool_]] = []
    for j in range(sparsity.shape[1]):
        col = sparsity[:, j]
        for g, used in zip(groups, rows_used, strict=True):
            if not np.any(used & col):
                g.append(j)
                used |= col
                break
        else:
            groups.append([j])
            rows_used.append(col.copy())
    return groups


@dataclass
class SolverStats:
    """Counts of what the integrator did."""

    steps: int = 0
    rejected: int = 0
    rhs_calls: int = 0
    jacobians: int = 0


@dataclass
class Rosenbrock:
    """Batched RODAS3 stepper for ``dy/dt = f(y)`` with ``y`` of shape (species, people).

    Parameters
    ----------
    sparsity
        Structural Jacobian pattern, ``sparsity[i, j]`` when ``f_i`` depends on ``y_j``.
    scale
        Typical magnitude of each species; sets absolute tolerances and difference steps.
    rtol
        Relative tolerance of the local error.
    atol_factor
        Absolute tolerance as a fraction of ``rtol * scale``.
    """

    sparsity: NDArray[np.bool_]
    scale: FloatArray
    rtol: float = 1e-6
    atol_factor: float = 1e-3
    max_steps: int = 1_000_000
    jacobian_age: int = 1
    stats: SolverStats = field(default_factory=SolverStats)

    def __post_init__(self) -> None:
        self._groups = colour_columns(self.sparsity)
        n = self.sparsity.shape[0]
        self._group_of = np.zeros(n, dtype=int)
        for g, cols in enumerate(self._groups):
            self._group_of[cols] = g
        self._atol = self.atol_factor * self.rtol * self.scale
        self.lu = SparseLU(self.sparsity)
        #: The step the controller proposed after the first accepted step of the last
        #: :meth:`advance`: a start for the next interval when it begins like this one did
        #: (right after a change of input). ``None`` before any step.
        self.restart_step: float | None = None
        # Which of the plan's entries are structural (the rest are diagonal fill: zero).
        self._structural = self.sparsity[self.lu.rows, self.lu.cols]
        # Where the structural entries (row-major) sit in the LU's layout.
        self._plan_structural = self.lu.input_index[self._structural]
        self._plan_buffer = np.zeros((self.lu.n_entries, 0))
        #: Where the last :meth:`advance` stopped (see its ``stop_when``).
        self.stopped_at = 0.0

    def jacobian(
        self, f: Rhs, y: FloatArray, f0: FloatArray, dfdy: JacobianFn | None = None
    ) -> FloatArray:
        """Jacobian entries at :attr:`lu` ``.rows/.cols``, (entries, people).

        From ``dfdy`` (analytic entries at the structural pattern) when given, else from
        forward differences of ``f``.
        """
        if dfdy is not None:
            self.stats.jacobians += 1
            out = np.zeros((len(self.lu.rows), y.shape[1]))
            out[self._structural] = dfdy(y)
            return out
        delta = _EPS_SQRT * np.maximum(np.abs(y), self.scale[:, None])
        ybig = np.repeat(y[:, None, :], len(self._groups), axis=1)
        for g, cols in enumerate(self._groups):
            ybig[cols, g, :] += delta[cols, :]
        fbig = f(ybig)  # (species, groups, people)
        self.stats.rhs_calls += 1
        self.stats.jacobians += 1
        r_idx, c_idx = self.lu.rows, self.lu.cols
        jac = (fbig[r_idx, self._group_of[c_idx], :] - f0[r_idx]) / delta[c_idx]
        jac[~self.sparsity[r_idx, c_idx]] = 0.0
        return jac

    def _plan(self, values: FloatArray) -> FloatArray:
        """Analytic entries ``values`` placed in the LU's layout (a buffer kept between calls;
        its fill-in entries stay zero)."""
        if self._plan_buffer.shape[1] != values.shape[1]:
            self._plan_buffer = np.zeros((self.lu.n_entries, values.shape[1]))
        self._plan_buffer[self._plan_structural] = values
        return self._plan_buffer

    def _sparse_solver(self, rows: list[FloatArray]) -> Callable[[FloatArray], FloatArray]:
        def solve(b: FloatArray) -> FloatArray:
            return self.lu.solve_rows(rows, b)

        return solve

    def _dense_solver(self, jac: FloatArray, h: float) -> Callable[[FloatArray], FloatArray]:
        n, people = self.sparsity.shape[0], jac.shape[1]
        g = np.zeros((people, n, n))
        g[:, self.lu.rows, self.lu.cols] = -_nan_to_zero(jac).T
        g[:, np.arange(n), np.arange(n)] += 1.0 / (_GAMMA * h)
        try:
            ginv = np.linalg.inv(g)
        except np.linalg.LinAlgError:
            ginv = np.linalg.pinv(g)

        def solve(b: FloatArray) -> FloatArray:
            out: FloatArray = np.matmul(ginv, b.T[:, :, None])[:, :, 0].T
            return out

        return solve

    def advance(
        self,
        f: Rhs,
        y: FloatArray,
        t0: float,
        t1: float,
        h: float,
        alive: NDArray[np.bool_],
        out_times: Sequence[float] = (),
        dfdy: JacobianFn | None = None,
        watch: Callable[[float, FloatArray], FloatArray] | None = None,
    ) -> tuple[FloatArray, float, list[FloatArray]]:
        """Integrate from ``t0`` to ``t1`` (hours).

        Returns the state at ``t1``, the next step size and the states at ``out_times``
        (sorted, within ``(t0, t1]``), interpolated by cubic Hermite polynomials within steps.
        ``alive`` is updated in place: people whose state becomes non-finite are dropped.
        ``dfdy`` gives analytic Jacobian entries (see :meth:`jacobian`).

        ``watch(t, y)`` (values whose signs decide events' triggers) ends the integration
        early: when a sign at the end of a step differs from its sign at ``t0``, the first
        time it changes is found on the step's interpolant (Illinois' method, bisection
        for jumps), the step is redone to end there, and the integration stops;
        :attr:`stopped_at` is where it stopped (``t1`` when it did not), and only the
        outputs up to there are returned.
        """
        self.stopped_at = end = t1
        ref = None if watch is None else np.sign(watch(t0, y))
        cut, cuts = False, 0
        t = t0
        h = min(h, t1 - t0)
        outs: list[FloatArray] = []
        pending = [s for s in out_times if t0 < s <= t1]
        f0: FloatArray | None = None
        jac: FloatArray | None = None  # at the LU's rows/cols; made when needed
        values: FloatArray | None = None  # dfdy's entries at the structural pattern
        j_plan: FloatArray | None = None  # J in the sparse LU's layout
        g: FloatArray | None = None
        sparse = y.shape[1] > _DENSE_UP_TO
        first_step = self.stats.steps + 1
        stale = True
        age = 0
        abs_y = np.abs(y)
        all_alive = bool(np.all(alive))
        while t1 - t > 1e-12 * max(1.0, abs(t1)):
            if self.stats.steps + self.stats.rejected >= self.max_steps:
                raise SolverError(
                    f"The solver took more than {self.max_steps} steps before t = {t1:g} h; "
                    "loosen rtol or check the inputs for extreme values."
                )
            last = h >= t1 - t
            if last:
                h = t1 - t
            if f0 is None:
                f0 = f(y)
                self.stats.rhs_calls += 1
            if stale or age >= self.jacobian_age:
                jac = values = None
                if dfdy is not None and sparse:
                    values = dfdy(y)
                    self.stats.jacobians += 1
                    j_plan = self._plan(values)
                else:
                    jac = self.jacobian(f, y, f0, dfdy)
                    j_plan = self.lu.scatter(jac) if sparse else None
                stale = False
                age = 0
            age += 1
            with np.errstate(all="ignore"):
                if j_plan is None:
                    # Few people: one dense inverse costs less than the sparse plan's loop.
                    assert jac is not None
                    solve = self._dense_solver(jac, h)
                else:
                    if g is None or g.shape != j_plan.shape:
                        # One buffer for the factors of every step (a fresh megabyte per step
                        # makes the allocator return and re-fault memory).
                        g = np.empty_like(j_plan)
                    np.negative(j_plan, out=g)
                    g[self.lu.diag_plan] += 1.0 / (_GAMMA * h)
                    rows = self.lu.factor_in_place(g)
                    if self.lu.ok:
                        solve = self._sparse_solver(rows)
                    else:
                        # A tiny pivot: fall back to a dense pseudo-inverse for this step.
                        if jac is None:
                            jac = np.zeros((len(self.lu.rows), y.shape[1]))
                            jac[self._structural] = values
                        solve = self._dense_solver(jac, h)

                k1 = solve(f0)
                k2 = solve(f0 + (_C21 / h) * k1)
                y3 = y + _A31 * k1
                f3 = f(y3)
                c12 = k1 - k2  # c31 k1 + c32 k2 (= c41 k1 + c42 k2)
                k3 = solve(f3 + c12 * (1.0 / h))
                y4 = y3 + k3  # y + a41 k1 + a43 k3
                f4 = f(y4)
                k4 = solve(f4 + (c12 + _C43 * k3) * (1.0 / h))
                self.stats.rhs_calls += 2
                ynew = y4 + k4
                abs_new = np.abs(ynew)
                sc = np.maximum(abs_y, abs_new)
                sc *= self.rtol
                sc += self._atol[:, None]
                q = k4 / sc
                err_person = np.sqrt(np.einsum("ij,ij->j", q, q) / q.shape[0])
                finite = np.isfinite(err_person) & np.isfinite(np.sum(ynew, axis=0))
            bad = ~finite
            if np.any(bad & alive) and h > 1e-6:
                # Retry with a smaller step before giving up on anyone.
                self.stats.rejected += 1
                h *= 0.25
                continue
            if np.any(bad):
                alive &= ~bad
                all_alive = False
            err = float(np.max(err_person[alive], initial=0.0))
            if err > 1.0:
                self.stats.rejected += 1
                h = h * max(0.2, 0.9 * err ** (-1.0 / 3.0))
                # A rejected step needs a Jacobian at its state: keep it if it was just made
                # there (the state has not moved), else make a new one.
                if age > 1:
                    stale = True
                else:
                    age = 0
                continue
            tnew = t1 if last else t + h
            if not all_alive:
                ynew = np.where(alive[None, :], ynew, y)
                abs_new = np.abs(ynew)
            f1: FloatArray | None = None
            if watch is not None and ref is not None:
                changed = np.sign(watch(tnew, ynew)) != ref
                hit = bool(np.any(changed))
                if hit and not cut and cuts < 8:
                    f1 = f(ynew)
                    ts = first_change(
                        watch, ref, np.flatnonzero(changed), (y, f0, ynew, f1, t, tnew)
                    )
                    # No shorter step than the loop below can take.
                    ts = max(ts, t + 4e-12 * max(1.0, abs(t)))
                    if ts < tnew:
                        # Redo the step to end where the first sign changes.
                        t1, h, cut = ts, ts - t, True
                        self.stats.rejected += 1
                        continue
                if hit:
                    t1 = tnew
                elif cut:
                    # The interpolant crossed a little early: go on; the next step finds it.
                    t1, cut, cuts = end, False, cuts + 1
            self.stopped_at = t1
            self.stats.steps += 1
            while pending and pending[0] <= tnew:
                s = pending.pop(0)
                if s >= tnew:
                    outs.append(ynew)
                    continue
                if f1 is None:
                    f1 = f(ynew)
                    self.stats.rhs_calls += 1
                outs.append(hermite(y, f0, ynew, f1, t, tnew, s))
            t, y, f0, abs_y = tnew, ynew, f1, abs_new
            factor = 0.9 * err ** (-1.0 / 3.0) if err > 0.0 else 5.0
            h = h * min(5.0, max(0.2, factor))
            if self.stats.steps == first_step:
                self.restart_step = h
        return y, h, outs


def _nan_to_zero(a: FloatArray) -> FloatArray:
    return np.where(np.isfinite(a), a, 0.0)
