"""Summaries of a study: stored runs collected, replications summarised, tables written.

``runs.csv`` and ``summary.csv`` are rebuilt from the stored run files in a fixed order, so they
are identical, to the last digit, however the study ran (one process, a process pool, a Dask
cluster, interrupted and resumed). Confidence intervals are clipped to each KPI's physical
bounds (:mod:`sim.kpis`), here, once: every output (CSV, terminal, report) shows these.

Output files of a study directory
---------------------------------
``runs/*.json``
    One file per (point, replication): point values, replication, seed, scalar KPIs.
``runs.csv``
    One row per (point, replication): ``point``, the varied values, ``replication``, ``seed``,
    then every scalar KPI of ``metrics.json`` (dict-valued keys such as ``per_service`` are left
    out). With ``services=("choisoko",)`` the scalar KPIs of that service's ``per_service`` entry
    follow as ``choisoko.<kpi>`` columns.
``summary.csv``
    One row per point: ``point``, the varied values, ``n`` (replications), then for each KPI
    ``<kpi>_mean``, ``<kpi>_ci95_low``, ``<kpi>_ci95_high`` (Student t, :func:`sim.stats.mean_ci`,
    clipped to the KPI's bounds).
``<kind>.json``
    What was run: scenario, road network (name, ``synthetic`` flag, provenance), axes,
    replications, root seed, replication seeds and the seed rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim import kpis as registry
from sim.atomic import write_csv, write_json
from sim.errors import InputError
from sim.stats import Estimate, mean_ci
from sim.studies.execute import Backend, Execution, Progress, execute, open_backend
from sim.studies.grid import format_value
from sim.studies.plan import SEED_RULE, Point, Study
from sim.studies.store import RunRecord, RunStore, prepare_directory

#: Confidence level of the ``_ci95_`` columns.
LEVEL = 0.95

#: KPIs plotted and reported when none are chosen (those present are used).
DEFAULT_KPIS: tuple[str, ...] = ("wait_p90_s", "rejection_rate", "drivers_fte", "cost_per_trip_yen")


def estimate(kpi: str, values: Sequence[float | int | None], *, level: float = LEVEL) -> Estimate:
    """Mean and ``level`` interval of one KPI over replications, clipped to the KPI's physical bounds."""
    return mean_ci(values, level=level, bounds=registry.bounds(kpi))


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
    """Mean and clipped Student-t interval of every KPI at every point, replications in order."""
    out = []
    for pt in points:
        reps = sorted((r, rec) for (p, r), rec in records.items() if p == pt.index)
        ests = {k: estimate(k, [rec.value(k) for _, rec in reps], level=level) for k in kpis}
        out.append(PointSummary(pt, len(reps), ests))
    return out


def cell(value: Any) -> Any:
    """A CSV cell: ``""`` for missing/nan, ``repr`` of a float (every digit), other values as they are."""
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
            rows.append([pt.index, *_value_cells(study, pt), r, rec.seed, *(cell(rec.value(k)) for k in kpis)])
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
            row += [cell(e.mean), cell(e.low), cell(e.high)]
        rows.append(row)
    return header, rows


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
    chosen: list[str] = field(default_factory=list)  # KPIs the report and the terminal table show


def study_metadata(study: Study, *, kind: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The description of a study written to ``<kind>.json`` (``sweep``, ``size``, ``sensitivity``, ``compare``).

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
        "seed_rule": SEED_RULE,
        "confidence_level": LEVEL,
        **(dict(extra) if extra else {}),
    }


@dataclass(frozen=True, slots=True)
class Tables:
    """What :func:`write_tables` read and wrote: the stored records by (point, replication), the
    KPI names, the summary of each point and the files."""

    records: dict[tuple[int, int], RunRecord]
    kpis: list[str]
    summaries: list[PointSummary]
    files: list[Path]


def write_tables(out_dir: Path, study: Study, store: RunStore) -> Tables:
    """Rebuild ``runs.csv`` and ``summary.csv`` of ``study`` from the stored runs."""
    records = collect(study, store)
    ordered = [records[k] for k in sorted(records)]
    kpis = kpi_names(ordered, study.services)
    summaries = summarise(study.points, records, kpis)
    out_dir = Path(out_dir)
    write_csv(out_dir / "runs.csv", *runs_table(study, records, kpis))
    write_csv(out_dir / "summary.csv", *summary_table(study, summaries, kpis))
    return Tables(records, kpis, summaries, [out_dir / "runs.csv", out_dir / "summary.csv"])


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
        From :func:`sim.studies.sweep.plan_sweep` or :func:`sim.studies.plan.plan_study`.
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
    t = write_tables(out_dir, study, store)
    return StudyResult(out_dir, study, t.records, t.kpis, t.summaries, execution, [meta, *t.files])


# --------------------------------------------------------------------------- KPI names asked for


def known_kpis(services: Sequence[str] = ()) -> list[str]:
    """Every KPI name a study can report: the registry (:mod:`sim.kpis`), then ``SERVICE.KPI``
    for each of ``services`` (the registry's per-service KPIs)."""
    names = list(registry.names())
    for s in dict.fromkeys(services):
        names += [f"{s}.{k}" for k in service_kpi_names()]
    return names


def service_kpi_names() -> list[str]:
    """KPIs of one service (``SERVICE.KPI``): the registry's per-service KPIs."""
    return list(registry.names(per_service=True))


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


def default_kpis(available: Sequence[str], preferred: Sequence[str] = DEFAULT_KPIS) -> list[str]:
    """The preferred KPIs that the runs produced (the first KPI if none of them)."""
    chosen = [k for k in preferred if k in available]
    return chosen or list(available[:1])


__all__ = [
    "DEFAULT_KPIS",
    "LEVEL",
    "PointSummary",
    "StudyResult",
    "Tables",
    "cell",
    "check_kpi_names",
    "check_kpis",
    "collect",
    "default_kpis",
    "estimate",
    "known_kpis",
    "kpi_names",
    "run_study",
    "runs_table",
    "service_kpi_names",
    "study_metadata",
    "summarise",
    "summary_table",
    "write_tables",
]
