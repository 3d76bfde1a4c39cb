"""The one base class of every scenario settings model: strict, frozen, unknown keys refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Strict: no bool for an integer, no string for a number; finite numbers only (issue 16); frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


__all__ = ["StrictModel"]
