"""Scenario settings of observed ridership counts (``[ridership]``): the MLIT count files a run
sets beside its simulated boardings (:mod:`sim.interop.observed`, the report's ridership table).

Paths are relative to the scenario file.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from sim.scenario.base import StrictModel as _Model


class RidershipConfig(_Model):
    """Observed counts to compare a run with (``[ridership]``).

    ``observed``: count files in either MLIT format — 乗降集計データ (boardings and alightings per
    trip and stop) or 駅・バス停間ODデータ (riders per stop pair, summed per stop); every row's
    ``route_id`` and stop ids are checked. ``feed``: the GTFS / GTFS-JP feed the counts' ids refer
    to (the operator's, as given to ``import gtfs``); its stops are snapped to the network like
    ``import gtfs`` does (at most ``max_snap_m`` metres, default 500). Without a feed the ids are
    those ``export gtfs`` writes for this scenario (``stop_id`` ``n<node id>``). ``routes`` maps a
    count file's ``route_id`` to the scenario's line services it became; by default a route is the
    line of the same name, else ``<route>_gtfs``, else every line named ``<route>_...`` (the day
    types and patterns ``import gtfs`` makes of it).
    """

    observed: list[str] = Field(default_factory=list, max_length=100)
    feed: str | None = None
    routes: dict[str, list[str]] = Field(default_factory=dict)
    max_snap_m: float = Field(500.0, gt=0.0, le=10_000.0)

    @field_validator("routes")
    @classmethod
    def _routes(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for route, services in v.items():
            if not services:
                raise ValueError(f"route {route!r}: list at least one line service")
        return v
