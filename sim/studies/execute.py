"""Running a study's jobs: in this process, on a local process pool or on a Dask cluster.

:func:`execute` runs the jobs not yet in the :class:`~sim.studies.store.RunStore` on a back end
and stores each record as it finishes, so an interrupted study loses nothing finished. Every
back end runs :func:`run_job`, and every run gets a pristine copy of its network
(:func:`~sim.studies.networks.process_networks`), so the records are identical, to the last digit,
however the study ran.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sim.errors import InputError
from sim.studies.networks import process_networks
from sim.studies.plan import Job
from sim.studies.store import RunRecord, RunStore, scalar_kpis, service_kpis

#: ``progress(done, total)`` after each stored run (``total`` may be None when unknown).
Progress = Callable[[int, Any], None]


class _OneNetwork:
    """A network source that hands out one given network (the one a shared demand was built on)."""

    def __init__(self, net: Any) -> None:
        self.net = net

    def get(self, source: str, base_dir: Path) -> Any:
        """The network (whatever is asked: a comparison checks every scenario uses the same one)."""
        return self.net


def run_job(job: Job) -> RunRecord:
    """Run one job and keep its scalar KPIs (the function workers execute).

    With ``job.demand_from`` the requests are generated from that scenario's demand settings and
    the job's seed (a comparison's shared demand) on the network the run then uses; with
    ``job.results_dir`` the full results directory is written too (as ``run --out`` does).
    """
    from sim.run.assemble import build_demand, census_zones
    from sim.run.runner import run_scenario, seed_streams

    t0 = time.perf_counter()
    source: Any = process_networks()
    demand = None
    if job.demand_from is not None and job.demand_from.demand.model != "behavioural" and job.scenario.year is None:
        # behavioural demand, and a year of day types, draw their own demand per run (per day type)
        first = job.demand_from
        net = process_networks().get(first.network.source, Path(job.demand_base_dir))
        demand_rng, _ = seed_streams(job.seed)
        zones = census_zones(first)
        demand = build_demand(first, net, Path(job.demand_base_dir), demand_rng, zones, source=job.source)
        source = _OneNetwork(net)
    result = run_scenario(job.scenario, Path(job.base_dir), seed=job.seed, networks=source, demand=demand, source=job.source)
    if job.results_dir is not None:
        from sim.run.results import write_results

        write_results(result, Path(job.results_dir))
    return RunRecord(
        run_id=job.run_id,
        replication=job.replication,
        seed=job.seed,
        values=job.values,
        metrics=scalar_kpis(result.metrics),
        elapsed_s=round(time.perf_counter() - t0, 6),
        per_service=service_kpis(result.metrics),
    )


class Backend(Protocol):
    """Runs jobs and yields their records as they finish (in any order)."""

    def run(self, jobs: Sequence[Job]) -> Iterator[RunRecord]:  # pragma: no cover - protocol
        ...


class SerialBackend:
    """Runs jobs one after another in this process."""

    def run(self, jobs: Sequence[Job]) -> Iterator[RunRecord]:
        """Yield each job's record."""
        for job in jobs:
            yield run_job(job)


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is handled by the parent, which stops handing out work."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProcessBackend:
    """Runs jobs on ``workers`` local processes (``spawn``, so the same on every platform).

    On Ctrl-C no new job starts; the runs in progress finish and are yielded before the
    interrupt propagates, so nothing finished is lost.
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise InputError(f"--workers {workers}: need at least 1 worker")
        self.workers = workers
        self._pool: cf.ProcessPoolExecutor | None = None

    def _executor(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_ignore_sigint,
            )
        return self._pool

    def run(self, jobs: Sequence[Job]) -> Iterator[RunRecord]:
        """Yield each job's record as it finishes."""
        pool = self._executor()
        futures = [pool.submit(run_job, job) for job in jobs]
        pending = set(futures)
        try:
            for fut in cf.as_completed(futures):
                pending.discard(fut)
                yield fut.result()
        except KeyboardInterrupt:
            for fut in pending:
                fut.cancel()
            for fut in cf.as_completed([f for f in pending if not f.cancelled()]):
                if fut.exception() is None:
                    yield fut.result()
            raise
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        """Stop the worker processes (waiting for runs in progress)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskBackend:
    """Runs jobs on a Dask distributed cluster (``pip install .[dask]``).

    ``cluster`` is a scheduler address (``tcp://host:8786``) or an existing
    ``distributed.Client``; ``timeout_s`` bounds the wait for the scheduler (seconds). Workers
    need this package importable and the scenario's files (and any network or demand files it
    names) at the same paths.
    """

    def __init__(self, cluster: Any, *, timeout_s: float = 20.0) -> None:
        try:
            import distributed
        except ImportError:
            raise InputError(
                "--dask needs the optional Dask dependencies: pip install '.[dask]' (dask[distributed])"
            ) from None
        self._distributed = distributed
        if isinstance(cluster, str):
            try:
                self.client = distributed.Client(cluster, timeout=f"{timeout_s}s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--dask {cluster!r}: cannot reach a Dask scheduler there ({exc})") from None
            self._owned = True
        else:
            self.client = cluster
            self._owned = False

    def run(self, jobs: Sequence[Job]) -> Iterator[RunRecord]:
        """Yield each job's record as it finishes."""
        futures = [self.client.submit(run_job, job, pure=False) for job in jobs]
        try:
            for fut in self._distributed.as_completed(futures):
                yield fut.result()
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Disconnect (only if this backend opened the connection)."""
        if self._owned:
            self.client.close()


@contextlib.contextmanager
def open_backend(*, workers: int = 1, dask: Any = None) -> Iterator[Backend]:
    """The back end for ``--workers N`` / ``--dask ADDRESS`` (a ``Client`` is accepted too)."""
    if workers < 1:
        raise InputError(f"--workers {workers}: need at least 1 worker")
    backend: Any
    if dask is not None:
        backend = DaskBackend(dask)
    elif workers > 1:
        backend = ProcessBackend(workers)
    else:
        backend = SerialBackend()
    try:
        yield backend
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()


@dataclass(slots=True)
class Execution:
    """Counts of one :func:`execute` call (``elapsed_s``: wall-clock seconds)."""

    total: int = 0
    reused: int = 0
    ran: int = 0
    elapsed_s: float = 0.0


def execute(
    jobs: Sequence[Job],
    store: RunStore,
    backend: Backend,
    *,
    progress: Progress | None = None,
) -> Execution:
    """Run the jobs not yet stored and store each as it finishes.

    Jobs with the same run id (two points that resolve to the same scenario) run once.
    ``progress(done, total)`` is called after each stored run (and once for the reused ones).
    """
    t0 = time.perf_counter()
    ids: dict[str, Job] = {}
    for job in jobs:
        ids.setdefault(job.run_id, job)
    stored = store.stored_ids()
    todo = [job for rid, job in ids.items() if rid not in stored or store.load(rid) is None]
    ex = Execution(total=len(ids), reused=len(ids) - len(todo))
    if progress is not None:
        progress(ex.reused, ex.total)
    if todo:
        for record in backend.run(todo):
            store.save(record)
            ex.ran += 1
            if progress is not None:
                progress(ex.reused + ex.ran, ex.total)
    ex.elapsed_s = time.perf_counter() - t0
    return ex


__all__ = [
    "Backend",
    "DaskBackend",
    "Execution",
    "ProcessBackend",
    "Progress",
    "SerialBackend",
    "execute",
    "open_backend",
    "run_job",
]
