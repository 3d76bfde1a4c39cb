"""The annual table by day type of a run with ``[year]`` (``metrics.json`` ``year``; sim/run/year.py),
with its own English and Japanese wording."""

from __future__ import annotations

from typing import Any

from sim.report.data import Study
from sim.report.document import Cell, Table
from sim.report.i18n import fmt_kind

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "The year by day type",
        "caption": (
            "Each day type simulated on its own (its services, demand level and seed); the year is the sum of each "
            "day type's day × its days. Demand factors are ASSUMPTIONs unless a source is named. Suspended: the "
            "fallback policy's day (cancelled, or a driven backup). Vehicles and fixed costs are paid once (the "
            "largest day type); staff FTE come from the summed duty-days and hours."
        ),
        "cols": "scenario|day type|days|demand factor (source)|served a day|vehicle-km a day|duties a day|"
                "trips a year|vehicle-km a year|duty-days a year|running cost a year",
        "total": "year",
        "suspended": " (suspended)",
    },
    "ja": {
        "title": "日種別の年間集計",
        "caption": (
            "日種別ごとに運行（サービス・需要水準・乱数の種）を個別にシミュレーションし、年間値は各日種別の1日 × 日数の"
            "合計です。需要係数は出典の記載がない限り仮定（ASSUMPTION）です。運休日: 代替方針（運休または有人代替運行）"
            "の日。車両費・固定費は一度だけ（最大の日種別）、職員数（FTE）は合計した勤務日数・時間から算出。"
        ),
        "cols": "シナリオ|日種別|日数|需要係数（出典）|1日の利用|1日の車両km|1日の勤務数|年間トリップ|年間車両km|"
                "年間勤務日数|年間運行費",
        "total": "年間",
        "suspended": "（運休日）",
    },
}


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def year_table(study: Study, lang: str) -> Table | None:
    """One row per scenario and day type, then the year, from ``metrics.json`` ``year`` (``None``
    when no run has day types)."""
    text = _TEXT["ja" if lang == "ja" else "en"]
    rows = []
    for s in study.scenarios:
        year = s.first.metrics.get("year") if s.first is not None else None
        if not isinstance(year, dict):
            continue
        for d in year.get("day_types", []):
            name = str(d.get("day_type")) + (text["suspended"] if d.get("suspended") else "")
            factor = f"{_num(d.get('demand_factor')) or 0:g} ({d.get('demand_source', '')})"
            rows.append((
                Cell(s.name), Cell(name), Cell(fmt_kind(lang, "int", _num(d.get("days"))), numeric=True), Cell(factor),
                Cell(fmt_kind(lang, "int", _num(d.get("passenger_trips_per_day"))), numeric=True),
                Cell(fmt_kind(lang, "km", _num(d.get("vehicle_km_per_day"))), numeric=True),
                Cell(fmt_kind(lang, "int", _num(d.get("duties_per_day"))), numeric=True),
                Cell(fmt_kind(lang, "int", _num(d.get("trips_per_year"))), numeric=True),
                Cell(fmt_kind(lang, "km", _num(d.get("vehicle_km_per_year"))), numeric=True),
                Cell(fmt_kind(lang, "int", _num(d.get("duty_days_per_year"))), numeric=True),
                Cell(fmt_kind(lang, "yen", _num(d.get("running_cost_yen_per_year"))), numeric=True),
            ))
        t = year.get("total", {})
        rows.append((
            Cell(s.name), Cell(text["total"]), Cell(fmt_kind(lang, "int", _num(t.get("days"))), numeric=True), Cell(""),
            Cell(""), Cell(""), Cell(""),
            Cell(fmt_kind(lang, "int", _num(t.get("trips_per_year"))), numeric=True),
            Cell(fmt_kind(lang, "km", _num(t.get("vehicle_km_per_year"))), numeric=True),
            Cell(fmt_kind(lang, "int", _num(t.get("duty_days_per_year"))), numeric=True),
            Cell(fmt_kind(lang, "yen", _num(t.get("running_cost_yen_per_year"))), numeric=True),
        ))
    if not rows:
        return None
    return Table(tuple(text["cols"].split("|")), tuple(rows), caption=text["caption"], title=text["title"])
