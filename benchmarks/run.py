"""Benchmarks: ``python benchmarks/run.py [--case NAME] [--demand CSV]``.

Cases
-----
sodegaura-baseline
    The Sodegaura baseline scenario (today's チョイソコがうら).
tachikawa-20k
    20,000 requests, 100 door-to-door vehicles of capacity 8, 06:00–22:00 on the real OSM
    network of Tachikawa (``benchmarks/tachikawa-20k.toml``). ``--demand CSV`` replaces its
    generated demand with a CSV in the documented demand format.

Prints one JSON object per case: ``case, requests, vehicles, served, wait_p50_s, wait_p90_s,
wall_s`` (simulation only: demand, service set-up, dispatch and engine, metrics), ``load_s``
(network loading), ``staffing_costs_s`` (run-cutting and costs after the simulation),
``requests_per_s`` and ``peak_rss_mb`` (peak resident memory of the process).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sim.run.runner import NetworkCache, run_scenario  # noqa: E402
from sim.scenario.schema import load_scenario  # noqa: E402

CASES = {
    "sodegaura-baseline": REPO / "scenarios" / "sodegaura" / "baseline.toml",
    "tachikawa-20k": REPO / "benchmarks" / "tachikawa-20k.toml",
}


def run_case(name: str, demand_csv: Path | None) -> dict[str, object]:
    """Run one case and return its figures."""
    overrides = [f'demand.csv="{demand_csv.resolve()}"'] if demand_csv is not None and name == "tachikawa-20k" else []
    scenario, base = load_scenario(CASES[name], overrides=overrides)
    cache = NetworkCache()
    t0 = time.perf_counter()
    cache.get(scenario.network.source, base)
    load_s = time.perf_counter() - t0
    result = run_scenario(scenario, base, networks=cache)
    t = result.timings_s
    wall_s = t["demand_s"] + t["setup_s"] + t["simulate_s"] + t["metrics_s"]
    m = result.metrics
    return {
        "case": name,
        "requests": m["requests_total"],
        "vehicles": m["vehicles"],
        "served": m["requests_served"],
        "wait_p50_s": None if m["wait_p50_s"] is None else round(m["wait_p50_s"], 1),
        "wait_p90_s": None if m["wait_p90_s"] is None else round(m["wait_p90_s"], 1),
        "wall_s": round(wall_s, 2),
        "load_s": round(load_s, 2),
        "staffing_costs_s": round(t["staffing_costs_s"], 2),
        "requests_per_s": round(m["requests_total"] / wall_s, 1) if wall_s > 0 else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append", help="case to run (repeatable; default all)")
    parser.add_argument("--demand", type=Path, help="demand CSV replacing tachikawa-20k's generated demand")
    args = parser.parse_args(argv)
    for name in args.case or list(CASES):
        print(json.dumps(run_case(name, args.demand), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
