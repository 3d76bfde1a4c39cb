"""Cost of the per-run exchange files: ``python benchmarks/exchange.py [SCENARIO.toml]``.

Runs a scenario once (default: the Sodegaura hybrid, lines and DRT on the 800-node network),
then writes ``results.xlsx`` and ``geo/results.gpkg`` three times each into a temporary folder
and prints one JSON line per file: the first write (includes importing openpyxl / geopandas) and
the best of the next two, as CPU seconds beside wall seconds, and the file size.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sim.run.runner import run_scenario  # noqa: E402
from sim.scenario.schema import load_scenario  # noqa: E402


def _timed(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "scenarios" / "sodegaura" / "hybrid.toml"
    sc, base = load_scenario(path)
    result = run_scenario(sc, base)
    from sim.interop.excel import write_run_workbook
    from sim.interop.gis import write_gpkg

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, fn in (("results.xlsx", lambda: write_run_workbook(result, out / "results.xlsx")),
                         ("geo/results.gpkg", lambda: write_gpkg(result, out / "geo" / "results.gpkg"))):
            first = _timed(fn)
            again = min(_timed(fn) for _ in range(2))
            print(json.dumps({
                "scenario": sc.name, "file": name, "first_cpu_s": round(first[0], 3), "first_wall_s": round(first[1], 3),
                "cpu_s": round(again[0], 3), "wall_s": round(again[1], 3),
                "size_kb": round((out / name).stat().st_size / 1024, 1), "requests": len(result.log.requests),
            }))


if __name__ == "__main__":
    main()
