"""The 地域公共交通計画 KPI table of a study, as typed records and as report tables.

:func:`council_table` is the one place that decides which indicators the table has and in what
order; the report (:func:`council_section`) and other outputs (a workbook) render its records.
Values come from ``metrics.json`` (scenario keys, and ``per_service`` for the service rows) or
``comparison.csv`` — nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.report.data import KPI_ALIASES, Study, Value
from sim.report.document import Cell, Figure, Paragraph, Section, Table
from sim.report.i18n import fmt_kind, kpi_label, tr

#: Rows of the KPI table: (metrics key, unit kind for :func:`sim.report.i18n.fmt_kind`).
COUNCIL_KPIS: tuple[tuple[str, str], ...] = (
    ("riders_per_day", "int"),
    ("riders_per_year", "int"),
    ("fare_revenue_yen_per_year", "yen"),
    ("annual_cost_yen", "yen"),
    ("farebox_ratio", "pct"),
    ("public_funding_yen_per_year", "yen"),
    ("national_funding_yen_per_year", "yen"),
    ("prefecture_funding_yen_per_year", "yen"),
    ("city_burden_yen_per_year", "yen"),
    ("burden_per_resident_yen", "yen"),
    ("burden_per_rider_yen", "yen"),
    ("population_coverage_share_300m", "pct"),
    ("population_coverage_share_500m", "pct"),
    ("population_without_service", "int"),
    ("coverage_65plus_share_500m", "pct"),
)

#: Columns of the per-service table (coverage is a property of the whole network of services).
SERVICE_KPIS: tuple[tuple[str, str], ...] = COUNCIL_KPIS[:11]


@dataclass(frozen=True, slots=True)
class CouncilRow:
    """One indicator of the KPI table: its key, unit kind and value (with CI) per scenario, in study order."""

    key: str
    kind: str
    values: tuple[Value, ...]

    def label(self, lang: str) -> str:
        """The indicator's name in ``lang``."""
        return kpi_label(lang, self.key)


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """The indicators of one service of one scenario (first run), keyed as :data:`SERVICE_KPIS`."""

    scenario: str
    service: str
    values: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class CouncilTable:
    """The KPI table of a study: scenarios (columns), indicator rows, and the per-service rows."""

    scenarios: tuple[str, ...]
    rows: tuple[CouncilRow, ...]
    services: tuple[ServiceRow, ...]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def council_table(study: Study) -> CouncilTable:
    """The KPI table of ``study``: indicators some scenario has, and every service with a cost."""
    rows = []
    for key, kind in COUNCIL_KPIS:
        names = [key, *(k for k, alias in KPI_ALIASES.items() if key in alias)]  # canonical_kpis may rename it
        values = tuple(next((s.kpis[n] for n in names if n in s.kpis), Value(None)) for s in study.scenarios)
        if any(v.mean is not None for v in values):
            rows.append(CouncilRow(key, kind, values))
    services = []
    for s in study.scenarios:
        per = s.first.metrics.get("per_service") if s.first is not None else None
        if not isinstance(per, dict):
            continue
        for name, m in per.items():
            if isinstance(m, dict) and _number(m.get("annual_cost_yen")) is not None:
                services.append(ServiceRow(s.name, str(name), {k: _number(m.get(k)) for k, _ in SERVICE_KPIS}))
    return CouncilTable(tuple(study.names), tuple(rows), tuple(services))


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
        (Cell(r.label(lang)), *(Cell(fmt_value(lang, r.key, v, kind=r.kind), numeric=True) for v in r.values))
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
