"""Compose the report :class:`~sim.report.document.Document` of a study: summary, tables, figures, assumptions.

Language-neutral decisions (which KPIs, which scenario is best, which parameters differ) are
made here; wording comes from :mod:`sim.report.i18n`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.model.services import ServiceKind
from sim.report.demand import demand_section
from sim.report.assumptions import Param, format_value, scenario_params, sourced_default
from sim.report.data import Study, Value
from sim.report.document import (
    Bullets,
    Cell,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
)
from sim.report.i18n import (
    fmt_kind,
    join_names,
    kpi_label,
    param_label,
    tr,
    weekday,
)
from sim.report.maps import place_names, scenario_towns, zone_label
from sim.report.summary import HEADLINE, summary_section  # noqa: F401  (re-exported)
from sim.report.values import best_of, better, fmt_value, kpi_keys, kpi_kind  # noqa: F401  (re-exported)

# --------------------------------------------------------------------------- what was compared


def _service_text(lang: str, name: str, svc: dict[str, Any], vehicles: dict[str, Any]) -> str:
    kind = str(svc.get("kind", ServiceKind.DRT))
    vt = vehicles.get(str(svc.get("vehicle", "")), {}) or {}
    days = svc.get("days") or []
    if len(days) == 7:
        days_text = tr(lang, "days_all")
    else:
        days_text = ("・" if lang == "ja" else ", ").join(weekday(lang, str(d)) for d in days)
    automation = str(vt.get("automation", "human"))
    auto_text = tr(lang, f"automation_{automation}") if automation in {"human", "level2", "level4_crew", "level4_remote"} else automation
    if kind == ServiceKind.DRT:
        areas = svc.get("areas") or {}
        areas_text = ""
        if areas:
            parts = []
            for area_name, area in areas.items():
                districts = ("・" if lang == "ja" else ", ").join(str(d) for d in (area or {}).get("districts", []))
                parts.append(f"{area_name} ({districts})" if districts else str(area_name))
            areas_text = tr(lang, "areas", areas="; ".join(parts) if lang != "ja" else "、".join(parts))
        if svc.get("transfer_hub"):
            names = place_names(lang)
            areas_text += tr(lang, "hub", hub=names.get(str(svc["transfer_hub"]), str(svc["transfer_hub"])))
        return tr(
            lang,
            "service_drt",
            name=name,
            mode=tr(lang, "mode_door" if svc.get("mode") == "door" else "mode_stop"),
            fleet=svc.get("fleet_size", "?"),
            vehicle=svc.get("vehicle", "?"),
            capacity=vt.get("capacity", "?"),
            automation=auto_text,
            start=svc.get("start", "09:00"),
            end=svc.get("end", "17:00"),
            days=days_text,
            areas=areas_text,
        )
    if kind == ServiceKind.LINE:
        stops = [str(x) for x in svc.get("stops") or []]
        names = place_names(lang)
        first = names.get(stops[0], stops[0].removeprefix("town:")) if stops else "?"
        last = names.get(stops[-1], stops[-1].removeprefix("town:")) if stops else "?"
        if svc.get("headway_min") is not None:
            timetable = tr(lang, "timetable_headway", h=format_value(svc["headway_min"]), start=svc.get("start", ""), end=svc.get("end", ""))
        else:
            timetable = tr(lang, "timetable_departures", n=len(svc.get("departures") or []))
        return tr(
            lang,
            "service_line",
            name=name,
            pattern=tr(lang, "pattern_loop" if svc.get("pattern") == "loop" else "pattern_out_and_back"),
            stops=len(stops),
            first=first,
            last=last,
            timetable=timetable,
            vehicle=svc.get("vehicle", "?"),
            capacity=vt.get("capacity", "?"),
            automation=auto_text,
            days=days_text,
        )
    return tr(lang, "service_other", name=name, kind=kind)


def _demand_text(lang: str, scenario: dict[str, Any], requests: Value) -> str:
    d = scenario.get("demand") or {}
    return tr(
        lang,
        "demand_line",
        k=fmt_kind(lang, "int", requests.mean),
        start=d.get("start", "09:00"),
        end=d.get("end", "17:00"),
        csv=tr(lang, "demand_csv") if d.get("csv") else "",
    )


def compared_section(study: Study, lang: str, params: dict[str, list[Param]]) -> Section:
    """Scenario descriptions, services and demand; for comparisons, the settings that differ."""
    rows = []
    for s in study.scenarios:
        sc = s.first.scenario if s.first is not None else {}
        services = sc.get("services") or {}
        vehicles = sc.get("vehicles") or {}
        svc_text = "\n".join(
            _service_text(lang, n, v, vehicles) for n, v in services.items() if isinstance(v, dict) and v.get("enabled", True)
        )
        rows.append((
            Cell(s.name),
            Cell(str(sc.get("description", ""))),
            Cell(svc_text or "–"),
            Cell(_demand_text(lang, sc, s.kpis.get("requests_total", Value(None)))),
        ))
    header = (tr(lang, "col_scenario"), tr(lang, "col_description"), tr(lang, "col_services"), tr(lang, "col_demand"))
    blocks: list[Any] = [Table(header, tuple(rows))]
    if len(study.scenarios) > 1:
        differ = differing_params(study, params, lang)
        if differ:
            blocks.append(differ_table(study, lang, differ))
    title = tr(lang, "sec_compared" if len(study.scenarios) > 1 else "sec_simulated")
    return Section("compared", title, tuple(blocks))


def _group(path: str) -> str:
    """``services.trunk.stops`` -> ``services.trunk``, ``services.x.areas.A.depot`` -> ``services.x.areas``."""
    parts = path.split(".")
    if parts[0] == "services" and len(parts) > 3 and parts[2] == "areas":
        return ".".join(parts[:3])
    return ".".join(parts[:2]) if parts[0] in ("services", "vehicles") and len(parts) > 2 else path


def _group_meaning(lang: str, group: str) -> str:
    if group.endswith(".areas"):
        return tr(lang, "group_areas")
    if group.startswith("services."):
        return tr(lang, "group_service")
    if group.startswith("vehicles."):
        return tr(lang, "group_vehicle")
    return ""


def _group_value(lang: str, group: str, found: dict[str, Param]) -> str:
    """What a whole service or vehicle type is in one scenario (``–`` when it has none)."""
    if not any(k == group or k.startswith(group + ".") for k in found):
        return "–"
    if group.endswith(".areas"):
        areas = dict.fromkeys(k[len(group) + 1 :].split(".")[0] for k in found if k.startswith(group + "."))
        return ", ".join(areas)
    if group.startswith("services."):
        kind = found.get(group + ".kind")
        vehicle = found.get(group + ".vehicle")
        return f"{format_value(kind.value) if kind else '?'}: {format_value(vehicle.value) if vehicle else '?'}"
    if group.startswith("vehicles."):
        auto = found.get(group + ".automation")
        return format_value(auto.value) if auto else tr(lang, "present")
    return tr(lang, "present")


def differing_params(study: Study, params: dict[str, list[Param]], lang: str = "en") -> list[tuple[str, list[str], bool]]:
    """Rows ``(key, value per scenario, is_group)`` of the settings that differ between scenarios.

    A service or vehicle type that only some scenarios have is one row (its kind and vehicle, or
    its automation level), not one row per setting.
    """
    names = [s.name for s in study.scenarios]
    found = {n: {p.path: p for p in params.get(n, [])} for n in names}
    paths: list[str] = []
    for n in names:
        paths += [p for p in found[n] if p not in paths]
    rows: list[tuple[str, list[str], bool]] = []
    groups: set[str] = set()
    for path in paths:
        if all(path in found[n] for n in names):
            values = [format_value(found[n][path].value) for n in names]
            if len(set(values)) > 1:
                rows.append((path, values, False))
            continue
        group = _group(path)
        if group in groups:
            continue
        groups.add(group)
        values = [_group_value(lang, group, found[n]) for n in names]
        if len(set(values)) > 1:
            rows.append((group, values, True))
    return rows


def differ_table(study: Study, lang: str, rows: Sequence[tuple[str, list[str], bool]]) -> Table:
    """Rows = differing parameters, columns = scenarios."""
    out = []
    for path, values, is_group in rows:
        cells = [Cell(path, code=True), Cell(_group_meaning(lang, path) if is_group else param_label(lang, path))]
        cells += [value_cell(v) for v in values]
        out.append(tuple(cells))
    header = (tr(lang, "col_parameter"), tr(lang, "col_meaning"), *(s.name for s in study.scenarios))
    return Table(header, tuple(out), title=tr(lang, "assumptions_differ"))


def value_cell(text: str) -> Cell:
    """A parameter value cell: right-aligned only when it is a number."""
    return Cell(text, numeric=bool(_NUMERIC.match(text)))


_NUMERIC = re.compile(r"^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?%?$")


# --------------------------------------------------------------------------- KPIs


def kpi_section(study: Study, lang: str) -> Section:
    """The full KPI table (rows = KPIs, columns = scenarios), best values starred, and per-service tables."""
    rows = []
    for key in kpi_keys(study):
        side = better(key)
        tied = {s.name for s in best_of(study, key, side)[0]} if side and len(study.scenarios) > 1 else set()
        cells = [Cell(kpi_label(lang, key))]
        for s in study.scenarios:
            value = s.kpis.get(key, Value(None))
            text = fmt_value(lang, key, value)
            star = s.name in tied
            cells.append(Cell(("★ " + text) if star else text, strong=star, numeric=True))
        rows.append(tuple(cells))
    header = (tr(lang, "col_kpi"), *(s.name for s in study.scenarios))
    caption = tr(lang, "kpi_table_caption_ci", r=study.replications) if study.replications > 1 else tr(lang, "kpi_table_caption")
    if len(study.scenarios) > 1:
        caption += " " + tr(lang, "best_marker_note")
    from sim.report.council import rejections_table

    blocks: list[Any] = [Table(header, tuple(rows), caption=caption)]
    blocks += [t for t in (rejections_table(study, lang),) if t is not None]
    table = per_service_table(study, lang)
    if table is not None:
        blocks.append(table)
    return Section("kpis", tr(lang, "sec_kpis"), tuple(blocks))


_SERVICE_COLS = ("requests_served", "wait_mean_s", "wait_p90_s", "ride_mean_s", "vehicles", "vehicle_km", "passengers_per_vehicle_hour")


def per_service_table(study: Study, lang: str) -> Table | None:
    """KPIs by service (``metrics.json`` ``per_service`` of each scenario's first run), when a scenario has several."""
    rows = []
    for s in study.scenarios:
        per = s.first.metrics.get("per_service") if s.first is not None else None
        if not isinstance(per, dict) or len(per) < 2:
            continue
        for name, m in per.items():
            if isinstance(m, dict):
                rows.append((Cell(s.name), Cell(str(name)),
                             *(Cell(fmt_kind(lang, kpi_kind(k), m.get(k)), numeric=True) for k in _SERVICE_COLS)))
    if not rows:
        return None
    header = (tr(lang, "col_scenario"), tr(lang, "col_services"), *(kpi_label(lang, k) for k in _SERVICE_COLS))
    caption = tr(lang, "per_service_caption") + (" " + tr(lang, "per_service_first_run") if study.replications > 1 else "")
    return Table(header, tuple(rows), title=tr(lang, "per_service_title"), caption=caption)


# --------------------------------------------------------------------------- staff and cost tables


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def staff_table(study: Study, lang: str) -> Table | None:
    """Roles with staff in each scenario's ``staffing.json`` (``roles``): duties, paid hours, FTE, headcount, longest duty."""
    from sim.report.figures import role_label

    rows = []
    for s in study.scenarios:
        staffing = s.first.staffing if s.first is not None else None
        roles = staffing.get("roles") if isinstance(staffing, dict) else None
        if not isinstance(roles, dict):
            continue
        for role, d in roles.items():
            if not isinstance(d, dict) or not (_num(d.get("fte")) or _num(d.get("duties_per_day"))):
                continue
            rows.append((
                Cell(s.name),
                Cell(role_label(lang, f"{role}_fte")),
                Cell(fmt_kind(lang, "int", _num(d.get("duties_per_day"))), numeric=True),
                Cell(fmt_kind(lang, "h", _num(d.get("paid_hours_per_day"))), numeric=True),
                Cell(fmt_kind(lang, "fte", _num(d.get("fte"))), numeric=True),
                Cell(fmt_kind(lang, "int", _num(d.get("headcount"))), numeric=True),
                Cell(fmt_kind(lang, "h", _num(d.get("longest_duty_h"))), numeric=True),
            ))
    if not rows:
        return None
    header = (tr(lang, "col_scenario"), tr(lang, "col_role"), tr(lang, "col_duties"), tr(lang, "col_paid_hours"),
              tr(lang, "col_fte"), tr(lang, "col_headcount"), tr(lang, "col_longest"))
    return Table(header, tuple(rows), caption=tr(lang, "staff_table_caption"), title=tr(lang, "staff_table_title"))


def cost_items_table(study: Study, lang: str) -> Table | None:
    """Non-zero items of each scenario's ``costs.json`` (``items``): term, annual yen, formula and source."""
    rows = []
    for s in study.scenarios:
        costs = s.first.costs if s.first is not None else None
        items = costs.get("items") if isinstance(costs, dict) else None
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict) or not _num(item.get("yen_per_year")):
                continue
            rows.append((
                Cell(s.name),
                Cell(str(item.get("term", "")), code=True),
                Cell(fmt_kind(lang, "yen", _num(item.get("yen_per_year"))), numeric=True),
                Cell(str(item.get("formula", ""))),
                Cell(str(item.get("source", ""))),
            ))
    if not rows:
        return None
    header = (tr(lang, "col_scenario"), tr(lang, "col_item"), tr(lang, "col_annual"), tr(lang, "col_formula"), tr(lang, "col_source"))
    return Table(header, tuple(rows), caption=tr(lang, "cost_table_caption"), title=tr(lang, "cost_table_title"))


# --------------------------------------------------------------------------- towns


def towns_section_blocks(study: Study, lang: str, *, top: int = 10) -> list[Any]:
    """Per scenario: the origin towns with the most rejected requests."""
    names = place_names(lang)
    blocks: list[Any] = []
    for s in study.scenarios:
        towns = scenario_towns(s)
        if towns.empty:
            continue
        bad = towns[towns["rejected"] > 0].head(top)
        if bad.empty:
            blocks.append(Paragraph(tr(lang, "towns_none_rejected", name=s.name)))
            continue
        rows = tuple(
            (
                Cell(zone_label(str(r["zone"]), names)),
                Cell(fmt_kind(lang, "int", r["requests"]), numeric=True),
                Cell(fmt_kind(lang, "int", r["served"]), numeric=True),
                Cell(fmt_kind(lang, "int", r["rejected"]), numeric=True),
            )
            for _, r in bad.iterrows()
        )
        header = (tr(lang, "col_town"), tr(lang, "col_requests"), tr(lang, "col_served"), tr(lang, "col_rejected"))
        blocks.append(Table(header, rows, caption=tr(lang, "towns_caption", name=s.name), title=s.name))
    return blocks


# --------------------------------------------------------------------------- assumptions


def study_params(study: Study) -> tuple[dict[str, list[Param]], dict[str, Path | None]]:
    """Parameters of each scenario's first run and the scenario file their comments came from."""
    params: dict[str, list[Param]] = {}
    files: dict[str, Path | None] = {}
    for s in study.scenarios:
        if s.first is None or not s.first.scenario:
            continue
        plist, original = scenario_params(s.first.scenario, header_comments=s.first.header_comments)
        params[s.name] = plist
        files[s.name] = original
    return params, files


def _source(lang: str, p: Param, original: Path | None) -> str:
    if p.overridden:
        return tr(lang, "src_override") + (f" — {p.comment}" if p.comment else "")
    if p.comment:
        return p.comment
    if not p.changed and p.description:
        return p.description
    sourced = sourced_default(p.field, p.value) if not p.changed else ""
    if sourced:
        return sourced
    if p.defined_in:
        return tr(lang, "src_scenario_file", file=p.defined_in)
    if not p.has_default:
        return tr(lang, "src_scenario_file", file=original.name) if original else tr(lang, "src_required")
    if p.value is None:
        return tr(lang, "src_unused")
    return tr(lang, "src_model_default")


def assumptions_section(study: Study, lang: str, params: dict[str, list[Param]], files: dict[str, Path | None]) -> Section:
    """Every parameter that differs from the defaults (per scenario), then the defaults used, each with a source."""
    names = [s.name for s in study.scenarios if s.name in params]
    blocks: list[Any] = [Paragraph(tr(lang, "assumptions_intro"))]
    if not names:
        return Section("assumptions", tr(lang, "sec_assumptions"), tuple(blocks))
    shown_files = sorted({str(_short_path(f)) for f in files.values() if f is not None})
    if shown_files:
        blocks.append(Paragraph(tr(lang, "assumptions_file", file=", ".join(shown_files))))
    else:
        blocks.append(Paragraph(tr(lang, "assumptions_no_file")))
    # union of paths in first-seen order
    order: list[str] = []
    by_name = {n: {p.path: p for p in params[n]} for n in names}
    for n in names:
        order += [p.path for p in params[n] if p.path not in order]
    changed_rows = []
    default_rows = []
    for path in order:
        present = [by_name[n].get(path) for n in names]
        ref = next(p for p in present if p is not None)
        original = next((files.get(n) for n in names if by_name[n].get(path) is not None), None)
        source = next((_source(lang, p, files.get(n)) for n, p in zip(names, present) if p is not None and (p.comment or p.overridden)), None)
        source = source or _source(lang, ref, original)
        meaning = param_label(lang, ref.path)
        if any(p is None or p.changed for p in present):
            cells = [Cell(path, code=True), Cell(meaning)]
            cells += [value_cell(format_value(p.value) if p is not None else "–") for p in present]
            cells += [value_cell(format_value(ref.default) if ref.has_default else "–"), Cell(source)]
            changed_rows.append(tuple(cells))
        else:
            default_rows.append((Cell(path, code=True), Cell(meaning), value_cell(format_value(ref.value)), Cell(source)))
    value_cols = tuple(names) if len(names) > 1 else (tr(lang, "col_value"),)
    blocks.append(Table(
        (tr(lang, "col_parameter"), tr(lang, "col_meaning"), *value_cols, tr(lang, "col_default"), tr(lang, "col_source")),
        tuple(changed_rows),
        title=tr(lang, "assumptions_changed"),
    ))
    blocks.append(Table(
        (tr(lang, "col_parameter"), tr(lang, "col_meaning"), tr(lang, "col_value"), tr(lang, "col_source")),
        tuple(default_rows),
        title=tr(lang, "assumptions_defaults"),
    ))
    return Section("assumptions", tr(lang, "sec_assumptions"), tuple(blocks))


def _short_path(path: Path) -> Path:
    from sim.report.assumptions import REPO

    try:
        return path.resolve().relative_to(REPO)
    except ValueError:
        return path


# --------------------------------------------------------------------------- the document


def compose(study: Study, lang: str, figures: dict[str, list[Figure]]) -> Document:
    """The whole report; ``figures`` maps section keys (``sec_service`` ...) to rendered figures."""
    from sim import __version__

    names = study.names
    title = tr(lang, "title_comparison", names=join_names(lang, names)) if study.kind == "comparison" and len(names) > 1 else tr(lang, "title_run", name=names[0])
    from sim.report.summary import _seed

    subtitle = tr(lang, "subtitle", date=datetime.date.today().isoformat(), version=__version__, directory=study.directory.name)
    if study.replications > 1:
        subtitle = tr(lang, "subtitle_replicated", r=study.replications, seed=_seed(study), date=datetime.date.today().isoformat(),
                      version=__version__, directory=study.directory.name)
    params, files = study_params(study)
    from sim.report.council import council_section

    council = council_section(study, lang, figures.get("sec_council") or ())
    from sim.report.decision import decision_section

    decision = decision_section(study, lang)
    from sim.report.benefits import benefits_section

    benefits = benefits_section(study, lang)
    sections = [*([decision] if decision else []), summary_section(study, lang), *([council] if council else []),
                *([benefits] if benefits else []), compared_section(study, lang, params), kpi_section(study, lang)]
    sections += [d for d in (demand_section(study, lang, list(figures.get("sec_demand") or [])),) if d is not None]
    from sim.report.ridership import ridership_section

    sections += [r for r in (ridership_section(study, lang),) if r is not None]
    anchors = {"sec_service": "service", "sec_staff_cost": "staff-cost", "sec_operations": "operations", "sec_maps": "maps"}
    for key in ("sec_service", "sec_staff_cost", "sec_operations", "sec_maps"):
        blocks: list[Any] = list(figures.get(key) or [])
        if key == "sec_staff_cost":
            from sim.report.year import year_table

            blocks += [t for t in (year_table(study, lang), staff_table(study, lang), cost_items_table(study, lang)) if t is not None]
        if blocks:
            sections.append(Section(anchors[key], tr(lang, key), tuple(blocks)))
    towns = towns_section_blocks(study, lang)
    if towns:
        sections.append(Section("towns", tr(lang, "sec_towns"), tuple(towns)))
    sections.append(assumptions_section(study, lang, params, files))
    sections.append(Section("method", tr(lang, "sec_method"), (Bullets(tuple(tr(lang, "method_items").split("|"))),)))
    extra = ", staffing.json, duties.csv, costs.json" if any(r.staffing or r.costs for s in study.scenarios for r in s.runs) else ""
    for name in ("ridership.csv", "results.xlsx", "geo/results.gpkg"):  # where the runs have them
        if any((r.directory / name).is_file() for s in study.scenarios for r in s.runs[:1]):
            extra += f", {name}"
    if study.kind == "comparison":
        extra += ", comparison.csv" + (", comparison.xlsx" if (study.directory / "comparison.xlsx").is_file() else "")
    from sim.outdir import unstaged  # the report is written in a staging directory: name the final one

    sections.append(Section("files", tr(lang, "sec_files"), (
        Paragraph(tr(lang, "files_items", extra=extra, directory=unstaged(study.directory), code=lang)),
    )))
    return Document(lang, title, subtitle, tuple(sections))
