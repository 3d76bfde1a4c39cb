"""Excel workbooks: ``results.xlsx`` of a run and ``comparison.xlsx`` of a comparison (openpyxl).

Cells are typed: counts are integers; times and durations (columns ending ``_s``, clock columns
such as ``start``) are Excel durations shown as ``[h]:mm:ss`` (so 25:10:00 after midnight stays
readable); yen (``_yen`` columns and KPIs) are numbers shown as ``¥#,##0``; shares
(``_rate``, ``_share``, ``_ratio``) as percentages; other numbers as in the CSVs (rounded to
3 decimals). An empty cell is a value that does not apply (empty in the CSV). Text (Japanese
town and district names) is written as it is: ``.xlsx`` is UTF-8 inside, so Excel shows it
whatever the Windows code page.

Sheets of ``results.xlsx``: ``KPIs`` (key, value, unit, English and Japanese label from the KPI
registry :mod:`sim.kpis`), ``requests``, ``vehicles``, ``legs``, ``duties``,
``costs`` (annual cost items with formula and source), ``council`` (the council report's KPI table,
:mod:`sim.council`: one row per indicator with its English and Japanese label, one column per
scenario, unit; counts as integers shown ``#,##0``, yen as ``¥#,##0``, shares as percentages) and
``council_services`` (the same indicators per service) and, with observed counts, ``ridership``
(as ``ridership.csv``). ``comparison.xlsx``: ``KPIs`` (one row per
KPI, one column per scenario, unit; the mean over replications), the
``requests``/``vehicles``/``duties``/``costs``/``ridership`` of every scenario's results directory
(the first replication) with a ``scenario`` column in front, and ``council``/``council_services`` over the
scenarios (the means; the service rows of each scenario's first replication).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.interop.layouts import FinishedRun
from sim.model.eventlog import LegRecord, RequestRecord, VehicleRecord, header

YEN_FORMAT = '"¥"#,##0'
TIME_FORMAT = "[h]:mm:ss"
SHARE_FORMAT = "0.0%"
_CLOCK = re.compile(r"^\d{1,3}:\d{2}:\d{2}$")
_CLOCK_COLUMNS = {"start", "end"}
_NODE_COLUMNS = {"origin_stop", "dest_stop", "depot_node", "origin_node", "dest_node"}


_REGISTRY_UNITS = {"s": "h:mm:ss", "1": "share", "count": "count", "yen": "yen", "yen/year": "yen/year"}


def kpi_unit(key: str) -> str:
    """Unit of a ``metrics.json`` KPI: from the KPI registry (:mod:`sim.kpis`; seconds shown as
    ``h:mm:ss``, shares of 1 shown in %), else from the key's name."""
    from sim import kpis

    k = kpis.get(key)
    if k is not None:
        if k.unit == "1" and k.kind != "pct":
            return "ratio"
        return _REGISTRY_UNITS.get(k.unit, k.unit)
    return _unit_from_name(key)


def _label(key: str, lang: str) -> str:
    from sim import kpis

    k = kpis.get(key)
    return k.label(lang) if k is not None else ""


def _unit_from_name(key: str) -> str:
    """Unit of a KPI the registry does not know, from its name."""
    if key.endswith("_yen_per_year"):
        return "yen/year"
    if key.endswith("_yen"):
        return "yen"
    if key.endswith("_s"):
        return "h:mm:ss"
    if key.endswith("_m"):
        return "m"
    if key.endswith(("_rate", "_share", "_ratio")):
        return "share"
    if key.endswith("_fte"):
        return "FTE (full-time staff)"
    if key in ("vehicle_km",):
        return "km/day"
    if key in ("vehicle_hours",) or key.endswith("_hours_per_day"):
        return "h/day"
    if key.endswith("_per_year"):
        return "per year"
    if key in ("occupancy_mean",):
        return "passengers"
    if key.endswith("_per_vehicle_hour"):
        return "per vehicle-hour"
    if key.endswith("_per_passenger"):
        return "h per passenger"
    if key in ("detour_mean",):
        return "ride / direct"
    return "count"


def _kind(column: str) -> str:
    if column.endswith("_yen") or "_yen_" in column or column == "yen_per_year":
        return "yen"
    if column.endswith("_s") or column in _CLOCK_COLUMNS:
        return "time"
    if column.endswith(("_rate", "_share", "_ratio")):
        return "share"
    return "plain"


def _value(v: Any, kind: str) -> Any:
    """A cell value: ``None`` for missing, a timedelta for times, numbers rounded like the CSVs."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    if isinstance(v, datetime.timedelta):
        return v
    if kind == "time":
        if isinstance(v, str):
            if not _CLOCK.match(v):
                return v
            h, m, s = (int(x) for x in v.split(":"))
            return datetime.timedelta(hours=h, minutes=m, seconds=s)
        return datetime.timedelta(seconds=round(float(v), 3))
    if isinstance(v, bool):
        return v
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        return round(v, 3)
    return v


def _write_table(ws, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from openpyxl.styles import Font

    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    kinds = [_kind(c) for c in columns]
    for row in rows:
        ws.append([_value(v, k) for v, k in zip(row, kinds)])
    fmts = {"yen": YEN_FORMAT, "time": TIME_FORMAT, "share": SHARE_FORMAT}
    for j, k in enumerate(kinds, start=1):
        if k in fmts:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmts[k]
    ws.freeze_panes = "A2"


def _kpi_rows(metrics: dict[str, Any]) -> list[tuple[str, Any, str]]:
    return [(k, v, kpi_unit(k)) for k, v in metrics.items()
            if k not in ("scenario", "seed") and not isinstance(v, (dict, list, str))]


def _format_kpi_cell(cell, key: str) -> None:
    unit = kpi_unit(key)
    if unit.startswith("yen"):
        cell.number_format = YEN_FORMAT
    elif unit == "h:mm:ss":
        cell.number_format = TIME_FORMAT
    elif unit == "share":
        cell.number_format = SHARE_FORMAT


def _kpi_value(key: str, v: Any) -> Any:
    unit = kpi_unit(key)
    if unit == "count" and isinstance(v, float) and v.is_integer():
        return int(v)  # a mean over one replication of a count is still a count
    return _value(v, "time" if unit == "h:mm:ss" else "plain")


COUNT_FORMAT = "#,##0"
_COUNCIL_FORMATS = {"yen": YEN_FORMAT, "pct": SHARE_FORMAT, "int": COUNT_FORMAT}


def _council_value(v: Any, kind: str) -> Any:
    """A council table cell: counts as integers when whole (a mean over replications may not be),
    yen and shares as numbers (their format shows them), ``None`` when missing."""
    from sim.council import number

    x = number(v)
    if x is None or math.isnan(x):
        return None
    if kind == "int" and x.is_integer():
        return int(x)
    return round(x, 6) if kind == "pct" else round(x, 3)


def _write_council(wb, names: Sequence[str], kpis: Sequence[dict[str, Any]], per_service: Sequence[Any]) -> None:
    """The council report's KPI table (:mod:`sim.council`) as sheet ``council`` (one row per
    indicator: key, English and Japanese label, one column per scenario, unit) and, when the runs
    have per-service costs, ``council_services`` (one row per scenario and service)."""
    from openpyxl.styles import Font

    from sim.council import SERVICE_KPIS, council_table

    table = council_table(names, kpis, per_service)
    ws = wb.create_sheet("council")
    ws.append(["kpi", "label", "ラベル", *names, "unit"])
    for row in table.rows:
        ws.append([row.key, _label(row.key, "en"), _label(row.key, "ja"),
                   *(_council_value(v, row.kind) for v in row.values), kpi_unit(row.key)])
        for j in range(4, 4 + len(names)):
            ws.cell(ws.max_row, j).number_format = _COUNCIL_FORMATS[row.kind]
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "D2"
    if not table.services:
        return
    ws = wb.create_sheet("council_services")
    ws.append(["scenario", "service", *(k for k, _ in SERVICE_KPIS)])
    for x in table.services:
        ws.append([x.scenario, x.service, *(_council_value(x.values.get(k), kind) for k, kind in SERVICE_KPIS)])
        for j, (_, kind) in enumerate(SERVICE_KPIS, start=3):
            ws.cell(ws.max_row, j).number_format = _COUNCIL_FORMATS[kind]
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C2"


def run_tables(result: FinishedRun) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The rows of the ``requests``, ``vehicles``, ``legs``, ``duties`` and ``costs`` sheets (as in the CSVs)."""
    from sim.staffing.duties import DUTY_COLUMNS, duty_rows

    net = result.network

    def node(k: int) -> Any:
        return net.node_ids[k].item() if k >= 0 and hasattr(net.node_ids[k], "item") else (net.node_ids[k] if k >= 0 else None)

    def rows(records: Iterable[Any], cols: list[str]) -> list[list[Any]]:
        return [[node(getattr(r, c)) if c in _NODE_COLUMNS else getattr(r, c) for c in cols] for r in records]

    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    out["requests"] = (header(RequestRecord), rows(result.log.requests, header(RequestRecord)))
    out["vehicles"] = (header(VehicleRecord), rows(result.log.vehicles, header(VehicleRecord)))
    out["legs"] = (header(LegRecord), rows(sorted(result.log.legs, key=lambda g: g.leg_id), header(LegRecord)))
    if result.staffing is not None:
        duty = [[int(v) if c == "vehicles" and str(v).isdigit() else v for c, v in zip(DUTY_COLUMNS, r)]
                for r in duty_rows(result.staffing)]
        out["duties"] = (list(DUTY_COLUMNS), duty)
    if result.costs is not None:
        items = result.costs.to_json().get("items", [])
        cols = ["term", "category", "yen_per_year", "formula", "source"]
        out["costs"] = (cols, [[it.get(c) for c in cols] for it in items])
    return out


#: Timestamp written into every workbook (document properties and zip entries): fixed, so that the
#: same run gives the same bytes (the run's own time is in nothing else either).
FIXED_TIME = datetime.datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _deterministic(data: bytes) -> bytes:
    """The workbook ``data`` with fixed zip-entry times and document modification time."""
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
    return out.getvalue()


def _save(wb, path: Path) -> None:
    """Save through :func:`sim.atomic.atomic_open` (temporary sibling, renamed; umask honoured),
    byte-identical for identical content."""
    import io

    from sim.atomic import atomic_open

    buf = io.BytesIO()
    wb.properties.creator = "sodegaura-transit-sim"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.save(buf)
    with atomic_open(path, "wb") as fh:
        fh.write(_deterministic(buf.getvalue()))


def write_run_workbook(result: FinishedRun, path: Path) -> None:
    """``results.xlsx`` of one run (replaced whole)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "KPIs"
    ws.append(["kpi", "value", "unit", "label", "ラベル"])
    ws.append(["scenario", result.scenario.name, "", "Scenario", "シナリオ"])
    ws.append(["seed", result.seed, "", "Random seed", "乱数シード"])
    for k, v, unit in _kpi_rows(result.metrics):
        ws.append([k, _kpi_value(k, v), unit, _label(k, "en"), _label(k, "ja")])
        _format_kpi_cell(ws.cell(ws.max_row, 2), k)
    ws.freeze_panes = "A2"
    for name, (cols, rows) in run_tables(result).items():
        _write_table(wb.create_sheet(name), cols, rows)
    _write_council(wb, [result.scenario.name], [result.metrics], [result.metrics.get("per_service")])
    rows = getattr(result, "ridership", None)
    if rows is not None:  # observed counts beside the simulated ones, as ridership.csv (sim/interop/observed.py)
        from sim.interop.observed import RIDERSHIP_COLUMNS

        _write_table(wb.create_sheet("ridership"), RIDERSHIP_COLUMNS, [r.cells() for r in rows])
    _save(wb, path)


def write_comparison_workbook(
    names: Sequence[str], metrics: dict[str, dict[str, float]], run_dirs: dict[str, Path], path: Path
) -> None:
    """``comparison.xlsx``: the mean KPIs of every scenario (``metrics[name][kpi]``) and the
    ``requests``/``vehicles``/``duties``/``costs`` sheets of each scenario's ``results.xlsx`` (in
    ``run_dirs[name]``) with a ``scenario`` column in front."""
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "KPIs"
    ws.append(["kpi", *names, "unit", "label", "ラベル"])
    keys = list(dict.fromkeys(k for n in names for k in metrics.get(n, {})))
    for k in keys:
        ws.append([k, *(_kpi_value(k, metrics.get(n, {}).get(k)) for n in names), kpi_unit(k), _label(k, "en"), _label(k, "ja")])
        for j in range(2, 2 + len(names)):
            _format_kpi_cell(ws.cell(ws.max_row, j), k)
    ws.freeze_panes = "B2"
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for n in names:
        book = run_dirs.get(n, Path()) / "results.xlsx"
        if not book.is_file():
            continue
        src = load_workbook(book, read_only=True)
        for sheet in ("requests", "vehicles", "duties", "costs", "ridership"):
            if sheet not in src.sheetnames:
                continue
            rows = list(src[sheet].iter_rows(values_only=True))
            if not rows:
                continue
            _, acc = tables.setdefault(sheet, (["scenario", *rows[0]], []))
            acc.extend([n, *r] for r in rows[1:])
        src.close()
    for sheet, (cols, rows) in tables.items():
        _write_table(wb.create_sheet(sheet), cols, rows)
    _write_council(wb, names, [metrics.get(n, {}) for n in names], [_per_service(run_dirs.get(n)) for n in names])
    _save(wb, path)


def _per_service(run_dir: Path | None) -> dict[str, Any] | None:
    """The ``per_service`` entry of a run directory's ``metrics.json`` (``None`` if there is none)."""
    import json

    path = (run_dir or Path()) / "metrics.json"
    if run_dir is None or not path.is_file():
        return None
    per = json.loads(path.read_text(encoding="utf-8")).get("per_service")
    return per if isinstance(per, dict) else None
