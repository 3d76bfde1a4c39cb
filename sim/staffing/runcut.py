"""Run-cutting: cut blocks of work into staff duties under working-time rules.

Pure code: no simpy, nothing from the scenario. Times are seconds since midnight of the
service day; durations seconds.

Terms
-----
block
    Work that one person at a time must cover without a gap: a vehicle from pull-out to
    pull-in (with its driving intervals), or one layer of a control-room need. A block has
    *relief points*, the only times at which staff may change: for a vehicle, the start or end
    of any span in which it stands at a stop or at the depot (a dwell, or idling between moves).
    Preparation before pull-out (``lead_in_s``) and handover after pull-in (``lead_out_s``)
    belong to the block.
piece
    The part of a block between two consecutive cuts (block start, chosen relief points,
    block end). Its *lead-in* is the preparation if it starts at pull-out, otherwise the relief
    handover plus, for a relief point away from the depot, the travel out from the depot; its
    *lead-out* likewise (handover after pull-in, or relief handover plus travel back).
duty
    One person's working day: one or more pieces, of any blocks, that do not overlap once
    lead-in and lead-out are counted (a *split duty* when there is unpaid time between
    pieces). Desk roles (``free_connections``) switch between pieces without connection time.

Measures of a duty (columns of ``duties.csv``)
---------------------------------------------
* start = lead-in start of the first piece; end = lead-out end of the last piece.
* binding time (拘束時間) = end − start.
* driving time = total time in the pieces' driving intervals.
* continuous driving = driving accumulated since breaks last added up to ``break_total_s``,
  counting only non-driving spans of at least ``break_piece_s`` between two drives. A span is
  any time without driving: the vehicle standing at a stop or the depot, relief travel, or time
  off between pieces. This is our reading of 運転の中断 in the 改善基準告示: an idle or dwell span
  of ≥ 10 min counts as a break piece even though the driver stays with the vehicle (it is the
  vehicle that stands, waiting for bookings). Time before the duty's first drive does not count.
* break total = the sum of those spans for driving roles; for other roles the time off between
  pieces in spans of at least ``break_piece_s``.
* paid time = binding time − time off between pieces beyond the connection time.

Rules (:class:`DutyRules`): binding ≤ ``max_binding_s``; for driving roles also driving ≤
``max_driving_s`` and continuous driving ≤ ``max_continuous_s``; pieces must not overlap.
The rest-between-duties rule is enforced by the caller through ``max_binding_s`` (a duty
worked on consecutive days leaves 24 h − binding as rest).

Method (:func:`cut_duties`)
---------------------------
1. *Cut* each block into pieces with one of four strategies: ``forward`` (from pull-out,
   always at the latest relief point that keeps the piece a legal one-piece duty: fewest
   pieces), ``backward`` (the same from pull-in), ``balanced`` (the forward number of pieces,
   cut at the legal relief points nearest equal shares of the block) and ``fine`` (at every
   relief point, or every k-th so that a block gives at most 40 pieces).
2. *Chain* the pieces into duties: in order of sign-on, each piece joins the feasible duty
   that became free last (least idle time; the next piece of the same block joins its
   predecessor without a relief, which is how ``fine`` pieces are glued back), or opens a
   new duty.
3. *Improve* by relocation: try to empty each duty (fewest pieces and least paid time first)
   by moving every piece into another duty where it stays legal and adds the least paid time;
   repeat while a duty disappears.
4. Try each strategy for all blocks, then each alternative for one block at a time
   (coordinate descent: two passes for every fleet size, within a work budget of
   ``_DESCENT_WORK`` trial solves × blocks², which covers both passes up to 20 blocks and gives
   fewer trials smoothly above, none from 220 blocks), and keep the
   solution with the fewest rule violations, then fewest duties, then least paid time, then
   the shortest longest duty (which prefers a balanced early/late split).

A stretch between two relief points that no single duty can cover (say 5 h of driving with
no stop) cannot be cut legally: it becomes its own duty and the duty lists the rule it breaks
in ``violations``; nothing is hidden.

Optimality gap. :func:`exact_min_duties` enumerates every set of cuts and every partition of
the pieces into duties (small cases only); :func:`lower_bound` gives max(peak number of blocks
at once, ⌈total block time / max binding⌉, ⌈total driving / max driving⌉). On 600 random small
cases (1–3 blocks, at most 8 relief points in all, rules scaled down to binding 4 h, driving
3 h, continuous 1.5 h so that cutting matters; generator ``small_case`` in
``tests/test_staffing.py``) the heuristic found the exact minimum in 599 and one duty more in
one. The lower bound is loose: the exact minimum exceeded it in about 60 % of those cases, so
``duties_lower_bound`` in ``staffing.json`` brackets the answer but does not certify it. Time:
about 1 s for 60 all-day vehicles with 40 relief points each; 20 CPU-s for 1,000 vehicles
(``python benchmarks/runcut.py``; indexes in :mod:`sim.staffing.chaining`).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.staffing.assess import (
    Assessment,
    DutyRules,
    Piece,
    _monotone_ok,
    assess,
    continuous_driving,
)
from sim.staffing.chaining import chain, relocate
from sim.tolerance import EPS as EPS_RATIO
from sim.tolerance import EPS_S as EPS

__all__ = [
    "EPS", "Assessment", "Block", "Duty", "DutyRules", "Piece", "Relief", "assess", "continuous_driving",
    "cut_duties", "exact_min_duties", "lower_bound",
]
#: The ``fine`` strategy cuts a block into at most this many pieces (at every k-th relief point).
_FINE_PIECES = 40
#: Coordinate descent: this many passes over the blocks, for every fleet size ...
_DESCENT_PASSES = 2
#: ... within this work budget: trial solves × blocks² (a trial re-solves every block). It covers
#: two full passes of 3 alternatives up to 20 blocks; larger fleets get fewer trials, smoothly.
_DESCENT_WORK = _DESCENT_PASSES * 3 * 20 * 20**2


@dataclass(frozen=True, slots=True)
class Relief:
    """A time at which staff may change on a block; ``at_base`` if at the depot or control room."""

    time_s: float
    at_base: bool = True


@dataclass(frozen=True, slots=True)
class Block:
    """Work one person at a time must cover from ``start_s`` to ``end_s`` (seconds).

    ``drives`` are sorted, disjoint driving intervals inside the block; ``reliefs`` sorted
    relief points strictly inside it and not inside a drive; ``lead_in_s``/``lead_out_s`` the
    preparation before the start and handover after the end (seconds).
    """

    block_id: str
    start_s: float
    end_s: float
    drives: tuple[tuple[float, float], ...] = ()
    reliefs: tuple[Relief, ...] = ()
    lead_in_s: float = 0.0
    lead_out_s: float = 0.0
    vehicles: tuple[int, ...] = ()
    services: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        name = f"block {self.block_id!r}"
        if not (math.isfinite(self.start_s) and math.isfinite(self.end_s)) or self.end_s < self.start_s:
            raise ValueError(f"{name}: end_s {self.end_s} must be a time at or after start_s {self.start_s}")
        if self.lead_in_s < 0 or self.lead_out_s < 0:
            raise ValueError(f"{name}: negative lead time ({self.lead_in_s}, {self.lead_out_s})")
        prev = self.start_s
        for a, b in self.drives:
            if a < prev - EPS or b < a or b > self.end_s + EPS:
                raise ValueError(f"{name}: drive ({a}, {b}) is not sorted, disjoint and inside ({self.start_s}, {self.end_s})")
            prev = b
        prev = self.start_s
        k = 0
        for r in self.reliefs:
            if not prev < r.time_s < self.end_s:
                raise ValueError(f"{name}: relief at {r.time_s} is not sorted strictly inside ({self.start_s}, {self.end_s})")
            while k < len(self.drives) and self.drives[k][1] <= r.time_s + EPS:
                k += 1
            if k < len(self.drives) and self.drives[k][0] < r.time_s - EPS:
                raise ValueError(f"{name}: relief at {r.time_s} falls inside drive {self.drives[k]}")
            prev = r.time_s


@dataclass(frozen=True, slots=True)
class Duty:
    """One person's working day (one row of ``duties.csv``); times in seconds."""

    role: str
    duty_id: str
    start_s: float
    end_s: float
    binding_s: float
    driving_s: float
    max_continuous_s: float
    break_total_s: float
    paid_s: float
    pieces: tuple[Piece, ...]
    violations: tuple[str, ...] = ()

    @property
    def vehicles(self) -> tuple[int, ...]:
        """Vehicles this duty works on, sorted."""
        return tuple(sorted({v for p in self.pieces for v in p.vehicles}))

    @property
    def services(self) -> tuple[str, ...]:
        """Services this duty works for, sorted."""
        return tuple(sorted({s for p in self.pieces for s in p.services}))

    @property
    def gaps_s(self) -> float:
        """Unpaid time between pieces (binding − paid)."""
        return self.binding_s - self.paid_s


# --------------------------------------------------------------------------- cutting blocks


class _Cutter:
    """Pieces of one block between cut points ``0..n`` (block start, reliefs, block end)."""

    def __init__(self, block: Block, rules: DutyRules) -> None:
        self.block = block
        self.rules = rules
        self.times = [block.start_s, *(r.time_s for r in block.reliefs), block.end_s]
        self.base = [True, *(r.at_base for r in block.reliefs), True]
        self.n = len(self.times) - 1
        self._starts = [a for a, _ in block.drives]
        self._pieces: dict[tuple[int, int], Piece] = {}
        self._ok: dict[tuple[int, int], bool] = {}
        self._forward: dict[int, list[int]] = {}

    def _lead(self, k: int, end: bool) -> float:
        b, r = self.block, self.rules
        if k == 0 and not end:
            return b.lead_in_s
        if k == self.n and end:
            return b.lead_out_s
        return r.relief_handover_s + (0.0 if self.base[k] else r.relief_travel_s)

    def piece(self, i: int, j: int) -> Piece:
        key = (i, j)
        if key not in self._pieces:
            a, b = self.times[i], self.times[j]
            lo = bisect.bisect_left(self._starts, a - EPS)
            hi = bisect.bisect_left(self._starts, b - EPS) if j < self.n else len(self._starts)
            drives = tuple((max(x, a), min(y, b)) for x, y in self.block.drives[lo:hi] if min(y, b) > max(x, a))
            self._pieces[key] = Piece(
                self.block.block_id, a, b, self._lead(i, False), self._lead(j, True), drives, self.block.vehicles, self.block.services
            )
        return self._pieces[key]

    def ok(self, i: int, j: int) -> bool:
        key = (i, j)
        if key not in self._ok:
            self._ok[key] = assess([self.piece(i, j)], self.rules).feasible
        return self._ok[key]

    def pieces(self, cuts: Sequence[int]) -> list[Piece]:
        return [self.piece(i, j) for i, j in itertools.pairwise(cuts)]

    def forward(self, i: int = 0) -> list[int]:
        """Cut points from ``i`` to the end, always at the latest feasible relief point."""
        if i in self._forward:
            return self._forward[i]
        cuts = [i]
        cur = i
        limit = self.rules.max_binding_s
        while not self.ok(cur, self.n):
            hi = bisect.bisect_right(self.times, self.times[cur] + limit + EPS) - 1
            nxt = next((k for k in range(min(hi, self.n - 1), cur, -1) if self.ok(cur, k)), cur + 1)
            if nxt >= self.n:
                break
            cuts.append(nxt)
            cur = nxt
        cuts.append(self.n)
        self._forward[i] = cuts
        return cuts

    def backward(self) -> list[int]:
        """Cut points from the end back to the start, always at the earliest feasible relief point."""
        cuts = [self.n]
        cur = self.n
        limit = self.rules.max_binding_s
        while not self.ok(0, cur):
            lo = bisect.bisect_left(self.times, self.times[cur] - limit - EPS)
            prv = next((k for k in range(max(lo, 1), cur) if self.ok(k, cur)), cur - 1)
            if prv <= 0:
                break
            cuts.append(prv)
            cur = prv
        cuts.append(0)
        return cuts[::-1]

    def balanced(self) -> list[int]:
        """As many pieces as ``forward``, cut at feasible relief points nearest equal shares."""
        fwd = self.forward(0)
        k = len(fwd) - 1
        if k <= 1:
            return fwd
        span = self.times[-1] - self.times[0]
        cuts = [0]
        cur = 0
        for m in range(1, k):
            target = self.times[0] + span * m / k
            order = sorted(range(cur + 1, self.n), key=lambda c: abs(self.times[c] - target))[:40]
            nxt = next((c for c in order if self.ok(cur, c) and len(self.forward(c)) - 1 <= k - m), None)
            if nxt is None:
                return fwd
            cuts.append(nxt)
            cur = nxt
        cuts.append(self.n)
        return cuts


# --------------------------------------------------------------------------- building duties


def _score(duties: Sequence[Sequence[Piece]], rules: DutyRules) -> tuple[int, int, float, float]:
    found = [assess(d, rules) for d in duties]
    return (
        sum(len(a.violations) for a in found),
        len(found),
        round(sum(a.paid_s for a in found), 3),
        max((a.binding_s for a in found), default=0.0),
    )


def _solve(cutters: Sequence[_Cutter], choice: Sequence[list[int]], rules: DutyRules) -> list[list[Piece]]:
    pieces = [p for c, cuts in zip(cutters, choice, strict=True) for p in c.pieces(cuts)]
    return relocate(chain(pieces, rules), rules)


def cut_duties(blocks: Sequence[Block], rules: DutyRules, *, role: str = "staff", id_prefix: str | None = None) -> list[Duty]:
    """Cut ``blocks`` into as few duties as the heuristic finds (see the module docstring).

    Parameters
    ----------
    blocks
        Work to cover; block ids must be unique.
    rules
        The rules every duty must satisfy.
    role
        Written into each :class:`Duty`.
    id_prefix
        Duty ids are ``<id_prefix>-01``, ``-02``… in order of start (default: ``role``).

    Returns
    -------
    list[Duty]
        Sorted by start. Every instant of every block is in exactly one duty's pieces. A duty
        whose ``violations`` is not empty covers a stretch no legal duty can.
    """
    ids = [b.block_id for b in blocks]
    if len(set(ids)) != len(ids):
        raise ValueError(f"block ids must be unique, got {ids}")
    if not blocks:
        return []
    cutters = [_Cutter(b, rules) for b in blocks]
    options: list[list[list[int]]] = []
    for c in cutters:
        opts: list[list[int]] = []
        cands = [c.forward(0), c.balanced(), c.backward()]
        step = max(1, math.ceil(c.n / _FINE_PIECES))
        cands.append(sorted({*range(0, c.n, step), c.n}))
        for cuts in cands:
            if cuts not in opts:
                opts.append(cuts)
        options.append(opts)
    best_choice: list[list[int]] | None = None
    best_duties: list[list[Piece]] = []
    best_score: tuple[int, int, float, float] | None = None
    for s in range(4):
        choice = [opts[min(s, len(opts) - 1)] for opts in options]
        duties = _solve(cutters, choice, rules)
        score = _score(duties, rules)
        if best_score is None or score < best_score:
            best_choice, best_duties, best_score = choice, duties, score
    assert best_choice is not None and best_score is not None
    trials = _DESCENT_WORK // len(blocks) ** 2
    for _ in range(_DESCENT_PASSES):
        changed = False
        for bi, opts in enumerate(options):
            for cuts in opts:
                if cuts == best_choice[bi]:
                    continue
                if trials <= 0:
                    break
                trials -= 1
                choice = [*best_choice[:bi], cuts, *best_choice[bi + 1 :]]
                duties = _solve(cutters, choice, rules)
                score = _score(duties, rules)
                if score < best_score:
                    best_choice, best_duties, best_score, changed = choice, duties, score, True
        if not changed:
            break
    found = sorted((assess(d, rules) for d in best_duties), key=lambda a: (a.start_s, a.end_s))
    prefix = id_prefix or role
    width = max(2, len(str(len(found))))
    return [
        Duty(
            role=role,
            duty_id=f"{prefix}-{n:0{width}d}",
            start_s=a.start_s,
            end_s=a.end_s,
            binding_s=a.binding_s,
            driving_s=a.driving_s,
            max_continuous_s=a.max_continuous_s,
            break_total_s=a.break_total_s,
            paid_s=a.paid_s,
            pieces=a.pieces,
            violations=a.violations,
        )
        for n, a in enumerate(found, start=1)
    ]


# --------------------------------------------------------------------------- bounds and exact answers


def lower_bound(blocks: Sequence[Block], rules: DutyRules) -> int:
    """A lower bound on the number of duties (see the module docstring)."""
    if not blocks:
        return 0
    events = sorted([(b.start_s, 1) for b in blocks if b.end_s > b.start_s] + [(b.end_s, -1) for b in blocks if b.end_s > b.start_s])
    peak = cur = 0
    for _, step in events:
        cur += step
        peak = max(peak, cur)
    work = sum(b.end_s - b.start_s + b.lead_in_s + b.lead_out_s for b in blocks)
    bound = max(peak, math.ceil(work / rules.max_binding_s - EPS_RATIO))
    if rules.max_driving_s is not None:
        driving = sum(b - a for blk in blocks for a, b in blk.drives)
        bound = max(bound, math.ceil(driving / rules.max_driving_s - EPS_RATIO))
    return max(bound, 1)


def _min_partition(pieces: Sequence[Piece], rules: DutyRules, best: float) -> float:
    """Fewest feasible duties the pieces can be partitioned into (exact, exponential)."""
    n = len(pieces)
    feasible: dict[int, bool] = {}
    # grow sets only while the monotone checks (overlap, binding, driving) hold
    frontier = [1 << i for i in range(n)]
    by_low: dict[int, list[int]] = {i: [] for i in range(n)}
    seen: set[int] = set()
    while frontier:
        nxt = []
        for mask in frontier:
            if mask in seen:
                continue
            seen.add(mask)
            members = [pieces[i] for i in range(n) if mask >> i & 1]
            if not _monotone_ok(members, rules):
                continue
            feasible[mask] = assess(members, rules).feasible
            if feasible[mask]:
                low = (mask & -mask).bit_length() - 1
                by_low[low].append(mask)
            top = mask.bit_length()
            nxt.extend(mask | 1 << j for j in range(top, n))
        frontier = nxt
    full = (1 << n) - 1
    memo: dict[int, float] = {0: 0.0}

    def solve(mask: int) -> float:
        if mask in memo:
            return memo[mask]
        low = (mask & -mask).bit_length() - 1
        out = math.inf
        for t in by_low[low]:
            if t & mask == t:
                out = min(out, 1 + solve(mask & ~t))
        memo[mask] = out
        return out

    return min(best, solve(full))


def exact_min_duties(blocks: Sequence[Block], rules: DutyRules, *, max_reliefs: int = 12) -> int:
    """The true minimum number of legal duties, by enumerating all cuts and partitions.

    Only for small cases (at most ``max_reliefs`` relief points in all). Returns a large number
    (``10**9``) if no legal set of duties exists.
    """
    total = sum(len(b.reliefs) for b in blocks)
    if total > max_reliefs:
        raise ValueError(f"exact_min_duties: {total} relief points in all; at most {max_reliefs} allowed")
    cutters = [_Cutter(b, rules) for b in blocks]
    per_block: list[list[list[int]]] = []
    for c in cutters:
        inner = range(1, c.n)
        per_block.append([[0, *sub, c.n] for r in range(len(inner) + 1) for sub in itertools.combinations(inner, r)])
    best = math.inf
    for choice in itertools.product(*per_block):
        pieces = [p for c, cuts in zip(cutters, choice, strict=True) for p in c.pieces(cuts)]
        if len(pieces) > 16:
            continue
        best = _min_partition(pieces, rules, best)
    return int(best) if math.isfinite(best) else 10**9
