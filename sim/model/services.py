"""The model's service records: vehicle types, DRT services and fixed lines, in SI units.

Plain frozen dataclasses: seconds (times of day as seconds since midnight), metres, m/s, yen;
places are node indices of the :class:`~sim.network.graph.RoadNetwork` the day runs on. The
run layer converts a scenario into these once (:mod:`sim.run.assemble`); a library user builds
them directly.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from sim.model.drt.rebalance import Rebalancing
from sim.model.energy import BatterySpec
from sim.model.incidents import NO_INCIDENTS, IncidentProcess, IncidentSpec
from sim.network.domain import RoadDomain

class ServiceKind(StrEnum):
    """The two kinds of service (a scenario's ``kind`` key; a journey stage's kind)."""

    DRT = "drt"
    LINE = "line"


class Mode(StrEnum):
    """How a served rider travelled (``RequestRecord.mode``, ``metrics.json`` ``served_by_mode``)."""

    DRT = "drt"
    LINE = "line"
    DRT_LINE = "drt+line"  # DRT to the hub, then the line
    LINE_DRT = "line+drt"  # the line to the hub, then DRT


#: Automation levels; ``human`` vehicles have a driver and no automation incidents.
AUTOMATION_LEVELS = ("human", "level2", "level4_crew", "level4_remote")


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """A vehicle type.

    Attributes
    ----------
    name : str
        The type's name (written to the event log).
    capacity : int
        Passengers on board at most.
    automation : str
        One of :data:`AUTOMATION_LEVELS`.
    speed_cap_mps : float | None
        Top speed in m/s (``None``: the roads' speeds).
    stop_dwell_s : float
        Time at each stop served (seconds).
    board_s_per_pax : float
        Extra stop time per passenger boarding or alighting (seconds).
    incidents : IncidentSpec
        Automation incidents (ignored for ``human`` vehicles).
    domain : RoadDomain | None
        Operating design domain: the roads it may drive and its speed cap per road class
        (``None``: every road).
    battery : BatterySpec | None
        Range and charging (``None``: no battery limit).
    """

    name: str
    capacity: int
    automation: str = "human"
    speed_cap_mps: float | None = None
    stop_dwell_s: float = 60.0
    board_s_per_pax: float = 0.0
    incidents: IncidentSpec = NO_INCIDENTS
    domain: RoadDomain | None = None
    battery: BatterySpec | None = None

    def incident_process(self, rng: np.random.Generator | None) -> IncidentProcess:
        """The incident process of one vehicle of this type drawing from ``rng``."""
        return IncidentProcess(self.incidents if self.automation != "human" else NO_INCIDENTS, rng)


@dataclass(frozen=True, slots=True)
class DrtAreaSpec:
    """One area of a DRT service.

    Attributes
    ----------
    name : str
    districts : tuple[str, ...]
        District names of the zones whose nodes form the area; empty: every node of the network.
    fleet_size : int | None
        Vehicles of the area (``None``: the service's fleet is split by area size).
    depot : int | None
        Node index where the area's vehicles start and end (``None``: the service's depot).
    """

    name: str
    districts: tuple[str, ...] = ()
    fleet_size: int | None = None
    depot: int | None = None


@dataclass(frozen=True, slots=True)
class DrtServiceSpec:
    """A demand-responsive service.

    Attributes
    ----------
    name : str
    vehicle : VehicleSpec
    fleet_size : int
    start_s, end_s : float
        Service hours (seconds since midnight).
    door_to_door : bool
        Every node of an area is a stop (else virtual stops ``stop_spacing_m`` apart).
    stop_spacing_m : float
    depot : int | None
        Node index of the depot (``None``: the hub, else the area's first node).
    hub : int | None
        Node index of the transfer hub between areas.
    areas : tuple[DrtAreaSpec, ...]
        Empty: one area ``all`` covering every node.
    max_wait_s, max_ride_factor, max_ride_extra_s, min_transfer_s
        Promises: longest wait after the desired time (s), longest ride as
        ``factor`` × direct time + ``extra`` (s), shortest transfer at the hub (s).
    fare_within_yen, fare_between_yen : float
        Fare of a ride inside one area and between areas (yen).
    max_candidates : int | None
        Vehicles tried per request (``None``: all).
    insertion_search : str
        ``compiled`` (the numba kernel, :mod:`sim.model.drt.kernel`) or ``python`` (the reference
        :func:`sim.model.drt.dispatch.best_insertion`); the same choices either way.
    wait_weight : float
        Weight of the rider's wait against vehicle time when choosing an insertion.
    delay_weight, ride_weight : float
        Weights of the delay imposed on riders already booked (rider-seconds) and of the new
        rider's ride beyond the direct drive (seconds) in the insertion cost.
    keep_promises : bool
        A booking's quote binds later insertions: pickup within ``pickup_window_s`` of the quote,
        arrival within ``arrival_window_s`` of the quoted arrival (seconds).
    cancel_share, cancel_lead_s, no_show_share, no_show_wait_s
        Riders of DRT-only trips: share of prebooked riders who cancel ``cancel_lead_s`` before
        the promised pickup; share who do not show up, for whom the vehicle waits
        ``no_show_wait_s`` (seconds).
    rebalancing : Rebalancing
        Where idle vehicles go (``stay``, ``depot``, ``demand``).
    plan_breaks : bool
        Driven and Level 2 vehicles keep a break of ``break_s`` at their depot in every
        ``break_interval_s`` in their plans (the working-time rules' continuous-driving limit).
    spare_vehicles : int
        Vehicles at the depot besides the fleet, taking over from one that must charge.
    """

    name: str
    vehicle: VehicleSpec
    fleet_size: int
    start_s: float
    end_s: float
    door_to_door: bool = False
    stop_spacing_m: float = 300.0
    depot: int | None = None
    hub: int | None = None
    areas: tuple[DrtAreaSpec, ...] = ()
    max_wait_s: float = 1200.0
    max_ride_factor: float = 1.5
    max_ride_extra_s: float = 1200.0
    min_transfer_s: float = 180.0
    fare_within_yen: float = 0.0
    fare_between_yen: float = 0.0
    max_candidates: int | None = None
    insertion_search: str = "compiled"
    wait_weight: float = 1.0
    delay_weight: float = 1.0
    ride_weight: float = 1.0
    keep_promises: bool = True
    pickup_window_s: float = 600.0
    arrival_window_s: float = 600.0
    cancel_share: float = 0.0
    cancel_lead_s: float = 3600.0
    no_show_share: float = 0.0
    no_show_wait_s: float = 180.0
    rebalancing: Rebalancing = field(default_factory=Rebalancing)
    plan_breaks: bool = False
    break_s: float = 1800.0
    break_interval_s: float = 14_400.0
    spare_vehicles: int = 0


@dataclass(frozen=True, slots=True)
class ScheduledTrip:
    """One trip of a real timetable: ``direction`` (0 over the line's ``stops``, 1 over its
    ``return_stops``) and its arrival and departure at every stop of that direction (s since
    midnight of the service day; past 86,400 after midnight)."""

    direction: int
    arrive_s: tuple[float, ...]
    depart_s: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class LineSpec:
    """A fixed-route line.

    Attributes
    ----------
    name : str
    vehicle : VehicleSpec
    stops : tuple[int, ...]
        Node indices of the stops in order (no two consecutive the same).
    departures_s : tuple[float, ...]
        Departures from the first stop (seconds since midnight), sorted.
    loop : bool
        One loop trip back to the first stop (else out-and-back).
    stop_labels : tuple[str, ...]
        The stops' names as configured (default: ``node:<index>``).
    headway_s : float | None
        The regular headway the departures follow, if any (seconds).
    layover_s : float
        Terminal layover before the next trip (seconds).
    recovery_share : float
        Extra terminal time as a share of the running time.
    depot : int | None
        Node index of the depot (``None``: the first stop).
    fare_yen : float
    spare_vehicles : int
        Vehicles at the depot besides one per block, taking over from one that must charge.
    trips : tuple[ScheduledTrip, ...] | None
        A real timetable (every trip with its times at every stop, e.g. from GTFS); then
        ``departures_s``/``headway_s``/``loop`` are unused and consecutive stops may share a node.
    return_stops : tuple[int, ...] | None
        Stops of direction-1 trips (default: ``stops`` reversed).
    max_wait_s : float
        Longest a rider waits from when they could be at the stop (seconds): a later ride is not
        offered and a rider still unboarded then goes home (``gave_up_waiting``).
    charging_nodes : tuple[int, ...]
        Stops with a charger: a battery vehicle charges there during its layover
        (:meth:`sim.model.energy.BatteryPool.charge_layover`).
    """

    name: str
    vehicle: VehicleSpec
    stops: tuple[int, ...]
    departures_s: tuple[float, ...]
    loop: bool = False
    stop_labels: tuple[str, ...] = field(default=())
    headway_s: float | None = None
    layover_s: float = 300.0
    recovery_share: float = 0.1
    depot: int | None = None
    fare_yen: float = 0.0
    spare_vehicles: int = 0
    trips: tuple[ScheduledTrip, ...] | None = None
    return_stops: tuple[int, ...] | None = None
    max_wait_s: float = math.inf
    charging_nodes: tuple[int, ...] = ()


ServiceSpec = DrtServiceSpec | LineSpec
