"""Regenerate the figures the README quotes: ``python benchmarks/readme_figures.py [--check] [--out DIR]``.

Runs ``compare`` on the five Sodegaura scenarios (seed 12229, one replication, as the quick start
does), then rewrites every README span between ``<!-- readme-figures:NAME -->`` and
``<!-- /readme-figures:NAME -->`` from the results: the comparison table and the numbers quoted in
the text. With ``--check`` nothing is written; the script lists the spans that differ and exits 1
(``tests/test_readme_figures.py`` runs this check). The report screenshot
``docs/report_screenshot.png`` is retaken with headless Chromium (``/usr/bin/chromium``) when it is
installed; otherwise the script says it was not refreshed.

Prints CPU seconds beside wall time.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

README = REPO / "README.md"
SCREENSHOT = REPO / "docs" / "report_screenshot.png"
SCENARIOS = ("baseline", "drt_plus", "av_shuttle", "av_drt", "hybrid")
CHROMIUM = Path("/usr/bin/chromium")

#: Rows of the README comparison table: (label, metrics key, format).
ROWS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("served (of 120)", "requests_served", lambda v: f"{v:,.0f}"),
    ("rejected %", "rejection_rate", lambda v: f"{v * 100:.1f}"),
    ("wait mean (min)", "wait_mean_s", lambda v: f"{v / 60:.1f}"),
    ("wait p90 (min)", "wait_p90_s", lambda v: f"{v / 60:.1f}"),
    ("ride mean (min)", "ride_mean_s", lambda v: f"{v / 60:.1f}"),
    ("vehicles", "vehicles", lambda v: f"{v:,.0f}"),
    ("vehicle-km", "vehicle_km", lambda v: f"{v:,.0f}"),
    ("staff needed, all roles (FTE)", "staff_fte_total", lambda v: f"{v:.1f}"),
    ("staff needed, all roles (people)", "staff_headcount", lambda v: f"{v:,.0f}"),
    ("drivers (FTE)", "drivers_fte", lambda v: f"{v:.1f}"),
    ("drivers (people)", "drivers_headcount", lambda v: f"{v:,.0f}"),
    ("remote operators (FTE)", "remote_operators_fte", lambda v: f"{v:.1f}"),
    ("field staff (FTE)", "field_staff_fte", lambda v: f"{v:.1f}"),
    ("annual cost (¥ M)", "annual_cost_yen", lambda v: f"{v / 1e6:.1f}"),
    ("public funding, cost − fares (¥ M / year)", "public_funding_yen_per_year", lambda v: f"{v / 1e6:.1f}"),
    ("city's own burden (¥ M / year)", "city_burden_yen_per_year", lambda v: f"{v / 1e6:.1f}"),
    ("city burden per resident (¥ / year)", "burden_per_resident_yen", lambda v: f"{v:,.0f}"),
    ("cost per trip (¥)", "cost_per_trip_yen", lambda v: f"{v:,.0f}"),
    ("residents within 500 m of a running service", "population_coverage_share_500m", lambda v: f"{v * 100:.1f} %"),
)


def run_set(out: Path) -> dict[str, dict[str, Any]]:
    """Run the comparison into ``out``; return each scenario's ``metrics.json`` and ``staffing.json`` merged."""
    from sim.studies.compare import run_comparison

    paths = [REPO / "scenarios" / "sodegaura" / f"{n}.toml" for n in SCENARIOS]
    run_comparison(paths, out=out, replications=1)
    found = {}
    for name in SCENARIOS:
        metrics = json.loads((out / name / "metrics.json").read_text(encoding="utf-8"))
        metrics["_staffing"] = json.loads((out / name / "staffing.json").read_text(encoding="utf-8"))
        found[name] = metrics
    return found


def spans(m: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The text of every generated README span, by name."""
    head = "| KPI | " + " | ".join(SCENARIOS) + " |\n|---|" + "---:|" * len(SCENARIOS) + "\n"
    body = "".join(
        f"| {label} | " + " | ".join(fmt(m[s][key]) if m[s].get(key) is not None else "–" for s in SCENARIOS) + " |\n"
        for label, key, fmt in ROWS
    )
    base = m["baseline"]
    driver = base["_staffing"]["roles"]["driver"]
    av = m["av_drt"]
    duties, vehicles, bound = int(base["duties_per_day"]), int(base["vehicles"]), int(driver["duties_lower_bound"])
    why = (": a DRT car kept busy for over 4 h without a 10-minute pause needs a relief (see Limits)" if duties > vehicles
           else ": one duty per vehicle")
    return {
        "compare-table": head + body,
        "baseline-duties": f"In the baseline {duties} duties cover {vehicles} vehicles (lower bound {bound}){why}",
        "av-drt-drivers": f"{av['drivers_fte']:.1f}",
    }


def apply(text: str, new: dict[str, str]) -> tuple[str, list[str]]:
    """``text`` with every span replaced, and the names of the spans that changed."""
    changed = []
    for name, value in new.items():
        pattern = re.compile(rf"(<!-- readme-figures:{re.escape(name)} -->)(.*?)(<!-- /readme-figures:{re.escape(name)} -->)", re.S)
        found = pattern.search(text)
        if found is None:
            raise SystemExit(f"README.md: span readme-figures:{name} not found; add <!-- readme-figures:{name} --> markers")
        block = "\n" in value
        inner = f"\n{value}" if block else value
        if found.group(2) != inner:
            changed.append(name)
            text = text[: found.start(2)] + inner + text[found.end(2):]
    return text, changed


def screenshot(report: Path) -> bool:
    """Retake ``docs/report_screenshot.png`` from ``report`` (top of the page) if Chromium is installed."""
    if not CHROMIUM.exists():
        return False
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "shot.png"
        subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1100,1400", f"--screenshot={shot}", report.as_uri()],
                       capture_output=True, check=False, timeout=120)
        if not shot.is_file():
            return False
        shutil.copyfile(shot, SCREENSHOT)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the README is stale")
    parser.add_argument("--out", type=Path, help="keep the comparison in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    t0, c0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "comparison"
        metrics = run_set(out)
        text, changed = apply(README.read_text(encoding="utf-8"), spans(metrics))
        if args.check:
            for name in changed:
                print(f"README.md: readme-figures:{name} differs from what the code produces", file=sys.stderr)
        else:
            README.write_text(text, encoding="utf-8")
            from sim.report.build import build_report

            build_report(out, lang="en", fresh=True)
            shot = screenshot(out / "report.html")
            print(f"README.md: {len(changed)} span(s) updated: {', '.join(changed) or 'none'}")
            print("docs/report_screenshot.png " + ("retaken" if shot else "NOT refreshed (no /usr/bin/chromium)"))
    print(f"wall {time.perf_counter() - t0:.1f} s, CPU {time.process_time() - c0:.1f} s")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
