"""Scenario settings of travel times that vary (issue 11): hourly factors and lognormal variation per road class."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from sim.scenario.base import StrictModel as _Model


class TrafficConfig(_Model):
    """Travel times that vary (default: fixed free-flow times, as before issue 11).

    ``time_factors``: per road class (the OSM ``highway`` value without ``_link``:
    ``primary``, ``residential``, ...; ``default`` for every class not named), 24 hourly
    multipliers of the free-flow travel time (hour 0 = 00:00-01:00). ``cv``: per road class, the
    coefficient of variation of each edge's time (lognormal with mean 1), drawn per vehicle from
    the run's generator. Plans use the expected times of the current hour; vehicles drive realised
    times. ASSUMPTION: no hourly speed or travel-time variability data for Sodegaura was found, so
    the default is no variation; scenarios that vary times must state their source.
    """

    time_factors: dict[str, list[Annotated[float, Field(gt=0.0, le=100.0)]]] = Field(default_factory=dict)
    cv: dict[str, Annotated[float, Field(ge=0.0, le=5.0)]] = Field(default_factory=dict)

    @field_validator("time_factors")
    @classmethod
    def _factors(cls, v: dict[str, list[float]]) -> dict[str, list[float]]:
        for road, values in v.items():
            if len(values) != 24 or any(not (x > 0) for x in values):
                raise ValueError(f"time_factors.{road} must be 24 positive multipliers (one per clock hour)")
        return v

    @field_validator("cv")
    @classmethod
    def _cv(cls, v: dict[str, float]) -> dict[str, float]:
        for road, c in v.items():
            if not (c >= 0):
                raise ValueError(f"cv.{road} must be a non-negative coefficient of variation, got {c!r}")
        return v
