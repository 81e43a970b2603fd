"""A backend-neutral MILP (sparse rows, bounds, integrality) and its two solvers.

The planner builds one :class:`Milp`; :func:`solve_milp` hands the very same model to
HiGHS (through ``highspy``, the default) or to CBC (through PuLP, used by the
benchmark). Rows are ``row_lo ≤ A x ≤ row_hi``; the objective is minimised.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from k2lab.errors import K2LabError
from k2lab.vocab import PLAN_BACKENDS

INF = float("inf")
#: Relative optimality gap at which a plan counts as optimal (0.1 %).
MIP_REL_GAP = 1e-3


class SolveStatus(StrEnum):
    """Outcome of one MILP solve."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass
class Milp:
    """Minimise ``cost @ x`` subject to rows and column bounds; some columns integer."""

    col_names: list[str] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    col_lo: list[float] = field(default_factory=list)
    col_hi: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    a_row: list[int] = field(default_factory=list)
    a_col: list[int] = field(default_factory=list)
    a_val: list[float] = field(default_factory=list)

    def add_col(
        self, name: str, cost: float, lo: float, hi: float, *, integer: bool = False
    ) -> int:
        """Add a column; returns its index."""
        self.col_names.append(name)
        self.cost.append(cost)
        self.col_lo.append(lo)
        self.col_hi.append(hi)
        self.integer.append(integer)
        return len(self.col_names) - 1

    def add_row(self, name: str, terms: dict[int, float], lo: float, hi: float) -> int:
        """Add ``lo ≤ Σ coef·x[col] ≤ hi``; returns the row index."""
        r = len(self.row_names)
        self.row_names.append(name)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        for col, val in terms.items():
            if val != 0.0:
                self.a_row.append(r)
                self.a_col.append(col)
                self.a_val.append(val)
        return r

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return len(self.row_names), len(self.col_names)


@dataclass(frozen=True)
class MilpResult:
    """Status, column values (empty unless a solution exists), objective and seconds."""

    status: SolveStatus
    x: NDArray[np.float64]
    objective: float
    seconds: float
    backend: str
    gap: float = float("nan")  # relative MIP gap at the end (nan when unknown)


@contextlib.contextmanager
def _quiet_fd1() -> Iterator[None]:
    # HiGHS prints a banner from C++ to file descriptor 1, which would break --json output.
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _solve_highs(m: Milp, time_limit_s: float, gap: float, abs_gap: float) -> MilpResult:
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - highspy is a dependency
        raise K2LabError("The planner needs HiGHS: pip install highspy") from exc
    n_rows, n_cols = m.shape
    order = np.lexsort((np.asarray(m.a_row), np.asarray(m.a_col)))
    cols = np.asarray(m.a_col, dtype=np.int64)[order]
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = np.asarray(m.cost, dtype=float)
    lp.col_lower_ = np.asarray(m.col_lo, dtype=float)
    lp.col_upper_ = np.where(np.isinf(m.col_hi), highspy.kHighsInf, m.col_hi).astype(float)
    lp.row_lower_ = np.where(np.isinf(m.row_lo), -highspy.kHighsInf, m.row_lo).astype(float)
    lp.row_upper_ = np.where(np.isinf(m.row_hi), highspy.kHighsInf, m.row_hi).astype(float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(cols, np.arange(n_cols + 1)).astype(np.int32)
    lp.a_matrix_.index_ = np.asarray(m.a_row, dtype=np.int32)[order]
    lp.a_matrix_.value_ = np.asarray(m.a_val, dtype=float)[order]
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in m.integer
    ]
    start = time.perf_counter()
    with _quiet_fd1():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(time_limit_s))
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("mip_abs_gap", abs_gap)
        h.passModel(lp)
        h.run()
    seconds = time.perf_counter() - start
    status = h.getModelStatus()
    ms = highspy.HighsModelStatus
    has_solution = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=float) if has_solution else np.zeros(0)
    if status == ms.kOptimal:
        result = SolveStatus.OPTIMAL
    elif status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        result, x = SolveStatus.INFEASIBLE, np.zeros(0)
    elif status == ms.kTimeLimit:
        result = SolveStatus.TIME_LIMIT
    else:
        result = SolveStatus.ERROR
    info = h.getInfo()
    objective = float(info.objective_function_value) if len(x) else float("nan")
    gap = float(info.mip_gap) if len(x) and any(m.integer) else float("nan")
    return MilpResult(result, x, objective, seconds, "highs", gap)


def _cbc_gap(log: Path, objective: float) -> float:
    """Relative gap from CBC's log: its last lower bound ('Lower bound:' at a stop, else
    'best possible' during the search); 0 when the search completed; else nan."""
    text = log.read_text(errors="replace") if log.is_file() else ""
    bound = re.findall(r"Lower bound:\s*(-?[\d.eE+-]+)", text) or re.findall(
        r"best possible (-?[\d.eE+-]+)", text
    )
    if not math.isfinite(objective):
        return float("nan")
    if bound:
        return abs(objective - float(bound[-1])) / max(abs(objective), 1e-9)
    return 0.0 if "Search completed" in text else float("nan")


def _solve_pulp(m: Milp, time_limit_s: float, gap: float, abs_gap: float) -> MilpResult:
    try:
        import pulp
    except ImportError as exc:
        raise K2LabError("The 'cbc' backend needs PuLP: pip install pulp") from exc
    start = time.perf_counter()
    prob = pulp.LpProblem("k2lab_plan", pulp.LpMinimize)
    xs = [
        prob.add_variable(
            f"c{j}",
            lowBound=m.col_lo[j],
            upBound=None if np.isinf(m.col_hi[j]) else m.col_hi[j],
            cat="Integer" if m.integer[j] else "Continuous",
        )
        for j in range(len(m.col_names))
    ]
    prob += pulp.lpSum(c * xs[j] for j, c in enumerate(m.cost) if c != 0.0)
    rows: list[list[tuple[int, float]]] = [[] for _ in m.row_names]
    for r, j, v in zip(m.a_row, m.a_col, m.a_val, strict=True):
        rows[r].append((j, v))
    for r, terms in enumerate(rows):
        expr = pulp.LpAffineExpression([(xs[j], v) for j, v in terms])
        lo, hi = m.row_lo[r], m.row_hi[r]
        if lo == hi:
            prob += expr == lo, f"r{r}"
            continue
        if not np.isinf(lo):
            prob += expr >= lo, f"r{r}_lo"
        if not np.isinf(hi):
            prob += expr <= hi, f"r{r}_hi"
    with warnings.catch_warnings():
        # PuLP 3.3 deprecates its bundled CBC in favour of a separate install (PuLP 4.0);
        # the bundled binary is what the benchmark uses.
        warnings.simplefilter("ignore", DeprecationWarning)
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "cbc.log"
            solver = pulp.PULP_CBC_CMD(
                msg=False, timeLimit=time_limit_s, gapRel=gap, gapAbs=abs_gap, logPath=str(log)
            )
            prob.solve(solver)
            objective = float(pulp.value(prob.objective) or 0.0)
            cbc_gap = _cbc_gap(log, objective)
    seconds = time.perf_counter() - start
    status_text = pulp.LpStatus[prob.status]
    if status_text == "Optimal":
        x = np.array([v.value() or 0.0 for v in xs], dtype=float)
        # CBC stopped by the time limit with an integer solution reports 'Optimal' as the
        # problem status and 'Solution Found' (not optimal) as the solution status.
        status = (
            SolveStatus.OPTIMAL
            if prob.sol_status == pulp.LpSolutionOptimal
            else SolveStatus.TIME_LIMIT
        )
        return MilpResult(status, x, objective, seconds, "cbc", cbc_gap)
    if status_text == "Infeasible":
        return MilpResult(SolveStatus.INFEASIBLE, np.zeros(0), float("nan"), seconds, "cbc")
    if status_text == "Not Solved":
        return MilpResult(SolveStatus.TIME_LIMIT, np.zeros(0), float("nan"), seconds, "cbc")
    return MilpResult(SolveStatus.ERROR, np.zeros(0), float("nan"), seconds, "cbc")


BACKENDS = PLAN_BACKENDS


def solve_milp(
    m: Milp,
    backend: str = "highs",
    *,
    time_limit_s: float = 60.0,
    gap: float = MIP_REL_GAP,
    abs_gap: float = 1e-6,
) -> MilpResult:
    """Solve ``m`` with ``backend`` ('highs' via highspy, or 'cbc' via PuLP).

    It stops at a relative gap ``gap`` or an absolute gap ``abs_gap`` (objective units).
    """
    if backend == "highs":
        return _solve_highs(m, time_limit_s, gap, abs_gap)
    if backend == "cbc":
        return _solve_pulp(m, time_limit_s, gap, abs_gap)
    raise K2LabError(f"Unknown MILP backend '{backend}'. Use one of: {', '.join(BACKENDS)}.")


__all__ = ["BACKENDS", "INF", "Milp", "MilpResult", "SolveStatus", "solve_milp"]
