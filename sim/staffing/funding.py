"""Who pays: the 地域公共交通計画 KPI table (MLIT 手引き) of a scenario and of each service.

Pure functions of the event log, staffing, costs and scenario; yen a year throughout.

* Each cost item of :class:`~sim.staffing.costs.Costs` is a *funding item*
  (:data:`~sim.scenario.staffing.FUNDING_ITEMS`): staff by role; vehicles and running costs
  (energy + maintenance) of ordinary or of automated vehicles; the fixed items.
* Public funding (公的資金投入額) = max(0, cost − fare revenue).
* National = min(Σ item cost × ``national_share[item]``, ``national_cap_yen_per_year``, public);
  prefecture = min(Σ item cost × ``prefecture_share[item]``, public − national);
  city burden (市の負担額) = public − national − prefecture.
* Burden per resident (市民一人当たり行政負担額) = city burden ÷ ``demand.population_total``;
  per rider (利用者一人当たり行政負担額) = city burden ÷ riders a year (passenger trips).

Per service, every item is shared out: staff by the service's FTE of that role (as in
``per_service`` of ``metrics.json``), vehicles by the service's vehicles of that type, running
costs are the service's own, the control room and AV system by the service's automated vehicles,
the DRT system equally over DRT services, other fixed costs by vehicle-km a year. A trip over
several services counts as a rider of each and its fare is split equally between them. The
national cap is applied to the scenario and shared out in proportion to each service's uncapped
national amount, so the services add up to the scenario.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sim.model.eventlog import EventLog, Outcome
from sim.staffing.costs import CostItem, Costs
from sim.staffing.duties import Staffing, paid_s_by_service

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

#: Keys of the KPI table merged into ``metrics.json`` (scenario and ``per_service``).
FUNDING_KPI_KEYS: tuple[str, ...] = (
    "riders_per_day",
    "riders_per_year",
    "fare_revenue_yen_per_year",
    "annual_cost_yen",
    "farebox_ratio",
    "public_funding_yen_per_year",
    "national_funding_yen_per_year",
    "prefecture_funding_yen_per_year",
    "city_burden_yen_per_year",
    "burden_per_resident_yen",
    "burden_per_rider_yen",
)


@dataclass(frozen=True, slots=True)
class CouncilKpis:
    """One row of the 地域公共交通計画 KPI table (a scenario or one service); yen a year."""

    scope: str
    riders_per_day: float
    riders_per_year: float
    fare_revenue_yen_per_year: float
    annual_cost_yen: float
    farebox_ratio: float | None
    public_funding_yen_per_year: float
    national_funding_yen_per_year: float
    prefecture_funding_yen_per_year: float
    city_burden_yen_per_year: float
    burden_per_resident_yen: float
    burden_per_rider_yen: float | None

    def to_metrics(self) -> dict[str, Any]:
        """The :data:`FUNDING_KPI_KEYS` of ``metrics.json``."""
        d = asdict(self)
        return {k: d[k] for k in FUNDING_KPI_KEYS}


@dataclass(frozen=True, slots=True)
class Funding:
    """The KPI table of a scenario: the whole scenario and each service."""

    total: CouncilKpis
    services: tuple[CouncilKpis, ...]
    population: float


def funding_item(item: CostItem, automated_types: frozenset[str]) -> str:
    """The funding item (:data:`~sim.scenario.staffing.FUNDING_ITEMS`) of a cost item."""
    category, _, rest = item.term.partition(":")
    if category == "staff":
        return rest
    vtype = rest.split(":")[-1]
    auto = "_automated" if vtype in automated_types else ""
    if category == "vehicles":
        return "vehicles" + auto
    if category in ("energy", "maintenance"):
        return "running" + auto
    return rest  # fixed:control_room -> control_room ...


def role_fte_by_service(staffing: Staffing) -> dict[str, dict[str, float]]:
    """FTE of each role shared out to services: ``{role: {service: fte}}`` (parts add up to the role's FTE).

    A duty's paid time is split over its pieces by their length and a piece's share equally over
    its services; the role's FTE goes to services in proportion to that time × the service's
    operating days.
    """
    out: dict[str, dict[str, float]] = {}
    for r in staffing.roles:
        weight: dict[str, float] = defaultdict(float)
        for d in r.duties:
            for svc, share in paid_s_by_service(d):
                weight[svc] += share * staffing.operating_days.get(svc, 0.0)
        total_w = sum(weight.values())
        out[str(r.role)] = {s: r.fte * w / total_w for s, w in weight.items()} if total_w > 0 else {}
    return out


def _shares(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items() if v > 0} if total > 0 else {}


def _item_shares(
    item: CostItem, log: EventLog, staffing: Staffing, days: Mapping[str, float], kinds: Mapping[str, str]
) -> dict[str, float]:
    """Share of a cost item belonging to each service (sums to 1, or empty if nobody uses it)."""
    category, _, rest = item.term.partition(":")
    if category == "staff":
        return _shares(role_fte_by_service(staffing).get(rest, {}))
    if category == "vehicles":
        return _shares(_count(log, lambda v: v.vehicle_type == rest))
    if category in ("energy", "maintenance"):
        return {rest.split(":")[0]: 1.0}
    if rest == "control_room":
        return _shares(_count(log, lambda v: v.automation == "level4_remote"))
    if rest == "av_system":
        return _shares(_count(log, lambda v: v.automation != "human"))
    if rest == "drt_system":
        return _shares({s: 1.0 for s, k in kinds.items() if k == "drt" and any(v.service == s for v in log.vehicles)})
    km: dict[str, float] = defaultdict(float)
    for v in log.vehicles:
        km[v.service] += v.km * days.get(v.service, 0.0)
    return _shares(km)


def _count(log: EventLog, keep: Any) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for v in log.vehicles:
        if keep(v):
            out[v.service] += 1.0
    return out


def split_public_funding(cost: float, fares: float, national: float, prefecture: float) -> tuple[float, float, float, float]:
    """``(public, national, prefecture, city)`` yen a year: public = max(0, cost − fares); the
    national and prefectural amounts are limited to what is left of it; the city pays the rest."""
    public = max(0.0, cost - fares)
    national = min(national, public)
    prefecture = min(prefecture, public - national)
    return public, national, prefecture, public - national - prefecture


def national_amount(amounts: Mapping[str, float], shares: Mapping[str, float], cap: float) -> float:
    """National funding of cost items ``amounts`` (funding item -> yen a year) at ``shares``, capped at ``cap``."""
    return min(cap, sum(v * shares.get(k, 0.0) for k, v in amounts.items()))


def _row(
    scope: str, riders_day: float, riders_year: float, fares: float, cost: float, national: float, prefecture: float,
    population: float,
) -> CouncilKpis:
    public, national, prefecture, city = split_public_funding(cost, fares, national, prefecture)
    return CouncilKpis(
        scope=scope,
        riders_per_day=riders_day,
        riders_per_year=riders_year,
        fare_revenue_yen_per_year=fares,
        annual_cost_yen=cost,
        farebox_ratio=fares / cost if cost > 0 else None,
        public_funding_yen_per_year=public,
        national_funding_yen_per_year=national,
        prefecture_funding_yen_per_year=prefecture,
        city_burden_yen_per_year=city,
        burden_per_resident_yen=city / population,
        burden_per_rider_yen=city / riders_year if riders_year > 0 else None,
    )


def compute_funding(log: EventLog, scenario: Scenario, staffing: Staffing, costs: Costs) -> Funding:
    """The KPI table of ``scenario`` and of each of its services (see the module docstring)."""
    sub = scenario.costs.subsidy
    population = scenario.demand.population_total
    days = staffing.operating_days
    default_days = max(days.values(), default=0.0)
    kinds = {name: str(getattr(svc, "kind", "drt")) for name, svc in scenario.services.items()}
    automated = frozenset(n for n, vt in scenario.vehicles.items() if vt.automation != "human")
    names = sorted({v.service for v in log.vehicles} | {s for r in log.requests if r.service for s in r.service.split("+")})
    cost = dict.fromkeys(names, 0.0)
    nat = dict.fromkeys(names, 0.0)
    pref = dict.fromkeys(names, 0.0)
    for item in costs.items:
        key = funding_item(item, automated)
        for svc, share in _item_shares(item, log, staffing, days, kinds).items():
            part = item.yen_per_year * share
            cost[svc] = cost.get(svc, 0.0) + part
            nat[svc] = nat.get(svc, 0.0) + part * sub.national_share.get(key, 0.0)
            pref[svc] = pref.get(svc, 0.0) + part * sub.prefecture_share.get(key, 0.0)
    fares = dict.fromkeys(cost, 0.0)
    day_riders = dict.fromkeys(cost, 0.0)
    year_riders = dict.fromkeys(cost, 0.0)
    for req in log.requests:
        if req.outcome is not Outcome.SERVED or not req.service:
            continue
        used = req.service.split("+")
        d = min((days[s] for s in used if s in days), default=default_days)
        for s in used:
            fares[s] = fares.get(s, 0.0) + req.fare_yen * d / len(used)
            day_riders[s] = day_riders.get(s, 0.0) + req.party_size
            year_riders[s] = year_riders.get(s, 0.0) + req.party_size * d
    uncapped = sum(nat.values())
    scale = min(1.0, sub.national_cap_yen_per_year / uncapped) if uncapped > 0 else 1.0
    served = sum(r.party_size for r in log.requests if r.outcome is Outcome.SERVED)
    total = _row(
        "total", float(served), costs.trips_per_year, costs.fare_revenue_yen_per_year, costs.total_yen,
        uncapped * scale, sum(pref.values()), population,
    )
    rows = tuple(
        _row(s, day_riders.get(s, 0.0), year_riders.get(s, 0.0), fares.get(s, 0.0), cost[s], nat[s] * scale, pref[s], population)
        for s in sorted(cost)
    )
    return Funding(total, rows, population)


__all__ = [
    "FUNDING_KPI_KEYS", "CouncilKpis", "Funding", "compute_funding", "funding_item", "national_amount", "role_fte_by_service",
    "split_public_funding",
]
