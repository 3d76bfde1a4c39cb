"""A DRT service's vehicle plans and anchor states as arrays, for the compiled insertion search.

:class:`FleetArrays` keeps one row per vehicle: its plan's stops (kind, node, riders, time
windows, planned boarding and departure times, loads, drive times, idle-wait suffix, where each
drop-off's pickup is) and how to find its anchor at any later time (``kernel.MODE_*``). Rows
change only when something happens to a vehicle (:meth:`FleetArrays.touch`, called by the
vehicle process at each of its events and by the dispatcher after changing a plan), never for
every vehicle on every request: a plan is repacked only when its ``version`` moved, and the
anchor of a standing or driving vehicle is computed at search time by the kernel. One search
(:meth:`FleetArrays.search`) is one compiled call over the candidate vehicles.

The reference search (:func:`sim.model.drt.dispatch.best_insertion`) updates every vehicle's
anchor on every request; a standing vehicle's idle-wait at its stops then depends on the time of
the last request it saw. :meth:`FleetArrays.touch` reproduces that value when the vehicle next
moves, from the time of the last search of its area (``note_search``) and of the plan's own last
:meth:`~sim.model.drt.dispatch.VehiclePlan.reanchor`, so both searches see the same numbers.
Times are seconds since midnight, coordinates metres.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from sim.model.drt import kernel as K
from sim.model.drt.dispatch import Dwell, Insertion, LegRequest, StopKind, VehiclePlan
from sim.model.drt.kernel import (
    DROPOFF,
    MODE_DRIVE,
    MODE_FIXED,
    MODE_NOW,
    MODE_START,
    fleet_best,
)
from sim.model.drt.params import VehicleMode
from sim.tolerance import EPS

#: Margin (seconds) below a driving vehicle's anchor-time bound in the pruning index.
_TLB_MARGIN_S = 1e-3
#: The straight-line speed bound is raised by this factor so rounding never makes a bound exceed
#: the exact travel time.
_VMAX_MARGIN = 1.0 + EPS  # the one relative tolerance (sim/tolerance.py), 1e-9


class VehicleState(Protocol):
    """What :meth:`FleetArrays.touch` reads of a vehicle process (``simulation._Vehicle``)."""

    plan: VehiclePlan
    mode: VehicleMode
    pos: int
    start_s: float
    wake_s: float
    halt_until: float
    seg_nodes: list[int]
    seg_times: list[float]


class FleetArrays:
    """Plans and anchor states of one service's vehicles as arrays (see the module docstring).

    Parameters
    ----------
    vehicles
        ``(vehicle_id, area index)`` per vehicle; rows follow this order.
    n_areas
        How many areas the service has.
    x, y
        Node coordinates (metres) for the pruning index.
    vmax_mps
        Highest straight-line speed over any edge (m/s,
        :meth:`sim.network.oracle.TravelOracle.straight_line_speed_mps`); ``0`` disables pruning.
    """

    def __init__(
        self, vehicles: Sequence[tuple[int, int]], n_areas: int, x: np.ndarray, y: np.ndarray, vmax_mps: float
    ) -> None:
        n = len(vehicles)
        self.vid = np.array([v for v, _ in vehicles], dtype=np.int64)
        self.row_of = {v: r for r, (v, _) in enumerate(vehicles)}
        self.area_of = np.array([a for _, a in vehicles], dtype=np.int64)
        self.area_rows = [np.flatnonzero(self.area_of == a).astype(np.int64) for a in range(n_areas)]
        self.area_count = [0] * n_areas  # searches of each area so far
        self.area_t = [-math.inf] * n_areas  # time of each area's last search (seconds)
        self.xy = np.ascontiguousarray(np.vstack([x, y]), dtype=float)
        self.vmax = float(vmax_mps) * _VMAX_MARGIN
        # per vehicle: anchor state, pruning index (a disc holding every node the vehicle can be
        # anchored at until its next event, and a lower bound on its anchor time) and plan facts
        self.VF = np.zeros((n, 7))
        self.VF[:, K.VF_T] = self.VF[:, K.VF_TLB] = math.inf
        self.VI = np.zeros((n, 7), dtype=np.int64)
        self.VI[:, K.VI_MODE] = MODE_FIXED
        self.seg_nodes = np.zeros((n, 16), dtype=np.int64)
        self.seg_times = np.zeros((n, 16))
        self.version = np.full(n, -1, dtype=np.int64)
        self.st_count = np.zeros(n, dtype=np.int64)
        self.st_reanchors = np.zeros(n, dtype=np.int64)
        self.st_served = np.zeros(n, dtype=np.int64)
        # per stop (F: times in seconds; I: kind, node, riders, load after, pickup position)
        self.F = np.zeros((n, 17, 9))  # row, stop, field: a stop's fields side by side
        self.I = np.zeros((n, 17, 5), dtype=np.int64)
        self.pruned_total = 0  # vehicles set aside by the pruning index, all searches
        self.searched_total = 0  # vehicles searched after the reach test

    def _grow(self, width: int) -> None:
        """Make room for plans of ``width - 1`` stops (the idle-wait suffix has one more entry)."""
        old = self.F.shape[1]
        new = max(width, 2 * old)
        F = np.zeros((self.F.shape[0], new, self.F.shape[2]))
        I = np.zeros((self.I.shape[0], new, self.I.shape[2]), dtype=np.int64)  # noqa: E741
        F[:, :old], I[:, :old] = self.F, self.I
        self.F, self.I = F, I

    def pack(self, r: int, plan: VehiclePlan) -> None:
        """Copy ``plan`` (stops, times, loads) into row ``r``."""
        stops = plan.stops
        n = len(stops)
        if n + 1 > self.F.shape[1]:
            self._grow(n + 1)
        F, I, VI = self.F, self.I, self.VI  # noqa: E741
        VI[r, K.VI_N], VI[r, K.VI_CAP], VI[r, K.VI_LOAD] = n, plan.capacity, plan.load
        self.VF[r, K.VF_SHIFT_END] = plan.shift_end_s
        self.version[r] = plan.version
        self.st_served[r] = plan.served
        F[r, : n + 1, K.F_WS] = plan.wait_suffix
        if not n:
            return
        a = np.array([(s.kind, s.node, s.pax, s.earliest_s, s.latest_s, s.max_ride_s, s.duration_s) for s in stops])
        I[r, :n, K.I_KIND] = a[:, 0]
        I[r, :n, K.I_NODE] = a[:, 1]
        I[r, :n, K.I_PAX] = a[:, 2]
        F[r, :n, K.F_EARL : K.F_DUR + 1] = a[:, 3:7]
        F[r, :n, K.F_BOARD] = plan.board_s
        F[r, :n, K.F_DEPART] = plan.depart_s
        F[r, :n, K.F_LEGTT] = plan.leg_tt
        I[r, :n, K.I_LOADS] = plan.loads
        where: dict[int, int] = {}
        board_of = plan.board_of
        pick, bref = I[r, :, K.I_PICK], F[r, :, K.F_BREF]
        for k, s in enumerate(stops):
            if s.kind is StopKind.PICKUP:
                where[s.leg_id] = k
            elif s.kind is StopKind.DROPOFF:
                pick[k] = where.get(s.leg_id, -1)
                bref[k] = board_of[s.leg_id]

    def _shift(self, r: int, plan: VehiclePlan, k: int) -> None:
        """Row ``r`` after its plan served its first ``k`` stops (only that changed): the arrays
        move up by ``k``; a drop-off whose pickup was served refers to the boarding time kept."""
        n = int(self.VI[r, K.VI_N]) - k
        F, I = self.F, self.I  # noqa: E741
        F[r, : n + 1] = F[r, k : k + n + 1]
        I[r, :n] = I[r, k : k + n]
        pick = I[r, :n, K.I_PICK]
        pick -= k
        pick[pick < 0] = -1
        self.VI[r, K.VI_N], self.VI[r, K.VI_LOAD] = n, plan.load
        self.version[r], self.st_served[r] = plan.version, plan.served

    def load_plan(self, plan: VehiclePlan) -> None:
        """Pack ``plan`` with its anchor fixed where and when it is now (``plan.node`` at
        ``plan.time_s``): for plans outside a simulation, e.g. the comparison with the reference."""
        r = self.row_of[plan.vehicle_id]
        self.pack(r, plan)
        self._set(r, MODE_FIXED, plan.node, plan.time_s, plan.at_stop, plan.time_s, plan.node)

    def rows(self, vehicle_ids: Sequence[int]) -> np.ndarray:
        """The rows of these vehicles, in this order."""
        return np.array([self.row_of[v] for v in vehicle_ids], dtype=np.int64)

    def note_search(self, area: int, now: float) -> None:
        """A search of ``area`` at ``now`` (seconds) would have re-anchored all its standing vehicles."""
        self.area_count[area] += 1
        self.area_t[area] = now

    def touch(self, veh: VehicleState, now: float, tt: Callable[[int, int], float]) -> None:
        """Record ``veh``'s state after one of its events (``now``, seconds; ``tt`` the expected
        travel times): repack its plan if it changed, and store how to find its anchor."""
        plan = veh.plan
        r = self.row_of[plan.vehicle_id]
        if self.VI[r, K.VI_MODE] == MODE_NOW and self.version[r] == plan.version and self.VI[r, K.VI_N] > 0:
            self._settle_wait(r, plan)
        if self.version[r] != plan.version:
            shift = plan.served - self.st_served[r]
            if shift == plan.version - self.version[r] and shift <= self.VI[r, K.VI_N]:
                self._shift(r, plan, int(shift))
            else:
                self.pack(r, plan)
        a = int(self.area_of[r])
        self.st_count[r] = self.area_count[a]
        self.st_reanchors[r] = plan.reanchors
        m, pos = veh.mode, veh.pos
        if m is VehicleMode.BEFORE_SHIFT:
            self._set(r, MODE_START, pos, veh.start_s, False, max(now, veh.start_s), pos)
        elif m is VehicleMode.DRIVE:
            nodes = veh.seg_nodes
            L = len(nodes)
            if L > self.seg_nodes.shape[1]:
                cols, old = max(L, 2 * self.seg_nodes.shape[1]), self.seg_nodes.shape[1]
                grown_n, grown_t = np.zeros((len(self.vid), cols), dtype=np.int64), np.zeros((len(self.vid), cols))
                grown_n[:, :old], grown_t[:, :old] = self.seg_nodes, self.seg_times
                self.seg_nodes, self.seg_times = grown_n, grown_t
            self.seg_nodes[r, :L] = nodes
            self.seg_times[r, :L] = veh.seg_times
            self.VI[r, K.VI_SEGLEN] = L
            end = nodes[-1]
            self._set(r, MODE_DRIVE, end, math.nan, False, min(now, veh.seg_times[-1]) - _TLB_MARGIN_S, end)
            x, y = self.xy[0], self.xy[1]
            path = self.seg_nodes[r, :L]
            self.VF[r, K.VF_R] = float(np.max(np.hypot(x[path] - x[end], y[path] - y[end])))
        elif m is VehicleMode.SERVE:
            self._set(r, MODE_FIXED, pos, veh.wake_s, True, veh.wake_s, pos)
        elif m is VehicleMode.DONE:
            self._set(r, MODE_FIXED, pos, math.inf, False, math.inf, pos)
        elif m is VehicleMode.HALT:
            self._set(r, MODE_FIXED, pos, veh.halt_until, False, veh.halt_until, pos)
        elif m is VehicleMode.CHARGE:
            self._set(r, MODE_FIXED, pos, veh.wake_s, False, veh.wake_s, pos)
        else:  # standing (idle or waiting): anchored where it is, at the time of the search
            s0 = plan.stops[0].node if plan.stops else pos
            self.VF[r, K.VF_STEP0] = tt(pos, s0) if s0 != pos else 0.0
            self._set(r, MODE_NOW, pos, math.nan, plan.at_stop, now, pos)

    def _set(self, r: int, mode: int, node: int, t: float, at_stop: bool, tlb: float, centre: int) -> None:
        """Row ``r``'s anchor state, and its pruning disc centred on node ``centre`` (radius 0)."""
        VI, VF = self.VI, self.VF
        VI[r, K.VI_MODE], VI[r, K.VI_NODE], VI[r, K.VI_AT] = mode, node, at_stop
        VF[r, K.VF_T], VF[r, K.VF_TLB], VF[r, K.VF_R] = t, tlb, 0.0
        VF[r, K.VF_X], VF[r, K.VF_Y] = self.xy[0, centre], self.xy[1, centre]

    def _settle_wait(self, r: int, plan: VehiclePlan) -> None:
        """A standing vehicle moves on: give row ``r`` the idle wait at its stops as the last
        re-anchoring (a search of its area, or the plan's own) left it, as the reference does."""
        a = int(self.area_of[r])
        t_last = self.area_t[a] if self.area_count[a] > self.st_count[r] else -math.inf
        if plan.reanchors != self.st_reanchors[r] and plan.reanchored_s > t_last:
            t_last = plan.reanchored_s
        if t_last == -math.inf:
            return
        F = self.F
        step0 = float(self.VF[r, K.VF_STEP0])
        new = float(F[r, 0, K.F_BOARD]) - (t_last + step0) if self.I[r, 0, K.I_KIND] != DROPOFF else 0.0
        F[r, 0, K.F_WS] = float(F[r, 1, K.F_WS]) + new

    def search(
        self,
        now: float,
        rows: np.ndarray,
        leg: LegRequest,
        times_to: Callable[[int], np.ndarray],
        times_from: Callable[[int], np.ndarray],
        dwell: Dwell,
        *,
        max_candidates: int | None = None,
        wait_weight: float = 0.0,
        delay_weight: float = 0.0,
        ride_weight: float = 0.0,
        prune: bool = True,
    ) -> tuple[Insertion | None, int, int]:
        """The best insertion of ``leg`` over the vehicles of ``rows`` at ``now`` (as
        :func:`sim.model.drt.dispatch.best_insertion` over their plans, in row order), how many
        vehicles the pruning index set aside and how many passed the reach test and were searched.

        ``prune``: use the pruning index and the score lower bound (``kernel.vehicle_best``); both
        assume the plans were timed with the travel times given (not so while times vary by hour).
        """
        o, d = leg.origin, leg.dest
        to_o, from_o, to_d, from_d = times_to(o), times_from(o), times_to(d), times_from(d)
        bound = prune and min(wait_weight, delay_weight, ride_weight) >= 0.0
        qf = np.array([now, self.vmax if self.vmax > 0.0 else 1.0, leg.earliest_s, leg.latest_pickup_s, leg.max_ride_s,
                       leg.latest_dropoff_s, dwell.stop_s, dwell.board_s_per_pax, wait_weight, delay_weight, ride_weight])
        qi = np.array([o, d, leg.pax, -1 if max_candidates is None else max_candidates,
                       prune and self.vmax > 0.0, bound], dtype=np.int64)
        c, i, j, cost, board, drop, score, pruned, searched = fleet_best(
            rows, self.F, self.I, self.VF, self.VI, self.seg_nodes, self.seg_times, self.xy,
            to_o, from_o, to_d, from_d, qf, qi,
        )
        self.pruned_total += pruned
        self.searched_total += searched
        if c < 0:
            return None, int(pruned), int(searched)
        ins = Insertion(int(self.vid[rows[c]]), int(i), int(j), float(cost), float(board), float(drop), float(score))
        return ins, int(pruned), int(searched)
