"""`compare`: the same demand for every scenario, comparison.csv, replications, the Sodegaura set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SODEGAURA_SCENARIOS, TINY_TOML, assert_clean_error, read_csv
from sim.studies.compare import replication_seeds, run_comparison
from sim.stats import mean_ci


def _two_tiny(write_scenario) -> tuple[Path, Path]:
    a = write_scenario("a.toml", TINY_TOML.replace('name = "tiny"', 'name = "one_van"').replace("fleet_size = 2", "fleet_size = 1"))
    b = write_scenario("b.toml", TINY_TOML.replace('name = "tiny"', 'name = "three_vans"').replace("fleet_size = 2", "fleet_size = 3"))
    return a, b


def test_every_scenario_gets_the_same_demand(write_scenario, tmp_path: Path) -> None:
    a, b = _two_tiny(write_scenario)
    out = tmp_path / "cmp"
    comp = run_comparison([a, b], out=out)
    assert comp.names == ["one_van", "three_vans"]
    demand_a = (out / "one_van" / "demand.csv").read_text(encoding="utf-8")
    demand_b = (out / "three_vans" / "demand.csv").read_text(encoding="utf-8")
    assert demand_a == demand_b
    ids_a = [(r["request_id"], r["request_time_s"], r["earliest_pickup_s"]) for r in read_csv(out / "one_van" / "requests.csv")]
    ids_b = [(r["request_id"], r["request_time_s"], r["earliest_pickup_s"]) for r in read_csv(out / "three_vans" / "requests.csv")]
    assert ids_a == ids_b and len(ids_a) == 8
    rows = read_csv(out / "comparison.csv")
    assert [r["scenario"] for r in rows] == ["one_van", "three_vans"]
    assert [float(r["vehicles"]) for r in rows] == [1.0, 3.0]
    assert all(float(r["requests_total"]) == 8.0 for r in rows)


def test_replications_give_means_and_intervals(write_scenario, tmp_path: Path) -> None:
    a, b = _two_tiny(write_scenario)
    out = tmp_path / "cmp"
    comp = run_comparison([a, b], out=out, replications=3)
    assert comp.seeds == replication_seeds(7, 3) and len(set(comp.seeds)) == 3
    reps = read_csv(out / "replications.csv")
    assert len(reps) == 6
    rows = {r["scenario"]: r for r in read_csv(out / "comparison.csv")}
    for name in ("one_van", "three_vans"):
        waits = [float(r["wait_mean_s"]) for r in reps if r["scenario"] == name]
        est = mean_ci(waits)
        assert float(rows[name]["wait_mean_s"]) == pytest.approx(est.mean, abs=1e-5)
        assert float(rows[name]["wait_mean_s_ci95_low"]) == pytest.approx(est.low, abs=1e-5)
        assert float(rows[name]["wait_mean_s_ci95_high"]) == pytest.approx(est.high, abs=1e-5)
        assert rows[name]["replications"] == "3"
    # within a replication both scenarios saw the same requests
    for r in range(3):
        totals = {x["requests_total"] for x in reps if x["replication"] == str(r)}
        assert totals == {"8.0"}


def test_compare_rejects_duplicate_names(cli, write_scenario, tmp_path: Path) -> None:
    a = write_scenario("a.toml")
    b = write_scenario("b.toml")
    result = cli("compare", a, b, "--out", tmp_path / "x")
    assert_clean_error(result, 2, "tiny", "unique")


@pytest.mark.slow
def test_sodegaura_set_compares_five_scenarios(cli, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = cli("compare", "--out", out)
    assert result.exit_code == 0, result.output
    rows = read_csv(out / "comparison.csv")
    names = [r["scenario"] for r in rows]
    assert names == ["baseline", "drt_plus", "av_shuttle", "av_drt", "hybrid"]
    for name in names:
        assert (out / name / "metrics.json").exists()
    served = {r["scenario"]: float(r["requests_served"]) for r in rows}
    # a bigger driven fleet with longer hours and no change of vehicle serves more of the same demand
    assert served["drt_plus"] > served["baseline"]
    # the automated scenarios run automated vehicles; the others only driven ones
    autos = {}
    for name in names:
        vehicles = read_csv(out / name / "vehicles.csv")
        autos[name] = {v["automation"] for v in vehicles}
    assert autos["baseline"] == {"human"} and autos["drt_plus"] == {"human"}
    assert "level4_remote" in autos["av_drt"] and "level4_remote" in autos["av_shuttle"]
    assert {v["automation"] for v in read_csv(out / "hybrid" / "vehicles.csv") if v["service"] == "trunk"} == {"level4_remote"}
    # staffing (issue 4): the autonomous DRT needs no driver of its own but remote operators;
    # today's service needs drivers
    metrics = {name: json.loads((out / name / "metrics.json").read_text(encoding="utf-8")) for name in names}
    assert metrics["av_drt"]["per_service"]["choisoko"]["drivers_fte"] == 0
    assert metrics["av_drt"]["remote_operators_fte"] > 0
    assert metrics["baseline"]["drivers_fte"] > 0
    assert metrics["baseline"]["per_service"]["choisoko"]["drivers_fte"] > 0
    assert metrics["baseline"]["remote_operators_fte"] == 0
    # the comparison carries the staffing and cost columns next to the waits
    for key in ("drivers_fte", "staff_fte_total", "annual_cost_yen", "cost_per_trip_yen", "wait_p90_s"):
        assert all(r[key] != "" for r in rows), key
    assert (out / "report.html").exists() and (out / "report.md").exists()
