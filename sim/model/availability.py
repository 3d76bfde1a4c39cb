"""Service availability: the share of planned vehicle-hours actually operated, with its causes.

``service_availability`` = 1 − lost ÷ planned vehicle-hours, per service and overall, where the
plan is the service window times the fleet (DRT) or each block from its first planned departure
to its last planned arrival (lines), and the hours lost are the spans the log shows a vehicle out
of service inside that plan: stopped by an incident (``incident`` moves: waiting for an operator
or field staff and their work), waiting at the depot for a supervision slot (capacity gating,
:mod:`sim.model.remote`) and waiting at the depot for a charged vehicle (``charge`` moves,
:mod:`sim.model.energy`). Lines never cancel a trip in this model (a late trip still runs), so
their planned trips are all operated; the lost hours show how late they ran.

Written only in runs with a control room or batteries (``metrics.json`` of other runs is
unchanged). The hours lost per cause are as the log shows them and may exceed the plan (a
vehicle held past its planned hours); availability counts at most a service's planned hours as
lost. A suspended day (issue 12, not modelled yet) would lose all its hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sim.model.eventlog import EventLog, MoveKind

CAUSES = ("incidents", "supervision", "charging")


def availability(log: EventLog, planned_s: Mapping[str, float]) -> dict[str, Any]:
    """``service_availability`` overall and per service, with hours lost per cause.

    ``planned_s``: planned vehicle-seconds per service name (services with none are skipped).
    """
    lost: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CAUSES, 0.0))
    for m in log.moves:
        if m.kind is MoveKind.INCIDENT:
            lost[m.service]["incidents"] += m.end_s - m.start_s
        elif m.kind is MoveKind.CHARGE:
            lost[m.service]["charging"] += m.end_s - m.start_s
    if log.remote is not None:
        for h in log.remote.holds:
            lost[h.service]["supervision"] += h.got_s - h.want_s
    per: dict[str, Any] = {}
    total_plan = total_gone = 0.0
    total_lost = dict.fromkeys(CAUSES, 0.0)
    for service, plan in sorted(planned_s.items()):
        if plan <= 0:
            continue
        causes = lost[service]
        gone = min(plan, sum(causes.values()))
        per[service] = {
            "service_availability": 1.0 - gone / plan,
            "planned_vehicle_h": plan / 3600.0,
            "lost_h": {c: causes[c] / 3600.0 for c in CAUSES},
        }
        total_plan += plan
        total_gone += gone
        for c in CAUSES:
            total_lost[c] += causes[c]
    overall = 1.0 - total_gone / total_plan if total_plan > 0 else None
    return {
        "service_availability": overall,
        "availability_lost_incidents_h": total_lost["incidents"] / 3600.0,
        "availability_lost_supervision_h": total_lost["supervision"] / 3600.0,
        "availability_lost_charging_h": total_lost["charging"] / 3600.0,
        "availability": {"planned_vehicle_h": total_plan / 3600.0, "per_service": per},
    }
