"""Benchmarks: ``python benchmarks/run.py [--case NAME] [--demand CSV]``.

Cases
-----
sodegaura-baseline
    The Sodegaura baseline scenario (today's チョイソコがうら).
tachikawa-20k
    20,000 requests, 100 door-to-door vehicles of capacity 8, 06:00–22:00 on the real OSM
    network of Tachikawa (``benchmarks/tachikawa-20k.toml``). ``--demand CSV`` replaces its
    generated demand with a CSV in the documented demand format.
tachikawa-20k-traffic
    ``tachikawa-20k`` with travel times that vary: +30 % at 07-09 and 17-19, edge-time CV 0.2
    (an illustrative ASSUMPTION, ``benchmarks/tachikawa-20k-traffic.toml``).
tachikawa-200k
    City scale (issue 15): 200,000 requests, 1,000 vehicles of capacity 8, 06:00–22:00 on
    Tachikawa (``benchmarks/tachikawa-200k.toml``). Run only on request (``--case``).
grid-50k
    A generated 224 × 224 road grid (50,176 nodes, ``benchmarks/grid.py``, written to
    ``networks/cache/`` on first use), 100,000 requests, 500 vehicles, travel-time cache bounded
    at 2,000 rows (``network.cache_rows``; ``benchmarks/grid-50k.toml``). Run only on request.
tachikawa-peer
    The comparison with SUMO's taxi dispatch: 500 immediate requests 07:00–11:00, 20 vehicles
    of capacity 8 from one depot (``benchmarks/tachikawa-peer.toml``).

``--set KEY=VALUE`` (repeatable) overrides a scenario key in every case, as ``main.py run --set``
does; ``--old-objective`` sets every DRT service to the objective before issue 11
(``keep_promises=false``, ``delay_cost_weight=0``, ``ride_cost_weight=0``).

Prints one JSON object per case: ``case, requests, vehicles, served, wait_p50_s, wait_p90_s,
wait_p95_s, wait_mean_s, ride_direct_p50`` (median ride ÷ direct of served requests),
``ride_direct_mean, vehicle_km, promise_breaches, wall_s`` (simulation only: demand, service
set-up, dispatch and engine, metrics), ``sim_cpu_s`` (``time.process_time`` of the same span),
``cpu_s`` (CPU seconds of the whole run, staffing and costs included: on a busy machine wall
time exceeds it), ``load_s``/``load_cpu_s`` (network loading), ``staffing_costs_s``/
``staffing_costs_cpu_s`` (run-cutting and costs after the simulation),
``requests_per_s`` and ``peak_rss_mb`` (peak resident memory of the process).

``--check`` runs a case (default ``tachikawa-20k`` cut to 3,000 requests and 15 vehicles, or the
``--case`` given, with the ``--set`` overrides) twice, with ``insertion_search = "compiled"`` and
``"python"`` (the reference), and prints whether every request, leg, vehicle move and vehicle
record and every metric are identical, with the CPU seconds of each run (``*_cpu_s``: the whole
run; ``*_sim_cpu_s``: the simulation); exit code 1 if not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from benchmarks.grid import ensure_grid  # noqa: E402
from sim.model.eventlog import Outcome  # noqa: E402
from sim.run.runner import NetworkCache, run_scenario  # noqa: E402
from sim.scenario.schema import load_scenario  # noqa: E402

CASES = {
    "sodegaura-baseline": REPO / "scenarios" / "sodegaura" / "baseline.toml",
    "tachikawa-20k": REPO / "benchmarks" / "tachikawa-20k.toml",
    "tachikawa-peer": REPO / "benchmarks" / "tachikawa-peer.toml",
    "tachikawa-20k-traffic": REPO / "benchmarks" / "tachikawa-20k-traffic.toml",
    "tachikawa-200k": REPO / "benchmarks" / "tachikawa-200k.toml",
    "grid-50k": REPO / "benchmarks" / "grid-50k.toml",
}

#: The dispatcher before issue 11: no promise windows, vehicle time + the new rider's wait.
OLD_OBJECTIVE = ("keep_promises=false", "delay_cost_weight=0", "ride_cost_weight=0")


def run_case(name: str, demand_csv: Path | None, sets: list[str], old_objective: bool) -> dict[str, object]:
    """Run one case and return its figures."""
    overrides = [f'demand.csv="{demand_csv.resolve()}"'] if demand_csv is not None and name.startswith("tachikawa-20k") else []
    overrides += sets
    if old_objective:
        scenario, _ = load_scenario(CASES[name], overrides=overrides)
        drts = [n for n, s in scenario.services.items() if s.kind == "drt"]
        overrides += [f"services.{d}.{o}" for d in drts for o in OLD_OBJECTIVE]
    if name == "grid-50k":
        ensure_grid()
    scenario, base = load_scenario(CASES[name], overrides=overrides)
    cache = NetworkCache()
    t0, c0 = time.perf_counter(), time.process_time()
    cache.get(scenario.network.source, base)
    load_s, load_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    cpu0 = time.process_time()
    result = run_scenario(scenario, base, networks=cache)
    t = result.timings_s
    wall_s = t["demand_s"] + t["setup_s"] + t["simulate_s"] + t["metrics_s"]
    cpu_s = time.process_time() - cpu0  # the whole run: simulation, staffing and costs
    m = result.metrics
    detour = np.array([r.detour for r in result.log.requests if r.outcome is Outcome.SERVED], dtype=float)

    def r1(key: str) -> float | None:
        return None if m[key] is None else round(m[key], 1)

    return {
        "case": name + (" (old objective)" if old_objective else ""),
        "requests": m["requests_total"],
        "vehicles": m["vehicles"],
        "served": m["requests_served"],
        "wait_p50_s": r1("wait_p50_s"),
        "wait_p90_s": r1("wait_p90_s"),
        "wait_p95_s": r1("wait_p95_s"),
        "wait_mean_s": r1("wait_mean_s"),
        "ride_direct_p50": round(float(np.median(detour)), 3) if detour.size else None,
        "ride_direct_mean": round(float(detour.mean()), 3) if detour.size else None,
        "vehicle_km": r1("vehicle_km"),
        "promise_breaches": m["promise_breaches"],
        "wall_s": round(wall_s, 2),
        "sim_cpu_s": round(t["cpu_s"], 2),
        "cpu_s": round(cpu_s, 2),
        "load_s": round(load_s, 2),
        "load_cpu_s": round(load_cpu_s, 2),
        "staffing_costs_s": round(t["staffing_costs_s"], 2),
        "staffing_costs_cpu_s": round(t["staffing_costs_cpu_s"], 2),
        "requests_per_s": round(m["requests_total"] / wall_s, 1) if wall_s > 0 else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "_digest": _digest(result),
    }


def _digest(result: object) -> str:
    """SHA-256 over every request, leg, vehicle move and vehicle record of a run and its metrics."""
    h = hashlib.sha256()
    log = result.log  # type: ignore[attr-defined]
    for part in (log.requests, log.legs, log.moves, log.vehicles):
        for rec in part:
            h.update(repr(rec).encode())
        h.update(b"|")
    h.update(repr(sorted(result.metrics.items())).encode())  # type: ignore[attr-defined]
    return h.hexdigest()


#: The smaller case ``--check`` runs when no ``--case`` is given.
CHECK_CASE = ("tachikawa-20k", ["demand.requests_per_day=3000", "services.drt.fleet_size=15"])


def check(cases: list[str] | None, sets: list[str]) -> int:
    """Run each case with the compiled and the reference insertion search; 0 if identical."""
    runs = [(c, sets) for c in cases] if cases else [(CHECK_CASE[0], CHECK_CASE[1] + sets)]
    bad = 0
    for name, extra in runs:
        scenario, _ = load_scenario(CASES[name], overrides=extra)
        drts = [n for n, s in scenario.services.items() if s.kind == "drt"]
        out = {}
        for how in ("compiled", "python"):
            c0 = time.process_time()
            r = run_case(name, None, extra + [f'services.{d}.insertion_search="{how}"' for d in drts], False)
            out[how] = (r["_digest"], round(time.process_time() - c0, 2), r["served"], r["sim_cpu_s"])
        same = out["compiled"][0] == out["python"][0]
        bad += not same
        print(json.dumps({"check": name, "overrides": extra, "identical": same, "served": out["compiled"][2],
                          "compiled_cpu_s": out["compiled"][1], "python_cpu_s": out["python"][1],
                          "compiled_sim_cpu_s": out["compiled"][3], "python_sim_cpu_s": out["python"][3]}), flush=True)
    return 1 if bad else 0


#: Cases run when no ``--case`` is given (the others on request).
DEFAULT_CASES = ("sodegaura-baseline", "tachikawa-20k", "tachikawa-peer")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append", help="case to run (repeatable; default all)")
    parser.add_argument("--demand", type=Path, help="demand CSV replacing tachikawa-20k's generated demand")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="scenario override KEY=VALUE")
    parser.add_argument("--old-objective", action="store_true", help="the dispatcher objective before issue 11")
    parser.add_argument("--check", action="store_true", help="compare the compiled search with the reference")
    args = parser.parse_args(argv)
    if args.check:
        return check(args.case, args.sets)
    for name in args.case or list(DEFAULT_CASES):
        row = run_case(name, args.demand, args.sets, args.old_objective)
        row.pop("_digest")
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
