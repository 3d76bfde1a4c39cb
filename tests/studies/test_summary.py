"""Summaries of a study (sim.studies.summary): hand-computed intervals, clipping to KPI bounds, tables, KPI names."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.studies.plan import Point, Study
from sim.studies.store import RunRecord
from sim.studies.summary import check_kpi_names, check_kpis, default_kpis, known_kpis, summarise, summary_table

T_975 = {1: 12.706204736174698, 2: 4.302652729749464, 3: 3.182446305284263}  # Student t quantiles (tables)


def _pt(index: int, k: int) -> Point:
    return Point(index, {"k": k}, {"k": k}, None, Path("x.toml"), Path("."))


def _rec(rid: str, r: int, **metrics: float | None) -> RunRecord:
    return RunRecord(rid, r, 100 + r, {}, dict(metrics))


def test_summary_intervals_match_hand_computed_values() -> None:
    pts = [_pt(0, 1), _pt(1, 2)]
    records = {
        # point 0: x = 1, 2, 3, 4 -> mean 2.5, s^2 = 5/3, half = t(3) * sqrt(5/3) / 2
        (0, 0): _rec("a", 0, x=1.0, y=10.0),
        (0, 1): _rec("b", 1, x=2.0, y=10.0),
        (0, 2): _rec("c", 2, x=3.0, y=10.0),
        (0, 3): _rec("d", 3, x=4.0, y=None),
        # point 1: x = 0, 2 -> mean 1, s = sqrt 2, half = t(1) * sqrt(2) / sqrt(2) = t(1)
        (1, 0): _rec("e", 0, x=0.0, y=None),
        (1, 1): _rec("f", 1, x=2.0, y=None),
    }
    s0, s1 = summarise(pts, records, ["x", "y"])
    assert s0.n == 4 and s1.n == 2
    half0 = T_975[3] * math.sqrt(5 / 3) / 2
    assert s0.estimates["x"].mean == 2.5
    assert s0.estimates["x"].low == pytest.approx(2.5 - half0, rel=1e-12, abs=0)
    assert s0.estimates["x"].high == pytest.approx(2.5 + half0, rel=1e-12, abs=0)
    # y: three equal values (None skipped) -> no spread, the interval collapses on the mean
    assert (s0.estimates["y"].n, s0.estimates["y"].mean, s0.estimates["y"].low, s0.estimates["y"].high) == (3, 10.0, 10.0, 10.0)
    assert s1.estimates["x"].mean == 1.0
    assert s1.estimates["x"].low == pytest.approx(1.0 - T_975[1], rel=1e-12)
    assert s1.estimates["x"].high == pytest.approx(1.0 + T_975[1], rel=1e-12)
    assert s1.estimates["y"].n == 0 and math.isnan(s1.estimates["y"].mean)


def test_summary_table_columns_and_cells() -> None:
    pts = (_pt(0, 1),)
    study = Study(Path("x.toml"), ("k",), pts, 1, (5, 6, 7))
    records = {(0, r): _rec(str(r), r, x=float(v), y=None) for r, v in enumerate((2.0, 4.0, 6.0))}
    summaries = summarise(pts, records, ["x", "y"])
    header, rows = summary_table(study, summaries, ["x", "y"])
    assert header == ["point", "k", "n", "x_mean", "x_ci95_low", "x_ci95_high", "y_mean", "y_ci95_low", "y_ci95_high"]
    # x = 2, 4, 6: mean 4, s = 2, half = t(2) * 2 / sqrt(3)
    half = T_975[2] * 2 / math.sqrt(3)
    row = rows[0]
    assert row[:4] == [0, "1", 3, "4.0"]
    assert float(row[4]) == pytest.approx(4 - half, rel=1e-12) and float(row[5]) == pytest.approx(4 + half, rel=1e-12)
    assert row[6:] == ["", "", ""]  # no value -> empty cells




def test_intervals_are_clipped_to_each_kpis_physical_bounds() -> None:
    pts = [_pt(0, 1)]
    # a rate of 0, 0, 0.3: mean 0.1, the Student-t interval reaches far below 0 and is cut at 0;
    # a count of 0, 0, 1 likewise; a subsidy may be negative (fares above cost): not clipped
    records = {
        (0, r): _rec(str(r), r, rejection_rate=v, requests_rejected=c, subsidy_yen_per_year=y, x=-v)
        for r, (v, c, y) in enumerate(((0.0, 0, -5.0), (0.0, 0, 0.0), (0.3, 1, 5.0)))
    }
    (s,) = summarise(pts, records, ["rejection_rate", "requests_rejected", "subsidy_yen_per_year", "x"])
    half = T_975[2] * math.sqrt(0.03) / math.sqrt(3)  # s^2 = ((0.1)^2 * 2 + 0.2^2) / 2 = 0.03
    rate = s.estimates["rejection_rate"]
    assert rate.mean == pytest.approx(0.1) and rate.low == 0.0 and rate.high == pytest.approx(0.1 + half, rel=1e-12)
    assert s.estimates["requests_rejected"].low == 0.0 and s.estimates["requests_rejected"].high > 1.0
    assert s.estimates["subsidy_yen_per_year"].low < -5.0  # no lower bound: the raw Student-t interval
    assert s.estimates["x"].high > 0.0  # not in the registry: not clipped
    # a rate near 1 is cut at 1
    high = {(0, r): _rec(str(r), r, rejection_rate=v) for r, v in enumerate((1.0, 1.0, 0.7))}
    assert summarise(pts, high, ["rejection_rate"])[0].estimates["rejection_rate"].high == 1.0


def test_kpi_names_come_from_the_registry() -> None:
    from sim import kpis

    names = known_kpis()
    assert names == list(kpis.names()) and "wait_p90_s" in names and "annual_cost_yen" in names
    assert "s.drivers_fte" in known_kpis(["s"]) and "s.annual_cost_yen" not in known_kpis(["s"])
    assert check_kpi_names(["wait_p90_s", "s.wait_p90_s"], services=["s"], option="--plot") == ["wait_p90_s", "s.wait_p90_s"]
    with pytest.raises(InputError, match="needs the service named with --service s"):
        check_kpi_names(["s.wait_p90_s"], option="--plot")
    with pytest.raises(InputError, match="--kpi 'nope': not a known KPI; valid: requests_total"):
        check_kpi_names(["nope"], option="--kpi")
    with pytest.raises(InputError, match="not a KPI of these runs"):
        check_kpis(["vehicle_km"], ["wait_p90_s"], option="--plot")
    assert default_kpis(["vehicle_km", "drivers_fte", "wait_p90_s"]) == ["wait_p90_s", "drivers_fte"]
    assert default_kpis(["vehicle_km"]) == ["vehicle_km"]
