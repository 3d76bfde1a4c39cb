"""The KPI registry: one typed record per key performance indicator, read by every layer.

Each :class:`Kpi` states the key as it appears in ``metrics.json`` (``name``), its unit, which
direction is better, its physical bounds ``(lo, hi)`` (a rate lies in [0, 1], a count is ≥ 0;
``None`` = unbounded on that side), its labels in English and Japanese, and how it is shown
(``kind`` picks the display unit and ``decimals`` the digits in that unit).

Who reads it: :mod:`sim.model.metrics`, :mod:`sim.staffing.duties` and :mod:`sim.staffing.costs`
take their key lists from it (:func:`names`); the study engine checks KPI names and clips
confidence intervals with it (:func:`clip_interval`); the CLI tables and the reports take labels,
units and "better" from it. It sits on the **ground floor** (it imports nothing from the
project), so every layer, the model included, may read it.

Adding a KPI is one line in :data:`REGISTRY` (plus the code that computes it): tables, study
checks, interval clipping and report labels follow from the record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Better(StrEnum):
    """Which direction of a KPI is better (``NEITHER``: descriptive, no best is marked)."""

    LOWER = "lower"
    HIGHER = "higher"
    NEITHER = "neither"


class Group(StrEnum):
    """Where a KPI is computed: the model's event log, the behavioural demand (written only by runs
    with ``demand.model = "behavioural"``), the staffing step or the cost step."""

    MODEL = "model"  # sim/model/metrics.py
    DEMAND = "demand"  # sim/run/behaviour_outputs.py (behavioural demand only)
    STAFFING = "staffing"  # sim/staffing/duties.py
    COST = "cost"  # sim/staffing/costs.py
    COUNCIL = "council"  # the 地域公共交通計画 KPI table: sim/staffing/funding.py, emissions.py, sim/model/coverage.py, headcounts
    REMOTE = "remote"  # sim/model/remote.py: only in runs with a [remote_ops] control room
    ENERGY = "energy"  # sim/model/energy.py: only in runs with vehicles that have a range_km
    AVAILABILITY = "availability"  # sim/model/availability.py: only with a control room or batteries


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI.

    Attributes
    ----------
    name
        Key in ``metrics.json`` (and column of every table).
    unit
        Unit of the stored value: ``s``, ``m``, ``km``, ``h``, ``1`` (a ratio), ``count``, ``FTE``,
        ``yen``, ``yen/year``, ``count/year``, ``pax/h``, ``h/pax``.
    better
        Which direction is better.
    lo, hi
        Physical bounds of the value (``None``: unbounded). Confidence intervals are clipped to them.
    en, ja
        Labels in English and Japanese.
    kind
        Display kind: ``min`` (seconds shown in minutes), ``pct`` (a share shown in %), ``yen``,
        ``int``, ``fte``, ``m``, ``km``, ``h``, ``x`` (a plain number).
    decimals
        Digits after the point in the display unit.
    group
        Which step computes it.
    per_service
        Whether each ``per_service`` entry of ``metrics.json`` has it too.
    aliases
        Other names of the same KPI in older result files and in the report (``staff_fte``).
    """

    name: str
    unit: str
    better: Better
    lo: float | None
    hi: float | None
    en: str
    ja: str
    kind: str
    decimals: int
    group: Group
    per_service: bool = False
    aliases: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``ja``: Japanese, anything else: English)."""
        return self.ja if lang == "ja" else self.en

    def clip(self, value: float) -> float:
        """``value`` moved inside the physical bounds (nan stays nan)."""
        if math.isnan(value):
            return value
        if self.lo is not None and value < self.lo:
            return self.lo
        if self.hi is not None and value > self.hi:
            return self.hi
        return value


_L, _H, _N = Better.LOWER, Better.HIGHER, Better.NEITHER
_M, _D, _S, _C, _R, _E, _T = Group.MODEL, Group.DEMAND, Group.STAFFING, Group.COST, Group.REMOTE, Group.ENERGY, Group.COUNCIL
#: Groups whose KPIs a run writes only when it uses the feature (the rest are always written).
OPTIONAL_GROUPS: frozenset[Group] = frozenset({Group.DEMAND, Group.REMOTE, Group.ENERGY, Group.AVAILABILITY})
_A = Group.AVAILABILITY
_POS: float = 0.0

#: Every KPI, in table order (``metrics.json`` order): the model's, the control room's, the behavioural
#: demand's, staffing, then costs.
REGISTRY: tuple[Kpi, ...] = (
    Kpi("requests_total", "count", _N, _POS, None, "Trip requests", "乗車予約数", "int", 0, _M, True),
    Kpi("requests_served", "count", _H, _POS, None, "Requests served", "対応した予約数", "int", 0, _M, True),
    Kpi("requests_rejected", "count", _L, _POS, None, "Requests rejected", "不成立の予約数", "int", 0, _M, True),
    Kpi("rejection_rate", "1", _L, 0.0, 1.0, "Rejection rate", "不成立率", "pct", 1, _M, True),
    Kpi("passengers_served", "count", _H, _POS, None, "Passengers carried", "輸送人員", "int", 0, _M, True),
    Kpi("wait_mean_s", "s", _L, _POS, None, "Mean wait", "平均待ち時間", "min", 1, _M, True),
    Kpi("wait_p50_s", "s", _L, _POS, None, "Median wait", "待ち時間（中央値）", "min", 1, _M, True),
    Kpi("wait_p90_s", "s", _L, _POS, None, "90th-percentile wait", "待ち時間（90パーセンタイル）", "min", 1, _M, True),
    Kpi("wait_p95_s", "s", _L, _POS, None, "95th-percentile wait", "待ち時間（95パーセンタイル）", "min", 1, _M, True),
    Kpi("ride_mean_s", "s", _L, _POS, None, "Mean ride time", "平均乗車時間", "min", 1, _M, True),
    Kpi("detour_mean", "1", _L, _POS, None, "Detour (ride ÷ direct drive)", "迂回率（乗車時間÷直行時間）", "x", 2, _M, True),
    Kpi("walk_mean_m", "m", _L, _POS, None, "Mean walk to and from stops", "乗降場所までの平均徒歩距離", "m", 0, _M, True),
    Kpi("transfers", "count", _N, _POS, None, "Transfers", "乗り継ぎ回数", "int", 0, _M, True),
    Kpi("vehicles", "count", _N, _POS, None, "Vehicles", "車両数", "int", 0, _M, True),
    Kpi("vehicle_km", "km", _N, _POS, None, "Vehicle-km per day", "1日の走行距離（台キロ）", "km", 0, _M, True),
    Kpi("empty_km_share", "1", _L, 0.0, 1.0, "Empty running share", "空車走行の割合", "pct", 1, _M, True),
    Kpi("vehicle_hours", "h", _N, _POS, None, "Vehicle-hours per day", "1日の稼働時間（台時間）", "h", 1, _M, True),
    Kpi("passengers_per_vehicle_hour", "pax/h", _H, _POS, None, "Passengers per vehicle-hour", "1台1時間あたり輸送人員", "x", 2, _M, True),
    Kpi("occupancy_mean", "1", _H, _POS, None, "Mean occupancy (pax-km ÷ veh-km)", "平均乗車人数（人キロ÷台キロ）", "x", 2, _M, True),
    Kpi("fare_revenue_yen", "yen", _H, _POS, None, "Fare revenue per day", "1日の運賃収入", "yen", 0, _M, True),
    # issue 11: promises kept, line punctuality, riders who drop out, rebalancing
    Kpi("promised_legs", "count", _N, _POS, None, "DRT legs with a promise", "予約時刻を約束した乗車区間数", "int", 0, _M, True),
    Kpi("promise_breaches", "count", _L, _POS, None, "Promises broken", "約束時刻を守れなかった乗車区間数", "int", 0, _M, True),
    Kpi("pickup_late_mean_s", "s", _L, _POS, None, "Mean pickup delay against the quote", "予約時刻からの平均お迎え遅れ", "min", 1, _M, True),
    Kpi("line_late_mean_s", "s", _L, _POS, None, "Mean line delay against the timetable", "路線の時刻表からの平均遅れ", "min", 1, _M, True),
    Kpi("line_on_time_share", "1", _H, 0.0, 1.0, "Line boardings on time (≤ 5 min late)", "路線の定時乗車率（5分以内の遅れ）", "pct", 1, _M, True),
    Kpi("cancellations", "count", _N, _POS, None, "Cancellations", "予約の取消し数", "int", 0, _M, True),
    Kpi("no_shows", "count", _N, _POS, None, "No-shows", "無断不乗車数", "int", 0, _M, True),
    Kpi("rebalancing_km", "km", _N, _POS, None, "Rebalancing km per day", "1日の回送距離（配車準備）", "km", 1, _M, True),
    Kpi("incidents", "count", _L, _POS, None, "Incidents of supervised vehicles", "遠隔監視車両の介入事象数", "int", 0, _R),
    Kpi("incidents_field", "count", _L, _POS, None, "of which needing field staff", "うち現場対応が必要な事象", "int", 0, _R),
    Kpi("incident_wait_mean_s", "s", _L, _POS, None, "Mean incident wait for an operator", "介入事象の平均待ち時間（遠隔監視員）", "min", 1, _R),
    Kpi("incident_wait_p95_s", "s", _L, _POS, None, "95th-percentile incident wait", "介入事象の待ち時間（95パーセンタイル）", "min", 1, _R),
    Kpi("field_wait_mean_s", "s", _L, _POS, None, "Mean wait for field staff", "現場対応要員の平均到着待ち", "min", 1, _R),
    Kpi("field_wait_p95_s", "s", _L, _POS, None, "95th-percentile wait for field staff", "現場対応要員の到着待ち（95パーセンタイル）", "min", 1, _R),
    Kpi("operator_utilisation", "1", _N, 0.0, 1.0, "Remote operator utilisation", "遠隔監視員の稼働率", "pct", 1, _R),
    Kpi("vehicles_held", "count", _L, _POS, None, "Vehicles held for lack of supervision", "監視枠不足で待機した車両", "int", 0, _R),
    Kpi("vehicle_hold_s", "s", _L, _POS, None, "Time vehicles were held", "監視枠不足による待機時間", "min", 1, _R),
    Kpi("remote_operators", "count", _N, _POS, None, "Remote operators on duty", "遠隔監視員（同時配置）", "int", 0, _R),
    Kpi("field_staff", "count", _N, _POS, None, "Field staff on duty", "現場対応要員（同時配置）", "int", 0, _R),
    Kpi("charging_h", "h", _N, _POS, None, "Vehicle-hours charging at the depot", "車両の充電時間（台時間）", "h", 1, _E),
    Kpi("layover_charging_h", "h", _N, _POS, None, "Vehicle-hours charging during layovers", "折返し時の充電時間（台時間）", "h", 1, _E),
    Kpi("battery_swaps", "count", _N, _POS, None, "Changes of vehicle to charge", "充電のための車両交代回数", "int", 0, _E),
    Kpi("spare_vehicles", "count", _N, _POS, None, "Spare vehicles for charging", "充電用の予備車両", "int", 0, _E),
    Kpi("spare_vehicles_used", "count", _N, _POS, None, "Spare vehicles used", "使用した予備車両", "int", 0, _E),
    Kpi("min_charge_km", "km", _H, None, None, "Lowest remaining range", "最小残り航続距離", "km", 1, _E),
    Kpi("service_availability", "1", _H, 0.0, 1.0, "Service availability (planned vehicle-hours operated)", "運行率（計画車両時間のうち運行）", "pct", 1, _A),
    Kpi("availability_lost_incidents_h", "h", _L, _POS, None, "Vehicle-hours lost to incidents", "介入事象による運休車両時間", "h", 1, _A),
    Kpi("availability_lost_supervision_h", "h", _L, _POS, None, "Vehicle-hours lost for lack of supervision", "監視枠不足による運休車両時間", "h", 1, _A),
    Kpi("availability_lost_charging_h", "h", _L, _POS, None, "Vehicle-hours lost to charging", "充電による運休車両時間", "h", 1, _A),
    Kpi("trips_total", "count", _N, _POS, None, "Trips of residents (all modes)", "住民の移動数（全手段）", "int", 0, _D),
    Kpi("pt_share", "1", _H, 0.0, 1.0, "Public-transport share of trips", "公共交通の分担率", "pct", 2, _D),
    Kpi("unmet_trips", "count", _L, _POS, None, "Unmet public-transport demand (trips)", "満たされない公共交通需要（移動数）", "int", 0, _D),
    Kpi("riders_per_line_trip", "1", _N, _POS, None, "Riders per line trip", "路線1便あたり利用者数", "x", 2, _D),
    Kpi("line_riders_65plus_share", "1", _N, 0.0, 1.0, "Share of line riders aged 65+", "路線利用者のうち65歳以上の割合", "pct", 1, _D),
    Kpi("annual_service_availability", "1", _H, 0.0, 1.0, "Service availability over the year (suspended days included)", "年間運行率（運休日を含む）", "pct", 1, _A),
    Kpi("drivers_fte", "FTE", _L, _POS, None, "Drivers needed (FTE)", "必要運転士数（常勤換算）", "fte", 1, _S, True),
    Kpi("class2_drivers_fte", "FTE", _N, _POS, None, "of which drivers with a class-2 licence (FTE)", "うち二種免許の運転士（常勤換算）", "fte", 1, _S, True),
    Kpi("attendants_fte", "FTE", _N, _POS, None, "Attendants on board (FTE)", "車内添乗員（常勤換算）", "fte", 1, _S, True),
    Kpi("remote_operators_fte", "FTE", _N, _POS, None, "Remote operators (FTE)", "遠隔監視員（常勤換算）", "fte", 1, _S, True),
    Kpi("field_staff_fte", "FTE", _N, _POS, None, "Field response staff (FTE)", "現場対応要員（常勤換算）", "fte", 1, _S, True),
    Kpi("booking_staff_fte", "FTE", _N, _POS, None, "Booking staff (FTE)", "予約受付（常勤換算）", "fte", 1, _S, True),
    Kpi("staff_fte_total", "FTE", _L, _POS, None, "Staff needed, all roles (FTE)", "必要人員・全職種（常勤換算）", "fte", 1, _S, True, ("staff_fte", "total_fte")),
    Kpi("duties_per_day", "count", _N, _POS, None, "Duties per day", "1日の勤務数", "int", 0, _S),
    Kpi("staff_hours_per_day", "h", _N, _POS, None, "Staff hours per day", "1日の総勤務時間", "h", 1, _S, True),
    Kpi("staff_hours_per_passenger", "h/pax", _L, _POS, None, "Staff hours per passenger", "乗客1人あたり勤務時間", "h", 2, _S),
    Kpi("duty_rule_violations", "count", _L, _POS, None, "Duties breaking working-time rules", "労働時間規制に反する勤務", "int", 0, _S),
    Kpi("annual_cost_yen", "yen/year", _L, _POS, None, "Annual cost", "年間経費", "yen", 0, _C, True, ("annual_cost", "total_cost_yen_per_year")),
    Kpi("staff_cost_yen_per_year", "yen/year", _N, _POS, None, "Staff cost per year", "年間人件費", "yen", 0, _C),
    Kpi("vehicle_cost_yen_per_year", "yen/year", _N, _POS, None, "Vehicle cost per year", "年間車両費", "yen", 0, _C),
    Kpi("running_cost_yen_per_year", "yen/year", _N, _POS, None, "Energy and maintenance per year", "年間燃料・整備費", "yen", 0, _C),
    Kpi("fixed_cost_yen_per_year", "yen/year", _N, _POS, None, "Fixed costs per year", "年間固定費", "yen", 0, _C),
    Kpi("fare_revenue_yen_per_year", "yen/year", _H, _POS, None, "Annual fare revenue", "年間運賃収入", "yen", 0, _C, True, ("annual_fare_revenue_yen", "annual_revenue_yen")),
    Kpi("subsidy_yen_per_year", "yen/year", _L, None, None, "Annual public funding (cost − fares)", "年間の公的資金投入額（経費−運賃）", "yen", 0, _C, False, ("annual_subsidy_yen", "subsidy_yen")),
    Kpi("trips_per_year", "count/year", _N, _POS, None, "Trips per year", "年間利用回数", "int", 0, _C),
    Kpi("cost_per_trip_yen", "yen", _L, _POS, None, "Cost per trip", "利用1回あたり経費", "yen", 0, _C, False, ("cost_per_passenger_yen",)),
    Kpi("subsidy_per_trip_yen", "yen", _L, None, None, "Subsidy per trip", "利用1回あたり市負担額", "yen", 0, _C, False, ("subsidy_per_passenger_yen",)),
    Kpi("staff_cost_per_trip_yen", "yen", _L, _POS, None, "Staff cost per trip", "利用1回あたり人件費", "yen", 0, _C),
    Kpi("cost_per_vehicle_km_yen", "yen", _L, _POS, None, "Cost per vehicle-km", "1台キロあたり経費", "yen", 0, _C),
    Kpi("farebox_ratio", "1", _H, _POS, None, "Farebox ratio (fares ÷ cost)", "収支率（運賃収入÷運行経費）", "pct", 1, _C, True),
    Kpi("staff_headcount", "count", _L, _POS, None, "Staff needed, all roles (people)", "必要人員・全職種（実人数）", "int", 0, _T),
    Kpi("drivers_headcount", "count", _L, _POS, None, "Drivers needed (people)", "必要運転士数（実人数）", "int", 0, _T),
    Kpi("riders_per_day", "count", _H, _POS, None, "Riders a day", "利用者数（1日）", "int", 0, _T, True),
    Kpi("riders_per_year", "count/year", _H, _POS, None, "Riders a year", "利用者数（年間）", "int", 0, _T, True),
    Kpi("public_funding_yen_per_year", "yen/year", _L, _POS, None, "Public funding a year (cost − fares)", "公的資金投入額（年間）", "yen", 0, _T, True),
    Kpi("national_funding_yen_per_year", "yen/year", _N, _POS, None, "of which national government", "うち国の補助", "yen", 0, _T, True),
    Kpi("prefecture_funding_yen_per_year", "yen/year", _N, _POS, None, "of which prefecture", "うち県の補助", "yen", 0, _T, True),
    Kpi("city_burden_yen_per_year", "yen/year", _L, _POS, None, "City's own burden a year", "市の負担額（年間）", "yen", 0, _T, True),
    Kpi("burden_per_resident_yen", "yen/year", _L, _POS, None, "City burden per resident a year", "市民一人当たり行政負担額（年間）", "yen", 0, _T, True),
    Kpi("burden_per_rider_yen", "yen", _L, _POS, None, "City burden per rider", "利用者一人当たり行政負担額", "yen", 0, _T, True),
    Kpi("population_coverage_share_300m", "1", _H, 0.0, 1.0, "Population within 300 m of a running service", "人口カバー率（300 m圏）", "pct", 1, _T),
    Kpi("population_coverage_share_500m", "1", _H, 0.0, 1.0, "Population within 500 m of a running service", "人口カバー率（500 m圏）", "pct", 1, _T),
    Kpi("population_without_service", "count", _L, _POS, None, "Residents without service (beyond 500 m)", "交通空白地人口（500 m圏外）", "int", 0, _T),
    Kpi("coverage_65plus_share_500m", "1", _H, 0.0, 1.0, "Residents aged 65+ within 500 m", "65歳以上人口カバー率（500 m圏）", "pct", 1, _T),
    Kpi("co2_t_per_year", "t/year", _L, _POS, None, "Vehicle CO₂ a year (t)", "車両のCO₂排出量（t/年）", "x", 1, _T, True),
)

_BY_NAME: dict[str, Kpi] = {k.name: k for k in REGISTRY}
_BY_ALIAS: dict[str, Kpi] = {a: k for k in REGISTRY for a in k.aliases}


def names(group: Group | None = None, *, per_service: bool = False) -> tuple[str, ...]:
    """KPI names in registry order (only ``group`` if given; only per-service KPIs if ``per_service``)."""
    return tuple(k.name for k in REGISTRY if (group is None or k.group == group) and (k.per_service or not per_service))


def get(name: str) -> Kpi | None:
    """The record of ``name``: a registry name, an alias, or ``SERVICE.KPI`` (a service's own KPI)."""
    found = _BY_NAME.get(name) or _BY_ALIAS.get(name)
    if found is None and "." in name:
        found = _BY_NAME.get(name.rpartition(".")[2])
    return found


def bounds(name: str) -> tuple[float | None, float | None]:
    """Physical bounds ``(lo, hi)`` of KPI ``name`` (``(None, None)`` when it is not in the registry)."""
    k = get(name)
    return (None, None) if k is None else (k.lo, k.hi)


def clip_interval(name: str, low: float, high: float) -> tuple[float, float]:
    """A confidence interval ``(low, high)`` of KPI ``name`` clipped to its physical bounds.

    A Student-t interval is symmetric and can reach past a bound (a rejection rate below 0); the
    clipped interval is what every output (CSV, terminal, report) shows. Unknown KPIs are left as
    they are; nan stays nan.
    """
    k = get(name)
    if k is None:
        return low, high
    return k.clip(low), k.clip(high)


__all__ = ["REGISTRY", "Better", "Group", "Kpi", "bounds", "clip_interval", "get", "names"]
