"""Tests for grid parsing (sim.studies.grid) and for grid points checked against the scenario schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import Result

from tests.conftest import assert_clean_error
from sim.errors import InputError, ScenarioError
from sim.studies.grid import (
    MAX_AXIS_VALUES,
    Axis,
    format_value,
    grid_points,
    parse_axes,
    parse_values,
    parse_vary,
    point_overrides,
    toml_literal,
)
from sim.scenario.schema import parse_override
from sim.studies.sweep import plan_sweep

Cli = Callable[..., Result]

# --------------------------------------------------------------------------- lists


def test_list_of_integers_keeps_order() -> None:
    axis = parse_vary("services.s.fleet_size=3,1,2")
    assert axis == Axis("services.s.fleet_size", (3, 1, 2), "services.s.fleet_size=3,1,2")


def test_list_values_are_read_as_toml_like_set() -> None:
    assert parse_values("k", "1, 1.5, true, abc, \"x,y\", [1, 2], 09:30") == [1, 1.5, True, "abc", "x,y", [1, 2], "09:30"]


def test_single_value() -> None:
    assert parse_vary("demand.requests_per_day=40").values == (40,)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("k=1,,2", "empty value"),
        ("k=1,", "empty value"),
        ("k=", "no values"),
        ("k=1,2,1", "listed twice"),
        ("k1,2", "expected KEY=v1,v2"),
        ("=1,2", "not a dotted path"),
        ("a..b=1", "not a dotted path"),
        ("seed=1,2", "seed cannot be varied"),
    ],
)
def test_bad_lists_and_keys(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as err:
        parse_vary(text)
    assert text in str(err.value)


# --------------------------------------------------------------------------- ranges


def test_integer_range_is_inclusive() -> None:
    assert parse_vary("k=2..6").values == (2, 3, 4, 5, 6)
    assert parse_vary("k=2..12:5").values == (2, 7, 12)
    assert parse_vary("k=2..11:5").values == (2, 7)
    assert parse_vary("k=-2..2:2").values == (-2, 0, 2)
    assert parse_vary("k=4..4").values == (4,)
    assert all(isinstance(v, int) for v in parse_vary("k=2..6").values)


def test_float_range_is_exact_in_decimal() -> None:
    assert parse_vary("k=0.1..0.3:0.1").values == (0.1, 0.2, 0.3)  # not 0.30000000000000004
    assert parse_vary("k=0.5..2:0.5").values == (0.5, 1.0, 1.5, 2.0)
    assert parse_vary("k=1..2:0.25").values == (1.0, 1.25, 1.5, 1.75, 2.0)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("k=5..2", "LO <= HI"),
        ("k=1..5:0", "step must be positive"),
        ("k=1..5:-1", "step must be positive"),
        ("k=0.5..2", "needs a step"),
        ("k=1..x", "is not a range"),
        ("k=1...3", "is not a range"),
        ("k=1..3:", "is not a range"),
        (f"k=0..{MAX_AXIS_VALUES}", "expands to"),
    ],
)
def test_bad_ranges(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_vary(text)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("k=1..1e999999999:1", "Overflow"),  # decimal overflow while counting the values
        ("k=1e-999999999..1:1e-999999999", "Overflow"),
        ("k=-1e999999999..1e999999999:1e999999999", "Overflow"),
        ("k=0..1e400:1e399", "too large for a number"),  # 11 values, but beyond float range
        ("k=1..1e5:1", "more than 10,000 values"),
    ],
)
def test_huge_ranges_are_input_errors_naming_the_value(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as info:
        parse_vary(text)
    assert text in str(info.value)


def test_quoted_text_with_dots_is_not_a_range() -> None:
    assert parse_vary('k="a..b","c"').values == ("a..b", "c")


# --------------------------------------------------------------------------- grids


def test_grid_is_the_full_product_first_axis_slowest() -> None:
    axes = parse_axes(["a=1,2", "b=x,y,z"])
    pts = grid_points(axes)
    assert len(pts) == 6
    assert pts[0] == {"a": 1, "b": "x"} and pts[1] == {"a": 1, "b": "y"} and pts[3] == {"a": 2, "b": "x"}
    assert grid_points([]) == [{}]


def test_a_key_may_be_varied_once() -> None:
    with pytest.raises(InputError, match="varied twice"):
        parse_axes(["a=1,2", "a=3"])


values_strategy = st.recursive(
    st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)


@settings(deadline=None)  # a shared 2-core machine: no per-example time limit
@given(values_strategy)
def test_toml_literal_round_trips_through_set(value: object) -> None:
    assert parse_override(f"k={toml_literal(value)}")[1] == value


def test_point_overrides_and_labels() -> None:
    assert point_overrides({"a.b": 3, "c": "09:30", "d": 0.1}) == ["a.b=3", 'c="09:30"', "d=0.1"]
    assert [format_value(v) for v in (3, 0.5, "09:30", True, [1, 2], None)] == ["3", "0.5", "09:30", "true", "[1, 2]", ""]


# --------------------------------------------------------------------------- against the scenario schema


def test_unknown_key_gives_the_scenario_error(tiny_scenario: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        plan_sweep(tiny_scenario, parse_axes(["services.s.fleet_sise=1,2"]), replications=1)
    msg = str(err.value)
    assert "unknown key 'fleet_sise'" in msg and "fleet_size" in msg  # lists the valid keys
    assert "--vary" in msg and str(tiny_scenario) in msg


def test_bad_value_names_key_value_and_point(tiny_scenario: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        plan_sweep(tiny_scenario, parse_axes(["services.s.fleet_size=2,-1"]), replications=1)
    msg = str(err.value)
    assert "services.s.fleet_size" in msg and "-1" in msg and "at point services.s.fleet_size=-1" in msg


def test_wrong_type_value(tiny_scenario: Path) -> None:
    with pytest.raises(ScenarioError, match="fleet_size"):
        plan_sweep(tiny_scenario, parse_axes(["services.s.fleet_size=two"]), replications=1)


def test_every_point_is_checked_before_running(tiny_scenario: Path, tmp_path: Path) -> None:
    from sim.studies.sweep import sweep

    out = tmp_path / "never"
    with pytest.raises(ScenarioError):
        sweep(tiny_scenario, parse_axes(["services.s.fleet_size=1,2,-3"]), out, replications=1)
    assert not out.exists()  # nothing ran, nothing was written


@pytest.mark.parametrize(
    ("vary", "needles"),
    [
        ("services.s.nope=1,2", ("unknown key 'nope'", "valid keys")),
        ("services.s.fleet_size=1..x", ("is not a range",)),
        ("services.s.fleet_size=3..1", ("LO <= HI",)),
        ("services.s.fleet_size=1,,2", ("empty value",)),
        ("services.s.fleet_size=1,-2", ("fleet_size", "-2")),
    ],
)
def test_cli_grid_errors_are_clean(cli: Cli, tiny_scenario: Path, tmp_path: Path, vary: str, needles: tuple[str, ...]) -> None:
    result = cli("sweep", tiny_scenario, "--vary", vary, "--replications", 1, "--out", tmp_path / "o")
    assert_clean_error(result, 2, *needles)


def test_cli_huge_range_is_a_clean_error(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    vary = "services.s.fleet_size=1..1e999999999:1"
    assert_clean_error(cli("sweep", tiny_scenario, "--vary", vary, "-r", 1, "--out", tmp_path / "o"), 2, vary, "Overflow")
    assert not (tmp_path / "o").exists()


def test_cli_sweep_needs_a_vary(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    assert_clean_error(cli("sweep", tiny_scenario, "--out", tmp_path / "o"), 2, "--vary")
