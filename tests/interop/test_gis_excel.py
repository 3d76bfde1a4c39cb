"""``geo/results.gpkg`` read back with pyogrio and ``results.xlsx`` with openpyxl: counts,
attributes, cell types and values equal the run's own tables."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.interop.gis import LAYERS, REFUSED_REASONS
from tests.conftest import TINY_TOML, read_csv, read_json

SCENARIO = TINY_TOML.replace("requests_per_day = 8", "requests_per_day = 30") + """
[vehicles.bus]
capacity = 30

[services.nozomino]
kind = "line"
vehicle = "bus"
stops = ["sodegaura_bt", "sodegaura_sta", "town:のぞみ野"]
headway_min = 60
start = "08:00"
end = "16:00"
fare_yen = 200
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sim.cli.app import app

    base = tmp_path_factory.mktemp("gisrun")
    scenario = base / "s.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    out = base / "out"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    return out


def _num(text: str) -> float | None:
    return float(text) if text != "" else None


def test_gpkg_layers_match_the_run(run_dir: Path) -> None:
    import pyogrio

    gpkg = run_dir / "geo" / "results.gpkg"
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == list(LAYERS)
    for layer, cols in LAYERS.items():
        info = pyogrio.read_info(gpkg, layer=layer)
        assert info["crs"] == "EPSG:4326", layer
        assert list(info["fields"]) == list(cols), layer

    meta = read_json(run_dir / "metrics.json")
    net = pyogrio.read_dataframe(gpkg, layer="network")
    assert len(net) > 2000  # every directed edge of the 800-node network
    b = net.total_bounds
    assert 139.85 < b[0] < b[2] < 140.1 and 35.3 < b[1] < b[3] < 35.5

    requests = read_csv(run_dir / "requests.csv")
    towns = pyogrio.read_dataframe(gpkg, layer="towns").set_index("town")
    by_town = Counter(r["origin_zone"] for r in requests)
    assert dict(towns["requests"]) == dict(by_town)
    assert int(towns["requests"].sum()) == meta["requests_total"]
    assert int(towns["served"].sum()) == meta["requests_served"]
    assert int(towns["refused"].sum()) + int(towns["unmet"].sum()) == meta["requests_rejected"]
    for town, row in towns.iterrows():
        mine = [r for r in requests if r["origin_zone"] == town]
        served = [r for r in mine if r["outcome"] == "served"]
        refused = [r for r in mine if r["outcome"] == "rejected" and r["reason"] in REFUSED_REASONS]
        assert (row["served"], row["refused"]) == (len(served), len(refused))
        assert row["coverage"] == pytest.approx(1 - row["unmet"] / len(mine))
        waits = [float(r["wait_s"]) for r in served if r["wait_s"]]
        if waits:
            assert row["wait_mean_min"] == pytest.approx(sum(waits) / len(waits) / 60, abs=1e-4)

    flows = pyogrio.read_dataframe(gpkg, layer="od_flows")
    served = [r for r in requests if r["outcome"] == "served"]
    assert int(flows["requests"].sum()) == len(served)
    assert Counter(dict(flows.groupby("mode")["requests"].sum())) == Counter(r["mode"] for r in served)
    assert int(flows["persons"].sum()) == sum(int(r["party_size"]) for r in served)

    lines = pyogrio.read_dataframe(gpkg, layer="lines")
    assert sorted(lines["direction"]) == [0, 1] and set(lines["service"]) == {"nozomino"}
    assert list(lines["trips"]) == [9, 9] and list(lines["first_departure"])[0] == "08:00:00"
    # along the roads: more vertices than stops, starting and ending at the first and last stop
    stops = pyogrio.read_dataframe(gpkg, layer="stops")
    stops_xy = stops[stops["kind"] == "line"].geometry
    outbound = lines[lines["direction"] == 0].geometry.iloc[0]
    assert len(outbound.coords) > 3
    assert outbound.coords[0] == stops_xy.iloc[0].coords[0] and outbound.coords[-1] == stops_xy.iloc[2].coords[0]
    stops = pyogrio.read_dataframe(gpkg, layer="stops")
    assert (stops["kind"] == "line").sum() == 6
    assert stops[stops["kind"] == "line"]["name"].iloc[2] == "town:のぞみ野"  # Japanese text intact
    areas = pyogrio.read_dataframe(gpkg, layer="drt_areas")
    assert list(areas["service"]) == ["s"] and list(areas["fleet_size"]) == [2]
    assert set(areas.geometry.geom_type) == {"MultiPolygon"}
    assert (stops["kind"] == "drt").sum() == int(areas["stops"].sum())
    depots = pyogrio.read_dataframe(gpkg, layer="depots_hubs")
    assert sorted(depots["kind"]) == ["depot", "depot"]


def test_workbook_cells_are_typed_and_equal_the_csvs(run_dir: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(run_dir / "results.xlsx")
    assert wb.sheetnames == ["KPIs", "requests", "vehicles", "legs", "duties", "costs", "council", "council_services"]
    meta = read_json(run_dir / "metrics.json")
    assert [c.value for c in wb["KPIs"][1]] == ["kpi", "value", "unit", "label", "ラベル"]
    kpis = {row[0]: (row[1], row[2]) for row in wb["KPIs"].iter_rows(min_row=2, values_only=True)}
    labels = {row[0]: (row[3], row[4]) for row in wb["KPIs"].iter_rows(min_row=2, values_only=True)}
    assert labels["wait_mean_s"] == ("Mean wait", "平均待ち時間")  # from the KPI registry, Japanese intact
    assert kpis["requests_served"] == (meta["requests_served"], "count")
    assert isinstance(kpis["requests_served"][0], int)
    wait, unit = kpis["wait_mean_s"]
    assert unit == "h:mm:ss" and isinstance(wait, datetime.timedelta)
    assert wait.total_seconds() == pytest.approx(meta["wait_mean_s"], abs=1e-3)
    assert kpis["annual_cost_yen"][1] == "yen/year" and kpis["fare_revenue_yen"][1] == "yen"
    assert kpis["rejection_rate"][1] == "share" and kpis["detour_mean"][1] == "ratio"
    ws = wb["KPIs"]
    yen_cell = next(r[1] for r in ws.iter_rows(min_row=2) if r[0].value == "annual_cost_yen")
    assert yen_cell.number_format == '"¥"#,##0' and isinstance(yen_cell.value, float)

    for sheet, csv_name in (("requests", "requests.csv"), ("vehicles", "vehicles.csv"), ("legs", "legs.csv"),
                            ("duties", "duties.csv")):
        rows = list(wb[sheet].iter_rows(values_only=True))
        csv_rows = read_csv(run_dir / csv_name)
        header = list(rows[0])
        assert header == [c for c in csv_rows[0] if c in header]
        assert len(rows) - 1 == len(csv_rows), sheet
        for got, want in zip(rows[1:], csv_rows):
            for col, value in zip(header, got):
                text = want[col]
                if text == "":
                    assert value is None, (sheet, col)
                elif isinstance(value, datetime.timedelta):
                    secs = value.total_seconds()
                    expect = float(text) if ":" not in text else sum(int(x) * m for x, m in zip(text.split(":"), (3600, 60, 1)))
                    assert secs == pytest.approx(expect, abs=1e-3), (sheet, col)
                elif isinstance(value, bool):
                    assert str(value) == text
                elif isinstance(value, (int, float)):  # Excel numbers are doubles; whole ones read back as int
                    assert value == pytest.approx(float(text), abs=1e-9), (sheet, col)
                    if text.lstrip("-").isdigit():
                        assert isinstance(value, int), (sheet, col)
                else:
                    assert str(value) == text, (sheet, col)
    req = wb["requests"]
    head = [c.value for c in req[1]]
    assert req.cell(2, head.index("party_size") + 1).data_type == "n"
    assert isinstance(req.cell(2, head.index("party_size") + 1).value, int)
    assert req.cell(2, head.index("request_time_s") + 1).number_format == "[h]:mm:ss"
    assert req.cell(2, head.index("fare_yen") + 1).number_format == '"¥"#,##0'
    costs = read_json(run_dir / "costs.json")["items"]
    got = list(wb["costs"].iter_rows(min_row=2, values_only=True))
    assert [(g[0], g[2]) for g in got] == [(c["term"], round(c["yen_per_year"], 3)) for c in costs]
    assert any("docs/PARAMETERS.md#" in (g[4] or "") for g in got)


def test_workbook_council_sheet_is_the_reports_kpi_table(run_dir: Path) -> None:
    """The council report's KPI table, same rows in the same order, typed: counts as integers,
    yen and shares as numbers with their formats, Japanese labels intact."""
    from openpyxl import load_workbook

    from sim.council import SERVICE_KPIS
    from sim.report.council import council_table
    from sim.report.data import load_study

    meta = read_json(run_dir / "metrics.json")
    report = council_table(load_study(run_dir))
    ws = load_workbook(run_dir / "results.xlsx")["council"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("kpi", "label", "ラベル", "tiny", "unit")
    assert [r[0] for r in rows[1:]] == [r.key for r in report.rows]
    got = {r[0]: r for r in rows[1:]}
    assert got["burden_per_resident_yen"][1:3] == ("City burden per resident a year", "市民一人当たり行政負担額（年間）")
    for r in report.rows:
        assert got[r.key][3] == pytest.approx(meta[r.key], rel=1e-9, abs=1e-3), r.key
    assert got["riders_per_day"][3] == meta["riders_per_day"] == meta["passengers_served"]
    assert isinstance(got["riders_per_day"][3], int) and got["riders_per_day"][4] == "count"
    assert got["city_burden_yen_per_year"][4] == "yen/year" and got["farebox_ratio"][4] == "share"
    cells = {row[0].value: row[3] for row in ws.iter_rows(min_row=2)}
    assert cells["city_burden_yen_per_year"].number_format == '"¥"#,##0'
    assert isinstance(cells["city_burden_yen_per_year"].value, float)
    assert cells["farebox_ratio"].number_format == "0.0%"
    assert cells["riders_per_year"].number_format == "#,##0"
    services = list(load_workbook(run_dir / "results.xlsx")["council_services"].iter_rows(values_only=True))
    assert services[0] == ("scenario", "service", *(k for k, _ in SERVICE_KPIS))
    assert [r[1] for r in services[1:]] == sorted(meta["per_service"]) == ["nozomino", "s"]
    for r in services[1:]:
        per = meta["per_service"][r[1]]
        assert r[0] == "tiny" and r[2] == per["riders_per_day"] and isinstance(r[2], int)
        assert r[2 + [k for k, _ in SERVICE_KPIS].index("annual_cost_yen")] == pytest.approx(per["annual_cost_yen"], abs=1e-3)


def test_compare_writes_layers_per_scenario_and_comparison_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    import pyogrio

    from sim.cli.app import app

    a = tmp_path / "a.toml"
    a.write_text(SCENARIO.replace('name = "tiny"', 'name = "with_line"'), encoding="utf-8")
    b = tmp_path / "b.toml"
    b.write_text(TINY_TOML.replace('name = "tiny"', 'name = "長浦_drt"').replace("requests_per_day = 8", "requests_per_day = 30"),
                 encoding="utf-8")
    out = tmp_path / "cmp"
    res = CliRunner().invoke(app, ["compare", str(a), str(b), "--out", str(out), "--no-report"])
    assert res.exit_code == 0, res.output
    for name in ("with_line", "長浦_drt"):
        layers = [n for n, _ in pyogrio.list_layers(out / name / "geo" / "results.gpkg")]
        assert layers == list(LAYERS)
    wb = load_workbook(out / "comparison.xlsx")
    assert wb.sheetnames[0] == "KPIs"
    rows = list(wb["KPIs"].iter_rows(values_only=True))
    assert rows[0] == ("kpi", "with_line", "長浦_drt", "unit", "label", "ラベル")
    comp = {r["scenario"]: r for r in read_csv(out / "comparison.csv")}
    served = next(r for r in rows if r[0] == "requests_served")
    assert served[1:3] == (int(float(comp["with_line"]["requests_served"])), int(float(comp["長浦_drt"]["requests_served"])))
    req = list(wb["requests"].iter_rows(values_only=True))
    assert req[0][0] == "scenario"
    assert Counter(r[0] for r in req[1:]) == {"with_line": 30, "長浦_drt": 30}
    assert {"vehicles", "duties", "costs", "council", "council_services"} <= set(wb.sheetnames)
    council = list(wb["council"].iter_rows(values_only=True))
    assert council[0] == ("kpi", "label", "ラベル", "with_line", "長浦_drt", "unit")
    by_key = {r[0]: r for r in council[1:]}
    for key in ("riders_per_day", "annual_cost_yen", "city_burden_yen_per_year", "farebox_ratio"):
        assert by_key[key][3:5] == pytest.approx((float(comp["with_line"][key]), float(comp["長浦_drt"][key])), abs=1e-3), key
    services = list(wb["council_services"].iter_rows(values_only=True))
    assert [(r[0], r[1]) for r in services[1:]] == [("with_line", "nozomino"), ("with_line", "s"), ("長浦_drt", "s")]
