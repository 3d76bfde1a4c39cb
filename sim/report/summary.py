"""The executive summary of a report: the answer per scenario, best on each headline KPI, the headline table."""

from __future__ import annotations

import json
from typing import Any

from sim.report.data import ScenarioResult, Study, Value
from sim.report.document import Bullets, Cell, Note, Paragraph, Section, Table
from sim.report.i18n import fmt_kind, join_names, kpi_label, tr
from sim.report.demand import behavioural_intro
from sim.report.maps import provenance_text
from sim.report.values import best_of, better, fmt_value, kpi_kind, present

#: Headline KPIs of the executive summary: (key, unit kind, better).
HEADLINE_KEYS: tuple[str, ...] = (
    "staff_fte", "staff_headcount", "drivers_fte", "drivers_headcount", "wait_mean_s", "wait_p90_s", "rejection_rate",
    "requests_rejected", "annual_cost_yen", "annual_subsidy_yen", "city_burden_yen_per_year", "burden_per_resident_yen",
    "cost_per_trip_yen",
)  # fmt: skip

#: Headline KPIs of the executive summary: (key, unit kind, better), unit and "better" from the registry.
HEADLINE: tuple[tuple[str, str, str], ...] = tuple((key, kpi_kind(key), better(key) or "low") for key in HEADLINE_KEYS)

#: Headline rows left out of the "best on" list: drivers alone would hide the other staff an
#: automated service needs (the list ranks all roles, ``staff_fte``).
NOT_RANKED = frozenset({"drivers_fte", "drivers_headcount", "staff_headcount"})

# --------------------------------------------------------------------------- summary


def _seed(study: Study) -> str:
    """The seed to quote: the root seed of replications (never a child seed), else the run's seed."""
    if study.replications > 1:
        meta = study.directory / "compare.json"
        try:
            root = json.loads(meta.read_text(encoding="utf-8")).get("root_seed")
        except (OSError, ValueError):
            root = None
        return str(int(root)) if isinstance(root, (int, float)) else "–"
    for s in study.scenarios:
        if s.first is not None and s.first.metrics.get("seed") is not None:
            return str(s.first.metrics["seed"])
    return "–"


def _same_demand(study: Study) -> bool:
    totals = {s.kpis.get("requests_total", Value(None)).mean for s in study.scenarios}
    if len(totals) != 1:
        return False
    ids = []
    for s in study.scenarios:
        if s.first is not None and "request_id" in s.first.demand.columns:
            ids.append(tuple(s.first.demand["request_id"].astype(str).tolist()))
    return len(set(ids)) <= 1


def _has_cost_or_staff(study: Study) -> bool:
    return any(present(study, k) for k in ("drivers_fte", "annual_cost_yen")) or any(
        r.staffing is not None or r.costs is not None for s in study.scenarios for r in s.runs
    )


def _scenario_sentence(s: ScenarioResult, lang: str) -> str:
    k = s.kpis
    v = lambda key: k.get(key, Value(None))
    staff = ""
    if v("drivers_fte").mean is not None:
        staff = tr(lang, "scenario_staff", drivers=fmt_kind(lang, "fte", v("drivers_fte").mean),
                   driver_heads=fmt_kind(lang, "int", v("drivers_headcount").mean),
                   staff=fmt_kind(lang, "fte", v("staff_fte").mean), staff_heads=fmt_kind(lang, "int", v("staff_headcount").mean))
    cost = ""
    if v("annual_cost_yen").mean is not None and v("annual_subsidy_yen").mean is not None:
        city = v("city_burden_yen_per_year").mean
        cost = tr(lang, "scenario_cost", cost=fmt_kind(lang, "yen", v("annual_cost_yen").mean),
                  subsidy=fmt_kind(lang, "yen", v("annual_subsidy_yen").mean),
                  city=fmt_kind(lang, "yen", city if city is not None else v("annual_subsidy_yen").mean))
    elif v("annual_cost_yen").mean is not None:
        cost = tr(lang, "scenario_cost_only", cost=fmt_kind(lang, "yen", v("annual_cost_yen").mean))
    return tr(
        lang,
        "scenario_line",
        name=s.name,
        served=fmt_kind(lang, "int", v("requests_served").mean),
        total=fmt_kind(lang, "int", v("requests_total").mean),
        rejected=fmt_kind(lang, "int", v("requests_rejected").mean),
        rate=fmt_kind(lang, "pct", v("rejection_rate").mean),
        wait=fmt_kind(lang, "min", v("wait_mean_s").mean),
        p90=fmt_kind(lang, "min", v("wait_p90_s").mean),
        staff=staff,
        cost=cost,
    )


def headline_table(study: Study, lang: str) -> Table:
    """Rows = headline KPIs present, columns = scenarios; the best value of each row is starred."""
    rows = []
    for key, kind, side in HEADLINE:
        if not present(study, key):
            continue
        tied = {s.name for s in best_of(study, key, side)[0]}
        cells = [Cell(kpi_label(lang, key))]
        for s in study.scenarios:
            text = fmt_value(lang, key, s.kpis.get(key, Value(None)), kind=kind)
            star = s.name in tied
            cells.append(Cell(("★ " + text) if star else text, strong=star, numeric=True))
        rows.append(tuple(cells))
    caption = tr(lang, "best_marker_note") if len(study.scenarios) > 1 else ""
    if study.replications > 1:
        caption = (caption + " " + tr(lang, "kpi_table_caption_ci", r=study.replications)).strip()
    header = (tr(lang, "col_kpi"), *study.names)
    return Table(header, tuple(rows), caption=caption, title=tr(lang, "headline_heading"))


def summary_section(study: Study, lang: str) -> Section:
    """The executive summary: what was compared, the answer per scenario, best on each, provenance."""
    first = next((s.first for s in study.scenarios if s.first is not None), None)
    total = study.scenarios[0].kpis.get("requests_total", Value(None)).mean
    k = fmt_kind(lang, "int", total)
    blocks: list[Any] = []
    behavioural = behavioural_intro(study, lang, seed=_seed(study))  # residents choosing their mode
    if behavioural is not None:
        blocks.append(Paragraph(behavioural))
    elif study.kind == "comparison" and len(study.scenarios) > 1:
        key = "intro_comparison_same" if _same_demand(study) else "intro_comparison_diff"
        if key == "intro_comparison_same" and study.replications > 1:
            key = "intro_comparison_replicated"
        blocks.append(Paragraph(tr(lang, key, n=len(study.scenarios), k=k, seed=_seed(study), r=study.replications)))
    else:
        blocks.append(Paragraph(tr(lang, "intro_run", name=study.scenarios[0].name, k=k, seed=_seed(study))))
    if study.replications > 1:
        blocks.append(Paragraph(tr(lang, "intro_replications", r=study.replications, seed=_seed(study))))
    else:
        blocks.append(Paragraph(tr(lang, "intro_single" if len(study.scenarios) > 1 else "intro_single_run")))
    blocks.append(Bullets(tuple(_scenario_sentence(s, lang) for s in study.scenarios)))
    if len(study.scenarios) > 1:
        items = []
        for key, kind, side in HEADLINE:
            if key in NOT_RANKED or not present(study, key):
                continue
            tied, rival = best_of(study, key, side)
            if not tied:
                continue
            value = fmt_value(lang, key, tied[0].kpis[key], kind=kind, ci=False)
            label = kpi_label(lang, key)
            if len(tied) > 1:
                items.append(tr(lang, "best_tie", kpi=label, names=join_names(lang, [s.name for s in tied]), value=value))
                continue
            text = tr(lang, "best_on", kpi=label, name=tied[0].name, value=value)
            if rival is not None:
                text += tr(lang, "best_close", other=rival.name)
            items.append(text)
        if items:
            blocks.append(Bullets(tuple(items), title=tr(lang, "best_heading")))
    blocks.append(headline_table(study, lang))
    if not _has_cost_or_staff(study):
        blocks.append(Note(tr(lang, "no_staffing")))
    for s in study.scenarios:
        if not s.runs:
            blocks.append(Note(tr(lang, "missing_run", name=s.name)))
    blocks.append(Note(provenance_text(first, lang)))
    return Section("summary", tr(lang, "sec_summary"), tuple(blocks))
