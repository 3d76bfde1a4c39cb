"""Build the report of a results directory: ``report.html``, ``report.md`` and ``figures/*.png``.

``build_report`` reads a run directory (``metrics.json``) or a comparison directory
(``comparison.csv``), draws the charts and maps, composes the document and writes the files
atomically. It never reruns a simulation.
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.atomic import atomic_open, write_text
from sim.errors import InputError
from sim.report.content import compose
from sim.report.coverage import coverage_map
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
    "passengers_per_vehicle_hour", "map_service", "map_trip_starts", "map_towns", "riders_by_service", "map_coverage",
)


def render_charts(study: Study, lang: str, networks: RunNetworks | None = None) -> dict[str, list[Chart]]:
    """Every applicable chart and map of ``study`` by section key (call inside :func:`chart_style`).

    ``networks`` holds the road networks and their road segments; pass the same one to draw the
    study in several languages (the networks are then loaded and walked once).
    """
    out: dict[str, list[Chart]] = {}
    for section, makers in CHARTS.items():
        charts = [c for c in (make(study, lang) for make in makers) if c is not None]
        if charts:
            out[section] = charts
    riders = riders_chart(study, lang)
    if riders is not None:
        out["sec_demand"] = [riders]
    networks = networks or RunNetworks()
    maps = all_maps(study, lang, networks)
    if maps:
        out["sec_maps"] = maps
    coverage = coverage_map(study, lang, networks)
    if coverage is not None:
        out["sec_council"] = [coverage]
    return out


def make_document(study: Study, lang: str, networks: RunNetworks | None = None) -> Document:
    """Draw the figures (each once) and compose the document (no files written)."""
    figures: dict[str, list[Figure]] = {}
    with chart_style(lang):
        for section, charts in render_charts(study, lang, networks).items():
            figures[section] = [Figure(c.name, c.title, c.caption, png_bytes(c.fig, name=c.name)) for c in charts]
    return compose(study, lang, figures)


def _primary_lang(results_dir: Path) -> str | None:
    """The language of the directory's ``report.html`` (``None`` when there is none)."""
    path = results_dir / "report.html"
    if not path.is_file():
        return None
    head = path.read_text(encoding="utf-8", errors="replace")[:400]
    found = re.search(r'<html lang="([a-z]+)"', head)
    return found.group(1) if found else None


def report_paths(results_dir: Path, lang: str) -> tuple[Path, Path, Path]:
    """``(html, md, figures dir)`` of the report in ``lang``.

    The first report written into a directory (``run``'s language) is ``report.html``,
    ``report.md`` and ``figures/``; a report in another language is ``report.<lang>.html``,
    ``report.<lang>.md`` and ``figures.<lang>/``, so one language never overwrites the other.
    """
    primary = _primary_lang(results_dir)
    if primary is None or primary == lang:
        return results_dir / "report.html", results_dir / "report.md", results_dir / "figures"
    return results_dir / f"report.{lang}.html", results_dir / f"report.{lang}.md", results_dir / f"figures.{lang}"


def remove_reports(results_dir: Path) -> None:
    """Delete every report of ``results_dir`` in every language (they describe results being replaced)."""
    for path in [*results_dir.glob("report.html"), *results_dir.glob("report.md"), *results_dir.glob("report.*.html"),
                 *results_dir.glob("report.*.md")]:
        path.unlink()
    for folder in [results_dir / "figures", *results_dir.glob("figures.*")]:
        if folder.is_dir():
            for name in FIGURE_NAMES:
                (folder / f"{name}.png").unlink(missing_ok=True)


def build_report(results_dir: Path, *, lang: str = "en", fresh: bool = False) -> list[Path]:
    """Write the report in ``lang`` (HTML, Markdown and its figures' PNG files) into ``results_dir``.

    File names follow :func:`report_paths`: the directory's first language writes ``report.html``,
    ``report.md`` and ``figures/``; another language ``report.<lang>.html`` and so on.

    Parameters
    ----------
    results_dir
        A run directory (has ``metrics.json``) or a comparison directory (has ``comparison.csv``).
    lang
        ``"en"`` or ``"ja"``: labels, titles and summary text.
    fresh
        The results were just (re)written: reports of earlier results in any language are removed
        first, so ``lang`` becomes the directory's first language.

    Returns
    -------
    list[Path]
        The HTML and Markdown files written, then the PNG files.

    Raises
    ------
    InputError
        Unknown language, or a directory that is not a results directory.
    ReportError
        The Japanese font package is missing or a chart would show empty boxes.
    """
    return build_reports(results_dir, [lang], fresh=fresh)[0]


def build_reports(results_dir: Path, langs: list[str], *, fresh: bool = False) -> list[list[Path]]:
    """Write the report in each of ``langs`` (in that order; :func:`build_report` for one).

    The results are read once and the road networks loaded and walked once for all languages;
    each figure is drawn once per language (its text is translated) and never twice for the same
    language: a language named twice is written once. Returns the paths written per language.
    """
    for lang in langs:
        if lang not in LANGS:
            raise InputError(f"--lang {lang!r}: unknown language; valid: {', '.join(LANGS)}")
    results_dir = Path(results_dir)
    study = load_study(results_dir)
    if fresh:
        remove_reports(results_dir)
    networks = RunNetworks()
    return [_write_report(results_dir, make_document(study, lang, networks)) for lang in dict.fromkeys(langs)]


def _write_report(results_dir: Path, doc: Document) -> list[Path]:
    """Write ``doc``'s HTML, Markdown and PNG files (:func:`report_paths`); return their paths."""
    html_path, md_path, fig_dir = report_paths(results_dir, doc.lang)
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
    write_text(html_path, render_html(doc))
    write_text(md_path, render_markdown(doc, figures_dir=fig_dir.name))
    return [html_path, md_path, *written]
