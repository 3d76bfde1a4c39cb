"""The README's answers on autonomous operations (issue 12), rerun and printed as Markdown tables.

Runs the studies of README "Answers for Sodegaura (issue 12)" on
``scenarios/sodegaura/av_drt_ops.toml`` and ``av_drt_year.toml`` with ``python main.py`` (root
seed 12229; study folders under ``results/autonomy_answers/``, reused with ``--resume``) and prints
the tables the README quotes: remote operators by ``size``, field staff and bases, range and spares,
suspension days (one day × operating days, and a year of day types), and the incident-rate
sensitivity. About 15 CPU-minutes on an idle machine.

    python benchmarks/autonomy_answers.py [--out results/autonomy_answers] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPS = "scenarios/sodegaura/av_drt_ops.toml"
YEAR = "scenarios/sodegaura/av_drt_year.toml"
TENX = ["--set", "vehicles.av_van.incident_classes.takeover.per_1000_km=90",
        "--set", "vehicles.av_van.incident_classes.field.per_1000_km=10"]
BASES = (
    '[{place="yurinosato",staff=1}]',
    '[{place="yurinosato",staff=2}]',
    '[{place="yurinosato",staff=1},{place="cc_nagaura",staff=1}]',
    '[{place="sodegaura_sta",staff=1},{place="cc_nagaura",staff=1},{place="JR横田駅",staff=1}]',
    '[{place="sodegaura_sta",staff=1},{place="cc_hiraoka",staff=1},{place="cc_nagaura",staff=1},{place="JR横田駅",staff=1}]',
)


def study(out: Path, name: str, *args: str) -> Path:
    """Run ``python main.py ARGS --out OUT/NAME --no-report --resume`` and return the folder."""
    folder = out / name
    cmd = [sys.executable, "main.py", *args, "--out", str(folder), "--no-report"]
    if (folder / "runs").is_dir():
        cmd.append("--resume")
    print("$", " ".join(cmd[1:]), file=sys.stderr)
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return folder


def rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "summary.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def ci(row: dict[str, str], key: str, scale: float = 1.0, fmt: str = "{:,.1f}") -> str:
    """``mean [low, high]`` of a KPI in a summary row, scaled (``–`` when absent)."""
    if not row.get(f"{key}_mean"):
        return "–"
    m = float(row[f"{key}_mean"]) * scale
    lo, hi = row.get(f"{key}_ci95_low"), row.get(f"{key}_ci95_high")
    if not lo or not hi or fmt.format(float(lo) * scale) == fmt.format(float(hi) * scale):
        return fmt.format(m)
    return f"{fmt.format(m)} [{fmt.format(float(lo) * scale)}, {fmt.format(float(hi) * scale)}]"


def operators(out: Path) -> None:
    print("\n| DRT fleet | incident rate | operators (gating at 1 : 3 and queue) | queue alone (no gating) | with one operator fewer |")
    print("|---|---|---:|---:|---|")
    for fleet in (4, 8):
        for label, rates in (("file (10 per 1,000 km)", []), ("10×", TENX)):
            tag = f"f{fleet}_{'10x' if rates else 'file'}"
            answers = []
            for gating in ("true", "false"):
                folder = study(out, f"size_{tag}_gating_{gating}", "size", OPS, "--vary", "remote_ops.operators=1..8",
                               "--target", "incident_wait_p95_s<=300", "--target", "vehicles_held<=0", "-r", "10",
                               "--set", f"services.choisoko.fleet_size={fleet}", "--set",
                               f"remote_ops.capacity_gating={gating}", *rates)
                res = json.loads((folder / "size.json").read_text(encoding="utf-8"))
                answers.append((res["answer"], res["answer_point_estimate"], folder))
            (a, pe, folder), (b, pe_b, _) = answers
            fewer = "–"
            if isinstance(a, int) and a > 1:
                with (folder / "curve.csv").open(encoding="utf-8") as fh:
                    curve = {int(r["remote_ops.operators"]): r for r in csv.DictReader(fh)}
                r = curve.get(a - 1)
                if r is not None:
                    fewer = (f"{a - 1}: p95 wait {ci(r, 'incident_wait_p95_s', 1 / 60)} min, "
                             f"{ci(r, 'vehicles_held', 1, '{:,.1f}')} vehicles held")
            note = lambda x, p: f"**{x}**" + (f" (point estimate {p})" if p != x else "")  # noqa: E731
            print(f"| {fleet} | {label} | {note(a, pe)} | {note(b, pe_b)} | {fewer} |")


def field(out: Path) -> None:
    print("\n| DRT fleet | field teams (10× rates, 4 operators) | field incidents a day | field wait p95 (min) | field staff FTE | cost per trip (¥) |")
    print("|---|---|---|---|---|---|")
    for fleet in (4, 8):
        folder = study(out, f"field_f{fleet}", "sweep", OPS, "--vary", "remote_ops.field_bases=" + ",".join(BASES), "-r", "10",
                       "--set", "remote_ops.operators=4", "--set", f"services.choisoko.fleet_size={fleet}", *TENX)
        for r in rows(folder):
            bases = json.loads(r["remote_ops.field_bases"].replace(" = ", ": "))
            teams = " + ".join(f"{b['staff']} at {b['place']}" for b in bases)
            print(f"| {fleet} | {teams} | {ci(r, 'incidents_field')} | {ci(r, 'field_wait_p95_s', 1 / 60)} | "
                  f"{ci(r, 'field_staff_fte')} | {ci(r, 'cost_per_trip_yen', 1, '{:,.0f}')} |")


def battery(out: Path) -> None:
    folder = study(out, "range", "sweep", OPS, "--vary", "vehicles.av_van.range_km=60,100,150", "--vary",
                   "services.choisoko.spare_vehicles=0,1", "-r", "5", "--set", "services.choisoko.fleet_size=4",
                   "--service", "choisoko")
    plain = study(out, "range_none", "sweep", OPS, "--vary", "services.choisoko.fleet_size=4", "-r", "5",
                  "--service", "choisoko")
    print("\n| range (km) | spares | service_availability | hours charging | DRT riders served / asked | cost per trip (¥) |")
    print("|---:|---:|---|---|---|---|")
    for r in [*rows(folder), *({**x, "vehicles.av_van.range_km": "none", "services.choisoko.spare_vehicles": "0"} for x in rows(plain))]:
        print(f"| {r['vehicles.av_van.range_km']} | {r['services.choisoko.spare_vehicles']} | "
              f"{ci(r, 'service_availability', 1, '{:.2f}')} | {ci(r, 'charging_h')} | "
              f"{ci(r, 'choisoko.requests_served', 1, '{:,.0f}')} / {ci(r, 'choisoko.requests_total', 1, '{:,.0f}')} | "
              f"{ci(r, 'cost_per_trip_yen', 1, '{:,.0f}')} |")


def suspension(out: Path) -> None:
    day = study(out, "suspension_day", "sweep", OPS, "--vary", "services.choisoko.suspended_days_per_year=0,10,30",
                "--vary", "services.choisoko.suspension_fallback=cancel,driven_backup", "-r", "5")
    year = study(out, "suspension_year", "sweep", YEAR, "--vary", "services.choisoko.suspension_fallback=cancel,driven_backup",
                 "-r", "5")
    print("\n| annualisation | suspended days | fallback | annual_service_availability | trips a year | all staff (FTE) | annual cost (¥M) | cost per trip (¥) |")
    print("|---|---:|---|---|---|---|---|---|")
    for r in rows(day):
        print(f"| one day × operating days | {r['services.choisoko.suspended_days_per_year']} | "
              f"{r['services.choisoko.suspension_fallback']} | {ci(r, 'annual_service_availability', 1, '{:.3f}')} | "
              f"{ci(r, 'trips_per_year', 1, '{:,.0f}')} | {ci(r, 'staff_fte_total')} | {ci(r, 'annual_cost_yen', 1e-6)} | "
              f"{ci(r, 'cost_per_trip_yen', 1, '{:,.0f}')} |")
    for r in rows(year):
        print(f"| year of day types (`av_drt_year`) | 10 | {r['services.choisoko.suspension_fallback']} | "
              f"{ci(r, 'annual_service_availability', 1, '{:.3f}')} | {ci(r, 'trips_per_year', 1, '{:,.0f}')} | "
              f"{ci(r, 'staff_fte_total')} | {ci(r, 'annual_cost_yen', 1e-6)} | {ci(r, 'cost_per_trip_yen', 1, '{:,.0f}')} |")
    run = REPO / "results" / "autonomy_answers" / "year_run"
    subprocess.run([sys.executable, "main.py", "run", YEAR, "--out", str(run), "--no-report"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    table = json.loads((run / "metrics.json").read_text(encoding="utf-8"))["year"]
    print("\n| day type | days | demand factor | riders a day | vehicle-km a day | duties a day | trips a year | running cost a year (¥M) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for d in table["day_types"]:
        print(f"| {d['day_type']} | {d['days']:g} | {d['demand_factor']:g} | {d['passenger_trips_per_day']:,.0f} | "
              f"{d['vehicle_km_per_day']:,.0f} | {d['duties_per_day']} | {d['trips_per_year']:,.0f} | "
              f"{d['running_cost_yen_per_year'] / 1e6:,.2f} |")
    t = table["total"]
    print(f"| year | {t['days']:g} | | | | | {t['trips_per_year']:,.0f} | {t['running_cost_yen_per_year'] / 1e6:,.2f} |")


def incidents(out: Path) -> None:
    folder = study(out, "incident_rate", "sweep", OPS, "--vary",
                   "vehicles.av_van.incident_classes.takeover.per_1000_km=1,10,100,1000,1700", "-r", "5",
                   "--set", "remote_ops.operators=4", "--set", "services.choisoko.fleet_size=4",
                   "--service", "choisoko")
    print("\n| takeovers per 1,000 km | incidents a day | availability | DRT riders served | all staff (FTE) | drivers (FTE) |"
          " cost per trip, all services (¥) | DRT cost a year (¥M) | DRT cost per rider (¥, ratio of means) |")
    print("|---:|---|---|---|---|---|---|---|---:|")
    for r in rows(folder):
        per_rider = float(r["choisoko.annual_cost_yen_mean"]) / float(r["choisoko.riders_per_year_mean"])
        print(f"| {r['vehicles.av_van.incident_classes.takeover.per_1000_km']} | {ci(r, 'incidents')} | "
              f"{ci(r, 'service_availability', 1, '{:.2f}')} | {ci(r, 'choisoko.requests_served', 1, '{:,.0f}')} | "
              f"{ci(r, 'staff_fte_total')} | {ci(r, 'drivers_fte')} | {ci(r, 'cost_per_trip_yen', 1, '{:,.0f}')} | "
              f"{ci(r, 'choisoko.annual_cost_yen', 1e-6)} | {per_rider:,.0f} |")


PARTS = {"operators": operators, "field": field, "battery": battery, "suspension": suspension, "incidents": incidents}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "results" / "autonomy_answers")
    ap.add_argument("--only", nargs="*", choices=sorted(PARTS), default=None)
    args = ap.parse_args()
    for name, fn in PARTS.items():
        if args.only is None or name in args.only:
            print(f"\n## {name}")
            fn(args.out)


if __name__ == "__main__":
    main()
