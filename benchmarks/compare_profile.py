"""Where the default comparison's CPU goes: ``python benchmarks/compare_profile.py [--lang en|ja] [--no-report]``.

Runs ``python main.py compare`` (the five Sodegaura scenarios and the report; ``--no-report`` is
passed through) in this process with timers around its stages and prints one JSON object:
``cpu_s`` (process time of the whole command, interpreter start-up excluded), ``wall_s``, and
the CPU seconds of each stage. A stage includes the modules it imports the first time (e.g.
``results_gpkg_s`` the GeoPackage libraries); ``imports_cli_s`` is importing the command-line
app before anything runs. Stages nest: ``plan_behaviour_s`` (drawing residents, trips, skims
and mode choice) is part of ``simulate_day_s``, which is part of ``run_scenario_s``; ``trips_csv_s``,
``results_xlsx_s`` and ``results_gpkg_s`` are part of ``write_results_s``; ``render_charts_s``
(drawing), ``png_s`` (rendering PNG files) and ``html_s`` are part of ``report_s``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import io
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: (module, function, stage name) wrapped with a CPU timer; the outermost call of a stage counts.
STAGES = (
    ("sim.run.runner", "run_scenario", "run_scenario_s"),
    ("sim.run.runner", "simulate_day", "simulate_day_s"),
    ("sim.run.runner", "_plan_behaviour", "plan_behaviour_s"),
    ("sim.run.runner", "compute_staffing", "staffing_s"),
    ("sim.run.results", "write_results", "write_results_s"),
    ("sim.run.results", "write_trips_csv", "trips_csv_s"),
    ("sim.interop.excel", "write_run_workbook", "results_xlsx_s"),
    ("sim.interop.gis", "write_gpkg", "results_gpkg_s"),
    ("sim.studies.compare", "write_comparison", "write_comparison_s"),
    ("sim.cli.app", "build_report_into", "report_s"),
    ("sim.report.build", "render_charts", "render_charts_s"),
    ("sim.report.build", "png_bytes", "png_s"),
    ("sim.report.build", "render_html", "html_s"),
)


def _timed(func: Callable[..., Any], name: str, totals: dict[str, float], depth: dict[str, int]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth[name] += 1
        start = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            depth[name] -= 1
            if depth[name] == 0:
                totals[name] += time.process_time() - start

    return wrapper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args(argv)
    c0, w0 = time.process_time(), time.perf_counter()
    from sim.cli.app import app

    totals: dict[str, float] = defaultdict(float)
    totals["imports_cli_s"] = time.process_time() - c0
    depth: dict[str, int] = defaultdict(int)
    for module, attr, name in STAGES:
        mod = importlib.import_module(module)
        setattr(mod, attr, _timed(getattr(mod, attr), name, totals, depth))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["compare", "--out", str(Path(tmp) / "comparison"), "--lang", args.lang]
        with contextlib.redirect_stdout(io.StringIO()):  # the command's tables
            app(cmd + (["--no-report"] if args.no_report else []), standalone_mode=False)
    out = {"cpu_s": round(time.process_time() - c0, 2), "wall_s": round(time.perf_counter() - w0, 2)}
    out.update({name: round(totals[name], 2) for name in ["imports_cli_s", *(s[2] for s in STAGES)]})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
