"""Edge speeds: OSM ``maxspeed`` parsing and assumed free-flow speeds per road class (km/h)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    pass




_DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 80.0,
    "motorway_link": 60.0,
    "trunk": 60.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 40.0,
    "secondary": 40.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "residential": 30.0,
    "living_street": 20.0,
    "unclassified": 30.0,
    "service": 20.0,
}
"""Assumed free-flow speed (km/h) per OSM ``highway`` value when ``maxspeed`` is absent or unusable.

Assumption, not a measurement: Japanese legal limits are 60 km/h on unsigned general roads; these
defaults are lower to reflect urban operation."""

_FALLBACK_SPEED_KMH = 30.0
"""Speed (km/h) for unknown or missing ``highway`` values."""

_MAX_PLAUSIBLE_KMH = 200.0
_MPH_TO_KMH = 1.609344


# --------------------------------------------------------------------------------------------------
# speeds
# --------------------------------------------------------------------------------------------------

_MAXSPEED_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph|km/hr)?$")


def _parse_maxspeed(value: str) -> float | None:
    """Parse one OSM ``maxspeed`` value (may hold ``;``-separated parts) to km/h; None if unusable."""
    speeds: list[float] = []
    for part in re.split(r"[;,|]", value):
        match = _MAXSPEED_RE.match(part.strip().lower())
        if match is None:
            continue
        speed = float(match.group(1))
        if match.group(2) == "mph":
            speed *= _MPH_TO_KMH
        if 0.0 < speed <= _MAX_PLAUSIBLE_KMH:
            speeds.append(speed)
    return min(speeds) if speeds else None


def edge_speed_kmh(highway: str | list[str] | None, maxspeed: str | list[str] | None) -> float:
    """Free-flow speed of an OSM edge in km/h.

    Parameters
    ----------
    highway
        OSM ``highway`` value, or a list of them (simplified edges merge several ways).
    maxspeed
        OSM ``maxspeed`` value(s): ``"40"``, ``"40;50"`` (the minimum is used), ``"30 mph"``
        (converted at 1.609344 km/h per mph), or a list of such values (minimum). Values that do not
        parse (``"JP:urban"``, ``"signals"``, ``"none"``, garbage) or lie outside (0, 200] km/h are
        ignored.

    Returns
    -------
    float
        The parsed ``maxspeed`` if any part is usable; otherwise the default for ``highway``
        (``_DEFAULT_SPEED_KMH``; for a list of types the slowest default; 30 km/h when unknown).
    """
    values: list[Any] = maxspeed if isinstance(maxspeed, list) else [maxspeed]
    parsed = [s for s in (_parse_maxspeed(str(v)) for v in values if v is not None) if s is not None]
    if parsed:
        return min(parsed)
    types: list[Any] = highway if isinstance(highway, list) else [highway]
    defaults = [_DEFAULT_SPEED_KMH.get(str(t).strip().lower(), _FALLBACK_SPEED_KMH) for t in types if t is not None]
    return min(defaults) if defaults else _FALLBACK_SPEED_KMH



def road_class(highway: str | list[str] | None) -> str:
    """The road class of an OSM edge for travel-time variation: its ``highway`` value without
    ``_link`` (the first of a list), lower case; ``"unknown"`` when missing."""
    first: Any = highway[0] if isinstance(highway, list) and highway else highway
    if first is None or str(first).strip() == "":
        return "unknown"
    value = str(first).strip().lower()
    return value[: -len("_link")] if value.endswith("_link") else value
