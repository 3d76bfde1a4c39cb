"""Render a :class:`~sim.report.document.Document` as one self-contained HTML file.

Images are embedded as base64 ``data:`` URIs and the Japanese glyphs the report uses are embedded
as a WOFF subset of IPAexGothic (from matplotlib-fontja; the IPA Font License allows embedding
in documents), so the file needs no network and shows Japanese even where no Japanese font is
installed. Every piece of text is escaped with :func:`html.escape`. The layout is responsive
(max width, tables that scroll sideways on phones) and prints on A4.
"""

from __future__ import annotations

import base64
import html
import struct
from typing import Any

from sim.report.document import Block, Bullets, Cell, Document, Figure, Note, Paragraph, Table
from sim.report.i18n import tr

#: CSS of the report (screen: responsive; print: A4).
CSS = """
:root { --fg: #1d2330; --muted: #5b6475; --accent: #1f5fa8; --line: #e1e5ec; --soft: #f5f7fa; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff; line-height: 1.6; font-size: 16px;
  font-family: "ReportJa", system-ui, -apple-system, "Segoe UI", Roboto, "Hiragino Sans", "Hiragino Kaku Gothic ProN",
  "Yu Gothic", Meiryo, "Noto Sans CJK JP", "Noto Sans JP", "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1rem; }
h1 { font-size: 1.75rem; line-height: 1.3; margin: 0 0 .3rem; }
.subtitle { color: var(--muted); font-size: .9rem; margin: 0 0 .8rem; overflow-wrap: anywhere; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.3rem 0 .4rem; }
p, li { overflow-wrap: anywhere; }
nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; font-size: .92rem; }
nav.toc ol { margin: .3rem 0; padding-left: 1.3rem; columns: 2; column-gap: 2rem; }
a { color: var(--accent); }
.note { border-left: 4px solid #d9a400; background: #fff8e1; padding: .55rem .9rem; border-radius: 0 4px 4px 0; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .5rem 0 .3rem; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .38rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
th.num { text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.best { font-weight: 700; background: #e9f5ea; }
td.multiline { white-space: pre-line; }
td .ci { display: block; font-size: .8em; color: var(--muted); font-weight: 400; }
td:first-child { min-width: 9em; }
tr:last-child td { border-bottom: none; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .85em; }
.caption { color: var(--muted); font-size: .86rem; margin: .2rem 0 1rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .35rem; }
@media (max-width: 640px) {
  body { font-size: 15px; }
  main { padding: 1rem .7rem 2rem; }
  h1 { font-size: 1.35rem; }
  h2 { font-size: 1.15rem; }
  nav.toc ol { columns: 1; }
  th, td { padding: .3rem .45rem; }
}
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { font-size: 10pt; }
  table { font-size: 8.5pt; }
  th { white-space: normal; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, .note, tr { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; border: none; }
  figure img { max-height: 235mm; width: auto; margin: 0 auto; }
  a { color: inherit; text-decoration: none; }
}
"""


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height (pixels) of a PNG from its header; ``(0, 0)`` if it is not a PNG."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


#: Unicode blocks taken from the embedded Japanese font: CJK symbols and punctuation, kana, CJK
#: ideographs and full-width forms. Everything else (Latin, “quotes”, dashes) keeps the reader's font.
_CJK_RANGES = ((0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))


def _is_cjk(c: str) -> bool:
    code = ord(c)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def font_face(texts: list[str]) -> str:
    """``@font-face`` CSS embedding an IPAexGothic subset with the Japanese characters of ``texts``.

    Empty when the text is all ASCII or the font cannot be subset (the page then relies on the
    reader's own fonts). The subset is cached on disk by glyph set (:mod:`sim.report.fontsubset`).
    """
    chars = sorted(c for c in set("".join(texts)) if _is_cjk(c))
    if not chars:
        return ""
    try:
        from sim.report.fontsubset import cached_subset
        from sim.report.style import japanese_font

        _, path = japanese_font()
        woff = cached_subset(path, "".join(chars))
    except Exception:  # noqa: BLE001 - the report stays readable with the reader's fonts
        return ""
    encoded = base64.b64encode(woff).decode("ascii")
    return (
        "/* Japanese glyphs: a subset of IPAexGothic (IPA Font License v1.0), shipped by matplotlib-fontja */\n"
        '@font-face { font-family: "ReportJa"; font-style: normal; font-weight: 100 900; '
        f'src: url(data:font/woff;base64,{encoded}) format("woff"); }}\n'
    )


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _cell(cell: Cell, tag: str = "td") -> str:
    classes = []
    if cell.numeric:
        classes.append("num")
    if cell.strong:
        classes.append("best")
    if "\n" in cell.text:
        classes.append("multiline")
    attr = f' class="{" ".join(classes)}"' if classes and tag == "td" else ""
    if cell.code:  # dotted keys may break after each dot, never inside a name
        body = "<code>" + _e(cell.text).replace(".", ".<wbr>") + "</code>"
    elif cell.numeric and cell.text.endswith(")") and " (" in cell.text:  # a value and its confidence interval
        value, _, interval = cell.text.rpartition(" (")
        body = f'{_e(value)}<span class="ci">({_e(interval)}</span>'
    else:
        body = _e(cell.text)
    return f"<{tag}{attr}>{body}</{tag}>"


def _table(table: Table) -> str:
    parts = []
    if table.title:
        parts.append(f"<h3>{_e(table.title)}</h3>")
    numeric = [bool(table.rows) and all(len(r) > k and r[k].numeric for r in table.rows) for k in range(len(table.header))]
    head = "".join(
        ('<th scope="col" class="num">' if numeric[k] else '<th scope="col">') + f"{_e(h)}</th>"
        for k, h in enumerate(table.header)
    )
    body = "\n".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in table.rows)
    parts.append(f'<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>')
    if table.caption:
        parts.append(f'<p class="caption">{_e(table.caption)}</p>')
    return "\n".join(parts)


def _figure(fig: Figure, number: int, lang: str) -> str:
    width, height = png_size(fig.png)
    # charts are drawn at 150 dpi; show them a little larger than their nominal size in CSS pixels
    css_w = round(width * 96 / 150 * 1.25)
    css_h = round(height * 96 / 150 * 1.25)
    size = f' width="{css_w}" height="{css_h}"' if width and height else ""
    return (
        f'<figure id="fig-{_e(fig.name)}">\n<h3>{_e(fig.title)}</h3>\n'
        f'<img src="{data_uri(fig.png)}" alt="{_e(fig.title)}"{size}>\n'
        f"<figcaption><strong>{_e(tr(lang, 'figure'))} {number}.</strong> {_e(fig.caption)}</figcaption>\n</figure>"
    )


def _block(block: Block, counter: list[int], lang: str) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_e(block.text)}</p>"
    if isinstance(block, Note):
        return f'<p class="note">{_e(block.text)}</p>'
    if isinstance(block, Bullets):
        title = f"<h3>{_e(block.title)}</h3>\n" if block.title else ""
        items = "\n".join(f"<li>{_e(item)}</li>" for item in block.items)
        return f"{title}<ul>\n{items}\n</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        counter[0] += 1
        return _figure(block, counter[0], lang)
    raise TypeError(f"unknown block {block!r}")


def render_html(doc: Document) -> str:
    """The report as one HTML document (UTF-8 text)."""
    counter = [0]
    toc = "\n".join(f'<li><a href="#{_e(s.anchor)}">{_e(s.title)}</a></li>' for s in doc.sections)
    sections = []
    for s in doc.sections:
        body = "\n".join(_block(b, counter, doc.lang) for b in s.blocks)
        sections.append(f'<section id="{_e(s.anchor)}">\n<h2>{_e(s.title)}</h2>\n{body}\n</section>')
    fonts = font_face([*doc.texts(), tr(doc.lang, "toc"), tr(doc.lang, "figure")])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(doc.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(doc.title)}</title>\n<style>\n{fonts}{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<header>\n<h1>{_e(doc.title)}</h1>\n<p class="subtitle">{_e(doc.subtitle)}</p>\n</header>\n'
        f'<nav class="toc" aria-label="{_e(tr(doc.lang, "toc"))}"><strong>{_e(tr(doc.lang, "toc"))}</strong>\n<ol>\n{toc}\n</ol></nav>\n'
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )
