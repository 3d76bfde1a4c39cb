"""Atomic file writes: write to a temporary file in the same directory, then rename.

A run that fails part-way leaves either the previous file or none, never a half-written one.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; rename it over ``path`` on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def _finite(data: Any) -> Any:
    """``data`` with every non-finite float (NaN, ±inf) replaced by ``None`` (JSON ``null``)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


def write_json(path: str | Path, data: Any) -> None:
    """Write ``data`` as indented JSON atomically (UTF-8, non-ASCII kept readable).

    The file is always valid JSON: a non-finite number (NaN, ±inf) is written as ``null``.
    """
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(data), indent=2, ensure_ascii=False, sort_keys=False, allow_nan=False)
    write_text(path, text + "\n")


#: First characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(cell: Any) -> Any:
    """A CSV cell made safe for spreadsheets: text starting with ``=``, ``+``, ``-``, ``@``, tab or
    CR (or with ``'``, so that the rule can be undone) gets a leading ``'``.

    Numbers are never changed: ``int``/``float`` values, and text that is a plain decimal number
    (``-12.5``, ``+3``, ``1e-3``) stays as it is. :func:`unneutralise` undoes it.
    """
    if isinstance(cell, str) and cell and (cell[0] in FORMULA_STARTS or cell[0] == "'"):
        if _NUMBER.fullmatch(cell):
            return cell
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """The text :func:`neutralise` was given: one leading ``'`` removed."""
    return cell.removeprefix("'")


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV with ``header`` and ``rows`` atomically (UTF-8, ``\\n`` line ends), streamed.

    Every text cell goes through :func:`neutralise` (CSV injection: see the README).
    """
    with atomic_open(path, "w") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([neutralise(c) for c in header])
        for row in rows:
            writer.writerow([neutralise(c) for c in row])


def csv_fields(labels: Iterable[Any]) -> list[str]:
    """Each of ``labels`` as :func:`write_csv` writes it in a row of several cells: neutralised
    (:func:`neutralise`) and quoted by the csv module's rules, so a large table built from a few
    distinct labels formats each label once (:func:`write_csv_lines`)."""
    out = []
    for label in labels:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([neutralise(label), ""])
        out.append(buf.getvalue()[:-2])  # drop the empty last cell's "," and the line end
    return out


def write_csv_lines(path: str | Path, header: Sequence[str], lines: Iterable[str]) -> None:
    """Write a CSV whose data lines are already formatted (cells from :func:`csv_fields` joined by
    ``,``, no line end) atomically, as :func:`write_csv` would have written the same cells."""
    with atomic_open(path, "w") as fh:
        csv.writer(fh, lineterminator="\n").writerow([neutralise(c) for c in header])
        it = iter(lines)
        while chunk := list(itertools.islice(it, 8192)):  # joined in chunks: one write per 8,192 lines
            fh.write("\n".join(chunk))
            fh.write("\n")
