"""Report section of the behavioural demand: who travels how, who rides, what is refused or unmet.

Read from ``metrics.json`` of each scenario's first run (keys of
:mod:`sim.run.behaviour_outputs`); absent for runs with fixed demand. One table (mode shares,
public-transport trips, riders by service, refused vs unmet demand, riders aged 65+ without a car,
shifts against the first scenario) and one chart (public-transport riders by service and unmet
demand), in English or Japanese.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.report.data import Study
from sim.report.document import Cell, Figure, Paragraph, Section, Table
from sim.report.figures import Chart, _figure_legend, mpl_text
from sim.report.style import new_figure, scenario_colour

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Demand: modes, riders, refused and unmet trips",
        "intro": (
            "The residents' trips of the day (behavioural demand: a synthetic population choosing its mode "
            "against the level of service of each option; the same residents and tastes in every scenario). "
            "Refused: asked of a running service and refused (the rider took the next choice). Unmet: no "
            "service at that time or place for a trip that would have used one."
        ),
        "row": "indicator",
        "trips": "trips of residents",
        "pt": "public-transport trips",
        "share": "share of trips: {m}",
        "asked": "requests asked of the services",
        "refused": "refused by a running service",
        "unmet_no_service_at_time": "unmet: no service at that time",
        "unmet_no_service_in_area": "unmet: no service in the area",
        "riders": "riders: {s}",
        "old": "riders aged 65+ without a car",
        "shift": "{m} trips vs {first}",
        "fig": "Public-transport riders by service and unmet demand",
        "fig_caption": "Riders a day on each service (a DRT + line journey counts for both) and trips left unmet.",
        "fig_y": "trips a day",
        "unmet": "unmet demand",
        "intro_many": (
            "This report compares {n} scenarios on the same synthetic residents: {trips} trips on one simulated "
            "day (random seed {seed}), each choosing walking, cycling, the car, a lift, a taxi or public transport "
            "by the level of service each scenario offers; the requests asked of the services differ because "
            "riders respond to them."
        ),
        "intro_one": (
            "This report describes one simulated day of {name} (random seed {seed}): {trips} trips of the residents, "
            "each choosing its mode by the level of service offered; {k} of them asked public transport for a ride."
        ),
    },
    "ja": {
        "title": "需要：交通手段、利用者、断られた移動と満たされない移動",
        "intro": (
            "住民の1日の移動（行動モデル：合成人口が各手段のサービス水準を比べて手段を選ぶ。全シナリオで同じ住民と嗜好）。"
            "断られた移動：運行中のサービスに申し込み、断られた移動（次の選択肢に移る）。満たされない移動："
            "その時間・場所にサービスがないため公共交通を使えなかった移動。"
        ),
        "row": "指標",
        "trips": "住民の移動数",
        "pt": "公共交通の移動数",
        "share": "手段分担率：{m}",
        "asked": "サービスへの申込数",
        "refused": "運行中に断られた申込",
        "unmet_no_service_at_time": "満たされない移動：その時間に運行なし",
        "unmet_no_service_in_area": "満たされない移動：その地域に運行なし",
        "riders": "利用者：{s}",
        "old": "車のない65歳以上の利用者",
        "shift": "{m}の移動（{first}との差）",
        "fig": "サービス別の公共交通利用者と満たされない需要",
        "fig_caption": "各サービスの1日の利用者（DRTと路線の乗継は両方に数える）と満たされない移動。",
        "fig_y": "1日の移動数",
        "unmet": "満たされない需要",
        "intro_many": (
            "{n}つのシナリオを同じ住民で比較しました：1日のシミュレーション（乱数シード{seed}）で同じ合成人口の"
            "{trips}件の移動が、各シナリオのサービス水準をもとに徒歩・自転車・自動車・送迎・タクシー・公共交通から"
            "手段を選びます。利用者がサービスに反応するため、サービスへの申込数はシナリオごとに異なります。"
        ),
        "intro_one": (
            "{name}の1日のシミュレーション（乱数シード{seed}）：住民の{trips}件の移動がサービス水準をもとに"
            "手段を選び、そのうち{k}件が公共交通に乗車を申し込みました。"
        ),
    },
}

_MODES_JA = {
    "walk": "徒歩",
    "bike": "自転車",
    "car": "自動車（運転）",
    "lift": "自動車（送迎）",
    "taxi": "タクシー",
    "drt": "DRT",
    "line": "路線バス",
    "drt+line": "DRT＋路線",
}
_PT = ("drt", "line", "drt+line")


def _t(lang: str, key: str, **kw: Any) -> str:
    return _TEXT.get(lang, _TEXT["en"])[key].format(**kw)


def _mode(lang: str, m: str) -> str:
    return _MODES_JA.get(m, m) if lang == "ja" else m


def _metrics(study: Study) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for s in study.scenarios:
        m = s.first.metrics if s.first is not None else None
        if isinstance(m, dict) and isinstance(m.get("mode_trips"), dict):
            out.append((s.name, m))
    return out


def demand_table(study: Study, lang: str) -> Table | None:
    """The indicators of the module docstring, one column per scenario."""
    found = _metrics(study)
    if not found:
        return None
    modes = list(dict.fromkeys(k for _, m in found for k in m["mode_trips"]))
    services = sorted({k for _, m in found for k in m.get("per_service", {})})
    first_name, first = found[0]

    def row(label: str, values: list[str]) -> tuple[Cell, ...]:
        return (Cell(label), *(Cell(v, numeric=True) for v in values))

    rows = [
        row(_t(lang, "trips"), [f"{m['trips_total']:,}" for _, m in found]),
        row(
            _t(lang, "pt"),
            [f"{sum(m['mode_trips'].get(k, 0) for k in _PT):,}" for _, m in found],
        ),
    ]
    rows += [
        row(
            _t(lang, "share", m=_mode(lang, mode)),
            [f"{100 * m['mode_share'].get(mode, 0.0):.2f} %" for _, m in found],
        )
        for mode in modes
    ]
    rows.append(
        row(_t(lang, "asked"), [str(m.get("requests_total", 0)) for _, m in found])
    )
    rows.append(
        row(
            _t(lang, "refused"),
            [
                f"{m.get('requests_rejected', 0)} ({100 * (m.get('rejection_rate') or 0.0):.1f} %)"
                for _, m in found
            ],
        )
    )
    for reason in ("no_service_at_time", "no_service_in_area"):
        rows.append(
            row(
                _t(lang, f"unmet_{reason}"),
                [str(m.get("unmet_demand", {}).get(reason, 0)) for _, m in found],
            )
        )
    for svc in services:
        rows.append(
            row(
                _t(lang, "riders", s=svc),
                [
                    str(
                        m.get("per_service", {})
                        .get(svc, {})
                        .get("passengers_served", "—")
                    )
                    for _, m in found
                ],
            )
        )
    rows.append(
        row(
            _t(lang, "old"),
            [
                str(
                    sum(
                        v
                        for k, v in m.get("pt_riders_by_group", {}).items()
                        if k.split("/")[0] in ("65-74", "75+") and k.endswith("no_car")
                    )
                )
                for _, m in found
            ],
        )
    )
    if len(found) > 1:
        for mode in ("car", "lift", "taxi"):
            base = first["mode_trips"].get(mode, 0)
            rows.append(
                row(
                    _t(lang, "shift", m=_mode(lang, mode), first=first_name),
                    [f"{m['mode_trips'].get(mode, 0) - base:+d}" for _, m in found],
                )
            )
    return Table((_t(lang, "row"), *(n for n, _ in found)), tuple(rows))


def riders_chart(study: Study, lang: str) -> Chart | None:
    """Grouped bars: riders a day per service and unmet trips, one series per scenario."""
    found = _metrics(study)
    if not found:
        return None
    services = sorted({k for _, m in found for k in m.get("per_service", {})})
    labels = services + [_t(lang, "unmet")]
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    width = 0.8 / len(found)
    for j, (name, m) in enumerate(found):
        values = [
            float(m.get("per_service", {}).get(s, {}).get("passengers_served") or 0)
            for s in services
        ]
        values.append(float(sum(m.get("unmet_demand", {}).values())))
        k = next(i for i, s in enumerate(study.scenarios) if s.name == name)
        ax.bar(
            x + (j - (len(found) - 1) / 2) * width,
            values,
            width,
            color=scenario_colour(k),
            label=mpl_text(name),
        )
    ax.set_xticks(x, [mpl_text(s) for s in labels], rotation=20, ha="right")
    ax.set_ylabel(_t(lang, "fig_y"))
    ax.set_title(_t(lang, "fig"))
    _figure_legend(fig, ax)
    return Chart("riders_by_service", _t(lang, "fig"), _t(lang, "fig_caption"), fig)


def behavioural_intro(study: Study, lang: str, *, seed: str) -> str | None:
    """The summary's first sentence when every scenario has behavioural demand on the same residents
    (``None`` otherwise: the report's usual wording then applies)."""
    found = _metrics(study)
    if (
        not found
        or len(found) != len(study.scenarios)
        or len({m["trips_total"] for _, m in found}) != 1
    ):
        return None
    name, m = found[0]
    trips = f"{m['trips_total']:,}"
    if len(found) == 1:
        return _t(
            lang,
            "intro_one",
            name=name,
            seed=seed,
            trips=trips,
            k=f"{m.get('requests_total', 0):,}",
        )
    return _t(lang, "intro_many", n=len(found), seed=seed, trips=trips)


def demand_section(study: Study, lang: str, figures: list[Figure]) -> Section | None:
    """The section (``None`` when no scenario has behavioural demand)."""
    table = demand_table(study, lang)
    if table is None:
        return None
    return Section(
        "demand", _t(lang, "title"), (Paragraph(_t(lang, "intro")), table, *figures)
    )
