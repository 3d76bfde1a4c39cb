"""Batteries end to end: range and spare keys, validation of a range too short for a trip, and the
spares in the vehicle cost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import REPO, assert_clean_error

AV_SHUTTLE = REPO / "scenarios" / "sodegaura" / "av_shuttle.toml"
RANGE = ["--set", "vehicles.arma.range_km=60", "--set", "vehicles.arma.full_charge_h=6"]


def test_a_range_shorter_than_a_trip_fails_validation_naming_the_key(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_SHUTTLE, "--set", "vehicles.arma.range_km=3")
    assert_clean_error(result, 2, "vehicles.arma.range_km", "corridor_shuttle", "km")


@pytest.mark.slow
def test_spares_are_bought_and_take_over_from_charging_vehicles(cli: Callable[..., Result], tmp_path: Path) -> None:
    runs = {}
    for spares in (0, 1):
        out = tmp_path / f"s{spares}"
        result = cli("run", AV_SHUTTLE, "--seed", "7", "--no-report", "--out", out, *RANGE,
                     "--set", f"services.corridor_shuttle.spare_vehicles={spares}")
        assert result.exit_code == 0, result.output
        runs[spares] = (json.loads((out / "metrics.json").read_text(encoding="utf-8")),
                        json.loads((out / "costs.json").read_text(encoding="utf-8")))
    (m0, c0), (m1, c1) = runs[0], runs[1]
    assert m0["spare_vehicles"] == 0 and m1["spare_vehicles"] == 1 and m1["spare_vehicles_used"] == 1
    assert m0["min_charge_km"] >= -1e-9 and m1["min_charge_km"] >= -1e-9
    assert m1["battery_swaps"] > 0 and m0["charging_h"] > 0
    # the spare costs one more ARMA a year
    def arma(c: dict) -> float:
        return next(i["yen_per_year"] for i in c["items"] if i["term"] == "vehicles:arma")
    assert arma(c1) > arma(c0)


@pytest.mark.slow  # the behaviour is tested on hand-checkable cases in tests/model/
def test_charging_points_at_layovers_cut_the_depot_charging(cli: Callable[..., Result], tmp_path: Path) -> None:
    runs = {}
    for label, extra in (("depot", []), ("layover", ["--set", 'services.corridor_shuttle.charging_points=["sodegaura_sta"]'])):
        out = tmp_path / label
        result = cli("run", AV_SHUTTLE, "--seed", "7", "--no-report", "--out", out, *RANGE, *extra)
        assert result.exit_code == 0, result.output
        runs[label] = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    depot, layover = runs["depot"], runs["layover"]
    assert "layover_charging_h" not in depot and layover["layover_charging_h"] > 0
    assert layover["charging_h"] < depot["charging_h"] and layover["min_charge_km"] >= -1e-9
    assert layover["service_availability"] >= depot["service_availability"]


def test_a_charging_point_that_is_not_a_stop_fails_validation(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_SHUTTLE, "--set", 'services.corridor_shuttle.charging_points=["aeon_nagaura"]')
    assert_clean_error(result, 2, "services.corridor_shuttle.charging_points[0]", "aeon_nagaura", "not a stop")
