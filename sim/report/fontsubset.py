"""The IPAexGothic subset embedded in ``report.html``, made once per glyph set and cached on disk.

Subsetting the 6 MB font with fontTools takes 0.1–0.3 CPU-s per report; the same reports (a
comparison rebuilt, the test suite's many small reports) ask for the same few hundred glyphs
again and again. The WOFF bytes are stored in the user's cache folder under a key made of the
font file (path, size, modification time), the fontTools version and the glyph set, and read back
on the next request: the bytes are those a fresh subset gives. The subset keeps the font's own
timestamp (``recalcTimestamp=False``), so the same glyphs always give the same bytes.

The cache folder is ``$SODEGAURA_SIM_CACHE/fonts`` if that variable is set, else
``$XDG_CACHE_HOME/sodegaura-transit-sim/fonts`` (``~/.cache/...`` by default); at most
:data:`MAX_FILES` subsets are kept (the oldest are removed). A folder that cannot be written
only means no cache.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

#: Most subsets kept in the cache folder (each is 20–200 KB).
MAX_FILES = 64


def font_cache_dir() -> Path:
    """The folder of cached font subsets (see the module docstring; it may not exist yet)."""
    own = os.environ.get("SODEGAURA_SIM_CACHE")
    if own:
        return Path(own) / "fonts"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sodegaura-transit-sim" / "fonts"


def subset_key(font_path: str, chars: str) -> str:
    """Cache key of the subset of ``font_path`` holding ``chars`` (hex SHA-256)."""
    from fontTools import version

    stat = os.stat(font_path)
    ident = f"{Path(font_path).resolve()}|{stat.st_size}|{stat.st_mtime_ns}|fonttools {version}|woff|{chars}"
    return hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()


def make_subset(font_path: str, chars: str) -> bytes:
    """WOFF bytes of the subset of the TrueType font at ``font_path`` with the glyphs of ``chars``
    (all name records kept, as the font's licence asks; the font's own timestamp kept)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(font_path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return buf.getvalue()


def cached_subset(font_path: str, chars: str, cache_dir: Path | None = None) -> bytes:
    """:func:`make_subset` through the disk cache in ``cache_dir`` (default :func:`font_cache_dir`)."""
    folder = font_cache_dir() if cache_dir is None else Path(cache_dir)
    path = folder / f"{subset_key(font_path, chars)}.woff"
    try:
        data = path.read_bytes()
        if data[:4] == b"wOFF":
            return data
    except OSError:
        pass
    data = make_subset(font_path, chars)
    _store(folder, path, data)
    return data


def _store(folder: Path, path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and keep at most :data:`MAX_FILES` subsets (no error if it cannot)."""
    from sim.atomic import atomic_open

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb") as fh:
            fh.write(data)
        kept = sorted(folder.glob("*.woff"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[MAX_FILES:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
