"""Scenario settings of autonomous operations (issue 12): incident severity classes and the
control room (``[remote_ops]``).

Units follow the key names (``_min`` minutes, ``per_1000_km`` incidents per 1,000 km driven).
Defaults and bounds cite their source (README "Autonomous operations") or say ASSUMPTION.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import StrictModel as _Model
from sim.timeutil import parse_clock


def _clock_s(value: str, key: str) -> float:
    """Seconds since midnight of a clock string (``ValueError`` naming ``key`` if it is not one)."""
    try:
        t = parse_clock(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{key} {value!r} is not a clock time like \"07:30\" ({exc})") from None
    if not 0 <= t <= 48 * 3600:
        raise ValueError(f"{key} {value!r} must be from 00:00 to 48:00")
    return t


class IncidentClassConfig(_Model):
    """One incident severity class of a vehicle type (``[vehicles.NAME.incident_classes.CLASS]``).

    ``per_1000_km``: incidents per 1,000 km driven, from 0 up to 2,000 (the sourced span runs
    from 1 per 1,000 km, MATSim's example, to ≈ 1.7 per km = 1,700 per 1,000 km, 鳥取 2024);
    ``median_min``: median duration in minutes (MATSim's example: ≈ 5 min = 300 s);
    ``sigma``: lognormal shape (MATSim's example: 0.5); ``distribution``: ``lognormal`` or
    ``exponential`` (median ``median_min``); ``field``: field staff must drive out;
    ``road_classes``: the class happens only on roads of these OSM ``highway`` classes, its rate
    then per km driven on them (e.g. interventions for on-street parking: 17 % of all in 13
    roadside-station trials, 国総研資料 No.1161; ≈ 47 % in 鳥取 2024).
    """

    per_1000_km: float = Field(ge=0.0, le=2000.0)
    median_min: float = Field(5.0, gt=0.0, le=600.0)
    sigma: float = Field(0.5, ge=0.0, le=3.0)
    distribution: Literal["lognormal", "exponential"] = "lognormal"
    field: bool = False
    road_classes: list[str] | None = None


class ShiftConfig(_Model):
    """One period of the control room (``[[remote_ops.shifts]]``): ``operators`` (1..1000) on duty
    from ``start`` to ``end`` (clock times ``"HH:MM"``, end after start)."""

    start: str
    end: str
    operators: int = Field(ge=1, le=1000)

    @model_validator(mode="after")
    def _order(self) -> ShiftConfig:
        a, b = _clock_s(self.start, "start"), _clock_s(self.end, "end")
        if b <= a:
            raise ValueError(f"end {self.end!r} must be after start {self.start!r}")
        return self


class FieldBaseConfig(_Model):
    """One field team (``[[remote_ops.field_bases]]``): ``staff`` people (1..1000) at ``place``
    (any place: id, name, ``node:<id>``, ``"lat,lon"``)."""

    place: str = Field(min_length=1)
    staff: int = Field(ge=1, le=1000)


class RemoteOpsConfig(_Model):
    """The control room and field team supervising ``level4_remote`` vehicles (``[remote_ops]``).

    ``operators``: remote operators on duty while supervised vehicles run (1..1000), or
    ``shifts``: periods with their operator counts (nobody on duty outside them; overlapping
    periods add up; with shifts, ``operators`` is not used); ``vehicles_per_operator``: vehicles one operator supervises at once (default
    3: 永平寺 runs 1 operator : 3 vehicles; MATSim's default is 10), 1..100; ``capacity_gating``: a
    vehicle is in service only while a supervision slot is free; ``field_staff``: people who drive
    out to incidents of ``field`` classes (0..1000; 0: field response not modelled);
    ``field_base``: their base (a place: ``node:<id>``, ``lat,lon`` or a named place), required
    with field staff; or ``field_bases``: several teams, each ``place`` and ``staff`` (the one who
    can reach the vehicle first by network drive time responds; they replace ``field_staff`` and
    ``field_base``).
    """

    operators: int | None = Field(None, ge=1, le=1000)
    vehicles_per_operator: int = Field(3, ge=1, le=100)
    capacity_gating: bool = True
    field_staff: int = Field(0, ge=0, le=1000)
    field_base: str | None = None
    shifts: list[ShiftConfig] | None = Field(None, min_length=1, max_length=100)
    field_bases: list[FieldBaseConfig] | None = Field(None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _either(self) -> RemoteOpsConfig:
        if self.operators is None and self.shifts is None:
            raise ValueError("operators is missing: give operators (on duty all day) or shifts (periods with their operators)")
        return self
