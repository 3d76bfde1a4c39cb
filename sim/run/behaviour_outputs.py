"""Outputs of the behavioural demand: ``metrics.json`` additions and ``trips.csv``.

Keys added to ``metrics.json`` (all counts are trips of residents in the simulated day):

The scalar ones are registered in :mod:`sim.kpis` (group ``DEMAND``), so studies can vary and
size against them (``size --target "pt_share>=0.002"``).

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
  ``unmet_by_town`` {town: {reason: trips}} – unmet demand by home town;
* ``riders_per_line_trip`` – line riders ÷ scheduled line trips of the day;
* ``line_riders_65plus_share`` – share of line riders aged 65+.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from sim.atomic import csv_fields, write_csv_lines
from sim.demand.population import AGE_BANDS
from sim.demand.tours import PURPOSES
from sim.model.eventlog import EventLog, Outcome
from sim.run.behaviour import PT_KINDS, UNMET_REASONS, BehaviouralDay

TRIPS_COLUMNS: tuple[str, ...] = (
    "trip_id",
    "person",
    "home_town",
    "age_band",
    "drives",
    "lift",
    "purpose",
    "leg",
    "origin",
    "destination",
    "desired_clock",
    "first_choice",
    "mode",
    "service",
    "why",
    "unmet_reason",
    "refusals",
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


def behaviour_metrics(
    day: BehaviouralDay, log: EventLog, line_trips: int
) -> dict[str, Any]:
    """The keys listed in the module docstring, from the day's final modes and the event log."""
    n = day.tours.size
    total = 2 * n
    kinds = _kind(day, day.mode.ravel())
    counts = Counter(kinds.tolist())
    modes = list(dict.fromkeys(day.kinds))
    mode_trips = {m: int(counts.get(m, 0)) for m in modes}
    mode_share = {m: (c / total if total else 0.0) for m, c in mode_trips.items()}
    services = Counter(np.asarray(day.alts, dtype=object)[day.mode.ravel()].tolist())
    service_trips = {
        a: int(services.get(a, 0)) for a, k in zip(day.alts, day.kinds) if k in PT_KINDS
    }
    unmet = {
        reason: int(2 * (day.unmet == k + 1).sum())
        for k, reason in enumerate(UNMET_REASONS)
    }
    moved = day.why.ravel() != "chosen"
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
    for z, c in zip(
        *np.unique(np.repeat(town, 2)[pt_trip.ravel()], return_counts=True)
    ):
        by_town[day.places.names[int(z)]] = int(c)
    unmet_town: dict[str, dict[str, int]] = {}
    for k, reason in enumerate(UNMET_REASONS):
        zs, cs = np.unique(town[day.unmet == k + 1], return_counts=True)
        for z, c in zip(zs.tolist(), cs.tolist()):
            unmet_town.setdefault(day.places.names[int(z)], {})[reason] = 2 * int(c)
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
        "unmet_by_town": dict(sorted(unmet_town.items())),
        "riders_per_line_trip": (line_riders / line_trips) if line_trips else None,
        "line_riders_65plus_share": (line_old / line_riders) if line_riders else None,
    }


def _clock(seconds: np.ndarray) -> list[str]:
    """``HH:MM:SS`` of whole seconds since midnight (vectorised :func:`~sim.timeutil.format_clock`):
    each distinct second is formatted once."""
    t = np.round(seconds).astype(np.int64)
    unique, index = np.unique(t, return_inverse=True)
    text = np.array([f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in unique.tolist()], dtype=object)
    return text[index.ravel()].tolist()


def _fields(values: Any) -> np.ndarray:
    """Labels as CSV cells (neutralised and quoted, :func:`~sim.atomic.csv_fields`), as an object array."""
    return np.asarray(csv_fields(values), dtype=object)


def write_trips_csv(day: BehaviouralDay, path: Path) -> None:
    """``trips.csv``: every trip of the day with its chosen mode and why (columns :data:`TRIPS_COLUMNS`).

    Rows: the outbound then the return of tour 0, of tour 1, ... Every text cell is one of a few
    labels (town, age band, purpose, alternative, reason) formatted as a CSV cell once per label,
    and the rows are joined from those cells (the bytes :func:`~sim.atomic.write_csv` would write).
    """
    tr, pop = day.tours, day.pop
    n = tr.size
    names = _fields(day.places.names)
    alts = _fields(day.alts)
    kinds = _fields(day.kinds)
    person = tr.person
    home = names[pop.town[person]]
    dest = names[tr.dest]
    rep = lambda a: np.repeat(np.asarray(a, dtype=object), 2)
    mode = day.mode.ravel()
    is_pt = np.isin(np.asarray(day.kinds, dtype=object)[mode], PT_KINDS)
    why_labels, why_index = np.unique(day.why.ravel().astype(str), return_inverse=True)
    refusals = [""] * (2 * n)
    for (t, leg), gone in day.refusals.items():
        refusals[2 * t + leg] = csv_fields([";".join(gone)])[0]
    numbers = [str(i) for i in range(max(n, int(person.max(initial=0)) + 1, 2))]
    columns = [
        [f"T{t:06d}{c}" for t in range(n) for c in ("o", "r")],
        rep(np.asarray(numbers, dtype=object)[person]).tolist(),
        rep(home).tolist(),
        rep(_fields(AGE_BANDS)[pop.age[person]]).tolist(),
        rep(np.where((pop.licence & pop.car)[person], "1", "0")).tolist(),
        rep(np.where(pop.lift[person], "1", "0")).tolist(),
        rep(_fields(PURPOSES)[tr.purpose]).tolist(),
        ["out", "return"] * n,
        np.column_stack([home, dest]).ravel().tolist(),
        np.column_stack([dest, home]).ravel().tolist(),
        _clock(np.column_stack([tr.out_s, tr.back_s]).ravel()),
        rep(alts[day.first]).tolist(),
        kinds[mode].tolist(),
        np.where(is_pt, alts[mode], "").tolist(),
        _fields(why_labels.tolist())[why_index.ravel()].tolist(),
        rep(_fields(["", *UNMET_REASONS])[day.unmet]).tolist(),
        refusals,
    ]
    write_csv_lines(path, TRIPS_COLUMNS, map(",".join, zip(*columns)))
