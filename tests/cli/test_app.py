"""Tests for the command line (sim.cli.app): run, validate, network info; exit codes and messages."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.conftest import SODEGAURA_SCENARIOS, TINY_TOML, CliRun, assert_clean_error, files_in, read_csv, read_json
from sim.errors import ScenarioError, SimError
from sim.report.build import REPORT_FILES
from sim.run.results import EXCHANGE_FILES, RUN_FILES

Cli = Callable[..., Result]
TOP_EXCHANGE = sorted({f.split('/')[0] for f in EXCHANGE_FILES})  # results.xlsx, geo/
WriteScenario = Callable[..., Path]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}:\n{result.output}\n{result.exception!r}"
    return result


def _flat(text: str) -> str:
    """``text`` with rich's line wrapping undone (runs of whitespace become one space)."""
    return " ".join(text.split())


def _run(cli: Cli, scenario: Path | None, out: Path, *args: Any) -> Result:
    head = ["run"] if scenario is None else ["run", scenario]
    return _ok(cli(*head, "--out", out, *args))


# --------------------------------------------------------------------------- run: success


def test_run_writes_every_results_file(tiny_cli_run: CliRun) -> None:
    out = tiny_cli_run.out  # <tmp>/out/nested: parents are created
    assert files_in(out) == sorted([*RUN_FILES, *TOP_EXCHANGE, *REPORT_FILES])  # every contract file, no temporaries left
    for name in RUN_FILES:
        assert (out / name).stat().st_size > 0
    assert "tiny (seed 7)" in tiny_cli_run.stdout
    assert "Requests served" in tiny_cli_run.stdout and "90th-percentile wait (min)" in tiny_cli_run.stdout  # registry labels
    assert "results written to" in _flat(tiny_cli_run.stdout)
    assert str(out) in tiny_cli_run.stdout.replace("\n", "")  # rich folds a long path over lines
    assert "Traceback" not in tiny_cli_run.output


def test_run_reports_synthetic_network(tiny_cli_run: CliRun) -> None:
    assert "network:" in tiny_cli_run.stdout
    assert "Synthetic" in tiny_cli_run.stdout


def test_run_without_scenario_runs_the_baseline(baseline_run: Path) -> None:
    out = baseline_run  # `run --out DIR --no-report` with no scenario argument
    metrics = read_json(out / "metrics.json")
    assert metrics["scenario"] == "baseline"
    assert metrics["seed"] == 12229
    # base.toml: behavioural demand of 65,000 residents; only public-transport trips are requests
    assert metrics["trips_total"] > 130_000
    assert 0 < metrics["requests_total"] == len(read_csv(out / "requests.csv"))
    assert len(read_csv(out / "trips.csv")) == metrics["trips_total"]
    # today's DRT (4 Noah) and the three fixed lines (one vehicle each on their timetables)
    assert metrics["per_service"]["choisoko"]["vehicles"] == 4
    with_vehicles = sorted(k for k, v in metrics["per_service"].items() if v["vehicles"])
    assert with_vehicles == ["choisoko", "daijuku", "nozomino_hiraoka", "nozomino_nagaura"]
    drt = [v for v in read_csv(out / "vehicles.csv") if v["service"] == "choisoko"]
    assert len(drt) == 4 and metrics["vehicles"] == len(read_csv(out / "vehicles.csv"))
    assert 'name = "baseline"' in (out / "scenario.toml").read_text(encoding="utf-8")


def test_run_default_out_is_results_of_the_scenario_name(
    cli: Cli, tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.cli.app

    monkeypatch.setattr(sim.cli.app, "REPO", tmp_path / "repo")
    _ok(cli("run", tiny_scenario))
    assert files_in(tmp_path / "repo" / "results" / "tiny") == sorted([*RUN_FILES, *TOP_EXCHANGE, *REPORT_FILES])


def test_run_set_overrides_reach_the_run_and_scenario_toml(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(cli, tiny_scenario, out, "--set", "services.s.fleet_size=3", "--set", "vehicles.van.capacity=6", "--no-report")
    vehicles = read_csv(out / "vehicles.csv")
    assert len(vehicles) == 3
    assert {v["capacity"] for v in vehicles} == {"6"}
    text = (out / "scenario.toml").read_text(encoding="utf-8")
    assert "fleet_size = 3" in text and "capacity = 6" in text
    assert read_json(out / "metrics.json")["vehicles"] == 3


def test_run_seed_option(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(cli, tiny_scenario, out, "--seed", "99", "--no-report")
    assert read_json(out / "metrics.json")["seed"] == 99
    assert "# seed used: 99" in (out / "scenario.toml").read_text(encoding="utf-8")
    assert "tiny (seed 99)" in result.stdout


@pytest.mark.slow
def test_run_baseline_with_set_into_named_table(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(cli, SODEGAURA_SCENARIOS / "baseline.toml", out, "--set", "services.choisoko.fleet_size=6", "--no-report")
    drt = [v for v in read_csv(out / "vehicles.csv") if v["service"] == "choisoko"]
    assert len(drt) == 6
    assert {v["area"] for v in drt} == {"A", "B"}


# --------------------------------------------------------------------------- validate and network info


def test_validate_baseline_ok(cli: Cli) -> None:
    result = _ok(cli("validate", SODEGAURA_SCENARIOS / "baseline.toml", SODEGAURA_SCENARIOS / "base.toml"))
    assert "baseline.toml: ok (baseline: 4 service(s) on sodegaura)" in _flat(result.stdout)
    assert "base.toml: ok (sodegaura-base: 3 service(s) on sodegaura)" in _flat(result.stdout)


def test_validate_tiny_with_set(cli: Cli, tiny_scenario: Path) -> None:
    result = _ok(cli("validate", tiny_scenario, "--set", "services.s.fleet_size=9"))
    assert "tiny.toml: ok" in result.stdout


def test_validate_stops_at_the_first_bad_file(cli: Cli, tiny_scenario: Path, write_scenario: WriteScenario) -> None:
    bad = write_scenario("neg.toml", TINY_TOML.replace("fleet_size = 2", "fleet_size = -1"))
    result = cli("validate", tiny_scenario, bad)
    assert_clean_error(result, 2, "neg.toml", "services.s.fleet_size", "-1")
    assert "tiny.toml: ok" in result.stdout


def test_validate_checks_places_and_demand_csv(cli: Cli, write_scenario: WriteScenario) -> None:
    scen = write_scenario("hub.toml", extra='transfer_hub = "nowhere"\n')
    assert_clean_error(cli("validate", scen), 2, "hub.toml", "services.s.transfer_hub", "'nowhere'")
    (scen.parent / "bad.csv").write_text(
        "request_id,request_time,origin_lat,origin_lon,dest_lat,dest_lon\nR1,9am,35.4,140.0,35.41,140.01\n",
        encoding="utf-8",
    )
    csv_scen = write_scenario("csv.toml", TINY_TOML.replace("requests_per_day = 8", 'csv = "bad.csv"'))
    assert_clean_error(cli("validate", csv_scen), 2, "bad.csv", "row 1", "request_time", "'9am'")


def test_network_info_sodegaura_json(cli: Cli) -> None:
    data = json.loads(_ok(cli("network", "info", "sodegaura", "--json")).stdout)
    assert data["name"] == "sodegaura"
    assert data["synthetic"] is True
    assert "Synthetic" in data["provenance"]
    assert data["nodes"] == 800
    assert data["edges"] > data["nodes"]
    assert 1.15 <= data["circuity"] <= 1.40
    assert data["strongly_connected_components_before"] >= 1
    lon_min, lat_min, lon_max, lat_max = data["bbox_lon_lat"]
    assert 139.8 < lon_min < lon_max < 140.2 and 35.2 < lat_min < lat_max < 35.6


def test_network_info_tachikawa(cli: Cli) -> None:
    data = json.loads(_ok(cli("network", "info", "tachikawa", "--json")).stdout)
    assert data["nodes"] == 4106
    assert data["synthetic"] is False
    assert "OpenStreetMap" in data["provenance"]
    assert 1.15 <= data["circuity"] <= 1.40


def test_network_info_table(cli: Cli) -> None:
    out = _ok(cli("network", "info", "sodegaura")).stdout
    assert "network sodegaura" in out
    assert "nodes" in out and "800" in out


def test_help_and_no_args(cli: Cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("run", "validate", "network"):
        assert command in result.stdout
    assert "--set" in _ok(cli("run", "--help")).stdout


# --------------------------------------------------------------------------- bad input: exit 2


def _bad_scenario(write_scenario: WriteScenario, old: str, new: str) -> Path:
    text = TINY_TOML.replace(old, new)
    assert text != TINY_TOML
    return write_scenario("bad.toml", text)


def test_unknown_key_in_file(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = write_scenario("bad.toml", extra="[walk]\nsped_mps = 2\n")
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "bad.toml", "walk.sped_mps", "unknown key")


def test_wrong_type(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = _bad_scenario(write_scenario, "capacity = 4", 'capacity = "x"')
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "bad.toml", "vehicles.van.capacity", "'x'")


def test_negative_fleet(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = _bad_scenario(write_scenario, "fleet_size = 2", "fleet_size = -1")
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "bad.toml", "services.s.fleet_size", "-1")


def test_missing_scenario_file(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert_clean_error(cli("run", missing, "--out", tmp_path / "o"), 2, str(missing), "not found")
    assert_clean_error(cli("validate", missing), 2, str(missing), "not found")


def test_invalid_toml(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = write_scenario("bad.toml", 'name = "x"\nseed = \n')
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "bad.toml", "not valid TOML", "line 2")


def test_extends_loop_on_the_command_line(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    a = write_scenario("a.toml", 'extends = "b.toml"\nname = "a"\n')
    write_scenario("b.toml", 'extends = "a.toml"\nname = "b"\n')
    assert_clean_error(cli("run", a, "--out", tmp_path / "o"), 2, "a.toml", "b.toml", "loop")


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('depot = "nowhere"\n', "services.s.depot"),
        ('transfer_hub = "nowhere"\n', "services.s.transfer_hub"),
        ('[services.s.areas.A]\ndepot = "nowhere"\n', "services.s.areas.A.depot"),
    ],
)
def test_place_off_the_network(cli: Cli, write_scenario: WriteScenario, tmp_path: Path, extra: str, key: str) -> None:
    scen = write_scenario("bad.toml", extra=extra)
    result = cli("run", scen, "--out", tmp_path / "o")
    assert_clean_error(result, 2, key, "'nowhere'", "not found", "city_hall")  # valid places are listed
    assert not (tmp_path / "o").exists()


def test_unknown_district(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = write_scenario("bad.toml", extra="[services.s.areas.A]\ndistricts = ['火星']\n")
    result = cli("run", scen, "--out", tmp_path / "o")
    assert_clean_error(result, 2, "services.s.areas.A.districts", "'火星'", "長浦", "平岡")


@pytest.mark.parametrize(
    "extra", ['depot = "nowhere"\n', "[services.s.areas.A]\ndistricts = ['火星']\n"], ids=["depot", "district"]
)
def test_place_and_district_errors_of_run_name_the_file(
    cli: Cli, write_scenario: WriteScenario, tmp_path: Path, extra: str
) -> None:
    scen = write_scenario("bad.toml", extra=extra)
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "bad.toml")


def test_demand_csv_with_a_bad_row(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(
        "request_id,request_time,origin_lat,origin_lon,dest_lat,dest_lon\n"
        "R1,09:00,35.40,140.00,35.41,140.01\n"
        "R2,9am,35.40,140.00,35.41,140.01\n",
        encoding="utf-8",
    )
    scen = _bad_scenario(write_scenario, "requests_per_day = 8", 'csv = "bad.csv"')
    result = cli("run", scen, "--out", tmp_path / "o")
    assert_clean_error(result, 2, "bad.csv", "row 2", "request_time", "'9am'")


def test_demand_csv_missing(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = _bad_scenario(write_scenario, "requests_per_day = 8", 'csv = "no_such_demand.csv"')
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "no_such_demand.csv", "not found")


def test_unknown_network_source(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = _bad_scenario(write_scenario, 'source = "sodegaura"', 'source = "atlantis"')
    result = cli("run", scen, "--out", tmp_path / "o")
    assert_clean_error(result, 2, "'atlantis'", "sodegaura", "tachikawa")


def test_unknown_network_source_names_file_and_key(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = _bad_scenario(write_scenario, 'source = "sodegaura"', 'source = "atlantis"')
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "bad.toml", "network.source")


def test_network_info_unknown_and_missing_sources(cli: Cli, tmp_path: Path) -> None:
    assert_clean_error(cli("network", "info", "atlantis"), 2, "'atlantis'")
    missing = tmp_path / "nope.graphml"
    assert_clean_error(cli("network", "info", missing), 2, str(missing), "not found")
    junk = tmp_path / "junk.graphml"
    junk.write_text("garbage", encoding="utf-8")
    assert_clean_error(cli("network", "info", junk), 2, str(junk))


def test_network_build_refuses_other_networks(cli: Cli) -> None:
    assert_clean_error(cli("network", "build", "tachikawa"), 2, "'tachikawa'", "sodegaura")


def test_set_unknown_key(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    result = cli("run", tiny_scenario, "--out", tmp_path / "o", "--set", "services.s.fleet_sz=3")
    assert_clean_error(result, 2, "tiny.toml", "'fleet_sz'", "fleet_size", "max_wait_min")
    result = cli("validate", tiny_scenario, "--set", "nope=1")
    assert_clean_error(result, 2, "'nope'", "services", "vehicles")


def test_set_malformed(cli: Cli, tiny_scenario: Path) -> None:
    assert_clean_error(cli("validate", tiny_scenario, "--set", "seed"), 2, "'seed'", "KEY=VALUE")


def test_negative_seed_is_a_usage_error(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    result = cli("run", tiny_scenario, "--out", tmp_path / "o", "--seed", "-1")
    assert result.exit_code == 2
    assert "--seed" in result.output
    assert not (tmp_path / "o").exists()


def test_debug_shows_the_exception(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    scen = _bad_scenario(write_scenario, "fleet_size = 2", "fleet_size = -1")
    result = cli("--debug", "run", scen, "--out", tmp_path / "o")
    assert result.exit_code == 1  # CliRunner's code for an uncaught exception
    assert isinstance(result.exception, ScenarioError)
    # without --debug the next call is clean again (the flag does not stick)
    assert_clean_error(cli("run", scen, "--out", tmp_path / "o"), 2, "bad.toml")


# --------------------------------------------------------------------------- other failures: exit 1


def test_internal_error_is_one_message_exit_1(
    cli: Cli, tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.run.runner

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(sim.run.runner, "simulate_day", boom)
    out = tmp_path / "o"
    result = cli("run", tiny_scenario, "--out", out)
    assert_clean_error(result, 1, "internal error", "RuntimeError", "engine exploded", "--debug")
    assert not out.exists()


def test_sim_error_that_is_not_input_exits_1(
    cli: Cli, tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.run.runner

    def fail(*args: Any, **kwargs: Any) -> None:
        raise SimError("capacity model failed for vehicle 3")

    monkeypatch.setattr(sim.run.runner, "simulate_day", fail)
    result = cli("run", tiny_scenario, "--out", tmp_path / "o")
    assert_clean_error(result, 1, "error: capacity model failed for vehicle 3")
    assert "internal error" not in result.output


def test_out_is_a_file(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("keep me", encoding="utf-8")
    result = cli("run", tiny_scenario, "--out", target)
    assert_clean_error(result, 2, str(target))
    assert target.read_text(encoding="utf-8") == "keep me"


# --------------------------------------------------------------------------- failing runs leave --out alone


def _old_results(out: Path) -> dict[str, str]:
    out.mkdir(parents=True)
    old = {name: f"old {name}\n" for name in ("metrics.json", "requests.csv", "demand.csv")}
    for name, text in old.items():
        (out / name).write_text(text, encoding="utf-8")
    return old


def test_failed_run_leaves_old_results_unchanged(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = _old_results(out)
    for k, (a, b) in enumerate(
        [
            ("fleet_size = 2", "fleet_size = -1"),  # schema error
            ("fleet_size = 2", 'fleet_size = 2\ndepot = "nowhere"'),  # layout error
            ('source = "sodegaura"', 'source = "atlantis"'),  # network error
        ]
    ):
        scen = write_scenario(f"bad{k}.toml", TINY_TOML.replace(a, b))
        assert cli("run", scen, "--out", out).exit_code == 2
        assert files_in(out) == sorted(old)
        for name, text in old.items():
            assert (out / name).read_text(encoding="utf-8") == text


def test_failure_while_writing_leaves_no_half_file(
    cli: Cli, tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.run.results
    from sim.atomic import atomic_open

    def half_write(requests: Any, path: Path, net: Any) -> None:
        with atomic_open(path) as fh:
            fh.write("request_id,request_time\nR1,")
            raise OSError("disk full")

    monkeypatch.setattr(sim.run.results, "write_demand_csv", half_write)
    out = tmp_path / "out"
    old = _old_results(out)
    result = cli("run", tiny_scenario, "--out", out)
    assert_clean_error(result, 1, "disk full")
    # the old demand.csv is whole, and no temporary file is left behind
    assert (out / "demand.csv").read_text(encoding="utf-8") == old["demand.csv"]
    assert not [n for n in files_in(out) if n.startswith(".") or n.endswith(".tmp")]


# --------------------------------------------------------------------------- determinism and replay


def _bytes(out: Path, name: str) -> bytes:
    return (out / name).read_bytes()


def test_same_seed_gives_identical_files(cli: Cli, tiny_cli_run: CliRun, tiny_scenario: Path, tmp_path: Path) -> None:
    a, b = tiny_cli_run.out, tmp_path / "b"  # two runs of the same file content, other paths
    _run(cli, tiny_scenario, b, "--no-report")  # writing the report does not touch the results
    for name in RUN_FILES:
        assert _bytes(a, name) == _bytes(b, name), name


def test_same_explicit_seed_gives_identical_files(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _run(cli, tiny_scenario, a, "--seed", "123", "--no-report")
    _run(cli, tiny_scenario, b, "--seed", "123", "--no-report")
    assert _bytes(a, "metrics.json") == _bytes(b, "metrics.json")
    assert _bytes(a, "requests.csv") == _bytes(b, "requests.csv")


def test_different_seed_gives_different_demand(cli: Cli, tiny_cli_run: CliRun, tiny_scenario: Path, tmp_path: Path) -> None:
    a, b = tiny_cli_run.out, tmp_path / "b"
    _run(cli, tiny_scenario, b, "--seed", "8", "--no-report")
    assert _bytes(a, "demand.csv") != _bytes(b, "demand.csv")
    assert read_json(a / "metrics.json")["seed"] == 7
    assert read_json(b / "metrics.json")["seed"] == 8


def test_demand_depends_only_on_the_seed(cli: Cli, tiny_cli_run: CliRun, tiny_scenario: Path, tmp_path: Path) -> None:
    a, b = tiny_cli_run.out, tmp_path / "b"
    _run(cli, tiny_scenario, b, "--set", "services.s.fleet_size=1", "--set", "services.s.mode=door", "--no-report")
    assert _bytes(a, "demand.csv") == _bytes(b, "demand.csv")
    assert _bytes(a, "requests.csv") != _bytes(b, "requests.csv")


def _strip_identity(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metrics.items() if k not in {"scenario", "seed"}}


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_replay_of_a_demand_csv(
    cli: Cli, tiny_cli_run: CliRun, write_scenario: WriteScenario, tmp_path: Path, relative: bool
) -> None:
    first = tmp_path / "first"
    shutil.copytree(tiny_cli_run.out, first)  # the run of tiny.toml, beside the replay scenario
    csv_ref = "first/demand.csv" if relative else (first / "demand.csv").as_posix()
    replay = write_scenario(
        "replay.toml",
        TINY_TOML.replace('name = "tiny"', 'name = "replay"')
        .replace("seed = 7", "seed = 1")
        .replace("requests_per_day = 8", f'csv = "{csv_ref}"'),
    )
    again = tmp_path / "again"
    _run(cli, replay, again, "--no-report")
    for name in ("requests.csv", "vehicles.csv", "legs.csv", "vehicle_moves.csv", "demand.csv"):
        assert _bytes(first, name) == _bytes(again, name), name
    m1, m2 = read_json(first / "metrics.json"), read_json(again / "metrics.json")
    assert (m1["scenario"], m2["scenario"]) == ("tiny", "replay")
    assert _strip_identity(m1) == _strip_identity(m2)


def test_rerunning_the_resolved_scenario_reproduces_the_run(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    write_scenario("parent.toml", TINY_TOML)
    child = write_scenario("child.toml", 'extends = "parent.toml"\nname = "child"\n[services.s]\nfleet_size = 3\n')
    first, second = tmp_path / "first", tmp_path / "second"
    _run(cli, child, first, "--set", "walk.max_walk_m=600", "--no-report")
    _run(cli, first / "scenario.toml", second, "--no-report")
    for name in RUN_FILES:
        assert _bytes(first, name) == _bytes(second, name), name


def test_rerunning_the_resolved_scenario_keeps_the_cli_seed(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _run(cli, tiny_scenario, first, "--seed", "99", "--no-report")
    _run(cli, first / "scenario.toml", second, "--no-report")
    assert _bytes(first, "requests.csv") == _bytes(second, "requests.csv")


def test_rerunning_the_resolved_scenario_with_a_relative_demand_csv(
    cli: Cli, tiny_cli_run: CliRun, write_scenario: WriteScenario, tmp_path: Path
) -> None:
    first = tiny_cli_run.out
    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "trips.csv").write_bytes(_bytes(first, "demand.csv"))
    replay = write_scenario("scen/replay.toml", TINY_TOML.replace("requests_per_day = 8", 'csv = "trips.csv"'))
    second, third = tmp_path / "second", tmp_path / "third"
    _run(cli, replay, second, "--no-report")
    result = cli("run", second / "scenario.toml", "--out", third, "--no-report")
    assert result.exit_code == 0, result.output
    assert _bytes(second, "requests.csv") == _bytes(third, "requests.csv")
