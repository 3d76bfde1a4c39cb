"""``import gtfs`` / ``export gtfs`` from the command line, and every bad-feed case: exit 2, a
message naming the file, row and value, nothing written."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from sim.scenario.schema import load_scenario
from tests.conftest import assert_clean_error

Cli = Callable[..., Result]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}:\n{result.output}\n{result.exception!r}"
    return result


def test_import_gtfs_writes_a_runnable_scenario(cli: Cli, feed_dir: Path, base_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported.toml"
    res = _ok(cli("import", "gtfs", feed_dir, "--scenario", base_scenario, "--vehicle", "bus", "--route", "R1",
                  "--out", out))
    assert "R1_weekday" in res.stdout and "R1_sat" in res.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported from the GTFS feed feed")
    assert "#   stop S1 市役所: node:1 (20 m)" in text  # Japanese names intact, snap distance reported
    sc, _ = load_scenario(out)
    assert sorted(n for n in sc.services) == ["R1_sat", "R1_weekday", "ondemand"]
    assert sc.services["R1_weekday"].timetable[1][3] == "24:05:30"
    run_dir = tmp_path / "run"
    _ok(cli("run", out, "--out", run_dir, "--no-report"))
    assert (run_dir / "metrics.json").is_file()


def test_export_gtfs_from_a_run_directory(cli: Cli, base_scenario: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    # a run directory's scenario.toml resolves relative paths against the run directory
    _ok(cli("run", base_scenario, "--out", run_dir, "--no-report", "--set", f"network.source={tmp_path / 'line.graphml'}"))
    out = tmp_path / "feed.zip"
    res = _ok(cli("export", "gtfs", run_dir, "--out", out))
    assert "locations.geojson" in res.stdout
    with zipfile.ZipFile(out) as zf:
        assert {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt",
                "booking_rules.txt", "locations.geojson"} <= set(zf.namelist())


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("breakage", "needles"),
    [
        (lambda d: (d / "stops.txt").unlink(), ["required GTFS file(s) missing: stops.txt"]),
        (lambda d: ((d / "calendar.txt").unlink(), (d / "calendar_dates.txt").unlink()),
         ["missing: calendar.txt or calendar_dates.txt"]),
        (lambda d: _edit(d / "stop_times.txt", "R1_WD_0700,07:06:00,07:06:00,S2", "R1_WD_0700,07:06:00,07:06:00,S9"),
         ["stop_times.txt row 4", "stop_id 'S9' is not in stops.txt"]),
        (lambda d: _edit(d / "trips.txt", "R2,SA,R2_SA_1000", "R3,SA,R2_SA_1000"),
         ["trips.txt row 8", "route_id 'R3' is not in routes.txt"]),
        (lambda d: _edit(d / "trips.txt", "R1,WD,R1_WD_0730", "R1,XX,R1_WD_0730"),
         ["trips.txt row 3", "service_id 'XX' is not in calendar.txt or calendar_dates.txt"]),
        (lambda d: _edit(d / "trips.txt", "R1_WD_0730,駅前", "R1_WD_0700,駅前"),
         ["trips.txt row 3", "duplicate trip_id 'R1_WD_0700' (already on row 2)"]),
        (lambda d: _edit(d / "stops.txt", "S1,市役所", "S0,市役所"),
         ["stops.txt row 3", "duplicate stop_id 'S0' (already on row 2)"]),
        (lambda d: _edit(d / "routes.txt", "R2,A1,2", "R1,A1,2"), ["routes.txt row 3", "duplicate route_id 'R1'"]),
        (lambda d: _edit(d / "stop_times.txt", "R1_WD_0700,07:03:00", "R1_WD_0700,7h03"),
         ["stop_times.txt row 3", "arrival_time '7h03' is not a time"]),
        (lambda d: _edit(d / "stop_times.txt", "R1_WD_2330,24:05:30,24:05:30", "R1_WD_2330,23:05:30,23:05:30"),
         ["stop_times.txt row 13: trip 'R1_WD_2330' goes back in time at stop_sequence 4"]),
        (lambda d: _edit(d / "stops.txt", "S4,終点,35.0000449", "S4,終点,35.0500449"),
         ["stops.txt row 6: stop 'S4' (終点", "from the nearest road node", "outside the network"]),
        (lambda d: _edit(d / "calendar.txt", "20250401,20250430\nSA", "2025-04-01,20250430\nSA"),
         ["calendar.txt row 2", "start_date '2025-04-01' is not a date YYYYMMDD"]),
        (lambda d: (d / "stops.txt").write_bytes((d / "stops.txt").read_text(encoding="utf-8").encode("cp932")),
         ["stops.txt is not UTF-8", "iconv -f CP932"]),
        (lambda d: _edit(d / "stop_times.txt", "R1_WD_0700,07:00:00,07:00:00,S0,1", "R1_WD_0700,07:00:00,07:00:00,S0,2"),
         ["stop_times.txt row 3", "duplicate stop_sequence 2 in trip 'R1_WD_0700' (already on row 2)"]),
    ],
    ids=["missing-stops", "missing-calendar", "unknown-stop", "unknown-route", "unknown-service", "duplicate-trip",
         "duplicate-stop", "duplicate-route", "bad-time", "time-backwards", "stop-off-network", "bad-date", "not-utf8", "duplicate-sequence"],
)
def test_bad_feed_exit_2_names_file_row_value_and_writes_nothing(
    cli: Cli, feed_dir: Path, base_scenario: Path, tmp_path: Path, breakage, needles: list[str]
) -> None:
    breakage(feed_dir)
    out = tmp_path / "new" / "imported.toml"
    res = cli("import", "gtfs", feed_dir, "--scenario", base_scenario, "--vehicle", "bus", "--out", out)
    assert_clean_error(res, 2, *needles)
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_bad_feed_keeps_an_existing_output(cli: Cli, feed_dir: Path, base_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported.toml"
    out.write_text("# earlier import\n", encoding="utf-8")
    (feed_dir / "trips.txt").unlink()
    assert_clean_error(cli("import", "gtfs", feed_dir, "--scenario", base_scenario, "--vehicle", "bus", "--out", out),
                       2, "trips.txt")
    assert out.read_text(encoding="utf-8") == "# earlier import\n"


def test_zip_feed_and_past_midnight_are_fine(cli: Cli, feed_dir: Path, base_scenario: Path, tmp_path: Path) -> None:
    zpath = tmp_path / "feed.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in feed_dir.iterdir():
            zf.write(f, f.name)
    out = tmp_path / "z.toml"
    _ok(cli("import", "gtfs", zpath, "--scenario", base_scenario, "--vehicle", "bus", "--route", "R1", "--out", out))
    assert '"24:05:30"' in out.read_text(encoding="utf-8")


def test_cli_option_errors(cli: Cli, feed_dir: Path, base_scenario: Path, tmp_path: Path) -> None:
    assert_clean_error(cli("import", "gtfs", feed_dir, "--scenario", base_scenario, "--vehicle", "tram",
                           "--out", tmp_path / "x.toml"), 2, "--vehicle 'tram'", "bus, van")
    assert_clean_error(cli("import", "gtfs", feed_dir, "--scenario", base_scenario, "--vehicle", "bus", "--route", "R9",
                           "--out", tmp_path / "x.toml"), 2, "routes.txt: no route_id 'R9'", "R1, R2")
    assert_clean_error(cli("import", "gtfs", tmp_path / "nofeed.zip", "--scenario", base_scenario, "--vehicle", "bus",
                           "--out", tmp_path / "x.toml"), 2, "GTFS feed not found")
    assert_clean_error(cli("export", "gtfs", base_scenario, "--out", tmp_path / "feed.txt"), 2, "give a .zip")
    assert not (tmp_path / "x.toml").exists()


def test_validate_reads_a_gtfs_line(cli: Cli, base_scenario: Path, tmp_path: Path) -> None:
    from tests.interop.conftest import SMALL_FEED

    text = base_scenario.read_text(encoding="utf-8") + (
        f'\n[services.r2]\nkind = "line"\nvehicle = "bus"\ngtfs = "{SMALL_FEED}"\nroute_id = "R2"\n'
    )
    good = tmp_path / "good.toml"
    good.write_text(text, encoding="utf-8")
    _ok(cli("validate", good))
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('route_id = "R2"', 'route_id = "R7"'), encoding="utf-8")
    assert_clean_error(cli("validate", bad), 2, "no route_id 'R7'", "R1, R2")
    both = tmp_path / "both.toml"
    both.write_text(text.replace('route_id = "R2"', 'route_id = "R2"\nheadway_min = 10'), encoding="utf-8")
    assert_clean_error(cli("validate", both), 2, "services.r2", "give exactly one of headway_min, departures, timetable or gtfs")


@pytest.mark.slow
def test_baseline_reimported_from_its_own_gtfs_export_runs_the_same_day(cli: Cli, tmp_path: Path) -> None:
    from tests.conftest import SODEGAURA_SCENARIOS, read_json

    base = SODEGAURA_SCENARIOS / "baseline.toml"
    feed = tmp_path / "baseline.zip"
    _ok(cli("export", "gtfs", base, "--out", feed))
    imported = tmp_path / "reimported.toml"
    res = _ok(cli("import", "gtfs", feed, "--vehicle", "poncho", "--scenario", base, "--replace-lines", "--out", imported))
    assert "daijuku_gtfs" in res.stdout  # a route named like a base service is kept apart from it
    # on the fixed demand: the behavioural model draws each rider's choice over the services in
    # scenario order, and the imported lines come after the base's DRT, so it would see other draws
    _ok(cli("run", base, "--out", tmp_path / "a", "--no-report", "--set", "demand.model=fixed"))
    _ok(cli("run", imported, "--out", tmp_path / "b", "--no-report", "--set", "demand.model=fixed"))
    a, b = read_json(tmp_path / "a" / "metrics.json"), read_json(tmp_path / "b" / "metrics.json")
    for key in ("requests_served", "requests_rejected", "vehicles", "drivers_fte"):
        assert a[key] == b[key], key
    # the same drives summed in another vehicle order: equal up to float rounding
    for key in ("vehicle_km", "annual_cost_yen"):
        assert a[key] == pytest.approx(b[key], rel=1e-12, abs=0.0), key
    # the feed keeps whole seconds: waits and rides move by less than a second
    assert abs(a["wait_mean_s"] - b["wait_mean_s"]) < 1.0 and abs(a["ride_mean_s"] - b["ride_mean_s"]) < 1.0


def test_a_line_reimported_from_its_own_export_keeps_its_rules_and_runs_the_same_day(
    cli: Cli, base_scenario: Path, tmp_path: Path
) -> None:
    """The rules GTFS cannot hold (the riders' longest wait, spares, terminal times) come back from
    the base's line of the same name, and the timetable line waits as the headway line did."""
    from tests.conftest import read_json

    text = base_scenario.read_text(encoding="utf-8").replace("requests_per_day = 6", "requests_per_day = 40") + (
        '\n[services.shuttle]\nkind = "line"\nvehicle = "bus"\nstops = ["node:0", "node:2", "node:5"]\n'
        'headway_min = 60\nstart = "07:00"\nend = "09:00"\nmax_wait_min = 10\nspare_vehicles = 1\nlayover_min = 2\n'
    ).replace("[services.ondemand]", "[services.ondemand]\nenabled = false")
    base = tmp_path / "shuttle.toml"
    base.write_text(text, encoding="utf-8")
    feed = tmp_path / "shuttle.zip"
    _ok(cli("export", "gtfs", base, "--out", feed))
    imported = tmp_path / "again.toml"
    _ok(cli("import", "gtfs", feed, "--vehicle", "bus", "--route", "shuttle", "--scenario", base, "--replace-lines",
            "--out", imported))
    sc, _ = load_scenario(imported)
    again = sc.services["shuttle_gtfs"]
    assert (again.max_wait_min, again.spare_vehicles, again.layover_min) == (10.0, 1, 2.0)
    assert not sc.services["shuttle"].enabled
    for path, out in ((base, "a"), (imported, "b")):
        _ok(cli("run", path, "--out", tmp_path / out, "--no-report", "--set", "demand.model=fixed"))
    a, b = read_json(tmp_path / "a" / "metrics.json"), read_json(tmp_path / "b" / "metrics.json")
    assert 0 < a["requests_rejected"] and 0 < a["requests_served"]
    for key in ("requests_served", "requests_rejected", "vehicles", "vehicle_km", "wait_mean_s", "ride_mean_s"):
        assert a[key] == b[key], key
