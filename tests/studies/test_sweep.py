"""Parameter sweeps (sim.studies.sweep) end to end: files, tables, the seed rule, resume, the CLI."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import assert_clean_error, read_csv, read_json
from tests.studies.conftest import GRID
from sim.stats import Estimate
from sim.studies.grid import parse_axes
from sim.studies.plan import plan_study, replication_seeds
from sim.studies.summary import run_study
from sim.studies.sweep import sweep as run_sweep

Cli = Callable[..., Result]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}:\n{result.output}\n{result.exception!r}"
    return result


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_sweep_files_and_tables(reference: Path, tiny_file: Path) -> None:
    names = sorted(p.name for p in reference.iterdir())
    assert names == ["figures", "report.html", "report.md", "runs", "runs.csv", "summary.csv", "sweep.json"]
    assert len(list((reference / "runs").glob("*.json"))) == 12
    assert not [p for p in (reference / "runs").iterdir() if p.name.startswith(".")]
    runs = read_csv(reference / "runs.csv")
    assert len(runs) == 12
    assert list(runs[0])[:5] == ["point", "services.s.fleet_size", "demand.requests_per_day", "replication", "seed"]
    assert "wait_p90_s" in runs[0] and "per_service" not in runs[0]
    seeds = replication_seeds(7, 3)  # the tiny scenario's seed is 7
    assert seeds[0] == 7  # the seed rule: replication 0 is `run --seed 7`
    assert [int(r["seed"]) for r in runs] == seeds * 4
    assert [(r["services.s.fleet_size"], r["demand.requests_per_day"]) for r in runs[::3]] == [
        ("1", "6"), ("1", "8"), ("2", "6"), ("2", "8")
    ]  # fmt: skip
    # common random numbers: the fleet size does not change the demand of a replication
    for rep in range(3):
        for rpd in ("6", "8"):
            same = [r for r in runs if r["replication"] == str(rep) and r["demand.requests_per_day"] == rpd]
            assert len({r["requests_total"] for r in same}) == 1
            assert same[0]["requests_total"] == rpd
    summary = read_csv(reference / "summary.csv")
    assert len(summary) == 4 and all(s["n"] == "3" for s in summary)
    for s in summary:
        vals = [float(r["vehicle_km"]) for r in runs if r["point"] == s["point"]]
        est = Estimate(3, math.fsum(vals) / 3, 0, 0, 0)
        assert float(s["vehicle_km_mean"]) == est.mean
        assert float(s["vehicle_km_ci95_low"]) <= est.mean <= float(s["vehicle_km_ci95_high"])
    meta = read_json(reference / "sweep.json")
    assert meta["replication_seeds"] == seeds and meta["root_seed"] == 7 and len(meta["points"]) == 4
    from sim.network.io import load_network

    net = load_network("sodegaura")
    assert net.synthetic  # the tiny scenario runs on the embedded synthetic network
    prov = {"source": "sodegaura", "name": net.name, "synthetic": True, "provenance": net.provenance}
    assert meta["network"] == prov and meta["networks"] == [prov]
    figs = sorted(p.name for p in (reference / "figures").iterdir())
    assert "wait_p90_s__vs__services.s.fleet_size.png" in figs and "rejection_rate__vs__demand.requests_per_day.png" in figs
    report = (reference / "report.md").read_text(encoding="utf-8")
    assert "common random numbers" in report and "figures/wait_p90_s__vs__services.s.fleet_size.png" in report
    assert "> Road network: the embedded Sodegaura network is a reconstruction" in report
    assert "replication seeds 7, " in report and "Seed rule: replication 0 uses the root seed itself" in report
    assert (reference / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_run_is_the_same_as_python_main_run_with_its_seed(reference: Path, tiny_file: Path) -> None:
    from sim.run.runner import run_scenario
    from sim.scenario.schema import load_scenario

    row = read_csv(reference / "runs.csv")[4]  # fleet 1, 8 requests/day, replication 1
    assert int(row["replication"]) == 1
    sc, base = load_scenario(tiny_file, overrides=["services.s.fleet_size=1", "demand.requests_per_day=8"])
    metrics = run_scenario(sc, base, seed=int(row["seed"])).metrics
    assert repr(metrics["wait_mean_s"]) == row["wait_mean_s"]
    assert repr(metrics["vehicle_km"]) == row["vehicle_km"]


def test_resume_after_interrupt_gives_the_same_tables(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    calls: list[int] = []

    def interrupt_after_five(done: int, total: int) -> None:
        calls.append(done)
        if done >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(tiny_file, parse_axes(GRID), out, replications=3, progress=interrupt_after_five)
    stored = list((out / "runs").iterdir())
    assert len(stored) == 5 and all(p.suffix == ".json" and not p.name.startswith(".") for p in stored)
    assert not (out / "runs.csv").exists() and not (out / "summary.csv").exists()
    # a killed process can leave a temporary behind: it is ignored and cleaned on resume
    (out / "runs" / ".0123456789abcdef.json.x.tmp").write_text("{half", encoding="utf-8")
    result = run_sweep(tiny_file, parse_axes(GRID), out, replications=3, resume=True)
    assert (result.execution.reused, result.execution.ran) == (5, 7)
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(reference / "summary.csv")
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(p.name for p in (reference / "runs").iterdir())


def test_resume_with_more_replications_reuses_the_earlier_runs(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    first = run_sweep(tiny_file, parse_axes(GRID), out, replications=2)
    assert first.execution.ran == 8
    more = run_sweep(tiny_file, parse_axes(GRID), out, replications=3, resume=True)
    assert (more.execution.reused, more.execution.ran) == (8, 4)
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")


def test_a_directory_with_runs_is_not_overwritten_without_resume(cli: Cli, reference: Path, tiny_file: Path) -> None:
    before = _bytes(reference / "runs.csv")
    result = cli("sweep", tiny_file, *sum((["--vary", g] for g in GRID), []), "-r", 3, "--out", reference)
    assert_clean_error(result, 2, "--resume", "already holds 12 stored run(s)")
    assert _bytes(reference / "runs.csv") == before


def test_a_changed_scenario_is_not_mixed_with_old_runs(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    scenario = tmp_path / "s.toml"
    scenario.write_text(tiny_file.read_text(encoding="utf-8"), encoding="utf-8")
    run_sweep(scenario, parse_axes(["services.s.fleet_size=1"]), out, replications=2)
    scenario.write_text(tiny_file.read_text(encoding="utf-8").replace("capacity = 4", "capacity = 3"), encoding="utf-8")
    again = run_sweep(scenario, parse_axes(["services.s.fleet_size=1"]), out, replications=2, resume=True)
    assert (again.execution.reused, again.execution.ran) == (0, 2)
    assert len(read_csv(out / "runs.csv")) == 2


def test_points_resolving_to_one_scenario_run_once(tiny_file: Path, tmp_path: Path) -> None:
    # the tiny scenario has fleet_size = 2 already: the base point and the point {fleet_size: 2} are one scenario
    study = plan_study(tiny_file, [{}, {"services.s.fleet_size": 2}], replications=2, keys=["services.s.fleet_size"])
    result = run_study(study, tmp_path / "o")
    assert (result.execution.total, result.execution.ran) == (2, 2)
    runs = read_csv(tmp_path / "o" / "runs.csv")
    assert len(runs) == 4 and [r["services.s.fleet_size"] for r in runs] == ["2"] * 4  # the base value is filled in
    assert runs[0]["wait_mean_s"] == runs[2]["wait_mean_s"]


def test_a_failing_point_stops_the_sweep_and_keeps_finished_runs(cli: Cli, tiny_file: Path, tmp_path: Path) -> None:
    # the depot is only looked up on the network when a run starts, after validation
    out = tmp_path / "o"
    result = cli("sweep", tiny_file, "--vary", 'services.s.depot=city_hall,nowhere', "-r", 2, "--out", out)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "nowhere" in result.output
    assert len(list((out / "runs").glob("*.json"))) == 2  # the first point's runs are kept


def test_service_kpis_become_columns_on_request(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "svc"
    first = run_sweep(tiny_file, parse_axes(["services.s.fleet_size=1,2"]), out, replications=2)
    assert not any(k.startswith("s.") for k in first.kpis)
    stored = read_json(next((out / "runs").glob("*.json")))
    assert stored["per_service"]["s"]["requests_total"] == stored["metrics"]["requests_total"]  # always stored
    # asking for the service on resume adds its columns without running anything again
    again = run_sweep(
        tiny_file, parse_axes(["services.s.fleet_size=1,2"]), out, replications=2, services=["s"], resume=True,
        plot_kpis=["s.wait_p90_s"],
    )  # fmt: skip
    assert again.execution.ran == 0
    runs = read_csv(out / "runs.csv")
    assert "s.wait_p90_s" in runs[0] and "s.vehicles" in runs[0]
    assert all(r["s.requests_total"] == r["requests_total"] for r in runs)  # one service: the same numbers
    assert "s.wait_p90_s_ci95_high" in read_csv(out / "summary.csv")[0]
    from sim.report.studies import write_sweep_report

    write_sweep_report(again)
    assert (out / "figures" / "s.wait_p90_s__vs__services.s.fleet_size.png").is_file()
    assert "s: 90th-percentile wait" in (out / "report.md").read_text(encoding="utf-8")


def test_unknown_service_is_named(tiny_file: Path, tmp_path: Path) -> None:
    from sim.errors import InputError

    with pytest.raises(InputError, match="--service 'bus': not a service of the scenario; services: s"):
        run_sweep(tiny_file, parse_axes(["services.s.fleet_size=1"]), tmp_path / "o", replications=1, services=["bus"])
    assert not (tmp_path / "o").exists()  # checked before anything ran


def test_cli_sweep_prints_a_summary(cli: Cli, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = _ok(cli("sweep", tiny_file, "--vary", "services.s.fleet_size=1,2", "-r", 2, "--out", out, "--plot", "vehicle_km"))
    text = " ".join(result.stdout.split())
    assert "4 run(s): 4 run now, 0 reused" in text
    assert "vehicle_km" in text
    assert "network: Synthetic reconstruction of Sodegaura" in text  # provenance, as `run` prints it
    assert (out / "figures" / "vehicle_km__vs__services.s.fleet_size.png").stat().st_size > 0


def test_cli_unknown_plot_kpi_is_a_clean_error(cli: Cli, tiny_file: Path, tmp_path: Path) -> None:
    result = cli("sweep", tiny_file, "--vary", "services.s.fleet_size=1", "-r", 1, "--out", tmp_path / "o", "--plot", "nope")
    assert_clean_error(result, 2, "--plot 'nope'", "not a known KPI", "wait_p90_s", "cost_per_trip_yen")
    assert not (tmp_path / "o").exists()  # rejected before any run: a corrected retry is not refused


def test_cli_one_replication_has_no_interval(cli: Cli, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = _ok(cli("sweep", tiny_file, "--vary", "services.s.fleet_size=1,2", "-r", 1, "--out", out))
    assert "(no CI)" in result.stdout
    summary = read_csv(out / "summary.csv")
    assert [s["n"] for s in summary] == ["1", "1"]
    for s in summary:  # a mean but blank bounds, not a zero-width interval
        assert s["vehicle_km_mean"] != "" and s["vehicle_km_ci95_low"] == "" and s["vehicle_km_ci95_high"] == ""
    assert (out / "figures" / "wait_p90_s__vs__services.s.fleet_size.png").stat().st_size > 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "One replication gives no interval" in report and "(no CI)" in report and "nan" not in report


def test_cli_default_out_is_results_of_the_scenario_name(
    cli: Cli, tiny_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.cli.app

    monkeypatch.setattr(sim.cli.app, "REPO", tmp_path / "repo")
    _ok(cli("sweep", tiny_file, "--vary", "services.s.fleet_size=1", "-r", 1))
    assert (tmp_path / "repo" / "results" / "tiny-sweep" / "runs.csv").is_file()
