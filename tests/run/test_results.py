"""Tests for the results directory of a run (sim.run.results, DESIGN.md "Results contract").

Consistency between the files of one run: metrics.json against requests.csv, legs.csv,
vehicles.csv and vehicle_moves.csv; demand.csv against requests.csv; scenario.toml against the
scenario that was run.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SODEGAURA_SCENARIOS, TINY_TOML, files_in, read_csv, read_json
from sim.demand.io import CSV_COLUMNS, read_demand_csv
from sim.model.eventlog import LegRecord, RequestRecord, VehicleMove, VehicleRecord, header
from sim.model.metrics import KPI_KEYS
from sim.network.io import load_network
from sim.run.results import EXCHANGE_FILES, RUN_FILES, write_results

TOP_EXCHANGE = sorted({f.split('/')[0] for f in EXCHANGE_FILES})  # results.xlsx, geo/
from sim.run.runner import run_scenario
from sim.scenario.schema import load_scenario, validate
from sim.timeutil import format_clock

#: metrics.json keys required by DESIGN.md.
DESIGN_KEYS = (
    "requests_total",
    "requests_served",
    "requests_rejected",
    "rejection_rate",
    "wait_mean_s",
    "wait_p50_s",
    "wait_p90_s",
    "wait_p95_s",
    "ride_mean_s",
    "detour_mean",
    "walk_mean_m",
    "vehicle_km",
    "empty_km_share",
    "vehicle_hours",
    "passengers_per_vehicle_hour",
    "occupancy_mean",
    "per_service",
)
PROVENANCE_START = "Synthetic reconstruction of Sodegaura's road network"
CSV_ROUNDING = 0.0005  # CSV floats are rounded to 3 decimals


@pytest.fixture(scope="module")
def sodegaura_node_ids() -> set[int]:
    net = load_network("sodegaura")
    return {int(i) for i in net.node_ids.tolist()}


@pytest.fixture(params=["tiny", "baseline"])
def run_dir(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue("tiny_run" if request.param == "tiny" else "baseline_run")


def _f(text: str) -> float:
    return float(text) if text != "" else math.nan


def _served(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if r["outcome"] == "served"]


# --------------------------------------------------------------------------- files and metrics.json


def test_every_contract_file_and_nothing_else(run_dir: Path) -> None:
    behavioural = read_json(run_dir / "metrics.json").get("trips_total") is not None
    assert files_in(run_dir) == sorted([*RUN_FILES, *TOP_EXCHANGE, *(["trips.csv"] if behavioural else [])])


def test_metrics_has_the_design_keys(run_dir: Path) -> None:
    m = read_json(run_dir / "metrics.json")
    for key in DESIGN_KEYS:
        assert key in m, key
    for service, sm in m["per_service"].items():
        for key in KPI_KEYS:
            assert key in sm, (service, key)
    for key in ("requests_total", "requests_served", "requests_rejected", "vehicles", "transfers"):
        assert isinstance(m[key], int), key
    assert m["requests_served"] + m["requests_rejected"] == m["requests_total"]
    assert m["rejection_rate"] == pytest.approx(m["requests_rejected"] / m["requests_total"])
    assert m["wait_p50_s"] <= m["wait_p90_s"] <= m["wait_p95_s"]
    assert 0.0 <= m["empty_km_share"] <= 1.0
    assert m["detour_mean"] >= 1.0 - 1e-9
    assert m["vehicle_km"] > 0 and m["vehicle_hours"] > 0


def test_metrics_is_standard_json(run_dir: Path) -> None:
    def no_constants(name: str) -> Any:
        raise AssertionError(f"metrics.json contains {name}")

    json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"), parse_constant=no_constants)


def test_network_provenance_in_metrics_and_scenario_toml(run_dir: Path) -> None:
    net = read_json(run_dir / "metrics.json")["network"]
    assert net["name"] == "sodegaura"
    assert net["synthetic"] is True
    assert net["provenance"].startswith(PROVENANCE_START)
    assert net["nodes"] == 800
    text = (run_dir / "scenario.toml").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# network: sodegaura")
    assert net["provenance"] in first


def test_tiny_metrics_values(tiny_run: Path) -> None:
    m = read_json(tiny_run / "metrics.json")
    assert (m["scenario"], m["seed"]) == ("tiny", 7)
    assert m["requests_total"] == 8
    assert m["vehicles"] == 2
    assert m["transfers"] == 0
    assert m["fare_revenue_yen"] == 0.0
    assert list(m["per_service"]) == ["s"]


def test_single_service_breakdown_equals_the_total(tiny_run: Path) -> None:
    m = read_json(tiny_run / "metrics.json")
    (only,) = m["per_service"].values()
    for key in KPI_KEYS:
        assert only[key] == m[key], key


def test_per_service_breakdown_adds_up(baseline_run: Path) -> None:
    m = read_json(baseline_run / "metrics.json")
    parts = m["per_service"].values()
    assert sum(p["vehicles"] for p in parts) == m["vehicles"]
    requests = read_csv(baseline_run / "requests.csv")
    # a request counts for every service it used: transfers between services count twice
    uses = sum(len(r["service"].split("+")) for r in requests if r["service"])
    assert sum(p["requests_total"] for p in parts) == uses
    served_uses = sum(len(r["service"].split("+")) for r in requests if r["outcome"] == "served")
    assert sum(p["requests_served"] for p in parts) == served_uses
    assert sum(m["served_by_mode"].values()) == m["requests_served"]
    assert all("+" not in name for name in m["per_service"])
    for key in ("vehicle_km", "vehicle_hours"):
        assert sum(p[key] for p in parts) == pytest.approx(m[key]), key


# --------------------------------------------------------------------------- requests.csv and demand.csv


def test_requests_csv_one_row_per_demand_row(run_dir: Path) -> None:
    requests = read_csv(run_dir / "requests.csv")
    demand = read_csv(run_dir / "demand.csv")
    m = read_json(run_dir / "metrics.json")
    ids = [r["request_id"] for r in requests]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(d["request_id"] for d in demand)
    assert len(requests) == m["requests_total"]
    outcomes = Counter(r["outcome"] for r in requests)
    assert set(outcomes) <= {"served", "rejected"}
    assert outcomes["served"] == m["requests_served"]
    assert outcomes["rejected"] == m["requests_rejected"]
    assert outcomes["served"] + outcomes["rejected"] == len(requests)
    reasons = Counter(r["reason"] for r in requests if r["outcome"] == "rejected")
    assert dict(reasons) == m["rejections_by_reason"]


def test_requests_csv_header_and_order(run_dir: Path) -> None:
    with (run_dir / "requests.csv").open(encoding="utf-8") as fh:
        first = fh.readline().rstrip("\n").split(",")
    assert first == header(RequestRecord) + ["request_clock", "desired_clock", "pickup_clock"]
    times = [float(r["request_time_s"]) for r in read_csv(run_dir / "requests.csv")]
    assert times == sorted(times)


def test_requests_csv_matches_demand_csv(run_dir: Path) -> None:
    demand = {d["request_id"]: d for d in read_csv(run_dir / "demand.csv")}
    for r in read_csv(run_dir / "requests.csv"):
        d = demand[r["request_id"]]
        assert r["request_clock"] == d["request_time"]
        assert r["desired_clock"] == d["earliest_pickup"]
        assert r["party_size"] == d["party_size"]
        assert (r["origin_zone"], r["dest_zone"]) == (d["origin_zone"], d["dest_zone"])
        assert r["prebooked"] == str(float(r["earliest_pickup_s"]) > float(r["request_time_s"]))


def test_requests_csv_rows_are_consistent(run_dir: Path) -> None:
    speed = tomllib.loads((run_dir / "scenario.toml").read_text(encoding="utf-8"))["walk"]["speed_mps"]
    for r in read_csv(run_dir / "requests.csv"):
        assert r["request_clock"] == format_clock(float(r["request_time_s"]))
        assert r["desired_clock"] == format_clock(float(r["earliest_pickup_s"]))
        assert float(r["earliest_pickup_s"]) >= float(r["request_time_s"])
        if r["outcome"] == "served":
            pickup, dropoff = float(r["pickup_s"]), float(r["dropoff_s"])
            assert r["reason"] == ""
            assert r["pickup_clock"] == format_clock(pickup)
            assert int(r["legs"]) >= 1
            assert len(r["vehicles"].split(";")) == int(r["legs"])
            assert dropoff > pickup >= float(r["earliest_pickup_s"])
            assert float(r["wait_s"]) >= 0
            # wait runs from the desired time plus the walk to the stop until boarding
            walk_to_stop_s = float(r["walk_access_m"]) / speed
            assert float(r["wait_s"]) == pytest.approx(pickup - float(r["earliest_pickup_s"]) - walk_to_stop_s, abs=0.01)
            assert float(r["ride_s"]) == pytest.approx(dropoff - pickup, abs=0.01)
            assert float(r["detour"]) == pytest.approx(float(r["ride_s"]) / float(r["direct_s"]), abs=0.01)
        else:
            assert r["reason"] != ""
            assert r["legs"] == "0"
            assert r["pickup_s"] == r["pickup_clock"] == r["wait_s"] == r["vehicles"] == ""
            assert float(r["fare_yen"]) == 0.0


def test_metrics_agree_with_requests_csv(run_dir: Path) -> None:
    m = read_json(run_dir / "metrics.json")
    served = _served(read_csv(run_dir / "requests.csv"))
    n = len(served)
    assert sum(float(r["wait_s"]) for r in served) / n == pytest.approx(m["wait_mean_s"], abs=CSV_ROUNDING)
    assert sum(float(r["ride_s"]) for r in served) / n == pytest.approx(m["ride_mean_s"], abs=CSV_ROUNDING)
    assert sum(float(r["detour"]) for r in served) / n == pytest.approx(m["detour_mean"], abs=CSV_ROUNDING)
    walks = [float(r["walk_access_m"]) + float(r["walk_egress_m"]) for r in served]
    assert sum(walks) / n == pytest.approx(m["walk_mean_m"], abs=2 * CSV_ROUNDING)
    assert sum(int(r["legs"]) - 1 for r in served) == m["transfers"]
    assert sum(float(r["fare_yen"]) for r in served) == pytest.approx(m["fare_revenue_yen"])
    assert sum(int(r["party_size"]) for r in served) == m["passengers_served"]
    waits = sorted(float(r["wait_s"]) for r in served)
    assert waits[0] - CSV_ROUNDING <= m["wait_p50_s"] <= waits[-1] + CSV_ROUNDING


def test_node_ids_are_network_ids(run_dir: Path, sodegaura_node_ids: set[int]) -> None:
    for r in read_csv(run_dir / "requests.csv"):
        if r["outcome"] == "served":  # a request with no option has no stops
            assert int(r["origin_stop"]) in sodegaura_node_ids
            assert int(r["dest_stop"]) in sodegaura_node_ids
    for d in read_csv(run_dir / "demand.csv"):
        assert int(d["origin_node"]) in sodegaura_node_ids and int(d["dest_node"]) in sodegaura_node_ids
    for g in read_csv(run_dir / "legs.csv"):
        assert int(g["origin_node"]) in sodegaura_node_ids and int(g["dest_node"]) in sodegaura_node_ids
    for v in read_csv(run_dir / "vehicles.csv"):
        assert int(v["depot_node"]) in sodegaura_node_ids
    for mv in read_csv(run_dir / "vehicle_moves.csv"):
        assert int(mv["from_node"]) in sodegaura_node_ids and int(mv["to_node"]) in sodegaura_node_ids


def test_demand_csv_reads_back(run_dir: Path) -> None:
    with (run_dir / "demand.csv").open(encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split(",") == list(CSV_COLUMNS)
    net = load_network("sodegaura")
    requests = read_demand_csv(run_dir / "demand.csv", net)
    rows = read_csv(run_dir / "demand.csv")
    assert [r.request_id for r in requests] == [d["request_id"] for d in rows]
    for r, d in zip(requests, rows):
        assert int(net.node_ids[r.origin_node]) == int(d["origin_node"])
        assert int(net.node_ids[r.dest_node]) == int(d["dest_node"])
        assert r.origin_lat == float(d["origin_lat"]) and r.dest_lon == float(d["dest_lon"])


# --------------------------------------------------------------------------- legs, vehicles, moves


def test_legs_csv(run_dir: Path) -> None:
    with (run_dir / "legs.csv").open(encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split(",") == header(LegRecord)
    legs = read_csv(run_dir / "legs.csv")
    requests = {r["request_id"]: r for r in read_csv(run_dir / "requests.csv")}
    per_request: dict[str, list[dict[str, str]]] = defaultdict(list)
    for g in legs:
        per_request[g["request_id"]].append(g)
        assert float(g["earliest_s"]) <= float(g["pickup_s"]) < float(g["dropoff_s"])
    assert [int(g["leg_id"]) for g in legs] == sorted(int(g["leg_id"]) for g in legs)
    for rid, r in requests.items():
        mine = per_request.get(rid, [])
        assert len(mine) == int(r["legs"]), rid
        if mine:
            assert float(mine[0]["pickup_s"]) == pytest.approx(float(r["pickup_s"]), abs=1e-6)
            assert float(mine[-1]["dropoff_s"]) == pytest.approx(float(r["dropoff_s"]), abs=1e-6)
            assert ";".join(g["vehicle_id"] for g in mine) == r["vehicles"]
            assert all(int(g["pax"]) == int(r["party_size"]) for g in mine)
            # consecutive legs meet at the same node (the transfer hub)
            for a, b in zip(mine, mine[1:]):
                assert a["dest_node"] == b["origin_node"]
                assert float(a["dropoff_s"]) <= float(b["pickup_s"])


def test_vehicles_csv_agrees_with_metrics(run_dir: Path) -> None:
    with (run_dir / "vehicles.csv").open(encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split(",") == header(VehicleRecord)
    vehicles = read_csv(run_dir / "vehicles.csv")
    m = read_json(run_dir / "metrics.json")
    scenario = tomllib.loads((run_dir / "scenario.toml").read_text(encoding="utf-8"))
    fleet = sum(s["fleet_size"] for s in scenario["services"].values() if s["kind"] == "drt")
    drt = [v for v in vehicles if scenario["services"][v["service"]]["kind"] == "drt"]
    assert len(drt) == fleet
    assert len(vehicles) == m["vehicles"]
    assert sorted(int(v["vehicle_id"]) for v in vehicles) == list(range(len(vehicles)))
    tol = CSV_ROUNDING * len(vehicles)
    assert sum(float(v["km"]) for v in vehicles) == pytest.approx(m["vehicle_km"], abs=tol)
    assert sum(float(v["hours"]) for v in vehicles) == pytest.approx(m["vehicle_hours"], abs=tol)
    assert sum(float(v["empty_km"]) for v in vehicles) == pytest.approx(m["empty_km_share"] * m["vehicle_km"], abs=tol)
    legs = read_csv(run_dir / "legs.csv")
    assert sum(int(v["boardings"]) for v in vehicles) == sum(int(g["pax"]) for g in legs)
    for v in vehicles:
        assert float(v["pull_in_s"]) >= float(v["shift_end_s"]) > float(v["shift_start_s"])
        assert float(v["hours"]) == pytest.approx((float(v["pull_in_s"]) - float(v["shift_start_s"])) / 3600, abs=0.001)
        assert 0.0 <= float(v["empty_km"]) <= float(v["km"]) + CSV_ROUNDING


def test_vehicle_moves_chain(run_dir: Path) -> None:
    with (run_dir / "vehicle_moves.csv").open(encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split(",") == header(VehicleMove)
    moves = read_csv(run_dir / "vehicle_moves.csv")
    vehicles = {v["vehicle_id"]: v for v in read_csv(run_dir / "vehicles.csv")}
    m = read_json(run_dir / "metrics.json")
    assert sum(float(mv["distance_m"]) for mv in moves) / 1000 == pytest.approx(
        m["vehicle_km"], abs=CSV_ROUNDING * len(moves) / 1000 + 1e-9
    )
    by_vehicle: dict[str, list[dict[str, str]]] = defaultdict(list)
    for mv in moves:
        assert mv["kind"] in {"drive", "dwell"}
        assert float(mv["end_s"]) >= float(mv["start_s"])
        if mv["kind"] == "dwell":
            assert mv["from_node"] == mv["to_node"] and float(mv["distance_m"]) == 0.0
        by_vehicle[mv["vehicle_id"]].append(mv)
    for vid, mine in by_vehicle.items():
        v = vehicles[vid]
        capacity = int(v["capacity"])
        assert mine[0]["from_node"] == v["depot_node"]  # starts at its depot
        assert mine[-1]["to_node"] == v["depot_node"]  # and pulls in there
        assert float(mine[-1]["end_s"]) == pytest.approx(float(v["pull_in_s"]), abs=1e-3)
        assert float(mine[0]["start_s"]) >= float(v["shift_start_s"])
        for a, b in zip(mine, mine[1:]):
            assert a["to_node"] == b["from_node"]
            assert float(a["end_s"]) <= float(b["start_s"]) + 1e-6
        assert all(0 <= int(mv["load"]) <= capacity for mv in mine)
        km = sum(float(mv["distance_m"]) for mv in mine) / 1000
        assert km == pytest.approx(float(v["km"]), abs=CSV_ROUNDING * (len(mine) + 1))


# --------------------------------------------------------------------------- baseline specifics


def test_baseline_transfers_and_fares(baseline_run: Path) -> None:
    served = _served(read_csv(baseline_run / "requests.csv"))
    fares: dict[int, set[float]] = defaultdict(set)
    for r in served:
        if r["mode"] == "drt":
            fares[int(r["legs"])].add(float(r["fare_yen"]))
    # ¥300 within an area, ¥600 between areas (one change at ゆりの里); the baseline day has both
    assert dict(fares) == {1: {300.0}, 2: {600.0}}
    assert {v["area"] for v in read_csv(baseline_run / "vehicles.csv") if v["service"] == "choisoko"} == {"A", "B"}
    m = read_json(baseline_run / "metrics.json")
    assert (m["scenario"], m["seed"]) == ("baseline", 12229)


# --------------------------------------------------------------------------- scenario.toml


def test_scenario_toml_is_the_resolved_scenario(tiny_run: Path) -> None:
    text = (tiny_run / "scenario.toml").read_text(encoding="utf-8")
    assert text.splitlines()[1] == "# seed used: 7"
    original = validate(tomllib.loads(TINY_TOML), source="tiny")
    assert validate(tomllib.loads(text), source="scenario.toml") == original


def test_baseline_scenario_toml_round_trips(baseline_run: Path) -> None:
    written = validate(tomllib.loads((baseline_run / "scenario.toml").read_text(encoding="utf-8")), source="x")
    original, _ = load_scenario(SODEGAURA_SCENARIOS / "baseline.toml")
    assert written == original
    assert "チョイソコがうら" in (baseline_run / "scenario.toml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- write_results API


def test_write_results_returns_the_paths_and_overwrites(tmp_path: Path, tiny_scenario: Path) -> None:
    sc, base = load_scenario(tiny_scenario)
    result = run_scenario(sc, base)
    out = tmp_path / "a" / "b"
    (out).mkdir(parents=True)
    (out / "metrics.json").write_text("stale", encoding="utf-8")
    (out / "unrelated.txt").write_text("kept", encoding="utf-8")
    paths = write_results(result, out)
    assert paths == [out / name for name in (*RUN_FILES, *EXCHANGE_FILES)]
    assert all(p.is_file() for p in paths)
    assert read_json(out / "metrics.json") == json.loads(json.dumps(result.metrics))
    assert (out / "unrelated.txt").read_text(encoding="utf-8") == "kept"
    assert files_in(out) == sorted([*RUN_FILES, *TOP_EXCHANGE, "unrelated.txt"])


def test_results_files_follow_the_umask(tmp_path: Path, tiny_scenario: Path) -> None:
    sc, base = load_scenario(tiny_scenario)
    result = run_scenario(sc, base)
    old = os.umask(0o022)
    try:
        write_results(result, tmp_path / "out")
    finally:
        os.umask(old)
    for name in (*RUN_FILES, *EXCHANGE_FILES):
        assert stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) == 0o644, name
