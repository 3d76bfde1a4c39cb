"""Run-cutting benchmark: ``python benchmarks/runcut.py [--vehicles N] [--check]``.

Cuts a synthetic day of vehicle blocks into driver duties under the default 2024 rules
(``rules_for(Role.DRIVER, StaffingConfig())``) and prints one JSON line: ``case, vehicles,
blocks, pieces_max, duties, violations, paid_h, cpu_s`` (``time.process_time``) and ``wall_s``.

The day (:func:`synthetic_blocks`) is generated deterministically from ``--seed`` (default 15):
vehicles pull out between 05:30 and 09:30 and pull in between 13:00 and 22:30 (a third of them
are peak-only and pull in by 11:00 or out after 15:00), alternating drives of 5–30 min with
stands of 1–20 min at stops or the depot; every stand end is a relief point, thinned as in
``sim/staffing/duties.py`` to one per 5 minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sim.scenario.staffing import StaffingConfig
from sim.staffing.duties import Role, rules_for
from sim.staffing.runcut import Block, Relief, cut_duties

M = 60.0


def synthetic_blocks(vehicles: int, seed: int = 15) -> list[Block]:
    """A deterministic day of ``vehicles`` blocks (seconds since midnight); see the module docstring."""
    rng = np.random.default_rng(seed)
    blocks = []
    for v in range(vehicles):
        kind = int(rng.integers(0, 3))
        if kind == 0:  # morning peak only
            start, end = float(rng.integers(330, 420)) * M, float(rng.integers(600, 660)) * M
        elif kind == 1:  # evening peak only
            start, end = float(rng.integers(900, 960)) * M, float(rng.integers(1140, 1350)) * M
        else:  # all day
            start, end = float(rng.integers(330, 570)) * M, float(rng.integers(780, 1350)) * M
        t = start
        drives: list[tuple[float, float]] = []
        reliefs: list[Relief] = []
        last_relief = -1e9
        while True:
            d = float(rng.integers(5, 31)) * M
            if t + d >= end:
                break
            drives.append((t, t + d))
            t += d
            s = float(rng.integers(1, 21)) * M
            if t + s >= end:
                break
            t += s
            if t - last_relief >= 5 * M:
                reliefs.append(Relief(t, bool(rng.integers(0, 4) == 0)))
                last_relief = t
        blocks.append(Block(f"v{v}", start, end, tuple(drives), tuple(reliefs), 15 * M, 10 * M, (v,), ("drt",)))
    return blocks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vehicles", type=int, action="append", help="fleet size (repeatable; default 1000)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    rules = rules_for(Role.DRIVER, StaffingConfig())
    for n in args.vehicles or [1000]:
        blocks = synthetic_blocks(n, args.seed)
        c0, w0 = time.process_time(), time.perf_counter()
        duties = cut_duties(blocks, rules, role="driver")
        cpu_s, wall_s = time.process_time() - c0, time.perf_counter() - w0
        print(json.dumps({
            "case": f"runcut-{n}", "vehicles": n, "blocks": len(blocks),
            "reliefs_max": max(len(b.reliefs) for b in blocks), "duties": len(duties),
            "violations": sum(len(d.violations) for d in duties),
            "paid_h": round(sum(d.paid_s for d in duties) / 3600, 2),
            "cpu_s": round(cpu_s, 2), "wall_s": round(wall_s, 2),
        }), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
