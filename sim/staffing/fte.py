"""Headcount (FTE) of a role from its yearly totals: duty-days, binding hours and driving hours.

One formula for a simulated day × operating days (:func:`sim.staffing.duties.role_fte`) and for
a year summed over day types (:mod:`sim.staffing.year`)::

    FTE = max( duty_days / working_days_per_employee,
               binding_h / annual_binding_limit_h,
               driving_h / (max_weekly_driving_h × 365 / 7) )   (driving roles only)
          × (1 + leave_spare_factor)
"""

from __future__ import annotations

from typing import Any

from sim.scenario.staffing import StaffingConfig


def fte_from_totals(
    duty_days: float, binding_h: float, driving_h: float, cfg: StaffingConfig, *, driving_role: bool, has_duties: bool
) -> dict[str, Any]:
    """The FTE terms of a role from its yearly duty-days and binding and driving hours, the largest
    of them (``fte``) and which one binds (``limit``; ``"none"`` without duties)."""
    factor = 1.0 + cfg.leave_spare_factor
    by_days = duty_days / cfg.working_days_per_employee * factor
    by_binding = binding_h / cfg.annual_binding_limit_h * factor
    by_driving = driving_h / (cfg.max_weekly_driving_h * 365.0 / 7.0) * factor if driving_role else 0.0
    terms = {"days": by_days, "annual_binding": by_binding, "weekly_driving": by_driving}
    limit = max(terms, key=lambda k: (terms[k], k == "days"))
    return {
        "duty_days_per_year": duty_days,
        "annual_binding_h": binding_h,
        "annual_driving_h": driving_h,
        "fte_by_days": by_days,
        "fte_by_annual_binding": by_binding,
        "fte_by_weekly_driving": by_driving,
        "fte": terms[limit],
        "limit": limit if has_duties else "none",
    }
