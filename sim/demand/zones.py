"""Sodegaura demand zones (towns), their districts, and trip attractors (key places).

Data files (in :func:`data_dir`, described with sources and licences in ``data/sodegaura/README.md``):

* ``geolonia_chiba_sodegaura_towns.json`` – 72 towns (大字/町丁目) with a representative point
  (geolonia/japanese-addresses, CC BY 4.0).
* ``sodegaura_town_population.csv`` – 2015 census population per town (total 60,952; e-Stat small-area
  data via a CC0 repository).
* ``sodegaura_key_places.csv`` – 19 key places: stations, bus terminal, city hall, hospital, clinic,
  shops, parks and the five community centres (single-source points except stations/bus terminal).

Districts
---------
Sodegaura has five districts (地区): 昭和, 長浦, 根形, 平岡 and 中川富岡 (平川 is the former village
formed from 中川 and 富岡).  No official town → district table was available, so the district of a
town is **approximated** as the district of the nearest community centre (交流センター, straight-line
distance from the town's representative point).  The resulting table is printed in
``data/sodegaura/README.md`` so planners can check and correct it.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from sim.errors import DemandError
from sim.paths import repo_root

TOWNS_FILE = "geolonia_chiba_sodegaura_towns.json"
POPULATION_FILE = "sodegaura_town_population.csv"
KEY_PLACES_FILE = "sodegaura_key_places.csv"

#: Default population total: PARAMETERS.md "population, 2024 estimate ~65,000" (conf. M).
DEFAULT_POPULATION_TOTAL = 65000.0

#: Community centre place_id -> district name (nearest-centre approximation, see module docstring).
DISTRICT_CENTRES: Mapping[str, str] = MappingProxyType(
    {
        "cc_showa": "昭和",
        "cc_nagaura": "長浦",
        "cc_negata": "根形",
        "cc_hiraoka": "平岡",
        "cc_hirakawa": "中川富岡",
    }
)

#: The five districts, in the city's usual order.
DISTRICTS: tuple[str, ...] = ("昭和", "長浦", "根形", "平岡", "中川富岡")

#: Default attractor weight per place kind.  These are modelling ASSUMPTIONS (no source): relative
#: pull of one place of that kind compared with others; vary them in sweeps.
DEFAULT_ATTRACTOR_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "rail_station": 3.0,
        "bus_terminal": 1.0,
        "public": 2.0,
        "hospital": 3.0,
        "clinic": 2.0,
        "shopping": 3.0,
        "community_center": 1.0,
        "leisure": 0.5,
    }
)

#: Floor applied to station ridership before normalising (東横田 has no recorded count: 0).
RIDERSHIP_FLOOR = 100.0

_EARTH_RADIUS_M = 6_371_008.8
_RIDERSHIP = re.compile(r"passenger2019\s*=\s*(\d+)")


@dataclass(frozen=True, slots=True)
class Zone:
    """A demand zone: a point where trips start or end, with its resident population.

    Attributes
    ----------
    name : str
        Zone name (a town name such as ``"長浦駅前一丁目"``, or ``"node:<id>"`` for pseudo-zones).
    lat, lon : float
        Representative point (degrees, WGS84).
    population : float
        Residents (persons), scaled to the target total; a relative weight for pseudo-zones.
    district : str
        District name (one of :data:`DISTRICTS`) or ``""`` when unknown.
    """

    name: str
    lat: float
    lon: float
    population: float
    district: str


@dataclass(frozen=True, slots=True)
class Attractor:
    """A trip attractor (station, hospital, shop, ...).

    Attributes
    ----------
    place_id : str
        Stable id (e.g. ``"nagaura_sta"``), the same as the network's place ids.
    name : str
        Japanese name.
    kind : str
        Place kind (``rail_station``, ``hospital``, ...).
    lat, lon : float
        Location (degrees, WGS84).
    weight : float
        Relative attraction (dimensionless, >= 0).
    """

    place_id: str
    name: str
    kind: str
    lat: float
    lon: float
    weight: float


def data_dir() -> Path:
    """Return the repository's ``data/sodegaura`` directory."""
    return repo_root() / "data" / "sodegaura"


def haversine_m(lat1: np.ndarray | float, lon1: np.ndarray | float,
                lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distance (metres) between points given in degrees (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return 2.0 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _read_csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise DemandError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _float_field(path: Path, row_no: int, column: str, text: str | None) -> float:
    try:
        value = float(text or "")
    except ValueError:
        raise DemandError(f"{path}, row {row_no}, column {column}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise DemandError(f"{path}, row {row_no}, column {column}: {text!r} is not a finite number")
    return value


def _read_key_places(directory: Path) -> list[dict[str, str]]:
    path = directory / KEY_PLACES_FILE
    rows = _read_csv_rows(path)
    for col in ("id", "name_ja", "kind", "lat", "lon"):
        if rows and col not in rows[0]:
            raise DemandError(f"{path}: missing column {col!r} (needs id, name_ja, kind, lat, lon)")
    return rows


def _district_of(lats: np.ndarray, lons: np.ndarray, places: list[dict[str, str]], path: Path) -> list[str]:
    by_id = {row["id"]: row for row in places}
    centres = []
    for place_id, district in DISTRICT_CENTRES.items():
        if place_id not in by_id:
            raise DemandError(
                f"{path}: community centre {place_id!r} (district {district}) is missing; "
                f"the district approximation needs all of {', '.join(DISTRICT_CENTRES)}"
            )
        row = by_id[place_id]
        centres.append((float(row["lat"]), float(row["lon"]), district))
    c_lat = np.array([c[0] for c in centres])
    c_lon = np.array([c[1] for c in centres])
    dist = haversine_m(lats[:, None], lons[:, None], c_lat[None, :], c_lon[None, :])
    return [centres[k][2] for k in np.argmin(dist, axis=1)]


def load_sodegaura_zones(
    *, population_total: float = DEFAULT_POPULATION_TOTAL, directory: Path | None = None
) -> list[Zone]:
    """Load the 72 Sodegaura towns as demand zones.

    Town points come from the geolonia towns file, populations from the 2015 census file (joined by
    exact town name), scaled so they sum to ``population_total``.  The district of each town is
    approximated as that of the nearest community centre (see the module docstring).

    Parameters
    ----------
    population_total : float
        Target total population (persons, > 0). Default 65,000 (PARAMETERS.md, 2024 estimate).
    directory : Path, optional
        Directory holding the data files; default :func:`data_dir`.

    Returns
    -------
    list[Zone]
        In the order of the towns file.

    Raises
    ------
    DemandError
        A file is missing or malformed, or a town has no population row.
    """
    if not (isinstance(population_total, (int, float)) and math.isfinite(population_total)
            and population_total > 0):
        raise DemandError(f"population_total: {population_total!r} must be a positive number of persons")
    directory = data_dir() if directory is None else Path(directory)
    towns_path = directory / TOWNS_FILE
    pop_path = directory / POPULATION_FILE
    if not towns_path.is_file():
        raise DemandError(f"{towns_path}: file not found")
    try:
        towns = json.loads(towns_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DemandError(f"{towns_path}: not valid JSON ({exc})") from None
    if not isinstance(towns, list) or not towns:
        raise DemandError(f"{towns_path}: expected a non-empty JSON list of towns")

    population: dict[str, float] = {}
    for row_no, row in enumerate(_read_csv_rows(pop_path), start=1):
        name = (row.get("town") or "").strip()
        if not name:
            raise DemandError(f"{pop_path}, row {row_no}, column town: empty town name")
        value = _float_field(pop_path, row_no, "population", row.get("population"))
        if value < 0:
            raise DemandError(f"{pop_path}, row {row_no}, column population: {value!r} is negative")
        population[name] = value

    names: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    pops: list[float] = []
    for k, town in enumerate(towns, start=1):
        try:
            name = str(town["town"])
            lat, lon = float(town["lat"]), float(town["lng"])
        except (KeyError, TypeError, ValueError):
            raise DemandError(f"{towns_path}, entry {k}: needs keys town, lat, lng; got {town!r}") from None
        if name not in population:
            raise DemandError(
                f"{pop_path}: town {name!r} (from {towns_path.name}) has no population row; "
                f"every town in {towns_path.name} needs one"
            )
        names.append(name)
        lats.append(lat)
        lons.append(lon)
        pops.append(population[name])

    raw_total = float(sum(pops))
    if raw_total <= 0:
        raise DemandError(f"{pop_path}: total population is {raw_total}; it must be positive")
    scale = float(population_total) / raw_total

    places = _read_key_places(directory)
    districts = _district_of(np.array(lats), np.array(lons), places, directory / KEY_PLACES_FILE)
    return [
        Zone(name=n, lat=la, lon=lo, population=p * scale, district=d)
        for n, la, lo, p, d in zip(names, lats, lons, pops, districts)
    ]


def load_attractors(
    *, directory: Path | None = None, weights: Mapping[str, float] | None = None
) -> list[Attractor]:
    """Load the key places as trip attractors.

    The weight of a place is the weight of its kind (:data:`DEFAULT_ATTRACTOR_WEIGHTS`, updated with
    ``weights``; these are assumptions to be varied, not sourced values).  Rail stations are further
    multiplied by their relative ridership: the S12 ``passenger2019`` value found in the CSV ``note``
    column, floored at :data:`RIDERSHIP_FLOOR` (東横田 records 0), divided by the mean of these
    floored values over the stations that have one.  For Sodegaura this gives 長浦 2.08, 袖ケ浦 1.84,
    横田 0.061 and 東横田 0.017 times the rail_station weight.  A station without a value keeps
    factor 1.

    Parameters
    ----------
    directory : Path, optional
        Directory holding ``sodegaura_key_places.csv``; default :func:`data_dir`.
    weights : Mapping[str, float], optional
        Weight per kind overriding the defaults (other kinds keep their default).

    Returns
    -------
    list[Attractor]
        In file order.

    Raises
    ------
    DemandError
        The file is missing or malformed, a weight is negative, or a kind has no weight.
    """
    directory = data_dir() if directory is None else Path(directory)
    path = directory / KEY_PLACES_FILE
    kind_weight = dict(DEFAULT_ATTRACTOR_WEIGHTS)
    for kind, value in (weights or {}).items():
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise DemandError(f"attractor weights, key {kind!r}: {value!r} must be a number >= 0")
        kind_weight[kind] = float(value)

    rows = _read_key_places(directory)
    ridership: dict[str, float] = {}
    for row in rows:
        if row["kind"] == "rail_station":
            m = _RIDERSHIP.search(row.get("note") or "")
            if m:
                ridership[row["id"]] = max(float(m.group(1)), RIDERSHIP_FLOOR)
    mean_ridership = float(np.mean(list(ridership.values()))) if ridership else 1.0
    known = set(DEFAULT_ATTRACTOR_WEIGHTS) | {row["kind"].strip() for row in rows}
    unknown = sorted(set(weights or {}) - known)
    if unknown:
        raise DemandError(
            f"attractor weights (demand.attractor_weights), key {unknown[0]!r}: not a kind of place; "
            f"valid kinds: {', '.join(sorted(known))}"
        )

    result: list[Attractor] = []
    for row_no, row in enumerate(rows, start=1):
        kind = row["kind"].strip()
        if kind not in kind_weight:
            raise DemandError(
                f"{path}, row {row_no}, column kind: {kind!r} has no attractor weight; "
                f"known kinds: {', '.join(sorted(kind_weight))} (pass weights={{{kind!r}: ...}})"
            )
        weight = kind_weight[kind]
        if kind == "rail_station" and row["id"] in ridership:
            weight *= ridership[row["id"]] / mean_ridership
        result.append(
            Attractor(
                place_id=row["id"].strip(),
                name=row["name_ja"].strip(),
                kind=kind,
                lat=_float_field(path, row_no, "lat", row["lat"]),
                lon=_float_field(path, row_no, "lon", row["lon"]),
                weight=weight,
            )
        )
    return result
