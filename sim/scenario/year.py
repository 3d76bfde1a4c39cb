"""A year as day types (``[year.day_types.<name>]``, issue 12 scope 7).

Without ``[year]`` a scenario's annual figures are one simulated day × operating days (as
before). With it, the year is the sum of its day types — weekday, Saturday, Sunday/holiday,
suspended, or any named type — each simulated on its own and weighted by its ``days`` a year:

```toml
[year.day_types.weekday]
days = 243
[year.day_types.saturday]
days = 52
demand_factor = 0.6                      # demand level against the scenario's (weekday = 1)
demand_source = "ASSUMPTION"             # or the citation of the factor
set = { "services.choisoko.fleet_size" = 2, "services.daijuku.headway_min" = 60 }
[year.day_types.sunday_holiday]
days = 60
demand_factor = 0.45
[year.day_types.suspended]                # the fallback policy's day (weather)
days = 10
```

A day type differs from the scenario only where it says so: ``set`` overrides any scenario key
(dotted, checked like ``--set``: service hours, headways, fleets...); ``demand_factor`` scales the
demand (``demand.requests_per_day``, rounded, or the behavioural ``trip_rate_scale``);
``weekday`` (default from the name: ``weekday`` → mon, ``saturday`` → sat, ``sunday``,
``holiday``, ``sunday_holiday`` → sun, ``suspended`` → mon) switches off the services whose
``days`` do not include it; on a ``suspended`` day type every automated service follows its
``suspension_fallback`` (``cancel``: it does not run; ``driven_backup``: the same service with a
driven vehicle, its drivers in the staffing).

This module is pure data: the raw dictionary of one day type's scenario
(:func:`day_type_raw`). ``sim/scenario/schema.py`` validates it, ``sim/run/year.py`` runs it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, field_validator

from sim.paths import name_problem
from sim.scenario.base import StrictModel as _Model

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

#: The weekday a day type of a standard name stands for (services run on it by their ``days``).
STANDARD_WEEKDAY: dict[str, Weekday] = {
    "weekday": "mon",
    "saturday": "sat",
    "sunday": "sun",
    "holiday": "sun",
    "sunday_holiday": "sun",
    "suspended": "mon",
}

#: Keys a day type's ``set`` may not change (they are the year's, not a day's).
FROZEN_KEYS = ("name", "seed", "year", "staffing.operating_days_per_year", "staffing.closed_days_per_year")

#: Vehicle keys a driven backup drops (automation-only settings return to their defaults).
_AUTOMATION_ONLY = (
    "speed_cap_kmh", "incident_classes", "odd_road_classes", "odd_edges", "odd_speed_cap_kmh", "range_km",
)


class DayTypeConfig(_Model):
    """One day type (``[year.day_types.<name>]``).

    ``days``: days of this type a year (0..366); ``demand_factor``: demand against the
    scenario's (0..10, default 1); ``demand_source``: the citation of the factor, or
    ``ASSUMPTION`` (default); ``weekday``: the weekday it stands for (services whose ``days`` lack
    it do not run; default from the name, see :data:`STANDARD_WEEKDAY`); ``suspended``: the
    fallback policy's day (default: the name is ``suspended``); ``set``: scenario keys this day
    type changes (dotted keys, values as in TOML; at most 100).
    """

    days: float = Field(ge=0.0, le=366.0)
    demand_factor: float = Field(1.0, ge=0.0, le=10.0)
    demand_source: str = "ASSUMPTION"
    weekday: Weekday | None = None
    suspended: bool | None = None
    set: dict[str, Any] = Field(default_factory=dict, max_length=100)


class YearConfig(_Model):
    """The year as day types (``[year]``): at least one, at most 20, in the order written."""

    day_types: dict[str, DayTypeConfig] = Field(min_length=1, max_length=20)

    @field_validator("day_types")
    @classmethod
    def _names(cls, v: dict[str, DayTypeConfig]) -> dict[str, DayTypeConfig]:
        for key, cfg in v.items():
            problem = name_problem(key)
            if problem:
                raise ValueError(f"entry {key!r}: {problem} (it names rows and folders)")
            if cfg.weekday is None and key not in STANDARD_WEEKDAY:
                raise ValueError(
                    f"entry {key!r}: weekday is missing; give the weekday it stands for (mon..sun) or use a"
                    f" standard name ({', '.join(STANDARD_WEEKDAY)})"
                )
            for path in cfg.set:
                if any(path == k or path.startswith(k + ".") for k in FROZEN_KEYS):
                    raise ValueError(f"{key}.set: key {path!r} belongs to the year, not a day type; valid: any other key")
        return v

    def weekday_of(self, name: str) -> Weekday:
        """The weekday day type ``name`` stands for."""
        cfg = self.day_types[name]
        return cfg.weekday if cfg.weekday is not None else STANDARD_WEEKDAY[name]

    def is_suspended(self, name: str) -> bool:
        """Whether ``name`` is the fallback policy's day."""
        cfg = self.day_types[name]
        return cfg.suspended if cfg.suspended is not None else name == "suspended"

    @property
    def days_total(self) -> float:
        """Days a year over all day types."""
        return math.fsum(c.days for c in self.day_types.values())


def check_year(year: YearConfig, closed_days: float, services: dict[str, Any], demand_csv: str | None) -> None:
    """Check a year against the rest of the scenario (raises ``ValueError`` naming the key).

    The days of all types plus ``staffing.closed_days_per_year`` make a year (365 or 366); the
    per-service ``suspended_days_per_year`` must be 0 (the ``suspended`` day type replaces it); a
    demand factor needs generated demand (not ``demand.csv``).
    """
    total = year.days_total + closed_days
    if not any(math.isclose(total, n, abs_tol=1e-9) for n in (365.0, 366.0)):
        days = ", ".join(f"{k} {c.days:g}" for k, c in year.day_types.items())
        raise ValueError(
            f"key year.day_types: the days ({days}) plus staffing.closed_days_per_year {closed_days:g} add up to"
            f" {total:g}; valid: 365 or 366 (a year)"
        )
    for name, svc in services.items():
        if getattr(svc, "suspended_days_per_year", 0.0) > 0:
            raise ValueError(
                f"key services.{name}.suspended_days_per_year: {svc.suspended_days_per_year:g} with [year]; valid: 0"
                " (give the suspended days as year.day_types.suspended.days)"
            )
    for name, cfg in year.day_types.items():
        if demand_csv and cfg.demand_factor != 1.0:
            raise ValueError(
                f"key year.day_types.{name}.demand_factor: {cfg.demand_factor:g} with demand.csv {demand_csv!r};"
                " valid: 1 (a demand file is not scaled; give each day type a demand.csv through set)"
            )


def day_type_raw(
    raw: dict[str, Any], year: YearConfig, name: str, *, apply: Callable[[dict[str, Any], list[str], Any, str], None]
) -> dict[str, Any]:
    """The raw scenario of day type ``name``: ``raw`` (a validated scenario dumped to JSON types,
    without ``None`` values) with the year removed, operating days = the type's days, services
    off where the weekday is not theirs, the fallback on a suspended day, the demand scaled and
    the ``set`` keys applied (through ``apply(data, parts, value, what)``, which checks the key).
    """
    cfg = year.day_types[name]
    out = copy.deepcopy(raw)
    out.pop("year", None)
    staffing = out.setdefault("staffing", {})
    staffing["operating_days_per_year"] = cfg.days if cfg.days > 0 else 1.0  # a 0-day type is not simulated
    staffing["closed_days_per_year"] = 0.0
    weekday = year.weekday_of(name)
    vehicles = out.get("vehicles", {})
    for svc in out.get("services", {}).values():
        if weekday not in svc.get("days", [weekday]):
            svc["enabled"] = False
        if not year.is_suspended(name) or not svc.get("enabled", True):
            continue
        vt = vehicles.get(svc.get("vehicle"), {})
        if vt.get("automation", "human") == "human":
            continue
        if svc.get("suspension_fallback", "cancel") == "cancel":
            svc["enabled"] = False
        else:  # a driven vehicle runs the service: a driver, no automation limits
            vt["automation"] = "human"
            vt["incidents_per_1000_km"] = 0.0
            for key in _AUTOMATION_ONLY:
                vt.pop(key, None)
    demand = out.setdefault("demand", {})
    if cfg.demand_factor != 1.0:
        if demand.get("model", "fixed") == "behavioural":
            beh = demand.setdefault("behaviour", {})
            beh["trip_rate_scale"] = beh.get("trip_rate_scale", 1.0) * cfg.demand_factor
        else:
            demand["requests_per_day"] = round(demand.get("requests_per_day", 40) * cfg.demand_factor)
    for path, value in cfg.set.items():
        parts = [p.strip() for p in path.split(".")]
        apply(out, parts, value, f"year.day_types.{name}.set {path!r}")
    return out
