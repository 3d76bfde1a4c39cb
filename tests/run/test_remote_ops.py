"""The scenario keys of autonomous operations end to end: ``[remote_ops]``, ``incident_classes``,
their validation (exit 2 naming the key) and the control room's metrics and staffing."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import REPO, assert_clean_error

AV_DRT = REPO / "scenarios" / "sodegaura" / "av_drt.toml"
AV_DRT_OPS = REPO / "scenarios" / "sodegaura" / "av_drt_ops.toml"


@pytest.mark.slow
def test_a_run_with_a_control_room_reports_its_queue(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "av"
    # ten times the file's rates so that the day has enough incidents to queue
    rates = ["--set", "vehicles.av_van.incident_classes.takeover.per_1000_km=90",
             "--set", "vehicles.av_van.incident_classes.field.per_1000_km=10", "--set", "remote_ops.operators=3"]
    result = cli("run", AV_DRT_OPS, "--seed", "7", "--no-report", "--out", out, *rates)
    assert result.exit_code == 0, result.output
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert m["remote_operators"] == 3 and m["field_staff"] == 1
    assert m["incidents"] > 0 and 0 <= m["incidents_field"] <= m["incidents"]
    assert m["incident_wait_p95_s"] >= 0 and m["incident_wait_mean_s"] >= 0
    assert 0 < m["operator_utilisation"] < 1
    # 4 vehicles, 3 operators x 3 = 9 slots: nobody held
    assert m["vehicles_held"] == 0 and m["vehicle_hold_s"] == 0
    with (out / "vehicle_moves.csv").open(encoding="utf-8") as fh:
        details = {r["detail"] for r in csv.DictReader(fh) if r["kind"] == "incident"}
    assert details and details <= {"takeover", "field"}
    # staffing follows the control room: 3 operators on duty while the vehicles are out (the ratio
    # rule would give ceil(4 / 3) = 2), and 1 field responder
    with (out / "duties.csv").open(encoding="utf-8") as fh:
        duties = list(csv.DictReader(fh))
    remote = [r for r in duties if r["role"] == "remote_operator"]
    assert len(remote) == 3 and len({r["binding_h"] for r in remote}) == 1
    assert len([r for r in duties if r["role"] == "field_staff"]) == 1


def test_field_staff_without_a_base_fail_validation_naming_the_key(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_DRT, "--set", "remote_ops.operators=1", "--set", "remote_ops.field_staff=2")
    assert_clean_error(result, 2, "remote_ops.field_base", "field_staff = 2")


def test_zero_operators_fail_validation(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_DRT, "--set", "remote_ops.operators=0")
    assert_clean_error(result, 2, "remote_ops.operators")


def test_classes_and_a_single_rate_together_fail_validation(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_DRT_OPS, "--set", "vehicles.av_van.incidents_per_1000_km=5")
    assert_clean_error(result, 2, "incident_classes", "incidents_per_1000_km")


def test_a_rate_beyond_the_sourced_span_fails_validation(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_DRT_OPS, "--set", "vehicles.av_van.incident_classes.takeover.per_1000_km=5000")
    assert_clean_error(result, 2, "per_1000_km")


@pytest.mark.slow
def test_the_control_room_kpis_are_registered_in_metrics_order(cli: Callable[..., Result], tmp_path: Path) -> None:
    from sim import kpis
    from sim.kpis import Group

    out = tmp_path / "ops"
    assert cli("run", AV_DRT_OPS, "--seed", "12229", "--no-report", "--out", out).exit_code == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    scalars = [k for k, v in metrics.items() if k not in ("scenario", "seed") and not isinstance(v, (dict, list, str))]
    # every registered KPI, the control room's and availability included, in order (no batteries here)
    assert scalars == [k for k in kpis.names() if kpis.get(k).group is not Group.ENERGY]  # type: ignore[union-attr]
    assert metrics["service_availability"] == pytest.approx(
        1 - metrics["availability_lost_incidents_h"] / metrics["availability"]["planned_vehicle_h"]
    )
    assert [k for k in scalars if kpis.get(k).group is Group.REMOTE][:4] == [  # type: ignore[union-attr]
        "incidents", "incidents_field", "incident_wait_mean_s", "incident_wait_p95_s",
    ]


SHIFTS = 'remote_ops.shifts=[{start="07:00",end="12:00",operators=1},{start="12:00",end="20:00",operators=2}]'
BASES = 'remote_ops.field_bases=[{place="yurinosato",staff=1},{place="city_hall",staff=2}]'


@pytest.mark.slow  # the behaviour is tested on hand-checkable cases in tests/model/
def test_a_run_with_shifts_and_two_field_bases(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "shifts"
    result = cli("run", AV_DRT_OPS, "--seed", "7", "--no-report", "--out", out, "--set", SHIFTS, "--set", BASES)
    assert result.exit_code == 0, result.output
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert m["remote_operators"] == 2 and m["field_staff"] == 3
    # 1 operator x 3 slots until noon for 4 vehicles: one is held until the second shift at least
    assert m["vehicles_held"] >= 1
    with (out / "duties.csv").open(encoding="utf-8") as fh:
        remote = [r for r in csv.DictReader(fh) if r["role"] == "remote_operator"]
    # the operators' duties cover the shifts as planned (10 minutes of handover either side)
    spans = sorted(p.split(" ", 1)[1] for r in remote for p in r["pieces"].split("; "))
    assert spans[0].startswith("07:00:00") and max(s.split("-")[1] for s in spans) == "20:00:00"
    assert sum(float(r["binding_h"]) for r in remote) == pytest.approx(5 + 2 * 8 + 3 * 10 / 60 * 2, abs=0.01)
    # the written scenario replays the same day (the shifts written back as TOML)
    again = cli("run", out / "scenario.toml", "--no-report", "--out", tmp_path / "again")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "metrics.json").read_bytes() == (out / "metrics.json").read_bytes()


@pytest.mark.parametrize(
    ("override", "needles"),
    [
        ('remote_ops.shifts=[{start="12:00",end="07:00",operators=1}]', ("remote_ops.shifts.0", "must be after start")),
        ('remote_ops.shifts=[{start="07:00",end="12:00",operators=0}]', ("remote_ops.shifts.0.operators", "1 to 1,000")),
        ('remote_ops.field_bases=[{place="nowhere",staff=1}]', ("remote_ops.field_bases[0].place", "nowhere")),
    ],
)
def test_bad_shifts_and_bases_fail_with_exit_2(cli: Callable[..., Result], override: str, needles: tuple[str, ...]) -> None:
    assert_clean_error(cli("validate", AV_DRT_OPS, "--set", override), 2, *needles)
