"""Every reproduction of issue 16 ("nothing lost, nothing mixed, nothing escapes") as a named test.

Numbers refer to the issue's list of defects.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.conftest import TINY_TOML, assert_clean_error, files_in, read_csv, read_json

Cli = Callable[..., Result]
WriteScenario = Callable[..., Path]


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


# --------------------------------------------------------------------------- 1. results directories never mix two runs


def test_d1_rerun_into_an_existing_directory_replaces_it_whole(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("run", tiny_scenario, "--out", out, "--no-report").exit_code == 0
    (out / "stray.txt").write_text("from before", encoding="utf-8")
    assert cli("run", tiny_scenario, "--out", out, "--seed", "8", "--no-report").exit_code == 0
    assert not (out / "stray.txt").exists()  # the old directory was replaced, not added to
    assert read_json(out / "metrics.json")["seed"] == 8
    assert "seed = 8" in (out / "scenario.toml").read_text(encoding="utf-8")
    assert files_in(tmp_path) == ["out", "tiny.toml"]  # no lock, staging or .tmp left


def test_d1_a_second_writer_is_refused_while_the_first_holds_the_lock(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    from sim.outdir import DirLock

    out = tmp_path / "out"
    with DirLock(out):
        result = cli("run", tiny_scenario, "--out", out, "--no-report")
        assert_clean_error(result, 2, "is writing this directory", f"process {os.getpid()}")
        result = cli("compare", tiny_scenario, "--out", out, "--no-report")
        assert_clean_error(result, 2, "is writing this directory")
    assert not out.exists()


def test_d1_disk_full_at_the_swap_leaves_the_old_run_and_prints_no_success(
    cli: Cli, tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.outdir

    out = tmp_path / "out"
    assert cli("run", tiny_scenario, "--out", out, "--no-report").exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full(staged: Path, target: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(sim.outdir, "swap_in", full)
    result = cli("run", tiny_scenario, "--out", out, "--seed", "9", "--no-report")
    assert_clean_error(result, 1, f"{out}: No space left on device")
    assert "results written" not in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert files_in(tmp_path) == ["out", "tiny.toml"]


def test_d1_compare_replaces_its_directory_whole(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    a = write_scenario("a.toml")
    b = write_scenario("b.toml", TINY_TOML.replace('name = "tiny"', 'name = "other"'))
    out = tmp_path / "cmp"
    assert cli("compare", a, b, "--out", out, "--no-report").exit_code == 0
    served = {r["scenario"]: r["requests_served"] for r in read_csv(out / "comparison.csv")}
    for name in ("tiny", "other"):
        assert float(served[name]) == read_json(out / name / "metrics.json")["requests_served"]
    assert files_in(tmp_path) == ["a.toml", "b.toml", "cmp"]


# --------------------------------------------------------------------------- 2. rich markup


def test_d2_markup_in_a_set_key_is_quoted_literally(cli: Cli, tiny_scenario: Path) -> None:
    result = cli("validate", tiny_scenario, "--set", "foo[/]=1")
    assert_clean_error(result, 2, "'foo[/]'")
    result = cli("validate", tiny_scenario, "--set", "services.s.vehicle=[bold]x[red]")
    assert_clean_error(result, 2, "[bold]x[red]")


# --------------------------------------------------------------------------- 3. the scenario name becomes one path component


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("../../../x", "___.._.._x"),
        ("/tmp/abs", "_tmp_abs"),
        ("a/b", "a_b"),
        ("x" * 150, "x" * 64),
        (".hidden", "_hidden"),
        ("tab\there", "tab_here"),
        ("<script>alert(1)</script>", "_script_alert(1)__script_"),
    ],
)
def test_d3_scenario_names_become_one_safe_folder_under_results(
    cli: Cli, write_scenario: WriteScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, folder: str
) -> None:
    import sim.cli.app

    monkeypatch.setattr(sim.cli.app, "REPO", tmp_path / "repo")
    path = write_scenario("n.toml", TINY_TOML.replace('name = "tiny"', f"name = {json.dumps(name)}"))
    outside = _all_files(tmp_path.parent) - _all_files(tmp_path)
    result = cli("run", path, "--no-report")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "repo" / "results").iterdir()] == [folder]
    assert read_json(tmp_path / "repo" / "results" / folder / "metrics.json")["scenario"] == name
    assert _all_files(tmp_path.parent) - _all_files(tmp_path) == outside  # nothing written elsewhere


@pytest.mark.parametrize("name", ["", ".", "..", " . ", "...", "x" * 300])
def test_d3_names_with_nothing_usable_are_refused(cli: Cli, write_scenario: WriteScenario, tmp_path: Path, name: str) -> None:
    path = write_scenario("n.toml", TINY_TOML.replace('name = "tiny"', f"name = {json.dumps(name)}"))
    before = _all_files(tmp_path.parent)
    assert_clean_error(cli("run", path, "--no-report"), 2, "key name")
    assert _all_files(tmp_path.parent) == before


def test_d3_compare_cannot_escape_its_out(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    a = write_scenario("a.toml")
    b = write_scenario("b.toml", TINY_TOML.replace('name = "tiny"', 'name = "../escaped"'))
    result = cli("compare", a, b, "--out", tmp_path / "cmp", "--no-report")
    assert result.exit_code == 0, result.output
    assert files_in(tmp_path) == ["a.toml", "b.toml", "cmp"]
    assert {"___escaped", "tiny", "comparison.csv"} <= set(files_in(tmp_path / "cmp"))
    assert read_json(tmp_path / "cmp" / "___escaped" / "metrics.json")["scenario"] == "../escaped"


def test_d3_compare_refuses_names_that_give_the_same_folder(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    a = write_scenario("a.toml", TINY_TOML.replace('name = "tiny"', 'name = "x/y"'))
    b = write_scenario("b.toml", TINY_TOML.replace('name = "tiny"', 'name = "x:y"'))
    assert_clean_error(cli("compare", a, b, "--out", tmp_path / "cmp", "--no-report"), 2, "'x/y'", "'x_y'")


def test_d3_japanese_names_stay_valid(cli: Cli, write_scenario: WriteScenario) -> None:
    path = write_scenario("j.toml", TINY_TOML.replace('name = "tiny"', 'name = "袖ケ浦 案A"'))
    assert cli("validate", path).exit_code == 0


# --------------------------------------------------------------------------- 4-6. bounds, overflow, non-finite money


@pytest.mark.parametrize(
    ("setting", "needles"),
    [
        ("services.s.fleet_size=99999999999999999999", ["services.s.fleet_size", "99999999999999999999", "0 to 20,000"]),
        ("services.s.fleet_size=true", ["services.s.fleet_size", "True", "integer"]),
        ('demand.requests_per_day="120"', ["demand.requests_per_day", "'120'"]),
        ("demand.requests_per_day=10000000", ["demand.requests_per_day", "0 to 2,000,000"]),
        ('demand.end="1e9"', ["demand.end", "48:00"]),
        ('demand.end="99:59"', ["demand.end", "48:00"]),
        ("demand.jitter_m=1e9", ["demand.jitter_m", "0 to 5,000"]),
        ("vehicles.van.stop_dwell_s=inf", ["vehicles.van.stop_dwell_s", "finite"]),
        ("vehicles.van.incident_onsite_min=1e9", ["vehicles.van.incident_onsite_min", "0 to 1,440"]),
        ("vehicles.van.price_yen=inf", ["vehicles.van.price_yen", "finite"]),
        ("vehicles.van.price_yen=nan", ["vehicles.van.price_yen", "finite"]),
        ("vehicles.van.lifetime_years=1e-300", ["vehicles.van.lifetime_years", "1 to 100"]),
        ("costs.interest_rate=-inf", ["costs.interest_rate"]),
        ("staffing.booking_staff=1.5", ["staffing.booking_staff", "integer"]),
    ],
)
def test_d4_d5_d6_out_of_range_values_are_refused_with_the_range(
    cli: Cli, tiny_scenario: Path, setting: str, needles: list[str]
) -> None:
    result = cli("validate", tiny_scenario, "--set", setting)
    assert_clean_error(result, 2, str(tiny_scenario), *needles)


def test_d4_line_headway_and_recovery_are_bounded(cli: Cli, write_scenario: WriteScenario) -> None:
    path = write_scenario(extra="""
        [services.bus]
        kind = "line"
        vehicle = "van"
        stops = ["sodegaura_sta", "city_hall"]
        headway_min = 30
        """)
    assert_clean_error(cli("validate", path, "--set", "services.bus.headway_min=0.001"), 2, "services.bus.headway_min", "1 to 1,440")
    assert_clean_error(cli("validate", path, "--set", "services.bus.recovery_share=inf"), 2, "services.bus.recovery_share")


def test_d4_extends_dev_zero_fails_fast(cli: Cli, write_scenario: WriteScenario) -> None:
    path = write_scenario("z.toml", 'extends = "/dev/zero"\n' + TINY_TOML)
    assert_clean_error(cli("validate", path), 2, "/dev/zero", "not a regular file")


def test_d4_huge_scenario_file_is_refused(cli: Cli, write_scenario: WriteScenario) -> None:
    path = write_scenario("big.toml", TINY_TOML + "#" * 1_100_000 + "\n")
    assert_clean_error(cli("validate", path), 2, "big.toml", "larger than")


def test_d6_costs_json_is_always_valid_json(tiny_run: Path) -> None:
    text = (tiny_run / "costs.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c} in costs.json"))


# --------------------------------------------------------------------------- 7. encodings of scenario files


def test_d7_utf8_bom_scenario_is_read(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TINY_TOML.replace("tiny test scenario", "袖ケ浦").encode("utf-8"))
    assert cli("validate", path).exit_code == 0


@pytest.mark.parametrize("encoding", ["shift_jis", "utf-16"])
def test_d7_other_encodings_are_refused_naming_file_and_fix(cli: Cli, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"{encoding}.toml"
    path.write_bytes(TINY_TOML.replace("tiny test scenario", "袖ケ浦市の試験").encode(encoding))
    assert_clean_error(cli("validate", path), 2, str(path), "UTF-8")


# --------------------------------------------------------------------------- 8. CSV formula injection


def test_d8_formula_ids_are_neutralised_in_requests_and_demand_csv(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    demand = tmp_path / "in.csv"
    from sim.network.io import load_network

    net = load_network("sodegaura")
    a, b = (str(x) for x in net.node_ids[:2])
    demand.write_text(
        "request_id,request_time,origin_node,dest_node\n"
        f'"=HYPERLINK(""http://x"")",09:00,{a},{b}\n+cmd|x,09:05,{b},{a}\n@SUM(1),09:10,{a},{b}\n-5,09:20,{b},{a}\n',
        encoding="utf-8",
    )
    path = write_scenario("inj.toml", TINY_TOML.replace("requests_per_day = 8", 'csv = "in.csv"'))
    out = tmp_path / "out"
    result = cli("run", path, "--out", out, "--no-report")
    assert result.exit_code == 0, result.output
    for name in ("requests.csv", "demand.csv"):
        ids = {r["request_id"] for r in read_csv(out / name)}
        assert ids == {"'=HYPERLINK(\"http://x\")", "'+cmd|x", "'@SUM(1)", "-5"}, name
    # the tool reads its own output back: replaying the run directory gives the same requests
    again = tmp_path / "again"
    assert cli("run", out / "scenario.toml", "--out", again, "--no-report").exit_code == 0
    assert (again / "requests.csv").read_bytes() == (out / "requests.csv").read_bytes()


# --------------------------------------------------------------------------- 10. environment failures


def test_d10_corrupt_graphml_gz_names_the_file(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    bad = tmp_path / "net.graphml.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage, not deflate data" * 4)
    path = write_scenario("c.toml", TINY_TOML.replace('source = "sodegaura"', 'source = "net.graphml.gz"'))
    assert_clean_error(cli("validate", path), 1, str(bad), "corrupt or truncated")
    bad.write_bytes(b"plain text")
    assert_clean_error(cli("validate", path), 1, str(bad), "corrupt or truncated")
    bad.write_bytes(gzip.compress(b"<graphml>" * 100)[:60])  # truncated: the XML inside is cut short
    assert_clean_error(cli("validate", path), 2, str(bad))


def test_d10_deep_extends_chain_is_limited(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "s0.toml").write_text(TINY_TOML, encoding="utf-8")
    for k in range(1, 1200):
        (tmp_path / f"s{k}.toml").write_text(f'extends = "s{k - 1}.toml"\n', encoding="utf-8")
    result = cli("validate", tmp_path / "s1199.toml")
    assert_clean_error(result, 2, "s1199.toml", "extends", "longer than 32")


def test_d10_name_too_long_for_out_is_an_environment_error(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / ("x" * 300)
    result = cli("run", tiny_scenario, "--out", out, "--no-report")
    assert_clean_error(result, 1, "File name too long")
    assert "internal error" not in result.output


def test_d10_unwritable_out_is_an_environment_error(
    cli: Cli, tiny_scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.outdir

    real_mkdir = Path.mkdir

    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name.startswith(".out.staging"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(sim.outdir.Path, "mkdir", refuse)
    result = cli("run", tiny_scenario, "--out", tmp_path / "out", "--no-report")
    assert_clean_error(result, 1, "Permission denied", ".out.staging")


# --------------------------------------------------------------------------- 11. lax input


def test_d11_unknown_attractor_kind_is_refused(cli: Cli, tiny_scenario: Path) -> None:
    result = cli("validate", tiny_scenario, "--set", "demand.attractor_weights={hospitl = 2.0}")
    assert_clean_error(result, 2, "'hospitl'", "valid kinds", "hospital")


def test_d11_duplicate_departures_are_refused(cli: Cli, write_scenario: WriteScenario) -> None:
    path = write_scenario(extra="""
        [services.bus]
        kind = "line"
        vehicle = "van"
        stops = ["sodegaura_sta", "city_hall"]
        departures = ["08:00", "09:00", "08:00"]
        """)
    assert_clean_error(cli("validate", path), 2, "services.bus.departures", "'08:00' is listed twice")


def test_d11_demand_csv_that_is_a_directory(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    path = write_scenario("d.toml", TINY_TOML.replace("requests_per_day = 8", 'csv = "d.csv"'))
    assert_clean_error(cli("validate", path), 2, "d.csv", "is a directory")
    assert_clean_error(cli("run", path, "--out", tmp_path / "o", "--no-report"), 2, "d.csv", "is a directory")


def test_d11_duplicate_csv_header_columns_are_refused(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("request_id,request_time,origin_node,dest_node,request_time\n", encoding="utf-8")
    path = write_scenario("d.toml", TINY_TOML.replace("requests_per_day = 8", 'csv = "d.csv"'))
    assert_clean_error(cli("validate", path), 2, "d.csv", "'request_time' appears twice")


def test_d11_points_far_outside_the_network_are_refused_at_once(cli: Cli, write_scenario: WriteScenario, tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(
        "request_id,request_time,origin_lat,origin_lon,dest_lat,dest_lon\n"
        "a,09:00,35.40,139.98,35.41,139.99\nb,09:00,139.98,35.40,35.41,139.99\n",
        encoding="utf-8",
    )
    path = write_scenario("d.toml", TINY_TOML.replace("requests_per_day = 8", 'csv = "d.csv"'))
    result = cli("validate", path)
    assert result.exit_code == 2
    (tmp_path / "d.csv").write_text(
        "request_id,request_time,origin_lat,origin_lon,dest_lat,dest_lon\n"
        "a,09:00,35.40,139.98,35.41,139.99\nb,09:00,35.0,135.0,35.41,139.99\n",
        encoding="utf-8",
    )
    assert_clean_error(cli("validate", path), 2, "d.csv, row 2", "origin_lat/origin_lon", "km from the nearest node")
