"""Chart style: fonts (Japanese through matplotlib-fontja), colours, figure creation and PNG export.

Figures are plain :class:`matplotlib.figure.Figure` objects drawn with the Agg renderer; pyplot
and its global state are never used. Japanese text needs the IPAexGothic font that the
``matplotlib-fontja`` package ships; without it, or if any glyph is still missing when a figure
is saved, :class:`ReportError` says so instead of writing a chart with empty boxes.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.errors import SimError

#: Colours of scenarios, in report order (matplotlib's tab10, colour-blind friendlier order).
SCENARIO_COLOURS: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
#: Line styles of scenarios, in report order: scenarios that coincide stay visible (dashes over a solid line).
SCENARIO_LINESTYLES: tuple[str | tuple[int, tuple[int, ...]], ...] = (
    "-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (3, 1, 1, 1, 1, 1)),
)
#: Markers of scenarios (every few points), in report order.
SCENARIO_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<")


def scenario_line(k: int) -> dict[str, object]:
    """Colour, line style, marker and z-order of the ``k``-th scenario's line (earlier scenarios drawn on top)."""
    return {
        "color": SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)],
        "linestyle": SCENARIO_LINESTYLES[k % len(SCENARIO_LINESTYLES)],
        "marker": SCENARIO_MARKERS[k % len(SCENARIO_MARKERS)],
        "zorder": 10 - k % 10,
    }


#: Colours of DRT service areas on maps.
AREA_COLOURS: tuple[str, ...] = ("#4c9be8", "#f29e4c", "#59c27a", "#e45b73", "#a57fd6", "#c9a36b", "#5fc9c9")
#: PNG resolution (dots per inch).
DPI = 150


class ReportError(SimError):
    """A report cannot be written (missing font package, glyphs that would render as boxes)."""


@lru_cache(maxsize=1)
def japanese_font() -> tuple[str, str]:
    """Register IPAexGothic from matplotlib-fontja with matplotlib; return ``(family name, ttf path)``.

    Raises
    ------
    ReportError
        If matplotlib-fontja is not installed or its font file is missing.
    """
    try:
        import matplotlib_fontja
    except ImportError:
        raise ReportError(
            "charts need the Japanese font of the package matplotlib-fontja (it ships IPAexGothic) and it is "
            "not installed; install it with `pip install matplotlib-fontja` (it is a dependency in pyproject.toml)"
        ) from None
    from matplotlib import font_manager

    path = Path(matplotlib_fontja.get_font_ttf_path())
    if not path.is_file():
        raise ReportError(f"matplotlib-fontja is installed but its font file {path} is missing; reinstall matplotlib-fontja")
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    return name, str(path)


def bold_weight(lang: str) -> str:
    """Weight for emphasis: IPAexGothic has no bold face, so Japanese charts stay ``normal``."""
    return "normal" if lang == "ja" else "bold"


def rc_params(lang: str) -> dict[str, Any]:
    """matplotlib settings for the report's charts in ``lang``.

    Japanese text in English reports (town names) falls back to IPAexGothic glyph by glyph.
    """
    ja_name, _ = japanese_font()
    families = [ja_name, "DejaVu Sans"] if lang == "ja" else ["DejaVu Sans", ja_name]
    return {
        "font.family": families,
        "font.size": 9.5,
        "axes.titlesize": 11,
        "axes.titleweight": bold_weight(lang),
        "axes.labelsize": 9.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "legend.fontsize": 8.5,
        "legend.frameon": False,
        "figure.dpi": 100,
        "savefig.dpi": DPI,
        "axes.unicode_minus": False,
    }


@contextlib.contextmanager
def chart_style(lang: str) -> Iterator[None]:
    """Apply :func:`rc_params` while figures are created and saved."""
    import logging

    import matplotlib

    logger = logging.getLogger("matplotlib.font_manager")
    quiet = _NoBoldFallbackNotice()
    logger.addFilter(quiet)
    try:
        with matplotlib.rc_context(rc_params(lang)):
            yield
    finally:
        logger.removeFilter(quiet)


class _NoBoldFallbackNotice:
    """Drop matplotlib's notice that IPAexGothic has no bold face (the regular face is used, as intended)."""

    def filter(self, record: Any) -> bool:
        return "Failed to find font weight" not in record.getMessage()


def new_figure(width_in: float, height_in: float) -> Any:
    """A figure of the given size (inches) with the constrained layout engine."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), layout="constrained")


def png_bytes(fig: Any, *, name: str) -> bytes:
    """Render ``fig`` to PNG bytes.

    Raises
    ------
    ReportError
        If a character had no glyph in the available fonts (it would show as an empty box).
    """
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    missing = sorted({str(w.message) for w in caught if "missing from font" in str(w.message)})
    if missing:
        raise ReportError(
            f"figure {name}: some characters have no glyph in the chart fonts and would show as boxes "
            f"({missing[0]}); check that matplotlib-fontja is installed and working"
        )
    return buf.getvalue()


def scenario_colour(index: int) -> str:
    """Colour of the ``index``-th scenario."""
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]
