"""Tests for sweeps (sim.studies.sweep), their resumption and parallel back ends, and sensitivity studies."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import Result

from tests.conftest import REPO, assert_clean_error, read_csv, read_json
from sim.studies.grid import parse_axes
from sim.studies.sensitivity import parse_param, sensitivity
from sim.stats import Estimate
from sim.studies.sweep import (
    Point,
    RunRecord,
    RunStore,
    SerialBackend,
    execute,
    plan_study,
    plan_sweep,
    replication_seeds,
    run_study,
    scalar_kpis,
    summarise,
    summary_table,
)
from sim.studies.sweep import sweep as run_sweep

Cli = Callable[..., Result]

T_975 = {1: 12.706204736174698, 2: 4.302652729749464, 3: 3.182446305284263}  # Student t quantiles (tables)

GRID = ["services.s.fleet_size=1,2", "demand.requests_per_day=6,8"]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}:\n{result.output}\n{result.exception!r}"
    return result


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


# --------------------------------------------------------------------------- seeds


def test_replication_seeds_come_from_seedsequence_spawn() -> None:
    seeds = replication_seeds(12229, 4)
    expected = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(12229).spawn(4)]
    assert seeds == expected
    assert len(set(seeds)) == 4
    assert replication_seeds(12229, 6)[:4] == seeds  # more replications keep the earlier seeds
    assert replication_seeds(1, 3) != replication_seeds(2, 3)


def test_replication_count_is_checked() -> None:
    from sim.errors import InputError

    with pytest.raises(InputError, match="at least 1"):
        replication_seeds(1, 0)


def test_scalar_kpis_drop_dicts_strings_and_bools() -> None:
    metrics = {
        "scenario": "x",
        "seed": 3,
        "requests_total": 8,
        "wait_p90_s": None,
        "drivers_fte": 2.5,
        "per_service": {"s": {"requests_total": 8}},
        "network": {"name": "n"},
        "rejections_by_reason": {},
        "flag": True,
        "label": "text",
    }
    assert scalar_kpis(metrics) == {"requests_total": 8, "wait_p90_s": None, "drivers_fte": 2.5}


# --------------------------------------------------------------------------- intervals, hand-computed


def _rec(rid: str, r: int, **metrics: float | None) -> RunRecord:
    return RunRecord(rid, r, 100 + r, {}, dict(metrics))


def test_summary_intervals_match_hand_computed_values() -> None:
    pts = [Point(0, {"k": 1}, {"k": 1}, None), Point(1, {"k": 2}, {"k": 2}, None)]
    records = {
        # point 0: x = 1, 2, 3, 4 -> mean 2.5, s^2 = 5/3, half = t(3) * sqrt(5/3) / 2
        (0, 0): _rec("a", 0, x=1.0, y=10.0),
        (0, 1): _rec("b", 1, x=2.0, y=10.0),
        (0, 2): _rec("c", 2, x=3.0, y=10.0),
        (0, 3): _rec("d", 3, x=4.0, y=None),
        # point 1: x = 0, 2 -> mean 1, s = sqrt 2, half = t(1) * sqrt(2) / sqrt(2) = t(1)
        (1, 0): _rec("e", 0, x=0.0, y=None),
        (1, 1): _rec("f", 1, x=2.0, y=None),
    }
    s0, s1 = summarise(pts, records, ["x", "y"])
    assert s0.n == 4 and s1.n == 2
    half0 = T_975[3] * math.sqrt(5 / 3) / 2
    assert s0.estimates["x"].mean == 2.5
    assert s0.estimates["x"].low == pytest.approx(2.5 - half0, rel=1e-12, abs=0)
    assert s0.estimates["x"].high == pytest.approx(2.5 + half0, rel=1e-12, abs=0)
    # y: three equal values (None skipped) -> no spread, the interval collapses on the mean
    assert (s0.estimates["y"].n, s0.estimates["y"].mean, s0.estimates["y"].low, s0.estimates["y"].high) == (3, 10.0, 10.0, 10.0)
    assert s1.estimates["x"].mean == 1.0
    assert s1.estimates["x"].low == pytest.approx(1.0 - T_975[1], rel=1e-12)
    assert s1.estimates["x"].high == pytest.approx(1.0 + T_975[1], rel=1e-12)
    assert s1.estimates["y"].n == 0 and math.isnan(s1.estimates["y"].mean)


def test_summary_table_columns_and_cells() -> None:
    from sim.studies.sweep import Study

    pts = (Point(0, {"k": 1}, {"k": 1}, None),)
    study = Study(Path("x.toml"), Path("."), ("k",), pts, 1, (5, 6, 7))
    records = {(0, r): _rec(str(r), r, x=float(v), y=None) for r, v in enumerate((2.0, 4.0, 6.0))}
    summaries = summarise(pts, records, ["x", "y"])
    header, rows = summary_table(study, summaries, ["x", "y"])
    assert header == ["point", "k", "n", "x_mean", "x_ci95_low", "x_ci95_high", "y_mean", "y_ci95_low", "y_ci95_high"]
    # x = 2, 4, 6: mean 4, s = 2, half = t(2) * 2 / sqrt(3)
    half = T_975[2] * 2 / math.sqrt(3)
    row = rows[0]
    assert row[:4] == [0, "1", 3, "4.0"]
    assert float(row[4]) == pytest.approx(4 - half, rel=1e-12) and float(row[5]) == pytest.approx(4 + half, rel=1e-12)
    assert row[6:] == ["", "", ""]  # no value -> empty cells


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import TINY_TOML

    path = tmp_path_factory.mktemp("sweep") / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tiny_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted serial sweep of the tiny scenario: 2 x 2 grid, 3 replications."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    run_sweep(tiny_file, parse_axes(GRID), out, replications=3)
    return out


def test_sweep_files_and_tables(reference: Path, tiny_file: Path) -> None:
    names = sorted(p.name for p in reference.iterdir())
    assert names == ["figures", "report.md", "runs", "runs.csv", "summary.csv", "sweep.json"]
    assert len(list((reference / "runs").glob("*.json"))) == 12
    assert not [p for p in (reference / "runs").iterdir() if p.name.startswith(".")]
    runs = read_csv(reference / "runs.csv")
    assert len(runs) == 12
    assert list(runs[0])[:5] == ["point", "services.s.fleet_size", "demand.requests_per_day", "replication", "seed"]
    assert "wait_p90_s" in runs[0] and "per_service" not in runs[0]
    seeds = replication_seeds(7, 3)  # the tiny scenario's seed is 7
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
    assert f"* Road network: {net.name} — {net.provenance} (synthetic)." in report  # provenance names OSM already


def test_a_run_is_the_same_as_python_main_run_with_its_seed(reference: Path, tiny_file: Path) -> None:
    from sim.run.runner import run_scenario
    from sim.scenario.schema import load_scenario

    row = read_csv(reference / "runs.csv")[4]  # fleet 1, 8 requests/day, replication 1
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
    result = run_sweep(tiny_file, parse_axes(GRID), out, replications=3, resume=True, figures=False)
    assert (result.execution.reused, result.execution.ran) == (5, 7)
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(reference / "summary.csv")
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(p.name for p in (reference / "runs").iterdir())


def test_resume_with_more_replications_reuses_the_earlier_runs(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    first = run_sweep(tiny_file, parse_axes(GRID), out, replications=2, figures=False)
    assert first.execution.ran == 8
    more = run_sweep(tiny_file, parse_axes(GRID), out, replications=3, resume=True, figures=False)
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
    run_sweep(scenario, parse_axes(["services.s.fleet_size=1"]), out, replications=2, figures=False)
    scenario.write_text(tiny_file.read_text(encoding="utf-8").replace("capacity = 4", "capacity = 3"), encoding="utf-8")
    again = run_sweep(scenario, parse_axes(["services.s.fleet_size=1"]), out, replications=2, resume=True, figures=False)
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


def test_run_order_does_not_change_a_digit(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    # runs share a process: reverse order must give the same records (no state carried between runs)
    study = plan_sweep(tiny_file, parse_axes(GRID), replications=3)
    store = RunStore(tmp_path)
    store.dir.mkdir(parents=True)
    execute(study.jobs()[::-1], store, SerialBackend())
    from sim.studies.sweep import write_tables

    write_tables(tmp_path, study, store)
    assert _bytes(tmp_path / "runs.csv") == _bytes(reference / "runs.csv")


def test_a_failing_point_stops_the_sweep_and_keeps_finished_runs(cli: Cli, tiny_file: Path, tmp_path: Path) -> None:
    # the depot is only looked up on the network when a run starts, after validation
    out = tmp_path / "o"
    result = cli("sweep", tiny_file, "--vary", 'services.s.depot=city_hall,nowhere', "-r", 2, "--out", out)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "nowhere" in result.output
    assert len(list((out / "runs").glob("*.json"))) == 2  # the first point's runs are kept


def test_progress_counts_every_run(tiny_file: Path, tmp_path: Path) -> None:
    study = plan_sweep(tiny_file, parse_axes(["services.s.fleet_size=1,2"]), replications=2)
    seen: list[tuple[int, int]] = []
    store = RunStore(tmp_path)
    execute(study.jobs(), store, SerialBackend(), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_service_kpis_become_columns_on_request(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "svc"
    first = run_sweep(tiny_file, parse_axes(["services.s.fleet_size=1,2"]), out, replications=2, figures=False)
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
    assert (out / "figures" / "s.wait_p90_s__vs__services.s.fleet_size.png").is_file()


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
    assert "one replication gives no interval" in report and "(no CI)" in report and "nan" not in report


def test_cli_default_out_is_results_of_the_scenario_name(
    cli: Cli, tiny_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.cli.app

    monkeypatch.setattr(sim.cli.app, "REPO", tmp_path / "repo")
    _ok(cli("sweep", tiny_file, "--vary", "services.s.fleet_size=1", "-r", 1))
    assert (tmp_path / "repo" / "results" / "tiny-sweep" / "runs.csv").is_file()


# --------------------------------------------------------------------------- parallel back ends


@pytest.mark.slow
def test_local_processes_give_identical_tables(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "par"
    run_sweep(tiny_file, parse_axes(GRID), out, replications=3, workers=2, figures=False)
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(reference / "summary.csv")


def test_dask_local_cluster_gives_identical_tables(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = run_sweep(tiny_file, parse_axes(GRID), out, replications=3, dask=client, figures=False)
    assert result.execution.ran == 12
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(reference / "summary.csv")


@pytest.mark.slow
def test_dask_by_address_with_worker_processes(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run_sweep(tiny_file, parse_axes(GRID), out, replications=3, dask=cluster.scheduler_address, figures=False)
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")


def test_unreachable_dask_scheduler_is_an_input_error() -> None:
    pytest.importorskip("distributed")
    from sim.errors import InputError
    from sim.studies.sweep import DaskBackend

    with pytest.raises(InputError, match="cannot reach a Dask scheduler"):
        DaskBackend("tcp://127.0.0.1:9", timeout_s=0.5)


# --------------------------------------------------------------------------- killed and interrupted processes


def _start_sweep(tiny_file: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    args = [sys.executable, str(REPO / "main.py"), "sweep", str(tiny_file), "--vary", "services.s.fleet_size=1..4"]
    args += ["--vary", "demand.requests_per_day=30,40", "-r", "5", "--out", str(out), *extra]
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_runs(out: Path, proc: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = out / "runs"
        if runs.is_dir() and len([p for p in runs.glob("*.json")]) >= count:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError("the sweep stored no runs in time")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT, 2 workers"])
def test_killed_sweep_resumes_to_the_same_tables(tiny_file: Path, tmp_path: Path, how: str) -> None:
    axes = parse_axes(["services.s.fleet_size=1..4", "demand.requests_per_day=30,40"])
    ref = tmp_path / "ref"
    run_sweep(tiny_file, axes, ref, replications=5, figures=False)
    out = tmp_path / "killed"
    proc = _start_sweep(tiny_file, out, *(["--workers", "2"] if "workers" in how else []))
    _wait_for_runs(out, proc, 4)
    proc.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if how == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err
    stored = [p for p in (out / "runs").iterdir() if not p.name.startswith(".")]
    assert 4 <= len(stored) < 40
    for p in stored:  # every stored file is complete
        RunRecord.from_json(read_json(p))
    run_sweep(tiny_file, axes, out, replications=5, resume=True, figures=False)
    assert _bytes(out / "runs.csv") == _bytes(ref / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(ref / "summary.csv")
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]
    assert os.path.getsize(out / "runs.csv") > 0


# --------------------------------------------------------------------------- sensitivity


def test_parse_param() -> None:
    from sim.errors import InputError

    p = parse_param("services.s.fleet_size=1,4")
    assert (p.key, p.low, p.high) == ("services.s.fleet_size", 1, 4)
    for bad, needle in (("k=1", "exactly two"), ("k=1,2,3", "exactly two"), ("k", "KEY=LOW,HIGH"), ("seed=1,2", "seed")):
        with pytest.raises(InputError, match=needle):
            parse_param(bad)


def test_sensitivity_one_at_a_time(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    params = [parse_param("services.s.fleet_size=1,4"), parse_param("demand.requests_per_day=4,12")]
    res = sensitivity(tiny_file, params, out, replications=2, kpis=["vehicle_km", "wait_p90_s"])
    assert res.result.execution.total == 10  # base + 2 per parameter, 2 replications
    runs = read_csv(out / "runs.csv")
    assert [(r["services.s.fleet_size"], r["demand.requests_per_day"]) for r in runs[::2]] == [
        ("2", "8"), ("1", "8"), ("4", "8"), ("2", "4"), ("2", "12")
    ]  # fmt: skip  (the base value fills the keys a point leaves alone)
    rows = read_csv(out / "sensitivity.csv")
    km = [r for r in rows if r["kpi"] == "vehicle_km"]
    assert {r["key"] for r in km} == {"services.s.fleet_size", "demand.requests_per_day"}
    swings = [float(r["swing"]) for r in km]
    assert swings == sorted(swings, reverse=True)  # widest swing first
    for r in km:
        assert float(r["swing"]) == pytest.approx(abs(float(r["high_mean"]) - float(r["low_mean"])), rel=1e-12)
        assert r["base_mean"] == km[0]["base_mean"]
    summary = read_csv(out / "summary.csv")
    assert km[0]["base_mean"] == summary[0]["vehicle_km_mean"]
    assert (out / "figures" / "tornado_vehicle_km.png").stat().st_size > 0
    assert (out / "figures" / "tornado_wait_p90_s.png").stat().st_size > 0
    assert "## vehicle_km" in (out / "report.md").read_text(encoding="utf-8")


def test_cli_sensitivity(cli: Cli, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    result = _ok(cli("sensitivity", tiny_file, "--param", "services.s.fleet_size=1,3", "-r", 1, "--out", out))
    assert "wait_p90_s" in result.stdout  # the default KPI present in these runs
    assert (out / "figures" / "tornado_wait_p90_s.png").is_file()
    assert_clean_error(cli("sensitivity", tiny_file, "--out", tmp_path / "x"), 2, "--param")
    assert_clean_error(
        cli("sensitivity", tiny_file, "--param", "services.s.fleet_size=1,3", "--kpi", "nope", "-r", 1, "--out", tmp_path / "y"),
        2,
        "--kpi 'nope'",
        "not a known KPI",
        "drivers_fte",
    )
    assert not (tmp_path / "y").exists()  # rejected before any run
    meta = read_json(out / "sensitivity.json")
    assert meta["network"]["name"] == "sodegaura" and meta["network"]["synthetic"] is True
    assert "Road network: sodegaura" in (out / "report.md").read_text(encoding="utf-8")
    assert "network: Synthetic reconstruction" in " ".join(result.stdout.split())
