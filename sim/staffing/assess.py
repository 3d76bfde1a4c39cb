"""Measuring a duty: the pieces one person works, their measures and the rules they break.

Pure code, seconds throughout. See :mod:`sim.staffing.runcut` for the terms (block, piece, duty),
the measures (binding, driving, continuous driving, breaks, paid time) and the rules.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.timeutil import format_clock
from sim.tolerance import EPS_S as EPS


@dataclass(frozen=True, slots=True)
class DutyRules:
    """Rules a duty must satisfy (seconds). ``max_driving_s``/``max_continuous_s`` None: not a driving role."""

    max_binding_s: float
    max_driving_s: float | None = None
    max_continuous_s: float | None = None
    break_piece_s: float = 600.0
    break_total_s: float = 1800.0
    relief_handover_s: float = 0.0
    relief_travel_s: float = 0.0
    free_connections: bool = False

    @property
    def driving(self) -> bool:
        """Whether the driving-time rules apply."""
        return self.max_driving_s is not None or self.max_continuous_s is not None


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of one block covered by one person, with its lead-in and lead-out (seconds)."""

    block_id: str
    start_s: float
    end_s: float
    lead_in_s: float
    lead_out_s: float
    drives: tuple[tuple[float, float], ...]
    vehicles: tuple[int, ...]
    services: tuple[str, ...]

    @property
    def on_s(self) -> float:
        """When the person starts this piece (lead-in included)."""
        return self.start_s - self.lead_in_s

    @property
    def off_s(self) -> float:
        """When the person is done with this piece (lead-out included)."""
        return self.end_s + self.lead_out_s

    @property
    def driving_s(self) -> float:
        """Driving time in the piece."""
        return sum(b - a for a, b in self.drives)


@dataclass(frozen=True, slots=True)
class Assessment:
    """Measures of a set of pieces worked as one duty, and the rules it breaks (empty: feasible)."""

    pieces: tuple[Piece, ...]
    start_s: float
    end_s: float
    binding_s: float
    driving_s: float
    max_continuous_s: float
    break_total_s: float
    paid_s: float
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """No rule broken."""
        return not self.violations


def _merge(pieces: Iterable[Piece]) -> tuple[Piece, ...]:
    """Sort pieces and join consecutive pieces of the same block (no relief between them)."""
    runs: list[list[Piece]] = []
    for p in sorted(pieces, key=lambda p: (p.start_s, p.end_s)):
        if runs and runs[-1][-1].block_id == p.block_id and abs(runs[-1][-1].end_s - p.start_s) <= EPS:
            runs[-1].append(p)
        else:
            runs.append([p])
    out = []
    for run in runs:
        if len(run) == 1:
            out.append(run[0])
            continue
        first, last = run[0], run[-1]
        drives = tuple(d for q in run for d in q.drives)
        out.append(Piece(first.block_id, first.start_s, last.end_s, first.lead_in_s, last.lead_out_s, drives, first.vehicles, first.services))
    return tuple(out)


def continuous_driving(drives: Sequence[tuple[float, float]], *, break_piece_s: float, break_total_s: float) -> tuple[float, float]:
    """Longest continuous driving and total break time of a sorted list of drive intervals (seconds).

    Continuous driving accumulates until non-driving spans of at least ``break_piece_s`` between
    drives add up to ``break_total_s``; then it starts again from zero.
    """
    acc = brk = longest = breaks = 0.0
    prev_end: float | None = None
    for a, b in drives:
        if prev_end is not None:
            gap = a - prev_end
            if gap >= break_piece_s - EPS and gap > EPS:
                brk += gap
                breaks += gap
                if brk >= break_total_s - EPS:
                    acc = brk = 0.0
        acc += b - a
        longest = max(longest, acc)
        prev_end = b
    return longest, breaks


def assess(pieces: Iterable[Piece], rules: DutyRules) -> Assessment:
    """Measure pieces worked by one person as one duty and list the rules broken."""
    ps = _merge(pieces)
    if not ps:
        raise ValueError("a duty needs at least one piece")
    violations: list[str] = []
    unpaid = off_breaks = 0.0
    for p, q in itertools.pairwise(ps):
        need = 0.0 if rules.free_connections else p.lead_out_s + q.lead_in_s
        gap = q.start_s - p.end_s
        if gap < need - EPS:
            violations.append(
                f"pieces overlap: {p.block_id} until {format_clock(p.end_s)} and {q.block_id} from"
                f" {format_clock(q.start_s)} need {need / 60:.0f} min to connect"
            )
        extra = max(0.0, gap - need)
        unpaid += extra
        if extra >= rules.break_piece_s - EPS and extra > EPS:
            off_breaks += extra
    start, end = ps[0].on_s, ps[-1].off_s
    binding = end - start
    drives = [d for p in ps for d in p.drives]
    driving = sum(b - a for a, b in drives)
    longest, drive_breaks = continuous_driving(drives, break_piece_s=rules.break_piece_s, break_total_s=rules.break_total_s)
    if binding > rules.max_binding_s + EPS:
        violations.append(f"binding time {binding / 3600:.2f} h > {rules.max_binding_s / 3600:.2f} h")
    if rules.max_driving_s is not None and driving > rules.max_driving_s + EPS:
        violations.append(f"driving time {driving / 3600:.2f} h > {rules.max_driving_s / 3600:.2f} h")
    if rules.max_continuous_s is not None and longest > rules.max_continuous_s + EPS:
        violations.append(f"continuous driving {longest / 3600:.2f} h > {rules.max_continuous_s / 3600:.2f} h")
    return Assessment(
        pieces=ps,
        start_s=start,
        end_s=end,
        binding_s=binding,
        driving_s=driving,
        max_continuous_s=longest if rules.driving else 0.0,
        break_total_s=drive_breaks if rules.driving else off_breaks,
        paid_s=binding - unpaid,
        violations=tuple(violations),
    )


def _monotone_ok(pieces: Sequence[Piece], rules: DutyRules) -> bool:
    """Checks that only get worse when pieces are added: overlap, binding and driving time."""
    a = assess(pieces, rules)
    return all(not v.startswith("continuous") for v in a.violations)
