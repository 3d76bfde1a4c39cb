"""Tests for sim.demand.generate: CSV import/export and synthetic generation (on a small fake grid network)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from sim.demand.generate import DemandSpec, Request, generate_demand, node_zones
from sim.demand.io import CSV_COLUMNS, read_demand_csv, write_demand_csv
from sim.errors import DemandError, NetworkError
from sim.demand.zones import Attractor, Zone

R_EARTH = 6_371_008.8
LAT0, LON0 = 35.40, 139.98
DLAT, DLON = 0.002, 0.0025  # about 222 m x 227 m


class FakeNet:
    """Grid network with the attributes of sim.network.graph.RoadNetwork used by sim.demand."""

    def __init__(self, rows: int = 21, cols: int = 21) -> None:
        r, c = np.divmod(np.arange(rows * cols), cols)
        self.n = rows * cols
        self.cols = cols
        self.node_ids = 5000 + 3 * np.arange(self.n, dtype=np.int64)
        self.lat = LAT0 + r * DLAT
        self.lon = LON0 + c * DLON
        self.x, self.y = self.project(self.lat, self.lon)
        self.places = {"centre": self.n // 2}
        self._tree = cKDTree(np.column_stack([self.x, self.y]))
        self._index = {int(v): i for i, v in enumerate(self.node_ids)}

    def project(self, lat, lon):
        x = np.radians(np.asarray(lon, dtype=float) - LON0) * R_EARTH * math.cos(math.radians(LAT0))
        y = np.radians(np.asarray(lat, dtype=float) - LAT0) * R_EARTH
        return x, y

    def index_of(self, node_id) -> int:
        try:
            return self._index[int(node_id)]
        except (KeyError, ValueError):
            raise NetworkError(f"node {node_id!r} not in network") from None

    def nearest(self, lat: float, lon: float) -> tuple[int, float]:
        idx, dist = self.nearest_many(np.array([lat]), np.array([lon]))
        return int(idx[0]), float(dist[0])

    def nearest_many(self, lats, lons):
        x, y = self.project(lats, lons)
        dist, idx = self._tree.query(np.column_stack([x, y]))
        return idx.astype(np.int64), dist

    def node(self, row: int, col: int) -> int:
        return row * self.cols + col


@pytest.fixture(scope="module")
def net() -> FakeNet:
    return FakeNet()


def haversine(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * R_EARTH * math.asin(math.sqrt(a))


# ------------------------------------------------------------------------------------------------
# CSV reading: exact parse


def test_read_lat_lon_csv_exact(net: FakeNet, tmp_path: Path) -> None:
    path = tmp_path / "demand.csv"
    path.write_text(
        "request_id,request_time,earliest_pickup,party_size,origin_lat,origin_lon,dest_lat,dest_lon,comment\n"
        "A,08:00:00,,1,35.4041,139.9851,35.4099,139.9949,first\n"
        "B,28800,09:30,2,35.4,139.98,35.42,140.005,prebooked\n"
        "C,07:59:59,07:59:59,,35.4020,139.9800,35.4020,139.9800,same node\n",
        encoding="utf-8",
    )
    reqs = read_demand_csv(path, net)
    assert reqs == [
        # sorted by request time: C (07:59:59) before A and B (08:00:00, file order kept)
        Request("C", 28799.0, 28799.0, net.node(1, 0), net.node(1, 0), 1, 35.402, 139.98, 35.402, 139.98),
        Request("A", 28800.0, 28800.0, net.node(2, 2), net.node(5, 6), 1, 35.4041, 139.9851, 35.4099, 139.9949),
        Request("B", 28800.0, 34200.0, net.node(0, 0), net.node(10, 10), 2, 35.4, 139.98, 35.42, 140.005),
    ]
    assert [r.prebooked for r in reqs] == [False, False, True]


def test_read_node_csv_uses_node_positions(net: FakeNet, tmp_path: Path) -> None:
    path = tmp_path / "nodes.csv"
    path.write_text(
        "Request_ID, Request_Time ,origin_node,dest_node,origin_zone\n"
        f"x1,10:00,{net.node_ids[net.node(3, 4)]},{net.node_ids[net.node(7, 1)]},home\n",
        encoding="utf-8-sig",
    )
    (req,) = read_demand_csv(path, net)
    o, d = net.node(3, 4), net.node(7, 1)
    assert req == Request("x1", 36000.0, 36000.0, o, d, 1, float(net.lat[o]), float(net.lon[o]),
                          float(net.lat[d]), float(net.lon[d]), "home", "")


def test_read_both_column_sets_nodes_win_points_kept(net: FakeNet, tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    o_id = net.node_ids[net.node(4, 4)]
    path.write_text(
        "request_id,request_time,origin_lat,origin_lon,dest_lat,dest_lon,origin_node,dest_node\n"
        f"r,3600,35.4,139.98,35.42,140.005,{o_id},\n",  # origin node given (far from the point); dest snapped
        encoding="utf-8",
    )
    (req,) = read_demand_csv(path, net)
    assert (req.origin_node, req.dest_node) == (net.node(4, 4), net.node(10, 10))
    assert (req.origin_lat, req.origin_lon) == (35.4, 139.98)


def test_origin_equal_destination_is_kept(net: FakeNet, tmp_path: Path) -> None:
    path = tmp_path / "same.csv"
    nid = net.node_ids[5]
    path.write_text(f"request_id,request_time,origin_node,dest_node\nq,0,{nid},{nid}\n", encoding="utf-8")
    (req,) = read_demand_csv(path, net)
    assert req.origin_node == req.dest_node == 5


def test_header_only_gives_empty_list(net: FakeNet, tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("request_id,request_time,origin_node,dest_node\n\n", encoding="utf-8")
    assert read_demand_csv(path, net) == []


# ------------------------------------------------------------------------------------------------
# CSV reading: errors

HEAD = "request_id,request_time,earliest_pickup,party_size,origin_lat,origin_lon,dest_lat,dest_lon\n"
GOOD = "ok,08:00,,1,35.40,139.98,35.41,139.99\n"


@pytest.mark.parametrize(
    ("body", "must_contain"),
    [
        (HEAD + GOOD + "ok,08:05,,1,35.40,139.98,35.41,139.99\n", ["row 2", "request_id", "'ok'", "duplicate"]),
        (HEAD + "a,8 o'clock,,1,35.40,139.98,35.41,139.99\n", ["row 1", "request_time", "8 o'clock", "HH:MM"]),
        (HEAD + "a,25:61,,1,35.40,139.98,35.41,139.99\n", ["request_time", "'25:61'"]),
        (HEAD + "a,-5,,1,35.40,139.98,35.41,139.99\n", ["request_time", "'-5'"]),
        (HEAD + GOOD + "b,09:00,08:59:59,1,35.40,139.98,35.41,139.99\n",
         ["row 2", "earliest_pickup", "'08:59:59'", "request_time"]),
        (HEAD + "a,08:00,,0,35.40,139.98,35.41,139.99\n", ["row 1", "column party_size", "'0'", "positive integer"]),
        (HEAD + "a,08:00,,1.5,35.40,139.98,35.41,139.99\n", ["party_size", "'1.5'", "positive integer"]),
        (HEAD + "a,08:00,,two,35.40,139.98,35.41,139.99\n", ["party_size", "'two'"]),
        (HEAD + "a,08:00,,1,91,139.98,35.41,139.99\n", ["origin_lat", "'91'", "[-90, 90]"]),
        (HEAD + "a,08:00,,1,35.40,139.98,35.41,east\n", ["dest_lon", "'east'", "[-180, 180]"]),
        (HEAD + "a,08:00,,1,35.40,139.98,nan,139.99\n", ["dest_lat", "'nan'"]),
        (HEAD + "a,08:00,,1,35.40,139.98,,139.99\n", ["dest_lat", "''"]),
        (HEAD + ",08:00,,1,35.40,139.98,35.41,139.99\n", ["request_id", "empty"]),
    ],
)
def test_row_errors_name_file_row_column_value(net: FakeNet, tmp_path: Path, body: str, must_contain: list[str]) -> None:
    path = tmp_path / "demand.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DemandError) as info:
        read_demand_csv(path, net)
    message = str(info.value)
    assert "demand.csv" in message
    for part in must_contain:
        assert part in message, (part, message)


def test_unknown_node_id(net: FakeNet, tmp_path: Path) -> None:
    path = tmp_path / "demand.csv"
    path.write_text(f"request_id,request_time,origin_node,dest_node\na,0,{net.node_ids[0]},4\n", encoding="utf-8")
    with pytest.raises(DemandError, match=r"demand\.csv, row 1, column dest_node: '4' is not a node id"):
        read_demand_csv(path, net)
    path.write_text("request_id,request_time,origin_node,dest_node\na,0,abc,5000\n", encoding="utf-8")
    with pytest.raises(DemandError, match=r"column origin_node: 'abc'"):
        read_demand_csv(path, net)


def test_missing_file(net: FakeNet, tmp_path: Path) -> None:
    with pytest.raises(DemandError, match=r"nothere\.csv.*not found"):
        read_demand_csv(tmp_path / "nothere.csv", net)


def test_empty_file(net: FakeNet, tmp_path: Path) -> None:
    path = tmp_path / "demand.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DemandError, match=r"demand\.csv.*empty"):
        read_demand_csv(path, net)


@pytest.mark.parametrize(
    "header",
    [
        "request_id,request_time,origin_lat,origin_lon,dest_lat\n",  # incomplete point set
        "request_id,origin_node,dest_node\n",  # no request_time
        "request_time,origin_node,dest_node\n",  # no request_id
    ],
)
def test_missing_columns_list_accepted_sets(net: FakeNet, tmp_path: Path, header: str) -> None:
    path = tmp_path / "demand.csv"
    path.write_text(header + "1,2,3,4,5\n", encoding="utf-8")
    with pytest.raises(DemandError) as info:
        read_demand_csv(path, net)
    message = str(info.value)
    assert "demand.csv" in message and "missing column" in message
    assert "origin_lat, origin_lon, dest_lat, dest_lon" in message and "origin_node, dest_node" in message


# ------------------------------------------------------------------------------------------------
# generation

TWO_ZONES = [
    Zone("A", LAT0 + 0.004, LON0 + 0.005, 900.0, "d1"),
    Zone("B", LAT0 + 0.036, LON0 + 0.045, 100.0, "d2"),
]
ZONES = [
    Zone("z1", LAT0 + 0.005, LON0 + 0.006, 500.0, "d1"),
    Zone("z2", LAT0 + 0.030, LON0 + 0.010, 300.0, "d1"),
    Zone("z3", LAT0 + 0.020, LON0 + 0.040, 200.0, "d2"),
    Zone("empty", LAT0 + 0.020, LON0 + 0.025, 0.0, "d2"),
]
ATTRACTORS = [
    Attractor("sta", "駅", "rail_station", LAT0 + 0.015, LON0 + 0.020, 3.0),
    Attractor("shop", "店", "shopping", LAT0 + 0.035, LON0 + 0.045, 1.0),
    Attractor("closed", "閉", "leisure", LAT0 + 0.001, LON0 + 0.001, 0.0),
]
PROFILE = tuple([0.0] * 7 + [2.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 1.0] + [0.0] * 7)
SPEC = DemandSpec(
    requests_per_day=600,
    start_s=9 * 3600.0,
    end_s=17 * 3600.0,
    hourly_profile=PROFILE,
    prebooked_share=0.4,
    party_size_weights=(0.6, 0.3, 0.0, 0.1),
    home_share=0.5,
    min_trip_m=500.0,
    jitter_m=150.0,
)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_generation_invariants(net: FakeNet, seed: int) -> None:
    reqs = generate_demand(net, ZONES, ATTRACTORS, SPEC, rng=np.random.default_rng(seed))
    assert len(reqs) == SPEC.requests_per_day
    assert [r.request_id for r in reqs] == [f"R{k:05d}" for k in range(1, len(reqs) + 1)]
    keys = [(r.request_time_s, r.earliest_pickup_s) for r in reqs]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    zone_names = {"z1", "z2", "z3"}
    places = {"sta", "shop"}
    for r in reqs:
        assert SPEC.start_s <= r.earliest_pickup_s < SPEC.end_s
        assert 0.0 <= r.request_time_s <= r.earliest_pickup_s
        assert r.request_time_s.is_integer() and r.earliest_pickup_s.is_integer()
        if r.prebooked:
            lead = r.earliest_pickup_s - r.request_time_s
            assert lead >= SPEC.prebook_lead_min_s or r.request_time_s == 0.0
        assert r.party_size in (1, 2, 4)
        assert r.origin_zone in zone_names | places and r.dest_zone in zone_names | places
        assert r.origin_zone in zone_names or r.dest_zone in zone_names  # never attractor -> attractor
        if r.origin_zone in zone_names and r.dest_zone in zone_names:
            assert r.origin_zone != r.dest_zone
        assert haversine(r.origin_lat, r.origin_lon, r.dest_lat, r.dest_lon) >= SPEC.min_trip_m - 1e-6
        assert (r.origin_node, r.dest_node) == (net.nearest(r.origin_lat, r.origin_lon)[0],
                                                net.nearest(r.dest_lat, r.dest_lon)[0])
        assert isinstance(r.origin_node, int) and isinstance(r.origin_lat, float)
    # both directions of attractor trips occur, and prebooked and immediate requests both exist
    assert any(r.origin_zone in places for r in reqs) and any(r.dest_zone in places for r in reqs)
    assert 0 < sum(r.prebooked for r in reqs) < len(reqs)


def test_generation_deterministic(net: FakeNet) -> None:
    a = generate_demand(net, ZONES, ATTRACTORS, SPEC, rng=np.random.default_rng(42))
    b = generate_demand(net, ZONES, ATTRACTORS, SPEC, rng=np.random.default_rng(42))
    c = generate_demand(net, ZONES, ATTRACTORS, SPEC, rng=np.random.default_rng(43))
    assert a == b
    assert a != c


def test_zone_population_weighting(net: FakeNet) -> None:
    spec = DemandSpec(requests_per_day=20000, start_s=0.0, end_s=86400.0, home_share=1.0)
    reqs = generate_demand(net, TWO_ZONES, [], spec, rng=np.random.default_rng(7))
    share_a = sum(r.origin_zone == "A" for r in reqs) / len(reqs)
    assert abs(share_a - 0.9) <= 0.01
    assert all({r.origin_zone, r.dest_zone} == {"A", "B"} for r in reqs)


def test_attractor_trips_half_reversed(net: FakeNet) -> None:
    spec = DemandSpec(requests_per_day=4000, start_s=0.0, end_s=3600.0, home_share=0.0)
    reqs = generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(3))
    from_attractor = sum(r.origin_zone in {"sta", "shop"} for r in reqs) / len(reqs)
    assert abs(from_attractor - 0.5) < 0.04
    assert not any(r.origin_zone == "closed" or r.dest_zone == "closed" for r in reqs)
    assert not any(r.origin_zone == "empty" or r.dest_zone == "empty" for r in reqs)


def test_profile_all_weight_in_one_hour(net: FakeNet) -> None:
    profile = tuple(1.0 if h == 10 else 0.0 for h in range(24))
    spec = DemandSpec(requests_per_day=2000, start_s=9 * 3600.0, end_s=17 * 3600.0, hourly_profile=profile)
    reqs = generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(5))
    assert all(36000.0 <= r.earliest_pickup_s < 39600.0 for r in reqs)
    assert all(r.request_time_s == r.earliest_pickup_s for r in reqs)


def test_uniform_without_profile(net: FakeNet) -> None:
    spec = DemandSpec(requests_per_day=20000, start_s=9 * 3600.0, end_s=17 * 3600.0)
    reqs = generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(9))
    hours = np.bincount([int(r.earliest_pickup_s // 3600) for r in reqs], minlength=24)
    assert hours[:9].sum() == 0 and hours[17:].sum() == 0
    assert np.all(np.abs(hours[9:17] / len(reqs) - 1 / 8) < 0.01)


def test_window_clipping_of_partial_hours(net: FakeNet) -> None:
    profile = tuple(1.0 for _ in range(24))
    spec = DemandSpec(requests_per_day=3000, start_s=9.5 * 3600, end_s=10.25 * 3600, hourly_profile=profile)
    reqs = generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(11))
    times = np.array([r.earliest_pickup_s for r in reqs])
    assert times.min() >= 34200.0 and times.max() < 36900.0
    # constant density: 30 min in hour 9 vs 15 min in hour 10 -> 2/3 of requests before 10:00
    assert abs(np.mean(times < 36000.0) - 2 / 3) < 0.03


def test_day_before_bookings_at_midnight(net: FakeNet) -> None:
    spec = DemandSpec(requests_per_day=200, start_s=9 * 3600.0, end_s=10 * 3600.0, prebooked_share=1.0,
                      prebook_lead_min_s=86400.0, prebook_lead_max_s=86400.0)
    reqs = generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(1))
    assert all(r.request_time_s == 0.0 and r.prebooked for r in reqs)
    # ties on request time are ordered by desired departure
    assert [r.earliest_pickup_s for r in reqs] == sorted(r.earliest_pickup_s for r in reqs)


def test_origin_filter(net: FakeNet) -> None:
    def west(node: int) -> bool:
        return node % net.cols < 8

    spec = DemandSpec(requests_per_day=1000, start_s=0.0, end_s=3600.0)
    reqs = generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(2), origin_filter=west)
    assert all(west(r.origin_node) for r in reqs)
    assert any(not west(r.dest_node) for r in reqs)
    with pytest.raises(DemandError, match="origin_filter"):
        generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(2), origin_filter=lambda i: False)


def test_impossible_min_trip(net: FakeNet) -> None:
    spec = DemandSpec(requests_per_day=10, start_s=0.0, end_s=3600.0, min_trip_m=50_000.0)
    with pytest.raises(DemandError, match="min_trip_m"):
        generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(0))


def test_unusable_zones_or_attractors(net: FakeNet) -> None:
    spec = DemandSpec(requests_per_day=10, start_s=0.0, end_s=3600.0, home_share=0.5)
    with pytest.raises(DemandError, match="attractor"):
        generate_demand(net, ZONES, [], spec, rng=np.random.default_rng(0))
    with pytest.raises(DemandError, match="two zones"):
        generate_demand(net, ZONES[:1], ATTRACTORS, spec, rng=np.random.default_rng(0))
    assert generate_demand(net, ZONES, ATTRACTORS, DemandSpec(0, 0.0, 60.0), rng=np.random.default_rng(0)) == []


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"requests_per_day": -1}, "requests_per_day"),
        ({"requests_per_day": 2.5}, "requests_per_day"),
        ({"end_s": 100.0, "start_s": 100.0}, "start_s/end_s"),
        ({"hourly_profile": (1.0,) * 23}, "hourly_profile"),
        ({"hourly_profile": (-1.0,) + (1.0,) * 23}, "hourly_profile"),
        ({"prebooked_share": 1.5}, "prebooked_share"),
        ({"prebook_lead_min_s": 100.0, "prebook_lead_max_s": 50.0}, "prebook_lead_max_s"),
        ({"party_size_weights": (0.0, 0.0)}, "party_size_weights"),
        ({"home_share": -0.1}, "home_share"),
        ({"min_trip_m": float("nan")}, "min_trip_m"),
        ({"jitter_m": -1.0}, "jitter_m"),
    ],
)
def test_spec_validation(kwargs: dict, key: str) -> None:
    args = {"requests_per_day": 10, "start_s": 0.0, "end_s": 3600.0} | kwargs
    with pytest.raises(DemandError, match=key):
        DemandSpec(**args)


def test_profile_without_weight_in_window(net: FakeNet) -> None:
    profile = tuple(1.0 if h == 3 else 0.0 for h in range(24))
    spec = DemandSpec(requests_per_day=5, start_s=9 * 3600.0, end_s=17 * 3600.0, hourly_profile=profile)
    with pytest.raises(DemandError, match="hourly_profile"):
        generate_demand(net, ZONES, ATTRACTORS, spec, rng=np.random.default_rng(0))


def test_node_zones(net: FakeNet) -> None:
    zones = node_zones(net, count=30, rng=np.random.default_rng(4))
    assert len(zones) == 30 and len({z.name for z in zones}) == 30
    for z in zones:
        i = net.index_of(int(z.name.removeprefix("node:")))
        assert (z.lat, z.lon, z.population, z.district) == (net.lat[i], net.lon[i], 1.0, "")
    with pytest.raises(DemandError, match="count"):
        node_zones(net, count=net.n + 1, rng=np.random.default_rng(0))


# ------------------------------------------------------------------------------------------------
# round trip


def test_round_trip_generated(net: FakeNet, tmp_path: Path) -> None:
    reqs = generate_demand(net, ZONES, ATTRACTORS, SPEC, rng=np.random.default_rng(21))
    path = tmp_path / "out" / "demand.csv"
    write_demand_csv(reqs, path, net)
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(CSV_COLUMNS)
    assert read_demand_csv(path, net) == reqs
    assert not [p for p in path.parent.iterdir() if p.name != "demand.csv"]  # no temporary files left


_lat = st.floats(min_value=-90.0, max_value=90.0, allow_nan=False)
_lon = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30 * 3600), st.integers(0, 18 * 3600), st.integers(0, 440), st.integers(0, 440),  # 48-hour day
            st.integers(1, 9), _lat, _lon, _lat, _lon, st.text("abc,\"' 町", max_size=5),
        ),
        max_size=6,
    )
)
def test_round_trip_property(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple]) -> None:
    net = FakeNet()
    reqs = [
        Request(f"id{k}", float(t), float(t + lead), o, d, p, ola, olo, dla, dlo, zone, "")
        for k, (t, lead, o, d, p, ola, olo, dla, dlo, zone) in enumerate(rows)
    ]
    reqs.sort(key=lambda r: r.request_time_s)
    path = tmp_path_factory.mktemp("rt") / "d.csv"
    write_demand_csv(reqs, path, net)
    assert read_demand_csv(path, net) == [
        # zone labels are stripped of surrounding blanks on reading
        Request(r.request_id, r.request_time_s, r.earliest_pickup_s, r.origin_node, r.dest_node, r.party_size,
                r.origin_lat, r.origin_lon, r.dest_lat, r.dest_lon, r.origin_zone.strip(), r.dest_zone)
        for r in reqs
    ]


def test_round_trip_fractional_times_to_the_microsecond(net: FakeNet, tmp_path: Path) -> None:
    req = Request("f", 3600.5, 7200.25, 1, 2, 3, 35.4, 139.98, 35.41, 139.99, "a", "b")
    path = tmp_path / "frac.csv"
    write_demand_csv([req], path, net)
    assert "01:00:00.500000,02:00:00.250000" in path.read_text(encoding="utf-8")
    assert read_demand_csv(path, net) == [req]


def test_negative_population_rejected(net: FakeNet) -> None:
    bad = [Zone("bad", LAT0, LON0, -1.0, ""), *ZONES]
    with pytest.raises(DemandError, match="'bad'.*population"):
        generate_demand(net, bad, ATTRACTORS, SPEC, rng=np.random.default_rng(0))
