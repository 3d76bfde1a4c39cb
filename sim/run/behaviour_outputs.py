"""Outputs of the behavioural demand: ``metrics.json`` additions and ``trips.csv``.

Keys added to ``metrics.json`` (all counts are trips of residents in the simulated day):

* ``trips_total`` – every trip, every mode; ``pt_share`` – the share of them by public transport;
  ``unmet_trips`` – the sum of ``unmet_demand``; ``mode_share`` {mode: share} and ``mode_trips``
  {mode: trips} over walk, bike, car (as driver), lift (car passenger), taxi, drt, line and
  drt+line (the public-transport kinds; autonomous lines are lines);
* ``service_trips`` {service: trips} – trips finally made on each public-transport service;
* ``unmet_demand`` {reason: trips} – trips that would have used public transport but found none
  (``no_service_at_time``, ``no_service_in_area``); separate from refusals by a running service;
* ``refused_fallback`` {mode: trips} – where trips went after a service refused them;
* ``pt_riders_by_group`` {"age band/car access": riders} – riders served by public transport
  (``drives`` = licence and household car, ``no_car`` otherwise);
* ``pt_trips_by_town`` {town: trips} – public-transport trips by the rider's home town;
* ``riders_per_line_trip`` – line riders ÷ scheduled line trips of the day;
* ``line_riders_65plus_share`` – share of line riders aged 65+.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from sim.atomic import write_csv
from sim.demand.population import AGE_BANDS
from sim.demand.tours import PURPOSES
from sim.model.eventlog import EventLog, Outcome
from sim.run.behaviour import PT_KINDS, UNMET_REASONS, BehaviouralDay
from sim.timeutil import format_clock

TRIPS_COLUMNS: tuple[str, ...] = (
    "trip_id", "person", "home_town", "age_band", "drives", "lift", "purpose", "leg", "origin", "destination",
    "desired_clock", "first_choice", "mode", "service", "why", "unmet_reason", "refusals",
)


def _kind(day: BehaviouralDay, alt: np.ndarray) -> np.ndarray:
    return np.asarray(day.kinds, dtype=object)[alt]


def _served_tours(day: BehaviouralDay, log: EventLog) -> list[tuple[int, int, str]]:
    """(tour, leg, service) of every request the services served."""
    out = []
    for r in log.requests:
        if r.outcome is Outcome.SERVED and r.request_id.startswith("T"):
            head = r.request_id.split("-")[0]
            out.append((int(head[1:-1]), 0 if head[-1] == "o" else 1, r.service))
    return out


def behaviour_metrics(day: BehaviouralDay, log: EventLog, line_trips: int) -> dict[str, Any]:
    """The keys listed in the module docstring, from the day's final modes and the event log."""
    n = day.tours.size
    total = 2 * n
    kinds = _kind(day, day.mode.ravel())
    counts = Counter(kinds.tolist())
    modes = list(dict.fromkeys(day.kinds))
    mode_trips = {m: int(counts.get(m, 0)) for m in modes}
    mode_share = {m: (c / total if total else 0.0) for m, c in mode_trips.items()}
    services = Counter(np.asarray(day.alts, dtype=object)[day.mode.ravel()].tolist())
    service_trips = {a: int(services.get(a, 0)) for a, k in zip(day.alts, day.kinds) if k in PT_KINDS}
    unmet = {reason: int(2 * (day.unmet == k + 1).sum()) for k, reason in enumerate(UNMET_REASONS)}
    moved = (day.why.ravel() != "chosen")
    fallback = Counter(kinds[moved].tolist())

    served = _served_tours(day, log)
    person = day.tours.person
    groups: Counter[str] = Counter()
    line_riders = line_old = 0
    kind_of = dict(zip(day.alts, day.kinds))
    for t, _leg, service in served:
        p = int(person[t])
        age = int(day.pop.age[p])
        groups[f"{AGE_BANDS[age]}/{'drives' if day.pop.drives[p] else 'no_car'}"] += 1
        if any(kind_of.get(s) == "line" for s in service.split("+")):
            line_riders += 1
            line_old += age >= 2
    is_pt = np.array([k in PT_KINDS for k in day.kinds])
    pt_trip = is_pt[day.mode]  # (n, 2)
    town = day.pop.town[person]
    by_town = Counter()
    for z, c in zip(*np.unique(np.repeat(town, 2)[pt_trip.ravel()], return_counts=True)):
        by_town[day.places.names[int(z)]] = int(c)
    pt_total = sum(c for m, c in mode_trips.items() if m in PT_KINDS)
    return {
        "trips_total": total,
        "pt_share": pt_total / total if total else 0.0,
        "unmet_trips": sum(unmet.values()),
        "mode_share": mode_share,
        "mode_trips": mode_trips,
        "service_trips": service_trips,
        "unmet_demand": unmet,
        "refused_fallback": dict(sorted(fallback.items())),
        "pt_riders_by_group": dict(sorted(groups.items())),
        "pt_trips_by_town": dict(sorted(by_town.items())),
        "riders_per_line_trip": (line_riders / line_trips) if line_trips else None,
        "line_riders_65plus_share": (line_old / line_riders) if line_riders else None,
    }


def write_trips_csv(day: BehaviouralDay, path: Path) -> None:
    """``trips.csv``: every trip of the day with its chosen mode and why (columns :data:`TRIPS_COLUMNS`)."""
    tr = day.tours
    names = day.places.names
    alts = day.alts
    rows = []
    for t in range(tr.size):
        p = int(tr.person[t])
        home = names[int(day.pop.town[p])]
        dest = names[int(tr.dest[t])]
        unmet = UNMET_REASONS[day.unmet[t] - 1] if day.unmet[t] else ""
        for leg in (0, 1):
            m = int(day.mode[t, leg])
            rows.append((
                f"T{t:06d}{'o' if leg == 0 else 'r'}", p, home, AGE_BANDS[int(day.pop.age[p])],
                int(day.pop.drives[p]), int(day.pop.lift[p]), PURPOSES[int(tr.purpose[t])],
                "out" if leg == 0 else "return", home if leg == 0 else dest, dest if leg == 0 else home,
                format_clock(tr.out_s[t] if leg == 0 else tr.back_s[t]), alts[int(day.first[t])],
                day.kinds[m], alts[m] if day.kinds[m] in PT_KINDS else "", day.why[t, leg], unmet,
                ";".join(day.refusals.get((t, leg), [])),
            ))
    write_csv(path, TRIPS_COLUMNS, rows)
