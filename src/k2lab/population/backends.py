"""Where chunks of virtual people run: in this process, or on a Dask cluster.

A backend maps a picklable function over task argument tuples and returns the results in
task order, calling ``on_done(i, result)`` as each finishes. Every person has their own random
stream (:func:`k2lab.population.people.person_rng`), so the numbers do not depend on the
backend or the chunk size. Dask is optional (``pip install 'k2lab[dask]'``); on a real
cluster the scheduler and every worker need k2lab (same version) installed.

Example
-------
>>> LocalBackend().map(pow, [(2, 3), (3, 2)])
[8, 9]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from k2lab.errors import ScenarioError

__all__ = ["Backend", "DaskBackend", "LocalBackend"]


#: Dask's nanny sets MALLOC_TRIM_THRESHOLD_=64 kB in its workers, so glibc maps, unmaps and
#: trims for almost every array; a person's hourly arrays (0.2 MB) then cost 2-3 times as
#: much as in one process. Larger thresholds keep them on the heap (a task holds a few MB).
#: Each worker also samples every thread's stack every 10 ms for the dashboard's profile
#: (it holds the GIL while it walks the frames, about 5-10 % of a busy worker); nobody looks
#: at that profile here, so it is off. BLAS/OpenMP threads stay at the nanny's 1 per worker.
_WORKER_ENV = {
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 16 * 2**20,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 128 * 2**20,
    "distributed.nanny.pre-spawn-environ.OMP_NUM_THREADS": 1,
    "distributed.nanny.pre-spawn-environ.OPENBLAS_NUM_THREADS": 1,
    "distributed.nanny.pre-spawn-environ.MKL_NUM_THREADS": 1,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
}


class Backend(Protocol):
    """Runs ``fn(*args)`` for each task; results in task order."""

    name: str

    def map(
        self,
        fn: Callable[..., Any],
        tasks: Sequence[tuple[Any, ...]],
        on_done: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """Results of ``fn`` on each task, in order."""
        ...


class LocalBackend:
    """This process, one chunk after another (the default)."""

    name = "local"

    def map(
        self,
        fn: Callable[..., Any],
        tasks: Sequence[tuple[Any, ...]],
        on_done: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """Results of ``fn`` on each task, in order."""
        out = []
        for i, args in enumerate(tasks):
            out.append(fn(*args))
            if on_done:
                on_done(i, out[-1])
        return out


class DaskBackend:
    """A Dask cluster: ``workers`` starts a LocalCluster (one thread per worker process,
    bound to 127.0.0.1), ``scheduler`` connects to a running one (``tcp://host:8786``).

    Use as a context manager (closes what it started).

    Raises
    ------
    ScenarioError
        Dask is not installed, neither or both of ``workers`` and ``scheduler`` are given,
        or the scheduler cannot be reached.
    """

    name = "dask"

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None) -> None:
        if (workers is None) == (scheduler is None):
            raise ScenarioError(
                "Give either a number of local Dask workers or a scheduler address.",
                field="backend",
            )
        try:
            dist: Any = importlib.import_module("distributed")
        except ImportError:
            raise ScenarioError(
                "The Dask backend needs dask[distributed]: pip install 'k2lab[dask]'.",
                field="backend",
            ) from None
        self._cluster: Any = None
        try:
            if workers is not None:
                if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
                    raise ScenarioError(
                        f"Dask workers must be a whole number ≥ 1, not {workers!r}.",
                        field="dask_workers",
                    )
                dask: Any = importlib.import_module("dask")
                with dask.config.set(_WORKER_ENV):
                    self._cluster = dist.LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address=None,
                    )
                self.client: Any = dist.Client(self._cluster)
            else:
                self.client = dist.Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ScenarioError(
                f"Cannot reach the Dask scheduler {scheduler}: {exc}.", field="scheduler"
            ) from None

    def map(
        self,
        fn: Callable[..., Any],
        tasks: Sequence[tuple[Any, ...]],
        on_done: Callable[[int, Any], None] | None = None,
    ) -> list[Any]:
        """Results of ``fn`` on each task, in order (submitted all at once)."""
        as_completed: Any = importlib.import_module("distributed").as_completed
        futures = [self.client.submit(fn, *args, pure=False) for args in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(futures)
        # Each result crosses the network once, as it finishes (no second gather).
        for f, result in as_completed(futures, with_results=True):
            i = index[f.key]
            out[i] = result
            f.release()
            if on_done:
                on_done(i, result)
        return out

    def close(self) -> None:
        """Close the client (and the LocalCluster this backend started)."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
