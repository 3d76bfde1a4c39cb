"""Memory per request: ``python benchmarks/memory.py [--requests 500 2000] [--case tachikawa-peer]``.

Runs the case's scenario (default ``tachikawa-peer``: door-to-door DRT on the real Tachikawa
network) with ``demand.requests_per_day = N`` and the fleet scaled to one vehicle per 25
requests, once per N, each in a fresh child process, and prints one JSON line per N:

* ``log_bytes`` — what the finished day's event log keeps (:class:`~sim.model.eventlog.EventLog`:
  request, leg, vehicle-move and vehicle records with the numbers and strings they own; shared
  objects such as interned service names are counted once), by record type
  (``requests_bytes``, ``legs_bytes``, ``moves_bytes``, ``vehicles_bytes``) and per request
  (``log_bytes_per_request``); ``moves`` and ``legs`` counts;
* ``demand_bytes_per_request`` — the demand records (:class:`~sim.demand.generate.Request`);
* ``traced_peak_mb`` — the peak of Python allocations (tracemalloc) while the day was simulated,
  network loading excluded (travel-time rows of the oracle included: they grow with the nodes
  visited, not with requests, and are bounded by ``network.cache_rows``);
* ``peak_rss_mb`` of the child, ``cpu_s`` and ``wall_s`` of the run (tracing slows it ≈ 2×).

A last line gives the slope between the two largest N: ``marginal_log_bytes_per_request`` and
``marginal_peak_bytes_per_request`` (fixed costs cancel out).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CASES = {"tachikawa-peer": REPO / "benchmarks" / "tachikawa-peer.toml", "sodegaura-baseline": REPO / "scenarios" / "sodegaura" / "baseline.toml"}


def deep_bytes(objs: list[Any], seen: set[int]) -> int:
    """Bytes of ``objs`` and everything they reference through ``__slots__``/containers, each object
    once (``seen`` holds the ids already counted, shared across calls)."""
    total = 0
    stack = list(objs)
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        else:
            for cls in type(obj).__mro__:
                for name in getattr(cls, "__slots__", ()):
                    if hasattr(obj, name):
                        stack.append(getattr(obj, name))
    return total


def measure(case: str, n: int) -> dict[str, Any]:
    """One run of ``case`` with ``n`` requests (in this process)."""
    from sim.run.runner import NetworkCache, run_scenario
    from sim.scenario.schema import load_scenario

    path = CASES[case]
    scenario, base = load_scenario(path)
    drt = [k for k, s in scenario.services.items() if s.kind == "drt"]
    fleet = max(1, n // 25)
    overrides = [f"demand.requests_per_day={n}", "demand.model=\"fixed\""] if case != "tachikawa-peer" else [f"demand.requests_per_day={n}"]
    overrides += [f"services.{d}.fleet_size={fleet}" for d in drt[:1]]
    scenario, base = load_scenario(path, overrides=overrides)
    cache = NetworkCache()
    cache.get(scenario.network.source, base)
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_scenario(scenario, base, networks=cache)
    cpu_s, wall_s = time.process_time() - c0, time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    log = result.log
    seen: set[int] = {id(None), id(True), id(False)}
    parts = {name: deep_bytes([getattr(log, name)], seen) for name in ("requests", "legs", "moves", "vehicles")}
    requests = max(1, len(log.requests))
    demand = deep_bytes(list(result.demand), set())
    total = sum(parts.values())
    return {
        "case": case,
        "requests": len(log.requests),
        "vehicles": len(log.vehicles),
        "legs": len(log.legs),
        "moves": len(log.moves),
        "log_bytes": total,
        **{f"{k}_bytes": v for k, v in parts.items()},
        "log_bytes_per_request": round(total / requests),
        "demand_bytes_per_request": round(demand / max(1, len(result.demand))),
        "traced_peak_mb": round(peak / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "cpu_s": round(cpu_s, 2),
        "wall_s": round(wall_s, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--case", choices=sorted(CASES), default="tachikawa-peer")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child: measure one N
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.case, args.one)), flush=True)
        return 0
    rows = []
    for n in args.requests:
        out = subprocess.run([sys.executable, __file__, "--case", args.case, "--one", str(n)], check=True, capture_output=True, text=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    if len(rows) >= 2:
        a, b = rows[-2], rows[-1]
        dn = max(1, b["requests"] - a["requests"])
        print(json.dumps({
            "marginal_log_bytes_per_request": round((b["log_bytes"] - a["log_bytes"]) / dn),
            "marginal_peak_bytes_per_request": round((b["traced_peak_mb"] - a["traced_peak_mb"]) * 2**20 / dn),
        }), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
