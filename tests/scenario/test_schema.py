"""Tests for sim.scenario.schema: extends, --set overrides, validation messages and the TOML round trip."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SODEGAURA_SCENARIOS, TINY_TOML
from sim.errors import InputError, ScenarioError
from sim.scenario.schema import (
    AreaConfig,
    DrtService,
    Scenario,
    apply_overrides,
    load_raw,
    load_scenario,
    parse_override,
    to_toml,
    validate,
)

WriteScenario = Callable[..., Path]


def _error(exc_info: pytest.ExceptionInfo[ScenarioError]) -> str:
    return str(exc_info.value)


# --------------------------------------------------------------------------- extends


def test_extends_merges_deep_tables(write_scenario: WriteScenario) -> None:
    write_scenario(
        "parent.toml",
        """\
        name = "parent"
        seed = 3
        [demand]
        requests_per_day = 10
        start = "08:00"
        end = "18:00"
        [walk]
        max_walk_m = 500
        [vehicles.van]
        capacity = 4
        stop_dwell_s = 30
        [services.s]
        vehicle = "van"
        fleet_size = 2
        max_wait_min = 15
        """,
    )
    child = write_scenario(
        "child.toml",
        """\
        extends = "parent.toml"
        name = "child"
        [demand]
        requests_per_day = 12
        [vehicles.van]
        capacity = 6
        [services.s]
        fleet_size = 3
        """,
    )
    sc, base = load_scenario(child)
    assert base == child.parent.resolve()
    assert sc.name == "child"
    assert sc.seed == 3  # top-level key inherited
    # one key of a table overridden, its siblings kept
    assert sc.demand.requests_per_day == 12
    assert (sc.demand.start, sc.demand.end) == ("08:00", "18:00")
    assert sc.walk.max_walk_m == 500.0
    assert sc.vehicles["van"].capacity == 6
    assert sc.vehicles["van"].stop_dwell_s == 30.0
    assert sc.services["s"].fleet_size == 3
    assert sc.services["s"].max_wait_min == 15.0
    assert sc.services["s"].vehicle == "van"
    # the raw merge drops the extends key itself
    assert "extends" not in load_raw(child)


def test_extends_chain_of_three_and_relative_to_each_file(write_scenario: WriteScenario) -> None:
    write_scenario("a/grand.toml", 'name = "grand"\nseed = 5\n[demand]\nrequests_per_day = 1\nstart = "07:00"\n')
    write_scenario("a/b/parent.toml", 'extends = "../grand.toml"\nname = "parent"\n[demand]\nrequests_per_day = 2\n')
    child = write_scenario("a/b/c/child.toml", 'extends = "../parent.toml"\nname = "child"\n')
    raw = load_raw(child)
    assert raw == {"name": "child", "seed": 5, "demand": {"requests_per_day": 2, "start": "07:00"}}


def test_extends_loop_names_the_files(write_scenario: WriteScenario) -> None:
    a = write_scenario("a.toml", 'extends = "b.toml"\nname = "a"\n')
    write_scenario("b.toml", 'extends = "a.toml"\nname = "b"\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(a)
    msg = _error(exc)
    assert "loop" in msg
    assert "a.toml" in msg and "b.toml" in msg


def test_extends_self_loop(write_scenario: WriteScenario) -> None:
    a = write_scenario("self.toml", 'extends = "self.toml"\nname = "a"\n')
    with pytest.raises(ScenarioError, match="self.toml"):
        load_scenario(a)


def test_extends_missing_parent(write_scenario: WriteScenario) -> None:
    child = write_scenario("child.toml", 'extends = "no_such_parent.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(child)
    msg = _error(exc)
    assert "child.toml" in msg
    assert "extends" in msg
    assert "no_such_parent.toml" in msg


def test_extends_not_a_string(write_scenario: WriteScenario) -> None:
    child = write_scenario("child.toml", 'extends = 3\nname = "c"\n')
    with pytest.raises(ScenarioError, match=r"child\.toml.*extends.*3"):
        load_scenario(child)


def test_scenario_errors_are_input_errors() -> None:
    assert issubclass(ScenarioError, InputError)
    assert issubclass(ScenarioError, ValueError)
    assert ScenarioError.exit_code == 2


def test_missing_and_invalid_toml_files(tmp_path: Path, write_scenario: WriteScenario) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.toml.*not found"):
        load_scenario(tmp_path / "nope.toml")
    broken = write_scenario("broken.toml", 'name = "x"\nseed = \n')
    with pytest.raises(ScenarioError, match=r"broken\.toml.*not valid TOML.*line 2"):
        load_scenario(broken)
    with pytest.raises(ScenarioError, match="directory"):
        load_scenario(tmp_path)


def test_sodegaura_baseline_loads() -> None:
    sc, base = load_scenario(SODEGAURA_SCENARIOS / "baseline.toml")
    assert base == SODEGAURA_SCENARIOS.resolve()
    assert sc.name == "baseline"
    assert sc.seed == 12229  # inherited from base.toml
    assert sc.demand.requests_per_day == 120
    assert sc.vehicles["noah"].capacity == 5
    svc = sc.services["choisoko"]
    assert svc.fleet_size == 4
    assert svc.transfer_hub == "yurinosato"
    assert svc.days == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert svc.areas["A"].districts == ["昭和", "長浦", "根形"]
    assert svc.areas["B"].districts == ["平岡", "中川富岡"]


# --------------------------------------------------------------------------- --set


@pytest.mark.parametrize(
    ("text", "path", "value"),
    [
        ("seed=42", ["seed"], 42),
        ("walk.speed_mps=1.25", ["walk", "speed_mps"], 1.25),
        ('name="quoted"', ["name"], "quoted"),
        ("name=bare words", ["name"], "bare words"),
        ("demand.start=09:30", ["demand", "start"], "09:30"),
        ("demand.party_size_weights=[0.5, 0.5]", ["demand", "party_size_weights"], [0.5, 0.5]),
        ('services.s.days=["mon", "tue"]', ["services", "s", "days"], ["mon", "tue"]),
        (" services . s . fleet_size = 6 ", ["services", "s", "fleet_size"], 6),
        ("description=a=b", ["description"], "a=b"),
    ],
)
def test_parse_override_types(text: str, path: list[str], value: object) -> None:
    parts, got = parse_override(text)
    assert parts == path
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize("text", ["seed", "=3", "services..fleet_size=3", ".seed=1"])
def test_parse_override_malformed(text: str) -> None:
    with pytest.raises(ScenarioError, match="--set"):
        parse_override(text)


def test_set_overrides_int_float_string_list(tiny_scenario: Path) -> None:
    sc, _ = load_scenario(
        tiny_scenario,
        overrides=[
            "seed=42",
            "walk.speed_mps=1.25",
            "description=overridden",
            "demand.hourly_profile=[0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,0,0,0,0,0,0,0]",
            'services.s.days=["sat", "sun"]',
        ],
    )
    assert sc.seed == 42
    assert sc.walk.speed_mps == 1.25
    assert sc.description == "overridden"
    assert sc.demand.hourly_profile == [0.0] * 9 + [1.0] * 8 + [0.0] * 7
    assert sc.services["s"].days == ["sat", "sun"]
    # untouched values stay
    assert sc.walk.max_walk_m == 800.0
    assert sc.demand.requests_per_day == 8


def test_set_into_named_table_of_baseline() -> None:
    sc, _ = load_scenario(SODEGAURA_SCENARIOS / "baseline.toml", overrides=["services.choisoko.fleet_size=6"])
    assert sc.services["choisoko"].fleet_size == 6
    assert sc.services["choisoko"].vehicle == "noah"  # siblings kept
    sc2, _ = load_scenario(SODEGAURA_SCENARIOS / "baseline.toml", overrides=["vehicles.noah.capacity=7"])
    assert sc2.vehicles["noah"].capacity == 7
    assert sc2.vehicles["noah"].stop_dwell_s == 60.0


def test_set_a_field_absent_from_the_file(tiny_scenario: Path) -> None:
    # max_wait_min is not written in the tiny file but is a field of the service model
    sc, _ = load_scenario(tiny_scenario, overrides=["services.s.max_wait_min=7.5", "network.source=sodegaura"])
    assert sc.services["s"].max_wait_min == 7.5
    assert sc.network.source == "sodegaura"


def test_set_later_override_wins(tiny_scenario: Path) -> None:
    sc, _ = load_scenario(tiny_scenario, overrides=["seed=1", "seed=2"])
    assert sc.seed == 2


def test_set_unknown_key_lists_valid_keys(tiny_scenario: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tiny_scenario, overrides=["services.s.fleet_sz=3"])
    msg = _error(exc)
    assert "tiny.toml" in msg
    assert "fleet_sz" in msg
    for valid in ("fleet_size", "max_wait_min", "vehicle", "transfer_hub"):
        assert valid in msg


def test_set_unknown_top_level_key(tiny_scenario: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tiny_scenario, overrides=["nope=3"])
    msg = _error(exc)
    assert "'nope'" in msg
    for valid in ("demand", "network", "seed", "services", "vehicles", "walk"):
        assert valid in msg


def test_set_unknown_table_entry(tiny_scenario: Path) -> None:
    # a named table only accepts names it already has (no service created by --set)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tiny_scenario, overrides=["services.other.fleet_size=3"])
    msg = _error(exc)
    assert "'other'" in msg and "valid keys: s" in msg


def test_set_does_not_change_the_input_dict() -> None:
    data = {"name": "x", "walk": {"speed_mps": 1.0}}
    out = apply_overrides(data, ["walk.speed_mps=2"], source="x.toml")
    assert out["walk"]["speed_mps"] == 2
    assert data["walk"]["speed_mps"] == 1.0


def test_set_bad_value_is_a_validation_error(tiny_scenario: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tiny_scenario, overrides=["services.s.fleet_size=-3"])
    msg = _error(exc)
    assert "tiny.toml" in msg and "services.s.fleet_size" in msg and "-3" in msg


def test_set_clock_with_seconds(tiny_scenario: Path) -> None:
    sc, _ = load_scenario(tiny_scenario, overrides=["demand.start=09:30:00"])
    assert sc.demand.start == "09:30:00"


# --------------------------------------------------------------------------- validation messages


def _bad(write_scenario: WriteScenario, extra: str = "", *, replace: tuple[str, str] | None = None) -> str:
    text = TINY_TOML if replace is None else TINY_TOML.replace(*replace)
    assert replace is None or text != TINY_TOML
    path = write_scenario("bad.toml", text, extra=extra)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    msg = str(exc.value)
    assert "bad.toml" in msg
    return msg


def test_negative_fleet_size(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=("fleet_size = 2", "fleet_size = -1"))
    assert "services.s.fleet_size" in msg
    assert "-1" in msg
    assert "greater than or equal to 0" in msg


def test_wrong_type_capacity(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=("capacity = 4", 'capacity = "x"'))
    assert "vehicles.van.capacity" in msg
    assert "'x'" in msg
    assert "integer" in msg


def test_zero_capacity(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=("capacity = 4", "capacity = 0"))
    assert "vehicles.van.capacity" in msg and "(got 0)" in msg


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("speed = 3\n", "services.s.speed"),
        ("[walk]\nsped_mps = 2\n", "walk.sped_mps"),
        ("[services.s.areas.A]\ndistricts = []\ncolour = 'red'\n", "services.s.areas.A.colour"),
        ("[vehicles.bus]\ncapacity = 20\nsitting = 20\n", "vehicles.bus.sitting"),
    ],
)
def test_unknown_key_in_a_table(write_scenario: WriteScenario, extra: str, key: str) -> None:
    msg = _bad(write_scenario, extra)
    assert f"key {key}: unknown key" in msg


def test_unknown_top_level_key(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=('seed = 7\n', 'seed = 7\nspeed = 3\n'))
    assert "key speed: unknown key" in msg and "3" in msg


def test_bad_clock(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=("requests_per_day = 8", 'requests_per_day = 8\nstart = "25:99"'))
    assert "demand.start" in msg
    assert "25:99" in msg


def test_bad_service_clock(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, 'end = "9 pm"\n')
    assert "services.s.end" in msg and "9 pm" in msg


def test_end_before_start(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, 'start = "12:00"\nend = "10:00"\n')
    assert "services.s" in msg
    assert "'10:00'" in msg and "'12:00'" in msg
    assert "after" in msg


def test_demand_end_before_start(write_scenario: WriteScenario) -> None:
    msg = _bad(
        write_scenario, replace=("requests_per_day = 8", 'requests_per_day = 8\nstart = "17:00"\nend = "17:00"')
    )
    assert "key demand" in msg and "'17:00'" in msg


def test_unknown_vehicle_reference(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=('vehicle = "van"', 'vehicle = "bus"'))
    assert "services.s.vehicle" in msg
    assert "'bus'" in msg
    assert "van" in msg  # the defined types are listed


def test_several_areas_need_a_hub(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, "[services.s.areas.A]\ndistricts = ['長浦']\n[services.s.areas.B]\ndistricts = ['平岡']\n")
    assert "transfer_hub" in msg


def test_area_fleets_must_sum(write_scenario: WriteScenario) -> None:
    msg = _bad(
        write_scenario,
        "transfer_hub = 'yurinosato'\n"
        "[services.s.areas.A]\nfleet_size = 1\n[services.s.areas.B]\nfleet_size = 3\n",
    )
    assert "[1, 3]" in msg and "fleet_size 2" in msg


def test_bad_weekday_and_mode(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, 'days = ["mon", "funday"]\nmode = "teleport"\n')
    assert "services.s.days.1" in msg and "funday" in msg
    assert "services.s.mode" in msg and "teleport" in msg


def test_missing_name(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=('name = "tiny"\n', ""))
    assert "key name: Field required" in msg


def test_hourly_profile_length(write_scenario: WriteScenario) -> None:
    msg = _bad(write_scenario, replace=("requests_per_day = 8", "requests_per_day = 8\nhourly_profile = [1, 2]"))
    assert "demand.hourly_profile" in msg and "24" in msg


# --------------------------------------------------------------------------- to_toml round trip


def _round_trip(sc: Scenario) -> Scenario:
    return validate(tomllib.loads(to_toml(sc)), source="round-trip")


def test_to_toml_round_trip_baseline() -> None:
    sc, _ = load_scenario(SODEGAURA_SCENARIOS / "baseline.toml")
    text = to_toml(sc)
    assert "チョイソコがうら" in text  # Japanese kept as text, not escaped
    assert "[services.choisoko.areas.A]" in text
    again = _round_trip(sc)
    assert again == sc
    assert again.services["choisoko"].areas["B"].districts == ["平岡", "中川富岡"]


def test_to_toml_round_trip_tricky_values() -> None:
    sc = Scenario(
        name="試験 \"quoted\" [bold] name",
        description="line one\nline two\ttabbed — 袖ケ浦市 back\\slash",
        seed=0,
        vehicles={"ミニバン": {"capacity": 3, "speed_cap_kmh": 19.5, "automation": "level4_remote"}},
        services={
            "north side": DrtService(
                vehicle="ミニバン",
                fleet_size=3,
                transfer_hub="JAきみつ ゆりの里",
                depot="city_hall",
                areas={
                    "北部": AreaConfig(districts=["長浦", "根形"], fleet_size=2, depot="JR長浦駅"),
                    "a.b": AreaConfig(districts=[], fleet_size=1),
                },
                fare_within_area_yen=300,
            )
        },
        demand={
            "hourly_profile": [0.0] * 9 + [1e-05] + [2.5] * 14,
            "attractor_weights": {"city_hall": 2.0, "JR長浦駅": 0.5},
            "csv": "data/日本語 demand.csv",
        },
    )
    again = _round_trip(sc)
    assert again == sc
    assert again.services["north side"].areas["a.b"].fleet_size == 1
    assert again.demand.attractor_weights == {"city_hall": 2.0, "JR長浦駅": 0.5}


def test_to_toml_round_trip_defaults_only() -> None:
    sc = Scenario(name="x")
    assert _round_trip(sc) == sc


def test_to_toml_is_a_resolved_scenario(write_scenario: WriteScenario) -> None:
    # the dump has no extends, and every default is written out
    write_scenario("parent.toml", TINY_TOML)
    child = write_scenario("child.toml", 'extends = "parent.toml"\nname = "child"\n')
    sc, _ = load_scenario(child, overrides=["services.s.fleet_size=5"])
    data = tomllib.loads(to_toml(sc))
    assert "extends" not in data
    assert data["name"] == "child"
    assert data["services"]["s"]["fleet_size"] == 5
    assert data["services"]["s"]["max_wait_min"] == 20.0
    assert data["walk"] == {"speed_mps": 1.0, "detour_factor": 1.3, "max_walk_m": 800.0}


@pytest.mark.parametrize("text", ["carriage\rreturn", "bell\x07", "delete\x7f"])
def test_to_toml_round_trip_control_characters(text: str) -> None:
    sc = Scenario(name="x", description=text)
    assert _round_trip(sc) == sc
