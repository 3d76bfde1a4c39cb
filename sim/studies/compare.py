"""Comparisons: several scenarios on the same demand, side by side — a study on the shared engine.

``python main.py compare A.toml B.toml ...`` plans one point per scenario file
(:func:`plan_compare`) and runs it like every study: the run store (``--resume``), the local
process pool (``--workers``) or Dask (``--dask``), and the one seed rule of
:mod:`sim.studies.plan` (replication 0 of root seed ``s`` is ``run --seed s``).

Every scenario of a comparison sees the same requests: for replication ``r`` they are generated
from the **first** scenario's demand settings and the replication's seed. A scenario whose demand
settings equal the first's runs exactly as ``run`` would (so ``compare --replications 1 --seed s``
gives the first scenario's ``run --seed s``, and replication ``r`` of a scenario is replication
``r`` of a sweep point with that scenario). The first replication's full results directory is
written to ``OUT/<scenario name>/`` for the report (the name made one safe folder name by
:func:`sim.paths.safe_component`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.atomic import write_csv, write_json
from sim.errors import InputError
from sim.paths import safe_component
from sim.stats import Estimate
from sim.studies.execute import Execution, Progress, execute, open_backend
from sim.studies.plan import Point, Study, replication_seeds, study_networks
from sim.studies.store import RunRecord, prepare_directory
from sim.studies.summary import PointSummary, collect, kpi_names, study_metadata, summarise


def _embedded(source: str) -> bool:
    return "/" not in source and "." not in source and not source.startswith("place:")


def _same_demand(sc: Any, base: Path, first: Any, first_base: Path) -> bool:
    """Whether ``sc`` would generate exactly the first scenario's requests from the same seed."""
    if sc.demand != first.demand:
        return False
    return not sc.demand.csv or Path(base) == Path(first_base)


def plan_compare(
    paths: Sequence[Path],
    *,
    replications: int = 1,
    seed: int | None = None,
    overrides: Sequence[str] = (),
) -> Study:
    """Load and check every scenario of a comparison (one study point each) before anything runs.

    ``seed`` is the root seed (default: the first scenario's ``seed``).

    Raises
    ------
    InputError
        Two scenarios with the same name, or scenarios on different networks.
    ScenarioError
        A scenario file that does not validate.
    """
    from sim.scenario.schema import load_scenario

    if not paths:
        raise InputError("compare: give at least one scenario file")
    loaded = []
    for p in paths:
        sc, base = load_scenario(Path(p), overrides=list(overrides))
        loaded.append((sc, Path(base), Path(p)))
    names = [sc.name for sc, _, _ in loaded]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"compare: scenario name {dupes[0]!r} is used by more than one file; names must be unique")
    folders = [safe_component(n) for n in names]
    clash = sorted({n for n, f in zip(names, folders) if folders.count(f) > 1})
    if clash:
        raise InputError(
            f"compare: scenario names {', '.join(map(repr, clash))} give the same folder name "
            f"{safe_component(clash[0])!r}; rename one"
        )
    nets = {sc.network.source if _embedded(sc.network.source) else (sc.network.source, str(base)) for sc, base, _ in loaded}
    if len(nets) > 1:
        raise InputError(
            "compare: all scenarios must use the same network (network.source); got " + ", ".join(sorted(map(str, nets)))
        )
    first, first_base, _ = loaded[0]
    points = tuple(
        Point(
            index=i,
            overrides={},
            row={"scenario": sc.name},
            scenario=sc,
            source=path,
            base_dir=base,
            demand_from=None if _same_demand(sc, base, first, first_base) else first,
        )
        for i, (sc, base, path) in enumerate(loaded)
    )
    root = first.seed if seed is None else seed
    return Study(
        source=Path(paths[0]),
        keys=("scenario",),
        points=points,
        root_seed=root,
        seeds=tuple(replication_seeds(root, replications)),
        fixed=tuple(overrides),
        networks=study_networks([(sc, base) for sc, base, _ in loaded]),
    )


@dataclass(slots=True)
class Comparison:
    """The outcome of a comparison: per scenario, the summary over replications and every run."""

    out_dir: Path
    study: Study
    summaries: list[PointSummary]
    records: dict[tuple[int, int], RunRecord]
    kpis: list[str]
    execution: Execution
    files: list[Path] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Scenario names in file order."""
        return [p.scenario.name for p in self.study.points]

    @property
    def descriptions(self) -> list[str]:
        """Scenario descriptions in file order."""
        return [p.scenario.description for p in self.study.points]

    @property
    def seeds(self) -> list[int]:
        """Seed of each replication."""
        return list(self.study.seeds)

    def estimates(self, name: str) -> dict[str, Estimate]:
        """Mean and clipped 95% confidence interval of every KPI of scenario ``name``."""
        return next(s.estimates for s in self.summaries if s.point.scenario.name == name)


def run_comparison(
    paths: Sequence[Path],
    *,
    out: Path,
    replications: int = 1,
    seed: int | None = None,
    overrides: Sequence[str] | None = None,
    workers: int = 1,
    dask: Any = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> Comparison:
    """Run every scenario on the same demand, ``replications`` times; write the comparison.

    Writes ``out/<scenario>/`` (the results of replication 0), ``out/comparison.csv``,
    ``out/compare.json``, ``out/runs/`` and, with several replications, ``out/replications.csv``.
    Without ``resume`` stored runs of an earlier comparison in ``out`` are discarded (like
    ``run``, ``compare`` rewrites its directory); with it they are reused.
    """
    study = plan_compare(paths, replications=replications, seed=seed, overrides=overrides or ())
    out = Path(out)
    store = prepare_directory(out, resume=resume, replace=True)
    meta = out / "compare.json"
    write_json(meta, study_metadata(study, kind="compare"))
    jobs = []
    for pt in study.points:
        for r in range(study.replications):
            results_dir = out / safe_component(pt.scenario.name) if r == 0 else None
            job = study.job(pt, r, results_dir=results_dir)
            if results_dir is not None and not (results_dir / "metrics.json").is_file():
                store.discard(job.run_id)  # its results directory is missing: run it again
            jobs.append(job)
    with open_backend(workers=workers, dask=dask) as backend:
        execution = execute(jobs, store, backend, progress=progress)
    records = collect(study, store)
    kpis = kpi_names([records[k] for k in sorted(records)])
    summaries = summarise(study.points, records, kpis)
    comp = Comparison(out, study, summaries, records, kpis, execution, [meta])
    comp.files += write_comparison(comp, out)
    return comp


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    x = float(v)
    return "" if math.isnan(x) else round(x, 6)


def write_comparison(comp: Comparison, out: Path) -> list[Path]:
    """``comparison.csv`` (one row per scenario: the mean of each KPI, and with replications its
    95% interval, clipped to the KPI's bounds), ``comparison.xlsx`` (the same means with units and
    the scenarios' tables, :mod:`sim.interop.excel`) and ``replications.csv`` (one row per scenario
    and replication); values rounded to 6 decimals."""
    n = comp.study.replications
    header = ["scenario", "description", "replications"]
    for k in comp.kpis:
        header.append(k)
        if n > 1:
            header += [f"{k}_ci95_low", f"{k}_ci95_high"]
    rows = []
    for s in comp.summaries:
        row: list[Any] = [s.point.scenario.name, s.point.scenario.description, n]
        for k in comp.kpis:
            e = s.estimates[k]
            row.append(_cell(e.mean))
            if n > 1:
                row += [_cell(e.low), _cell(e.high)]
        rows.append(row)
    files = [out / "comparison.csv"]
    write_csv(files[0], header, rows)
    # the same table for Excel, with the tables of each scenario's results directory (sim/interop/excel.py)
    from sim.interop.excel import write_comparison_workbook

    means = {s.point.scenario.name: {k: e.mean for k, e in s.estimates.items()} for s in comp.summaries}
    files.append(out / "comparison.xlsx")
    write_comparison_workbook(comp.names, means, {name: out / name for name in comp.names}, files[-1])
    if n > 1:
        files.append(out / "replications.csv")
        write_csv(
            files[-1],
            ["scenario", "replication", "seed", *comp.kpis],
            (
                [pt.scenario.name, r, comp.study.seeds[r], *(_cell(rec.value(k)) for k in comp.kpis)]
                for pt in comp.study.points
                for r in range(n)
                if (rec := comp.records.get((pt.index, r))) is not None
            ),
        )
    return files


__all__ = ["Comparison", "plan_compare", "run_comparison", "write_comparison"]
