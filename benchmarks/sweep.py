"""Sweep scaling benchmark: ``python benchmarks/sweep.py [--workers 1 2] [--requests N]``.

Runs a 40-run sweep of the Sodegaura baseline (``services.choisoko.fleet_size=2,3,4,5`` × 10
replications) once per worker count, each into a fresh temporary directory, and prints one JSON
object per worker count: ``workers, runs, wall_s`` (the whole sweep: planning, worker start-up,
runs, tables; no figures), ``runs_per_s``, ``speedup`` (against the first worker count),
``mean_run_s`` (mean wall time of one run inside its worker), ``cpu_s`` (CPU seconds of this
process and its workers), ``load_avg_1min`` (the machine's load when the sweep ended: other work
competing for the CPUs) and ``identical`` (``runs.csv`` and ``summary.csv`` byte-identical to the
first worker count's).

``--requests N`` sets ``demand.requests_per_day`` (default: the baseline's) to make each run
heavier, which shows how the pool scales once runs, not start-up, dominate.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sim.studies.grid import parse_axes  # noqa: E402
from sim.scenario.schema import load_scenario  # noqa: E402
from sim.studies.summary import run_study  # noqa: E402
from sim.studies.sweep import plan_sweep  # noqa: E402

BASELINE = REPO / "scenarios" / "sodegaura" / "baseline.toml"
GRID = ["services.choisoko.fleet_size=2,3,4,5"]
REPLICATIONS = 10


def _cpu_s() -> float:
    """User + system CPU seconds of this process and its finished children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def bench(workers: int, requests: int | None, out: Path) -> dict[str, object]:
    """Run the 40-run sweep with ``workers`` processes into ``out`` and return its figures."""
    overrides = [f"demand.requests_per_day={requests}"] if requests else []
    c0 = _cpu_s()
    t0 = time.perf_counter()
    study = plan_sweep(BASELINE, parse_axes(GRID), replications=REPLICATIONS, overrides=overrides)
    result = run_study(study, out, workers=workers)
    wall = time.perf_counter() - t0
    cpu = _cpu_s() - c0
    runs = len(result.records)
    elapsed = [r.elapsed_s for r in result.records.values()]
    return {
        "workers": workers,
        "requests_per_day": requests or load_scenario(BASELINE)[0].demand.requests_per_day,
        "runs": runs,
        "wall_s": round(wall, 2),
        "runs_per_s": round(runs / wall, 2),
        "mean_run_s": round(sum(elapsed) / len(elapsed), 3),
        "cpu_s": round(cpu, 2),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    parser.add_argument("--requests", type=int, default=None, help="demand.requests_per_day (default: the baseline's)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        first: dict[str, object] | None = None
        first_tables: tuple[bytes, bytes] | None = None
        for w in args.workers:
            out = Path(tmp) / f"w{w}"
            row = bench(w, args.requests, out)
            tables = ((out / "runs.csv").read_bytes(), (out / "summary.csv").read_bytes())
            if first is None:
                first, first_tables = row, tables
            row["speedup"] = round(float(first["wall_s"]) / float(row["wall_s"]), 2)  # type: ignore[arg-type]
            row["identical"] = tables == first_tables
            if not row["identical"] and first_tables is not None:
                a = first_tables[0].decode().splitlines()
                b = tables[0].decode().splitlines()
                row["differing_runs_csv_lines"] = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
            row["cpus"] = os.cpu_count()
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
