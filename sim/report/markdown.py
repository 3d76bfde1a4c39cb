"""Render a :class:`~sim.report.document.Document` as Markdown with figures linked from ``figures/``.

Text from results (scenario names, descriptions) is escaped so that it shows literally: Markdown
punctuation and ``<`` / ``>`` get a backslash, so a name like ``<script>`` is text, not HTML.
"""

from __future__ import annotations

import re

from sim.report.document import Block, Bullets, Cell, Document, Figure, Note, Paragraph, Table
from sim.report.i18n import tr

_SPECIAL = re.compile(r"([\\`*\[\]<>#|])")
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def escape(text: str) -> str:
    """Escape Markdown/HTML punctuation in running text (newlines become spaces)."""
    text = _SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    return _UNDERSCORE.sub(r"\\_", text)


def _code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}"


def _cell(cell: Cell) -> str:
    if cell.code:
        return _code(cell.text).replace("|", "\\|")
    text = " / ".join(escape(part) for part in cell.text.split("\n"))
    return f"**{text}**" if cell.strong else text


def _table(table: Table) -> str:
    lines = []
    if table.title:
        lines += [f"### {escape(table.title)}", ""]
    lines.append("| " + " | ".join(escape(h) for h in table.header) + " |")
    lines.append("|" + "|".join("---:" if _numeric_col(table, k) else "---" for k in range(len(table.header))) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    if table.caption:
        lines += ["", f"*{escape(table.caption)}*"]
    return "\n".join(lines)


def _numeric_col(table: Table, k: int) -> bool:
    return bool(table.rows) and all(len(r) > k and r[k].numeric for r in table.rows)


def _block(block: Block, counter: list[int], lang: str, figures_dir: str = "figures") -> str:
    if isinstance(block, Paragraph):
        return escape(block.text)
    if isinstance(block, Note):
        return f"> {escape(block.text)}"
    if isinstance(block, Bullets):
        title = f"### {escape(block.title)}\n\n" if block.title else ""
        return title + "\n".join(f"- {escape(item)}" for item in block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        counter[0] += 1
        return (
            f"### {escape(block.title)}\n\n![{escape(block.title)}]({figures_dir}/{block.name}.png)\n\n"
            f"*{escape(tr(lang, 'figure'))} {counter[0]}. {escape(block.caption)}*"
        )
    raise TypeError(f"unknown block {block!r}")


def render_markdown(doc: Document, *, figures_dir: str = "figures") -> str:
    """The report as Markdown text; figures are linked from ``figures_dir`` (relative to the file)."""
    counter = [0]
    parts = [f"# {escape(doc.title)}", f"*{escape(doc.subtitle)}*"]
    parts.append(f"**{escape(tr(doc.lang, 'toc'))}:** " + " · ".join(f"[{escape(s.title)}](#{s.anchor})" for s in doc.sections))
    for s in doc.sections:
        parts.append(f'<a id="{s.anchor}"></a>\n\n## {escape(s.title)}')
        parts += [_block(b, counter, doc.lang, figures_dir) for b in s.blocks]
    return "\n\n".join(parts) + "\n"
