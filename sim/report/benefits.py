"""Benefits and emissions against the first scenario, laid out as MLIT's 費用便益分析マニュアル (令和4年2月).

The manual measures each benefit as the difference between the case with the project and the
case without it (here: each scenario against the first), for a year. Riders' time: for the
requests served in both scenarios (the same demand), the saving in walk + wait + ride time per
passenger, × the reference's operating days (riders a year ÷ riders a day), × the value of time
``benefits.value_of_time_yen_per_min`` (docs/PARAMETERS.md#value-of-time). Requests served in
only one scenario are counted but not valued: valuing them needs a demand curve the model does
not have. Emissions: ``co2_t_per_year`` of each scenario (docs/PARAMETERS.md#emissions), in
tonnes, not monetised (no sourced carbon price).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.report.data import RunData, Study
from sim.report.document import Cell, Paragraph, Section, Table
from sim.report.i18n import fmt_kind, tr


@dataclass(frozen=True, slots=True)
class Benefits:
    """One scenario against the reference: minutes a day saved per component, the yearly value and rider counts."""

    scenario: str
    wait_min_per_day: float
    ride_min_per_day: float
    walk_min_per_day: float
    time_benefit_yen_per_year: float
    riders_both_per_day: float
    riders_gained_per_day: float
    riders_lost_per_day: float
    co2_t_per_year: float | None
    co2_change_t_per_year: float | None


def _served(run: RunData) -> pd.DataFrame:
    req = run.requests
    need = {"request_id", "outcome", "party_size", "wait_s", "ride_s", "walk_s"}
    if req.empty or not need <= set(req.columns):
        return pd.DataFrame(columns=sorted(need))
    out = req[req["outcome"].astype(str) == "served"][sorted(need)].copy()
    return out.set_index(out["request_id"].astype(str))


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) else None


def compare_benefits(run: RunData, ref: RunData) -> Benefits:
    """The benefits of ``run`` against ``ref`` (both first runs of a comparison on the same demand)."""
    a, b = _served(run), _served(ref)
    both = a.index.intersection(b.index)
    pax = b.loc[both, "party_size"].astype(float)

    def saved(col: str) -> float:
        return float(((b.loc[both, col].astype(float) - a.loc[both, col].astype(float)) * pax).sum() / 60.0)

    wait, ride, walk = saved("wait_s"), saved("ride_s"), saved("walk_s")
    m_ref = ref.metrics
    per_day, per_year = _num(m_ref.get("riders_per_day")), _num(m_ref.get("riders_per_year"))
    days = per_year / per_day if per_day and per_year else 0.0
    vot = float(((ref.scenario.get("benefits") or {}).get("value_of_time_yen_per_min", 40.0)))
    co2, co2_ref = _num(run.metrics.get("co2_t_per_year")), _num(m_ref.get("co2_t_per_year"))
    return Benefits(
        scenario=str(run.name),
        wait_min_per_day=wait,
        ride_min_per_day=ride,
        walk_min_per_day=walk,
        time_benefit_yen_per_year=(wait + ride + walk) * days * vot,
        riders_both_per_day=float(pax.sum()),
        riders_gained_per_day=float(a.loc[a.index.difference(b.index), "party_size"].astype(float).sum()),
        riders_lost_per_day=float(b.loc[b.index.difference(a.index), "party_size"].astype(float).sum()),
        co2_t_per_year=co2,
        co2_change_t_per_year=None if co2 is None or co2_ref is None else co2 - co2_ref,
    )


def benefits_section(study: Study, lang: str) -> Section | None:
    """The benefits table of a comparison (rows: kinds of benefit; columns: scenarios after the first)."""
    runs = [s.first for s in study.scenarios if s.first is not None]
    if study.kind != "comparison" or len(runs) < 2:
        return None
    ref = runs[0]
    rows_b = [compare_benefits(r, ref) for r in runs[1:]]
    vot = float(((ref.scenario.get("benefits") or {}).get("value_of_time_yen_per_min", 40.0)))

    def row(label: str, values: list[str]) -> tuple[Cell, ...]:
        return (Cell(label), *(Cell(v, numeric=True) for v in values))

    signed = lambda kind, v: ("+" if v > 0 else "") + fmt_kind(lang, kind, v)  # noqa: E731
    rows = (
        row(tr(lang, "ben_time_value"), [signed("yen", b.time_benefit_yen_per_year) for b in rows_b]),
        row(tr(lang, "ben_wait"), [signed("x", b.wait_min_per_day) for b in rows_b]),
        row(tr(lang, "ben_ride"), [signed("x", b.ride_min_per_day) for b in rows_b]),
        row(tr(lang, "ben_walk"), [signed("x", b.walk_min_per_day) for b in rows_b]),
        row(tr(lang, "ben_both"), [fmt_kind(lang, "int", b.riders_both_per_day) for b in rows_b]),
        row(tr(lang, "ben_gained"), [fmt_kind(lang, "int", b.riders_gained_per_day) for b in rows_b]),
        row(tr(lang, "ben_lost"), [fmt_kind(lang, "int", b.riders_lost_per_day) for b in rows_b]),
        row(tr(lang, "ben_co2"), [fmt_kind(lang, "x", b.co2_t_per_year) for b in rows_b]),
        row(tr(lang, "ben_co2_change"), [signed("x", b.co2_change_t_per_year) if b.co2_change_t_per_year is not None else "–"
                                         for b in rows_b]),
    )
    header = (tr(lang, "col_benefit"), *(b.scenario for b in rows_b))
    blocks: list[Any] = [
        Paragraph(tr(lang, "ben_intro", ref=ref.name, vot=fmt_kind(lang, "yen", vot),
                     co2=fmt_kind(lang, "x", _num(ref.metrics.get("co2_t_per_year"))))),
        Table(header, rows, caption=tr(lang, "ben_caption"), title=tr(lang, "ben_title", ref=ref.name)),
    ]
    return Section("benefits", tr(lang, "sec_benefits"), tuple(blocks))


__all__ = ["Benefits", "benefits_section", "compare_benefits"]
