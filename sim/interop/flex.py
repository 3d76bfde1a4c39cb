"""DRT services as GTFS-Flex: zones in ``locations.geojson``, ``booking_rules.txt`` and
``stop_times.txt`` rows with pickup/drop-off windows.

Each area of a DRT service is one GeoJSON Feature (``id`` ``<service>_<area>``, a (Multi)Polygon
drawn around the area's road nodes, see :func:`sim.interop.layouts.area_polygon`) and one trip
``<service>_<area>`` of route ``<service>`` with two ``stop_times`` rows (``stop_sequence`` 1
and 2) and ``start_pickup_drop_off_window`` / ``end_pickup_drop_off_window`` = the service
hours. A door-to-door service (``mode = "door"``) names the zone as ``location_id``: a rider may
be picked up and dropped off anywhere in it. A stop-based service (``mode = "stop"``) names a
location group of the area's virtual stops as ``location_group_id`` (``location_groups.txt``,
``location_group_stops.txt``; the stops are in ``stops.txt``), the zone staying in
``locations.geojson`` for maps. Pickup and drop-off must be booked (``pickup_type`` /
``drop_off_type`` 2) under the service's booking rule: real-time booking (``booking_type`` 0),
as the simulated dispatcher books requests as they come. Trips between areas through the hub
are not expressed (GTFS-Flex would need a transfer between two zone trips).
"""

from __future__ import annotations

from typing import Any

import shapely

from sim.interop.layouts import Plan, area_polygon, stop_id
from sim.timeutil import format_clock

#: Required fields of the Flex files written here (GTFS-Flex, now part of the GTFS reference).
FLEX_REQUIRED = {
    "booking_rules.txt": ("booking_rule_id", "booking_type"),
    "stop_times.txt": ("trip_id", "stop_sequence", "start_pickup_drop_off_window",
                       "end_pickup_drop_off_window", "pickup_type", "drop_off_type"),
    "location_groups.txt": ("location_group_id",),
    "location_group_stops.txt": ("location_group_id", "stop_id"),
    "locations.geojson": ("type", "id", "geometry"),
}


def zone_id(service: str, area: str) -> str:
    """GTFS ``location_id`` of a DRT area."""
    return f"{service}_{area}"


def flex_tables(plan: Plan) -> tuple[dict[str, tuple[list[str], list[list[object]]]], dict[str, Any]]:
    """The Flex rows of every DRT service and the ``locations.geojson`` FeatureCollection."""
    routes: list[list[object]] = []
    trips: list[list[object]] = []
    stop_times: list[list[object]] = []
    rules: list[list[object]] = []
    groups: list[list[object]] = []
    group_stops: list[list[object]] = []
    features: list[dict[str, Any]] = []
    for name, layout in plan.drt.items():
        svc = plan.scenario.services[name]
        rule = f"{name}_booking"
        rules.append([rule, 0, f"{name}: book by phone or app; vehicles are dispatched in real time"])
        routes.append([name, "sim", name, f"DRT {name}", 3])
        start, end = format_clock(layout.start_s), format_clock(layout.end_s)
        for area in layout.areas:
            zid = zone_id(name, area.name)
            geom = area_polygon(plan.network, area.members)
            features.append(
                {
                    "type": "Feature",
                    "id": zid,
                    "properties": {"stop_name": f"{name} {area.name}", "service": name, "area": area.name,
                                   "nodes": int(area.members.sum()), "fleet_size": int(area.fleet_size),
                                   "vehicle": getattr(svc, "vehicle", "")},
                    "geometry": shapely.geometry.mapping(geom),
                }
            )
            tid = f"{name}_{area.name}"
            trips.append([name, name, tid, 0, ""])
            if layout.door_to_door:  # anywhere in the zone
                where = [zid, ""]
            else:  # only at the area's virtual stops (stops.txt): a location group
                groups.append([zid, f"{name} {area.name}"])
                group_stops += [[zid, stop_id(plan, int(n))] for n in area.stops]
                where = ["", zid]
            for seq in (1, 2):
                stop_times.append([tid, *where, seq, start, end, 2, 2, rule, rule])
    tables = {
        "routes.txt": (["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"], routes),
        "trips.txt": (["route_id", "service_id", "trip_id", "direction_id", "block_id"], trips),
        "stop_times.txt": (
            ["trip_id", "location_id", "location_group_id", "stop_sequence", "start_pickup_drop_off_window",
             "end_pickup_drop_off_window", "pickup_type", "drop_off_type", "pickup_booking_rule_id",
             "drop_off_booking_rule_id"],
            stop_times,
        ),
    }
    if rules:
        tables["booking_rules.txt"] = (["booking_rule_id", "booking_type", "message"], rules)
    if groups:
        tables["location_groups.txt"] = (["location_group_id", "location_group_name"], groups)
        tables["location_group_stops.txt"] = (["location_group_id", "stop_id"], group_stops)
    return tables, {"type": "FeatureCollection", "features": features}
