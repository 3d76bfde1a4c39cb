"""Numerical tolerances: the one definition every module uses (ground floor, imports nothing).

``EPS_S`` is for times in seconds: a planned time within a microsecond of a limit meets it (the
event times are sums of float travel times, so they carry rounding noise far below that).
``EPS`` is a relative guard for float rounding of sums and ratios (``ceil(x - EPS)``, ties, whole
numbers). Changing either changes results on purpose.
"""

from __future__ import annotations

#: Tolerance of time comparisons, seconds.
EPS_S: float = 1e-6

#: Relative tolerance of float rounding (dimensionless).
EPS: float = 1e-9

__all__ = ["EPS", "EPS_S"]
