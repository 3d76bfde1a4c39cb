"""Landmarks on maps: the city boundary (its western edge is the Tokyo Bay coast) and named key places.

Drawn only where the map shows Sodegaura (the places fall inside the panel). The data has no
railway or coastline geometry: stations are marked and named, the boundary polygon (MLIT N03) is
drawn, and the map captions say so.
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from typing import Any

#: Kinds of key places named on maps (stations, the bus terminal, city hall).
NAMED_KINDS: tuple[str, ...] = ("rail_station", "bus_terminal", "public")

_BOUNDARY_FILE = "sodegaura_boundary_N03-21_s0010.geojson"
_PLACES_FILE = "sodegaura_key_places.csv"


@lru_cache(maxsize=1)
def boundary() -> tuple[tuple[float, float], ...]:
    """The city outline as ``(lon, lat)`` points (empty if the file is missing)."""
    from sim.demand.zones import data_dir

    try:
        data = json.loads((data_dir() / _BOUNDARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    for feature in data.get("features", []):
        geom = feature.get("geometry") or {}
        if geom.get("type") == "Polygon" and geom.get("coordinates"):
            return tuple((float(x), float(y)) for x, y in geom["coordinates"][0])
    return ()


@lru_cache(maxsize=2)
def named_places(lang: str) -> tuple[tuple[str, str, float, float], ...]:
    """``(kind, name, lat, lon)`` of the key places named on maps."""
    from sim.demand.zones import data_dir

    out = []
    try:
        with (data_dir() / _PLACES_FILE).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("kind") not in NAMED_KINDS:
                    continue
                name = (row.get("name_ja") if lang == "ja" else row.get("name_en")) or row.get("name_ja") or ""
                out.append((str(row["kind"]), name.split(" (")[0], float(row["lat"]), float(row["lon"])))
    except (OSError, ValueError, KeyError):
        return ()
    return tuple(out)


def draw_landmarks(ax: Any, lang: str) -> bool:
    """Draw the boundary and name the key places on ``ax`` if they fall inside it; return whether drawn.

    Labels alternate above and below their point in west-to-east order, so neighbours (横田 and
    東横田) do not overlap, and stay inside the panel (``clip_on``).
    """
    from sim.report.figures import mpl_text

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    places = [p for p in named_places(lang) if x0 <= p[3] <= x1 and y0 <= p[2] <= y1]
    if not places:
        return False
    outline = boundary()
    if outline:
        ax.plot([p[0] for p in outline], [p[1] for p in outline], color="#4d6b8a", linewidth=0.9, zorder=1.5)
    for k, (kind, name, lat, lon) in enumerate(sorted(places, key=lambda p: p[3])):
        marker = "s" if kind == "rail_station" else "D"
        ax.scatter([lon], [lat], marker=marker, s=16, color="white", edgecolors="#222222", linewidths=0.8, zorder=7)
        right = lon < (x0 + x1) / 2
        ax.annotate(mpl_text(name), (lon, lat), xytext=(5 if right else -5, 5 if k % 2 == 0 else -9),
                    textcoords="offset points", ha="left" if right else "right", fontsize=6, zorder=8, clip_on=True,
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.75})
    return True


__all__ = ["NAMED_KINDS", "boundary", "draw_landmarks", "named_places"]
