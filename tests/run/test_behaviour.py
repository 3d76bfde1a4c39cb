"""Behavioural demand end to end on the Sodegaura set: accounting, fallbacks, common random
numbers, no public transport, determinism, elasticity and the shipped calibration."""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

import pytest

from sim.run.results import write_results
from sim.run.runner import NetworkCache, RunResult, run_scenario
from sim.scenario.schema import load_scenario
from sim.studies.calibrate import metric_value, read_targets
from tests.conftest import SODEGAURA_SCENARIOS

BASELINE = SODEGAURA_SCENARIOS / "baseline.toml"
LINES = ("nozomino_hiraoka", "nozomino_nagaura", "daijuku")
_CACHE = NetworkCache()


@lru_cache(maxsize=8)
def _run(overrides: tuple[str, ...] = (), seed: int | None = None) -> RunResult:
    sc, base = load_scenario(BASELINE, overrides=list(overrides))
    return run_scenario(sc, base, seed=seed, networks=_CACHE)


def _trips(result: RunResult, tmp: Path) -> list[dict[str, str]]:
    write_results(result, tmp)
    with (tmp / "trips.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _accounted(m: dict) -> None:
    assert sum(m["mode_trips"].values()) == m["trips_total"]
    assert math.isclose(sum(m["mode_share"].values()), 1.0)
    pt = sum(m["mode_trips"].get(k, 0) for k in ("drt", "line", "drt+line"))
    assert pt == sum(m["service_trips"].values())


def test_every_trip_accounted_and_served_riders_match_the_services() -> None:
    m = _run().metrics
    _accounted(m)
    assert m["trips_total"] > 130_000
    # every public-transport trip finally counted was served by the engine, and vice versa
    served = sum(v["requests_served"] for v in m["per_service"].values())
    assert sum(m["service_trips"].values()) == m["requests_served"] <= served
    for name, entry in m[
        "per_service"
    ].items():  # a DRT ride and a line count for both services
        used = sum(t for alt, t in m["service_trips"].items() if name in alt.split("+"))
        assert entry["requests_served"] == used
    assert m["requests_total"] - m["requests_served"] == m["requests_rejected"]
    if m["requests_rejected"] == 0:
        assert m["refused_fallback"] == {}


def test_scalar_metrics_are_the_registered_kpis() -> None:
    from sim import kpis

    m = _run().metrics
    scalars = [
        k
        for k, v in m.items()
        if k not in ("scenario", "seed") and not isinstance(v, (dict, list, str))
    ]
    # model, behavioural demand, staffing, costs, in registry order (no control room, batteries here)
    optional = kpis.OPTIONAL_GROUPS - {kpis.Group.DEMAND}
    assert scalars == [k for k in kpis.names() if kpis.get(k).group not in optional]  # type: ignore[union-attr]


@pytest.mark.slow
def test_fallback_after_refusals_keeps_everyone(tmp_path: Path) -> None:
    res = _run(("services.choisoko.fleet_size=1",))
    m = res.metrics
    _accounted(m)
    assert m["requests_rejected"] > 0
    rows = _trips(res, tmp_path)
    moved = [r for r in rows if r["why"] != "chosen"]
    assert sum(m["refused_fallback"].values()) == len(moved) > 0
    for r in moved:
        assert r["why"] in {
            "fallback_after_refusal",
            "tour_changed_after_outbound_refused",
        }
        assert r["mode"] in {
            "walk",
            "bike",
            "car",
            "lift",
            "taxi",
            "drt",
            "line",
            "drt+line",
        }
        if r["why"] == "fallback_after_refusal":
            assert r["refusals"].split(":")[0] == r["first_choice"]
        if r["leg"] == "return" and r["why"] == "fallback_after_refusal":
            assert r["mode"] != "car"  # the car stayed at home
    # a refused outbound moves the whole tour: its return is never asked of the refusing service
    by_id = {r["trip_id"]: r for r in rows}
    for r in moved:
        if r["leg"] == "out" and r["why"] == "fallback_after_refusal":
            back = by_id[r["trip_id"][:-1] + "r"]
            assert (
                back["mode"] == r["mode"]
                and back["why"] == "tour_changed_after_outbound_refused"
            )


@pytest.mark.slow
def test_service_removed_loses_its_riders_to_other_modes(tmp_path: Path) -> None:
    base = _run()
    gone = _run(("services.daijuku.enabled=false",))
    _accounted(gone.metrics)
    assert base.metrics["trips_total"] == gone.metrics["trips_total"]
    assert base.metrics["service_trips"]["daijuku"] > 0
    assert not any("daijuku" in alt.split("+") for alt in gone.metrics["service_trips"])
    a = _trips(base, tmp_path / "a")
    b = _trips(gone, tmp_path / "b")
    assert [r["trip_id"] for r in a] == [r["trip_id"] for r in b]
    for ra, rb in zip(a, b):
        if "daijuku" not in ra["first_choice"].split(
            "+"
        ):  # common random numbers: other choices unchanged
            assert rb["first_choice"] == ra["first_choice"]
        else:
            assert "daijuku" not in rb["first_choice"].split("+")


def test_no_public_transport_share_zero_and_unmet_demand() -> None:
    m = _run(tuple(f"services.{s}.enabled=false" for s in ("choisoko", *LINES))).metrics
    _accounted(m)
    assert m["requests_total"] == 0
    assert m["mode_trips"] == {
        k: v
        for k, v in m["mode_trips"].items()
        if k in {"walk", "bike", "car", "lift", "taxi"}
    }
    assert m["unmet_demand"]["no_service_at_time"] == 0
    assert m["unmet_demand"]["no_service_in_area"] > 0
    by_town = m["unmet_by_town"]
    assert sum(r.get("no_service_in_area", 0) for r in by_town.values()) == m["unmet_demand"]["no_service_in_area"]
    assert m["pt_trips_by_town"] == {}
    assert m["trips_total"] == _run().metrics["trips_total"]


@pytest.mark.slow
def test_trips_csv_is_deterministic(tmp_path: Path) -> None:
    sc, base = load_scenario(BASELINE)
    one = run_scenario(sc, base, networks=_CACHE)
    two = run_scenario(sc, base, networks=NetworkCache())
    write_results(one, tmp_path / "a")
    write_results(two, tmp_path / "b")
    assert (tmp_path / "a" / "trips.csv").read_bytes() == (
        tmp_path / "b" / "trips.csv"
    ).read_bytes()
    assert (tmp_path / "a" / "metrics.json").read_bytes() == (
        tmp_path / "b" / "metrics.json"
    ).read_bytes()


def test_shipped_calibration_reproduces_its_targets() -> None:
    m = _run().metrics
    for t in read_targets(SODEGAURA_SCENARIOS / "targets.toml"):
        assert abs(metric_value(m, t.metrics) - t.value) <= t.tolerance, t.name


@pytest.mark.slow
def test_halving_a_headway_raises_ridership_within_the_elasticity_band() -> None:
    """MLIT LINKS-Mobilys frequency elasticity 0.3–0.7: halving the headway multiplies riders by
    2**0.3 = 1.23 to 2**0.7 = 1.62 (replications with common random numbers)."""
    before = after = 0
    for seed in (1, 2, 3):
        before += _run(("services.nozomino_nagaura.headway_min=60",), seed).metrics[
            "service_trips"
        ]["nozomino_nagaura"]
        after += _run(("services.nozomino_nagaura.headway_min=30",), seed).metrics[
            "service_trips"
        ]["nozomino_nagaura"]
    assert before > 100
    assert 2**0.3 <= after / before <= 2**0.7
