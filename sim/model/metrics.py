"""KPIs from the event log: pure functions, one scenario at a time.

Every value is computed from the log; nothing is assumed. Waits, rides and walks are over
served requests; percentiles are linear-interpolated (numpy's default). A KPI with no data
(for example waits when nothing was served) is ``None`` in JSON.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim import kpis as kpi_registry
from sim.kpis import Group
from sim.model.availability import availability
from sim.model.energy import energy_metrics
from sim.model.eventlog import EventLog, LegRecord, Outcome, RequestRecord, VehicleMove, VehicleRecord
from sim.model.remote import remote_metrics
from sim.tolerance import EPS_S

#: Scalar KPI keys in the order ``metrics.json`` and comparison tables list them (from the KPI
#: registry, :mod:`sim.kpis`, which holds their units, bounds and labels).
KPI_KEYS: tuple[str, ...] = kpi_registry.names(Group.MODEL)


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def _pct(values: np.ndarray, q: float) -> float | None:
    return float(np.percentile(values, q)) if values.size else None


def kpis(
    requests: Sequence[RequestRecord],
    vehicles: Sequence[VehicleRecord],
    legs: Sequence[LegRecord] = (),
    moves: Sequence[VehicleMove] = (),
) -> dict[str, Any]:
    """Scalar KPIs for a set of request outcomes, vehicle days, ride legs and vehicle moves (see
    :data:`KPI_KEYS`).

    ``occupancy_mean`` is passenger-km / vehicle-km (the mean load of a driven kilometre);
    ``passengers_per_vehicle_hour`` is passengers served / vehicle-hours (depot to depot);
    promises kept (:func:`promise_kpis`) and line punctuality (:func:`punctuality_kpis`) come from
    the legs; ``cancellations`` and ``no_shows`` count requests with those outcomes;
    ``rebalancing_km`` sums the moves of idle DRT vehicles sent towards demand or their depot.
    """
    served = [r for r in requests if r.outcome is Outcome.SERVED]
    wait = np.array([r.wait_s for r in served], dtype=float)
    ride = np.array([r.ride_s for r in served], dtype=float)
    detour = np.array([r.detour for r in served], dtype=float)
    walk = np.array([r.walk_access_m + r.walk_egress_m for r in served], dtype=float)
    total = len(requests)
    rejected = sum(1 for r in requests if r.outcome is Outcome.REJECTED)
    pax = sum(r.party_size for r in served)
    km = sum(v.km for v in vehicles)
    empty = sum(v.empty_km for v in vehicles)
    pax_km = sum(v.pax_km for v in vehicles)
    hours = sum(v.hours for v in vehicles)
    return {
        "requests_total": total,
        "requests_served": len(served),
        "requests_rejected": rejected,
        "rejection_rate": rejected / total if total else None,
        "passengers_served": pax,
        "wait_mean_s": _mean(wait),
        "wait_p50_s": _pct(wait, 50),
        "wait_p90_s": _pct(wait, 90),
        "wait_p95_s": _pct(wait, 95),
        "ride_mean_s": _mean(ride),
        "detour_mean": _mean(detour),
        "walk_mean_m": _mean(walk),
        "transfers": sum(max(0, r.legs - 1) for r in served),
        "vehicles": len(vehicles),
        "vehicle_km": km,
        "empty_km_share": empty / km if km > 0 else None,
        "vehicle_hours": hours,
        "passengers_per_vehicle_hour": pax / hours if hours > 0 else None,
        "occupancy_mean": pax_km / km if km > 0 else None,
        # fares paid, including those of riders stranded part-way (they rode and paid a leg)
        "fare_revenue_yen": float(sum(r.fare_yen for r in requests)),
        **promise_kpis(legs),
        **punctuality_kpis(legs),
        "cancellations": sum(1 for r in requests if r.outcome is Outcome.CANCELLED),
        "no_shows": sum(1 for r in requests if r.outcome is Outcome.NO_SHOW),
        "rebalancing_km": sum(m.distance_m for m in moves if m.detail == "rebalance") / 1000.0,
    }


def promise_kpis(legs: Sequence[LegRecord]) -> dict[str, Any]:
    """Promises kept, over the DRT legs (those with a promised pickup window).

    ``promise_breaches``: legs picked up before their quoted time or after the end of their
    pickup window, or dropped off after their latest arrival (with fixed travel times only an
    incident can cause one); ``pickup_late_mean_s``: mean over those legs of how much later than
    quoted the riders were picked up (0 for a leg on time or early); ``promised_legs``: their number.
    """
    drt = [g for g in legs if not math.isnan(g.latest_pickup_s)]
    breaches = sum(
        1
        for g in drt
        if g.pickup_s < g.promised_pickup_s - EPS_S
        or g.pickup_s > g.latest_pickup_s + EPS_S
        or g.dropoff_s > g.latest_dropoff_s + EPS_S
    )
    late = np.array([max(0.0, g.pickup_s - g.promised_pickup_s) for g in drt], dtype=float)
    return {"promised_legs": len(drt), "promise_breaches": breaches, "pickup_late_mean_s": _mean(late)}


#: A line rider boards "on time" up to this late against the timetable (seconds). ASSUMPTION:
#: the 5-minute tolerance common in bus punctuality statistics; no Japanese standard was found.
ON_TIME_LATE_S = 300.0


def punctuality_kpis(legs: Sequence[LegRecord]) -> dict[str, Any]:
    """Punctuality of fixed lines, over line legs (no promise window, a timetable departure).

    ``line_late_mean_s``: mean of how much later than the timetable riders boarded (0 when on
    time; vehicles never leave early); ``line_on_time_share``: share of boardings at most
    :data:`ON_TIME_LATE_S` late. ``None`` without line legs.
    """
    late = np.array(
        [max(0.0, g.pickup_s - g.promised_pickup_s) for g in legs
         if math.isnan(g.latest_pickup_s) and not math.isnan(g.promised_pickup_s)],
        dtype=float,
    )
    return {
        "line_late_mean_s": _mean(late),
        "line_on_time_share": float(np.mean(late <= ON_TIME_LATE_S)) if late.size else None,
    }


def compute_metrics(log: EventLog, *, network: dict[str, Any] | None = None) -> dict[str, Any]:
    """The content of ``metrics.json``: scalar KPIs (:func:`kpis`), rejection reasons and a
    per-service breakdown."""
    # the log's tables rebuild records when read: read each once here (sim/model/records.py)
    requests, legs, moves = list(log.requests), list(log.legs), list(log.moves)
    out: dict[str, Any] = kpis(requests, log.vehicles, legs, moves)
    reasons = Counter(str(r.reason) for r in requests if r.outcome is Outcome.REJECTED)
    out["rejections_by_reason"] = dict(sorted(reasons.items()))
    # A request counts for every service it used ("trunk+choisoko" for both); one that found no
    # option belongs to none and appears only in the totals. Modes are counted separately.
    used = [(r, set(r.service.split("+")) if r.service else set()) for r in requests]
    services = sorted(set().union(*(u for _, u in used), {v.service for v in log.vehicles}))
    out["per_service"] = {
        s: kpis(
            [r for r, u in used if s in u],
            [v for v in log.vehicles if v.service == s],
            [g for g in legs if g.service == s],
            [m for m in moves if m.service == s],
        )
        for s in services
    }
    modes = Counter(r.mode or "none" for r in requests if r.outcome is Outcome.SERVED)
    out["served_by_mode"] = dict(sorted(modes.items()))
    if log.remote is not None:
        # the control room (only with [remote_ops]; without it metrics.json is as before)
        out.update(remote_metrics(log.remote))
    if log.energy:
        # batteries (only with vehicle types that have a range)
        out.update(energy_metrics(log.energy))
    if log.remote is not None or log.energy:
        out.update(availability(log, log.planned_vehicle_s))
    if network is not None:
        out["network"] = network
    return _clean(out)


def _clean(value: Any) -> Any:
    """Replace NaN/inf by ``None`` so the JSON is standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
