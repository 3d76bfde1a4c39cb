"""The 地域公共交通計画 KPI table of a study as report tables.

Which indicators the table has and in what order is decided once, in :mod:`sim.council` (the
workbooks write the same table, :mod:`sim.interop.excel`); here :func:`council_table` fills it
from a :class:`~sim.report.data.Study` (values with their confidence interval) and
:func:`council_section` renders it. Values come from ``metrics.json`` (scenario keys, and
``per_service`` for the service rows) or ``comparison.csv`` — nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.council import COUNCIL_KPIS, SERVICE_KPIS, CouncilRow, CouncilTable, ServiceRow
from sim.council import council_table as _table
from sim.council import number as _number
from sim.report.data import KPI_ALIASES, Study, Value
from sim.report.document import Cell, Figure, Paragraph, Section, Table
from sim.report.i18n import fmt_kind, kpi_label, tr


def council_table(study: Study) -> CouncilTable[Value]:
    """The KPI table of ``study``: indicators some scenario has, and every service with a cost."""
    per = [s.first.metrics.get("per_service") if s.first is not None else None for s in study.scenarios]
    return _table(study.names, [s.kpis for s in study.scenarios], per, present=lambda v: v.mean is not None,
                  aliases=KPI_ALIASES)


def _population(study: Study) -> float | None:
    for s in study.scenarios:
        demand = (s.first.scenario.get("demand") or {}) if s.first is not None else {}
        if _number(demand.get("population_total")) is not None:
            return float(demand["population_total"])
    return None


def council_section(study: Study, lang: str, figures: Sequence[Figure] = ()) -> Section | None:
    """The KPI table, the coverage by town and its map (``figures``) as a report section (``None`` when the runs have no costs)."""
    from sim.report.coverage import coverage_blocks

    from sim.report.values import fmt_value

    table = council_table(study)
    if not any(r.key == "city_burden_yen_per_year" for r in table.rows):
        return None
    pop = _population(study)
    blocks: list[Any] = [Paragraph(tr(lang, "council_intro", population=fmt_kind(lang, "int", pop)))]
    rows = tuple(
        (Cell(kpi_label(lang, r.key)),
         *(Cell(fmt_value(lang, r.key, v or Value(None), kind=r.kind), numeric=True) for v in r.values))
        for r in table.rows
    )
    caption = tr(lang, "kpi_table_caption_ci", r=study.replications) if study.replications > 1 else ""
    blocks.append(Table((tr(lang, "col_kpi"), *table.scenarios), rows, caption=caption, title=tr(lang, "council_scenarios_title")))
    if any(len([x for x in table.services if x.scenario == s]) > 1 for s in table.scenarios):
        srows = tuple(
            (Cell(x.scenario), Cell(x.service), *(Cell(fmt_kind(lang, kind, x.values.get(k)), numeric=True) for k, kind in SERVICE_KPIS))
            for x in table.services
        )
        header = (tr(lang, "col_scenario"), tr(lang, "col_service"), *(kpi_label(lang, k) for k, _ in SERVICE_KPIS))
        blocks.append(Table(header, srows, caption=tr(lang, "council_services_caption"), title=tr(lang, "council_services_title")))
    blocks += coverage_blocks(study, lang)
    blocks += list(figures)
    return Section("council", tr(lang, "sec_council"), tuple(blocks))


def rejections_table(study: Study, lang: str) -> Table | None:
    """Rejected requests by reason (rows) and scenario (columns), mean over each scenario's runs."""
    from sim.report.i18n_council import REASON_LABELS

    counts: list[dict[str, float]] = []
    for s in study.scenarios:
        total: dict[str, float] = {}
        for run in s.runs:
            for reason, n in (run.metrics.get("rejections_by_reason") or {}).items():
                total[reason] = total.get(reason, 0.0) + float(n) / len(s.runs)
        counts.append(total)
    reasons = sorted({r for c in counts for r in c}, key=lambda r: -sum(c.get(r, 0.0) for c in counts))
    if not reasons:
        return None
    rows = tuple(
        (Cell(REASON_LABELS[r][1 if lang == "ja" else 0] if r in REASON_LABELS else r),
         *(Cell(fmt_kind(lang, "int", c.get(r, 0.0)), numeric=True) for c in counts))
        for r in reasons
    )
    return Table((tr(lang, "col_reason"), *study.names), rows, caption=tr(lang, "rejections_caption"), title=tr(lang, "rejections_title"))


__all__ = ["COUNCIL_KPIS", "SERVICE_KPIS", "CouncilRow", "CouncilTable", "ServiceRow", "council_section", "council_table", "rejections_table"]
