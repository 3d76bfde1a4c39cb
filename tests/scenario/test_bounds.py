"""Every numeric scenario key has finite documented bounds (sim/scenario/bounds.py) and strict types."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.errors import ScenarioError
from sim.scenario.bounds import all_bounds, bounds_at, markdown_table
from sim.scenario.schema import Scenario, load_scenario, validate
from tests.conftest import REPO, TINY_TOML

BOUNDS = all_bounds(Scenario)


def test_every_numeric_key_is_bounded_on_both_sides() -> None:
    assert len(BOUNDS) > 80
    for b in BOUNDS:
        assert b.low is not None and b.high is not None, b.key
        assert math.isfinite(b.low) and math.isfinite(b.high) and b.low < b.high, b.key


def test_sizes_are_generous_and_durations_physical() -> None:
    by_key = {b.key: b for b in BOUNDS}
    assert by_key["services.<name>.fleet_size"].high >= 10_000  # fleets of thousands
    assert by_key["demand.requests_per_day"].high >= 1_000_000  # millions of requests
    assert by_key["services.<name>.headway_min"].low == 1.0  # a headway of at least a minute
    assert by_key["vehicles.<name>.stop_dwell_s"].high == 3600.0 and by_key["vehicles.<name>.stop_dwell_s"].high_open
    assert by_key["vehicles.<name>.lifetime_years"].low == 1.0


def test_readme_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert markdown_table(Scenario) in readme, "regenerate with: python -m sim.scenario.schema"


def test_bounds_at_an_error_location() -> None:
    b = bounds_at(Scenario, ("services", "choisoko", "drt", "fleet_size"))
    assert b is not None and (b.low, b.high) == (0, 20_000)
    assert bounds_at(Scenario, ("costs", "wage_yen_per_year", "driver")) is not None
    assert bounds_at(Scenario, ("name",)) is None


def _raw() -> dict:  # type: ignore[type-arg]
    import tomllib

    return tomllib.loads(TINY_TOML)


_LINE_KEYS = {"headway_min", "layover_min", "recovery_share", "fare_yen"}


@pytest.mark.parametrize("b", BOUNDS, ids=lambda b: b.key)
def test_each_bound_is_enforced_just_outside(b) -> None:  # type: ignore[no-untyped-def]
    """A value above the upper bound is refused with the key in the message."""
    raw = _raw()
    key = (
        b.key.replace("vehicles.<name>", "vehicles.van")
        .replace("services.<name>.areas.<name>", "services.s.areas.a")
        .replace("services.<name>", "services.s")
    )
    parts = key.split(".")
    if parts[0] == "services" and parts[-1] in _LINE_KEYS:
        raw["services"]["s"] = {"kind": "line", "vehicle": "van", "stops": ["a", "b"], "headway_min": 30}
    node = raw
    for p in parts[:-1]:
        node = node.setdefault(p[:-2], [{}])[0] if p.endswith("[]") else node.setdefault(p, {})  # an array of tables
    key = key.replace("[]", ".0")  # pydantic names the first entry
    too_big = b.high + 1 if "integer" in b.kind else b.high * 1.5 + 1
    value = int(too_big) if "integer" in b.kind else float(too_big)
    if b.kind.startswith("list"):
        node[parts[-1]] = [value] * 24
    elif b.kind.startswith("table"):
        node[parts[-1]] = {"hospital": value}
    else:
        node[parts[-1]] = value
    with pytest.raises(ScenarioError) as info:
        validate(raw, source="t.toml")
    assert key in str(info.value) and "t.toml" in str(info.value)


def test_shipped_scenarios_are_within_bounds() -> None:
    from sim.scenario.schema import load_raw

    checked = 0
    for path in sorted((REPO / "scenarios").rglob("*.toml")):
        if "name" in load_raw(path):  # fragments (calibration constants, targets) are not scenarios
            load_scenario(path)
            checked += 1
    assert checked >= 5


def test_extends_chain_of_32_is_fine_and_33_refused(tmp_path: Path) -> None:
    (tmp_path / "s0.toml").write_text(TINY_TOML, encoding="utf-8")
    for k in range(1, 34):
        (tmp_path / f"s{k}.toml").write_text(f'extends = "s{k - 1}.toml"\n', encoding="utf-8")
    load_scenario(tmp_path / "s32.toml")
    with pytest.raises(ScenarioError, match="longer than 32"):
        load_scenario(tmp_path / "s33.toml")
