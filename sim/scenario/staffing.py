"""Scenario settings for staffing (``[staffing]``) and costs (``[costs]``).

Kept apart from :mod:`sim.scenario.schema` (which imports these models) so that :mod:`sim.staffing.duties`
and :mod:`sim.staffing.costs` need nothing from the scenario module at import time. Same style as the
scenario models: pydantic, unknown keys rejected, frozen. Every default names its source: a row
of docs/PARAMETERS.md (the project's table of sourced defaults) or ``ASSUMPTION`` with the reasoning.
The text is kept in each field's ``description`` so that ``costs.json`` can cite it.

Units follow the key names: ``_h`` hours, ``_min`` minutes, ``_yen`` yen.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import StrictModel as _Model
from sim.timeutil import parse_clock
from sim.tolerance import EPS

#: Automation levels (same literal as ``sim.scenario.Automation``; repeated here to avoid an import cycle).
AutomationLevel = Literal["human", "level2", "level4_crew", "level4_remote"]

#: Largest yearly amount or price, yen (as ``sim.scenario.schema.MAX_YEN``).
MAX_YEN = 1e10
#: A service day lasts at most 48 h.
MAX_DAY_S = 48 * 3600.0

_RULES = 'docs/PARAMETERS.md#working-time-rules "Driver shortage and working-time rules for bus drivers (改善基準告示, from April 2024)"'




class StaffingConfig(_Model):
    """Working-time rules, preparation times, role ratios and the FTE conversion.

    The rule values are those in force for bus drivers from April 2024; ``max_binding_h`` may be
    raised to 15 h (the legal maximum) only together with ``min_rest_h`` lowered towards 9 h, since
    a duty worked on consecutive days leaves 24 h minus its binding time as rest.
    """

    # -- working-time rules (改善基準告示, bus) -------------------------------------------------
    max_binding_h: float = Field(
        13.0, gt=0.0, le=15.0, description=f'{_RULES} "daily binding time": ≤ 13 h as a rule, 15 h at most'
    )
    min_rest_h: float = Field(
        11.0, ge=9.0, le=24.0, description=f'{_RULES} "rest between duties": aim for ≥ 11 h, never < 9 h'
    )
    max_driving_h: float = Field(9.0, gt=0.0, le=24.0, description=f'{_RULES} "driving time": ≤ 9 h a day')
    max_continuous_driving_h: float = Field(
        4.0, gt=0.0, le=24.0, description=f'{_RULES} "continuous driving": ≤ 4 h, then breaks'
    )
    min_break_total_min: float = Field(
        30.0, ge=0.0, le=600.0, description=f'{_RULES} "continuous driving": breaks totalling ≥ 30 min'
    )
    min_break_piece_min: float = Field(
        10.0, ge=0.0, le=600.0, description=f'{_RULES} "continuous driving": break pieces of ≥ 10 min each'
    )
    max_weekly_driving_h: float = Field(
        40.0, gt=0.0, le=168.0, description=f'{_RULES} "driving time": ≤ 40 h a week (4-week average)'
    )
    annual_binding_limit_h: float = Field(
        3300.0, gt=0.0, le=8_784.0, description=f'{_RULES} "monthly / annual binding time": 3,300 h a year'
    )
    # -- times around the vehicle's day (ASSUMPTIONS: not published for Sodegaura) -----------------
    prep_min: float = Field(
        15.0, ge=0.0, le=240.0, description="ASSUMPTION: pre-duty roll call (乗務前点呼) and vehicle check before pull-out"
    )
    handover_min: float = Field(
        10.0, ge=0.0, le=240.0, description="ASSUMPTION: after pull-in: roll call (乗務後点呼), handover of the vehicle"
    )
    relief_handover_min: float = Field(
        5.0, ge=0.0, le=240.0, description="ASSUMPTION: handing a vehicle over at a relief point, for each of the two staff"
    )
    relief_travel_min: float = Field(
        15.0, ge=0.0, le=240.0, description="ASSUMPTION: travel between the depot and an on-street relief point, each way"
    )
    desk_handover_min: float = Field(
        10.0, ge=0.0, le=240.0, description="ASSUMPTION: briefing at the start and end of a control-room or office duty"
    )
    relief_grid_min: float = Field(
        15.0,
        ge=1.0,
        le=240.0,
        description="ASSUMPTION: staff may change on a 15-min clock grid in control rooms and while a vehicle stands",
    )
    # -- roles ---------------------------------------------------------------------------------
    remote_vehicles_per_operator: float = Field(
        3.0, gt=0.0, le=1_000.0, description='docs/PARAMETERS.md#remote-monitoring-target "remote monitoring target": 1 operator : ≥ 3 vehicles (永平寺 1 : 3)'
    )
    field_staff_mode: Literal["per_vehicles", "per_area"] = Field(
        "per_vehicles", description="ASSUMPTION: field staff scale with the number of automated vehicles out"
    )
    field_vehicles_per_staff: float = Field(
        5.0, gt=0.0, le=1_000.0, description="ASSUMPTION: one field-response person per 5 automated vehicles out"
    )
    field_staff_per_area: int = Field(
        1, ge=0, le=1_000, description="ASSUMPTION: field staff on duty per service area with automated vehicles out"
    )
    field_staff_automation: list[AutomationLevel] = Field(
        default_factory=lambda: ["level4_crew", "level4_remote"],
        description="ASSUMPTION: Level 4 vehicles need field response; Level 2 has its operator on board",
    )
    booking_staff: int = Field(
        0, ge=0, le=10_000, description='ASSUMPTION: phone booking staff on duty (docs/PARAMETERS.md#choisoko-booking "booking": by phone in service hours)'
    )
    booking_start: str | None = Field(None, description="booking-centre hours; default: the DRT service hours")
    booking_end: str | None = Field(None, description="booking-centre hours; default: the DRT service hours")
    # -- FTE conversion ------------------------------------------------------------------------
    operating_days_per_year: float | None = Field(
        None,
        gt=0.0,
        le=366.0,
        description="days a year the plan runs; default: each service's days a week × 365/7 − closed_days_per_year",
    )
    closed_days_per_year: float = Field(
        0.0, ge=0.0, le=366.0, description="holidays and New Year days on which services do not run (scenario setting)"
    )
    working_days_per_employee: float = Field(
        260.0,
        gt=0.0,
        le=366.0,
        description="ASSUMPTION: 40-hour week of 8-hour days = 5 days × 52 weeks (about 105 days off a year)",
    )
    leave_spare_factor: float = Field(
        0.15, ge=0.0, le=5.0, description="ASSUMPTION: paid leave (10–20 days), sickness, training and spare staff"
    )

    @model_validator(mode="after")
    def _consistent(self) -> StaffingConfig:
        if self.max_binding_h + self.min_rest_h > 24.0 + EPS:
            raise ValueError(
                f"max_binding_h {self.max_binding_h} + min_rest_h {self.min_rest_h} exceed 24 h: a duty worked on"
                f" consecutive days would leave less than min_rest_h of rest; lower min_rest_h (never under 9) or"
                f" max_binding_h"
            )
        for key in ("booking_start", "booking_end"):
            value = getattr(self, key)
            if value is not None and parse_clock(value) > MAX_DAY_S:
                raise ValueError(f"{key} {value!r} must be a clock time from 00:00 to 48:00")
        if (self.booking_start is None) != (self.booking_end is None):
            raise ValueError("give both booking_start and booking_end, or neither")
        if self.booking_start is not None and self.booking_end is not None:
            if parse_clock(self.booking_end) <= parse_clock(self.booking_start):
                raise ValueError(f"booking_end {self.booking_end!r} must be after booking_start {self.booking_start!r}")
        if self.min_break_piece_min > self.min_break_total_min:
            raise ValueError("min_break_piece_min must not exceed min_break_total_min")
        return self


class RoleWages(_Model):
    """Annual pay per person (yen), before employer overhead."""

    driver: float = Field(4_530_000.0, ge=0.0, le=MAX_YEN, description='docs/PARAMETERS.md#bus-driver-pay "bus driver pay": ¥4.53 M a year (2023 wage survey)')
    level2_operator: float = Field(
        4_530_000.0, ge=0.0, le=MAX_YEN, description="ASSUMPTION: as a bus driver (a Level 2 operator is the driver, class-2 licence)"
    )
    level4_crew: float = Field(4_000_000.0, ge=0.0, le=MAX_YEN, description="ASSUMPTION: on-board crew, below a driver's pay")
    remote_operator: float = Field(
        4_530_000.0, ge=0.0, le=MAX_YEN, description="ASSUMPTION: as a bus driver (experienced drivers staff control rooms)"
    )
    field_staff: float = Field(4_000_000.0, ge=0.0, le=MAX_YEN, description="ASSUMPTION: below a driver's pay")
    booking_staff: float = Field(3_000_000.0, ge=0.0, le=MAX_YEN, description="ASSUMPTION: call-centre pay")


#: Cost items a subsidy share can be set for (``costs.subsidy.national_share.<item>``): staff by role,
#: vehicles and running costs (energy + maintenance) of ordinary and of automated vehicles, and the
#: fixed items of :class:`CostConfig`.
FUNDING_ITEMS: tuple[str, ...] = (
    "driver", "level2_operator", "level4_crew", "remote_operator", "field_staff", "booking_staff",
    "vehicles", "vehicles_automated", "running", "running_automated",
    "control_room", "av_system", "drt_system", "other",
)

#: Items of an automated service, which the 自動運転社会実装推進事業 funds.
AUTOMATED_ITEMS: tuple[str, ...] = (
    "level2_operator", "level4_crew", "remote_operator", "field_staff", "vehicles_automated", "running_automated",
    "control_room", "av_system",
)

_AV_SUBSIDY = (
    'docs/PARAMETERS.md#subsidy-national-share: 自動運転社会実装推進事業 rate 4/5 of the cost of the automated'
    ' service (docs/PARAMETERS.md#funding-of-av-projects); every other item 0 (docs/PARAMETERS.md#subsidy-other-items)'
)


class SubsidyConfig(_Model):
    """Who pays the deficit (``[costs.subsidy]``): shares of each cost item paid by the national
    government and by the prefecture; the city pays the rest of cost − fares.

    Keys of ``national_share`` and ``prefecture_share`` are :data:`FUNDING_ITEMS`; an item not
    given has share 0, except that ``national_share`` defaults to 0.8 for the items of automated
    services. The national total is capped at ``national_cap_yen_per_year``.
    """

    national_share: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=lambda: dict.fromkeys(AUTOMATED_ITEMS, 0.8), description=_AV_SUBSIDY
    )
    prefecture_share: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=dict, description="docs/PARAMETERS.md#subsidy-other-items: none unless a grant applies (scenario setting)"
    )
    national_cap_yen_per_year: float = Field(
        100_000_000.0,
        ge=0.0,
        le=MAX_YEN,
        description="docs/PARAMETERS.md#funding-of-av-projects: 自動運転社会実装推進事業 up to ¥100 M a project (¥300 M for priority projects)",
    )

    @model_validator(mode="after")
    def _items(self) -> SubsidyConfig:
        for key in ("national_share", "prefecture_share"):
            for item, share in getattr(self, key).items():
                if item not in FUNDING_ITEMS:
                    raise ValueError(f"{key}: unknown cost item {item!r}; valid: {', '.join(FUNDING_ITEMS)}")
                if not 0.0 <= share <= 1.0:
                    raise ValueError(f"{key}.{item}: share {share!r} must be between 0 and 1")
        for item in FUNDING_ITEMS:
            total = self.national_share.get(item, 0.0) + self.prefecture_share.get(item, 0.0)
            if total > 1.0 + EPS:
                raise ValueError(f"national_share.{item} + prefecture_share.{item} = {total:g} exceed 1")
        return self


class CostConfig(_Model):
    """Annual cost terms not attached to a vehicle type (those are ``vehicles.X.price_yen`` etc.)."""

    wage_yen_per_year: RoleWages = RoleWages()
    staff_overhead_share: float = Field(
        0.3,
        ge=0.0,
        le=5.0,
        description="ASSUMPTION: employer social insurance (≈ 15 % of pay) plus management and administration",
    )
    interest_rate: float = Field(
        0.0, ge=0.0, le=1.0, description="ASSUMPTION: 0 = straight-line write-off of vehicles (no cost of capital)"
    )
    spare_vehicle_share: float = Field(
        0.0, ge=0.0, le=5.0, description="ASSUMPTION: spare vehicles bought on top of the simulated fleet, as a share"
    )
    control_room_yen_per_year: float = Field(
        10_000_000.0,
        ge=0.0,
        le=MAX_YEN,
        description="ASSUMPTION: remote-monitoring room (premises, screens, networks); only with level4_remote vehicles",
    )
    av_system_yen_per_vehicle_year: float = Field(
        5_000_000.0,
        ge=0.0,
        le=MAX_YEN,
        description='ASSUMPTION (no source for this item): automated-driving software, maps and insurance per automated vehicle; for scale only, docs/PARAMETERS.md#av-running-cost "AV running cost" gives ≈ ¥32 M per vehicle-year for everything together',
    )
    drt_system_yen_per_service_year: float = Field(
        3_000_000.0, ge=0.0, le=MAX_YEN, description="ASSUMPTION: booking and dispatch platform per DRT service (fees not published)"
    )
    other_fixed_yen_per_year: float = Field(0.0, ge=0.0, le=MAX_YEN, description="any other fixed cost (scenario setting)")
    subsidy: SubsidyConfig = SubsidyConfig()
