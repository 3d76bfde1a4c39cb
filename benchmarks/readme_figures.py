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

PT_MODES = ("drt", "line", "drt+line", "line+drt")
LINES = ("nozomino_hiraoka", "nozomino_nagaura", "daijuku")


def _pt_trips(m: dict[str, Any]) -> float:
    return float(sum((m.get("mode_trips") or {}).get(k, 0) for k in PT_MODES))


def _riders(m: dict[str, Any], service: str) -> float | None:
    entry = (m.get("per_service") or {}).get(service)
    return float(entry["passengers_served"]) if isinstance(entry, dict) and "passengers_served" in entry else None


def _n(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def _signed(v: float) -> str:
    return f"+{v:,.0f}" if v > 0 else (f"−{-v:,.0f}" if v < 0 else "0")


#: Rows of the README comparison table: (label, function of a scenario's metrics and the baseline's).
ROWS: tuple[tuple[str, Callable[[dict[str, Any], dict[str, Any]], str]], ...] = (
    ("trips of residents (all modes)", lambda m, b: _n(m.get("trips_total"))),
    ("public-transport trips (share)", lambda m, b: f"{_pt_trips(m):,.0f} ({(m.get('pt_share') or 0) * 100:.2f} %)"),
    ("riders チョイソコがうら `choisoko`", lambda m, b: _n(_riders(m, "choisoko"))),
    ("riders のぞみ野・平岡線 / のぞみ野・長浦線 / 代宿団地線",
     lambda m, b: " / ".join(_n(_riders(m, s)) for s in LINES) if _riders(m, LINES[0]) is not None else "—"),
    ("riders autonomous shuttle / trunk", lambda m, b: (_n(_riders(m, "corridor_shuttle")) if _riders(m, "corridor_shuttle") is not None
                                                         else _n(_riders(m, "trunk")))),
    ("of which DRT + line journeys", lambda m, b: _n(sum((m.get("served_by_mode") or {}).get(k, 0) for k in ("drt+line", "line+drt")))),
    ("riders aged 65+ without a car", lambda m, b: _n(sum(v for k, v in (m.get("pt_riders_by_group") or {}).items()
                                                         if k in ("65-74/no_car", "75+/no_car")))),
    ("riders per line trip", lambda m, b: _n(m.get("riders_per_line_trip"), 2)),
    ("asked of the services / refused (%)", lambda m, b: f"{m['requests_total']:,} / {m['requests_rejected']:,} ({m['rejection_rate'] * 100:.1f})"),
    ("  of whom gave up waiting for a line", lambda m, b: _n((m.get("rejections_by_reason") or {}).get("gave_up_waiting", 0))),
    ("unmet: no service at that time / in the area", lambda m, b: " / ".join(_n((m.get("unmet_demand") or {}).get(k, 0))
                                                                             for k in ("no_service_at_time", "no_service_in_area"))),
    ("car, lift, taxi trips vs baseline", lambda m, b: "—" if m is b else ", ".join(
        _signed((m.get("mode_trips") or {}).get(k, 0) - (b.get("mode_trips") or {}).get(k, 0)) for k in ("car", "lift", "taxi"))),
    ("wait mean / p90 (min)", lambda m, b: f"{m['wait_mean_s'] / 60:.1f} / {m['wait_p90_s'] / 60:.1f}"),
    ("ride mean (min)", lambda m, b: f"{m['ride_mean_s'] / 60:.1f}"),
    ("vehicles", lambda m, b: _n(m["vehicles"])),
    ("vehicle-km", lambda m, b: _n(m["vehicle_km"])),
    ("staff needed, all roles: FTE (people)", lambda m, b: f"{m['staff_fte_total']:.1f} ({m['staff_headcount']})"),
    ("drivers: FTE (people)", lambda m, b: f"{m['drivers_fte']:.1f} ({m['drivers_headcount']})"),
    ("remote operators / field staff (FTE)", lambda m, b: f"{m['remote_operators_fte']:.1f} / {m['field_staff_fte']:.1f}"),
    ("annual cost (¥ M)", lambda m, b: f"{m['annual_cost_yen'] / 1e6:.1f}"),
    ("public funding, cost − fares (¥ M / year)", lambda m, b: f"{m['public_funding_yen_per_year'] / 1e6:.1f}"),
    ("city's own burden (¥ M / year)", lambda m, b: f"{m['city_burden_yen_per_year'] / 1e6:.1f}"),
    ("city burden per resident (¥ / year)", lambda m, b: _n(m["burden_per_resident_yen"])),
    ("cost per trip (¥)", lambda m, b: _n(m["cost_per_trip_yen"])),
    ("residents within 500 m of a running service", lambda m, b: f"{m['population_coverage_share_500m'] * 100:.1f} %"),
    ("vehicle CO₂ (t / year)", lambda m, b: _n(m.get("co2_t_per_year"), 1)),
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
    base = m["baseline"]
    head = "| KPI | " + " | ".join(SCENARIOS) + " |\n|---|" + "---:|" * len(SCENARIOS) + "\n"
    body = "".join(f"| {label} | " + " | ".join(fn(m[s], base) for s in SCENARIOS) + " |\n" for label, fn in ROWS)
    driver = base["_staffing"]["roles"]["driver"]
    av = m["av_drt"]
    duties, vehicles, bound = int(base["duties_per_day"]), int(base["vehicles"]), int(driver["duties_lower_bound"])
    why = (": a DRT car kept busy for over 4 h without a 10-minute pause needs a relief (see Limits)" if duties > vehicles
           else ": one duty per vehicle")
    shares = base.get("mode_share") or {}
    pt = [(m[s].get("pt_share") or 0.0) * 100 for s in SCENARIOS]
    names = (("car", "car as driver"), ("lift", "lift"), ("bike", "bicycle"), ("walk", "walk"), ("taxi", "taxi"))
    modes = ", ".join(f"{label} {shares.get(k, 0.0) * 100:.1f} %" for k, label in names)
    sh, dp, hy = m["av_shuttle"], m["drt_plus"], m["hybrid"]
    pt_b, pt_s, pt_h = _pt_trips(base), _pt_trips(sh), _pt_trips(hy)
    old = lambda x: sum(v for k, v in (x.get("pt_riders_by_group") or {}).items() if k in ("65-74/no_car", "75+/no_car"))  # noqa: E731
    lines_b = sum(_riders(base, s) or 0.0 for s in LINES)
    unmet = lambda x: (x.get("unmet_demand") or {}).get("no_service_at_time", 0)  # noqa: E731
    return {
        "compare-table": head + body,
        "baseline-duties": f"In the baseline {duties} duties cover {vehicles} vehicles (lower bound {bound}){why}",
        "av-drt-drivers": f"{av['drivers_fte']:.1f}",
        "mode-shares": f"{modes}, public transport {min(pt):.2f}–{max(pt):.2f} %",
        "riders-prose": (
            f"the autonomous shuttle loop carries {_n(_riders(sh, 'corridor_shuttle'))} riders a day and takes public-transport "
            f"trips from {pt_b:,.0f} to {pt_s:,.0f} ({(pt_s / pt_b - 1) * 100:+.0f} %), and the most riders aged 65+ without a car "
            f"({old(sh):,.0f} against {old(base):,.0f}); extending the DRT to 07:00–19:00 with 8 cars and one area (`drt_plus`) "
            f"takes its riders from {_n(_riders(base, 'choisoko'))} to {_n(_riders(dp, 'choisoko'))} and unmet demand from "
            f"{unmet(base)} to {unmet(dp)} trips; swapping the driven DRT for autonomous minibuses on the same hours and areas "
            f"(`av_drt`) changes little for riders ({_n(_riders(av, 'choisoko'))}) while drivers fall from "
            f"{base['drivers_fte']:.1f} to {av['drivers_fte']:.1f} FTE and staff in all roles from {base['staff_fte_total']:.1f} "
            f"to {av['staff_fte_total']:.1f}; the 15-minute autonomous trunk that replaces the three lines (`hybrid`) carries "
            f"{_n(_riders(hy, 'trunk'))} against the three lines' {lines_b:,.0f}, and public-transport trips are {pt_h:,.0f}"
        ),
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
