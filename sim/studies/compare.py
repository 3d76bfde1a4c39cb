"""Comparisons: several scenarios on the same demand, side by side, with replications.

Every scenario of a comparison sees the same requests: for replication ``r`` the demand is
generated once, from the first scenario's demand settings and the replication's seed, and fed to
every scenario, which also runs with that seed. With one replication the seed is the first
scenario's; with ``N`` replications the seeds come from ``SeedSequence(seed).spawn(N)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.atomic import write_csv
from sim.errors import InputError
from sim.paths import safe_component
from sim.run.results import write_results
from sim.run.runner import NetworkCache, RunResult, build_demand, prepare_zones, run_scenario, seed_streams
from sim.scenario.schema import Scenario, load_scenario
from sim.stats import Estimate, mean_ci


def scalar_kpis(metrics: dict[str, Any]) -> dict[str, float]:
    """The numeric top-level KPIs of a ``metrics.json`` (``seed`` excluded), ``None`` as ``nan``."""
    out: dict[str, float] = {}
    for k, v in metrics.items():
        if k == "seed" or isinstance(v, (bool, dict, list, str)):
            continue
        if v is None:
            out[k] = math.nan
        elif isinstance(v, (int, float)):
            out[k] = float(v)
    return out


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds of the replications: the seed itself for one, else independent spawned seeds."""
    if replications < 1:
        raise InputError(f"--replications {replications}: must be at least 1")
    if replications == 1:
        return [seed]
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(replications)]


@dataclass(slots=True)
class Comparison:
    """The outcome of a comparison: per scenario, the KPIs of every replication."""

    names: list[str]
    descriptions: list[str]
    seeds: list[int]
    kpis: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    first_runs: dict[str, RunResult] = field(default_factory=dict)

    def estimates(self, name: str) -> dict[str, Estimate]:
        """Mean and 95% confidence interval of every KPI of scenario ``name``."""
        runs = self.kpis[name]
        keys = list(dict.fromkeys(k for run in runs for k in run))
        return {k: mean_ci([run.get(k, math.nan) for run in runs]) for k in keys}


def _load_all(paths: Sequence[Path], overrides: list[str]) -> list[tuple[Scenario, Path, Path]]:
    loaded = []
    for p in paths:
        sc, base = load_scenario(p, overrides=overrides)
        loaded.append((sc, base, p))
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
    nets = {(sc.network.source, str(base)) if not _embedded(sc.network.source) else sc.network.source for sc, base, _ in loaded}
    if len(nets) > 1:
        raise InputError(
            "compare: all scenarios must use the same network (network.source); got " + ", ".join(sorted(map(str, nets)))
        )
    return loaded


def _embedded(source: str) -> bool:
    return "/" not in source and "." not in source and not source.startswith("place:")


def run_comparison(
    paths: Sequence[Path],
    *,
    out: Path,
    replications: int = 1,
    overrides: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Run every scenario on the same demand, ``replications`` times; write the comparison.

    Writes ``out/<scenario>/`` (the results of the first replication; the folder name is the
    scenario name made safe by :func:`sim.paths.safe_component`), ``out/comparison.csv``
    and, with several replications, ``out/replications.csv``.
    """
    loaded = _load_all(paths, overrides or [])
    first, first_base, first_path = loaded[0]
    seeds = replication_seeds(first.seed, replications)
    cache = NetworkCache()
    comp = Comparison([sc.name for sc, _, _ in loaded], [sc.description for sc, _, _ in loaded], seeds)
    for rep, seed in enumerate(seeds):
        net = cache.get(first.network.source, first_base)
        demand_rng, _ = seed_streams(seed)
        zones = prepare_zones(first, net, demand_rng)
        demand = build_demand(first, net, first_base, demand_rng, zones, source=str(first_path))
        for sc, base, path in loaded:
            if progress is not None:
                progress(f"replication {rep + 1}/{len(seeds)}: {sc.name}")
            result = run_scenario(sc, base, seed=seed, networks=cache, demand=demand, source=str(path))
            comp.kpis.setdefault(sc.name, []).append(scalar_kpis(result.metrics))
            if rep == 0:
                write_results(result, out / safe_component(sc.name))
                comp.first_runs[sc.name] = result
    write_comparison(comp, out)
    return comp


def _cell(v: float) -> Any:
    return "" if math.isnan(v) else round(v, 6)


def write_comparison(comp: Comparison, out: Path) -> None:
    """``comparison.csv`` (one row per scenario: the mean of each KPI, and with replications its
    95% interval) and ``replications.csv`` (one row per scenario and replication)."""
    keys = list(dict.fromkeys(k for name in comp.names for run in comp.kpis[name] for k in run))
    n = len(comp.seeds)
    header = ["scenario", "description", "replications"]
    for k in keys:
        header.append(k)
        if n > 1:
            header += [f"{k}_ci95_low", f"{k}_ci95_high"]
    rows = []
    for name, desc in zip(comp.names, comp.descriptions):
        est = comp.estimates(name)
        row: list[Any] = [name, desc, n]
        for k in keys:
            e = est.get(k)
            row.append(_cell(e.mean) if e else "")
            if n > 1:
                row += [_cell(e.low) if e else "", _cell(e.high) if e else ""]
        rows.append(row)
    write_csv(out / "comparison.csv", header, rows)
    if n > 1:
        write_csv(
            out / "replications.csv",
            ["scenario", "replication", "seed", *keys],
            (
                [name, r, comp.seeds[r], *(_cell(run.get(k, math.nan)) for k in keys)]
                for name in comp.names
                for r, run in enumerate(comp.kpis[name])
            ),
        )
