"""Reading networks: embedded names, GraphML, OSM XML, cached places, and ``network fetch``."""

from __future__ import annotations

import ast
import bz2
import contextlib
import gzip
import zlib
import hashlib
import re
import shutil
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from sim.atomic import atomic_open
from sim.errors import NetworkError, SimError
from sim.network.bincache import cached_network
from sim.network.graph import OSM_PROVENANCE, RoadNetwork, _build_network, _truthy
from sim.paths import repo_root

if TYPE_CHECKING:  # pragma: no cover
    pass






_GRAPHML_SUFFIXES = (".graphml", ".graphml.gz")
_OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.xml")
_VALID_SOURCES = (
    "an embedded name ({names}), a .graphml/.graphml.gz file, an .osm/.osm.bz2 file, "
    'or "place:<query>" (after `python main.py network fetch "<query>"`)'
)

# osmnx "drive" network filter (osmnx 2.x ``_overpass._get_network_filter``), applied to .osm files.
# Each pattern is searched (unanchored, like Overpass ``!~``) in the tag value; a match excludes the way.
_DRIVE_EXCLUDE: dict[str, re.Pattern[str]] = {
    "area": re.compile("yes"),
    "access": re.compile("private"),
    "highway": re.compile(
        "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|"
        "footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|"
        "services|steps|track"
    ),
    "motor_vehicle": re.compile("no"),
    "motorcar": re.compile("no"),
    "service": re.compile("alley|driveway|emergency_access|parking|parking_aisle|private"),
}


# --------------------------------------------------------------------------------------------------
# locations
# --------------------------------------------------------------------------------------------------


def networks_dir() -> Path:
    """Return the repository's ``networks/`` directory (embedded networks and the fetch cache)."""
    return repo_root() / "networks"


def embedded_networks(base_dir: Path | None = None) -> dict[str, Path]:
    """List embedded networks.

    Parameters
    ----------
    base_dir
        Directory holding one folder per network (default :func:`networks_dir`).

    Returns
    -------
    dict[str, Path]
        ``name -> <base_dir>/<name>/<name>.graphml.gz`` (or ``.graphml``) for every folder that
        contains such a file, sorted by name.
    """
    root = networks_dir() if base_dir is None else Path(base_dir)
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for sub in sorted(root.iterdir()):
        if not sub.is_dir() or sub.name == "cache":
            continue
        for suffix in _GRAPHML_SUFFIXES:
            candidate = sub / f"{sub.name}{suffix}"
            if candidate.is_file():
                found[sub.name] = candidate
                break
    return found



# --------------------------------------------------------------------------------------------------
# reading files
# --------------------------------------------------------------------------------------------------

_NODE_TYPES: dict[str, type] = {"x": float, "y": float, "street_count": int, "elevation": float, "elevation_res": float, "osmid": int}
_EDGE_TYPES: dict[str, Any] = {
    "length": float,
    "oneway": _truthy,
    "reversed": _truthy,
    "osmid": int,
    "speed_kph": float,
    "travel_time": float,
    "bearing": float,
    "grade": float,
    "grade_abs": float,
}


def _convert_types(graph: nx.MultiDiGraph, *, name: str, source: str) -> None:
    """Convert GraphML strings to osmnx types in place (as ``osmnx.io.load_graphml`` does)."""
    for key in ("simplified", "consolidated"):
        if key in graph.graph:
            graph.graph[key] = _truthy(graph.graph[key])
    for key in ("node_default", "edge_default"):
        graph.graph.pop(key, None)
    for nid, data in graph.nodes(data=True):
        for attr in data.keys() & _NODE_TYPES.keys():
            try:
                data[attr] = _NODE_TYPES[attr](data[attr])
            except (TypeError, ValueError):
                raise NetworkError(
                    f"network {name!r} ({source}): node {nid!r} has {attr}={data[attr]!r}, "
                    f"expected a {_NODE_TYPES[attr].__name__}"
                ) from None
    geoms: list[tuple[dict[str, Any], str]] = []
    for u, v, data in graph.edges(data=True):
        data.pop("id", None)
        for attr, value in data.items():
            if isinstance(value, str) and (
                (value.startswith("[") and value.endswith("]")) or (value.startswith("{") and value.endswith("}"))
            ):
                with contextlib.suppress(SyntaxError, ValueError):
                    data[attr] = ast.literal_eval(value)
        for attr in data.keys() & _EDGE_TYPES.keys():
            conv = _EDGE_TYPES[attr]
            try:
                value = data[attr]
                data[attr] = [conv(item) for item in value] if isinstance(value, list) else conv(value)
            except (TypeError, ValueError):
                raise NetworkError(
                    f"network {name!r} ({source}): edge {u!r}->{v!r} has {attr}={data[attr]!r}, "
                    "which is not a valid value"
                ) from None
        if isinstance(data.get("geometry"), str):
            geoms.append((data, data["geometry"]))
    if geoms:
        import shapely

        parsed = shapely.from_wkt([g for _, g in geoms], on_invalid="ignore")
        for (data, _), geom in zip(geoms, parsed):
            if geom is None:
                del data["geometry"]
            else:
                data["geometry"] = geom


def _read_graphml(path: Path, *, name: str) -> nx.MultiDiGraph:
    """Read an osmnx GraphML file (``.graphml`` or ``.graphml.gz``) with osmnx attribute types."""
    last: Exception | None = None
    for node_type in (int, str):
        try:
            graph = nx.read_graphml(path, node_type=node_type, force_multigraph=True)
            break
        except ValueError as exc:  # non-integer node ids: retry with str ids
            last = exc
            continue
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # the file is damaged: an environment failure
            raise SimError(f"{path}: corrupt or truncated compressed network file ({type(exc).__name__}: {exc})") from None
        except (OSError, ET.ParseError, nx.NetworkXError, KeyError, TypeError) as exc:
            raise NetworkError(f"cannot read network file {str(path)!r}: {type(exc).__name__}: {exc}") from None
    else:
        raise NetworkError(f"cannot read network file {str(path)!r}: {last}") from None
    if not graph.is_directed():
        graph = nx.MultiDiGraph(graph.to_directed())
    _convert_types(graph, name=name, source=str(path))
    return graph


def _open_binary(path: Path) -> Any:
    if path.suffix == ".bz2":
        return bz2.open(path, "rb")
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _is_drivable(tags: dict[str, str]) -> bool:
    """Whether an OSM way passes the osmnx ``drive`` filter."""
    if "highway" not in tags:
        return False
    return not any(key in tags and pattern.search(tags[key]) for key, pattern in _DRIVE_EXCLUDE.items())


def _filter_osm_drive(src: Path, dst: Path) -> int:
    """Write the drivable ways of an OSM XML file (and the nodes they use) to ``dst``; return way count."""
    try:
        with _open_binary(src) as fh:
            tree = ET.parse(fh)
    except (OSError, EOFError, ET.ParseError) as exc:
        raise NetworkError(f"cannot read OSM file {str(src)!r}: {type(exc).__name__}: {exc}") from None
    root = tree.getroot()
    if root.tag != "osm":
        raise NetworkError(f"cannot read OSM file {str(src)!r}: root element is <{root.tag}>, expected <osm>")
    used: set[str] = set()
    kept = 0
    for way in root.findall("way"):
        tags = {t.get("k", ""): t.get("v", "") for t in way.findall("tag")}
        if _is_drivable(tags):
            kept += 1
            used.update(nd.get("ref", "") for nd in way.findall("nd"))
        else:
            root.remove(way)
    for elem in root.findall("node"):
        if elem.get("id") not in used:
            root.remove(elem)
    for elem in root.findall("relation"):
        root.remove(elem)
    tree.write(dst, encoding="utf-8", xml_declaration=True)
    return kept


def _read_osm(path: Path, *, name: str) -> nx.MultiDiGraph:
    """Read an OSM XML file with osmnx ``drive`` semantics (filtered ways, one-ways respected, simplified)."""
    with tempfile.TemporaryDirectory(prefix="sim-osm-") as tmp:
        filtered = Path(tmp) / "drive.osm"
        if _filter_osm_drive(path, filtered) == 0:
            raise NetworkError(
                f"OSM file {str(path)!r} has no drivable ways (highway=* not excluded by the osmnx drive filter)"
            )
        import osmnx as ox

        try:
            graph = ox.graph_from_xml(filtered, bidirectional=False, simplify=True, retain_all=True)
        except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
            raise NetworkError(f"cannot build a road graph from OSM file {str(path)!r}: {type(exc).__name__}: {exc}") from None
    return graph


def _strip_suffix(path: Path) -> str:
    name = path.name
    for suffix in sorted(_GRAPHML_SUFFIXES + _OSM_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _slug(query: str) -> str:
    """File-name slug of a place query (Unicode letters kept; a hash if nothing is left)."""
    text = unicodedata.normalize("NFKC", query).strip().lower()
    slug = re.sub(r"[^\w]+", "_", text).strip("_")[:80]
    return slug or "place_" + hashlib.sha1(query.encode("utf-8")).hexdigest()[:12]


def _is(path: Path, kind: str) -> bool:
    """``path.is_file()`` / ``is_dir()``, False for names the system cannot look up (too long)."""
    try:
        return path.is_file() if kind == "file" else path.is_dir()
    except OSError:
        return False


def _resolve_path(source: str, base_dir: Path | None) -> Path:
    p = Path(source).expanduser()
    if p.is_absolute():
        candidates = [p]
    else:
        candidates = ([Path(base_dir) / p] if base_dir is not None else []) + [Path.cwd() / p]
    for c in candidates:
        if _is(c, "file"):
            return c.resolve()
    looked = ", ".join(repr(str(c)) for c in candidates)
    raise NetworkError(f"network file {source!r} not found (looked in {looked})")


def load_network(source: str, *, base_dir: Path | None = None, cache_dir: Path | None = None) -> RoadNetwork:
    """Load a road network and keep its largest strongly connected component.

    Parameters
    ----------
    source
        * an embedded name (``"sodegaura"``, ``"tachikawa"``: ``networks/<name>/<name>.graphml.gz``);
        * a path to a ``.graphml`` / ``.graphml.gz`` file in the osmnx schema;
        * a path to an ``.osm`` / ``.osm.bz2`` (or ``.osm.gz``) OSM XML file, read with osmnx using the
          ``drive`` way filter, one-way streets respected, simplified topology;
        * ``"place:<query>"``: a network previously saved by :func:`fetch_network` in ``cache_dir``.
    base_dir
        Folder that relative paths are resolved against first (the scenario file's folder); then the
        current directory.
    cache_dir
        Fetched-network cache (default ``networks/cache/``).

    Returns
    -------
    RoadNetwork
        ``source`` attribute: the absolute path of the file read.

    Raises
    ------
    NetworkError
        Missing or unreadable file, empty graph, unknown embedded name or uncached place; the message
        names the source and lists what is valid.
    """
    if not isinstance(source, str) or not source.strip():
        raise NetworkError(f"network source {source!r} is empty; give {_valid_sources()}")
    source = source.strip()
    if source.lower().startswith("place:"):
        query = source[len("place:") :].strip()
        if not query:
            raise NetworkError(f'network source {source!r} has an empty place query; use "place:<query>"')
        cache = networks_dir() / "cache" if cache_dir is None else Path(cache_dir)
        slug = _slug(query)
        for suffix in (".graphml.gz", ".graphml"):
            path = cache / f"{slug}{suffix}"
            if path.is_file():
                graph = _read_graphml(path, name=query)
                return _build_network(graph, name=query, source=str(path.resolve()))
        raise NetworkError(
            f"network {source!r} is not cached (looked for {str(cache / (slug + '.graphml.gz'))!r}); "
            f'download it first with: python main.py network fetch "{query}"'
        )
    lower = source.lower()
    if lower.endswith(_GRAPHML_SUFFIXES):
        path = _resolve_path(source, base_dir)
        name = _strip_suffix(path)
        return cached_network(path, lambda: _build_network(_read_graphml(path, name=name), name=name, source=str(path)))
    if lower.endswith(_OSM_SUFFIXES):
        path = _resolve_path(source, base_dir)
        name = _strip_suffix(path)
        return _build_network(_read_osm(path, name=name), name=name, source=str(path))
    if re.fullmatch(r"[A-Za-z0-9_\-]+", source):
        embedded = embedded_networks()
        if source in embedded:
            path = embedded[source]
            return cached_network(path, lambda: _build_network(_read_graphml(path, name=source), name=source, source=str(path)))
        folder = networks_dir() / source
        if _is(folder, "dir"):
            raise NetworkError(
                f"embedded network {source!r} has no graph file: expected {str(folder / (source + '.graphml.gz'))!r}"
            )
    raise NetworkError(f"unknown network source {source!r}; give {_valid_sources()}")


def _valid_sources() -> str:
    names = ", ".join(repr(n) for n in embedded_networks()) or "none installed"
    return _VALID_SOURCES.format(names=names)


# --------------------------------------------------------------------------------------------------
# downloading
# --------------------------------------------------------------------------------------------------


def fetch_network(query: str, *, cache_dir: Path | None = None, network_type: str = "drive") -> Path:
    """Download a place's road network from OpenStreetMap with osmnx and cache it as GraphML.

    Needs internet access (Nominatim geocoding and the Overpass API). The file is written atomically
    to ``<cache_dir>/<slug>.graphml.gz`` (``<slug>_<network_type>.graphml.gz`` for a non-drive type)
    and records ``provenance`` (OSM attribution, query and download time).

    Parameters
    ----------
    query
        Place name as understood by Nominatim, e.g. ``"Sodegaura, Chiba, Japan"``.
    cache_dir
        Target folder (default ``networks/cache/``), created if needed.
    network_type
        osmnx network type (``"drive"`` for the simulator).

    Returns
    -------
    Path
        The cached file; ``load_network("place:<query>", cache_dir=cache_dir)`` reads it.

    Raises
    ------
    NetworkError
        On download failure (no internet?), an unknown place, or an empty result.
    """
    if not query or not query.strip():
        raise NetworkError("place query is empty; give a place name such as 'Sodegaura, Chiba, Japan'")
    query = query.strip()
    cache = networks_dir() / "cache" if cache_dir is None else Path(cache_dir)
    import osmnx as ox
    import requests

    try:
        graph = ox.graph_from_place(query, network_type=network_type, simplify=True)
    except (requests.RequestException, OSError) as exc:
        raise NetworkError(
            f"could not download the road network for {query!r} (no internet?): {type(exc).__name__}: {exc}"
        ) from None
    except (ValueError, TypeError, KeyError) as exc:  # osmnx geocoding / empty-response errors
        raise NetworkError(
            f"could not download the road network for {query!r}: OpenStreetMap returned no usable "
            f"{network_type!r} network for that place ({type(exc).__name__}: {exc}); check the place name"
        ) from None
    if graph.number_of_nodes() == 0:
        raise NetworkError(f"could not download the road network for {query!r}: the result is empty")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    graph.graph["provenance"] = f"{OSM_PROVENANCE}; downloaded {stamp} with osmnx graph_from_place({query!r})"
    graph.graph["synthetic"] = "false"
    graph.graph["query"] = query
    suffix = "" if network_type == "drive" else f"_{network_type}"
    target = cache / f"{_slug(query)}{suffix}.graphml.gz"
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sim-fetch-", dir=cache) as tmp:
        plain = Path(tmp) / "graph.graphml"
        ox.save_graphml(graph, plain)
        with open(plain, "rb") as src, atomic_open(target, "wb") as dst, gzip.GzipFile(fileobj=dst, mode="wb", mtime=0) as gz:
            shutil.copyfileobj(src, gz)
    return target


