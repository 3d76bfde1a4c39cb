"""Parameter sweeps with replications: plan, run (serially, on local processes or on Dask), store, summarise.

A *study* is a list of scenario variants (*points*) times ``R`` replications. Replication ``r``
runs with the seed ``SeedSequence(root_seed).spawn(R)[r].generate_state(1)[0]`` at **every**
point (common random numbers): within a replication all points see the same demand, so the
differences between points are not noise from demand. Adding replications later keeps the seeds
of the earlier ones (``spawn`` children depend on their index only).

Every finished run is stored at once as its own small JSON file ``DIR/runs/<run id>.json``
(atomic: temporary file, then rename). The run id is a digest of the resolved scenario and the
seed, so a resumed study reuses exactly the runs it would otherwise repeat, whatever order they
finished in, and a changed scenario file is never mixed with old runs. ``runs.csv`` and
``summary.csv`` are rebuilt from the stored files in a fixed order, so they are identical, to the
last digit, however the study ran (one process, a process pool, a Dask cluster, interrupted and
resumed).

Output files of a sweep directory
---------------------------------
``runs/*.json``
    One file per (point, replication): point values, replication, seed, scalar KPIs.
``runs.csv``
    One row per (point, replication): ``point``, the varied values, ``replication``, ``seed``,
    then every scalar KPI of ``metrics.json`` (dict-valued keys such as ``per_service`` are left
    out; KPIs added to the metrics later appear automatically). With ``services=("choisoko",)``
    the scalar KPIs of that service's ``per_service`` entry follow as ``choisoko.<kpi>`` columns
    (every run file stores them all, so they can be added on ``--resume`` without rerunning).
``summary.csv``
    One row per point: ``point``, the varied values, ``n`` (replications), then for each KPI
    ``<kpi>_mean``, ``<kpi>_ci95_low``, ``<kpi>_ci95_high`` (Student t, :func:`sim.stats.mean_ci`).
``sweep.json``
    What was run: scenario, road network (name, ``synthetic`` flag, provenance), axes,
    replications, root seed and replication seeds.

KPI names asked for (``--plot``, ``--kpi``, ``--target``) are checked against the known KPIs
(:func:`known_kpis`) before anything runs or is written, so a typo never leaves stored runs
behind that a corrected retry would refuse.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import hashlib
import json
import math
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from sim.atomic import write_csv, write_json, write_text
from sim.errors import InputError, ScenarioError
from sim.network.cache import NetworkCache
from sim.studies.grid import Axis, format_value, grid_points, point_overrides
from sim.stats import Estimate, mean_ci

#: Keys of ``metrics.json`` that are scalars but not KPIs (they have their own columns).
NON_KPI_KEYS = frozenset({"scenario", "seed"})

#: Confidence level of the ``_ci95_`` columns.
LEVEL = 0.95

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- seeds


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """Independent integer seeds for ``replications`` replications, from ``root_seed``.

    Seed ``r`` is ``SeedSequence(root_seed).spawn(replications)[r].generate_state(1)[0]`` (a
    32-bit integer); it depends on ``root_seed`` and ``r`` only, not on ``replications``.
    """
    if replications < 1:
        raise InputError(f"--replications {replications}: need at least 1 replication")
    if root_seed < 0:
        raise InputError(f"--seed {root_seed}: seeds are non-negative integers")
    children = np.random.SeedSequence(root_seed).spawn(replications)
    return [int(c.generate_state(1)[0]) for c in children]


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class Point:
    """One scenario variant of a study.

    Attributes
    ----------
    index
        Position in the study (0-based; grid order for a sweep).
    overrides
        The values this point sets, by dotted key (empty for the unchanged scenario).
    row
        The value of every study key at this point (the scenario's own value where the point
        does not set it; ``None`` if the scenario leaves it unset), for tables and plots.
    scenario
        The validated scenario of this point.
    """

    index: int
    overrides: dict[str, Any]
    row: dict[str, Any]
    scenario: Any  # sim.scenario.Scenario (kept untyped here so pickling stays cheap to import)

    @property
    def label(self) -> str:
        """``key=value, ...`` of the overrides (``base`` for none)."""
        return ", ".join(f"{k}={format_value(v)}" for k, v in self.overrides.items()) or "base"


@dataclass(frozen=True, slots=True)
class Job:
    """One run: a point's scenario with one replication's seed (what a worker receives)."""

    run_id: str
    point: int
    replication: int
    seed: int
    scenario: Any  # sim.scenario.Scenario
    base_dir: str
    source: str
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """The stored outcome of one run: its id, replication, seed and scalar KPIs.

    ``per_service`` holds each service's scalar KPIs; ``elapsed_s`` is the wall-clock time of
    the run (seconds) and is kept out of the tables.
    """

    run_id: str
    replication: int
    seed: int
    values: dict[str, Any]
    metrics: dict[str, float | int | None]
    elapsed_s: float = 0.0
    per_service: dict[str, dict[str, float | int | None]] = field(default_factory=dict)

    def value(self, kpi: str) -> float | int | None:
        """A KPI: a key of ``metrics``, or ``SERVICE.KPI`` from ``per_service`` (None if absent)."""
        if kpi in self.metrics:
            return self.metrics[kpi]
        service, _, name = kpi.rpartition(".")
        return self.per_service.get(service, {}).get(name) if service else None

    def names(self, services: Sequence[str] = ()) -> list[str]:
        """KPI names of this run: ``metrics`` keys, then ``SERVICE.KPI`` for the named services."""
        out = list(self.metrics)
        for s in services:
            out += [f"{s}.{k}" for k in self.per_service.get(s, {})]
        return out

    def to_json(self) -> dict[str, Any]:
        """The content of ``runs/<run id>.json``."""
        return {
            "run_id": self.run_id,
            "point": self.values,
            "replication": self.replication,
            "seed": self.seed,
            "metrics": self.metrics,
            "per_service": self.per_service,
            "elapsed_s": self.elapsed_s,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        """Read a stored run (raises ``KeyError``/``TypeError`` if it is not one)."""
        return cls(
            run_id=str(data["run_id"]),
            replication=int(data["replication"]),
            seed=int(data["seed"]),
            values=dict(data["point"]),
            metrics=dict(data["metrics"]),
            elapsed_s=float(data.get("elapsed_s", 0.0)),
            per_service={str(k): dict(v) for k, v in dict(data.get("per_service", {})).items()},
        )


@dataclass(frozen=True, slots=True)
class Study:
    """A planned study: points × replications of one scenario file."""

    source: Path
    base_dir: Path
    keys: tuple[str, ...]
    points: tuple[Point, ...]
    root_seed: int
    seeds: tuple[int, ...]
    fixed: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    networks: tuple[dict[str, Any], ...] = ()  # per network source: source, name, synthetic, provenance

    @property
    def replications(self) -> int:
        """Number of replications per point."""
        return len(self.seeds)

    def jobs(self) -> list[Job]:
        """Every (point, replication) as a :class:`Job`, point-major."""
        return [self.job(p, r) for p in self.points for r in range(len(self.seeds))]

    def job(self, point: Point, replication: int) -> Job:
        """The job of ``point`` and ``replication``."""
        seed = self.seeds[replication]
        return Job(
            run_id=run_id(point.scenario, seed),
            point=point.index,
            replication=replication,
            seed=seed,
            scenario=point.scenario,
            base_dir=str(self.base_dir),
            source=str(self.source),
            values=dict(point.row),
        )


def run_id(scenario: Any, seed: int) -> str:
    """Digest (16 hex digits) of a resolved scenario and a seed: the name of its stored run."""
    canon = json.dumps({"scenario": scenario.model_dump(mode="json"), "seed": seed}, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


def _lookup(data: Any, key: str) -> Any:
    node = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def plan_study(
    path: Path,
    points: Sequence[Mapping[str, Any]],
    *,
    replications: int,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    keys: Sequence[str] | None = None,
    option: str = "--vary",
    services: Sequence[str] = (),
) -> Study:
    """Validate every point of a study of the scenario file ``path`` before anything runs.

    Parameters
    ----------
    path
        Scenario TOML file.
    points
        The variants: dotted key -> value (``{}`` is the scenario itself).
    replications
        Runs per point.
    seed
        Root seed of the replication seeds (default: the scenario's ``seed``).
    overrides
        ``--set`` overrides applied to every point first.
    keys
        Table columns (default: every key any point sets, in first-seen order).
    option
        The option named in error messages.
    services
        Services whose own KPIs become ``SERVICE.KPI`` columns.

    The road network of every point is loaded once (it is needed for the runs anyway) to record
    its name, ``synthetic`` flag and provenance in :attr:`Study.networks`.

    Raises
    ------
    ScenarioError
        An unknown key or an invalid value at some point, with the point named.
    InputError
        A ``services`` name that is not a service of the scenario.
    """
    from sim.scenario.schema import apply_overrides, load_raw, validate

    source = str(path)
    raw = apply_overrides(load_raw(Path(path)), list(overrides), source=source)
    base = validate(raw, source=source)
    if keys is None:
        seen: list[str] = []
        for pt in points:
            seen.extend(k for k in pt if k not in seen)
        keys = seen
    base_values = base.model_dump(mode="json")
    planned: list[Point] = []
    for index, pt in enumerate(points):
        sets = point_overrides(pt)
        try:
            sc = validate(apply_overrides(raw, sets, source=source), source=source)
        except ScenarioError as exc:
            where = ", ".join(f"{k}={format_value(v)}" for k, v in pt.items())
            text = str(exc).replace("--set ", f"{option} ")
            raise ScenarioError(f"{text}\n(at point {where})" if where else text) from None
        row = {k: (pt[k] if k in pt else _lookup(base_values, k)) for k in keys}
        planned.append(Point(index, dict(pt), row, sc))
    _check_services(services, [p.scenario for p in planned] or [base])
    root = base.seed if seed is None else seed
    base_dir = Path(path).resolve().parent
    return Study(
        source=Path(path),
        base_dir=Path(path).resolve().parent,
        keys=tuple(keys),
        points=tuple(planned),
        root_seed=root,
        seeds=tuple(replication_seeds(root, replications)),
        fixed=tuple(overrides),
        services=tuple(dict.fromkeys(services)),
        networks=study_networks([p.scenario for p in planned] or [base], base_dir),
    )


def _check_services(services: Sequence[str], scenarios: Sequence[Any]) -> None:
    """Each ``--service`` name must be a service of the scenario (``A+B``: trips over A and B)."""
    names = sorted({n for sc in scenarios for n in sc.services})
    for s in services:
        if not all(part in names for part in s.split("+")):
            raise InputError(
                f"--service {s!r}: not a service of the scenario; services: {', '.join(names) or '(none)'} "
                "(A+B for trips over services A and B)"
            )


def study_networks(scenarios: Sequence[Any], base_dir: Path) -> tuple[dict[str, Any], ...]:
    """Name, ``synthetic`` flag and provenance of each road network the ``scenarios`` use.

    Each network is loaded once through this process's network source (so a serial study does
    not load it again for its runs).
    """
    out: list[dict[str, Any]] = []
    for source in dict.fromkeys(sc.network.source for sc in scenarios):
        net = _process_networks().get(source, base_dir)
        out.append({"source": source, "name": net.name, "synthetic": bool(net.synthetic), "provenance": net.provenance})
    return tuple(out)


def plan_sweep(
    path: Path,
    axes: Sequence[Axis],
    *,
    replications: int,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    services: Sequence[str] = (),
) -> Study:
    """A full-grid study over ``axes`` (see :func:`plan_study`)."""
    if not axes:
        raise InputError("sweep: give at least one --vary KEY=v1,v2,... (or KEY=LO..HI:STEP)")
    return plan_study(
        path,
        grid_points(axes),
        replications=replications,
        seed=seed,
        overrides=overrides,
        keys=[a.key for a in axes],
        services=services,
    )


# --------------------------------------------------------------------------- one run (in a worker)


@functools.lru_cache(maxsize=1)
def _process_networks() -> NetworkCache:
    """The network source of this process: each worker loads a network once and hands every run
    an unused copy (see :mod:`sim.network.cache` for why)."""
    return NetworkCache(fresh=True)


def scalar_kpis(metrics: Mapping[str, Any]) -> dict[str, float | int | None]:
    """The scalar KPIs of a ``metrics.json`` dict: numbers and ``None``; dicts, strings, booleans dropped."""
    out: dict[str, float | int | None] = {}
    for key, value in metrics.items():
        if key in NON_KPI_KEYS or isinstance(value, bool):
            continue
        if value is None or isinstance(value, (int, float)):
            out[key] = value
    return out


def service_kpis(metrics: Mapping[str, Any]) -> dict[str, dict[str, float | int | None]]:
    """The scalar KPIs of each service in ``metrics["per_service"]`` (empty if there is none)."""
    per = metrics.get("per_service")
    if not isinstance(per, Mapping):
        return {}
    return {str(name): scalar_kpis(v) for name, v in per.items() if isinstance(v, Mapping)}


def run_job(job: Job) -> RunRecord:
    """Run one job and keep its scalar KPIs (the function workers execute)."""
    from sim.run.runner import run_scenario

    t0 = time.perf_counter()
    result = run_scenario(
        job.scenario, Path(job.base_dir), seed=job.seed, networks=_process_networks(), source=job.source
    )
    return RunRecord(
        run_id=job.run_id,
        replication=job.replication,
        seed=job.seed,
        values=job.values,
        metrics=scalar_kpis(result.metrics),
        elapsed_s=round(time.perf_counter() - t0, 6),
        per_service=service_kpis(result.metrics),
    )


# --------------------------------------------------------------------------- storage


class RunStore:
    """The ``runs/`` folder of a study directory: one JSON file per finished run."""

    def __init__(self, out_dir: Path) -> None:
        self.dir = Path(out_dir) / "runs"

    def path(self, run_id: str) -> Path:
        """Where run ``run_id`` is stored."""
        return self.dir / f"{run_id}.json"

    def stored_ids(self) -> set[str]:
        """Ids of the runs stored so far."""
        if not self.dir.is_dir():
            return set()
        return {p.stem for p in self.dir.glob("*.json") if not p.name.startswith(".")}

    def clean_temporaries(self) -> int:
        """Delete temporaries left by a killed process (never read); return how many."""
        if not self.dir.is_dir():
            return 0
        stale = [p for p in self.dir.glob(".*.tmp")]
        for p in stale:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        return len(stale)

    def load(self, run_id: str) -> RunRecord | None:
        """The stored run ``run_id``, or None if it is missing or unreadable."""
        try:
            rec = RunRecord.from_json(json.loads(self.path(run_id).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return rec if rec.run_id == run_id else None

    def save(self, record: RunRecord) -> None:
        """Store ``record`` atomically."""
        write_json(self.path(record.run_id), record.to_json())


# --------------------------------------------------------------------------- back ends


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


# --------------------------------------------------------------------------- running a study


@dataclass(slots=True)
class Execution:
    """Counts of one :func:`execute` call."""

    total: int = 0
    reused: int = 0
    ran: int = 0
    elapsed_s: float = 0.0


def prepare_directory(out_dir: Path, *, resume: bool) -> RunStore:
    """Check ``out_dir`` can hold a study and return its run store.

    Without ``resume`` a directory that already holds stored runs is refused (nothing is
    overwritten); with it, temporaries left by a killed process are removed.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a directory; give a directory path")
    store = RunStore(out_dir)
    if not resume and store.stored_ids():
        raise InputError(
            f"--out {out_dir}: already holds {len(store.stored_ids())} stored run(s); "
            "pass --resume to continue that study, or choose another --out"
        )
    store.clean_temporaries()
    store.dir.mkdir(parents=True, exist_ok=True)
    return store


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


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True)
class PointSummary:
    """Replications of one point summarised: ``n`` runs and an :class:`Estimate` per KPI."""

    point: Point
    n: int
    estimates: dict[str, Estimate]


def collect(study: Study, store: RunStore) -> dict[tuple[int, int], RunRecord]:
    """Stored records of the study by (point index, replication); missing runs are absent."""
    out: dict[tuple[int, int], RunRecord] = {}
    cache: dict[str, RunRecord | None] = {}
    for job in study.jobs():
        if job.run_id not in cache:
            cache[job.run_id] = store.load(job.run_id)
        rec = cache[job.run_id]
        if rec is not None:
            out[(job.point, job.replication)] = rec
    return out


def kpi_names(records: Sequence[RunRecord], services: Sequence[str] = ()) -> list[str]:
    """Every KPI of ``records`` in first-seen order (with ``SERVICE.KPI`` for ``services``).

    Raises
    ------
    InputError
        A named service that no run has.
    """
    names: list[str] = []
    for rec in records:
        names.extend(k for k in rec.names(services) if k not in names)
    for s in services:
        if records and not any(s in rec.per_service for rec in records):
            have = sorted({name for rec in records for name in rec.per_service})
            raise InputError(f"--service {s!r}: no run has this service; services: {', '.join(have) or '(none)'}")
    return names


def summarise(
    points: Sequence[Point],
    records: Mapping[tuple[int, int], RunRecord],
    kpis: Sequence[str],
    *,
    level: float = LEVEL,
) -> list[PointSummary]:
    """Mean and Student-t interval of every KPI at every point, replications in order."""
    out = []
    for pt in points:
        reps = sorted((r, rec) for (p, r), rec in records.items() if p == pt.index)
        ests = {k: mean_ci([rec.value(k) for _, rec in reps], level=level) for k in kpis}
        out.append(PointSummary(pt, len(reps), ests))
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return value


def _value_cells(study: Study, point: Point) -> list[str]:
    return [format_value(point.row[k]) if point.row.get(k) is not None else "" for k in study.keys]


def runs_table(study: Study, records: Mapping[tuple[int, int], RunRecord], kpis: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``runs.csv`` (point-major, replications in order)."""
    header = ["point", *study.keys, "replication", "seed", *kpis]
    rows = []
    for pt in study.points:
        for r in range(study.replications):
            rec = records.get((pt.index, r))
            if rec is None:
                continue
            rows.append([pt.index, *_value_cells(study, pt), r, rec.seed, *(_cell(rec.value(k)) for k in kpis)])
    return header, rows


def summary_table(study: Study, summaries: Sequence[PointSummary], kpis: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of ``summary.csv``."""
    header = ["point", *study.keys, "n"]
    for k in kpis:
        header += [f"{k}_mean", f"{k}_ci95_low", f"{k}_ci95_high"]
    rows = []
    for s in summaries:
        row: list[Any] = [s.point.index, *_value_cells(study, s.point), s.n]
        for k in kpis:
            e = s.estimates[k]
            row += [_cell(e.mean), _cell(e.low), _cell(e.high)]
        rows.append(row)
    return header, rows


# --------------------------------------------------------------------------- sweep


@dataclass(slots=True)
class StudyResult:
    """What a finished study wrote and computed."""

    out_dir: Path
    study: Study
    records: dict[tuple[int, int], RunRecord]
    kpis: list[str]
    summaries: list[PointSummary]
    execution: Execution
    files: list[Path] = field(default_factory=list)


def study_metadata(study: Study, *, kind: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The description of a study written to ``sweep.json`` / ``size.json`` / ``sensitivity.json``.

    ``network`` is the road network (``source``, ``name``, ``synthetic``, ``provenance``) when
    every point uses the same one (else ``None``); ``networks`` lists every network used.
    """
    return {
        "kind": kind,
        "scenario_file": str(study.source),
        "network": dict(study.networks[0]) if len(study.networks) == 1 else None,
        "networks": [dict(n) for n in study.networks],
        "set": list(study.fixed),
        "services": list(study.services),
        "keys": list(study.keys),
        "points": [{"point": p.index, **{k: p.row.get(k) for k in study.keys}} for p in study.points],
        "replications": study.replications,
        "root_seed": study.root_seed,
        "replication_seeds": list(study.seeds),
        "seed_rule": "SeedSequence(root_seed).spawn(replications)[r].generate_state(1)[0]; the same at every point",
        "confidence_level": LEVEL,
        **(dict(extra) if extra else {}),
    }


def write_tables(out_dir: Path, study: Study, store: RunStore) -> tuple[dict[tuple[int, int], RunRecord], list[str], list[PointSummary], list[Path]]:
    """Rebuild ``runs.csv`` and ``summary.csv`` of ``study`` from the stored runs."""
    records = collect(study, store)
    ordered = [records[k] for k in sorted(records)]
    kpis = kpi_names(ordered, study.services)
    summaries = summarise(study.points, records, kpis)
    out_dir = Path(out_dir)
    write_csv(out_dir / "runs.csv", *runs_table(study, records, kpis))
    write_csv(out_dir / "summary.csv", *summary_table(study, summaries, kpis))
    return records, kpis, summaries, [out_dir / "runs.csv", out_dir / "summary.csv"]


def run_study(
    study: Study,
    out_dir: Path,
    *,
    workers: int = 1,
    dask: Any = None,
    resume: bool = False,
    progress: Progress | None = None,
    kind: str = "sweep",
    backend: Backend | None = None,
) -> StudyResult:
    """Run every (point, replication) of ``study`` not yet stored in ``out_dir`` and write the tables.

    Parameters
    ----------
    study
        From :func:`plan_sweep` or :func:`plan_study`.
    out_dir
        The study directory (created).
    workers
        Local processes (1: this process).
    dask
        A Dask scheduler address or ``distributed.Client`` (overrides ``workers``).
    resume
        Reuse the runs stored in ``out_dir``; without it a directory with stored runs is refused.
    progress
        ``progress(done, total)`` after each stored run.
    kind
        Name of the metadata file (``<kind>.json``).
    backend
        An open back end to use instead of ``workers``/``dask``.
    """
    out_dir = Path(out_dir)
    store = prepare_directory(out_dir, resume=resume)
    meta = out_dir / f"{kind}.json"
    write_json(meta, study_metadata(study, kind=kind))
    if backend is not None:
        execution = execute(study.jobs(), store, backend, progress=progress)
    else:
        with open_backend(workers=workers, dask=dask) as be:
            execution = execute(study.jobs(), store, be, progress=progress)
    records, kpis, summaries, files = write_tables(out_dir, study, store)
    return StudyResult(out_dir, study, records, kpis, summaries, execution, [meta, *files])


def known_kpis(services: Sequence[str] = ()) -> list[str]:
    """Every KPI name a study can report: :data:`sim.metrics.KPI_KEYS`, the staffing and cost
    KPIs, then ``SERVICE.KPI`` for each of ``services`` (request, vehicle and staffing KPIs)."""
    from sim.staffing.costs import COST_KPI_KEYS
    from sim.model.metrics import KPI_KEYS
    from sim.staffing.duties import STAFFING_KPI_KEYS

    names = list(dict.fromkeys([*KPI_KEYS, *STAFFING_KPI_KEYS, *COST_KPI_KEYS]))
    for s in dict.fromkeys(services):
        names += [f"{s}.{k}" for k in service_kpi_names()]
    return names


def service_kpi_names() -> list[str]:
    """KPIs of one service (``SERVICE.KPI``): the request/vehicle KPIs and the staffing shares."""
    from sim.model.metrics import KPI_KEYS
    from sim.staffing.duties import STAFFING_SERVICE_KPI_KEYS

    return list(dict.fromkeys([*KPI_KEYS, *STAFFING_SERVICE_KPI_KEYS]))


def check_kpi_names(requested: Sequence[str], *, services: Sequence[str] = (), option: str) -> list[str]:
    """``requested`` KPI names, each checked against :func:`known_kpis` before anything runs.

    Raises
    ------
    InputError
        An unknown name; the message lists the valid names.
    """
    known = set(known_kpis(services))
    for k in requested:
        if k in known:
            continue
        service, _, name = k.rpartition(".")
        per = service_kpi_names()
        if service and name in per and service not in services:
            raise InputError(
                f"{option} {k!r}: a service's own KPI needs the service named with --service {service} "
                f"(services given: {', '.join(services) or '(none)'})"
            )
        given = f" ({', '.join(services)})" if services else ""
        raise InputError(
            f"{option} {k!r}: not a known KPI; valid: {', '.join(known_kpis())}; "
            f"and SERVICE.KPI for a service given with --service{given}, KPI one of: {', '.join(per)}"
        )
    return list(requested)


def check_kpis(requested: Sequence[str], available: Sequence[str], *, option: str) -> list[str]:
    """``requested`` KPIs, each checked against those the runs produced."""
    for k in requested:
        if k not in available:
            raise InputError(f"{option} {k!r}: not a KPI of these runs; available: {', '.join(available)}")
    return list(requested)


#: KPIs plotted and reported when none are chosen (those present are used).
DEFAULT_KPIS: tuple[str, ...] = ("wait_p90_s", "rejection_rate", "drivers_fte", "cost_per_trip_yen")


def default_kpis(available: Sequence[str], preferred: Sequence[str] = DEFAULT_KPIS) -> list[str]:
    """The preferred KPIs that the runs produced (the first KPI if none of them)."""
    chosen = [k for k in preferred if k in available]
    return chosen or list(available[:1])


def sweep(
    path: Path,
    axes: Sequence[Axis],
    out_dir: Path,
    *,
    replications: int,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    workers: int = 1,
    dask: Any = None,
    resume: bool = False,
    plot_kpis: Sequence[str] | None = None,
    services: Sequence[str] = (),
    figures: bool = True,
    progress: Progress | None = None,
) -> StudyResult:
    """Plan, run and report a full-grid sweep (tables, figures, ``report.md``).

    See :func:`run_study` for the options; ``plot_kpis`` (default :data:`DEFAULT_KPIS` present)
    chooses the KPIs drawn against each varied parameter; ``services`` adds those services' own
    KPIs as ``SERVICE.KPI`` columns.
    """
    if plot_kpis:
        check_kpi_names(plot_kpis, services=services, option="--plot")
    study = plan_sweep(path, axes, replications=replications, seed=seed, overrides=overrides, services=services)
    result = run_study(study, out_dir, workers=workers, dask=dask, resume=resume, progress=progress)
    chosen = check_kpis(plot_kpis, result.kpis, option="--plot") if plot_kpis else default_kpis(result.kpis)
    figs: list[Path] = []
    if figures:
        from sim.report.sweep_plots import plot_sweep

        figs = plot_sweep(study.keys, result.summaries, chosen, Path(out_dir) / "figures")
    from sim.report.studies import sweep_report

    report = Path(out_dir) / "report.md"
    write_text(report, sweep_report(result, chosen, figs))
    result.files += [*figs, report]
    return result


__all__ = [
    "Backend",
    "DaskBackend",
    "Execution",
    "Job",
    "Point",
    "PointSummary",
    "ProcessBackend",
    "RunRecord",
    "RunStore",
    "SerialBackend",
    "Study",
    "StudyResult",
    "check_kpi_names",
    "check_kpis",
    "collect",
    "default_kpis",
    "execute",
    "known_kpis",
    "kpi_names",
    "open_backend",
    "plan_study",
    "plan_sweep",
    "replication_seeds",
    "run_id",
    "run_job",
    "run_study",
    "runs_table",
    "scalar_kpis",
    "service_kpi_names",
    "summarise",
    "study_networks",
    "summary_table",
    "sweep",
    "write_tables",
]
