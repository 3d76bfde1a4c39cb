"""Building duties from pieces: greedy chaining and relocation, with indexes (issue 15).

Pure code, seconds throughout. The two steps give exactly the duties of the plain scans they
replace (the chained duty is the feasible one free last, ties to the later duty; a relocated
piece goes where it adds the least paid time, ties to the earlier duty); the indexes only skip
duties that cannot qualify:

* chaining keeps the open duties sorted by the end of their last piece (sign-off) and drops a
  duty from the index once its binding window has closed for every later piece (pieces come in
  order of sign-on); a duty's measures are updated incrementally when a piece is appended
  (:class:`_Run`), instead of re-assessing the whole duty;
* relocation tests the binding window, the vehicle-time overlap and the driving total of every
  duty at once with numpy arrays, and calls :func:`~sim.staffing.assess.assess` only on the
  duties that pass.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.staffing.assess import Assessment, DutyRules, Piece, _merge, assess
from sim.tolerance import EPS_S as EPS

#: Slack (s) of the driving-total pre-filter, so that it never rejects a duty assess accepts.
_DRIVING_SLACK_S = 1.0


@dataclass(frozen=True, slots=True)
class _Run:
    """Running measures of a duty whose pieces come in time order (what :func:`assess` sums)."""

    start_s: float
    last_block: str
    last_end_s: float
    last_lead_out_s: float
    driving_s: float
    acc_s: float
    brk_s: float
    longest_s: float
    prev_end_s: float | None


def _open(p: Piece, rules: DutyRules) -> _Run:
    run = _Run(p.on_s, p.block_id, p.end_s, p.lead_out_s, 0.0, 0.0, 0.0, 0.0, None)
    return _drive(run, p, rules)


def _drive(r: _Run, p: Piece, rules: DutyRules) -> _Run:
    """``r`` with the drives of ``p`` added (continuous driving as :func:`continuous_driving`)."""
    driving, acc, brk, longest, prev_end = r.driving_s, r.acc_s, r.brk_s, r.longest_s, r.prev_end_s
    for a, b in p.drives:
        if prev_end is not None:
            gap = a - prev_end
            if gap >= rules.break_piece_s - EPS and gap > EPS:
                brk += gap
                if brk >= rules.break_total_s - EPS:
                    acc = brk = 0.0
        acc += b - a
        longest = max(longest, acc)
        prev_end = b
        driving += b - a
    return _Run(r.start_s, p.block_id, p.end_s, p.lead_out_s, driving, acc, brk, longest, prev_end)


def _append(r: _Run, p: Piece, rules: DutyRules) -> _Run | None:
    """The duty ``r`` with ``p`` appended after its last piece, if it stays feasible."""
    if not (r.last_block == p.block_id and abs(r.last_end_s - p.start_s) <= EPS):
        need = 0.0 if rules.free_connections else r.last_lead_out_s + p.lead_in_s
        if p.start_s - r.last_end_s < need - EPS:
            return None
    n = _drive(r, p, rules)
    if p.off_s - n.start_s > rules.max_binding_s + EPS:
        return None
    if rules.max_driving_s is not None and n.driving_s > rules.max_driving_s + EPS:
        return None
    if rules.max_continuous_s is not None and n.longest_s > rules.max_continuous_s + EPS:
        return None
    return n


def chain(pieces: Sequence[Piece], rules: DutyRules) -> list[list[Piece]]:
    """Greedy chaining: each piece (by sign-on) joins the feasible duty free last, else a new one."""
    duties: list[list[Piece]] = []
    runs: list[_Run] = []
    keys: list[tuple[float, int]] = []  # (sign-off of the last piece, duty index) of open duties
    limit = rules.max_binding_s + EPS
    reach = max((p.lead_out_s for p in pieces), default=0.0) + 1.0
    for p in sorted(pieces, key=lambda p: (p.on_s, p.off_s)):
        k = bisect.bisect_right(keys, (p.start_s + EPS + reach, math.inf)) - 1
        best, best_run, closed = -1, None, []
        while k >= 0:
            _, idx = keys[k]
            d = duties[idx]
            if p.on_s - d[0].on_s > limit:  # window closed for this and every later piece
                closed.append(keys[k])
            elif p.off_s - d[0].on_s <= limit and d[-1].end_s <= p.start_s + EPS:
                best_run = _append(runs[idx], p, rules)
                if best_run is not None:
                    best = idx
                    break
            k -= 1
        for key in closed:
            del keys[bisect.bisect_left(keys, key)]
        if best >= 0 and best_run is not None:
            del keys[bisect.bisect_left(keys, (duties[best][-1].off_s, best))]
            duties[best].append(p)
            runs[best] = best_run
            bisect.insort(keys, (p.off_s, best))
        else:
            duties.append([p])
            runs.append(_open(p, rules))
            bisect.insort(keys, (p.off_s, len(duties) - 1))
    return duties


def _clash(d: Sequence[Piece], p: Piece) -> bool:
    """Whether ``p`` overlaps a piece of ``d`` in vehicle time (a quick reject before :func:`assess`)."""
    return any(p.start_s < q.end_s - EPS and q.start_s < p.end_s - EPS for q in d)


def _fits(d: Sequence[Piece], p: Piece, rules: DutyRules) -> Assessment | None:
    """The duty ``d`` with ``p`` added, if feasible (callers check the binding window first)."""
    if _clash(d, p):
        return None
    a = assess([*d, p], rules)
    return a if a.feasible else None


def _paid_with(m: Sequence[Piece], keys: Sequence[tuple[float, float]], p: Piece, rules: DutyRules) -> float | None:
    """Paid time of the duty with merged, sorted pieces ``m`` (sort keys ``keys``) plus ``p``, or None if infeasible.

    The same arithmetic, in the same order, as :func:`assess` of ``[*m, p]`` (so the same paid
    time to the last bit), without building the merged pieces and the assessment.
    """
    k = bisect.bisect_right(keys, (p.start_s, p.end_s))
    seq = (*m[:k], p, *m[k:])
    first = seq[0]
    start = first.start_s - first.lead_in_s
    block, end, lead_out = first.block_id, first.end_s, first.lead_out_s
    unpaid = 0.0
    for q in seq[1:]:
        if q.block_id == block and abs(end - q.start_s) <= EPS:
            end, lead_out = q.end_s, q.lead_out_s
            continue
        need = 0.0 if rules.free_connections else lead_out + q.lead_in_s
        gap = q.start_s - end
        if gap < need - EPS:
            return None
        unpaid += max(0.0, gap - need)
        block, end, lead_out = q.block_id, q.end_s, q.lead_out_s
    binding = (end + lead_out) - start
    if binding > rules.max_binding_s + EPS:
        return None
    if rules.driving:
        run = _open(seq[0], rules)
        for q in seq[1:]:
            run = _drive(run, q, rules)
        driving, longest = run.driving_s, run.longest_s
        if rules.max_driving_s is not None and driving > rules.max_driving_s + EPS:
            return None
        if rules.max_continuous_s is not None and longest > rules.max_continuous_s + EPS:
            return None
    return binding - unpaid


class _Index:
    """Arrays over the duties of a relocation: spans, driving totals, and every piece's times."""

    def __init__(self, work: Sequence[list[Piece] | None], span: Sequence[tuple[float, float]]) -> None:
        n = len(work)
        self.alive = np.array([d is not None for d in work], dtype=bool)
        self.lo = np.array([s[0] for s in span], dtype=float)
        self.hi = np.array([s[1] for s in span], dtype=float)
        self.driving = np.array([sum(q.driving_s for q in d) if d else 0.0 for d in work], dtype=float)
        owner = [j for j, d in enumerate(work) if d for _ in d]
        self.owner = np.array(owner, dtype=np.int64)
        self.starts = np.array([q.start_s for d in work if d for q in d], dtype=float)
        self.ends = np.array([q.end_s for d in work if d for q in d], dtype=float)
        self.n = n

    def candidates(self, p: Piece, i: int, rules: DutyRules) -> np.ndarray:
        """Duties other than ``i`` that ``p`` might fit (a superset of those it fits), ascending."""
        ok = self.alive.copy()
        ok[i] = False
        ok &= np.maximum(self.hi, p.off_s) - np.minimum(self.lo, p.on_s) <= rules.max_binding_s + EPS
        if rules.max_driving_s is not None:
            ok &= self.driving + p.driving_s <= rules.max_driving_s + EPS + _DRIVING_SLACK_S
        hit = (p.start_s < self.ends - EPS) & (self.starts < p.end_s - EPS)
        ok[self.owner[hit]] = False
        return np.flatnonzero(ok)


def relocate(duties: list[list[Piece]], rules: DutyRules) -> list[list[Piece]]:
    """Empty duties by moving their pieces into other duties; repeat while one disappears.

    Duties are tried from the fewest pieces and least paid time; each piece goes where it adds
    the least paid time (ties to the earlier duty). A duty is emptied only if all its pieces
    find a place.
    """
    work: list[list[Piece] | None] = [list(d) for d in duties]
    merged: list[tuple[Piece, ...]] = [_merge(d) for d in duties]
    keys = [[(q.start_s, q.end_s) for q in m] for m in merged]
    paid = [assess(d, rules).paid_s for d in duties]
    span = [(min(q.on_s for q in d), max(q.off_s for q in d)) for d in duties]
    limit = rules.max_binding_s + EPS
    index = _Index(work, span)
    improved = True
    while improved:
        improved = False
        order = sorted(range(len(work)), key=lambda i: (len(work[i] or ()), paid[i]))
        for i in order:
            d = work[i]
            if d is None:
                continue
            tentative: dict[int, Assessment] = {}
            ok = True
            for p in sorted(d, key=lambda p: p.start_s - p.end_s):
                best, best_cost, best_a, quick = -1, math.inf, None, False
                p_on, p_off = p.on_s, p.off_s
                solid = p.end_s > p.start_s + EPS
                cands = set(index.candidates(p, i, rules).tolist()) | tentative.keys()
                for j in sorted(cands):
                    e = work[j]
                    if j == i or e is None:
                        continue
                    if j in tentative:
                        lo, hi = tentative[j].start_s, tentative[j].end_s
                        if max(hi, p_off) - min(lo, p_on) > limit:
                            continue
                        a = _fits(list(tentative[j].pieces), p, rules)
                    elif solid:
                        # window and vehicle-time overlap already checked by the index
                        new_paid = _paid_with(merged[j], keys[j], p, rules)
                        if new_paid is not None and new_paid - paid[j] < best_cost:
                            best, best_cost, best_a = j, new_paid - paid[j], None
                            quick = True
                        continue
                    else:
                        lo, hi = span[j]
                        if max(hi, p_off) - min(lo, p_on) > limit:
                            continue
                        a = _fits(e, p, rules)
                    if a is not None:
                        base = tentative[j].paid_s if j in tentative else paid[j]
                        if a.paid_s - base < best_cost:
                            best, best_cost, best_a = j, a.paid_s - base, a
                            quick = False
                if best >= 0 and quick:
                    best_a = assess([*merged[best], p], rules)
                if best_a is None:
                    ok = False
                    break
                tentative[best] = best_a
            if ok:
                for j, a in tentative.items():
                    work[j] = list(a.pieces)
                    merged[j] = a.pieces
                    keys[j] = [(q.start_s, q.end_s) for q in a.pieces]
                    paid[j] = a.paid_s
                    span[j] = (min(q.on_s for q in a.pieces), max(q.off_s for q in a.pieces))
                work[i] = None
                index = _Index(work, span)
                improved = True
    return [d for d in work if d is not None]
