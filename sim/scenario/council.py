"""Scenario settings of the council pages: the coverage window (``[coverage]``) and the value of
riders' time (``[benefits]``). Same style as the other scenario models (pydantic, unknown keys
rejected, frozen); every default cites docs/PARAMETERS.md."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import StrictModel as _Model
from sim.timeutil import parse_clock


def _clock(value: object) -> str:
    parse_clock(value)  # type: ignore[arg-type]
    return str(value)


class CoverageConfig(_Model):
    """Hours over which population coverage is averaged (docs/PARAMETERS.md#coverage-hours)."""

    start: str = "09:00"
    end: str = "17:00"

    _check_times = field_validator("start", "end")(classmethod(lambda cls, v: _clock(v)))

    @model_validator(mode="after")
    def _window(self) -> CoverageConfig:
        if parse_clock(self.end) <= parse_clock(self.start):
            raise ValueError(f"end {self.end!r} must be after start {self.start!r}")
        return self


class BenefitsConfig(_Model):
    """Valuing riders' time against the first scenario of a comparison (docs/PARAMETERS.md#value-of-time)."""

    value_of_time_yen_per_min: float = Field(40.0, ge=0.0, le=100_000.0)


__all__ = ["BenefitsConfig", "CoverageConfig"]
