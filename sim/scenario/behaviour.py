"""Scenario keys of the behavioural demand model: ``[demand.behaviour]`` (pydantic).

Every default is documented where it is used (:mod:`sim.demand.population`,
:mod:`sim.demand.tours`, :mod:`sim.demand.modechoice`, :mod:`sim.model.skims`,
:mod:`sim.run.behaviour`) with its source (PARAMETERS.md "Travel behaviour") or as ASSUMPTION.
Only ``demand.model = "behavioural"`` reads them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Age shares must sum to 1 within this (dimensionless; they are typed with three decimals).
SHARE_SUM_TOLERANCE = 1e-3

#: Alternative-specific constants that can be set (and calibrated). ``pt_elderly`` is added to
#: every public-transport alternative for residents aged 65+.
ASC_KEYS: tuple[str, ...] = (
    "walk",
    "bike",
    "car",
    "lift",
    "taxi",
    "drt",
    "line",
    "pt_elderly",
)

#: Default constants (utility units) before calibration. ASSUMPTION; `python main.py calibrate`
#: fits them to targets.
DEFAULT_ASC: dict[str, float] = {
    "walk": 0.0,
    "bike": -2.0,
    "car": 1.0,
    "lift": -0.5,
    "taxi": -2.5,
    "drt": -2.0,
    "line": -2.0,
    "pt_elderly": 0.0,
}


def _shares(n: int):
    def check(cls, v: list[float]) -> list[float]:
        if len(v) != n or any(not 0.0 <= x <= 1.0 for x in v):
            raise ValueError(
                f"must be {n} shares in [0, 1] (age bands 0-14, 15-64, 65-74, 75+)"
            )
        return v

    return classmethod(check)


class BehaviourConfig(BaseModel):
    """Population, tours and mode choice of ``demand.model = "behavioural"``."""

    # strict: no bool for an integer, no string for a number; finite numbers only (issue 16)
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    # population (sim.demand.population)
    age_shares: list[Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=lambda: [0.127, 0.585, 0.120, 0.168]
    )
    older_share_65plus: float = Field(0.32, ge=0.0, le=1.0)
    licence_by_age: list[Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=lambda: [0.0, 0.80, 0.848, 0.289]
    )
    car_share: float = Field(0.80, ge=0.0, le=1.0)
    lift_by_age: list[Annotated[float, Field(ge=0.0, le=1.0)]] = Field(default_factory=lambda: [0.9, 0.5, 0.5, 0.6])
    # tours (sim.demand.tours)
    going_out_drive: float = Field(0.775, ge=0.0, le=1.0)
    going_out_no_drive: float = Field(0.449, ge=0.0, le=1.0)
    going_out_child: float = Field(0.85, ge=0.0, le=1.0)
    trip_rate: float = Field(2.18, ge=0.0, le=20.0)
    trip_rate_scale: float = Field(1.0, ge=0.0, le=100.0)
    # mode choice (sim.demand.modechoice, sim.run.behaviour, sim.model.skims)
    beta_time: float = Field(-0.02, ge=-10.0, lt=0.0)
    value_of_time_yen_per_min: float = Field(40.0, gt=0.0, le=10_000.0)
    home_wait_weight: float = Field(0.8, ge=0.0, le=100.0)
    walk_time_weight: float = Field(2.0, ge=0.0, le=100.0)
    bike_time_weight: float = Field(1.5, ge=0.0, le=100.0)
    walk_speed_mps: float = Field(1.3, ge=0.1, le=5.0)
    bike_speed_kmh: float = Field(12.0, ge=1.0, le=60.0)
    car_extra_min: float = Field(5.0, ge=0.0, le=600.0)
    car_cost_yen_per_km: float = Field(15.0, ge=0.0, le=100_000.0)
    lift_extra_min: float = Field(5.0, ge=0.0, le=600.0)
    taxi_wait_min: float = Field(10.0, ge=0.0, le=600.0)
    taxi_flag_yen: float = Field(500.0, ge=0.0, le=1_000_000.0)
    taxi_flag_km: float = Field(1.2, ge=0.0, le=1_000.0)
    taxi_yen_per_km: float = Field(400.0, ge=0.0, le=100_000.0)
    drt_wait_min: float = Field(10.0, ge=0.0, le=1_440.0)
    drt_ride_factor: float = Field(1.25, ge=1.0, le=10.0)
    latent_fare_yen: float = Field(300.0, ge=0.0, le=1_000_000.0)
    asc: dict[str, Annotated[float, Field(ge=-100.0, le=100.0)]] = Field(default_factory=dict)

    _age = field_validator("age_shares", "licence_by_age", "lift_by_age")(_shares(4))

    @field_validator("age_shares")
    @classmethod
    def _sum(cls, v: list[float]) -> list[float]:
        if abs(sum(v) - 1.0) > SHARE_SUM_TOLERANCE:
            raise ValueError(f"must sum to 1 (got {sum(v)!r})")
        return v

    @field_validator("asc")
    @classmethod
    def _asc(cls, v: dict[str, float]) -> dict[str, float]:
        bad = sorted(set(v) - set(ASC_KEYS))
        if bad:
            raise ValueError(
                f"unknown constant {bad[0]!r}; valid: {', '.join(ASC_KEYS)}"
            )
        return v

    def constants(self) -> dict[str, float]:
        """The defaults overridden by ``asc``."""
        return {**DEFAULT_ASC, **self.asc}
