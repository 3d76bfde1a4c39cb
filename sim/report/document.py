"""A report as plain data: sections of paragraphs, lists, tables and figures.

:mod:`sim.report.html` and :mod:`sim.report.markdown` render the same :class:`Document`, so both
files carry the same content. All text here is plain (unescaped); renderers escape it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell; ``strong`` marks a best value, ``numeric`` right-aligns, ``code`` is a key name."""

    text: str
    strong: bool = False
    numeric: bool = False
    code: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row; ``caption`` is shown under it."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of running text."""

    text: str


@dataclass(frozen=True, slots=True)
class Note:
    """A highlighted remark (network provenance, missing data)."""

    text: str


@dataclass(frozen=True, slots=True)
class Bullets:
    """A bulleted list; ``title`` is a small heading above it."""

    items: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """A rendered chart or map.

    Attributes
    ----------
    name
        File stem: the PNG is ``figures/<name>.png``.
    title, caption
        Shown above / below the image; ``title`` is also the image's alt text.
    png
        The PNG bytes.
    """

    name: str
    title: str
    caption: str
    png: bytes = field(repr=False)


Block = Table | Paragraph | Note | Bullets | Figure


@dataclass(frozen=True, slots=True)
class Section:
    """A titled section; ``anchor`` is its HTML id."""

    anchor: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """A whole report."""

    lang: str
    title: str
    subtitle: str
    sections: tuple[Section, ...]

    def figures(self) -> list[Figure]:
        """Every figure, in document order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def texts(self) -> list[str]:
        """Every piece of text (for font subsetting and tests)."""
        out = [self.title, self.subtitle]
        for section in self.sections:
            out.append(section.title)
            for block in section.blocks:
                if isinstance(block, (Paragraph, Note)):
                    out.append(block.text)
                elif isinstance(block, Bullets):
                    out += [block.title, *block.items]
                elif isinstance(block, Table):
                    out += [block.title, block.caption, *block.header]
                    out += [c.text for row in block.rows for c in row]
                elif isinstance(block, Figure):
                    out += [block.title, block.caption]
        return out
