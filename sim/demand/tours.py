"""Tours of the synthetic residents: who goes out, why, where to and when (arrays, seconds, metres).

A tour is home → destination → home: two trips, the outbound and the return of the same tour
(a rider taken to hospital must get back). Every array has one entry per tour.

Model (sources from PARAMETERS.md "Travel behaviour"; the rest ASSUMPTION, scenario keys under
``[demand.behaviour]``):

* **going out** — a resident who can drive (licence and a car) goes out with probability
  ``going_out_drive`` = 0.775, one who cannot with ``going_out_no_drive`` = 0.449 (Gunma PT 2015);
  children 0–14 ``going_out_child`` = 0.85 (ASSUMPTION: a school day).
* **tours per person** — everyone who goes out makes one tour, and a second with the probability
  that brings the mean to ``trip_rate × trip_rate_scale`` trips per resident (2.18 trips per person
  per day, MLIT 全国都市交通特性調査 2015, regional cities); if one second tour each is not enough
  the going-out probabilities are scaled up (capped at 1).
* **purpose** — first tour by age band (:data:`DEFAULT_PURPOSE_SHARES`, ASSUMPTION shaped by the
  sourced facts that elderly trips are mostly private — shopping, hospital, errands — with few
  commutes, MLIT 2023 / Osaka PT); second tours draw only shopping, hospital and errands.
* **destination** — among the towns and key places, ∝ attraction × exp(−distance / decay), the
  attraction of a purpose being a pull per 1,000 residents of a town plus a pull per unit of a key
  place's weight by kind (:data:`TOWN_PULL`, :data:`KIND_PULL`, :data:`DECAY_KM`: ASSUMPTIONS).
* **times** — work departs N(07:45, 30 min), school N(07:36, 15 min); other purposes of residents
  aged 65+ follow two peaks, 60 % N(09:45, 45 min) and 40 % N(13:45, 45 min), avoiding the rush
  hours (Toyama PT paper 2004: two peaks, rush avoided); other purposes of younger residents
  N(11:00, 2.5 h). The return leaves after the activity (:data:`DURATION_H`) plus a 15-minute
  travel allowance. A second tour leaves 0.5–2.5 h after the first return. Times are whole seconds,
  departures within 05:00–21:00.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from sim.demand.population import AGE_BANDS, Population
from sim.demand.zones import Attractor, Zone, haversine_m
from sim.errors import DemandError

#: Tour purposes (labels used in outputs).
PURPOSES: tuple[str, ...] = ("work", "school", "shopping", "hospital", "errands")

#: First-tour purpose shares per age band (rows: AGE_BANDS; columns: PURPOSES). ASSUMPTION.
DEFAULT_PURPOSE_SHARES: tuple[tuple[float, ...], ...] = (
    (0.00, 0.85, 0.05, 0.03, 0.07),
    (0.60, 0.05, 0.17, 0.05, 0.13),
    (0.20, 0.00, 0.35, 0.20, 0.25),
    (0.05, 0.00, 0.35, 0.30, 0.30),
)

#: Pull of a town per 1,000 residents, by purpose. ASSUMPTION.
TOWN_PULL: Mapping[str, float] = MappingProxyType(
    {"work": 1.0, "school": 1.0, "shopping": 0.2, "hospital": 0.0, "errands": 0.5}
)

#: Pull per unit of a key place's attractor weight, by purpose and place kind. ASSUMPTION.
KIND_PULL: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "work": {"rail_station": 2.0, "public": 0.5, "hospital": 0.5, "shopping": 0.5},
        "school": {},
        "shopping": {"shopping": 2.0},
        "hospital": {"hospital": 1.0, "clinic": 1.0},
        "errands": {
            "public": 1.0,
            "community_center": 1.0,
            "rail_station": 0.5,
            "bus_terminal": 0.5,
            "leisure": 1.0,
        },
    }
)

#: Distance decay of destination choice (km), by purpose. ASSUMPTION.
DECAY_KM: Mapping[str, float] = MappingProxyType(
    {"work": 6.0, "school": 1.5, "shopping": 4.0, "hospital": 6.0, "errands": 3.0}
)

#: Activity duration (hours): (low, high) of a uniform draw, by purpose. ASSUMPTION.
DURATION_H: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "work": (8.0, 10.0),
        "school": (6.0, 7.0),
        "shopping": (0.5, 1.5),
        "hospital": (1.0, 3.0),
        "errands": (0.5, 2.5),
    }
)

_EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class TourParams:
    """Inputs of tour generation (probabilities in [0, 1], trips per person per day)."""

    going_out_drive: float = 0.775
    going_out_no_drive: float = 0.449
    going_out_child: float = 0.85
    trip_rate: float = 2.18
    trip_rate_scale: float = 1.0
    purpose_shares: tuple[tuple[float, ...], ...] = DEFAULT_PURPOSE_SHARES
    jitter_m: float = 150.0

    def __post_init__(self) -> None:
        for key in ("going_out_drive", "going_out_no_drive", "going_out_child"):
            v = getattr(self, key)
            if not 0.0 <= v <= 1.0:
                raise DemandError(
                    f"demand.behaviour.{key}: {v!r} must be a probability in [0, 1]"
                )
        if not self.trip_rate * self.trip_rate_scale >= 0:
            raise DemandError(
                "demand.behaviour.trip_rate × trip_rate_scale must be >= 0"
            )
        ps = self.purpose_shares
        if len(ps) != len(AGE_BANDS) or any(
            len(r) != len(PURPOSES) or min(r) < 0 or sum(r) <= 0 for r in ps
        ):
            raise DemandError(
                f"demand.behaviour.purpose_shares: needs {len(AGE_BANDS)} rows (age bands) of "
                f"{len(PURPOSES)} non-negative weights ({', '.join(PURPOSES)})"
            )


@dataclass(frozen=True, slots=True)
class Places:
    """Where tours can go: the zones (towns) then the key places, as arrays."""

    names: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    n_zones: int

    @classmethod
    def of(cls, zones: Sequence[Zone], attractors: Sequence[Attractor]) -> Places:
        names = tuple(z.name for z in zones) + tuple(a.place_id for a in attractors)
        lat = np.array(
            [z.lat for z in zones] + [a.lat for a in attractors], dtype=float
        )
        lon = np.array(
            [z.lon for z in zones] + [a.lon for a in attractors], dtype=float
        )
        return cls(names, lat, lon, len(zones))


@dataclass(frozen=True, slots=True)
class Tours:
    """One entry per tour: home → ``dest`` → home.

    ``person`` indexes the population; ``dest`` indexes :class:`Places`; ``home_lat/lon`` and
    ``dest_lat/lon`` are the jittered end points (degrees); ``out_s`` and ``back_s`` are the desired
    departures of the outbound and return trips (whole seconds since midnight).
    """

    person: np.ndarray
    purpose: np.ndarray
    dest: np.ndarray
    home_lat: np.ndarray
    home_lon: np.ndarray
    dest_lat: np.ndarray
    dest_lon: np.ndarray
    out_s: np.ndarray
    back_s: np.ndarray

    @property
    def size(self) -> int:
        return int(self.person.size)


def _jitter(
    lat: np.ndarray, lon: np.ndarray, sd_m: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    dxy = rng.standard_normal((2, lat.size)) * sd_m
    deg = 180.0 / np.pi
    return (
        lat + dxy[1] / _EARTH_RADIUS_M * deg,
        lon + dxy[0] / (_EARTH_RADIUS_M * np.cos(np.radians(lat))) * deg,
    )


def attraction(
    purpose: str, zones: Sequence[Zone], attractors: Sequence[Attractor]
) -> np.ndarray:
    """Attraction of every place (zones then key places) for ``purpose`` (dimensionless)."""
    town = (
        np.array([z.population for z in zones], dtype=float)
        / 1000.0
        * TOWN_PULL[purpose]
    )
    pull = KIND_PULL[purpose]
    place = np.array(
        [a.weight * pull.get(a.kind, 0.0) for a in attractors], dtype=float
    )
    return np.concatenate([town, place])


def destination_cdf(
    zones: Sequence[Zone], attractors: Sequence[Attractor], places: Places
) -> np.ndarray:
    """Cumulative destination probabilities, shape (purposes, zones, places)."""
    d_km = (
        haversine_m(
            np.array([z.lat for z in zones])[:, None],
            np.array([z.lon for z in zones])[:, None],
            places.lat[None, :],
            places.lon[None, :],
        )
        / 1000.0
    )
    out = np.empty((len(PURPOSES), len(zones), places.lat.size))
    for p, name in enumerate(PURPOSES):
        w = attraction(name, zones, attractors)[None, :] * np.exp(
            -d_km / DECAY_KM[name]
        )
        total = w.sum(axis=1, keepdims=True)
        if not (total > 0).all():
            raise DemandError(
                f"tours: no destination attracts purpose {name!r}; check the key places"
            )
        out[p] = np.cumsum(w / total, axis=1)
    return out


def _clock_normal(
    rng: np.random.Generator, n: int, mean_h: float, sd_h: float
) -> np.ndarray:
    return (mean_h + sd_h * rng.standard_normal(n)) * 3600.0


def generate_tours(
    pop: Population,
    zones: Sequence[Zone],
    attractors: Sequence[Attractor],
    params: TourParams,
    rng: np.random.Generator,
) -> tuple[Tours, Places]:
    """Draw the tours of the day for every resident (see the module docstring)."""
    places = Places.of(zones, attractors)
    n = pop.size
    drives = pop.drives
    p_out = np.where(
        pop.age == 0,
        params.going_out_child,
        np.where(drives, params.going_out_drive, params.going_out_no_drive),
    )
    target = params.trip_rate * params.trip_rate_scale / 2.0  # tours per resident
    mean_out = float(p_out.mean()) if n else 0.0
    p_second = 0.0
    if mean_out > 0:
        p_second = target / mean_out - 1.0
        if p_second > 1.0:
            p_out = np.minimum(1.0, p_out * target / (2.0 * mean_out))
            p_second = 1.0
        p_second = max(0.0, p_second)
        if target < mean_out:  # fewer tours than goers: scale going out down
            p_out = p_out * target / mean_out
    goes = rng.random(n) < p_out
    second = goes & (rng.random(n) < p_second)
    person = np.concatenate([np.flatnonzero(goes), np.flatnonzero(second)]).astype(
        np.int64
    )
    first = np.concatenate(
        [np.ones(int(goes.sum()), bool), np.zeros(int(second.sum()), bool)]
    )
    age = pop.age[person]

    shares = np.asarray(params.purpose_shares, dtype=float)
    later = shares.copy()
    later[:, :2] = 0.0
    later[later.sum(axis=1) == 0, 2:] = 1.0
    cum_first = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    cum_later = np.cumsum(later / later.sum(axis=1, keepdims=True), axis=1)
    cum = np.where(first[:, None], cum_first[age], cum_later[age])
    u = rng.random(person.size)
    purpose = np.minimum((u[:, None] >= cum).sum(axis=1), len(PURPOSES) - 1).astype(
        np.int8
    )

    cdf = destination_cdf(zones, attractors, places)
    home = pop.town[person]
    u = rng.random(person.size)
    dest = np.empty(person.size, dtype=np.int64)
    for p in range(len(PURPOSES)):
        for z in np.unique(home[purpose == p]):
            sel = (purpose == p) & (home == z)
            dest[sel] = np.minimum(
                np.searchsorted(cdf[p, z], u[sel], side="right"), places.lat.size - 1
            )

    # home points: one per person (both tours start there); destination points: one per tour
    h_lat, h_lon = _jitter(
        places.lat[pop.town], places.lon[pop.town], params.jitter_m, rng
    )
    d_lat, d_lon = _jitter(places.lat[dest], places.lon[dest], params.jitter_m, rng)

    m = person.size
    elderly = age >= 2
    peak = rng.random(m) < 0.6
    t_other = np.where(
        elderly,
        np.where(
            peak, _clock_normal(rng, m, 9.75, 0.75), _clock_normal(rng, m, 13.75, 0.75)
        ),
        _clock_normal(rng, m, 11.0, 2.5),
    )
    t_work = _clock_normal(rng, m, 7.75, 0.5)
    t_school = _clock_normal(rng, m, 7.6, 0.25)
    out_s = np.select([purpose == 0, purpose == 1], [t_work, t_school], t_other)
    lo = np.array([DURATION_H[p][0] for p in PURPOSES])[purpose]
    hi = np.array([DURATION_H[p][1] for p in PURPOSES])[purpose]
    dur = (lo + (hi - lo) * rng.random(m)) * 3600.0
    gap = (0.5 + 2.0 * rng.random(m)) * 3600.0
    out_s = np.clip(out_s, 5 * 3600.0, 21 * 3600.0)
    # second tours follow the first tour of the same person
    n_first = int(goes.sum())
    back_first = out_s[:n_first] + 900.0 + dur[:n_first]
    first_back_of = np.full(n, np.nan)
    first_back_of[person[:n_first]] = back_first
    later_start = first_back_of[person[n_first:]] + gap[n_first:]
    out_s[n_first:] = np.clip(later_start, 5 * 3600.0, 21 * 3600.0)
    out_s = np.floor(out_s)
    back_s = np.floor(out_s + 900.0 + dur)
    tours = Tours(
        person, purpose, dest, h_lat[person], h_lon[person], d_lat, d_lon, out_s, back_s
    )
    return tours, places
