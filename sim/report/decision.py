"""The decision page: can autonomous services keep public transport running with fewer drivers?

For each scenario of a comparison, three lines against the first scenario (the reference):
staff saved (drivers, and all roles), the change in rider service, and the city's burden per
resident. Each line has its uncertainty — the 95 % interval of the paired difference over the
replications (every scenario of a replication sees the same demand, ``replications.csv``), or a
note that one simulated day has none — and the two assumptions it is most sensitive to, found by
varying each candidate assumption over the range in docs/PARAMETERS.md#decision-ranges and
recomputing the line from the result files (nothing is rerun: staff and costs are explicit
functions of the simulated duties and cost items). Rider service depends on the simulation
itself; its sensitivities need new runs and are named with the command that runs them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.report.data import RunData, ScenarioResult, Study, Value
from sim.report.document import Bullets, Paragraph, Section
from sim.report.i18n import fmt_kind, tr
from sim.staffing.costs import CostItem
from sim.staffing.funding import funding_item, national_amount, split_public_funding


@dataclass(frozen=True, slots=True)
class Interval:
    """A difference (scenario − reference) with its paired 95 % interval (``None`` without replications)."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 1


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """How a decision line moves when one assumption takes the ends of its range."""

    assumption: str
    range_text: str
    low: float
    high: float

    @property
    def swing(self) -> float:
        """Width of the moved range."""
        return abs(self.high - self.low)


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """One of the three lines of a scenario: its key, values and the two most sensitive assumptions."""

    key: str
    text: str
    uncertainty: str
    sensitive: tuple[Sensitivity, ...]


def _kpi(s: ScenarioResult, key: str) -> float | None:
    from sim.report.data import KPI_ALIASES

    names = [key, *(k for k, alias in KPI_ALIASES.items() if key in alias)]  # canonical_kpis may rename it
    v = next((s.kpis[n] for n in names if n in s.kpis), Value(None)).mean
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def paired(study: Study, name: str, ref: str, key: str) -> Interval:
    """The difference of ``key`` between scenarios ``name`` and ``ref``, paired by replication."""
    from sim.stats import mean_ci

    path = study.directory / "replications.csv"
    if path.is_file():
        table = pd.read_csv(path)
        if key in table.columns:
            a = table[table["scenario"] == name].set_index("replication")[key]
            b = table[table["scenario"] == ref].set_index("replication")[key]
            diff = (a - b).dropna()
            if len(diff) > 1:
                est = mean_ci(list(diff))
                return Interval(est.mean, est.low, est.high, est.n)
    s = {x.name: x for x in study.scenarios}
    va, vb = _kpi(s[name], key), _kpi(s[ref], key)
    return Interval(None if va is None or vb is None else va - vb)


# --------------------------------------------------------------------------- staff


def _staff_fte(run: RunData, *, spare: float | None = None, working_days: float | None = None) -> tuple[float, float]:
    """(all roles, drivers) FTE of a run with the leave factor and working days changed, from ``staffing.json``."""
    staffing = run.staffing or {}
    cfg = (run.scenario.get("staffing") or {})
    spare0 = float(cfg.get("leave_spare_factor", 0.15))
    days0 = float(cfg.get("working_days_per_employee", 260.0))
    factor = (1.0 + (spare0 if spare is None else spare)) / (1.0 + spare0)
    day_factor = days0 / (days0 if working_days is None else working_days)
    total = drivers = 0.0
    for role, d in (staffing.get("roles") or {}).items():
        if not isinstance(d, dict):
            continue
        terms = [float(d.get("fte_by_days") or 0.0) * day_factor, float(d.get("fte_by_annual_binding") or 0.0),
                 float(d.get("fte_by_weekly_driving") or 0.0)]
        fte = max(terms) * factor
        total += fte
        drivers += fte if role == "driver" else 0.0
    return total, drivers


#: Candidate assumptions for staff: (label, range text, {setting: (low, high)}).
STAFF_RANGES: tuple[tuple[str, str, str, float, float], ...] = (
    ("staffing.leave_spare_factor", "0.10–0.20", "spare", 0.10, 0.20),
    ("staffing.working_days_per_employee", "240–280", "working_days", 240.0, 280.0),
)


def staff_sensitivity(run: RunData, ref: RunData) -> list[Sensitivity]:
    """The change in staff of all roles (scenario − reference, FTE) at each end of each candidate's range, largest swing first."""
    out = []
    for label, text, arg, lo, hi in STAFF_RANGES:
        ends = [_staff_fte(run, **{arg: v})[0] - _staff_fte(ref, **{arg: v})[0] for v in (lo, hi)]
        out.append(Sensitivity(label, text, min(ends), max(ends)))
    return sorted(out, key=lambda s: -s.swing)


# --------------------------------------------------------------------------- city burden


def _items(run: RunData) -> list[CostItem]:
    items = (run.costs or {}).get("items") or []
    return [CostItem(str(i["term"]), str(i["category"]), float(i["yen_per_year"]), "", "") for i in items if isinstance(i, dict)]


def burden_per_resident(run: RunData, *, scale: Mapping[str, float] | None = None, fares_factor: float = 1.0,
                        national_share: Mapping[str, float] | None = None) -> float | None:
    """City burden per resident (yen a year) of a run, from ``costs.json`` and its ``[costs.subsidy]``,
    with cost items scaled (``scale``: funding item or ``staff`` or ``*`` -> factor), fares scaled and
    the national shares replaced."""
    if not run.costs:
        return None
    sc = run.scenario
    vehicles = sc.get("vehicles") or {}
    automated = frozenset(n for n, v in vehicles.items() if isinstance(v, dict) and v.get("automation", "human") != "human")
    sub = ((sc.get("costs") or {}).get("subsidy") or {})
    shares = dict(national_share) if national_share is not None else dict(sub.get("national_share") or {})
    pref_shares = dict(sub.get("prefecture_share") or {})
    cap = float(sub.get("national_cap_yen_per_year", 100_000_000.0))
    scale = scale or {}
    amounts: dict[str, float] = {}
    for item in _items(run):
        key = funding_item(item, automated)
        factor = scale.get(key, scale.get(item.category, 1.0))
        amounts[key] = amounts.get(key, 0.0) + item.yen_per_year * factor
    fares = float((run.costs or {}).get("fare_revenue_yen_per_year") or 0.0) * fares_factor
    national = national_amount(amounts, shares, cap)
    prefecture = sum(v * pref_shares.get(k, 0.0) for k, v in amounts.items())
    city = split_public_funding(sum(amounts.values()), fares, national, prefecture)[3]
    population = float((sc.get("demand") or {}).get("population_total", 65000.0))
    return city / population


def _burden_candidates(run: RunData, ref: RunData) -> list[tuple[str, str, Callable[[RunData, float], float | None], float, float]]:
    """Candidate assumptions for the burden: (label, range text, burden at a setting, low, high)."""
    cfg = (run.scenario.get("costs") or {})
    overhead = float(cfg.get("staff_overhead_share", 0.3))
    av_types = [(n, v) for n, v in (run.scenario.get("vehicles") or {}).items()
                if isinstance(v, dict) and v.get("automation", "human") != "human" and float(v.get("price_yen", 0) or 0) > 0]
    out: list[tuple[str, str, Callable[[RunData, float], float | None], float, float]] = [
        ("costs.wage_yen_per_year", "±10 %", lambda r, f: burden_per_resident(r, scale={"staff": f}), 0.9, 1.1),
        ("costs.staff_overhead_share", "0.2–0.4",
         lambda r, o: burden_per_resident(r, scale={"staff": (1 + o) / (1 + overhead)}), 0.2, 0.4),
        ("fare revenue (ridership not published)", "±20 %", lambda r, f: burden_per_resident(r, fares_factor=f), 0.8, 1.2),
        ("costs.av_system_yen_per_vehicle_year", "×0–×2", lambda r, f: burden_per_resident(r, scale={"av_system": f}), 0.0, 2.0),
    ]
    if av_types:
        price = float(av_types[0][1]["price_yen"])
        out.append((f"vehicles.{av_types[0][0]}.price_yen", "¥80–150 M",
                    lambda r, p: burden_per_resident(r, scale={"vehicles_automated": p / price}), 80e6, 150e6))
    sub = ((run.scenario.get("costs") or {}).get("subsidy") or {})
    base_shares = dict(sub.get("national_share") or {})
    if any(v > 0 for v in base_shares.values()):
        out.append(("costs.subsidy.national_share", "0–0.9",
                    lambda r, x: burden_per_resident(r, national_share={k: (x if v > 0 else 0.0) for k, v in base_shares.items()}),
                    0.0, 0.9))
    return out


def burden_sensitivity(run: RunData, ref: RunData, *, difference: bool) -> list[Sensitivity]:
    """The burden per resident (or its difference to ``ref``) at each end of each candidate's range, largest swing first."""
    out = []
    for label, text, fn, lo, hi in _burden_candidates(run, ref):
        ends = []
        for v in (lo, hi):
            a = fn(run, v)
            b = fn(ref, v) if difference else 0.0
            if a is None or b is None:
                break
            ends.append(a - b)
        if len(ends) == 2:
            out.append(Sensitivity(label, text, min(ends), max(ends)))
    return sorted(out, key=lambda s: -s.swing)


# --------------------------------------------------------------------------- the page


def _signed(lang: str, kind: str, v: float | None) -> str:
    if v is None:
        return "–"
    text = fmt_kind(lang, kind, abs(v))
    return ("+" if v > 0 else "−" if v < 0 else "±") + text


def _uncertainty(lang: str, kind: str, iv: Interval) -> str:
    if iv.low is None or iv.high is None or iv.n < 2:
        return tr(lang, "decision_no_interval")
    return tr(lang, "decision_interval", n=iv.n, low=_signed(lang, kind, iv.low), high=_signed(lang, kind, iv.high))


def _sens_text(lang: str, kind: str, sens: list[Sensitivity], *, signed: bool = True) -> str:
    if not sens:
        return ""
    show = (lambda v: _signed(lang, kind, v)) if signed else (lambda v: fmt_kind(lang, kind, v))
    parts = [tr(lang, "decision_sens_item", name=s.assumption, range=s.range_text, low=show(s.low), high=show(s.high))
             for s in sens[:2]]
    return tr(lang, "decision_sensitive", items=("、" if lang == "ja" else "; ").join(parts))


def scenario_lines(study: Study, s: ScenarioResult, ref: ScenarioResult, lang: str) -> tuple[DecisionLine, ...]:
    """The three decision lines of scenario ``s`` against ``ref`` (``s`` may be ``ref`` itself: levels, no change)."""
    is_ref = s.name == ref.name
    run, ref_run = s.first, ref.first
    lines = []
    # 1. staff
    staff = paired(study, s.name, ref.name, "staff_fte_total")
    drivers = paired(study, s.name, ref.name, "drivers_fte")
    text = tr(lang, "decision_staff_ref" if is_ref else "decision_staff",
              staff=_signed(lang, "fte", staff.value), drivers=_signed(lang, "fte", drivers.value),
              staff_now=fmt_kind(lang, "fte", _kpi(s, "staff_fte_total")),
              heads=fmt_kind(lang, "int", _kpi(s, "staff_headcount")), drivers_now=fmt_kind(lang, "fte", _kpi(s, "drivers_fte")),
              driver_heads=fmt_kind(lang, "int", _kpi(s, "drivers_headcount")))
    sens = staff_sensitivity(run, ref_run) if run is not None and ref_run is not None and not is_ref else []
    lines.append(DecisionLine("staff", text, "" if is_ref else _uncertainty(lang, "fte", staff), tuple(sens[:2])))
    # 2. riders
    served = paired(study, s.name, ref.name, "requests_served")
    wait = paired(study, s.name, ref.name, "wait_mean_s")
    text = tr(lang, "decision_riders_ref" if is_ref else "decision_riders",
              served=_signed(lang, "int", served.value), wait=_signed(lang, "min", wait.value),
              served_now=fmt_kind(lang, "int", _kpi(s, "requests_served")), total=fmt_kind(lang, "int", _kpi(s, "requests_total")),
              wait_now=fmt_kind(lang, "min", _kpi(s, "wait_mean_s")))
    unc = "" if is_ref else _uncertainty(lang, "int", served)
    sep = "" if lang == "ja" else " "
    lines.append(DecisionLine("riders", text, sep.join(x for x in (unc, tr(lang, "decision_riders_sens")) if x), ()))
    # 3. city burden per resident
    burden = paired(study, s.name, ref.name, "burden_per_resident_yen")
    text = tr(lang, "decision_burden_ref" if is_ref else "decision_burden",
              now=fmt_kind(lang, "yen", _kpi(s, "burden_per_resident_yen")), change=_signed(lang, "yen", burden.value))
    sens = burden_sensitivity(run, ref_run, difference=not is_ref) if run is not None and ref_run is not None else []
    lines.append(DecisionLine("burden", text, "" if is_ref else _uncertainty(lang, "yen", burden), tuple(sens[:2])))
    return tuple(lines)


def decision_section(study: Study, lang: str) -> Section | None:
    """The decision page (comparisons of two or more scenarios with staffing and costs), else ``None``."""
    scen = [s for s in study.scenarios if s.first is not None]
    if study.kind != "comparison" or len(scen) < 2 or not all(s.first.staffing and s.first.costs for s in scen):  # type: ignore[union-attr]
        return None
    ref = scen[0]
    blocks: list[Any] = [Paragraph(tr(lang, "decision_intro", ref=ref.name))]
    for s in scen:
        items = []
        for line in scenario_lines(study, s, ref, lang):
            kind = "fte" if line.key == "staff" else "yen"
            sens = _sens_text(lang, kind, list(line.sensitive), signed=s is not ref)
            sep = "" if lang == "ja" else " "
            items.append(sep.join(x for x in (line.text, line.uncertainty, sens) if x))
        blocks.append(Bullets(tuple(items), title=s.name + (tr(lang, "decision_reference") if s is ref else "")))
    return Section("decision", tr(lang, "sec_decision"), tuple(blocks))


__all__ = ["DecisionLine", "Interval", "Sensitivity", "burden_per_resident", "burden_sensitivity", "decision_section",
           "paired", "scenario_lines", "staff_sensitivity"]
