"""The compiled insertion search (numba): one call searches one ride leg over a whole fleet.

The arithmetic is :func:`sim.model.drt.dispatch.best_insertion` written over arrays, operation for
operation in the same order (so every sum rounds the same way and ties break the same way: lowest
vehicle position first, then earliest pickup and drop-off positions, a later candidate replacing
the best only when it is lower by more than ``EPS``). The pure-Python search stays the reference;
``tests/model/drt/test_kernel.py`` checks that both pick the same insertion, bit for bit, on random
fleets. Arrays and their meaning are described by :class:`sim.model.drt.fleet.FleetArrays`, which
fills them; all times are seconds since midnight, all durations seconds.

Anchors are computed here, lazily, from each vehicle's state (``MODE_*``): a vehicle that stands
(``MODE_NOW``) is anchored at ``now`` where it is, a driving one at the first node of its path it
reaches at or after ``now`` (a bisection of its path times), others at a stored time.

Pruning (lossless): before a vehicle's plan is read, the index test
``tlb + max(0, |xy - origin| - r) / vmax > latest pickup`` discards vehicles that cannot reach
the pickup in time even at the network's highest speed in a straight line; ``(x, y, r)`` is a
disc that holds every node the vehicle can be anchored at until its next event and ``tlb`` a lower
bound on its anchor time. Since the bound never exceeds the exact reach (anchor time + travel
time), every vehicle it drops is one the exact reach test would drop too.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.tolerance import EPS_S

EPS = EPS_S
PICKUP, DROPOFF, BREAK = 0, 1, 2

MODE_FIXED = 0  # anchored at the stored node and time (serving, halted, charging, done)
MODE_NOW = 1  # standing: anchored at ``now`` where it is; the idle wait ahead is re-measured
MODE_START = 2  # before its shift: anchored at max(now, shift start)
MODE_DRIVE = 3  # driving: anchored at the first path node reached at or after ``now``

# fields of the stacked arrays (see ``sim.model.drt.fleet.FleetArrays``)
F_EARL, F_LATE, F_MRIDE, F_DUR, F_BOARD, F_DEPART, F_LEGTT, F_BREF, F_WS = range(9)  # per stop, seconds
I_KIND, I_NODE, I_PAX, I_LOADS, I_PICK = range(5)  # per stop
VF_T, VF_STEP0, VF_SHIFT_END, VF_X, VF_Y, VF_R, VF_TLB = range(7)  # per vehicle: seconds, metres
VI_MODE, VI_NODE, VI_AT, VI_CAP, VI_LOAD, VI_N, VI_SEGLEN = range(7)  # per vehicle
Q_NOW, Q_VMAX, Q_EARL, Q_LATE, Q_MRIDE, Q_LDROP, Q_STOP, Q_BOARD_PER, Q_WW, Q_DW, Q_RW = range(11)
QI_O, QI_D, QI_PAX, QI_MAX_CAND, QI_PRUNE, QI_BOUND = range(6)

#: Slack (seconds) of the score lower bound, far above the rounding of sums of times in a day.
LB_MARGIN_S = 1e-3
#: A vehicle searched with the global bound is searched again exactly when its best score is
#: below the best so far plus this (seconds): see ``fleet_best``.
RESEARCH_S = 1e-3
#: Vehicles whose best score is this far (seconds) above a known vehicle's are left out; it must
#: exceed (fleet size + 1) × EPS (see ``fleet_best``).
THETA_S = 1.0


@njit(cache=True)
def _propagate(
    v: int, k0: int, n: int, t: float, tt_first: float, same: bool, earlier: bool, i: int,
    F: np.ndarray, I: np.ndarray, nb: np.ndarray, stop_s: float, board_per: float,  # noqa: E741
) -> tuple[bool, float, float, float]:
    """Re-time stops ``k0..n-1`` of vehicle ``v``: (feasible, new end, idle wait, riders' delay)."""
    waited = 0.0
    delay = 0.0
    for k in range(k0, n):
        if k == k0:
            arrive = t + tt_first
            fixed = 0.0 if same else stop_s
        else:
            arrive = t + F[v, k, F_LEGTT]
            fixed = stop_s if I[v, k, I_NODE] != I[v, k - 1, I_NODE] else 0.0
        kd = I[v, k, I_KIND]
        if kd == PICKUP:
            start = arrive if arrive >= F[v, k, F_EARL] else F[v, k, F_EARL]
            if start > F[v, k, F_LATE] + EPS:
                return False, 0.0, 0.0, 0.0
            waited += start - arrive
            nb[k] = start
            if start < F[v, k, F_BOARD] - EPS:
                earlier = True
            t = start + fixed + board_per * I[v, k, I_PAX]
        elif kd == BREAK:
            start = arrive if arrive >= F[v, k, F_EARL] else F[v, k, F_EARL]
            if start > F[v, k, F_LATE] + EPS:
                return False, 0.0, 0.0, 0.0
            waited += start - arrive
            t = start + F[v, k, F_DUR]
        else:
            start = arrive
            p = I[v, k, I_PICK]
            boarded = nb[p] if p >= i else F[v, k, F_BREF]
            if start - boarded > F[v, k, F_MRIDE] + EPS or start > F[v, k, F_LATE] + EPS:
                return False, 0.0, 0.0, 0.0
            t = start + fixed
        if start > F[v, k, F_BOARD]:
            delay += I[v, k, I_PAX] * (start - F[v, k, F_BOARD])
        if not earlier and abs(t - F[v, k, F_DEPART]) <= EPS:
            return True, F[v, n - 1, F_DEPART], waited + F[v, k + 1, F_WS], delay
    return True, t, waited, delay


@njit(cache=True)
def vehicle_best(
    v: int, a_node: int, a_t: float, a_at_stop: bool, ws0: float, cap: int, load: int, shift_end_s: float, n: int,
    F: np.ndarray, I: np.ndarray, nb: np.ndarray, psum: np.ndarray,  # noqa: E741
    o: int, d: int, lpax: int, l_earl: float, l_late: float, l_mride: float, l_ldrop: float, od: float,
    to_o: np.ndarray, from_o: np.ndarray, to_d: np.ndarray, from_d: np.ndarray,
    stop_s: float, board_per: float, ww: float, dw: float, rw: float, bound: bool, thr_global: float,
) -> tuple[bool, int, int, float, float, float, float, bool]:
    """Best insertion of the leg into vehicle ``v`` (as ``dispatch.best_insertion_in``):
    (found, i, j, cost_s, pickup_s, dropoff_s, score, skipped).

    With ``bound``, insertions whose score cannot beat the vehicle's best so far (by more than
    ``EPS``, the reference's rule) are not re-timed; nor those that cannot be below
    ``thr_global`` (then ``skipped`` is set: the caller searches the vehicle again without it if
    the result could matter). The lower bound: the wait and ride terms and the delay at the stops
    before the drop-off as computed, plus a lower bound on the vehicle's added busy time (0 for
    pickups after the first stop, whose idle waits are the plan's own).
    """
    if lpax > cap:
        return False, 0, 0, 0.0, 0.0, 0.0, 0.0, False
    old_end = F[v, n - 1, F_DEPART] if n > 0 else a_t
    shift_end = shift_end_s if shift_end_s >= old_end else old_end
    found = False
    best_i, best_j = 0, 0
    best_cost = math.inf
    b_cost, b_board, b_drop = 0.0, 0.0, 0.0
    skipped = False
    if bound:  # riders at stops k.. (for the delay bound)
        psum[n] = 0
        for k in range(n - 1, -1, -1):
            psum[k] = psum[k + 1] + I[v, k, I_PAX]
    for i in range(n + 1):
        if i == 0:
            prev_node, prev_dep = a_node, a_t
            merge = a_node if a_at_stop else -1
            load_before = load
        else:
            prev_node, prev_dep = I[v, i - 1, I_NODE], F[v, i - 1, F_DEPART]
            merge = prev_node
            load_before = I[v, i - 1, I_LOADS]
        if prev_dep > l_late + EPS:
            break
        if load_before + lpax > cap:
            continue
        arrive_o = prev_dep + (0.0 if prev_node == o else to_o[prev_node])
        bd = arrive_o if arrive_o >= l_earl else l_earl
        if bd > l_late + EPS:
            continue
        dep_o = bd + (stop_s if o != merge else 0.0) + board_per * lpax
        lb_i = 0.0
        if bound:
            # the added busy time is the added driving and dwelling: at least the pickup's detour
            lb_i = ww * (bd - l_earl) - LB_MARGIN_S
            if i == 0:
                if n > 0:  # the idle wait ahead of the anchor may be counted from an older anchor
                    w = F[v, 0, F_BOARD] - a_t if I[v, 0, I_KIND] != DROPOFF and F[v, 0, F_BOARD] > a_t else 0.0
                    corr = ws0 - F[v, 1, F_WS] - w
                    lb_i += corr if corr < 0.0 else 0.0
            elif i < n:
                lb_i += to_o[I[v, i - 1, I_NODE]] + from_o[I[v, i, I_NODE]] - F[v, i, F_LEGTT]
            else:
                lb_i += to_o[I[v, i - 1, I_NODE]]
            if lb_i >= best_cost - EPS:
                continue
            if lb_i >= thr_global:
                skipped = True
                continue
        chain_node, chain_t = o, dep_o
        chain_earlier = False
        chain_wait = bd - arrive_o
        chain_delay = 0.0
        old_wait = ws0 if i == 0 else F[v, i, F_WS]
        for j in range(i, n + 1):
            if j > i:
                k = j - 1
                kd = I[v, k, I_KIND]
                if kd == BREAK:
                    break
                nk = I[v, k, I_NODE]
                if k == i:
                    step = 0.0 if nk == o else from_o[nk]
                else:
                    step = F[v, k, F_LEGTT]
                if nk != chain_node:
                    arrive = chain_t + step
                    fixed = stop_s
                else:
                    arrive = chain_t
                    fixed = 0.0
                if kd == PICKUP:
                    start = arrive if arrive >= F[v, k, F_EARL] else F[v, k, F_EARL]
                    if start > F[v, k, F_LATE] + EPS or I[v, k, I_LOADS] + lpax > cap:
                        break
                    chain_wait += start - arrive
                    nb[k] = start
                    if start < F[v, k, F_BOARD] - EPS:
                        chain_earlier = True
                    chain_t = start + fixed + board_per * I[v, k, I_PAX]
                else:
                    start = arrive
                    p = I[v, k, I_PICK]
                    boarded = nb[p] if p >= i else F[v, k, F_BREF]
                    if start - boarded > F[v, k, F_MRIDE] + EPS or start > F[v, k, F_LATE] + EPS:
                        break
                    chain_t = start + fixed
                if start > F[v, k, F_BOARD]:
                    chain_delay += I[v, k, I_PAX] * (start - F[v, k, F_BOARD])
                chain_node = nk
            if chain_node == o:
                arrive_d = chain_t + od
            else:
                arrive_d = chain_t + (0.0 if chain_node == d else to_d[chain_node])
            if arrive_d - bd > l_mride + EPS or arrive_d > l_ldrop + EPS:
                break
            dep_d = arrive_d + (stop_s if d != chain_node else 0.0)
            if bound:
                # the delay and ride terms only grow with j (later drop-offs arrive no earlier)
                lb = lb_i
                if dw != 0.0:
                    lb += dw * chain_delay
                if rw != 0.0:
                    lb += rw * lpax * (arrive_d - bd - od)
                if lb >= best_cost - EPS:
                    break
                if lb >= thr_global:
                    skipped = True
                    break
                if j > i:  # and the drop-off's detour
                    lb += to_d[chain_node] + (from_d[I[v, j, I_NODE]] - F[v, j, F_LEGTT] if j < n else 0.0)
                elif i > 0:  # both at once: replaces the pickup's detour
                    lb += od + (from_d[I[v, i, I_NODE]] if i < n else 0.0) - (from_o[I[v, i, I_NODE]] if i < n else 0.0)
                if dw != 0.0 and j < n:
                    # the next stop is served at least this late; the stops after it by that, less
                    # one dwell (a drop-off at its node takes its dwell) and the idle waits between
                    late_j = dep_d + (0.0 if I[v, j, I_NODE] == d else from_d[I[v, j, I_NODE]]) - F[v, j, F_BOARD]
                    if late_j > 0.0:
                        rest = late_j - stop_s - F[v, j + 1, F_WS]
                        lb += dw * (I[v, j, I_PAX] * late_j + (psum[j + 1] * rest if rest > 0.0 else 0.0))
                if lb >= best_cost - EPS:
                    continue
                if lb >= thr_global:
                    skipped = True
                    continue
            if j < n:
                nxt = I[v, j, I_NODE]
                same = nxt == d
                ok, new_end, rest_wait, rest_delay = _propagate(
                    v, j, n, dep_d, 0.0 if same else from_d[nxt], same, chain_earlier, i,
                    F, I, nb, stop_s, board_per,
                )
                if not ok:
                    continue
            else:
                new_end, rest_wait, rest_delay = dep_d, 0.0, 0.0
            if new_end > shift_end + EPS:
                continue
            cost = new_end - old_end
            busy = cost - (chain_wait + rest_wait - old_wait)
            score = busy + ww * (bd - l_earl)
            if dw != 0.0:
                score += dw * (chain_delay + rest_delay)
            if rw != 0.0:
                score += rw * lpax * (arrive_d - bd - od)
            if score < best_cost - EPS:
                best_cost = score
                found = True
                best_i, best_j, b_cost, b_board, b_drop = i, j, cost, bd, arrive_d
    return found, best_i, best_j, b_cost, b_board, b_drop, best_cost, skipped


@njit(cache=True, inline="always")
def _anchor(
    v: int, now: float, mode: np.ndarray, a_node: np.ndarray, a_t: np.ndarray, a_at: np.ndarray,
    a_step0: np.ndarray, n_stops: np.ndarray, kind: np.ndarray, board: np.ndarray, ws: np.ndarray,
    seg_len: np.ndarray, seg_nodes: np.ndarray, seg_times: np.ndarray,
) -> tuple[int, float, bool, float]:
    """Vehicle ``v``'s anchor at ``now``: (node, time, at a stop, idle wait at its stops from there),
    as ``simulation._Vehicle.update_anchor`` sets it."""
    m = mode[v]
    ws0 = ws[v, 0]
    if m == MODE_NOW:
        if n_stops[v] > 0:
            new = board[v, 0] - (now + a_step0[v]) if kind[v, 0] != DROPOFF else 0.0
            ws0 = ws[v, 1] + new
        return a_node[v], now, a_at[v] != 0, ws0
    if m == MODE_START:
        return a_node[v], now if now >= a_t[v] else a_t[v], False, ws0
    if m == MODE_DRIVE:
        L = seg_len[v]
        x = now - EPS
        lo, hi = 0, L  # bisect_left over seg_times[v, :L]
        while lo < hi:
            mid = (lo + hi) // 2
            if seg_times[v, mid] < x:
                lo = mid + 1
            else:
                hi = mid
        k = lo if lo < L - 1 else L - 1
        return seg_nodes[v, k], seg_times[v, k], False, ws0
    return a_node[v], a_t[v], a_at[v] != 0, ws0


@njit(cache=True)
def fleet_best(
    cand: np.ndarray, F: np.ndarray, I: np.ndarray, VF: np.ndarray, VI: np.ndarray,
    seg_nodes: np.ndarray, seg_times: np.ndarray, XY: np.ndarray,
    to_o: np.ndarray, from_o: np.ndarray, to_d: np.ndarray, from_d: np.ndarray, qf: np.ndarray, qi: np.ndarray,
) -> tuple[int, int, int, float, float, float, float, int, int]:
    """The best insertion of one leg over the vehicles ``cand`` (row indices, in the order the
    reference searches them), as ``dispatch.best_insertion`` does.

    The arrays are stacked by field (``F_*``, ``I_*``, ``VF_*``, ``VI_*``; few arguments keep
    numba's call overhead small); ``qf`` holds the float scalars (``Q_*``: now, straight-line
    speed bound, the leg's times, dwell, weights), ``qi`` the integer ones (``QI_*``: origin,
    destination, riders, candidate cut or -1, whether to prune, whether to bound scores).
    Returns (position in ``cand`` or -1, i, j, cost_s, pickup_s, dropoff_s, score, vehicles set
    aside by the pruning index, vehicles searched after the reach test). Pruning uses the index
    test; bounding skips insertions by the score lower bound (valid when the weights are not
    negative and plans are timed with the same travel times).
    """
    kind, board, ws = I[:, :, I_KIND], F[:, :, F_BOARD], F[:, :, F_WS]
    a_t, a_step0, shift_end = VF[:, VF_T], VF[:, VF_STEP0], VF[:, VF_SHIFT_END]
    ix, iy, ir, itlb = VF[:, VF_X], VF[:, VF_Y], VF[:, VF_R], VF[:, VF_TLB]
    mode, a_node, a_at, cap, load, n_stops, seg_len = (
        VI[:, VI_MODE], VI[:, VI_NODE], VI[:, VI_AT], VI[:, VI_CAP], VI[:, VI_LOAD], VI[:, VI_N], VI[:, VI_SEGLEN])
    xs, ys = XY[0], XY[1]
    now, vmax, l_earl, l_late, l_mride, l_ldrop = qf[Q_NOW], qf[Q_VMAX], qf[Q_EARL], qf[Q_LATE], qf[Q_MRIDE], qf[Q_LDROP]
    stop_s, board_per, ww, dw, rw = qf[Q_STOP], qf[Q_BOARD_PER], qf[Q_WW], qf[Q_DW], qf[Q_RW]
    o, d, lpax, max_cand = qi[QI_O], qi[QI_D], qi[QI_PAX], qi[QI_MAX_CAND]
    prune, bound = qi[QI_PRUNE] != 0, qi[QI_BOUND] != 0
    m = cand.shape[0]
    reach = np.empty(m)
    ok = np.zeros(m, dtype=np.bool_)
    an = np.empty(m, dtype=np.int64)
    at = np.empty(m)
    aa = np.zeros(m, dtype=np.bool_)
    aw = np.empty(m)
    ox, oy = xs[o], ys[o]
    count = 0
    pruned = 0
    for c in range(m):
        v = cand[c]
        if prune:
            dx, dy = ix[v] - ox, iy[v] - oy
            gap = math.sqrt(dx * dx + dy * dy) - ir[v]
            if itlb[v] + (gap / vmax if gap > 0.0 else 0.0) > l_late + EPS:
                pruned += 1
                continue
        nd, t, atst, w0 = _anchor(v, now, mode, a_node, a_t, a_at, a_step0, n_stops, kind, board, ws,
                                  seg_len, seg_nodes, seg_times)
        r = t + to_o[nd]
        if r <= l_late + EPS:
            ok[c] = True
            reach[c] = r
            an[c], at[c], aa[c], aw[c] = nd, t, atst, w0
            count += 1
    if max_cand >= 0 and count > max_cand:
        idx = np.flatnonzero(ok)
        order = np.argsort(reach[idx], kind="mergesort")[:max_cand]
        ok[:] = False
        ok[idx[order]] = True
    width = F.shape[1]
    nb = np.empty(width + 1)
    psum = np.zeros(width + 1, dtype=np.int64)
    od = 0.0 if o == d else from_o[d]
    # A first bound: the exact best score of the vehicle that reaches the pickup soonest. Vehicles
    # whose best scores are THETA_S or more above it cannot change the outcome of the reference's
    # scan (it ends at most EPS above the lowest score, and a scan that leaves out such vehicles
    # can differ from the full one only while both bests are within EPS per vehicle of the cut).
    theta = math.inf
    if bound:
        first = -1
        for c in range(m):
            if ok[c] and at[c] <= shift_end[cand[c]] + EPS and (first < 0 or reach[c] < reach[first]):
                first = c
        if first >= 0:
            v = cand[first]
            found, i, j, cost, bd, drop, score, skipped = vehicle_best(
                v, an[first], at[first], aa[first], aw[first], cap[v], load[v], shift_end[v], n_stops[v],
                F, I, nb, psum,
                o, d, lpax, l_earl, l_late, l_mride, l_ldrop, od, to_o, from_o, to_d, from_d,
                stop_s, board_per, ww, dw, rw, bound, math.inf,
            )
            if found:
                theta = score + THETA_S
    best_c, best_i, best_j = -1, 0, 0
    b_cost, b_board, b_drop, b_score = 0.0, 0.0, 0.0, 0.0
    searched = 0
    for c in range(m):
        if not ok[c]:
            continue
        v = cand[c]
        if at[c] > shift_end[v] + EPS:
            continue
        searched += 1
        cur = b_score if best_c >= 0 else math.inf
        thr = cur - EPS if cur - EPS < theta else theta
        found, i, j, cost, bd, drop, score, skipped = vehicle_best(
            v, an[c], at[c], aa[c], aw[c], cap[v], load[v], shift_end[v], n_stops[v],
            F, I, nb, psum,
            o, d, lpax, l_earl, l_late, l_mride, l_ldrop, od, to_o, from_o, to_d, from_d,
            stop_s, board_per, ww, dw, rw, bound, thr,
        )
        if skipped and found and score < (cur if cur < theta + EPS else theta + EPS) + RESEARCH_S:
            # insertions were set aside against the best so far; the vehicle's own choice among
            # near-equal ones may then differ from the reference's, so search it again exactly
            found, i, j, cost, bd, drop, score, skipped = vehicle_best(
                v, an[c], at[c], aa[c], aw[c], cap[v], load[v], shift_end[v], n_stops[v],
                F, I, nb, psum,
                o, d, lpax, l_earl, l_late, l_mride, l_ldrop, od, to_o, from_o, to_d, from_d,
                stop_s, board_per, ww, dw, rw, bound, math.inf,
            )
        if found and score < theta and (best_c < 0 or score < b_score - EPS):
            best_c, best_i, best_j, b_cost, b_board, b_drop, b_score = c, i, j, cost, bd, drop, score
    return best_c, best_i, best_j, b_cost, b_board, b_drop, b_score, pruned, searched
