"""The one assembly step (sim.run.assemble): places, units, zones and layouts from a scenario."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sim.errors import ScenarioError
from sim.model.drt.layout import DrtLayout
from sim.model.lines.timetable import LineLayout
from sim.model.services import DrtServiceSpec, LineSpec
from sim.network.cache import NetworkCache
from sim.run.assemble import assemble, census_zones, vehicle_spec
from sim.run.results import write_results
from sim.run.runner import run_scenario
from sim.scenario.schema import VehicleType, validate
from tests.conftest import REPO

NETWORKS = NetworkCache()  # one Sodegaura network for the module


def scenario(services: dict[str, Any], **extra: Any) -> Any:
    data = {
        "name": "places",
        "seed": 7,
        "network": {"source": "sodegaura"},
        "demand": {"requests_per_day": 6},
        "vehicles": {"van": {"capacity": 4, "speed_cap_kmh": 18.0}},
        "services": services,
        **extra,
    }
    return validate(data, source="places.toml")


def build(services: dict[str, Any], **extra: Any) -> Any:
    return assemble(scenario(services, **extra), REPO, networks=NETWORKS, source="places.toml")


def net() -> Any:
    return NETWORKS.get("sodegaura", REPO)


def test_every_place_key_accepts_a_place_id_node_id_and_lat_lon() -> None:
    n = net()
    city_hall, yurinosato, station = n.place("city_hall"), n.place("yurinosato"), n.place("sodegaura_sta")
    node = lambda i: f"node:{n.node_ids[i]}"
    point = lambda i: f"{n.lat[i]:.7f},{n.lon[i]:.7f}"
    asm = build(
        {
            "d": {
                "vehicle": "van", "fleet_size": 2, "depot": node(city_hall), "transfer_hub": point(yurinosato),
                "areas": {"A": {"districts": ["昭和"], "depot": point(station)}, "B": {"districts": ["長浦"]}},
            },
            "l": {
                "kind": "line", "vehicle": "van", "stops": ["sodegaura_sta", node(city_hall), point(yurinosato)],
                "headway_min": 30, "depot": point(city_hall),
            },
        },
        choice={"hubs": [node(yurinosato), point(station)]},
    )
    d, line = asm.day.services
    assert isinstance(d, DrtServiceSpec) and isinstance(line, LineSpec)
    assert d.depot == city_hall and d.hub == yurinosato
    assert [a.depot for a in d.areas] == [station, None]
    assert line.stops == (station, city_hall, yurinosato) and line.depot == city_hall
    assert asm.day.hubs == (yurinosato, station)
    layout = asm.layouts["d"]
    assert isinstance(layout, DrtLayout)
    assert [a.depot for a in layout.areas] == [station, city_hall]  # area B falls back to the service's depot
    assert all(yurinosato in a.stops for a in layout.areas)  # the hub is a stop of every area


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("depot", "35.0,139.0", "off the network"),
        ("depot", "node:999999", "no node with id '999999'"),
        ("transfer_hub", "north,south", "not a place, node:<id> or 'lat,lon'"),
        ("transfer_hub", "nowhere", "place 'nowhere' not found"),
    ],
)
def test_a_bad_place_names_the_file_key_and_value(key: str, value: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as err:
        build({"d": {"vehicle": "van", "fleet_size": 1, key: value}})
    assert str(err.value).startswith(f"places.toml: key services.d.{key}: ") and needle in str(err.value)


def test_units_are_converted_once() -> None:
    vt = VehicleType(capacity=8, automation="level4_remote", speed_cap_kmh=18.0, incidents_per_1000_km=500.0,
                     incident_remote_share=0.25, incident_remote_min=2.0, incident_onsite_min=30.0)
    spec = vehicle_spec("av", vt)
    assert spec.speed_cap_mps == 5.0 and spec.incidents.rate_per_m == 5e-4
    assert spec.incidents.remote_mean_s == 120.0 and spec.incidents.onsite_mean_s == 1800.0
    asm = build({
        "d": {"vehicle": "van", "fleet_size": 1, "start": "08:30", "end": "12:00", "max_wait_min": 15,
              "max_ride_extra_min": 10, "min_transfer_min": 2},
        "l": {"kind": "line", "vehicle": "van", "stops": ["sodegaura_sta", "city_hall"], "headway_min": 45,
              "start": "07:00", "end": "09:00", "layover_min": 4},
    })
    d, line = asm.day.services
    assert (d.start_s, d.end_s, d.max_wait_s, d.max_ride_extra_s, d.min_transfer_s) == (30600.0, 43200.0, 900.0, 600.0, 120.0)
    assert line.departures_s == (25200.0, 27900.0, 30600.0) and line.headway_s == 2700.0 and line.layover_s == 240.0
    layout = asm.layouts["l"]
    assert isinstance(layout, LineLayout)
    capped = net().oracle(speed_cap_kmh=18.0)
    a, b = line.stops
    assert layout.run_s[0] == capped.time_s(a, b)  # the vehicle's cap, given in m/s, gives the km/h times exactly


def test_census_zones_only_for_sodegaura_zones() -> None:
    zones = census_zones(scenario({"d": {"vehicle": "van", "fleet_size": 1}}))
    assert zones is not None and len(zones) == 72
    assert census_zones(scenario({"d": {"vehicle": "van", "fleet_size": 1}}, demand={"zones": "nodes"})) is None


def test_districts_need_census_zones() -> None:
    with pytest.raises(ScenarioError, match=r"key services.d.areas.A.districts: districts need zones"):
        build({"d": {"vehicle": "van", "fleet_size": 1, "areas": {"A": {"districts": ["昭和"]}}}}, demand={"zones": "nodes"})
    with pytest.raises(ScenarioError, match=r"key services.d.areas.A.districts: unknown district '火星'; valid: "):
        build({"d": {"vehicle": "van", "fleet_size": 1, "areas": {"A": {"districts": ["火星"]}}}})


def test_layout_json_records_what_the_maps_draw(tmp_path: Path) -> None:
    sc = scenario({
        "d": {"vehicle": "van", "fleet_size": 2, "transfer_hub": "yurinosato",
              "areas": {"A": {"districts": ["昭和"]}, "B": {"districts": ["長浦"]}}},
        "l": {"kind": "line", "vehicle": "van", "stops": ["sodegaura_sta", "city_hall"], "headway_min": 60, "pattern": "loop"},
    })
    result = run_scenario(sc, REPO, networks=NETWORKS, source="places.toml")
    write_results(result, tmp_path)
    record = json.loads((tmp_path / "layout.json").read_text(encoding="utf-8"))
    n = result.network
    assert record["format"] == 1 and record["network"] == {"source": "sodegaura", "name": n.name}
    (d,) = record["drt"]
    hub = n.place("yurinosato")
    assert d["hub"] == {"node": int(n.node_ids[hub]), "lat": round(float(n.lat[hub]), 7), "lon": round(float(n.lon[hub]), 7)}
    layout = result.layouts["d"]
    assert isinstance(layout, DrtLayout)
    for area, rec in zip(layout.areas, d["areas"]):
        assert rec["stops"] == [int(n.node_ids[i]) for i in area.stops]
        assert rec["members"] == [int(n.node_ids[i]) for i in range(n.n) if area.members[i]]
        assert rec["fleet_size"] == area.fleet_size == 1
    (line,) = record["lines"]
    a, b = n.place("sodegaura_sta"), n.place("city_hall")
    assert [s["label"] for s in line["stops"]] == ["sodegaura_sta", "city_hall"] and line["loop"] is True
    oracle = n.oracle(speed_cap_kmh=18.0)
    path = oracle.path(a, b) + oracle.path(b, a)[1:]  # the loop back to the first stop
    assert line["path"] == [[round(float(n.lat[i]), 7), round(float(n.lon[i]), 7)] for i in path]


def test_a_timetable_line_keeps_its_max_wait_and_spares_like_a_headway_line() -> None:
    """A line on a real timetable (as ``import gtfs`` writes it) waits and spares like a headway line
    (once, the timetable kind lost ``max_wait_min`` and waited forever: an imported feed served riders
    its own export refused)."""
    common = {"kind": "line", "vehicle": "van", "stops": ["sodegaura_sta", "city_hall"], "max_wait_min": 25,
              "spare_vehicles": 2}
    asm = build({
        "h": {**common, "headway_min": 60, "start": "07:00", "end": "08:00"},
        "t": {**common, "timetable": [["07:00", "07:20"], ["08:00", "08:20"]]},
    })
    h, t = asm.day.services
    assert isinstance(h, LineSpec) and isinstance(t, LineSpec) and t.trips is not None
    assert (h.max_wait_s, h.spare_vehicles) == (1500.0, 2)
    assert (t.max_wait_s, t.spare_vehicles) == (1500.0, 2)
    assert t.departures_s == h.departures_s == (25200.0, 28800.0)
