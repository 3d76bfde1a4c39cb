"""Benchmark of the default comparison: ``python benchmarks/compare.py [--runs N] [--no-report]``.

Runs ``python main.py compare`` (the five Sodegaura scenarios with behavioural demand: about
65,000 residents and 141,500 trips, mode choice for each, the vehicles for those who choose public
transport; and the report unless ``--no-report``) in a child process into a temporary directory,
``--runs`` times, and prints one JSON line per run: ``wall_s`` (elapsed), ``cpu_s`` (user + system
CPU of the child), ``load_avg_1min`` before the run (the machine is shared: wall time grows with
load, CPU time much less), ``trips_total`` and ``pt_trips`` of the baseline, and ``target_met``
(wall under 60 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_once(no_report: bool) -> dict[str, object]:
    """One ``compare`` in a child process; its wall and CPU seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "comparison"
        cmd = [sys.executable, str(REPO / "main.py"), "compare", "--out", str(out)]
        if no_report:
            cmd.append("--no-report")
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        metrics = json.loads(
            (out / "baseline" / "metrics.json").read_text(encoding="utf-8")
        )
        pt = sum(
            v
            for k, v in metrics.get("mode_trips", {}).items()
            if k in ("drt", "line", "drt+line")
        )
        return {
            "case": "compare" + ("" if no_report else "+report"),
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "load_avg_1min": round(load, 2),
            "trips_total": metrics.get("trips_total"),
            "pt_trips": pt,
            "target_met": wall < 60.0,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)
    for _ in range(max(1, args.runs)):
        print(json.dumps(run_once(args.no_report)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
