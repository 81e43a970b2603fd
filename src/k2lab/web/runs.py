"""What simulation runs of every kind share (outlooks, scenario simulations, virtual
trials; the ``kind`` column tells them apart): the pool on the app, queueing with a 503 at
the bound, the API's view of a run, listing, ownership and the finished result.

Example
-------
>>> RunLinks(self="/api/v1/trials/1", result="/api/v1/trials/1/result", page="/trials/1").page
'/trials/1'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from k2lab.errors import ConflictError, NotFoundError
from k2lab.store.schema import SimulationRun, User
from k2lab.web.jobs import QueueFull, RunJob, SimulationPool, enqueue
from k2lab.web.state import AppState

__all__ = [
    "MAX_ID",
    "RunId",
    "RunLinks",
    "RunOut",
    "RunPage",
    "accepted",
    "finished_result",
    "install_pool",
    "owned_run",
    "pool_of",
    "queue_job",
    "recent_runs",
    "run_page",
    "utc",
]

#: Largest id a path or body may name (ids are 32-bit in PostgreSQL).
MAX_ID = 2**31 - 1
RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="The run's id.")]


class RunLinks(BaseModel):
    """Where to follow the run."""

    self: str
    result: str
    page: str


class RunOut(BaseModel):
    """A simulation run: ``status`` queued → running → done | failed, ``progress`` 0–1."""

    id: int
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    error: str | None
    label: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    links: RunLinks


class RunPage(BaseModel):
    """One page of runs."""

    items: list[RunOut]
    total: int
    limit: int
    offset: int


def pool_of(state: AppState) -> SimulationPool:
    """The app's simulation pool."""
    pool: SimulationPool = state.extras["simulations"]
    return pool


def install_pool(state: AppState) -> SimulationPool:
    """Create the pool from the settings and hook it to the app's startup and shutdown."""
    st = state.settings
    pool = SimulationPool(state.store, workers=st.simulation_workers, queue=st.simulation_queue,
                          time_limit_s=st.simulation_time_limit_s)  # fmt: skip
    state.extras["simulations"] = pool
    state.extras.setdefault("on_startup", []).append(pool.start)
    state.extras.setdefault("on_shutdown", []).append(pool.stop)
    return pool


def queue_job(
    state: AppState, s: Session, user: User, job: RunJob, meta: dict[str, Any]
) -> tuple[SimulationRun, bool]:
    """Reuse or queue the run of ``job`` (:func:`enqueue`); :class:`HTTPException` 503
    (with ``Retry-After``) when the queue is full."""
    try:
        return enqueue(pool_of(state), s, user.id, job, meta=meta)
    except QueueFull as exc:
        raise HTTPException(503, detail=str(exc), headers={"Retry-After": "30"}) from None


def accepted(
    run: SimulationRun, reused: bool, out: Callable[[SimulationRun], RunOut]
) -> JSONResponse:
    """The answer to a submission: 202 with the run, or 200 when a finished run is reused."""
    code = 200 if reused and run.status == "done" else 202
    return JSONResponse(out(run).model_dump(mode="json"), status_code=code)


def recent_runs(s: Session, owner_id: int, kind: str, limit: int = 10) -> list[SimulationRun]:
    """The owner's latest runs of ``kind``, newest first."""
    query = (
        select(SimulationRun)
        .where(SimulationRun.owner_id == owner_id, SimulationRun.kind == kind)
        .order_by(SimulationRun.id.desc())
        .limit(limit)
    )
    return list(s.scalars(query))


def run_page(
    s: Session, owner_id: int, kind: str, limit: int, offset: int,
    out: Callable[[SimulationRun], RunOut],
) -> RunPage:  # fmt: skip
    """A page of the owner's runs of ``kind``, newest first."""
    where = (SimulationRun.owner_id == owner_id) & (SimulationRun.kind == kind)
    total = s.scalar(select(func.count()).select_from(SimulationRun).where(where)) or 0
    runs = s.scalars(
        select(SimulationRun)
        .where(where)
        .order_by(SimulationRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return RunPage(items=[out(r) for r in runs], total=total, limit=limit, offset=offset)


def owned_run(s: Session, user: User, run_id: int, kind: str = "simulation") -> SimulationRun:
    """The user's run ``run_id`` of ``kind`` (another owner's is :class:`NotFoundError`)."""
    run = s.get(SimulationRun, run_id)
    if run is None or run.owner_id != user.id or run.kind != kind:
        raise NotFoundError(f"There is no {kind} {run_id}.", field="id")
    s.refresh(run)
    return run


def utc(when: dt.datetime | None) -> dt.datetime | None:
    """``when`` with its time zone (SQLite returns UTC times without one)."""
    return when if when is None or when.tzinfo else when.replace(tzinfo=dt.UTC)


def finished_result(run: SimulationRun, what: str = "Simulation") -> dict[str, Any]:
    """The result of a done run; :class:`ConflictError` (409) otherwise."""
    if run.status == "failed":
        raise ConflictError(f"{what} {run.id} failed: {run.error}")
    if run.status != "done" or run.result is None:
        raise ConflictError(
            f"{what} {run.id} is {run.status} ({run.progress:.0%}); ask again when done."
        )
    return run.result
