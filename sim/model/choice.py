"""Passenger choice: generalised time of each option and the best ride on a timetabled line.

Pure code. Every option is valued the same way (seconds):

    generalised = walk_weight × walk + wait_weight × wait at the stop
                  + (wait before leaving home: the rest of the gap to the desired time)
                  + ride (first boarding to last alighting, transfer waits included)
                  + transfer_penalty × transfers

Waiting is defined the same way for every service: from the desired departure plus the walk to
the stop until boarding. Riders of a line whose headway is at least ``timetable_headway_s``
follow the timetable and reach the stop ``buffer_s`` before their departure (the rest of the
gap they spend at home); riders of frequent lines, and riders of immediate DRT requests, go to
the stop at once. Riders of booked DRT rides reach the stop ``buffer_s`` before the promised
pickup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.model.lines.timetable import LineLayout, LineQuote, Timetable
from sim.tolerance import EPS


@dataclass(frozen=True, slots=True)
class Weights:
    """Choice parameters in seconds and multipliers (see :class:`sim.scenario.ChoiceConfig`)."""

    walk: float
    wait: float
    transfer_penalty_s: float
    timetable_headway_s: float
    buffer_s: float
    walk_speed_mps: float


def wait_at_stop(gap_s: float, follows_schedule: bool, buffer_s: float) -> float:
    """The part of a wait of ``gap_s`` seconds spent at the stop."""
    return min(gap_s, buffer_s) if follows_schedule else gap_s


def generalised_s(w: Weights, *, walk_m: float, gap_s: float, at_stop_s: float, ride_s: float, transfers: int) -> float:
    """Generalised time of an option in seconds (formula in the module docstring)."""
    walk_s = walk_m / w.walk_speed_mps
    return w.walk * walk_s + w.wait * at_stop_s + (gap_s - at_stop_s) + ride_s + w.transfer_penalty_s * transfers


def effective_headway_s(layout: LineLayout) -> float:
    """The line's headway, or the mean interval between its first-stop departures."""
    if layout.headway_s is not None:
        return layout.headway_s
    deps = sorted(t.depart_s[0] for t in layout.trips if t.direction == 0)
    if len(deps) < 2:
        return math.inf
    return (deps[-1] - deps[0]) / (len(deps) - 1)


@dataclass(frozen=True, slots=True)
class StopCandidate:
    """A stop position of a line direction within walking distance (``walk_m``) of a point."""

    direction: int
    position: int
    walk_m: float


@dataclass(frozen=True, slots=True)
class LineOption:
    """The best ride on one line for a rider: the quote and its pieces."""

    quote: LineQuote
    walk_m: float
    at_stop_from_s: float
    gap_s: float
    at_stop_s: float
    cost_s: float


def best_line_ride(
    layout: LineLayout,
    timetable: Timetable,
    boards: Sequence[StopCandidate],
    alights: Sequence[StopCandidate],
    ready_s: float,
    w: Weights,
    *,
    extra_walk_m: float = 0.0,
    extra_ride_s: float = 0.0,
    transfers: int = 0,
) -> LineOption | None:
    """The least-generalised-time ride from any of ``boards`` to a later stop among ``alights``.

    ``ready_s`` is when the rider can leave the origin (or the hub); the walk to the boarding stop
    is added. ``extra_*`` and ``transfers`` account for the rest of a combined journey.
    """
    follows = effective_headway_s(layout) >= w.timetable_headway_s
    best: LineOption | None = None
    for b in boards:
        at_stop_from = ready_s + b.walk_m / w.walk_speed_mps
        trip_id = timetable.next_trip(b.direction, b.position, at_stop_from)
        if trip_id is None:
            continue
        trip = layout.trips[trip_id]
        for a in alights:
            if a.direction != b.direction or a.position <= b.position:
                continue
            # riders board when the vehicle arrives (or on reaching it while it dwells)
            dep = max(trip.arrive_s[b.position], at_stop_from)
            arr = trip.arrive_s[a.position]
            gap = dep - at_stop_from
            at_stop = wait_at_stop(gap, follows, w.buffer_s)
            walk = b.walk_m + a.walk_m + extra_walk_m
            cost = generalised_s(w, walk_m=walk, gap_s=gap, at_stop_s=at_stop, ride_s=arr - dep + extra_ride_s,
                                 transfers=transfers)
            if best is None or cost < best.cost_s - EPS:
                quote = LineQuote(layout.name, b.direction, b.position, a.position, trip_id,
                                  trip.stops[b.position], trip.stops[a.position], dep, arr)
                best = LineOption(quote, walk, dep - at_stop, gap, at_stop, cost)
    return best
