"""Places on a road network: the one resolver for every place a scenario names.

A place is given as

* a named place of the network: a ``place_id`` (``sodegaura_sta``, ``town:長浦``) or a node ``name``;
* ``node:<id>``: a node by its id in the network file (an OSM id for OSM data);
* ``"lat,lon"``: WGS84 degrees, snapped to the nearest node, at most :data:`MAX_SNAP_M` metres away.

Every place key of a scenario (line ``stops`` and ``depot``, DRT ``depot``, area ``depot`` and
``transfer_hub``, ``choice.hubs``) goes through :func:`resolve_place`.
"""

from __future__ import annotations

from sim.errors import NetworkError
from sim.network.graph import RoadNetwork

#: Farthest a ``"lat,lon"`` place may be from its nearest road node (metres) before it counts as off the network.
MAX_SNAP_M = 500.0


def resolve_place(net: RoadNetwork, text: str) -> int:
    """The node index of place ``text`` on ``net`` (see the module docstring for the forms).

    Raises
    ------
    NetworkError
        Saying what was wrong with ``text`` and what would be valid (the caller adds file and key).
    """
    text = text.strip()
    if text in net.places:  # a named place wins, even if its name has a comma or starts with "node:"
        return net.places[text]
    if text.startswith("node:"):
        raw = text[5:].strip()
        try:
            return net.index_of(int(raw))
        except (ValueError, NetworkError):
            try:
                return net.index_of(raw)
            except NetworkError:
                raise NetworkError(
                    f"{text!r}: network {net.name!r} has no node with id {raw!r} (node:<id> takes an id of the network file)"
                ) from None
    if "," in text:
        lat_s, lon_s = text.split(",", 1)
        try:
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            raise NetworkError(f"{text!r} is not a place, node:<id> or 'lat,lon' (two numbers in degrees)") from None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise NetworkError(f"point {text!r} is not a latitude,longitude pair in degrees")
        node, dist = net.nearest(lat, lon)
        if dist > MAX_SNAP_M:
            raise NetworkError(
                f"point {text!r} is {dist:.0f} m from the nearest road node "
                f"(over {MAX_SNAP_M:.0f} m: off the network)"
            )
        return node
    return net.place(text)
