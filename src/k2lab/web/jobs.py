"""Simulations out of the request thread: a bounded pool of worker processes, a queue
bound, a time limit per run, and runs stored (and reused) in the ``simulation_runs`` table.

A request only validates the scenario, stores a ``queued`` run and hands it to the
:class:`SimulationPool`; page loads never wait for a simulation. A worker process marks
the run ``running``, writes its progress (the share of its scenarios finished: 0.5 when
the first of a comparison is done) and ends it ``done`` with the result JSON
(:meth:`k2lab.trajectory.Trajectory.to_dict` or :meth:`~k2lab.trajectory.Comparison.to_dict`)
or ``failed`` with the :class:`~k2lab.errors.K2LabError` message.

Reuse: the key of a run is the SHA-256 of its canonical request (the scenarios'
``to_dict`` without the diet's file name, the comparison, the options incl. the seed,
the thinning and the k2lab version). The same key gives the same numbers whoever asks,
so a finished run of any owner is copied into a new run of the asker (who never sees the
other owner's run id); a queued or running run of the same owner is returned as it is.
The one thing another user can learn is that someone computed exactly the same person,
diet and supplements before (the answer comes at once).

Bounds: ``workers`` processes at once and ``queue`` more waiting (one more is refused with
:class:`QueueFull`); a run past ``time_limit_s`` is marked failed and the pool's processes
are killed and replaced (other runs that were running are requeued), so no worker stays
stuck. Memory is bounded by the core (draws × days, :data:`k2lab.simulation.MAX_DRAW_DAYS`)
and the web's cap of :data:`MAX_WEB_SAMPLES` draws (about 0.2 GB for ten years). A server
killed mid-run leaves runs ``queued``/``running``: :meth:`SimulationPool.start` marks them
failed ("interrupted; submit again").

The module is a little longer than 400 lines because the pool's lifecycle (start, time
limit, replacement, requeue) and the enqueue/reuse path share one lock and one state.

Example
-------
>>> from k2lab.scenario import Horizon, Scenario
>>> job = Job(Scenario(horizon=Horizon(24.0)), (), SimulationOptions(n_samples=1))
>>> len(run_key(job.canonical())), job.canonical()["add"]
(64, [])
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from k2lab import __version__
from k2lab.errors import K2LabError
from k2lab.scenario import Scenario
from k2lab.simulation import SimulationOptions, simulate
from k2lab.store import Store, open_store
from k2lab.store.schema import SimulationRun, utcnow
from k2lab.trajectory import Comparison

__all__ = [
    "DIARY_LABEL",
    "INTERRUPTED",
    "MAX_WEB_SAMPLES",
    "Job",
    "QueueFull",
    "RunJob",
    "SimulationPool",
    "enqueue",
    "every_h_for",
    "run_key",
]

log = logging.getLogger("k2lab.web.jobs")

#: Most parameter draws a web simulation may use (memory and time stay modest).
MAX_WEB_SAMPLES = 30
#: The message of runs a stopped server left behind.
INTERRUPTED = "The server stopped while this simulation waited or ran (interrupted); submit again."
_ACTIVE = ("queued", "running")
#: The label of a diary's own scenario (the comparison is labelled "… + MK-7 180 ug daily").
DIARY_LABEL = "Diary as eaten"


def every_h_for(hours: float) -> float | None:
    """Thinning of the result: every point up to 10 days, weekly up to 2 years, then
    monthly (ten years: 122 points per series)."""
    if hours <= 240:
        return None
    return 24.0 * (7 if hours <= 2 * 8766 else 30)


class RunJob(Protocol):
    """What the pool runs: a picklable request with its ``kind`` (the run's column), its
    canonical JSON (hashed for reuse) and the computation of its result JSON."""

    @property
    def kind(self) -> str: ...

    def canonical(self) -> dict[str, Any]: ...

    def compute(self, progress: Callable[[float], None] = ...) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Job:
    """What a worker computes: ``base``, and ``base`` with the ``add`` supplements when
    ``add`` is not empty (a comparison with paired draws, as :func:`k2lab.compare`)."""

    base: Scenario
    add: tuple[str, ...]
    options: SimulationOptions
    kind: ClassVar[str] = "simulation"

    def canonical(self) -> dict[str, Any]:
        """The request as JSON: what the key hashes and the run stores."""
        base = self.base.to_dict()
        if base["diet"] is not None:
            base["diet"] = {k: v for k, v in base["diet"].items() if k != "source"}
        o = self.options
        return {
            "base": base,
            "add": list(self.add),
            "options": {
                "n_samples": o.n_samples,
                "seed": o.seed,
                "interval_percent": o.interval_percent,
                "resolution": o.resolution,
            },
            "every_h": every_h_for(self.base.horizon.hours),
        }

    def compute(self, progress: Callable[[float], None] = lambda _p: None) -> dict[str, Any]:
        """The result JSON; ``progress(share)`` after each scenario."""
        every = every_h_for(self.base.horizon.hours)
        a = simulate(self.base, options=self.options)
        if not self.add:
            progress(1.0)
            return a.to_dict(every_h=every)
        progress(0.5)
        added = " + ".join(self.add)
        label = f"{DIARY_LABEL} + {added}" if self.base.label == DIARY_LABEL else ""
        b = simulate(self.base.adding(self.add, label=label), options=self.options)
        progress(1.0)
        return Comparison(a, b).to_dict(every_h=every)


def run_key(canonical: dict[str, Any]) -> str:
    """SHA-256 of the canonical request and the k2lab version."""
    text = json.dumps(
        {"k2lab": __version__, "request": canonical},
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


class QueueFull(Exception):
    """Every worker is busy and the queue is at its bound."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"{limit} simulations are running or waiting, the most this server takes; "
            "try again in a minute."
        )
        self.limit = limit


def _set(store: Store, run_id: int, when: tuple[str, ...], **values: Any) -> bool:
    """Update the run if its status is one of ``when`` (so a run marked failed by the time
    limit is never overwritten by a late worker); whether it was updated."""
    with store.session() as s:
        res = s.execute(
            update(SimulationRun)
            .where(SimulationRun.id == run_id, SimulationRun.status.in_(when))
            .values(**values)
        )
        return bool(getattr(res, "rowcount", 0))


_worker_stores: dict[str, Store] = {}


def _work(url: str, run_id: int, job: RunJob) -> None:
    """In a worker process: run ``job`` and store its outcome on run ``run_id``."""
    store = _worker_stores.get(url)
    if store is None:
        store = _worker_stores[url] = open_store(url, migrate=False)
    if not _set(store, run_id, ("queued",), status="running", started_at=utcnow()):
        return

    def progress(share: float) -> None:
        _set(store, run_id, ("running",), progress=share)

    try:
        result = job.compute(progress)
    except K2LabError as exc:
        _set(store, run_id, ("running",), status="failed", error=exc.message, finished_at=utcnow())
        return
    except Exception as exc:  # a model bug must fail the run, not the worker
        log.exception("simulation run %s failed", run_id)
        _set(store, run_id, ("running",), status="failed", finished_at=utcnow(),
             error=f"The simulation failed unexpectedly ({type(exc).__name__}); "
             "this is a bug in k2lab, please report it with your inputs.")  # fmt: skip
        return
    _set(store, run_id, ("running",), status="done", progress=1.0, result=result,
         finished_at=utcnow())  # fmt: skip


class SimulationPool:
    """``workers`` simulation processes, ``queue`` waiting runs, ``time_limit_s`` per run.

    :meth:`start` and :meth:`stop` are the app's startup and shutdown hooks; :meth:`submit`
    is all a request does. A dispatcher thread feeds the processes and enforces the limit.
    """

    def __init__(
        self, store: Store, *, workers: int = 1, queue: int = 16, time_limit_s: float = 120.0
    ) -> None:
        if workers < 1 or queue < 0 or time_limit_s <= 0:
            raise K2LabError(
                "simulation_workers must be ≥ 1, simulation_queue ≥ 0 and the time limit > 0.",
                field="simulation_workers",
            )
        self.store = store
        self.url = store.engine.url.render_as_string(hide_password=False)
        self.workers, self.queue, self.time_limit_s = workers, queue, time_limit_s
        self._lock = threading.Lock()
        #: Held by :func:`enqueue` from "is there a run of this key" to storing a new one, so
        #: simultaneous equal submissions share one run (found by tests/web/test_concurrency.py).
        self.admit = threading.Lock()
        self._wake = threading.Event()
        self._waiting: collections.deque[tuple[int, RunJob]] = collections.deque()
        self._running: dict[int, tuple[RunJob, Future[None], float]] = {}
        #: Runs taken from the queue whose process is being started.
        self._starting = 0
        self._executor: ProcessPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def capacity(self) -> int:
        """Runs the pool holds at once (running and waiting)."""
        return self.workers + self.queue

    def load(self) -> int:
        """Runs running or waiting now."""
        with self._lock:
            return len(self._waiting) + self._starting + len(self._running)

    def _new_executor(self) -> ProcessPoolExecutor:
        # forkserver (never fork in a threaded server); the simulation code is imported once
        # in the server process that forks the workers.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["k2lab.simulation", "k2lab.web.jobs"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)

    def start(self) -> None:
        """Mark runs a stopped server left behind as failed, and start the dispatcher."""
        with self.store.session() as s:
            s.execute(
                update(SimulationRun)
                .where(SimulationRun.status.in_(_ACTIVE))
                .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
            )
        self._stopping = False
        self._executor = self._new_executor()
        self._thread = threading.Thread(target=self._loop, name="k2lab-simulations", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the dispatcher and the worker processes (running runs stay ``running`` and
        are marked interrupted on the next start)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._executor is not None:
            self._kill(self._executor)
            self._executor = None

    def submit(self, run_id: int, job: RunJob) -> None:
        """Queue run ``run_id`` (stored ``queued``); :class:`QueueFull` at the bound."""
        with self._lock:
            if len(self._waiting) + self._starting + len(self._running) >= self.capacity:
                raise QueueFull(self.capacity)
            self._waiting.append((run_id, job))
        self._wake.set()

    @staticmethod
    def _kill(executor: ProcessPoolExecutor) -> None:
        processes = list((executor._processes or {}).values())  # no public way before 3.14
        for p in processes:
            if p.is_alive():
                p.kill()
        executor.shutdown(wait=True, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stopping:
            self._wake.wait(timeout=0.25)
            self._wake.clear()
            try:
                self._step()
            except Exception:  # the dispatcher must outlive any one bad step
                log.exception("simulation dispatcher step failed")

    def _step(self) -> None:
        assert self._executor is not None
        now = time.monotonic()
        restart = False
        with self._lock:
            for run_id, (_job, fut, began) in list(self._running.items()):
                if fut.done():
                    del self._running[run_id]
                    exc = fut.exception()
                    if exc is not None:
                        restart |= isinstance(exc, BrokenProcessPool)
                        self._fail(run_id, "The simulation process stopped (out of memory?); "
                                   "try fewer years or submit again.")  # fmt: skip
                elif now - began > self.time_limit_s:
                    del self._running[run_id]
                    restart = True
                    self._fail(run_id, f"The simulation took longer than the limit of "
                               f"{self.time_limit_s:g} s and was stopped; try a shorter horizon.")  # fmt: skip
            if restart:
                # Killing the processes takes the other running runs with them: requeue them.
                for run_id, (job, _fut, _began) in self._running.items():
                    _set(self.store, run_id, ("running",), status="queued", progress=0.0)
                    self._waiting.appendleft((run_id, job))
                self._running.clear()
            starting: list[tuple[int, RunJob]] = []
            while self._waiting and len(self._running) + len(starting) < self.workers:
                starting.append(self._waiting.popleft())
            self._starting = len(starting)
        # Starting processes takes seconds (the first submission starts the fork server):
        # done without the lock, so that submissions meanwhile are answered at once.
        if restart:
            self._kill(self._executor)
            self._executor = self._new_executor()
        for run_id, job in starting:
            started: Future[None] | None
            try:
                started = self._executor.submit(_work, self.url, run_id, job)
            except Exception as exc:  # a broken pool: fail the run, start a new pool
                log.exception("cannot start simulation run %s", run_id)
                self._fail(run_id, f"The simulation could not start ({type(exc).__name__}); "
                           "submit again.")  # fmt: skip
                self._kill(self._executor)
                self._executor = self._new_executor()
                started = None
            with self._lock:
                self._starting -= 1
                if started is not None:
                    self._running[run_id] = (job, started, time.monotonic())
            if started is not None:
                started.add_done_callback(lambda _f: self._wake.set())

    def _fail(self, run_id: int, message: str) -> None:
        _set(self.store, run_id, _ACTIVE, status="failed", error=message, finished_at=utcnow())


def _reusable(s: Session, owner_id: int, key: str) -> SimulationRun | None:
    """The owner's queued, running or done run of ``key``, else a done run of anyone."""
    mine = s.scalars(
        select(SimulationRun)
        .where(
            SimulationRun.key == key,
            SimulationRun.owner_id == owner_id,
            SimulationRun.status.in_(("queued", "running", "done")),
        )
        .order_by(SimulationRun.id.desc())
    ).first()
    if mine is not None:
        return mine
    return s.scalars(
        select(SimulationRun)
        .where(SimulationRun.key == key, SimulationRun.status == "done")
        .order_by(SimulationRun.id.desc())
    ).first()


def enqueue(
    pool: SimulationPool,
    s: Session,
    owner_id: int,
    job: RunJob,
    *,
    meta: dict[str, Any] | None = None,
) -> tuple[SimulationRun, bool]:
    """The run answering ``job`` for ``owner_id`` and whether it was reused: the owner's
    own run of the same key, a copy of anyone's finished one, or a new queued run. ``s``
    (the request's session) is committed before the pool sees a new run. ``meta`` (e.g.
    the diary id) is stored with the request.

    Raises
    ------
    QueueFull
        A new run is needed and the pool is at its bound (nothing is stored).
    """
    with pool.admit:
        return _enqueue(pool, s, owner_id, job, meta)


def _enqueue(
    pool: SimulationPool, s: Session, owner_id: int, job: RunJob, meta: dict[str, Any] | None
) -> tuple[SimulationRun, bool]:
    canonical = job.canonical()
    key = run_key(canonical)
    request = {**canonical, **(meta or {})}
    found = _reusable(s, owner_id, key)
    if found is not None and found.owner_id == owner_id:
        return found, True
    if found is not None:
        copy = SimulationRun(owner_id=owner_id, key=key, kind=job.kind, status="done", progress=1.0,
                             request=request, result=found.result, started_at=utcnow(),
                             finished_at=utcnow())  # fmt: skip
        s.add(copy)
        s.flush()
        return copy, True
    if pool.load() >= pool.capacity:
        raise QueueFull(pool.capacity)
    run = SimulationRun(owner_id=owner_id, key=key, kind=job.kind, status="queued", request=request)
    s.add(run)
    s.commit()
    try:
        pool.submit(run.id, job)
    except QueueFull:
        run.status, run.error, run.finished_at = "failed", str(QueueFull(pool.capacity)), utcnow()
        s.commit()
        raise
    return run, False
