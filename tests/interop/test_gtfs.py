"""GTFS import onto a constructed network, the ``gtfs =`` line key, export and the round trip."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from sim.interop.flex import FLEX_REQUIRED
from sim.interop.gtfs_import import expand_gtfs_line, import_routes
from sim.interop.gtfs_read import read_feed
from sim.interop.gtfs_write import write_feed
from sim.run.plan import plan_scenario
from sim.model.lines.scheduled import lay_line
from sim.model.lines.timetable import LineLayout
from sim.network.graph import RoadNetwork
from sim.scenario.schema import FixedLine, load_scenario
from tests.interop.conftest import SMALL_FEED

H = 3600.0


def _lay(name: str, line: FixedLine, net: RoadNetwork, *, layover_min: float | None = None) -> LineLayout:
    """A line laid out the way a run does it (assembly step, then the model), dwell 0."""
    from sim.run.assemble import line_spec, vehicle_spec
    from sim.scenario.schema import VehicleType

    if layover_min is not None:
        line = line.model_copy(update={"layover_min": layover_min})
    spec = line_spec(name, line, vehicle_spec("bus", VehicleType(capacity=30, stop_dwell_s=0)), net, source="t")
    return lay_line(spec, net.oracle().time_s)


def _s(h: int, m: int, s: int = 0) -> float:
    return h * H + m * 60.0 + s


def test_calendar_and_calendar_dates() -> None:
    feed = read_feed(SMALL_FEED)
    assert feed.services_on(datetime.date(2025, 4, 7)) == {"WD"}  # a Monday
    assert feed.services_on(datetime.date(2025, 4, 5)) == {"SA"}  # a Saturday
    assert feed.services_on(datetime.date(2025, 4, 6)) == set()  # Sunday: nothing
    assert feed.services_on(datetime.date(2025, 4, 29)) == {"SA"}  # holiday Tuesday runs Saturday service
    assert feed.usual_services("tue") == ({"WD"}, 4)  # the holiday is one Tuesday of five
    assert feed.usual_services("sat") == ({"SA"}, 4)


def test_import_gives_exact_departures_stop_sequence_and_day_types(net: RoadNetwork) -> None:
    feed = read_feed(SMALL_FEED)
    lines = {il.name: il for il in import_routes(feed, net, None, vehicle="bus")}
    assert sorted(lines) == ["R1_sat", "R1_weekday", "R2_sat", "R2_weekday"]
    wd = lines["R1_weekday"]
    assert wd.days == ("mon", "tue", "wed", "thu", "fri")
    assert wd.fields["stops"] == ["node:0", "node:1", "node:2", "node:4"]  # S3 is not served by R1
    assert wd.fields["timetable"] == [
        ["07:00:00", "07:03:00/07:03:30", "07:06:00", "07:10:00"],
        ["23:50:00", "23:55:00", "24:00:00", "24:05:30"],  # past midnight stays on its service day
    ]
    assert "return_stops" not in wd.fields  # the inbound trip runs the same stops reversed
    assert wd.fields["return_timetable"] == [["07:30:00", "07:34:00", "07:37:00", "07:41:00"]]
    assert {s.stop.stop_id: round(s.distance_m) for s in wd.snapped} == {"S0": 0, "S1": 20, "S2": 15, "S4": 5}
    assert lines["R1_sat"].days == ("sat",)
    assert lines["R1_sat"].fields["timetable"] == [["09:00:00", "09:03:00", "09:06:00", "09:10:00"]]
    assert "return_timetable" not in lines["R1_sat"].fields
    assert lines["R2_weekday"].fields["stops"] == ["node:0", "node:2"]
    assert lines["R2_weekday"].trip_count == 2

    # the imported line lays out with exactly those times and stops
    line = FixedLine.model_validate(wd.fields)
    layout = _lay("R1", line, net)
    assert layout.patterns == ((0, 1, 2, 4), (4, 2, 1, 0))
    assert [(t.direction, t.depart_s[0]) for t in layout.trips] == [(0, _s(7, 0)), (1, _s(7, 30)), (0, _s(23, 50))]
    first = layout.trips[0]
    assert first.arrive_s == (_s(7, 0), _s(7, 3), _s(7, 6), _s(7, 10))
    assert first.depart_s == (_s(7, 0), _s(7, 3, 30), _s(7, 6), _s(7, 10))
    assert layout.trips[2].arrive_s[-1] == _s(24, 5, 30)
    # one bus runs 07:00 out and 07:30 back (20 s + 10 % of 600 s turn), then the late trip
    assert layout.blocks == ((0, 1, 2),)


def test_date_option_takes_that_days_trips(net: RoadNetwork) -> None:
    feed = read_feed(SMALL_FEED)
    lines = import_routes(feed, net, ["R1"], vehicle="bus", service_date="2025-04-29")
    assert [(il.name, il.days, il.fields["timetable"][0][0]) for il in lines] == [("R1", ("tue",), "09:00:00")]


def test_gtfs_key_runs_the_feed(base_scenario: Path, tmp_path: Path) -> None:
    from sim.run.runner import run_scenario

    text = base_scenario.read_text(encoding="utf-8") + (
        f'\n[services.r1]\nkind = "line"\nvehicle = "bus"\ngtfs = "{SMALL_FEED}"\nroute_id = "R1"\n'
        'days = ["sat"]\n'
    )
    path = tmp_path / "withfeed.toml"
    path.write_text(text, encoding="utf-8")
    sc, base = load_scenario(path)
    result = run_scenario(sc, base, source=str(path))
    layout = result.layouts["r1"]
    assert [t.depart_s for t in layout.trips] == [(_s(9, 0), _s(9, 3), _s(9, 6), _s(9, 10))]
    ran = result.scenario.services["r1"]  # as it ran: the run directory replays it without the feed
    assert ran.gtfs is None and ran.stops == ["node:0", "node:1", "node:2", "node:4"]
    assert ran.timetable == [["09:00:00", "09:03:00", "09:06:00", "09:10:00"]]
    assert ran.note == "GTFS route R1 (駅前〜終点) of gtfs_small on a usual sat"
    line = sc.services["r1"]
    expanded, snapped = expand_gtfs_line("r1", line.model_copy(update={"service_date": "2025-04-07"}),
                                         result.network, base, source="t")
    assert [row[0] for row in expanded.timetable] == ["07:00:00", "23:50:00"]
    assert [s.stop.stop_id for s in snapped] == ["S0", "S1", "S2", "S4"]


def _read_zip_csv(path: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8"))))


def test_export_import_round_trip_is_exact(base_scenario: Path, tmp_path: Path) -> None:
    text = base_scenario.read_text(encoding="utf-8") + (
        '\n[services.shuttle]\nkind = "line"\nvehicle = "bus"\nstops = ["node:0", "node:3", "node:5"]\n'
        'headway_min = 25\nstart = "07:00"\nend = "09:00"\ndays = ["mon", "tue", "wed", "thu", "fri"]\nfare_yen = 150\n'
        '\n[services.ring]\nkind = "line"\nvehicle = "bus"\nstops = ["node:1", "node:4", "node:2"]\npattern = "loop"\n'
        'departures = ["07:10", "07:50", "08:05"]\nlayover_min = 1\n'
    )
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    sc, base = load_scenario(path)
    plan = plan_scenario(sc, base, source=str(path))
    feed_zip = tmp_path / "out" / "feed.zip"
    counts = write_feed(plan, feed_zip)
    assert counts["trips.txt"] == 10 + 3 + 1  # 5 round trips, 3 loops, one Flex trip for the DRT area
    feed = read_feed(feed_zip)
    imported = {il.name: il for il in import_routes(feed, plan.network, ["shuttle", "ring"], vehicle="bus")}
    assert imported["shuttle"].days == ("mon", "tue", "wed", "thu", "fri")
    assert imported["ring"].days == tuple(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    assert imported["ring"].fields["stops"] == ["node:1", "node:4", "node:2", "node:1"]
    assert imported["shuttle"].fields["fare_yen"] == 150.0 and "fare_yen" not in imported["ring"].fields
    for name, il in imported.items():
        line = FixedLine.model_validate(il.fields)
        again = _lay(name, line, plan.network, layover_min=sc.services[name].layover_min)
        original = plan.lines[name]
        assert again.patterns == original.patterns
        assert len(again.trips) == len(original.trips)
        for a, b in zip(again.trips, original.trips):
            assert a.direction == b.direction and a.stops == b.stops
            assert a.arrive_s == tuple(float(round(x)) for x in b.arrive_s)  # GTFS keeps whole seconds
            assert a.depart_s == tuple(float(round(x)) for x in b.depart_s)
        assert again.blocks == original.blocks, name


def test_exported_feed_passes_gtfs_kit_validation_and_flex_has_required_fields(tmp_path: Path) -> None:
    import gtfs_kit

    sc, base = load_scenario(Path("scenarios/sodegaura/hybrid.toml"))
    plan = plan_scenario(sc, base, source="hybrid")
    out = tmp_path / "hybrid.zip"
    write_feed(plan, out)
    # gtfs-kit checks GTFS Schedule; the Flex rows (zones instead of stops) are checked below
    core = tmp_path / "core"
    core.mkdir()
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.endswith(".txt") and name != "booking_rules.txt":
                rows = list(csv.reader(io.StringIO(zf.read(name).decode("utf-8"))))
                if name.startswith("location_group"):
                    continue
                if name == "stop_times.txt":
                    loc = rows[0].index("location_id")
                    grp = rows[0].index("location_group_id")
                    rows = [rows[0]] + [r for r in rows[1:] if not r[loc] and not r[grp]]
                    rows = [r[:loc] for r in rows]
                if name == "trips.txt":
                    rows = [r for r in rows if r[2] not in ("choisoko_A", "choisoko_B")]
                (core / name).write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    feed = gtfs_kit.read_feed(core, dist_units="km")
    problems = feed.validate()
    errors = problems[problems["type"] == "error"]
    assert errors.empty, errors.to_string()
    assert feed.trips.shape[0] > 0 and feed.stop_times.shape[0] > 0

    st = _read_zip_csv(out, "stop_times.txt")
    # チョイソコ is stop-based: each area's trip runs between the area's virtual stops (a location group)
    flex_rows = [r for r in st if r["location_group_id"]]
    assert len(flex_rows) == 4  # two areas, two rows each
    for r in flex_rows:
        assert all(r[c] for c in FLEX_REQUIRED["stop_times.txt"])
        assert (r["start_pickup_drop_off_window"], r["end_pickup_drop_off_window"]) == ("09:00:00", "17:00:00")
        assert not r["arrival_time"] and not r["stop_id"] and not r["location_id"]
    assert {r["location_group_id"] for r in flex_rows} == {"choisoko_A", "choisoko_B"}
    groups = _read_zip_csv(out, "location_groups.txt")
    assert [g["location_group_id"] for g in groups] == ["choisoko_A", "choisoko_B"]
    members = _read_zip_csv(out, "location_group_stops.txt")
    assert all(all(m[c] for c in FLEX_REQUIRED["location_group_stops.txt"]) for m in members)
    by_area = {a.name: len(a.stops) for a in plan.drt["choisoko"].areas}
    assert Counter(m["location_group_id"] for m in members) == {f"choisoko_{k}": n for k, n in by_area.items()}
    rules = _read_zip_csv(out, "booking_rules.txt")
    assert [(r["booking_rule_id"], r["booking_type"]) for r in rules] == [("choisoko_booking", "0")]
    with zipfile.ZipFile(out) as zf:
        geo = json.loads(zf.read("locations.geojson"))
    assert [f["id"] for f in geo["features"]] == ["choisoko_A", "choisoko_B"]
    for f in geo["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        lon, lat = f["geometry"]["coordinates"][0][0][0] if f["geometry"]["type"] == "MultiPolygon" else f["geometry"]["coordinates"][0][0]
        assert 139.8 < lon < 140.1 and 35.3 < lat < 35.5  # WGS84 degrees around Sodegaura
    assert {m["stop_id"] for m in members} <= {r["stop_id"] for r in _read_zip_csv(out, "stops.txt")}
    # every line trip's stops are in stops.txt and every trip has a calendar
    stops = {r["stop_id"] for r in _read_zip_csv(out, "stops.txt")}
    assert {r["stop_id"] for r in st if r["stop_id"]} <= stops
    cal = {r["service_id"] for r in _read_zip_csv(out, "calendar.txt")}
    assert {r["service_id"] for r in _read_zip_csv(out, "trips.txt")} <= cal


@pytest.mark.parametrize("bad_snap", [100.0])
def test_stop_outside_limit_is_an_error(net: RoadNetwork, bad_snap: float) -> None:
    from sim.interop.gtfs_read import FeedError

    feed = read_feed(SMALL_FEED)
    with pytest.raises(FeedError) as exc:
        import_routes(feed, net, ["R1"], vehicle="bus", max_snap_m=10.0)
    assert "stop 'S1'" in str(exc.value) and "20 m" in str(exc.value) and "limit 10 m" in str(exc.value)


def test_door_to_door_drt_is_a_zone(base_scenario: Path, tmp_path: Path) -> None:
    path = tmp_path / "door.toml"
    path.write_text(base_scenario.read_text(encoding="utf-8").replace('end = "10:00"', 'end = "10:00"\nmode = "door"'),
                    encoding="utf-8")
    sc, base = load_scenario(path)
    out = tmp_path / "door.zip"
    write_feed(plan_scenario(sc, base, source=str(path)), out)
    flex_rows = [r for r in _read_zip_csv(out, "stop_times.txt") if r["location_id"]]
    assert [(r["trip_id"], r["location_id"], r["stop_sequence"]) for r in flex_rows] == [
        ("ondemand_all", "ondemand_all", "1"), ("ondemand_all", "ondemand_all", "2")]
    assert all(r["start_pickup_drop_off_window"] == "07:00:00" and r["end_pickup_drop_off_window"] == "10:00:00"
               for r in flex_rows)
    with zipfile.ZipFile(out) as zf:
        assert "location_groups.txt" not in zf.namelist()
        geo = json.loads(zf.read("locations.geojson"))
    assert [f["id"] for f in geo["features"]] == ["ondemand_all"]


def test_frequency_based_trips_are_expanded(feed_dir: Path, net: RoadNetwork) -> None:
    # R2's weekday outbound trip becomes a template run every 20 min from 08:00 until before 09:00
    (feed_dir / "frequencies.txt").write_text(
        "trip_id,start_time,end_time,headway_secs,exact_times\nR2_WD_0800,08:00:00,09:00:00,1200,1\n", encoding="utf-8"
    )
    feed = read_feed(feed_dir)
    assert "R2_WD_0800" not in feed.trips
    runs = sorted((t.trip_id, t.depart_s) for t in feed.trips.values() if t.trip_id.startswith("R2_WD_0800@"))
    assert runs == [
        ("R2_WD_0800@08:00:00", (_s(8, 0), _s(8, 4))),
        ("R2_WD_0800@08:20:00", (_s(8, 20), _s(8, 24))),
        ("R2_WD_0800@08:40:00", (_s(8, 40), _s(8, 44))),
    ]
    lines = {il.name: il for il in import_routes(feed, net, ["R2"], vehicle="bus")}
    assert [row[0] for row in lines["R2_weekday"].fields["timetable"]] == ["08:00:00", "08:20:00", "08:40:00"]


def test_bad_frequencies_row(feed_dir: Path) -> None:
    from sim.interop.gtfs_read import FeedError

    (feed_dir / "frequencies.txt").write_text(
        "trip_id,start_time,end_time,headway_secs\nR2_WD_0800,08:00:00,09:00:00,0\n", encoding="utf-8"
    )
    with pytest.raises(FeedError, match=r"frequencies.txt row 2: headway_secs '0' must be > 0"):
        read_feed(feed_dir)


def test_route_fares_flat_zone_and_single() -> None:
    import pandas as pd

    from sim.interop.gtfs_read import route_fares

    attrs = pd.DataFrame({"fare_id": ["F1", "F2", "F3"], "price": ["200", "300", "200"]})
    rules = pd.DataFrame({"fare_id": ["F1", "F2", "F3", "F2"], "route_id": ["R1", "R2", "R2", "R2"]})
    # R2 has zone fares 300, 200, 300: the most common is taken
    assert route_fares(attrs, rules, {"R1", "R2"}) == {"R1": 200.0, "R2": 300.0}
    assert route_fares(attrs.iloc[:1], None, {"R1", "R2"}) == {"R1": 200.0, "R2": 200.0}
    assert route_fares(None, None, {"R1"}) == {}
