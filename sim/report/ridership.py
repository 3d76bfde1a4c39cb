"""Report section of observed ridership counts beside the simulated ones (``ridership.csv``).

Present when a run was given observed counts (the scenario's ``[ridership]`` or ``run
--observed``; :mod:`sim.interop.observed`): one table per route and scenario with every stop's
observed boardings and alightings a day (mean per counted day), the simulated day's, and the
difference (simulated − observed), in English or Japanese. Nothing is recomputed here.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sim.report.data import Study
from sim.report.document import Cell, Paragraph, Section, Table

FILE = "ridership.csv"

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Observed and simulated ridership by stop",
        "intro": (
            "Riders getting on and off each line at each stop: observed counts (MLIT ridership data, the mean per "
            "counted day) beside the simulated day, and the difference (simulated − observed). A large difference "
            "points at demand the model misses or puts elsewhere; the simulated day is one random day, the observed "
            "figures an average, so small differences are noise."
        ),
        "table": "Route {route} (simulated as {services})",
        "table_many": "{scenario}: route {route} (simulated as {services})",
        "stop": "stop",
        "obs_on": "observed boardings a day",
        "obs_off": "observed alightings a day",
        "sim_on": "simulated boardings",
        "sim_off": "simulated alightings",
        "diff_on": "difference boardings",
        "diff_off": "difference alightings",
        "total": "total",
        "caption": "Stops are compared by road node; stop ids of the count files: {ids}.",
    },
    "ja": {
        "title": "停留所別の乗降実績と再現値",
        "intro": (
            "路線ごと・停留所ごとの乗車人数と降車人数：観測値（乗降実績データ、調査日1日当たりの平均）と"
            "シミュレーションの1日、その差（再現値－観測値）。差が大きい停留所は、モデルが需要を取りこぼしているか"
            "別の場所に配分していることを示す。再現値は乱数による1日、観測値は平均であり、小さな差は偶然の範囲である。"
        ),
        "table": "路線 {route}（再現したサービス：{services}）",
        "table_many": "{scenario}：路線 {route}（再現したサービス：{services}）",
        "stop": "停留所",
        "obs_on": "乗車（観測、人/日）",
        "obs_off": "降車（観測、人/日）",
        "sim_on": "乗車（再現）",
        "sim_off": "降車（再現）",
        "diff_on": "乗車の差",
        "diff_off": "降車の差",
        "total": "合計",
        "caption": "停留所は道路ノードで照合した。乗降データの停留所ID：{ids}。",
    },
}


def _t(lang: str, key: str, **kw: object) -> str:
    return _TEXT["ja" if lang == "ja" else "en"][key].format(**kw)


def _rows(directory: Path) -> list[dict[str, str]]:
    path = directory / FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _per_day(value: float) -> str:
    return f"{value:,.1f}"


def _diff(value: float) -> str:
    """A signed difference to 0.1 (``+1.5``, ``−4.0``; ``0.0`` when it rounds to nothing)."""
    return "0.0" if round(value, 1) == 0 else f"{value:+,.1f}".replace("-", "−")


def ridership_section(study: Study, lang: str) -> Section | None:
    """One table per route and scenario (first run of each), or ``None`` when no run has observed counts."""
    blocks: list[Paragraph | Table] = [Paragraph(_t(lang, "intro"))]
    many = len(study.scenarios) > 1
    for s in study.scenarios:
        rows = _rows(s.first.directory) if s.first is not None else []
        routes: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            routes.setdefault(r["route_id"], []).append(r)
        for route, stops in routes.items():
            cells: list[tuple[Cell, ...]] = []
            totals = [0.0] * 6
            for r in stops:
                values = [float(r[k]) for k in ("observed_geton_per_day", "observed_getoff_per_day", "simulated_geton",
                                                 "simulated_getoff", "diff_geton", "diff_getoff")]
                totals = [a + b for a, b in zip(totals, values)]
                name = r["stop_name"] or r["stop_id"]
                cells.append(_row(name, values))
            cells.append(_row(_t(lang, "total"), totals, strong=True))
            services = stops[0]["services"].replace("+", ", ")
            title = (_t(lang, "table_many", scenario=s.name, route=route, services=services) if many
                     else _t(lang, "table", route=route, services=services))
            ids = ", ".join(r["stop_id"] for r in stops)
            header = tuple(_t(lang, k) for k in ("stop", "obs_on", "obs_off", "sim_on", "sim_off", "diff_on", "diff_off"))
            blocks.append(Table(header, tuple(cells), caption=_t(lang, "caption", ids=ids), title=title))
    if len(blocks) == 1:
        return None
    return Section("ridership", _t(lang, "title"), tuple(blocks))


def _row(name: str, values: list[float], *, strong: bool = False) -> tuple[Cell, ...]:
    obs_on, obs_off, sim_on, sim_off, d_on, d_off = values
    return (
        Cell(name, strong=strong),
        Cell(_per_day(obs_on), numeric=True), Cell(_per_day(obs_off), numeric=True),
        Cell(f"{int(sim_on):,}", numeric=True), Cell(f"{int(sim_off):,}", numeric=True),
        Cell(_diff(d_on), numeric=True), Cell(_diff(d_off), numeric=True),
    )


__all__ = ["FILE", "ridership_section"]
