"""Ridership counts in the MLIT formats: hand-made files round-trip, ids are checked against the
feed, and a run's exported boardings add up to its boardings with a consistent load on every trip."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from sim.interop.gtfs_read import read_feed
from sim.interop.ridership import (
    BOARDING_COLUMNS,
    OD_COLUMNS,
    OdCount,
    RidershipError,
    StopCount,
    check_ids,
    read_counts,
    rides_of_run,
    simulated_counts,
    write_counts,
)
from tests.conftest import assert_clean_error, read_csv
from tests.interop.conftest import REPO, SMALL_FEED

DATA = REPO / "tests" / "data" / "ridership"
Cli = Callable[..., Result]


def test_hand_made_counts_round_trip(tmp_path: Path) -> None:
    for name, columns, kind in (("boardings.csv", BOARDING_COLUMNS, StopCount), ("od.csv", OD_COLUMNS, OdCount)):
        rows = read_counts(DATA / name)
        assert all(isinstance(r, kind) for r in rows)
        out = tmp_path / name
        write_counts(out, rows, columns)
        assert out.read_bytes() == (DATA / name).read_bytes()
        assert read_counts(out) == rows
    first = read_counts(DATA / "boardings.csv")[1]
    assert (first.trip_id, first.stop_id, first.stop_sequence, first.count_geton, first.count_getoff) == (
        "R1_WD_0700", "S1", "2", 2, 1)


def test_ids_checked_against_the_feed(tmp_path: Path) -> None:
    feed = read_feed(SMALL_FEED)
    ids = dict(routes=set(feed.routes), trips=set(feed.trip_ids), stops=set(feed.stops))
    check_ids(read_counts(DATA / "boardings.csv"), source=DATA / "boardings.csv", feed="f", **ids)
    check_ids(read_counts(DATA / "od.csv"), source=DATA / "od.csv", feed="f", **ids)
    bad = tmp_path / "bad.csv"
    bad.write_text((DATA / "od.csv").read_text(encoding="utf-8").replace("R1,S1,S4", "R1,S1,S7"), encoding="utf-8")
    with pytest.raises(RidershipError, match=r"bad.csv row 4: stop id 'S7' is not in f stops.txt"):
        check_ids(read_counts(bad), source=bad, feed="f", **ids)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("date,route_id,count\n", "is neither 乗降集計データ"),
        ("date,agency_id,route_id,stopid_geton,stopid_getoff,count\n2025-13-01,A,R,S0,S1,2\n", "row 2: date '2025-13-01'"),
        ("date,agency_id,route_id,stopid_geton,stopid_getoff,count\n20250401,A,R,S0,S1,2.5\n", "row 2: count '2.5' is not a whole"),
        ("date,agency_id,route_id,trip_id,stop_id,stop_sequence,count_geton,count_getoff\n20250401,A,R,T,S,1,-1,0\n",
         "row 2: count_geton -1 is negative"),
    ],
)
def test_bad_count_files(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RidershipError, match=needle):
        read_counts(path)


@pytest.fixture(scope="module")
def line_run(tmp_path_factory: pytest.TempPathFactory):
    """A run on the embedded Sodegaura network with two busy lines and a DRT service."""
    from sim.run.runner import run_scenario
    from sim.scenario.schema import load_scenario

    from tests.conftest import TINY_TOML

    base = tmp_path_factory.mktemp("ridership")
    path = base / "s.toml"
    path.write_text(
        TINY_TOML.replace("requests_per_day = 8", "requests_per_day = 150")
        + """
[vehicles.bus]
capacity = 3

[services.a]
kind = "line"
vehicle = "bus"
stops = ["sodegaura_bt", "sodegaura_sta", "town:のぞみ野"]
headway_min = 30
start = "08:00"
end = "16:00"

[services.b]
kind = "line"
vehicle = "bus"
pattern = "loop"
stops = ["nagaura_sta", "sodegaura_sta", "town:蔵波台一丁目"]
headway_min = 20
start = "08:00"
end = "16:00"
""",
        encoding="utf-8",
    )
    sc, base_dir = load_scenario(path)
    return run_scenario(sc, base_dir, source=str(path)), sc, base_dir, path


def test_simulated_boardings_add_up_and_loads_stay_consistent(line_run) -> None:
    import datetime

    from sim.run.plan import plan_scenario

    result, sc, base, path = line_run
    plan = plan_scenario(sc, base, source=str(path), net=result.network)
    stops, od = simulated_counts(plan, *rides_of_run(result), date=datetime.date(2026, 4, 1))
    by_service: dict[str, int] = defaultdict(int)
    for v in result.log.vehicles:
        by_service[v.service] += v.boardings
    got: dict[str, int] = defaultdict(int)
    for s in stops:
        got[s.route_id] += s.count_geton
    assert dict(got) == {k: v for k, v in by_service.items() if v}
    assert sum(s.count_geton for s in stops) == sum(s.count_getoff for s in stops) == sum(g.pax for g in result.log.legs)
    assert sum(o.count for o in od) == sum(g.pax for g in result.log.legs)
    assert got["a"] > 0 and got["b"] > 0
    # on every line trip the load, stop by stop, never goes below zero, never exceeds the
    # capacity (3) and ends at zero: a boarding put on the wrong trip would break this
    trips: dict[str, list[StopCount]] = defaultdict(list)
    for s in stops:
        if s.route_id in ("a", "b"):
            trips[s.trip_id].append(s)
    assert trips
    for tid, rows in trips.items():
        load = 0
        for r in sorted(rows, key=lambda r: int(r.stop_sequence)):
            load -= r.count_getoff
            assert load >= 0, tid
            load += r.count_geton
            assert load <= 3, tid
        assert load == 0, tid


def test_export_and_import_ridership_cli(cli: Cli, tmp_path: Path, line_run) -> None:
    result, sc, base, path = line_run
    run_dir = tmp_path / "run"
    assert cli("run", path, "--out", run_dir, "--no-report").exit_code == 0
    out = tmp_path / "counts"
    res = cli("export", "ridership", run_dir, "--out", out)
    assert res.exit_code == 0, res.output
    board = read_csv(out / "boardings.csv")
    vehicles = read_csv(run_dir / "vehicles.csv")
    assert sum(int(r["count_geton"]) for r in board) == sum(int(v["boardings"]) for v in vehicles)
    assert {r["date"] for r in board} == {"20260401"}
    feed = tmp_path / "feed.zip"
    assert cli("export", "gtfs", run_dir, "--out", feed).exit_code == 0
    table = tmp_path / "cmp.csv"
    res = cli("import", "ridership", out / "boardings.csv", "--feed", feed, "--run", run_dir, "--out", table)
    assert res.exit_code == 0, res.output
    rows = read_csv(table)
    assert rows and all(float(r["observed_geton_per_day"]) == int(r["simulated_geton"]) for r in rows)
    res = cli("import", "ridership", out / "stop_od.csv", "--run", run_dir, "--out", tmp_path / "od.csv")
    assert res.exit_code == 0, res.output
    assert all(float(r["observed_per_day"]) == int(r["simulated"]) for r in read_csv(tmp_path / "od.csv"))
    # observed counts of the hand-made feed do not match the simulated plan's ids
    bad = cli("import", "ridership", DATA / "od.csv", "--run", run_dir, "--out", tmp_path / "x.csv")
    assert_clean_error(bad, 2, "row 2: route_id 'R1' is not in the export of")
    assert not (tmp_path / "x.csv").exists()
    with (DATA / "od.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 5
