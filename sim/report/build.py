"""Build the report of a results directory: ``report.html``, ``report.md`` and ``figures/*.png``.

``build_report`` reads a run directory (``metrics.json``) or a comparison directory
(``comparison.csv``), draws the charts and maps, composes the document and writes the files
atomically. It never reruns a simulation.
"""

from __future__ import annotations

from pathlib import Path

from sim.atomic import atomic_open, write_text
from sim.errors import InputError
from sim.report.content import compose
from sim.report.data import Study, load_study
from sim.report.demand import riders_chart
from sim.report.document import Document, Figure
from sim.report.figures import CHARTS, Chart
from sim.report.html import render_html
from sim.report.i18n import LANGS
from sim.report.maps import RunNetworks, all_maps
from sim.report.markdown import render_markdown
from sim.report.style import chart_style, png_bytes

#: Entries a report adds to a results directory (``figures/`` holds the PNG files).
REPORT_FILES = ("figures", "report.html", "report.md")

#: File stems of every figure a report can write (stale ones are removed on rebuild).
FIGURE_NAMES = (
    "wait_cdf", "wait_by_hour", "rejections_by_hour", "staff_by_role", "cost_breakdown", "fleet_over_day",
    "passengers_per_vehicle_hour", "map_service", "map_trip_starts", "map_towns", "riders_by_service",
)


def render_charts(study: Study, lang: str) -> dict[str, list[Chart]]:
    """Every applicable chart and map of ``study`` by section key (call inside :func:`chart_style`)."""
    out: dict[str, list[Chart]] = {}
    for section, makers in CHARTS.items():
        charts = [c for c in (make(study, lang) for make in makers) if c is not None]
        if charts:
            out[section] = charts
    riders = riders_chart(study, lang)
    if riders is not None:
        out["sec_demand"] = [riders]
    maps = all_maps(study, lang, RunNetworks())
    if maps:
        out["sec_maps"] = maps
    return out


def make_document(study: Study, lang: str) -> Document:
    """Draw the figures and compose the document (no files written)."""
    figures: dict[str, list[Figure]] = {}
    with chart_style(lang):
        for section, charts in render_charts(study, lang).items():
            figures[section] = [Figure(c.name, c.title, c.caption, png_bytes(c.fig, name=c.name)) for c in charts]
    return compose(study, lang, figures)


def build_report(results_dir: Path, *, lang: str = "en") -> list[Path]:
    """Write ``report.html``, ``report.md`` and ``figures/*.png`` into ``results_dir``.

    Parameters
    ----------
    results_dir
        A run directory (has ``metrics.json``) or a comparison directory (has ``comparison.csv``).
    lang
        ``"en"`` or ``"ja"``: labels, titles and summary text.

    Returns
    -------
    list[Path]
        ``report.html``, ``report.md``, then the PNG files.

    Raises
    ------
    InputError
        Unknown language, or a directory that is not a results directory.
    ReportError
        The Japanese font package is missing or a chart would show empty boxes.
    """
    if lang not in LANGS:
        raise InputError(f"--lang {lang!r}: unknown language; valid: {', '.join(LANGS)}")
    results_dir = Path(results_dir)
    study = load_study(results_dir)
    doc = make_document(study, lang)
    fig_dir = results_dir / "figures"
    written: list[Path] = []
    produced = {f.name for f in doc.figures()}
    for fig in doc.figures():
        path = fig_dir / f"{fig.name}.png"
        with atomic_open(path, "wb") as fh:
            fh.write(fig.png)
        written.append(path)
    for stale in FIGURE_NAMES:
        path = fig_dir / f"{stale}.png"
        if stale not in produced and path.is_file():
            path.unlink()
    html_path = results_dir / "report.html"
    md_path = results_dir / "report.md"
    write_text(html_path, render_html(doc))
    write_text(md_path, render_markdown(doc))
    return [html_path, md_path, *written]
