"""Scenario files: TOML validated with pydantic, ``extends`` inheritance and ``--set`` overrides.

A scenario file is a TOML document. ``extends = "base.toml"`` (relative to the file) names a
parent whose tables are deep-merged under the child's. ``--set services.choisoko.fleet_size=6``
overrides one value by its dotted path; the value is read as TOML (``6``, ``1.5``, ``"09:30"``,
``[1, 2]``, ``true``) and otherwise kept as a string.

Units follow the key names: ``_min`` minutes, ``_s`` seconds, ``_m`` metres, ``_kmh`` km/h,
``_yen`` yen; clock times are ``"HH:MM"`` strings.
"""

from __future__ import annotations

import copy
import datetime
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.errors import ScenarioError
from sim.paths import name_problem, safe_component
from sim.scenario.autonomy import IncidentClassConfig, RemoteOpsConfig
from sim.scenario.base import StrictModel as _Model
from sim.scenario.behaviour import BehaviourConfig
from sim.scenario.bounds import bounds_at, markdown_table
from sim.scenario.council import BenefitsConfig, CoverageConfig
from sim.scenario.overrides import apply_overrides as _apply_overrides
from sim.scenario.overrides import (
    parse_override,  # noqa: F401 - callers import it from here
    set_path,
)
from sim.scenario.ridership import RidershipConfig
from sim.scenario.staffing import CostConfig, StaffingConfig
from sim.scenario.tomlio import (  # noqa: F401 - callers import them from here
    MAX_FILE_BYTES,
    _dump_toml,
    dump_toml,
    read_text_file,
    to_toml,
)
from sim.scenario.traffic import TrafficConfig
from sim.scenario.year import YearConfig, check_year, day_type_raw
from sim.timeutil import parse_clock

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


#: Bounds shared by several keys (see the README table "Scenario keys and their bounds").
MAX_REQUESTS = 2_000_000  # requests a day: a city of millions
MAX_FLEET = 20_000  # vehicles of one service or area
MAX_YEN = 1e10  # one price or yearly amount (¥10 billion)
MAX_SEED = 2**63 - 1
MAX_DAY_S = 48 * 3600.0  # a service day lasts at most 48 h: clock times run from 00:00 to 48:00
#: Longest ``extends`` chain.
MAX_EXTENDS_DEPTH = 32


def _clock(value: Any) -> str:
    """Validate a clock string (kept as written, parsed where used): ``HH:MM[:SS]`` up to 48:00."""
    if not isinstance(value, str):
        raise ValueError("must be a clock time string like \"09:30\" (00:00 to 48:00)")
    seconds = parse_clock(value)
    if seconds > MAX_DAY_S:
        raise ValueError("must be a clock time from 00:00 to 48:00 (a service day lasts at most 48 h)")
    return str(value)




class NetworkConfig(_Model):
    """Road network: an embedded name (``sodegaura``, ``tachikawa``), a file path or ``place:<query>``.

    ``cache_rows`` bounds the travel-time memory: each oracle keeps at most this many rows and
    columns of travel times (about ``8 * nodes`` bytes each; least recently used evicted first,
    recomputed on demand with identical results); absent: no bound.
    """

    source: str = "sodegaura"
    cache_rows: int | None = Field(None, ge=1, le=100_000_000)


class DemandConfig(_Model):
    """Travel requests: generated from zones, or read from ``csv`` (then the generator keys are unused)."""

    csv: str | None = None
    csv_encoding: Literal["utf-8", "cp932"] | None = None
    zones: Literal["sodegaura", "nodes"] = "sodegaura"
    zone_count: int = Field(200, ge=1, le=100_000)
    requests_per_day: int = Field(40, ge=0, le=MAX_REQUESTS)
    start: str = "09:00"
    end: str = "17:00"
    hourly_profile: list[Annotated[float, Field(ge=0.0, le=1e9)]] | None = None
    prebooked_share: float = Field(0.0, ge=0.0, le=1.0)
    prebook_lead_min_min: float = Field(30.0, ge=0.0, le=20_160.0)
    prebook_lead_max_min: float = Field(1440.0, ge=0.0, le=20_160.0)
    party_size_weights: list[Annotated[float, Field(ge=0.0, le=1e9)]] = Field(default_factory=lambda: [1.0], max_length=100)
    home_share: float = Field(0.5, ge=0.0, le=1.0)
    min_trip_m: float = Field(500.0, ge=0.0, le=100_000.0)
    jitter_m: float = Field(150.0, ge=0.0, le=5_000.0)
    population_total: float = Field(65000.0, gt=0.0, le=100_000_000.0)
    attractor_weights: dict[str, Annotated[float, Field(ge=0.0, le=1e9)]] | None = None
    # "fixed": the generator above (or ``csv``); "behavioural": a synthetic population whose
    # trips choose their mode (sim/run/behaviour.py), keys under [demand.behaviour]
    model: Literal["fixed", "behavioural"] = "fixed"
    behaviour: BehaviourConfig | None = None

    _check_start = field_validator("start", "end")(classmethod(lambda cls, v: _clock(v)))

    @field_validator("hourly_profile")
    @classmethod
    def _profile(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and (len(v) != 24 or any(w < 0 for w in v) or sum(v) <= 0):
            raise ValueError("must be 24 non-negative weights (one per clock hour) with a positive sum")
        return v

    @field_validator("party_size_weights")
    @classmethod
    def _party(cls, v: list[float]) -> list[float]:
        if not v or any(w < 0 for w in v) or sum(v) <= 0:
            raise ValueError("must be non-negative weights for party sizes 1, 2, ... with a positive sum")
        return v

    @model_validator(mode="after")
    def _window(self) -> DemandConfig:
        if parse_clock(self.end) <= parse_clock(self.start):
            raise ValueError(f"end {self.end!r} must be after start {self.start!r}")
        if self.prebook_lead_max_min < self.prebook_lead_min_min:
            raise ValueError("prebook_lead_max_min must be >= prebook_lead_min_min")
        return self


class WalkConfig(_Model):
    """Walking to and from stops."""

    speed_mps: float = Field(1.0, ge=0.1, le=5.0)
    detour_factor: float = Field(1.3, ge=1.0, le=5.0)
    max_walk_m: float = Field(800.0, ge=0.0, le=10_000.0)


Automation = Literal["human", "level2", "level4_crew", "level4_remote"]


class VehicleType(_Model):
    """A vehicle type; see docs/PARAMETERS.md for sourced values.

    ``automation``: ``human`` (driver with a class-2 licence), ``level2`` (operator on board),
    ``level4_crew`` (Level 4 with one crew member on board), ``level4_remote`` (Level 4,
    supervised from a control room). Incidents (automated vehicles): a Poisson process of
    ``incidents_per_1000_km`` per driven kilometre, each stopping the vehicle for an exponential
    time with mean ``incident_remote_min`` (resolved remotely, share ``incident_remote_share``)
    or ``incident_onsite_min`` (field staff drive out); or, instead, ``incident_classes``:
    severity classes with their own rates and lognormal durations
    (:class:`~sim.scenario.autonomy.IncidentClassConfig`). Operating design domain:
    ``odd_road_classes`` (OSM ``highway`` classes it may drive) and/or ``odd_edges``
    (``"U-V"`` node ids of the network file, both directions), ``odd_speed_cap_kmh`` (cap per road
    class, 0 < cap <= 200). Battery (:mod:`sim.model.energy`): ``range_km`` on a full charge
    (unset: no limit), ``full_charge_h`` from empty to full (default 6: Navya ARMA 4–8 h),
    ``range_reserve_km`` kept in hand, and for DRT ``charge_below_share`` (go to charge below this
    share of the range, ASSUMPTION 0.25) and ``charge_resume_share`` (take bookings again from this
    share, ASSUMPTION 0.8). Costs: purchase ``price_yen`` written off
    over ``lifetime_years`` down to ``residual_share`` of the price, plus energy and
    maintenance per km. Emissions: ``co2_kg_per_km`` (energy per km × the fuel's CO₂ factor,
    docs/PARAMETERS.md#emissions; 0 = not counted).
    """

    capacity: int = Field(ge=1, le=1_000)
    seats: int | None = Field(None, ge=0, le=1_000)
    automation: Automation = "human"
    speed_cap_kmh: float | None = Field(None, ge=1.0, le=300.0)
    stop_dwell_s: float = Field(60.0, ge=0.0, lt=3_600.0)
    board_s_per_pax: float = Field(0.0, ge=0.0, le=600.0)
    incidents_per_1000_km: float = Field(0.0, ge=0.0, le=10_000.0)
    incident_remote_share: float = Field(1.0, ge=0.0, le=1.0)
    incident_remote_min: float = Field(5.0, ge=0.0, le=1_440.0)
    incident_onsite_min: float = Field(30.0, ge=0.0, le=1_440.0)
    incident_classes: dict[str, IncidentClassConfig] = Field(default_factory=dict)
    odd_road_classes: list[Annotated[str, Field(min_length=1)]] | None = None
    odd_edges: list[Annotated[str, Field(pattern=r"^[^-\s]+-[^-\s]+$")]] | None = None
    odd_speed_cap_kmh: dict[str, Annotated[float, Field(gt=0.0, le=200.0)]] = Field(default_factory=dict)
    range_km: float | None = Field(None, gt=0.0, le=2000.0)
    full_charge_h: float = Field(6.0, gt=0.0, le=48.0)
    range_reserve_km: float = Field(0.0, ge=0.0, le=500.0)
    charge_below_share: float = Field(0.25, ge=0.0, le=1.0)
    charge_resume_share: float = Field(0.8, gt=0.0, le=1.0)
    price_yen: float = Field(0.0, ge=0.0, le=MAX_YEN)
    lifetime_years: float = Field(10.0, ge=1.0, le=100.0)
    residual_share: float = Field(0.0, ge=0.0, le=1.0)
    energy_yen_per_km: float = Field(0.0, ge=0.0, le=100_000.0)
    maintenance_yen_per_km: float = Field(0.0, ge=0.0, le=100_000.0)
    co2_kg_per_km: float = Field(0.0, ge=0.0, le=100.0)
    description: str = ""

    @model_validator(mode="after")
    def _seats(self) -> VehicleType:
        if self.seats is not None and self.seats > self.capacity:
            raise ValueError(f"seats {self.seats} exceed capacity {self.capacity}")
        if self.incident_classes and self.incidents_per_1000_km > 0:
            raise ValueError(
                "incident_classes and incidents_per_1000_km both set; give the rates per class only"
                " (set incidents_per_1000_km = 0)"
            )
        return self


class AreaConfig(_Model):
    """A DRT service area: the towns of the listed districts (Sodegaura zones) or ``all`` nodes."""

    districts: list[str] = Field(default_factory=list)
    fleet_size: int | None = Field(None, ge=0, le=MAX_FLEET)
    depot: str | None = None


class DrtService(_Model):
    """A demand-responsive service: a fleet serving requests inside its areas.

    The dispatcher books each request where it adds the least vehicle time plus
    ``wait_cost_weight`` × the rider's wait (0: vehicle time alone, which lets riders wait up to
    ``max_wait_min`` whenever that saves a kilometre) plus ``delay_cost_weight`` × the delay it
    imposes on riders already booked (rider-seconds later than planned, at their pickups and
    drop-offs) plus ``ride_cost_weight`` × the new rider's ride beyond the direct drive.
    ``delay_cost_weight = 0`` and ``ride_cost_weight = 0`` give the former objective.

    Promises (``keep_promises``, default on): a booked rider is picked up no earlier than quoted
    and at most ``pickup_window_min`` later, and arrives at most ``arrival_window_min`` after the
    quoted arrival; later bookings keep these as hard constraints (ASSUMPTION: 10 minutes each,
    no source found; the max wait and max ride limits still apply). Off: only the max wait and
    max ride limits bind, as before.
    ``max_candidate_vehicles`` limits the search to the vehicles that can reach the pickup
    soonest (large fleets; default all). ``insertion_search``: ``compiled`` (default, the numba
    kernel) or ``python`` (the reference); both choose exactly the same insertions.

    Riders who book a DRT-only trip may cancel or not show up (default never): a prebooked rider
    cancels with probability ``cancel_share``, ``cancel_lead_min`` before the promised pickup;
    a rider does not show up with probability ``no_show_share``, and the vehicle then waits
    ``no_show_wait_min`` at the stop before it leaves (ASSUMPTION: 3 minutes, no source found).

    Idle vehicles (``rebalancing``): ``stay`` where they are (default), return to the ``depot``,
    or drive towards ``demand``: the square zone (``rebalancing_zone_m``) of their area with the
    most forecast requests in the next ``rebalancing_horizon_min`` per idle vehicle already there.
    The forecast is the day's own demand counted per zone (a perfect forecast: an upper bound).

    ``plan_breaks`` (default off): driven and Level 2 vehicles keep, in their plans, a break of
    ``[staffing] min_break_total_min`` at their depot within every
    ``max_continuous_driving_h`` (staggered across the fleet); riders are not booked through it.
    """

    kind: Literal["drt"] = "drt"
    enabled: bool = True
    vehicle: str
    fleet_size: int = Field(ge=0, le=MAX_FLEET)
    start: str = "09:00"
    end: str = "17:00"
    days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS))
    mode: Literal["stop", "door"] = "stop"
    stop_spacing_m: float = Field(300.0, ge=10.0, le=10_000.0)
    max_wait_min: float = Field(20.0, gt=0.0, le=1_440.0)
    max_ride_factor: float = Field(1.5, ge=1.0, le=10.0)
    max_ride_extra_min: float = Field(20.0, ge=0.0, le=1_440.0)
    depot: str | None = None
    areas: dict[str, AreaConfig] = Field(default_factory=dict)
    transfer_hub: str | None = None
    min_transfer_min: float = Field(3.0, ge=0.0, le=240.0)
    fare_within_area_yen: float = Field(0.0, ge=0.0, le=1_000_000.0)
    fare_between_areas_yen: float = Field(0.0, ge=0.0, le=1_000_000.0)
    wait_cost_weight: float = Field(1.0, ge=0.0, le=100.0)
    delay_cost_weight: float = Field(1.0, ge=0.0, le=100.0)
    ride_cost_weight: float = Field(1.0, ge=0.0, le=100.0)
    keep_promises: bool = True
    pickup_window_min: float = Field(10.0, ge=0.0, le=1_440.0)
    arrival_window_min: float = Field(10.0, ge=0.0, le=1_440.0)
    max_candidate_vehicles: int | None = Field(None, ge=1, le=MAX_FLEET)
    insertion_search: Literal["compiled", "python"] = "compiled"
    cancel_share: float = Field(0.0, ge=0.0, le=1.0)
    cancel_lead_min: float = Field(60.0, gt=0.0, le=20_160.0)
    no_show_share: float = Field(0.0, ge=0.0, le=1.0)
    no_show_wait_min: float = Field(3.0, ge=0.0, le=120.0)
    rebalancing: Literal["stay", "depot", "demand"] = "stay"
    rebalancing_zone_m: float = Field(2000.0, gt=0.0, le=100_000.0)
    rebalancing_horizon_min: float = Field(60.0, gt=0.0, le=1_440.0)
    plan_breaks: bool = False
    spare_vehicles: int = Field(0, ge=0, le=100)
    suspended_days_per_year: float = Field(0.0, ge=0.0, le=366.0)
    suspension_fallback: Literal["cancel", "driven_backup"] = "cancel"

    _check_times = field_validator("start", "end")(classmethod(lambda cls, v: _clock(v)))

    @model_validator(mode="after")
    def _consistent(self) -> DrtService:
        if parse_clock(self.end) <= parse_clock(self.start):
            raise ValueError(f"end {self.end!r} must be after start {self.start!r}")
        if len(self.areas) > 1 and not self.transfer_hub:
            raise ValueError("a service with several areas needs a transfer_hub")
        counts = [a.fleet_size for a in self.areas.values()]
        if any(c is not None for c in counts):
            if any(c is None for c in counts) or sum(c or 0 for c in counts) != self.fleet_size:
                raise ValueError(
                    f"area fleet sizes {counts} must all be given and sum to fleet_size {self.fleet_size}"
                )
        return self


class FixedLine(_Model):
    """A fixed-route line: ordered stops, a loop or out-and-back, run on a timetable.

    ``stops`` are place ids or names on the network (``sodegaura_sta``, ``town:長浦``),
    ``"node:<id>"`` or ``"lat,lon"``. Departures from the first stop are either every
    ``headway_min`` from ``start`` to ``end`` (inclusive) or the explicit ``departures`` list.
    Out-and-back trips run back from the last stop after ``layover_min``; each vehicle also
    needs ``layover_min`` plus ``recovery_share`` × running time at each terminal before its
    next trip. The fleet follows from the timetable. A rider waits at most ``max_wait_min`` from
    when they could be at the stop (docs/PARAMETERS.md#line-max-wait): a ride leaving later is not
    offered, and a rider still unboarded then (full bus, late bus) goes home, refused as
    ``gave_up_waiting``.

    Real timetables: ``timetable`` lists trips over ``stops`` as rows of one clock time per stop
    (``"07:03"``, or ``"07:03:00/07:03:30"`` for arrival/departure; hours past 24 run past
    midnight as in GTFS); ``return_timetable`` lists trips of the opposite direction over
    ``return_stops`` (default: ``stops`` reversed). Or ``gtfs = "feed.zip"`` with ``route_id``
    takes stops and trips straight from a GTFS/GTFS-JP feed (path relative to the scenario file)
    on ``service_date`` (``"YYYY-MM-DD"``; default: the feed's usual trips on the first of
    ``days``); its stops are snapped to the nearest road node, at most ``max_snap_m`` (default 500) away.
    ``charging_points``: stops of the line with a charger, where a battery vehicle charges
    during its layover (:mod:`sim.model.energy`).
    """

    kind: Literal["line"] = "line"
    enabled: bool = True
    vehicle: str
    stops: list[str] = Field(default_factory=list, max_length=1_000)
    pattern: Literal["loop", "out_and_back"] = "out_and_back"
    headway_min: float | None = Field(None, ge=1.0, le=1_440.0)
    departures: list[str] | None = Field(None, max_length=10_000)
    timetable: list[list[str]] | None = Field(None, max_length=10_000)
    return_stops: list[str] | None = Field(None, max_length=1_000)
    return_timetable: list[list[str]] | None = Field(None, max_length=10_000)
    gtfs: str | None = None
    route_id: str | None = None
    service_date: str | None = None
    max_snap_m: float | None = Field(None, gt=0.0, le=10_000.0)
    start: str = "07:00"
    end: str = "19:00"
    days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS))
    layover_min: float = Field(5.0, ge=0.0, le=600.0)
    recovery_share: float = Field(0.1, ge=0.0, le=5.0)
    max_wait_min: float = Field(120.0, gt=0.0, le=1440.0)
    depot: str | None = None
    fare_yen: float = Field(0.0, ge=0.0, le=1_000_000.0)
    charging_points: list[str] | None = Field(None, max_length=1_000)
    spare_vehicles: int = Field(0, ge=0, le=100)
    suspended_days_per_year: float = Field(0.0, ge=0.0, le=366.0)
    suspension_fallback: Literal["cancel", "driven_backup"] = "cancel"
    note: str = ""

    _check_times = field_validator("start", "end")(classmethod(lambda cls, v: _clock(v)))

    @field_validator("departures")
    @classmethod
    def _departures(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            if not v:
                raise ValueError("must list at least one departure time")
            seen: set[float] = set()
            for t in v:
                _clock(t)
                if parse_clock(t) in seen:
                    raise ValueError(f"departure {t!r} is listed twice")
                seen.add(parse_clock(t))
        return v

    @model_validator(mode="after")
    def _timetable(self) -> FixedLine:
        given = [k for k in ("headway_min", "departures", "timetable", "gtfs") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of headway_min, departures, timetable or gtfs"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.gtfs is None:
            if len(self.stops) < 2:
                raise ValueError("stops must list at least 2 stops (or take them from a feed with gtfs)")
            if self.route_id is not None or self.service_date is not None:
                raise ValueError("route_id and service_date need gtfs = \"feed.zip\"")
        elif self.route_id is None:
            raise ValueError("gtfs needs route_id (the route_id of routes.txt)")
        elif self.stops:
            raise ValueError("with gtfs the stops come from the feed; remove stops")
        if self.service_date is not None:
            try:
                datetime.date.fromisoformat(self.service_date)
            except ValueError:
                raise ValueError(f"service_date {self.service_date!r} is not a date YYYY-MM-DD") from None
        for key, stops in (("timetable", self.stops), ("return_timetable", self.return_stops or self.stops)):
            rows = getattr(self, key)
            for k, row in enumerate(rows or []):
                if len(row) != len(stops):
                    raise ValueError(f"{key}[{k}] has {len(row)} times for {len(stops)} stops")
                for cell in row:
                    for t in str(cell).split("/"):
                        _clock(t)
        if (self.return_stops is not None or self.return_timetable is not None) and self.timetable is None:
            raise ValueError("return_stops and return_timetable go with timetable")
        if parse_clock(self.end) < parse_clock(self.start):
            raise ValueError(f"end {self.end!r} must not be before start {self.start!r}")
        return self


_SERVICE_TAGS = ("drt", "line")


def _service_kind(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("kind", "drt"))
    return str(getattr(value, "kind", "drt"))


Service = Annotated[
    Annotated[DrtService, Tag("drt")] | Annotated[FixedLine, Tag("line")],
    Discriminator(_service_kind),
]


class ChoiceConfig(_Model):
    """Passenger choice: the least generalised time over every feasible option.

    Generalised time (seconds) = ``walk_weight`` × walk + ``wait_weight`` × wait at the stop
    + schedule delay spent elsewhere (weight 1) + ride + ``transfer_penalty_min`` per transfer.
    ASSUMPTION (no docs/PARAMETERS.md row): walking and waiting are valued about twice in-vehicle
    time and a transfer about 5 minutes, typical values of public-transport appraisal practice.
    Riders of lines with headways of at least ``timetable_headway_min`` follow the timetable
    and arrive ``timetable_buffer_min`` before their departure; on shorter headways they just go.
    """

    walk_weight: float = Field(2.0, ge=0.0, le=100.0)
    wait_weight: float = Field(2.0, ge=0.0, le=100.0)
    transfer_penalty_min: float = Field(5.0, ge=0.0, le=600.0)
    timetable_headway_min: float = Field(12.0, ge=0.0, le=1_440.0)
    timetable_buffer_min: float = Field(2.0, ge=0.0, le=120.0)
    hubs: list[str] = Field(default_factory=list)
    min_transfer_min: float = Field(3.0, ge=0.0, le=240.0)


class Scenario(_Model):
    """A whole scenario: network, demand, walking, choice, vehicle types and services."""

    name: str
    description: str = ""
    seed: int = Field(1, ge=0, le=MAX_SEED)
    network: NetworkConfig = NetworkConfig()
    demand: DemandConfig = DemandConfig()
    walk: WalkConfig = WalkConfig()
    choice: ChoiceConfig = ChoiceConfig()
    traffic: TrafficConfig = TrafficConfig()
    vehicles: dict[str, VehicleType] = Field(default_factory=dict)
    services: dict[str, Service] = Field(default_factory=dict)
    staffing: StaffingConfig = StaffingConfig()
    costs: CostConfig = CostConfig()
    coverage: CoverageConfig = CoverageConfig()
    benefits: BenefitsConfig = BenefitsConfig()
    remote_ops: RemoteOpsConfig | None = None
    year: YearConfig | None = None
    ridership: RidershipConfig = RidershipConfig()

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if len(v) > 200:
            raise ValueError("must be at most 200 characters")
        if not safe_component(v):
            raise ValueError("must contain more than dots, blanks and / \\\\ : * ? \" < > | (the results folder is named after it)")
        return v

    @field_validator("vehicles", "services")
    @classmethod
    def _table_names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for key in v:
            problem = name_problem(key)
            if problem:
                raise ValueError(f"entry {key!r}: {problem} (it names columns and figures)")
        return v

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        for name, svc in self.services.items():
            if not svc.enabled:
                continue
            if svc.vehicle not in self.vehicles:
                valid = ", ".join(sorted(self.vehicles)) or "(none defined)"
                raise ValueError(f"services.{name}.vehicle: unknown vehicle type {svc.vehicle!r}; defined: {valid}")
        if self.year is not None:
            check_year(self.year, self.staffing.closed_days_per_year, self.services, self.demand.csv)
        return self


# --------------------------------------------------------------------------- loading


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_text_file(path, what="scenario file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None


def load_raw(path: Path, *, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file with its ``extends`` chain merged (no validation).

    The chain may be at most :data:`MAX_EXTENDS_DEPTH` parent files long; each file at most
    :data:`MAX_FILE_BYTES` bytes.
    """
    try:
        path = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise ScenarioError(f"{path}: cannot resolve the path: {exc}") from None
    if path in _seen:
        chain = " -> ".join(str(p) for p in (*_seen, path))
        raise ScenarioError(f"{path}: extends loops back on itself ({chain})")
    if len(_seen) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            f"{_seen[0]}: key 'extends': the chain of parent files is longer than {MAX_EXTENDS_DEPTH} (at {path})"
        )
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent or "\x00" in parent:
        raise ScenarioError(f"{path}: key 'extends' must be a file name string, got {parent!r}")
    parent_path = path.parent / parent
    if not parent_path.exists():
        raise ScenarioError(f"{path}: key 'extends' names {parent!r}, but {parent_path.resolve()} does not exist")
    return _deep_merge(load_raw(parent_path, _seen=(*_seen, path)), data)


def apply_overrides(data: dict[str, Any], overrides: list[str], *, source: str) -> dict[str, Any]:
    """Apply ``--set`` overrides to raw scenario data, checking each key exists in the schema
    (:func:`sim.scenario.overrides.apply_overrides` with the :class:`Scenario` schema)."""
    return _apply_overrides(data, overrides, source=source, root=Scenario)


_RANGE_ERRORS = {
    "greater_than", "greater_than_equal", "less_than", "less_than_equal", "int_type", "float_type",
    "finite_number", "int_from_float", "int_parsing", "float_parsing",
}


def _shown(value: Any) -> str:
    """``repr`` of an offending value, shortened to 120 characters."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _format_validation(exc: ValidationError, source: str, data: dict[str, Any]) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        if len(loc) >= 3 and loc[0] == "services" and loc[2] in _SERVICE_TAGS:
            del loc[2]  # the union tag pydantic inserts
        if err["type"] == "union_tag_invalid":
            err = {**err, "msg": f"unknown service kind {err['input'].get('kind')!r}; valid kinds: {', '.join(_SERVICE_TAGS)}"}
        key = ".".join(loc) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        value = err.get("input")
        if err["type"] in _RANGE_ERRORS:
            b = bounds_at(Scenario, tuple(err["loc"]))
            if b is not None:
                msg = f"{msg}; valid: {'an' if b.kind[0] == 'i' else 'a'} {b.kind} from {b.text()}"
        shown = "" if err["type"] in {"missing"} or isinstance(value, dict) else f" (got {_shown(value)})"
        lines.append(f"{source}: {msg}" if not loc else f"{source}: key {key}: {msg}{shown}")
    return "\n".join(lines)


def validate(data: dict[str, Any], *, source: str) -> Scenario:
    """Validate raw scenario data into a :class:`Scenario`, or raise :class:`ScenarioError`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_validation(exc, source, data)) from None


def load_scenario(path: str | Path, *, overrides: list[str] | None = None) -> tuple[Scenario, Path]:
    """Load, merge, override and validate a scenario file.

    Returns the scenario and the folder relative paths in it are resolved against.
    """
    p = Path(path)
    raw = load_raw(p)
    raw = apply_overrides(raw, overrides or [], source=str(p))
    scenario = validate(raw, source=str(p))
    for name in scenario.year.day_types if scenario.year is not None else ():
        day_scenario(scenario, name, source=str(p))  # each day type's keys checked now, not mid-study
    return scenario, p.resolve().parent


def day_scenario(scenario: Scenario, name: str, *, source: str) -> Scenario:
    """The scenario of day type ``name`` of ``scenario``'s ``[year]`` (see :mod:`sim.scenario.year`),
    validated; a bad ``set`` key or value raises :class:`ScenarioError` naming it."""
    assert scenario.year is not None

    def apply(data: dict[str, Any], parts: list[str], value: Any, what: str) -> None:
        set_path(data, parts, value, source=source, root=Scenario, what=what)

    raw = day_type_raw(scenario.model_dump(mode="json", exclude_none=True), scenario.year, name, apply=apply)
    return validate(raw, source=f"{source} (day type {name!r})")


if __name__ == "__main__":  # pragma: no cover - documentation helper: the README's bounds table
    print(markdown_table(Scenario), end="")
