"""The results directory of a run (DESIGN.md "Results contract"), written file by file atomically."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sim.atomic import write_csv, write_json, write_text
from sim.demand.io import write_demand_csv
from sim.model.eventlog import (
    LegRecord,
    RequestRecord,
    VehicleMove,
    VehicleRecord,
    header,
)
from sim.run.behaviour_outputs import write_trips_csv
from sim.run.layout_file import LAYOUT_FILE, layout_record
from sim.run.runner import RunResult
from sim.run.year import YEAR_COLUMNS
from sim.scenario.schema import to_toml
from sim.staffing.duties import DUTY_COLUMNS, duty_rows
from sim.timeutil import format_clock

#: Files of a run directory.
RUN_FILES = (
    "scenario.toml",
    "metrics.json",
    "requests.csv",
    "vehicles.csv",
    "legs.csv",
    "vehicle_moves.csv",
    "demand.csv",
    "staffing.json",
    "duties.csv",
    "costs.json",
    LAYOUT_FILE,
    "coverage.csv",
)

#: Columns of ``coverage.csv`` (one row per town; walk in metres, blank beyond 500 m).
COVERAGE_COLUMNS = (
    "town", "district", "lat", "lon", "population", "population_65plus", "walk_to_stop_m", "in_drt_area",
    "share_of_hours_300m", "share_of_hours_500m",
)

#: Files for other tools (sim/interop): the Excel workbook and the GIS layers (GeoPackage).
#: Their values follow from the run files; their timestamps are fixed, so a run gives the same bytes.
EXCHANGE_FILES = ("results.xlsx", "geo/results.gpkg")


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return round(value, 3)
    return value


def _node_id(result: RunResult, index: int) -> Any:
    return result.network.node_ids[index].item() if index >= 0 else ""


def write_results(result: RunResult, out: Path) -> list[Path]:
    """Write the run's files into ``out`` (created if needed); return their paths.

    ``requests.csv`` and the other CSVs give node ids as in the network file (not internal
    indices) and times as seconds since midnight; ``requests.csv`` adds ``HH:MM:SS`` columns.
    """
    out.mkdir(parents=True, exist_ok=True)
    provenance = result.network.provenance
    banner = f"# network: {result.network.name} — {provenance}\n"
    resolved = result.scenario.model_copy(update={"seed": result.seed})
    if resolved.demand.csv:
        # the run directory holds the demand it used: re-running this file replays it
        resolved = resolved.model_copy(update={"demand": resolved.demand.model_copy(update={"csv": "demand.csv"})})
    write_text(out / "scenario.toml", banner + f"# seed used: {result.seed}\n" + to_toml(resolved))
    write_json(out / "metrics.json", result.metrics)

    req_cols = header(RequestRecord)
    node_cols = {"origin_stop", "dest_stop"}
    rows = []
    for r in result.log.requests:
        row = []
        for c in req_cols:
            v = getattr(r, c)
            row.append(_node_id(result, v) if c in node_cols else _cell(v))
        row += [format_clock(r.request_time_s), format_clock(r.earliest_pickup_s)]
        row += [format_clock(r.pickup_s) if not math.isnan(r.pickup_s) else ""]
        rows.append(row)
    write_csv(out / "requests.csv", req_cols + ["request_clock", "desired_clock", "pickup_clock"], rows)

    write_csv(
        out / "vehicles.csv",
        header(VehicleRecord),
        (
            [_node_id(result, getattr(v, c)) if c == "depot_node" else _cell(getattr(v, c)) for c in header(VehicleRecord)]
            for v in result.log.vehicles
        ),
    )
    leg_nodes = {"origin_node", "dest_node"}
    write_csv(
        out / "legs.csv",
        header(LegRecord),
        (
            [_node_id(result, getattr(g, c)) if c in leg_nodes else _cell(getattr(g, c)) for c in header(LegRecord)]
            for g in sorted(result.log.legs, key=lambda g: g.leg_id)
        ),
    )
    move_nodes = {"from_node", "to_node"}
    write_csv(
        out / "vehicle_moves.csv",
        header(VehicleMove),
        (
            [_node_id(result, getattr(m, c)) if c in move_nodes else _cell(getattr(m, c)) for c in header(VehicleMove)]
            for m in sorted(result.log.moves, key=lambda m: (m.vehicle_id, m.start_s))
        ),
    )
    write_demand_csv(result.demand, out / "demand.csv", result.network)
    # staffing and costs (sim/staffing/duties.py, sim/staffing/costs.py)
    if result.staffing is not None:
        write_json(out / "staffing.json", result.staffing.to_json())
        write_csv(out / "duties.csv", DUTY_COLUMNS, duty_rows(result.staffing))
    if result.costs is not None:
        write_json(out / "costs.json", result.costs.to_json())
    if result.year is not None:  # a year of day types (sim/run/year.py): the annual table by day type
        table = result.metrics["year"]
        write_csv(out / "year.csv", YEAR_COLUMNS,
                  ([_cell(row.get(c)) if row.get(c) is not None else "" for c in YEAR_COLUMNS]
                   for row in (*table["day_types"], table["total"])))
    if result.day is not None:  # what the report's maps draw (sim/run/layout_file.py)
        record = layout_record(result.network, result.day, result.layouts, source=result.scenario.network.source)
        write_json(out / LAYOUT_FILE, record)
    if result.coverage is not None:
        write_csv(
            out / "coverage.csv",
            COVERAGE_COLUMNS,
            (
                [t.name, t.district, round(t.lat, 6), round(t.lon, 6), _cell(t.population), _cell(t.population_65plus),
                 _cell(t.walk_to_stop_m) if math.isfinite(t.walk_to_stop_m) else "", int(t.in_drt_area),
                 _cell(t.share_of_hours_300m), _cell(t.share_of_hours_500m)]
                for t in result.coverage.towns
            ),
        )
    written = [out / f for f in RUN_FILES]
    if result.ridership is not None:  # observed counts beside the simulated ones (sim/interop/observed.py)
        from sim.interop.observed import RIDERSHIP_COLUMNS, RIDERSHIP_FILE

        write_csv(out / RIDERSHIP_FILE, RIDERSHIP_COLUMNS, (r.cells() for r in result.ridership))
        written.append(out / RIDERSHIP_FILE)
    if result.behaviour is not None:
        write_trips_csv(result.behaviour, out / "trips.csv")
        written.append(out / "trips.csv")
    # the same run for spreadsheets and GIS (sim/interop/excel.py, sim/interop/gis.py)
    from sim.interop.excel import write_run_workbook
    from sim.interop.gis import write_gpkg

    write_run_workbook(result, out / "results.xlsx")
    write_gpkg(result, out / "geo" / "results.gpkg")
    return written + [out / f for f in EXCHANGE_FILES]
