"""Population coverage on a constructed network where the covered population is known exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.coverage import CoverageZone, compute_coverage
from sim.model.drt.layout import AreaLayout, DrtLayout
from sim.model.lines.timetable import LineLayout, LineTrip
from tests.helpers import line_network

H = 3600.0


def _line(stops: tuple[int, ...], departures_s: tuple[float, ...]) -> LineLayout:
    trips = tuple(LineTrip(k, 0, stops, (t,), (t,), 0) for k, t in enumerate(departures_s))
    return LineLayout("l", stops, tuple(str(s) for s in stops), (stops,), trips, ((0,),), stops[0], (0.0,), 0.0, None, 0.0)


def _drt(n: int, members: list[int], start_s: float, end_s: float) -> DrtLayout:
    mask = np.zeros(n, dtype=bool)
    mask[members] = True
    area = AreaLayout("A", mask, np.array(members), members[0], 1)
    return DrtLayout("d", (area,), None, start_s, end_s, False)


def test_coverage_by_hand() -> None:
    net = line_network(6, spacing_m=200.0)  # nodes 0..5, 200 m apart along one road
    zones = [
        CoverageZone("z0", "", 35.4, 140.0, 0, 0.0, 100, 10),  # at the line's stop
        CoverageZone("z1", "", 35.4, 140.0, 1, 50.0, 200, 20),  # 50 m to node 1 + 200 m = 250 m
        CoverageZone("z2", "", 35.4, 140.0, 2, 0.0, 300, 30),  # 400 m: within 500 m only
        CoverageZone("z3", "", 35.4, 140.0, 3, 0.0, 400, 140),  # 600 m from the stop: not covered (400 m from a DRT stop, outside its area)
        CoverageZone("z5", "", 35.4, 140.0, 5, 0.0, 1000, 100),  # inside the DRT area
    ]
    line = _line((0,), (9 * H + 600, 10 * H + 600))  # runs in the hours 9 and 10
    drt = _drt(6, [5], 12 * H, 13.5 * H)  # runs in the hours 12 and 13
    cov = compute_coverage(zones, net.lengths_matrix(), [line, drt], window_s=(9 * H, 14 * H))
    assert cov.hours == (9, 10, 11, 12, 13)
    # 300 m: z0, z1 for 2 of 5 hours, z5 for 2 of 5 hours -> (100*2 + 200*2 + 1000*2) / (2000*5)
    assert cov.population_coverage_share_300m == pytest.approx(0.26)
    assert cov.population_coverage_share_500m == pytest.approx(0.32)  # + z2 for 2 hours
    assert cov.population_without_service == pytest.approx(400)  # z3 never
    assert cov.coverage_65plus_share_500m == pytest.approx((10 + 20 + 30 + 100) * 2 / (300 * 5))
    assert cov.share_500m_by_hour == pytest.approx((0.3, 0.3, 0.0, 0.5, 0.5))
    walk = {t.name: t.walk_to_stop_m for t in cov.towns}
    assert walk["z0"] == 0.0 and walk["z1"] == pytest.approx(250.0) and walk["z2"] == pytest.approx(400.0)
    assert walk["z3"] == pytest.approx(400.0)  # the DRT stop is nearer than the line's
    assert [t.in_drt_area for t in cov.towns] == [False, False, False, False, True]
    assert {t.name: t.share_of_hours_500m for t in cov.towns}["z2"] == pytest.approx(0.4)
    assert cov.kpis()["population_without_service"] == 400.0


def test_no_service_in_the_window_covers_nobody() -> None:
    net = line_network(3, spacing_m=100.0)
    zones = [CoverageZone("z", "", 35.4, 140.0, 1, 0.0, 50, 5)]
    cov = compute_coverage(zones, net.lengths_matrix(), [_line((0,), (7 * H,))], window_s=(9 * H, 17 * H))
    assert cov.population_coverage_share_500m == 0.0 and cov.population_without_service == 50
    assert math.isclose(cov.towns[0].walk_to_stop_m, 100.0)


def test_sodegaura_run_writes_coverage(tiny_run) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import read_csv, read_json

    m = read_json(tiny_run / "metrics.json")
    rows = read_csv(tiny_run / "coverage.csv")
    assert len(rows) == 72
    pop = sum(float(r["population"]) for r in rows)
    assert pop == pytest.approx(65000, rel=1e-4)
    covered = sum(float(r["population"]) * float(r["share_of_hours_500m"]) for r in rows) / pop
    assert m["population_coverage_share_500m"] == pytest.approx(covered, abs=1e-4)
    never = sum(float(r["population"]) for r in rows if float(r["share_of_hours_500m"]) == 0.0)
    assert m["population_without_service"] == pytest.approx(never, abs=0.01 * len(rows))
    assert 0.0 <= m["population_coverage_share_300m"] <= m["population_coverage_share_500m"] <= 1.0
