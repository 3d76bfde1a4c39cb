"""Riders of a DRT service who drop out: prebooked riders who cancel and riders who do not show up.

Pure bookkeeping over a :class:`~sim.model.drt.simulation.DrtSimulation`: which journeys will
drop out is drawn when they are booked, from the service's own generator (two uniform numbers
per booking, in booking order; nothing is drawn when both shares are 0). A cancellation removes
the journey's legs from the vehicles' plans ``cancel_lead_s`` before the promised pickup; a
no-show is found by the vehicle at the pickup (see ``_Vehicle._no_show``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.drt.dispatch import remove_legs
from sim.model.drt.params import DrtQuote
from sim.model.eventlog import Outcome

if TYPE_CHECKING:  # pragma: no cover
    from sim.model.drt.simulation import DrtSimulation


class RiderDropouts:
    """Cancellations and no-shows of one DRT service's riders."""

    def __init__(self, sim: DrtSimulation, rng: np.random.Generator | None) -> None:
        self.sim = sim
        self.rng = rng
        self.no_shows: set[int] = set()  # first legs of journeys whose riders will not show up
        self._journey_legs: dict[int, list[int]] = {}

    def draw(self, quote: DrtQuote, journey: int, prebooked: bool) -> None:
        """Decide now whether the rider of ``journey`` (booked with ``quote``) drops out.

        With a positive ``cancel_share`` or ``no_show_share``, two uniform numbers are drawn: a
        prebooked rider cancels if the first is below ``cancel_share`` (``cancel_lead_s`` before
        the promised pickup, at once if that has passed); otherwise the rider does not show up if
        the second is below ``no_show_share``.
        """
        sim, p = self.sim, self.sim.params
        if p.cancel_share <= 0 and p.no_show_share <= 0:
            return
        if self.rng is None:
            raise ValueError(f"{sim.name}: cancellations and no-shows need a random generator")
        u_cancel, u_show = self.rng.random(2)
        ids = [leg.leg_id for _, leg, _ in quote.legs]
        self._journey_legs[journey] = ids
        if prebooked and u_cancel < p.cancel_share:
            sim.env.process(self._cancel_at(journey, max(sim.env.now, quote.pickup_s - p.cancel_lead_s)))
        elif u_show < p.no_show_share:
            self.no_shows.add(ids[0])

    def _cancel_at(self, journey: int, at: float):
        env, pending = self.sim.env, self.sim.pending
        if at > env.now:
            yield env.timeout(at - env.now)
        first = self._journey_legs[journey][0]
        if first in pending and math.isnan(pending[first].pickup_s):  # a rider on board cannot cancel
            self.drop(journey, Outcome.CANCELLED)

    def drop(self, journey: int, outcome: Outcome) -> None:
        """Remove every leg of ``journey`` from the plans (its riders never board) and report it."""
        sim = self.sim
        ids = set(self._journey_legs.pop(journey))
        for leg_id in sorted(ids):
            pending = sim.pending.pop(leg_id, None)
            if pending is None:
                continue
            self.no_shows.discard(leg_id)
            vehicle = sim.by_id[pending.vehicle_id]
            vehicle.update_anchor(sim.env.now)
            if remove_legs(vehicle.plan, ids, sim.oracle.time_s, sim.params.dwell):
                vehicle.plan_changed()
        if sim.on_dropped is not None:
            sim.on_dropped(journey, outcome)
