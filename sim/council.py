"""The 地域公共交通計画 (local public transport plan) KPI table as plain data, for every output.

The one place that decides which indicators the council's KPI table has, in what order and in
what unit kind: the report renders it (:mod:`sim.report.council`) and the workbooks write it as a
sheet (:mod:`sim.interop.excel`). Nothing is recomputed: the values are the ``metrics.json`` keys
of each scenario (mean over replications where there are several) and, for the service rows, its
``per_service`` entries. It sits on the ground floor, beside the KPI registry :mod:`sim.kpis`, so
that both the interop and report floors can use it.

Unit kinds (``kind``): ``"int"`` a count (people, riders), ``"yen"`` Japanese yen (per year where
the key says ``_per_year``, else per resident or rider per year), ``"pct"`` a share of 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

#: Rows of the KPI table: (metrics key, unit kind).
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

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class CouncilRow(Generic[V]):
    """One indicator: its ``metrics.json`` key, unit kind and value per scenario (``None``: the
    scenario has no such value), in scenario order. ``V`` is a number, or the report's value
    with a confidence interval."""

    key: str
    kind: str
    values: tuple[V | None, ...]


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """The indicators of one service of one scenario (its first run), keyed as :data:`SERVICE_KPIS`."""

    scenario: str
    service: str
    values: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class CouncilTable(Generic[V]):
    """The KPI table: scenarios (columns), indicator rows, and the per-service rows."""

    scenarios: tuple[str, ...]
    rows: tuple[CouncilRow[V], ...]
    services: tuple[ServiceRow, ...]


def number(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is not a number (text, a boolean, missing)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def council_table(
    scenarios: Sequence[str],
    kpis: Sequence[Mapping[str, V]],
    per_service: Sequence[Mapping[str, Any] | None],
    *,
    present: Callable[[V], bool] = lambda v: number(v) is not None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> CouncilTable[V]:
    """The KPI table of ``scenarios``.

    ``kpis[i]`` are the KPI values of scenario ``i`` by key; a row is kept when ``present`` holds
    for some scenario's value. ``aliases`` maps a canonical key to the names it may have been
    renamed from (a key of :data:`COUNCIL_KPIS` is also looked up under every canonical key whose
    aliases include it). ``per_service[i]`` is the ``per_service`` entry of scenario ``i``'s
    ``metrics.json`` (``None`` if it has none); every service with an ``annual_cost_yen`` gives a
    :class:`ServiceRow`.
    """
    rows: list[CouncilRow[V]] = []
    for key, kind in COUNCIL_KPIS:
        names = [key, *(k for k, alias in (aliases or {}).items() if key in alias)]
        values = tuple(next((m[n] for n in names if n in m), None) for m in kpis)
        if any(v is not None and present(v) for v in values):
            rows.append(CouncilRow(key, kind, values))
    services: list[ServiceRow] = []
    for name, per in zip(scenarios, per_service, strict=True):
        if not isinstance(per, Mapping):
            continue
        for service, m in per.items():
            if isinstance(m, Mapping) and number(m.get("annual_cost_yen")) is not None:
                services.append(ServiceRow(name, str(service), {k: number(m.get(k)) for k, _ in SERVICE_KPIS}))
    return CouncilTable(tuple(scenarios), tuple(rows), tuple(services))


__all__ = ["COUNCIL_KPIS", "SERVICE_KPIS", "CouncilRow", "CouncilTable", "ServiceRow", "council_table", "number"]
