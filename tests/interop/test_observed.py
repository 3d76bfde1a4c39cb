"""Observed ridership counts beside a run's simulated ones (``[ridership]``, ``run --observed``):
``ridership.csv`` per route and stop with exact observed means, the simulated counts of the
run's own legs, and every bad-count case giving exit 2 before anything is written."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import assert_clean_error, read_csv
from tests.interop.conftest import REPO, SMALL_FEED

DATA = REPO / "tests" / "data" / "ridership"
Cli = Callable[..., Result]

LINES = f"""
[services.R1]
kind = "line"
vehicle = "bus"
gtfs = "{SMALL_FEED}"
route_id = "R1"

[services.R2]
kind = "line"
vehicle = "bus"
gtfs = "{SMALL_FEED}"
route_id = "R2"
"""


@pytest.fixture
def lines_scenario(base_scenario: Path) -> Path:
    """The line-network scenario with the hand-made feed's two routes and 30 requests."""
    text = base_scenario.read_text(encoding="utf-8").replace("requests_per_day = 6", "requests_per_day = 30")
    # absolute, so that a run directory's scenario.toml (read by `export ridership`) finds the network
    text = text.replace('source = "line.graphml"', f'source = "{base_scenario.parent / "line.graphml"}"')
    path = base_scenario.with_name("lines.toml")
    path.write_text(text + LINES, encoding="utf-8")
    return path


def _with(path: Path, extra: str) -> Path:
    out = path.with_name(f"x{len(extra)}.toml")
    out.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return out


def _simulated(run_dir: Path) -> Counter[tuple[str, str, int]]:
    """Riders on (0) and off (1) per (service, node id) from the run's own legs.csv."""
    out: Counter[tuple[str, str, int]] = Counter()
    for g in read_csv(run_dir / "legs.csv"):
        if g["service"].startswith("R"):
            out[(g["service"], g["origin_node"], 0)] += int(g["pax"])
            out[(g["service"], g["dest_node"], 1)] += int(g["pax"])
    return out


def test_observed_counts_beside_the_simulated_day(cli: Cli, lines_scenario: Path, tmp_path: Path) -> None:
    path = _with(lines_scenario, f'\n[ridership]\nobserved = ["{DATA / "boardings.csv"}", "{DATA / "od.csv"}"]\n'
                                 f'feed = "{SMALL_FEED}"\n')
    run_dir = tmp_path / "run"
    res = cli("run", path, "--out", run_dir, "--no-report")
    assert res.exit_code == 0, res.output
    rows = read_csv(run_dir / "ridership.csv")
    # R1 from 乗降集計データ over 2 counted days (its OD rows are not counted again), R2 from the OD file (1 day)
    assert [(r["route_id"], r["stop_id"], r["node_id"], r["stop_name"], r["observed_geton_per_day"],
             r["observed_getoff_per_day"]) for r in rows] == [
        ("R1", "S0", "0", "駅前", "4.0", "0.0"),
        ("R1", "S1", "1", "市役所", "1.0", "0.5"),
        ("R1", "S2", "2", "病院", "0.0", "1.5"),
        ("R1", "S4", "4", "終点", "0.0", "3.0"),
        ("R2", "S0", "0", "駅前", "4.0", "0.0"),
        ("R2", "S2", "2", "病院", "0.0", "4.0"),
    ]
    sim = _simulated(run_dir)
    assert sum(sim.values()) > 0, "the case must put riders on the lines"
    for r in rows:
        on, off = sim[(r["services"], r["node_id"], 0)], sim[(r["services"], r["node_id"], 1)]
        assert (int(r["simulated_geton"]), int(r["simulated_getoff"])) == (on, off)
        assert float(r["diff_geton"]) == pytest.approx(on - float(r["observed_geton_per_day"]))
        assert float(r["diff_getoff"]) == pytest.approx(off - float(r["observed_getoff_per_day"]))
    # every simulated line stop is in the table
    assert {(s, n) for s, n, _ in sim} <= {(r["services"], r["node_id"]) for r in rows}
    # the same table in the workbook, typed
    from openpyxl import load_workbook

    sheet = list(load_workbook(run_dir / "results.xlsx")["ridership"].iter_rows(values_only=True))
    assert list(sheet[0]) == list(rows[0])
    for got, want in zip(sheet[1:], rows, strict=True):
        assert got[0] == want["route_id"] and got[4] == want["stop_name"] and got[3] == int(want["node_id"])
        assert got[5:7] == (float(want["observed_geton_per_day"]), float(want["observed_getoff_per_day"]))
        assert got[7:9] == (int(want["simulated_geton"]), int(want["simulated_getoff"])) and isinstance(got[7], int)
    # the run directory's scenario names the files wherever it is read from
    assert str(DATA / "boardings.csv") in (run_dir / "scenario.toml").read_text(encoding="utf-8")
    # the same from the command line
    again = tmp_path / "again"
    res = cli("run", lines_scenario, "--out", again, "--no-report", "--observed", DATA / "boardings.csv",
              "--observed", DATA / "od.csv", "--observed-feed", SMALL_FEED)
    assert res.exit_code == 0, res.output
    assert (again / "ridership.csv").read_text(encoding="utf-8") == (run_dir / "ridership.csv").read_text(encoding="utf-8")


def test_counts_in_the_exported_ids_match_their_own_run(cli: Cli, lines_scenario: Path, tmp_path: Path) -> None:
    """A run's own exported boardings, given back as observed counts (no feed: the ids ``export
    gtfs`` writes), agree with the same day stop by stop: every difference is zero."""
    first = tmp_path / "first"
    assert cli("run", lines_scenario, "--out", first, "--no-report").exit_code == 0
    counts = tmp_path / "counts"
    assert cli("export", "ridership", first, "--out", counts).exit_code == 0
    lines_only = tmp_path / "lines_only.csv"
    with (counts / "boardings.csv").open(encoding="utf-8", newline="") as src, lines_only.open("w", encoding="utf-8", newline="") as dst:
        rows = list(csv.reader(src))
        csv.writer(dst).writerows([rows[0], *(r for r in rows[1:] if r[2] != "ondemand")])
    second = tmp_path / "second"
    res = cli("run", lines_scenario, "--out", second, "--no-report", "--observed", lines_only)
    assert res.exit_code == 0, res.output
    table = read_csv(second / "ridership.csv")
    assert table and {r["route_id"] for r in table} == {r[2] for r in rows[1:] if r[2] != "ondemand"}
    for r in table:
        assert r["stop_id"] == f"n{r['node_id']}"
        assert float(r["observed_geton_per_day"]) == int(r["simulated_geton"])
        assert float(r["observed_getoff_per_day"]) == int(r["simulated_getoff"])
        assert float(r["diff_geton"]) == float(r["diff_getoff"]) == 0.0


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (f'\n[ridership]\nobserved = ["{DATA / "nope.csv"}"]\n', ["key ridership.observed[0]", "nope.csv", "not found"]),
        (f'\n[ridership]\nobserved = ["{DATA / "od.csv"}"]\n',
         ["od.csv row 2", "stop id 'S0' is not a stop id of this scenario's export (n<node id>)", "[ridership] feed"]),
        (f'\n[ridership]\nobserved = ["{DATA / "od.csv"}"]\nfeed = "{SMALL_FEED}"\nroutes = {{ R1 = ["ondemand"] }}\n',
         ["od.csv row 2", "key ridership.routes.R1: 'ondemand' is not an enabled line", "R1, R2"]),
    ],
    ids=["missing-file", "unknown-stop-id", "route-mapped-to-drt"],
)
def test_bad_counts_exit_2_before_anything_is_written(
    cli: Cli, lines_scenario: Path, tmp_path: Path, extra: str, needles: list[str]
) -> None:
    out = tmp_path / "never"
    assert_clean_error(cli("run", _with(lines_scenario, extra), "--out", out, "--no-report"), 2, *needles)
    assert not out.exists()
    assert_clean_error(cli("validate", _with(lines_scenario, extra)), 2, *needles)  # validate reads them too


def test_bad_count_rows_and_feed_stops(cli: Cli, lines_scenario: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text((DATA / "boardings.csv").read_text(encoding="utf-8").replace("R1_WD_0700,S1,2", "R1_WD_0700,S9,2"),
                   encoding="utf-8")
    out = tmp_path / "never"
    res = cli("run", lines_scenario, "--out", out, "--no-report", "--observed", bad, "--observed-feed", SMALL_FEED)
    assert_clean_error(res, 2, "bad.csv row 3", "stop id 'S9' is not in", "stops.txt")
    bad.write_text((DATA / "boardings.csv").read_text(encoding="utf-8").replace(",5,0", ",five,0"), encoding="utf-8")
    res = cli("run", lines_scenario, "--out", out, "--no-report", "--observed", bad)
    assert_clean_error(res, 2, "bad.csv row 2", "count_geton 'five' is not a whole number")
    assert_clean_error(cli("run", lines_scenario, "--out", out, "--observed-feed", SMALL_FEED), 2, "--observed-feed needs --observed")
    res = cli("run", lines_scenario, "--out", out, "--set", "services.R2.enabled=false", "--observed", DATA / "od.csv",
              "--observed-feed", SMALL_FEED)
    assert_clean_error(res, 2, "od.csv row 5", "route_id 'R2' is not a line of the scenario (nor R2_gtfs or R2_...); lines: R1",
                       "[ridership] routes")
    assert not out.exists()


def test_counts_become_a_calibration_target_for_the_line_constant(cli: Cli, lines_scenario: Path, tmp_path: Path) -> None:
    from sim.studies.calibrate import read_targets

    for counts, value, routes in ((DATA / "boardings.csv", 5.0, "R1 (2 days)"), (DATA / "od.csv", 10.0, "R1 (1 day), R2 (1 day)")):
        targets = tmp_path / f"{counts.stem}.toml"
        res = cli("import", "ridership", counts, "--feed", SMALL_FEED, "--scenario", lines_scenario, "--targets", targets)
        assert res.exit_code == 0, res.output
        (t,) = read_targets(targets)
        services = ["R1"] if counts.stem == "boardings" else ["R1", "R2"]
        assert t.metrics == tuple(f"per_service.{s}.passengers_served" for s in services)
        assert (t.value, t.tolerance, t.parameter) == (value, 1.0, "line")
        assert routes in t.source and "ASSUMPTION" in t.source
    assert_clean_error(cli("import", "ridership", DATA / "od.csv", "--targets", tmp_path / "t.toml"), 2, "--targets needs --scenario")
    assert_clean_error(cli("import", "ridership", DATA / "od.csv"), 2, "give --out TABLE.csv and/or --targets")
    assert not (tmp_path / "t.toml").exists()
