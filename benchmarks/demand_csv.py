"""Benchmark of the streamed demand CSV: ``python benchmarks/demand_csv.py [--rows N] [--encoding cp932]``.

Writes a demand CSV of ``N`` rows (default 1,000,000) on the embedded Sodegaura network (points
snapped by the reader, as a planner's file would be), then measures, each in a fresh child
process:

``validate``
    ``python main.py validate`` of a scenario whose ``demand.csv`` is that file (every row checked,
    no request kept);
``read``
    :func:`sim.demand.io.read_demand_csv` (every request kept, sorted).

Prints one JSON line per case: ``case, rows, wall_s, cpu_s`` (user + system of the child),
``peak_rss_mb`` (peak resident memory of the child) and ``exit``. Target (issue 16): 1 M rows
validate in under 30 s and 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int, encoding: str) -> None:
    """A demand CSV of ``rows`` requests between random points of the Sodegaura network area."""
    sys.path.insert(0, str(REPO))
    import numpy as np

    from sim.network.io import load_network

    net = load_network("sodegaura")
    rng = np.random.default_rng(1)
    lat0, lat1 = float(np.min(net.lat)), float(np.max(net.lat))
    lon0, lon1 = float(np.min(net.lon)), float(np.max(net.lon))
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["request_id", "request_time", "earliest_pickup", "party_size", "origin_lat", "origin_lon",
                    "dest_lat", "dest_lon", "origin_zone", "dest_zone"])
        chunk = 100_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            t = np.sort(rng.integers(6 * 3600, 22 * 3600, n))
            la = rng.uniform(lat0, lat1, (n, 2))
            lo = rng.uniform(lon0, lon1, (n, 2))
            for k in range(n):
                s = int(t[k])
                clock = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
                w.writerow([f"R{start + k:07d}", clock, "", 1, f"{la[k, 0]:.6f}", f"{lo[k, 0]:.6f}",
                            f"{la[k, 1]:.6f}", f"{lo[k, 1]:.6f}", "長浦", "袖ケ浦駅"])


def measure(case: str, rows: int, argv: list[str]) -> dict[str, object]:
    """Run ``argv`` as a child and return its wall and CPU seconds and peak RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    out: dict[str, object] = {
        "case": case,
        "rows": rows,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit": os.waitstatus_to_exitcode(status),
    }
    if out["exit"] != 0:
        out["stderr"] = err[-500:]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "utf-8-sig", "cp932"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="demand-csv-bench-") as tmp:
        path = Path(tmp) / "demand.csv"
        write_csv(path, args.rows, args.encoding)
        scenario = Path(tmp) / "bench.toml"
        scenario.write_text(
            'name = "bench"\n[demand]\ncsv = "demand.csv"\n[vehicles.van]\ncapacity = 4\n'
            '[services.s]\nvehicle = "van"\nfleet_size = 2\n',
            encoding="utf-8",
        )
        size_mb = path.stat().st_size / 1e6
        v = measure("validate", args.rows, [sys.executable, "main.py", "validate", str(scenario)])
        print(json.dumps({**v, "file_mb": round(size_mb, 1), "encoding": args.encoding}, ensure_ascii=False), flush=True)
        code = (
            "import sys; sys.path.insert(0, '.');"
            "from sim.network.io import load_network; from sim.demand.io import read_demand_csv;"
            f"r = read_demand_csv({str(path)!r}, load_network('sodegaura')); assert len(r) == {args.rows}"
        )
        r = measure("read", args.rows, [sys.executable, "-c", code])
        print(json.dumps({**r, "file_mb": round(size_mb, 1), "encoding": args.encoding}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
