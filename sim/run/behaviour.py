"""The behavioural demand of a run: population, tours, mode choice, and the engine's answers.

``demand.model = "behavioural"``. Steps (units: seconds, metres, yen):

1. Residents (:mod:`sim.demand.population`) and their tours (:mod:`sim.demand.tours`) from the
   run's demand generator: the same persons, tours, times, destinations and taste draws in every
   scenario run with the same seed and demand settings (common random numbers).
2. Level of service of every alternative for both trips of every tour (:mod:`sim.model.skims`):
   walk, bicycle, car as driver, a lift, taxi, and each public-transport service the scenario
   builds (each DRT service, each line, autonomous ones included).
3. Tour mode choice (:mod:`sim.demand.modechoice`): the tour's utility of a mode is the sum over
   its two trips, so a tour uses one mode both ways. A public-transport alternative is available to
   a tour only if the service exists for both of its trips.
4. Only the tours that choose public transport are booked with the services (both trips, the
   outbound booked ahead with ``demand.prebooked_share``); the engine asks its dispatcher or
   timetable and may refuse. A refused outbound moves the whole tour to its next choice (the
   return follows); a refused return moves only the return (never to the car, which stayed home).
   Nobody is dropped: every trip ends with a mode, and ``trips.csv`` says why.
5. **Unmet demand**: a tour with no public-transport service for it, which would have chosen a
   reference door-to-door service (the DRT wait and ride estimates of
   :class:`~sim.model.skims.SkimParams`, fare ``latent_fare_yen``, the DRT constant) had one run,
   counts its two trips as unmet, by reason — ``no_service_at_time`` when a service covers both
   places at other hours or days, else ``no_service_in_area``. Those trips travel by their chosen
   mode; they are not requests and not rejections.

Private modes (ASSUMPTIONS, scenario keys under ``[demand.behaviour]``): walking at
``walk_speed_mps`` (1.3 m/s; residents aged 65+ at ``walk.speed_mps``) along the fastest road
path, time weighted ``walk_time_weight``; cycling at ``bike_speed_kmh``, weighted
``bike_time_weight``; car as driver (licence and a household car) the fastest drive plus
``car_extra_min`` (parking, walking to the car) and ``car_cost_yen_per_km``; a lift (someone in a
car household drives) the drive plus ``lift_extra_min``, free; taxi ``taxi_wait_min`` plus the
drive, fare ``taxi_flag_yen`` for ``taxi_flag_km`` then ``taxi_yen_per_km``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.demand.generate import Request
from sim.demand.modechoice import PRIVATE_MODES, keyed_gumbel, tour_choice, utilities
from sim.demand.population import Population, PopulationParams, synthesize
from sim.demand.tours import Places, TourParams, Tours, generate_tours
from sim.demand.zones import Attractor, Zone
from sim.model.choice import Weights
from sim.model.drt.simulation import WalkParams
from sim.model.eventlog import RejectReason
from sim.model.skims import (
    PtSkim,
    RoadSkim,
    SkimParams,
    TripEnd,
    TripPoints,
    combo_skim,
    drt_skim,
    drt_times,
    line_skim,
    road_skim,
)
from sim.scenario.behaviour import BehaviourConfig

if TYPE_CHECKING:
    from sim.model.engine import Planner
    from sim.network.graph import RoadNetwork

#: Kinds of public-transport alternatives (a DRT service, a line, a DRT ride and a line).
PT_KINDS: tuple[str, ...] = ("drt", "line", "drt+line")

#: Reasons of unmet demand (keys of ``metrics.json`` ``unmet_demand``).
UNMET_REASONS: tuple[str, ...] = ("no_service_at_time", "no_service_in_area")


@dataclass(slots=True)
class BehaviouralDay:
    """The day's residents, tours and choices, and the engine's screen (:class:`DemandScreen`).

    Trip ``k`` of tour ``t`` is the outbound (leg 0) or the return (leg 1). Arrays ``mode`` and
    ``why`` hold, per tour and leg, the index of the alternative finally used and why.
    """

    pop: Population
    tours: Tours
    places: Places
    alts: list[str]
    kinds: list[str]
    first: np.ndarray
    rank: np.ndarray
    mode: np.ndarray
    why: np.ndarray
    unmet: np.ndarray
    road_out: RoadSkim
    road_back: RoadSkim
    prebooked: np.ndarray
    lead_s: np.ndarray
    refusals: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    attempts: dict[tuple[int, int], int] = field(default_factory=dict)

    # -- the engine's screen ------------------------------------------------------------------
    @staticmethod
    def _parse(req: Request) -> tuple[int, int]:
        head = req.request_id.split("-")[0]
        return int(head[1:-1]), 0 if head[-1] == "o" else 1

    def is_pt(self, alt: int) -> bool:
        return self.kinds[alt] not in PRIVATE_MODES

    def skip(self, req: Request) -> bool:
        t, leg = self._parse(req)
        return not self.is_pt(int(self.mode[t, leg]))

    def allowed(self, req: Request) -> str | None:
        t, leg = self._parse(req)
        alt = int(self.mode[t, leg])
        if (
            leg == 1 and self.kinds[alt] == "drt+line"
        ):  # the return changes at the hub the other way
            return "+".join(reversed(self.alts[alt].split("+")))
        return self.alts[alt]

    def refused(
        self, req: Request, reason: RejectReason, retry: bool
    ) -> Request | None:
        t, leg = self._parse(req)
        gone = int(self.mode[t, leg])
        self.refusals.setdefault((t, leg), []).append(f"{self.alts[gone]}:{reason}")
        tried = {self.alts.index(s.split(":")[0]) for s in self.refusals[(t, leg)]}
        nxt = -1
        for alt in self.rank[t]:
            alt = int(alt)
            if alt in tried or not np.isfinite(self._v[t, alt]):
                continue
            if leg == 1 and self.kinds[alt] == "car":
                continue
            if self.is_pt(alt) and not retry:
                continue
            nxt = alt
            break
        if nxt < 0:
            nxt = self.alts.index("walk")
        legs = (0, 1) if leg == 0 else (1,)
        for k in legs:
            self.mode[t, k] = nxt
            self.why[t, k] = (
                "fallback_after_refusal"
                if k == leg
                else "tour_changed_after_outbound_refused"
            )
        if self.is_pt(nxt) and retry:
            n = self.attempts.get((t, leg), 0) + 1
            self.attempts[(t, leg)] = n
            return _request(self, t, leg, suffix=f"-{n}", now_s=req.request_time_s)
        return None

    _v: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


def _request(
    day: BehaviouralDay,
    t: int,
    leg: int,
    *,
    suffix: str = "",
    now_s: float | None = None,
) -> Request:
    tr, road = day.tours, (day.road_out if leg == 0 else day.road_back)
    desired = float(tr.out_s[t] if leg == 0 else tr.back_s[t])
    if now_s is not None:
        req_time = max(now_s, 0.0)
        desired = max(desired, req_time)
    elif leg == 0 and day.prebooked[t]:
        req_time = max(desired - float(day.lead_s[t]), 0.0)
    else:
        req_time = desired
    home = day.places.names[int(day.pop.town[tr.person[t]])]
    dest = day.places.names[int(tr.dest[t])]
    pts = [(tr.home_lat[t], tr.home_lon[t]), (tr.dest_lat[t], tr.dest_lon[t])]
    (ola, olo), (dla, dlo) = pts if leg == 0 else pts[::-1]
    return Request(
        f"T{t:06d}{'o' if leg == 0 else 'r'}{suffix}",
        req_time,
        desired,
        int(road.o_node[t]),
        int(road.d_node[t]),
        1,
        float(ola),
        float(olo),
        float(dla),
        float(dlo),
        home if leg == 0 else dest,
        dest if leg == 0 else home,
    )


def _points(net: RoadNetwork, tr: Tours) -> list[TripPoints]:
    """The outbound and return trips of every tour (the two ends shared, with their caches)."""
    home, dest = (
        TripEnd(net, tr.home_lat, tr.home_lon),
        TripEnd(net, tr.dest_lat, tr.dest_lon),
    )
    return [TripPoints(home, dest, tr.out_s), TripPoints(dest, home, tr.back_s)]


def _private_los(
    cfg: BehaviourConfig,
    road: RoadSkim,
    elderly: np.ndarray,
    elderly_walk_mps: float,
    detour: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Generalised minutes and fares (n, 5) of walk, bike, car, lift, taxi."""
    road_m = np.where(road.o_node == road.d_node, road.straight_m * detour, road.road_m)
    car_min = (
        np.where(road.o_node == road.d_node, road_m / (30 / 3.6), road.car_s) / 60.0
    )
    walk_mps = np.where(elderly, elderly_walk_mps, cfg.walk_speed_mps)
    walk = cfg.walk_time_weight * road_m / walk_mps / 60.0
    bike = cfg.bike_time_weight * road_m / (cfg.bike_speed_kmh / 3.6) / 60.0
    car = car_min + cfg.car_extra_min
    lift = car_min + cfg.lift_extra_min
    taxi = car_min + cfg.taxi_wait_min
    km = road_m / 1000.0
    taxi_fare = cfg.taxi_flag_yen + cfg.taxi_yen_per_km * np.maximum(
        0.0, km - cfg.taxi_flag_km
    )
    gen = np.column_stack([walk, bike, car, lift, taxi])
    fare = np.column_stack(
        [
            np.zeros_like(km),
            np.zeros_like(km),
            cfg.car_cost_yen_per_km * km,
            np.zeros_like(km),
            taxi_fare,
        ]
    )
    return gen, fare


def plan_day(
    *,
    cfg: BehaviourConfig,
    zones: list[Zone],
    attractors: list[Attractor],
    net: RoadNetwork,
    planner: Planner,
    walk: WalkParams,
    weights: Weights,
    jitter_m: float,
    prebooked_share: float,
    lead_range_s: tuple[float, float],
    rng: np.random.Generator,
    taste_seed: int,
) -> tuple[BehaviouralDay, list[Request]]:
    """Draw the day, choose modes, and return the screen and the public-transport requests."""
    pop = synthesize(
        zones,
        PopulationParams(
            tuple(cfg.age_shares),
            cfg.older_share_65plus,
            tuple(cfg.licence_by_age),
            cfg.car_share,
            tuple(cfg.lift_by_age),
        ),
        rng,
    )
    tours, places = generate_tours(
        pop,
        zones,
        attractors,
        TourParams(
            cfg.going_out_drive,
            cfg.going_out_no_drive,
            cfg.going_out_child,
            cfg.trip_rate,
            cfg.trip_rate_scale,
            jitter_m=jitter_m,
        ),
        rng,
    )
    n = tours.size
    prebooked = rng.random(n) < prebooked_share
    lead = np.round(rng.uniform(lead_range_s[0], lead_range_s[1], n))

    sp = SkimParams(
        weights,
        walk,
        cfg.home_wait_weight,
        cfg.drt_wait_min,
        cfg.drt_ride_factor,
        prebooked_share,
        planner.min_transfer_s,
    )
    person_age = pop.age[tours.person]
    elderly = person_age >= 2
    asc_all = cfg.constants()
    skims: list[tuple[PtSkim, PtSkim]] = []
    roads = []
    gens, fares = [], []
    pts = _points(net, tours)
    for leg in (0, 1):
        road = road_skim(net, pts[leg])
        roads.append(road)
        g, f = _private_los(cfg, road, elderly, walk.speed_mps, walk.detour_factor)
        gens.append(g)
        fares.append(f)
    drt_t = {svc.name: drt_times(svc, net) for svc in planner.drts}
    for svc in planner.drts:
        skims.append(
            (
                drt_skim(svc, net, pts[0], sp, drt_t[svc.name]),
                drt_skim(svc, net, pts[1], sp, drt_t[svc.name]),
            )
        )
    for line in planner.lines:
        skims.append(
            (
                line_skim(line.layout, net, pts[0], sp),
                line_skim(line.layout, net, pts[1], sp),
            )
        )
    for svc in (
        planner.drts
    ):  # a DRT ride and a line, changing at a hub; the return the other way round
        for line in planner.lines:
            for drt_first in (True, False):
                pair = (
                    combo_skim(
                        svc,
                        line.layout,
                        planner.hubs,
                        net,
                        pts[0],
                        sp,
                        drt_first=drt_first,
                        times=drt_t[svc.name],
                    ),
                    combo_skim(
                        svc,
                        line.layout,
                        planner.hubs,
                        net,
                        pts[1],
                        sp,
                        drt_first=not drt_first,
                        times=drt_t[svc.name],
                    ),
                )
                if (pair[0].available & pair[1].available).any():
                    skims.append(pair)

    alts = list(PRIVATE_MODES) + [s[0].name for s in skims]
    kinds = list(PRIVATE_MODES) + [s[0].kind for s in skims]
    drives = pop.drives[tours.person]
    lift = pop.lift[tours.person]
    avail_private = np.column_stack(
        [np.ones(n, bool), np.ones(n, bool), drives, lift, np.ones(n, bool)]
    )
    pt_avail = [s[0].available & s[1].available for s in skims]
    avail = np.column_stack([avail_private, *pt_avail]) if skims else avail_private
    asc_all["drt+line"] = (
        asc_all["drt"] + asc_all["line"]
    ) / 2.0  # ASSUMPTION: no target of its own
    asc = np.array([asc_all[k] for k in kinds], dtype=float)
    asc_rows = np.tile(asc, (n, 1))
    if skims:
        asc_rows[:, len(PRIVATE_MODES) :] += np.where(
            elderly, asc_all["pt_elderly"], 0.0
        )[:, None]
    v_legs = []
    for leg in (0, 1):
        g = np.column_stack(
            [gens[leg], *[np.nan_to_num(s[leg].gen_min, nan=0.0) for s in skims]]
        )
        f = np.column_stack([fares[leg], *[s[leg].fare_yen for s in skims]])
        v_legs.append(
            utilities(
                asc_rows / 2.0,
                g,
                f,
                avail,
                beta_time=cfg.beta_time,
                value_of_time_yen_per_min=cfg.value_of_time_yen_per_min,
            )
        )
    v, rank = tour_choice(v_legs[0], v_legs[1], taste_seed, alts)
    first = rank[:, 0].copy()

    # latent demand: tours without any public transport that would take a reference service
    any_pt = np.column_stack(pt_avail).any(axis=1) if skims else np.zeros(n, bool)
    covered = np.zeros(n, bool)
    for s_out, s_back in skims:
        covered |= s_out.covers_place & s_back.covers_place
    latent = np.zeros(n)
    for leg in (0, 1):
        road = roads[leg]
        car_min = road.car_s / 60.0
        gap = cfg.drt_wait_min
        at_stop = (
            prebooked_share * min(gap, weights.buffer_s / 60.0)
            + (1 - prebooked_share) * gap
        )
        gen = (
            weights.wait * at_stop
            + cfg.home_wait_weight * (gap - at_stop)
            + car_min * cfg.drt_ride_factor
        )
        latent += (
            asc_all["drt"] + np.where(elderly, asc_all["pt_elderly"], 0.0)
        ) / 2.0 + cfg.beta_time * (
            gen + cfg.latent_fare_yen / cfg.value_of_time_yen_per_min
        )
    eps_latent = keyed_gumbel(taste_seed, "(latent public transport)", n)
    best = np.max(
        np.where(np.isfinite(v), v, -np.inf) + _eps(taste_seed, alts, n), axis=1
    )
    wants = (~any_pt) & (latent + eps_latent > best)
    unmet = np.where(wants, np.where(covered, 1, 2), 0).astype(
        np.int8
    )  # 1 time, 2 area

    mode = np.column_stack([first, first]).astype(np.int64)
    why = np.full((n, 2), "chosen", dtype=object)
    day = BehaviouralDay(
        pop,
        tours,
        places,
        alts,
        kinds,
        first,
        rank,
        mode,
        why,
        unmet,
        roads[0],
        roads[1],
        prebooked,
        lead,
    )
    day._v = v
    is_pt_alt = np.array([day.is_pt(k) for k in range(len(alts))])
    pt_tours = np.flatnonzero(is_pt_alt[first])
    requests = [_request(day, int(t), leg) for t in pt_tours for leg in (0, 1)]
    requests.sort(key=lambda r: (r.request_time_s, r.earliest_pickup_s, r.request_id))
    return day, requests


def _eps(seed: int, alts: list[str], n: int) -> np.ndarray:
    return np.column_stack([keyed_gumbel(seed, a, n) for a in alts])
