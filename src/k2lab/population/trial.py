"""Run a virtual trial (:func:`run_trial`) or many (:func:`power_curve`).

A replicate is one virtual trial: one draw of the population parameters (uncertainty;
replicate 0 uses the central values) and fresh people (covariates, BSV, dropout and
measurement error from each person's own stream). People are simulated in chunks on a
backend (:mod:`k2lab.population.backends`); only the visit values come back.

Power curves are :mod:`k2lab.population.power`.

Example
-------
>>> from k2lab.population.spec import spec_from_dict
>>> spec = spec_from_dict({"trial": {"visits_weeks": [0, 12]},
...     "arms": [{"name": "placebo", "n": 8}, {"name": "MK-7", "n": 8,
...              "regimens": ["MK-7 180 ug daily"]}],
...     "endpoints": [{"name": "dp_ucMGP_pmol_per_L"}]})
>>> r = run_trial(spec)
>>> e = r.effects[0]
>>> e.difference.estimate < -15 and e.difference.p_value < 0.05
True
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from k2lab import checks
from k2lab.calcium.params import calcium_parameters
from k2lab.errors import ScenarioError
from k2lab.physiology.params import ParameterSet, default_parameters
from k2lab.population.analysis import (
    ArmSummary,
    Difference,
    ancova,
    baselines,
    changes,
    difference,
    summarise,
)
from k2lab.population.backends import Backend, LocalBackend
from k2lab.population.endpoints import TRIAL_ENDPOINTS, person_endpoints
from k2lab.population.people import draw_person, person_rng
from k2lab.population.spec import TrialSpec
from k2lab.population.variability import BSV, individual_parameters, observe

__all__ = [
    "BASELINE_FIELDS",
    "Effect",
    "TrialResult",
    "effects",
    "replicate_parameters",
    "run_trial",
    "simulate",
    "simulate_chunk",
    "spec_digest",
]

FloatArray = NDArray[np.float64]
#: Baseline characteristics kept per person (for the baseline table).
BASELINE_FIELDS = ("age", "egfr_ml_per_min", "calcium_food_mg_per_day", "calcification_au")
DEFAULT_CHUNK = 200


@cache
def replicate_parameters(seed: int, replicate: int) -> tuple[ParameterSet, ParameterSet]:
    """Population values (physiology, calcium extensions) of one replicate: central for
    replicate 0, else one draw of the parameter uncertainty."""
    if replicate == 0:
        return default_parameters(), calcium_parameters()
    s = np.random.SeedSequence([seed, replicate]).generate_state(2)
    return (
        default_parameters().sample(2, int(s[0]))[1],
        calcium_parameters().sample(2, int(s[1]))[1],
    )


def simulate_chunk(
    spec: TrialSpec, replicate: int, arm: int, start: int, stop: int
) -> tuple[FloatArray, FloatArray]:
    """People ``start``..``stop - 1`` of ``arm``: observed values (people, visits,
    endpoints of the spec; NaN after dropout) and baseline fields (people, 4)."""
    phys, cal = replicate_parameters(spec.seed, replicate)
    regimens = spec.arms[arm].regimens
    days = np.asarray(spec.visit_days, dtype=float)
    names = [e.name for e in spec.endpoints]
    rate = -math.log(1.0 - spec.dropout_percent_per_year / 100.0) / 365.25
    core = spec.runs_core(arm)
    obs = np.empty((stop - start, len(days), len(names)))
    base = np.empty((stop - start, len(BASELINE_FIELDS)))
    for k, i in enumerate(range(start, stop)):
        rng = person_rng(spec.seed, replicate, arm, i)
        person = draw_person(spec.population, rng)
        z = rng.standard_normal(len(BSV))
        u = rng.random()
        leaves_day = -math.log(u) / rate if rate > 0 and u > 0 else math.inf
        pop, bone = person.vitamin_k_population, person.bone_scope
        values = person_endpoints(
            person,
            regimens,
            individual_parameters(phys, z, population=pop, bone_scope=bone),
            individual_parameters(cal, z, population=pop, bone_scope=bone),
            spec.visit_days,
            core=core,
        )
        # Core endpoints come last in TRIAL_ENDPOINTS: vitamin K arms keep their streams.
        measured = {n: observe(n, values[n], rng) for n in TRIAL_ENDPOINTS if n in values}
        for j, n in enumerate(names):
            obs[k, :, j] = np.where(days <= leaves_day, measured[n], np.nan)
        base[k] = [
            math.nan if getattr(person, f) is None else float(getattr(person, f))
            for f in BASELINE_FIELDS
        ]
    return obs, base


def _tasks(spec: TrialSpec, replicates: Sequence[int], chunk: int) -> list[tuple[Any, ...]]:
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ScenarioError(f"chunk must be a whole number ≥ 1, not {chunk!r}.", field="chunk")
    return [
        (spec, r, a, s, min(s + chunk, arm.n))
        for r in replicates
        for a, arm in enumerate(spec.arms)
        for s in range(0, arm.n, chunk)
    ]


def spec_digest(spec: TrialSpec) -> str:
    """A short hash of everything that sets the numbers (names stored chunks)."""
    text = json.dumps(spec.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _chunk_path(store: Path, digest: str, task: tuple[Any, ...]) -> Path:
    _, r, a, start, stop = task
    return store / f"{digest}-r{r}-a{a}-{start}-{stop}.npz"


def _load(path: Path) -> tuple[FloatArray, FloatArray] | None:
    try:
        with np.load(path) as z:
            return np.asarray(z["observed"]), np.asarray(z["baseline"])
    except (OSError, KeyError, ValueError):
        return None  # absent or cut off by an interruption: simulate again


def _save(path: Path, result: tuple[FloatArray, FloatArray]) -> None:
    tmp = path.with_suffix(".tmp.npz")
    try:
        np.savez(tmp, observed=result[0], baseline=result[1])
        tmp.replace(path)
    except OSError as exc:
        raise ScenarioError(
            f"Cannot store a chunk in {path.parent}: {exc.strerror}.", field="store"
        ) from None


def simulate(
    spec: TrialSpec,
    replicates: Sequence[int],
    backend: Backend | None,
    chunk: int,
    progress: Callable[[int, int], None] | None,
    store: Path | None = None,
) -> dict[tuple[int, int], tuple[FloatArray, FloatArray]]:
    """Every person of every arm in each replicate, in chunks of ``chunk`` on ``backend``:
    ``(replicate, arm index) -> (observed, baseline)`` as :func:`simulate_chunk` gives.

    With ``store`` (a folder), each finished chunk is written there as it comes back and
    chunks already there for the same spec are read instead of simulated, so an
    interrupted run resumes where it stopped.
    """
    bad = [r for r in replicates if isinstance(r, bool) or not isinstance(r, int) or r < 0]
    if bad:
        raise ScenarioError(
            f"replicate must be a whole number ≥ 0, not {bad[0]!r}.", field="replicate"
        )
    tasks = _tasks(spec, replicates, chunk)
    results: list[tuple[FloatArray, FloatArray] | None] = [None] * len(tasks)
    digest = spec_digest(spec)
    if store is not None:
        try:
            store.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScenarioError(
                f"Cannot create the store {store}: {exc.strerror}.", field="store"
            ) from None
        results = [_load(_chunk_path(store, digest, t)) for t in tasks]
    todo = [i for i, r in enumerate(results) if r is None]
    done = [len(tasks) - len(todo)]

    def on_done(k: int, result: tuple[FloatArray, FloatArray]) -> None:
        if store is not None:
            _save(_chunk_path(store, digest, tasks[todo[k]]), result)
        done[0] += 1
        if progress:
            progress(done[0], len(tasks))

    fresh = (backend or LocalBackend()).map(simulate_chunk, [tasks[i] for i in todo], on_done)
    for i, res in zip(todo, fresh, strict=True):
        results[i] = res
    out: dict[tuple[int, int], list[tuple[FloatArray, FloatArray]]] = {}
    for (_, r, a, _, _), res in zip(tasks, results, strict=True):
        assert res is not None
        out.setdefault((r, a), []).append(res)
    return {
        k: (np.concatenate([o for o, _ in v]), np.concatenate([b for _, b in v]))
        for k, v in out.items()
    }


@dataclass(frozen=True)
class Effect:
    """One endpoint in one arm against the control: both arms' change and the difference."""

    endpoint: str
    change: str
    visit_week: float
    arm: str
    control: str
    treated: ArmSummary
    control_summary: ArmSummary
    difference: Difference

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "endpoint": self.endpoint,
            "change": self.change,
            "visit_week": self.visit_week,
            "arm": self.arm,
            "control": self.control,
            "arm_change": self.treated.to_dict(),
            "control_change": self.control_summary.to_dict(),
            "difference": self.difference.to_dict(),
        }


def effects(spec: TrialSpec, observed: dict[int, FloatArray], n: int | None = None) -> list[Effect]:
    c = next(i for i, a in enumerate(spec.arms) if a.name == spec.control_arm)
    out = []
    for j, e in enumerate(spec.endpoints):
        v = spec.visits_weeks.index(e.visit_week)
        ch = {a: changes(observed[a][:n, :, j], v, e.change) for a in observed}
        base = {a: baselines(observed[a][:n, :, j], v) for a in observed}
        for a, arm in enumerate(spec.arms):
            if a == c:
                continue
            diff = (
                ancova(ch[a], base[a], ch[c], base[c])
                if spec.method == "ancova"
                else difference(ch[a], ch[c])
            )
            out.append(
                Effect(
                    e.name,
                    e.change,
                    e.visit_week,
                    arm.name,
                    spec.control_arm,
                    summarise(ch[a]),
                    summarise(ch[c]),
                    diff,
                )
            )
    return out


@dataclass(frozen=True)
class TrialResult:
    """One virtual trial: effects, per-visit means and SDs by arm, baseline table."""

    spec: TrialSpec
    replicate: int
    effects: tuple[Effect, ...]
    visits: dict[str, dict[str, dict[str, list[Any]]]] = field(repr=False)
    baseline: dict[str, dict[str, float | None]] = field(repr=False)
    person_years: float = 0.0
    seconds: float = 0.0
    backend: str = "local"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the spec and where every variability width comes from."""
        return {
            "trial": self.spec.to_dict(),
            "replicate": self.replicate,
            "effects": [e.to_dict() for e in self.effects],
            "visits": self.visits,
            "baseline": self.baseline,
            "person_years": self.person_years,
            "seconds": self.seconds,
            "backend": self.backend,
            "between_subject_variability": [
                {
                    "name": v.name,
                    "scope": v.scope,
                    "kind": v.kind,
                    "width": v.width,
                    "source_key": v.source_key,
                    "note": v.note,
                }
                for v in BSV
            ],
        }


def _none_if_nan(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _nan_stat(fn: Callable[..., Any], x: FloatArray) -> list[float | None]:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return [_none_if_nan(v) for v in fn(x, axis=0)]


def run_trial(
    spec: TrialSpec,
    *,
    replicate: int = 0,
    backend: Backend | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    store: Path | None = None,
) -> TrialResult:
    """Run ``spec`` once (replicate 0: central population values).

    ``progress(done, total)`` is called as chunks finish; ``store`` keeps finished chunks
    so a rerun resumes (see :func:`simulate`).
    """
    checks.instance(spec, TrialSpec, "spec", error=ScenarioError, what="a TrialSpec (load_spec)")
    checks.whole(replicate, "replicate", low=0, error=ScenarioError)
    t0 = time.perf_counter()
    sims = simulate(spec, [replicate], backend, chunk, progress, store)
    observed = {a: sims[(replicate, a)][0] for a in range(len(spec.arms))}
    visits: dict[str, dict[str, dict[str, list[Any]]]] = {}
    baseline: dict[str, dict[str, float | None]] = {}
    for a, arm in enumerate(spec.arms):
        visits[arm.name] = {
            e.name: {
                "mean": _nan_stat(np.nanmean, observed[a][:, :, j]),
                "sd": _nan_stat(
                    lambda x, axis: np.nanstd(x, axis=axis, ddof=1), observed[a][:, :, j]
                ),
                "n": [int(k) for k in np.isfinite(observed[a][:, :, j]).sum(axis=0)],
            }
            for j, e in enumerate(spec.endpoints)
        }
        b = sims[(replicate, a)][1]
        baseline[arm.name] = {
            f"{f}_mean": v for f, v in zip(BASELINE_FIELDS, _nan_stat(np.nanmean, b), strict=True)
        }
    return TrialResult(
        spec=spec,
        replicate=replicate,
        effects=tuple(effects(spec, observed)),
        visits=visits,
        baseline=baseline,
        person_years=sum(a.n for a in spec.arms) * spec.years,
        seconds=time.perf_counter() - t0,
        backend=(backend or LocalBackend()).name,
    )
