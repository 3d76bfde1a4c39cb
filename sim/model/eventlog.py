"""The event log: flat, typed, immutable records emitted by the engine.

Metrics, staffing and costs are pure functions of these records and the scenario.
Times are seconds since midnight, distances metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import TYPE_CHECKING

from sim.model.records import RecordTable

if TYPE_CHECKING:
    from sim.model.energy import EnergyLog
    from sim.model.remote import RemoteLog


class Outcome(StrEnum):
    """What became of a request."""

    SERVED = "served"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # a booked rider cancelled before the pickup
    NO_SHOW = "no_show"  # the vehicle came and waited; the rider did not


class RejectReason(StrEnum):
    """Why a request was not served."""

    NONE = ""
    NO_SERVICE = "no_service_configured"
    OUTSIDE_AREA = "outside_service_area"
    OUTSIDE_HOURS = "outside_service_hours"
    NO_STOP_IN_WALKING_DISTANCE = "no_stop_within_walk"
    SAME_STOP = "origin_and_destination_share_a_stop"
    NO_VEHICLE = "no_feasible_vehicle"
    NO_TRANSFER = "no_feasible_transfer_connection"
    TOO_LARGE = "party_larger_than_vehicle"
    NO_OPTION = "no_service_option"
    NO_TRIP = "no_later_trip"
    STRANDED = "denied_boarding_no_later_trip"
    STRANDED_AT_HUB = "no_connection_at_the_hub"
    GAVE_UP = "gave_up_waiting"


class MoveKind(StrEnum):
    """What a vehicle was doing over a span of time."""

    DRIVE = "drive"
    DWELL = "dwell"
    INCIDENT = "incident"
    CHARGE = "charge"  # at the depot, waiting for a vehicle charged enough (sim/model/energy.py)


@dataclass(frozen=True, slots=True)
class LegRecord:
    """One ride leg of a served request, in one vehicle.

    ``promised_pickup_s``/``promised_dropoff_s`` are the times quoted at booking (DRT) or the
    timetable's (lines); ``latest_pickup_s`` is the end of the promised pickup window and
    ``latest_dropoff_s`` the promised latest arrival (DRT; ``nan`` for lines, ``inf`` when
    unbounded). ``pickup_s``/``dropoff_s`` are what happened.
    """

    leg_id: int
    request_id: str
    service: str
    vehicle_id: int
    origin_node: int
    dest_node: int
    pax: int
    earliest_s: float
    pickup_s: float
    dropoff_s: float
    direct_s: float
    direct_m: float
    promised_pickup_s: float = math.nan
    promised_dropoff_s: float = math.nan
    latest_pickup_s: float = math.nan
    latest_dropoff_s: float = math.nan


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """The outcome of one request (one row of ``requests.csv``).

    ``wait_s`` runs from the rider's desired departure plus the walk to the stop until the
    first boarding (the same definition for every service); ``wait_at_stop_s`` is the part of
    it spent at the stop (riders of infrequent lines and of booked rides arrive shortly before
    their departure); ``ride_s`` from first boarding to last alighting (including any transfer
    wait, given separately as ``transfer_wait_s``); ``detour`` is ride / direct drive time.
    Fields that do not apply to a rejected request are ``nan``; a request that rode part of its
    journey and then could not go on (``no_connection_at_the_hub``, or left at a stop after the
    last bus) keeps its ``legs``, first ``pickup_s``, ``fare_yen`` paid and ``vehicles``.
    """

    request_id: str
    request_time_s: float
    earliest_pickup_s: float
    party_size: int
    prebooked: bool
    origin_zone: str
    dest_zone: str
    outcome: Outcome
    reason: RejectReason
    service: str
    legs: int
    origin_stop: int
    dest_stop: int
    walk_access_m: float
    walk_egress_m: float
    walk_s: float
    pickup_s: float
    dropoff_s: float
    wait_s: float
    ride_s: float
    transfer_wait_s: float
    direct_s: float
    direct_m: float
    detour: float
    fare_yen: float
    vehicles: str
    mode: str = ""
    wait_at_stop_s: float = math.nan
    denied_boardings: int = 0


@dataclass(frozen=True, slots=True)
class VehicleMove:
    """A span of one vehicle's day: driving between two nodes, or dwelling at a stop."""

    vehicle_id: int
    service: str
    kind: MoveKind
    start_s: float
    end_s: float
    from_node: int
    to_node: int
    distance_m: float
    load: int
    detail: str = ""  # incidents: "remote" or "onsite" (field staff drove out); "no_show" dwells


@dataclass(frozen=True, slots=True)
class VehicleRecord:
    """One vehicle's day (one row of ``vehicles.csv``).

    ``shift_start_s``/``shift_end_s`` is the service window; ``pull_in_s`` is when it is back
    at its depot. ``hours`` = (pull_in - shift_start) / 3600.
    """

    vehicle_id: int
    service: str
    area: str
    vehicle_type: str
    automation: str
    capacity: int
    depot_node: int
    shift_start_s: float
    shift_end_s: float
    pull_in_s: float
    hours: float
    km: float
    empty_km: float
    boardings: int
    pax_km: float


@dataclass(slots=True)
class EventLog:
    """Everything a simulated day produced.

    Requests, legs and vehicle moves (a few per request) are kept column by column
    (:class:`~sim.model.records.RecordTable`, ≈ 8 bytes a field instead of a Python object per
    number); they read and append like lists of records, and a list may be passed instead.
    """

    requests: RecordTable[RequestRecord] | list[RequestRecord] = field(default_factory=lambda: RecordTable(RequestRecord))
    legs: RecordTable[LegRecord] | list[LegRecord] = field(default_factory=lambda: RecordTable(LegRecord))
    moves: RecordTable[VehicleMove] | list[VehicleMove] = field(default_factory=lambda: RecordTable(VehicleMove))
    vehicles: list[VehicleRecord] = field(default_factory=list)
    remote: RemoteLog | None = None  # the control room's day (None: no [remote_ops])
    energy: list[EnergyLog] = field(default_factory=list)  # battery pools of services with batteries
    planned_vehicle_s: dict[str, float] = field(default_factory=dict)  # per service (sim/model/availability.py)


def header(record_type: type) -> list[str]:
    """Column names of a record type, in declaration order."""
    return [f.name for f in fields(record_type)]
