"""`compare` (sim.studies.compare): the same demand for every scenario, the one seed rule shared with
`run` and `sweep`, comparison.csv, replications, resume and workers, the Sodegaura set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import TINY_TOML, assert_clean_error, read_csv
from sim.studies.compare import run_comparison
from sim.studies.plan import replication_seeds
from sim.studies.summary import estimate


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
    assert comp.seeds == replication_seeds(7, 3) and len(set(comp.seeds)) == 3 and comp.seeds[0] == 7
    reps = read_csv(out / "replications.csv")
    assert len(reps) == 6
    rows = {r["scenario"]: r for r in read_csv(out / "comparison.csv")}
    for name in ("one_van", "three_vans"):
        waits = [float(r["wait_mean_s"]) for r in reps if r["scenario"] == name]
        est = estimate("wait_mean_s", waits)  # clipped to the KPI's bounds, as every output
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


def test_one_replication_is_run_with_the_same_seed(cli, write_scenario, tmp_path: Path) -> None:
    # the seed rule: replication 0 of root seed s is exactly `run --seed s`, to the byte
    a, b = _two_tiny(write_scenario)
    cmp_dir, run_dir = tmp_path / "cmp", tmp_path / "run"
    result = cli("compare", a, b, "--replications", 1, "--seed", 11, "--out", cmp_dir, "--no-report")
    assert result.exit_code == 0, result.output
    assert cli("run", a, "--seed", 11, "--out", run_dir, "--no-report").exit_code == 0
    for name in ("metrics.json", "requests.csv", "legs.csv", "vehicle_moves.csv", "duties.csv", "costs.json"):
        assert (cmp_dir / "one_van" / name).read_bytes() == (run_dir / name).read_bytes(), name
    assert json.loads((cmp_dir / "compare.json").read_text(encoding="utf-8"))["replication_seeds"] == [11]


def test_replication_k_is_the_same_day_as_in_a_sweep(write_scenario, tmp_path: Path) -> None:
    # compare and sweep share the seed rule and the run store: replication k of a scenario in a
    # comparison is replication k of a sweep point with that scenario (three_vans is one_van with
    # fleet_size 3 under another name)
    from sim.studies.grid import parse_axes
    from sim.studies.sweep import sweep

    a, b = _two_tiny(write_scenario)
    comp = run_comparison([a, b], out=tmp_path / "cmp", replications=3, seed=5)
    swept = sweep(a, parse_axes(["services.s.fleet_size=1,3"]), tmp_path / "sw", replications=3, seed=5)
    assert swept.study.seeds == comp.study.seeds
    for name, point in (("one_van", 0), ("three_vans", 1)):
        for k in range(3):
            in_compare = comp.records[(comp.names.index(name), k)]
            in_sweep = swept.records[(point, k)]
            assert in_compare.seed == in_sweep.seed == comp.seeds[k]
            assert in_compare.metrics == in_sweep.metrics and in_compare.per_service == in_sweep.per_service
            if name == "one_van":  # the very same resolved scenario: the same stored run
                assert in_compare.run_id == in_sweep.run_id
                stored = tmp_path / "cmp" / "runs" / f"{in_compare.run_id}.json"
                assert json.loads(stored.read_text(encoding="utf-8"))["metrics"] == in_sweep.metrics


def test_a_scenario_with_other_demand_settings_gets_the_first_ones_demand(write_scenario, tmp_path: Path) -> None:
    a = write_scenario("a.toml")
    busy = write_scenario("busy.toml", TINY_TOML.replace('name = "tiny"', 'name = "busy"').replace("requests_per_day = 8", "requests_per_day = 12"))
    comp = run_comparison([a, busy], out=tmp_path / "cmp", replications=2)
    assert comp.study.points[0].demand_from is None and comp.study.points[1].demand_from.name == "tiny"
    for k in range(2):
        assert comp.records[(1, k)].metrics["requests_total"] == 8  # the first scenario's 8 requests, not 12
        assert comp.records[(1, k)].metrics == comp.records[(0, k)].metrics  # same service, same demand: same day


def test_compare_resumes_and_rewrites(write_scenario, tmp_path: Path) -> None:
    a, b = _two_tiny(write_scenario)
    out = tmp_path / "cmp"
    first = run_comparison([a, b], out=out, replications=2)
    assert (first.execution.ran, first.execution.reused) == (4, 0)
    table = (out / "comparison.csv").read_bytes()
    more = run_comparison([a, b], out=out, replications=3, resume=True)
    assert (more.execution.ran, more.execution.reused) == (2, 4)
    again = run_comparison([a, b], out=out, replications=2, resume=True)
    assert again.execution.ran == 0 and (out / "comparison.csv").read_bytes() == table
    fresh = run_comparison([a, b], out=out, replications=2)  # without --resume: everything runs again
    assert fresh.execution.ran == 4 and (out / "comparison.csv").read_bytes() == table
    (out / "one_van" / "metrics.json").unlink()  # a missing results directory is written again on resume
    assert run_comparison([a, b], out=out, replications=2, resume=True).execution.ran == 1
    assert (out / "one_van" / "metrics.json").is_file()


@pytest.mark.slow
def test_compare_on_two_workers_gives_the_same_tables(cli, write_scenario, tmp_path: Path) -> None:
    a, b = _two_tiny(write_scenario)
    serial = run_comparison([a, b], out=tmp_path / "one", replications=2)
    assert serial.execution.ran == 4
    result = cli("compare", a, b, "-r", 2, "--workers", 2, "--out", tmp_path / "two", "--no-report")
    assert result.exit_code == 0, result.output
    for name in ("comparison.csv", "replications.csv", "one_van/metrics.json", "three_vans/requests.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


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
