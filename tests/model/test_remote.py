"""Remote supervision (sim/model/remote.py): the operator queue against the M/M/c closed form,
field staff driving over the network, capacity gating, severity classes, and defaults unchanged."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import simpy

from sim.model import (
    DaySpec,
    DrtServiceSpec,
    LineSpec,
    VehicleSpec,
    compute_metrics,
    simulate_day,
)
from sim.model.incidents import Incident, IncidentProcess, IncidentSpec, SeverityClass
from sim.model.remote import RemoteCenter, RemoteOpsSpec
from tests.helpers import line_network
from tests.model.test_library import road, trip


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with offered load ``a`` = lambda/mu."""
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (head + tail)


@pytest.mark.parametrize(("c", "lam", "mu"), [(1, 1 / 600, 1 / 300), (2, 1 / 200, 1 / 300), (3, 1 / 150, 1 / 300)])
def test_operator_queue_matches_mmc_closed_form(c: int, lam: float, mu: float) -> None:
    """Poisson arrivals and exponential durations: mean wait and P(wait) within sampling error of M/M/c."""
    rng = np.random.default_rng(20261127)
    center = RemoteCenter(RemoteOpsSpec(c, 1, gating=False), simpy.Environment(), lambda a, b: 0.0)
    t = 0.0
    n = 60_000
    for _ in range(n):
        t += rng.exponential(1 / lam)
        center.resolve(t, 0, "s", 0, [Incident(float(rng.exponential(1 / mu)), False)])
    waits = np.array([r.wait_s for r in center.incidents])
    a = lam / mu
    pw = erlang_c(c, a)
    wq = pw / (c * mu - lam)
    # batch means: 30 batches of 2,000 consecutive customers, the first dropped (warm-up)
    batches = waits.reshape(30, -1)[1:].mean(axis=1)
    se = batches.std(ddof=1) / math.sqrt(len(batches))
    assert abs(batches.mean() - wq) < 4 * se, (batches.mean(), wq, se)
    share = (waits > 0).reshape(30, -1)[1:].mean(axis=1)
    assert abs(share.mean() - pw) < 4 * share.std(ddof=1) / math.sqrt(len(share)) + 1e-3
    # FCFS: nobody starts before arriving, and never more than c incidents at once
    assert all(r.operator_start_s >= r.arrive_s for r in center.incidents)
    events = sorted([(r.operator_start_s, 1) for r in center.incidents] + [(r.end_s, -1) for r in center.incidents],
                    key=lambda e: (e[0], e[1]))
    busy = np.cumsum([d for _, d in events])
    assert busy.max() <= c
    assert center.operator_busy_s == pytest.approx(sum(r.end_s - r.operator_start_s for r in center.incidents))


def test_a_busy_operator_makes_the_next_incident_wait_exactly() -> None:
    center = RemoteCenter(RemoteOpsSpec(1, 3, gating=False), simpy.Environment(), lambda a, b: 0.0)
    s1 = center.resolve(100.0, 1, "s", 4, [Incident(300.0, False, "takeover")])
    s2 = center.resolve(250.0, 2, "s", 5, [Incident(60.0, False), Incident(40.0, False)])
    assert s1 == [(100.0, 400.0, Incident(300.0, False, "takeover"))]
    # vehicle 2 waits 150 s for the operator, then both its incidents back to back
    assert [(a, b) for a, b, _ in s2] == [(250.0, 460.0), (460.0, 500.0)]
    r = center.incidents
    assert [x.wait_s for x in r] == [0.0, 150.0, 0.0] and r[0].severity == "takeover"
    assert center.operator_busy_s == 300.0 + 100.0


def test_field_staff_drive_the_network_time_from_their_base() -> None:
    net = line_network(6)  # 1,000 m edges at 36 km/h: 100 s each
    drive = net.oracle().time_s
    center = RemoteCenter(RemoteOpsSpec(2, 3, gating=False, field_staff=1, field_base=0), simpy.Environment(), drive)
    (span,) = center.resolve(1000.0, 1, "s", 3, [Incident(600.0, True, "field")])
    rec = center.incidents[0]
    assert rec.field_arrive_s - rec.operator_start_s == drive(0, 3) == 300.0
    assert span == (1000.0, 1000.0 + 300.0 + 600.0, Incident(600.0, True, "field"))
    (trip1,) = center.field_trips
    assert trip1.back_s == trip1.done_s + drive(3, 0) == 1900.0 + 300.0
    # the only field staff member is busy until 2,200 s: a field incident at node 5 at 1,500 s
    # gets an operator at once but waits for the team to return and then drive 500 s
    center.resolve(1500.0, 2, "s", 5, [Incident(100.0, True, "field")])
    rec2 = center.incidents[1]
    assert rec2.wait_s == 0.0 and rec2.field_arrive_s == 2200.0 + drive(0, 5) == 2700.0
    assert rec2.field_wait_s == 1200.0 and rec2.end_s == 2800.0


def test_severity_classes_draw_their_shares_and_lognormal_medians() -> None:
    classes = (
        SeverityClass("takeover", rate_per_m=3e-3, median_s=300.0, sigma=0.5),
        SeverityClass("field", rate_per_m=1e-3, median_s=1200.0, sigma=0.5, field=True),
    )
    proc = IncidentProcess(IncidentSpec(classes=classes), np.random.default_rng(5))
    incs = proc.drive(20_000_000.0)  # 20,000 km: about 80,000 incidents at 4 per km
    assert len(incs) == pytest.approx(80_000, rel=0.02)
    take = np.array([i.duration_s for i in incs if i.severity == "takeover"])
    field = [i for i in incs if i.severity == "field"]
    assert all(i.onsite for i in field) and not any(i.onsite for i in incs if i.severity == "takeover")
    assert len(field) / len(incs) == pytest.approx(0.25, abs=0.01)
    assert np.median(take) == pytest.approx(300.0, rel=0.02)
    assert np.median([i.duration_s for i in field]) == pytest.approx(1200.0, rel=0.03)
    assert np.log(take).std() == pytest.approx(0.5, rel=0.03)


def test_without_classes_the_process_draws_as_before() -> None:
    spec = IncidentSpec(rate_per_m=1e-4, remote_share=0.7, remote_mean_s=120.0, onsite_mean_s=900.0)
    a = IncidentProcess(spec, np.random.default_rng(3)).drive(500_000.0)
    rng = np.random.default_rng(3)
    marks, pos = [], rng.exponential(1e4)
    expected = []
    while pos <= 500_000.0:
        onsite = bool(rng.random() >= 0.7)
        expected.append(Incident(float(rng.exponential(900.0 if onsite else 120.0)), onsite))
        marks.append(pos)
        pos += rng.exponential(1e4)
    assert a == expected and len(a) > 20


AV = VehicleSpec("av", capacity=4, automation="level4_remote", stop_dwell_s=30.0)


def _in_service_max(vehicles) -> int:
    events = sorted([(v.shift_start_s, 1) for v in vehicles] + [(v.pull_in_s, -1) for v in vehicles],
                    key=lambda e: (e[0], e[1]))
    return int(np.cumsum([d for _, d in events]).max())


def test_capacity_gating_keeps_at_most_two_automated_drt_vehicles_in_service() -> None:
    net = road(6)
    t0 = 8 * 3600.0
    svc = DrtServiceSpec("d", AV, fleet_size=4, start_s=t0, end_s=t0 + 3600, door_to_door=True, depot=0)
    reqs = [trip(net, f"r{k}", t0 + 60 * k, k % 3, 5 - k % 3) for k in range(30)]
    remote = RemoteOpsSpec(operators=1, vehicles_per_operator=2)
    day = simulate_day(net, reqs, DaySpec(services=(svc,), remote=remote), seed=np.random.SeedSequence(1))
    log = day.log
    assert _in_service_max(log.vehicles) <= 2
    used = {m.vehicle_id for m in log.moves}
    assert len(used) == 2  # the two held vehicles never move: their slot frees after the service ends
    for v in log.vehicles:  # every move of a vehicle is inside its time in service
        assert all(v.shift_start_s <= m.start_s and m.end_s <= v.pull_in_s for m in log.moves if m.vehicle_id == v.vehicle_id)
    metrics = compute_metrics(log)
    assert metrics["vehicles_held"] == 2 and metrics["vehicle_hold_s"] > 2 * 3600 - 1
    # without gating all four vehicles may run (and the ungated run serves at least as many)
    free = simulate_day(net, reqs, DaySpec(services=(svc,)), seed=np.random.SeedSequence(1))
    assert _in_service_max(free.log.vehicles) == 4
    assert compute_metrics(free.log)["requests_served"] >= metrics["requests_served"]


def test_capacity_gating_delays_a_line_block_until_a_slot_frees() -> None:
    net = road(6)
    t7 = 7 * 3600.0
    bus = VehicleSpec("avbus", capacity=20, automation="level4_remote", stop_dwell_s=0.0)
    # 0 -> 5 out and back: 500 s each way, 300 s layover (1,300 s a round trip); three departures
    # 5 min apart need three vehicles at once
    line = LineSpec("l", bus, stops=(0, 5), departures_s=tuple(t7 + 300 * k for k in range(3)),
                    layover_s=300.0, recovery_share=0.0)
    gated = simulate_day(net, [], DaySpec(services=(line,), remote=RemoteOpsSpec(1, 2)), seed=np.random.SeedSequence(2))
    free = simulate_day(net, [], DaySpec(services=(line,)), seed=np.random.SeedSequence(2))
    assert _in_service_max(free.log.vehicles) == 3
    assert _in_service_max(gated.log.vehicles) == 2
    (hold,) = gated.log.remote.holds
    first_back = min(v.pull_in_s for v in gated.log.vehicles)
    assert first_back == t7 + 1300.0
    # the third block wanted to leave at 07:10 and left when the first was back at 07:21:40
    assert hold.want_s == t7 + 600.0 and hold.got_s == first_back
    third = max(gated.log.vehicles, key=lambda v: v.shift_start_s)
    # 11 min late, it runs out and back without the layover: back 1,000 s later
    assert third.shift_start_s == t7 + 1300.0 and third.pull_in_s == t7 + 2300.0
    # availability: three blocks of 1,300 s planned (07:00-07:21:40, 07:05-07:26:40, 07:10-07:31:40); 700 s held
    m = compute_metrics(gated.log)
    assert m["availability_lost_supervision_h"] == 700.0 / 3600.0
    assert m["service_availability"] == pytest.approx(1 - 700.0 / 3900.0)


def test_one_operator_never_handles_two_incidents_at_once_in_a_day() -> None:
    net = road(6)
    t0 = 8 * 3600.0
    inc = IncidentSpec(classes=(SeverityClass("takeover", rate_per_m=1e-3, median_s=240.0, sigma=0.5),))
    av = VehicleSpec("av", capacity=4, automation="level4_remote", stop_dwell_s=30.0, incidents=inc)
    svc = DrtServiceSpec("d", av, fleet_size=3, start_s=t0, end_s=t0 + 4 * 3600, door_to_door=True, depot=0)
    reqs = [trip(net, f"r{k}", t0 + 120 * k, k % 6, (k * 5 + 1) % 6) for k in range(100) if k % 6 != (k * 5 + 1) % 6]
    day = simulate_day(net, reqs, DaySpec(services=(svc,), remote=RemoteOpsSpec(1, 3)), seed=np.random.SeedSequence(9))
    recs = sorted(day.log.remote.incidents, key=lambda r: r.operator_start_s)
    assert len(recs) > 20
    assert all(b.operator_start_s >= a.end_s - 1e-9 for a, b in itertools.pairwise(recs))
    assert any(r.wait_s > 0 for r in recs)
    metrics = compute_metrics(day.log)
    waits = [r.wait_s for r in recs]
    assert metrics["incident_wait_mean_s"] == pytest.approx(np.mean(waits))
    assert metrics["incident_wait_p95_s"] == pytest.approx(np.percentile(waits, 95))
    assert 0 < metrics["operator_utilisation"] <= 1
    # the incident moves in the log carry the class and cover each incident's wait and work
    moves = [m for m in day.log.moves if m.kind == "incident"]
    assert len(moves) == len(recs) and {m.detail for m in moves} == {"takeover"}
    assert sum(m.end_s - m.start_s for m in moves) == pytest.approx(sum(r.end_s - r.arrive_s for r in recs))


def test_without_remote_ops_the_log_and_metrics_have_no_control_room() -> None:
    net = road(6)
    t0 = 8 * 3600.0
    svc = DrtServiceSpec("d", AV, fleet_size=2, start_s=t0, end_s=t0 + 3600, door_to_door=True, depot=0)
    day = simulate_day(net, [trip(net, "r", t0, 0, 5)], DaySpec(services=(svc,)), seed=np.random.SeedSequence(1))
    assert day.log.remote is None
    assert "incident_wait_p95_s" not in compute_metrics(day.log)


def test_a_class_limited_to_some_roads_counts_only_the_metres_on_them() -> None:
    parking = SeverityClass("parking", rate_per_m=1e-3, median_s=60.0, road_classes=frozenset({"residential"}))
    other = SeverityClass("other", rate_per_m=1e-4, median_s=60.0)
    proc = IncidentProcess(IncidentSpec(classes=(parking, other)), np.random.default_rng(11))
    assert proc.needs_roads
    # 100 km on primary roads: no parking incident, about 10 others
    out = proc.drive(100_000.0, [(("primary",), 1000.0)] * 100)
    assert {i.severity for i in out} == {"other"} and 3 <= len(out) <= 20
    # 100 km on residential streets (an edge of several classes counts if one is listed): about 100 parking ones
    out = proc.drive(100_000.0, [(("residential", "service"), 1000.0)] * 100)
    parked = [i for i in out if i.severity == "parking"]
    assert 70 <= len(parked) <= 130
    with pytest.raises(ValueError, match="edges driven"):
        proc.drive(10.0)


def test_a_line_on_main_roads_meets_no_incident_of_a_residential_class() -> None:
    from sim.network.domain import RoadDomain
    from tests.network.test_domain import triangle

    net = triangle()  # 0 - 1 - 2 primary (1 km edges), shortcut 0 - 2 residential (500 m)
    parking = SeverityClass("parking", rate_per_m=1e-2, median_s=60.0, road_classes=frozenset({"residential"}))
    inc = IncidentSpec(classes=(parking,))
    deps = tuple(7 * 3600.0 + 600 * k for k in range(5))
    for domain, expect_any in ((None, True), (RoadDomain(road_classes=frozenset({"primary"})), False)):
        av = VehicleSpec("av", capacity=10, automation="level4_remote", stop_dwell_s=0.0, incidents=inc, domain=domain)
        line = LineSpec("l", av, stops=(0, 2), departures_s=deps, layover_s=0.0, recovery_share=0.0)
        log = simulate_day(net, [], DaySpec(services=(line,)), seed=np.random.SeedSequence(4)).log
        found = [m for m in log.moves if m.kind == "incident"]
        assert bool(found) is expect_any
        assert all(m.detail == "parking" for m in found)


def test_supervision_capacity_follows_the_shifts() -> None:
    """Operators 1 / 3 / 1 over three periods (1 vehicle each): a vehicle starts only under the
    period's capacity, waiting vehicles start when the next shift comes on, and after a drop the
    vehicles in service finish their trips and no new one starts above the new capacity."""
    from sim.model.remote import Shift

    spec = RemoteOpsSpec(3, 1, gating=True, shifts=(Shift(0.0, 100.0, 1), Shift(100.0, 200.0, 3), Shift(200.0, 400.0, 1)))
    assert [spec.capacity_at(t) for t in (0.0, 99.0, 100.0, 199.0, 200.0, 399.0, 400.0)] == [1, 1, 3, 3, 1, 1, 0]
    assert spec.operator_steps() == [(0.0, 100.0, 1), (100.0, 200.0, 3), (200.0, 400.0, 1)]
    env = simpy.Environment()
    center = RemoteCenter(spec, env, lambda a, b: 0.0)
    in_service: list[tuple[float, int]] = []
    starts: list[tuple[float, int]] = []

    def vehicle(k: int):
        while env.now < 350.0:
            req = yield from center.acquire(k, "s")
            out = center.slots.count - len([b for b in center._blockers if b.triggered])
            starts.append((env.now, out))
            in_service.append((env.now, out))
            yield env.timeout(30.0)
            center.release(req)
            in_service.append((env.now, center.slots.count - len([b for b in center._blockers if b.triggered])))
            yield env.timeout(0.0)

    for k in range(4):
        env.process(vehicle(k))
    env.run(until=400.0)
    for t, n in in_service:
        assert n >= 0
        if t < 100.0:
            assert n <= 1
        elif t < 200.0:
            assert n <= 3
        elif t >= 230.0:  # the 30 s trips under way at 200 are over
            assert n <= 1
    # when the second shift comes on at 100, two more vehicles start at once
    assert sum(1 for t, _ in starts if t == 100.0) >= 2
    assert max(n for t, n in in_service if 100.0 <= t < 200.0) == 3
    # every vehicle starts within its period's capacity (counting itself)
    assert all(n <= spec.capacity_at(t) for t, n in starts) and len(starts) > 10


def test_an_incident_waits_for_the_next_shift() -> None:
    from sim.model.remote import Shift

    spec = RemoteOpsSpec(1, 3, gating=False, shifts=(Shift(0.0, 100.0, 1), Shift(200.0, 300.0, 1)))
    center = RemoteCenter(spec, simpy.Environment(), lambda a, b: 0.0)
    (span,) = center.resolve(150.0, 1, "s", 0, [Incident(60.0, False)])
    assert span[:2] == (150.0, 260.0) and center.incidents[0].wait_s == 50.0
    (span,) = center.resolve(270.0, 2, "s", 0, [Incident(10.0, False)])
    assert span[:2] == (270.0, 280.0)  # the same operator, free again at 260


def test_the_nearest_free_field_team_responds_over_the_network() -> None:
    from sim.model.remote import FieldBase

    net = line_network(6)  # 1,000 m edges at 36 km/h: 100 s each
    drive = net.oracle().time_s
    spec = RemoteOpsSpec(2, 3, gating=False, field_staff=2, field_base=0, field_bases=(FieldBase(0, 1), FieldBase(5, 1)))
    center = RemoteCenter(spec, simpy.Environment(), drive)
    center.resolve(1000.0, 1, "s", 4, [Incident(600.0, True, "field")])
    first = center.field_trips[0]
    assert first.arrive_s - first.leave_s == drive(5, 4) == 100.0  # from base 5, the nearer
    assert first.back_s == first.done_s + drive(4, 5)
    # the team at 5 is busy until 1,800: the team at 0 reaches node 4 first (1,010 + 400 s)
    center.resolve(1010.0, 2, "s", 4, [Incident(600.0, True, "field")])
    second = center.field_trips[1]
    assert second.leave_s == 1010.0 and second.arrive_s - second.leave_s == drive(0, 4) == 400.0
    assert center.incidents[1].field_wait_s == 400.0
    # both busy: the one who can arrive first (team 5, back at 1,800, 100 s away) takes the third
    center.resolve(1500.0, 3, "s", 4, [Incident(60.0, True, "field")])
    third = center.field_trips[2]
    assert (third.leave_s, third.arrive_s) == (1800.0, 1900.0)
