"""Parameter sweeps: a full grid of scenario variants, each with replications.

``python main.py sweep SCENARIO --vary KEY=v1,v2 ...`` plans the grid (:func:`plan_sweep`),
runs it on the study engine (:func:`sim.studies.summary.run_study`: run store, local/Dask back
ends, resume) with the one seed rule (:mod:`sim.studies.plan`: replication ``r`` is the same day
at every point) and writes ``runs.csv``, ``summary.csv`` and ``sweep.json``. The report
(``report.html``, ``report.md``, figures) is a separate step: :func:`sim.report.studies.write_sweep_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.studies.execute import Progress
from sim.studies.grid import Axis, grid_points
from sim.studies.plan import Study, plan_study
from sim.studies.summary import StudyResult, check_kpi_names, check_kpis, default_kpis, run_study


def plan_sweep(
    path: Path,
    axes: Sequence[Axis],
    *,
    replications: int,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    services: Sequence[str] = (),
) -> Study:
    """A full-grid study over ``axes`` (see :func:`sim.studies.plan.plan_study`)."""
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
    progress: Progress | None = None,
) -> StudyResult:
    """Plan and run a full-grid sweep and write its tables; ``result.chosen`` are the KPIs to report.

    See :func:`sim.studies.summary.run_study` for the options; ``plot_kpis`` (default
    :data:`~sim.studies.summary.DEFAULT_KPIS` present) are checked against the known KPIs before
    anything runs, and against the KPIs the runs produced after; ``services`` adds those
    services' own KPIs as ``SERVICE.KPI`` columns.
    """
    if plot_kpis:
        check_kpi_names(plot_kpis, services=services, option="--plot")
    study = plan_sweep(path, axes, replications=replications, seed=seed, overrides=overrides, services=services)
    result = run_study(study, out_dir, workers=workers, dask=dask, resume=resume, progress=progress)
    result.chosen = check_kpis(plot_kpis, result.kpis, option="--plot") if plot_kpis else default_kpis(result.kpis)
    return result


__all__ = ["plan_sweep", "sweep"]
