"""Indexed chaining and relocation (issue 15) give exactly the duties of the plain scans."""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Sequence

import numpy as np

from sim.staffing.assess import Assessment, DutyRules, Piece, assess
from sim.staffing.chaining import chain, relocate
from sim.staffing.runcut import Block, Relief, _Cutter, cut_duties
from sim.tolerance import EPS_S as EPS
from tests.staffing.test_duties import DRIVER, TIGHT, small_case

M = 60.0

# --------------------------------------------------------------------------- the plain scans
# (sim/staffing/runcut.py before issue 15, kept as the reference)


def plain_chain(pieces: Sequence[Piece], rules: DutyRules) -> list[list[Piece]]:
    """Greedy chaining: each piece (by sign-on) joins the feasible duty free last, else a new one."""
    duties: list[list[Piece]] = []
    for p in sorted(pieces, key=lambda p: (p.on_s, p.off_s)):
        limit = rules.max_binding_s + EPS
        cands = [
            (d[-1].off_s, idx)
            for idx, d in enumerate(duties)
            if p.off_s - d[0].on_s <= limit and d[-1].end_s <= p.start_s + EPS
        ]
        best = next((idx for _, idx in sorted(cands, reverse=True) if assess([*duties[idx], p], rules).feasible), -1)
        if best >= 0:
            duties[best].append(p)
        else:
            duties.append([p])
    return duties


def plain_clash(d: Sequence[Piece], p: Piece) -> bool:
    """Whether ``p`` overlaps a piece of ``d`` in vehicle time (a quick reject before :func:`assess`)."""
    return any(p.start_s < q.end_s - EPS and q.start_s < p.end_s - EPS for q in d)


def plain_fits(d: Sequence[Piece], p: Piece, rules: DutyRules) -> Assessment | None:
    """The duty ``d`` with ``p`` added, if feasible (callers check the binding window first)."""
    if plain_clash(d, p):
        return None
    a = assess([*d, p], rules)
    return a if a.feasible else None


def plain_relocate(duties: list[list[Piece]], rules: DutyRules) -> list[list[Piece]]:
    """Empty duties by moving their pieces into other duties; repeat while one disappears.

    Duties are tried from the fewest pieces and least paid time; each piece goes where it adds
    the least paid time. A duty is emptied only if all its pieces find a place.
    """
    work: list[list[Piece] | None] = [list(d) for d in duties]
    paid = [assess(d, rules).paid_s for d in duties]
    span = [(min(q.on_s for q in d), max(q.off_s for q in d)) for d in duties]
    limit = rules.max_binding_s + EPS
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
                best, best_cost, best_a = -1, math.inf, None
                p_on, p_off = p.on_s, p.off_s
                for j, e in enumerate(work):
                    if j == i or e is None:
                        continue
                    lo, hi = (tentative[j].start_s, tentative[j].end_s) if j in tentative else span[j]
                    if max(hi, p_off) - min(lo, p_on) > limit:
                        continue
                    cur = list(tentative[j].pieces) if j in tentative else e
                    a = plain_fits(cur, p, rules)
                    if a is not None:
                        base = tentative[j].paid_s if j in tentative else paid[j]
                        if a.paid_s - base < best_cost:
                            best, best_cost, best_a = j, a.paid_s - base, a
                if best_a is None:
                    ok = False
                    break
                tentative[best] = best_a
            if ok:
                for j, a in tentative.items():
                    work[j] = list(a.pieces)
                    paid[j] = a.paid_s
                    span[j] = (min(q.on_s for q in a.pieces), max(q.off_s for q in a.pieces))
                work[i] = None
                improved = True
    return [d for d in work if d is not None]



# --------------------------------------------------------------------------- cases


def day_of_blocks(rng: np.random.Generator, n: int) -> list[Block]:
    """``n`` vehicle blocks of drives (5-30 min) and stands (1-20 min), a relief at most stand ends."""
    blocks = []
    for v in range(n):
        start = float(rng.integers(330, 900)) * M
        end = start + float(rng.integers(120, 780)) * M
        t, drives, reliefs = start, [], []
        while True:
            d = float(rng.integers(5, 31)) * M
            if t + d >= end:
                break
            drives.append((t, t + d))
            t += d + float(rng.integers(1, 21)) * M
            if t >= end:
                break
            if rng.random() < 0.7:
                reliefs.append(Relief(t, bool(rng.integers(0, 2))))
        blocks.append(Block(f"v{v}", start, end, tuple(drives), tuple(reliefs), 15 * M, 10 * M, (v,), ("s",)))
    return blocks


def pieces_of(blocks: Sequence[Block], rules: DutyRules, strategy: int) -> list[Piece]:
    out = []
    for b in blocks:
        c = _Cutter(b, rules)
        cuts = [c.forward(0), c.balanced(), c.backward(), list(range(c.n + 1))][strategy]
        out.extend(c.pieces(cuts))
    return out


def test_chain_and_relocate_equal_the_plain_scans() -> None:
    rng = np.random.default_rng(15)
    checked = 0
    for n in (1, 2, 3, 5, 8, 13, 21, 34):
        blocks = day_of_blocks(rng, n)
        for rules in (DRIVER, TIGHT, DutyRules(max_binding_s=8 * 3600, free_connections=True)):
            for strategy in range(4):
                pieces = pieces_of(blocks, rules, strategy)
                plain = plain_chain(pieces, rules)
                assert chain(pieces, rules) == plain
                assert relocate(plain, rules) == plain_relocate(plain, rules)
                checked += 1
    assert checked == 8 * 3 * 4


def test_same_duties_as_before_on_the_exact_solver_cases() -> None:
    """The 600 cases of the exact-solver comparison give the duties the code before issue 15 gave.

    The digest was computed with sim/staffing/runcut.py as of main 5aa5981 (plain scans,
    passes by fleet size) over every duty's measures and pieces.
    """
    h = hashlib.sha256()
    rng = np.random.default_rng(20240401)
    for _ in range(600):
        for d in cut_duties(small_case(rng), TIGHT):
            h.update(
                repr((d.duty_id, d.start_s, d.end_s, d.paid_s, d.driving_s, d.max_continuous_s, d.break_total_s,
                      d.violations, [(p.block_id, p.start_s, p.end_s) for p in d.pieces])).encode()
            )
    assert h.hexdigest() == "4aaa1b67f9b79ea28cb7c2787260cc5ba6fbfc3d8eef76b35b8f252fe66069d3"


def test_large_fleet_duties_are_legal_and_cover_every_block() -> None:
    blocks = day_of_blocks(np.random.default_rng(7), 60)
    duties = cut_duties(blocks, DRIVER, role="driver")
    assert all(not d.violations for d in duties)
    for b in blocks:
        mine = sorted((p.start_s, p.end_s) for d in duties for p in d.pieces if p.block_id == b.block_id)
        assert mine[0][0] == b.start_s and mine[-1][1] == b.end_s
        assert all(abs(x[1] - y[0]) <= EPS for x, y in itertools.pairwise(mine))
