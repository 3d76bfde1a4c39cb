"""Reports of sweeps, sizing and sensitivity studies: the same Document model as run reports, en and ja.

The CLI runs a study (:mod:`sim.studies`), then calls ``write_sweep_report`` /
``write_size_report`` / ``write_sensitivity_report`` here: they draw the study's figures
(:mod:`sim.report.sweep_plots`), compose a :class:`~sim.report.document.Document` and write
``report.html``, ``report.md`` and ``figures/*.png`` into the study directory. Numbers come from
the study's summaries (intervals already clipped to each KPI's bounds); labels and units from the
KPI registry (:mod:`sim.kpis`); wording from :mod:`sim.report.i18n`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import kpis as registry
from sim.atomic import atomic_open, write_text
from sim.errors import InputError
from sim.report.document import Bullets, Cell, Document, Figure, Note, Paragraph, Section, Table
from sim.report.html import render_html
from sim.report.i18n import LANGS, kpi_label, tr
from sim.report.markdown import render_markdown
from sim.report.style import chart_style, png_bytes
from sim.report.sweep_plots import TornadoBar, plot_size_curve, plot_sweep, plot_tornado
from sim.stats import Estimate
from sim.studies.grid import format_value

if TYPE_CHECKING:
    from sim.studies.plan import Study
    from sim.studies.sensitivity import SensitivityResult
    from sim.studies.size import SizeResult
    from sim.studies.summary import StudyResult

#: Display unit suffix of a registry display kind: (scale from the stored value, English, Japanese).
_UNITS: dict[str, tuple[float, str, str]] = {
    "min": (1.0 / 60.0, " min", "分"),
    "pct": (100.0, " %", "%"),
    "yen": (1.0, " yen", "円"),
    "m": (1.0, " m", "m"),
    "km": (1.0, " km", "km"),
    "h": (1.0, " h", "時間"),
}


def _number(x: float) -> str:
    return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"


def fmt_estimate(e: Estimate, kpi: str, lang: str = "en") -> str:
    """``mean [low, high] unit`` of a KPI in its display unit (seconds as minutes, shares in %).

    The interval is the one computed by the study (clipped to the KPI's physical bounds); without
    one (one replication) ``mean unit (no CI)``; ``–`` when there is no value.
    """
    if e.n == 0 or math.isnan(e.mean):
        return "–"
    k = registry.get(kpi)
    scale, en, ja = _UNITS.get(k.kind if k else "", (1.0, "", ""))
    unit = ja if lang == "ja" else en
    if math.isnan(e.low) or math.isnan(e.high):
        return f"{_number(e.mean * scale)}{unit} ({tr(lang, 'no_ci')})"
    return f"{_number(e.mean * scale)} [{_number(e.low * scale)}, {_number(e.high * scale)}]{unit}"


def fmt_swing(swing: float, kpi: str, lang: str = "en") -> str:
    """A difference of two means of ``kpi`` in its display unit."""
    if math.isnan(swing):
        return "–"
    k = registry.get(kpi)
    scale, en, ja = _UNITS.get(k.kind if k else "", (1.0, "", ""))
    return f"{_number(swing * scale)}{ja if lang == 'ja' else en}"


def network_sentence(net: Mapping[str, Any], lang: str = "en") -> str:
    """The provenance sentence of a road network (``name``, ``synthetic``, ``provenance``)."""
    name = str(net.get("name") or net.get("source") or "?")
    prov = str(net.get("provenance") or "")
    if not prov:
        return tr(lang, "provenance_unknown")
    if net.get("synthetic") and name == "sodegaura":
        return tr(lang, "provenance_sodegaura")
    if net.get("synthetic"):
        return tr(lang, "provenance_synthetic", name=name, provenance=prov)
    return tr(lang, "provenance_other", name=name, provenance=prov)


def _study_section(study: Study, lang: str, extra: Sequence[str] = ()) -> Section:
    seeds = ", ".join(str(s) for s in study.seeds[:10]) + (" …" if study.replications > 10 else "")
    items = [
        tr(lang, "study_file", file=str(study.source)),
        tr(lang, "study_replications", r=study.replications, seed=study.root_seed, seeds=seeds),
        tr(lang, "study_seed_rule", seed=study.root_seed),
        tr(lang, "study_ci") + (" " + tr(lang, "study_no_ci") if study.replications < 2 else ""),
        *extra,
    ]
    if study.fixed:
        items.append(tr(lang, "study_fixed", sets=", ".join(study.fixed)))
    if study.services:
        items.append(tr(lang, "study_services", services=", ".join(study.services)))
    blocks: list[Any] = [Bullets(tuple(items))]
    blocks += [Note(network_sentence(n, lang)) for n in study.networks]
    return Section("study", tr(lang, "sec_study"), tuple(blocks))


def _document(lang: str, title: str, out_dir: Path, runs: int, sections: Sequence[Section]) -> Document:
    from sim import __version__

    subtitle = tr(lang, "subtitle_study", runs=runs, date=datetime.date.today().isoformat(), version=__version__, directory=Path(out_dir).name)
    return Document(lang, title, subtitle, tuple(sections))


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise InputError(f"--lang {lang!r}: unknown language; valid: {', '.join(LANGS)}")


def _render(charts: Sequence[tuple[str, str, str, Any]]) -> list[Figure]:
    """``(name, title, caption, matplotlib figure)`` → report figures (PNG bytes)."""
    return [Figure(name, title, caption, png_bytes(fig, name=name)) for name, title, caption, fig in charts]


def write_document(doc: Document, out_dir: Path) -> list[Path]:
    """Write ``report.html``, ``report.md`` and ``figures/<name>.png`` of ``doc`` into ``out_dir``.

    Returns ``report.html``, ``report.md``, then the PNG files.
    """
    out_dir = Path(out_dir)
    written = []
    for fig in doc.figures():
        path = out_dir / "figures" / f"{fig.name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb") as fh:
            fh.write(fig.png)
        written.append(path)
    html, md = out_dir / "report.html", out_dir / "report.md"
    write_text(html, render_html(doc))
    write_text(md, render_markdown(doc))
    return [html, md, *written]


# --------------------------------------------------------------------------- sweep


def sweep_document(result: StudyResult, lang: str, figures: Sequence[Figure] = ()) -> Document:
    """The report of a sweep: what ran, a summary table of the chosen KPIs (``result.chosen``), the figures."""
    study, ex = result.study, result.execution
    kpis = result.chosen or result.kpis[:1]
    keys = ", ".join(study.keys)
    extra = [
        tr(lang, "study_grid", n=len(study.points), keys=keys),
        tr(lang, "study_runs", total=ex.total, reused=ex.reused, ran=ex.ran),
    ]
    header = (tr(lang, "col_point"), *study.keys, tr(lang, "col_n"), *(kpi_label(lang, k) for k in kpis))
    rows = tuple(
        (
            Cell(str(s.point.index), numeric=True),
            *(Cell(format_value(s.point.row.get(k)), numeric=True) for k in study.keys),
            Cell(str(s.n), numeric=True),
            *(Cell(fmt_estimate(s.estimates[k], k, lang), numeric=True) for k in kpis),
        )
        for s in result.summaries
    )
    sections = [
        _study_section(study, lang, extra),
        Section("summary", tr(lang, "sec_study_summary"), (Table(header, rows), Paragraph(tr(lang, "sweep_files")))),
    ]
    if figures:
        sections.append(Section("figures", tr(lang, "sec_figures"), tuple(figures)))
    title = tr(lang, "title_sweep", file=study.source.name)
    return _document(lang, title, result.out_dir, len(result.records), sections)


def write_sweep_report(result: StudyResult, *, lang: str = "en", figures: bool = True) -> list[Path]:
    """Draw the sweep's figures of ``result.chosen`` and write its report (``report.html``, ``report.md``, ``figures/``)."""
    _check_lang(lang)
    kpis = result.chosen or result.kpis[:1]
    figs: list[Figure] = []
    if figures:
        reps = sorted({s.n for s in result.summaries})
        span = f"{reps[0]}" if len(reps) == 1 else f"{reps[0]}–{reps[-1]}"
        with chart_style(lang):
            charts = [
                (name, tr(lang, "sweep_fig_title", kpi=kpi_label(lang, kpi), param=key), tr(lang, "sweep_fig_caption", reps=span), fig)
                for kpi in kpis
                for name, key, fig in plot_sweep(result.study.keys, result.summaries, [kpi], lang=lang)
            ]
            figs = _render(charts)
    return write_document(sweep_document(result, lang, figs), result.out_dir)


# --------------------------------------------------------------------------- size


def size_document(result: SizeResult, lang: str, figures: Sequence[Figure] = ()) -> Document:
    """The report of a sizing study: targets and rule, the answer with its uncertainty, the curve."""
    s = result.search
    extra = [tr(lang, "size_targets", targets=", ".join(t.text for t in s.targets)), tr(lang, "size_rule")]

    def show(v: Any) -> str:
        return tr(lang, "size_no_value") if v is None else format_value(v)

    word = "largest" if s.largest else "smallest"
    answer: list[Any] = [
        Paragraph(
            tr(lang, "size_none", param=result.key)
            if s.answer is None
            else tr(lang, f"size_answer_{word}", param=result.key, value=format_value(s.answer))
        ),
        Bullets((tr(lang, "size_point", value=show(s.answers["mean"])), tr(lang, "size_optimistic", value=show(s.answers["optimistic"])))),
        *(Note(tr(lang, "size_warning", text=w)) for w in s.warnings),
    ]
    kp = list(dict.fromkeys(t.kpi for t in s.targets))
    header = (result.key, tr(lang, "col_n"), *(kpi_label(lang, k) for k in kp), tr(lang, "col_meets"))
    rows = tuple(
        (
            Cell(format_value(e.value), numeric=True),
            Cell(str(e.n), numeric=True),
            *(Cell(fmt_estimate(e.estimates[k], k, lang), numeric=True) for k in kp),
            Cell(tr(lang, "yes" if e.meets(s.targets, "conservative") else "no"), strong=e.value == s.answer),
        )
        for e in s.evaluations
    )
    sections = [
        _study_section(result.study, lang, extra),
        Section("answer", tr(lang, "sec_answer"), tuple(answer)),
        Section("curve", tr(lang, "sec_curve"), (Table(header, rows),)),
    ]
    if figures:
        sections.append(Section("figures", tr(lang, "sec_figures"), tuple(figures)))
    title = tr(lang, "title_size", param=result.key, file=result.study.source.name)
    return _document(lang, title, result.out_dir, result.runs, sections)


def write_size_report(result: SizeResult, *, lang: str = "en", figures: bool = True) -> list[Path]:
    """Draw the sizing curves and write the sizing report."""
    _check_lang(lang)
    s = result.search
    figs: list[Figure] = []
    if figures:
        values = [e.value for e in s.evaluations]
        with chart_style(lang):
            charts = [
                (
                    f"size_{t.kpi}",
                    tr(lang, "size_fig_title", kpi=kpi_label(lang, t.kpi), param=result.key),
                    tr(lang, "size_fig_caption", target=t.text),
                    plot_size_curve(
                        result.key, values, [e.estimates[t.kpi] for e in s.evaluations],
                        kpi=t.kpi, threshold=t.threshold, op=t.op, answer=s.answer, lang=lang,
                    ),
                )
                for t in s.targets
            ]
            figs = _render(charts)
    return write_document(size_document(result, lang, figs), result.out_dir)


# --------------------------------------------------------------------------- sensitivity


def sensitivity_document(result: SensitivityResult, lang: str, figures: Mapping[str, Figure] | None = None) -> Document:
    """The report of a one-at-a-time sensitivity study: per chosen KPI a table and its tornado chart."""
    study = result.result.study
    extra = [tr(lang, "sens_params", params=", ".join(p.text for p in result.params))]
    sections = [_study_section(study, lang, extra)]
    header = (tr(lang, "col_parameter"), tr(lang, "col_low"), tr(lang, "col_high"), tr(lang, "col_swing"))
    for n, k in enumerate(result.kpis):
        rows = result.rows[k]
        table = Table(
            header,
            tuple(
                (
                    Cell(tr(lang, "sens_base_value", param=r.key, value=format_value(r.base_value))),
                    Cell(f"{format_value(r.low_value)} → {fmt_estimate(r.low, k, lang)}", numeric=True),
                    Cell(f"{format_value(r.high_value)} → {fmt_estimate(r.high, k, lang)}", numeric=True),
                    Cell(fmt_swing(r.swing, k, lang), numeric=True),
                )
                for r in rows
            ),
        )
        blocks: list[Any] = [Paragraph(tr(lang, "sens_base", value=fmt_estimate(rows[0].base, k, lang))), table]
        if figures and k in figures:
            blocks.append(figures[k])
        sections.append(Section(f"kpi-{n + 1}", kpi_label(lang, k), tuple(blocks)))
    sections.append(Section("files", tr(lang, "sec_files"), (Paragraph(tr(lang, "sens_files")),)))
    title = tr(lang, "title_sensitivity", file=study.source.name)
    return _document(lang, title, result.out_dir, len(result.result.records), sections)


def write_sensitivity_report(result: SensitivityResult, *, lang: str = "en", figures: bool = True) -> list[Path]:
    """Draw a tornado chart per chosen KPI and write the sensitivity report."""
    _check_lang(lang)
    figs: dict[str, Figure] = {}
    if figures:
        with chart_style(lang):
            for k in result.kpis:
                rows = result.rows[k]
                bars = [TornadoBar(r.label, r.low.mean, r.high.mean, (r.low.low, r.low.high), (r.high.low, r.high.high)) for r in rows]
                fig = plot_tornado(k, rows[0].base.mean, bars, lang=lang)
                figs[k] = _render([(f"tornado_{k}", tr(lang, "sens_fig_title", kpi=kpi_label(lang, k)), tr(lang, "sens_fig_caption"), fig)])[0]
    return write_document(sensitivity_document(result, lang, figs), result.out_dir)


__all__ = [
    "fmt_estimate",
    "fmt_swing",
    "network_sentence",
    "sensitivity_document",
    "size_document",
    "sweep_document",
    "write_document",
    "write_sensitivity_report",
    "write_size_report",
    "write_sweep_report",
]
