"""Road networks: loading, speeds, snapping and a cached travel-time oracle.

This is the only module of the simulator that imports :mod:`osmnx`; it does so lazily, inside the
functions that need it (reading ``.osm`` files and downloading), because importing osmnx is slow.
Embedded and cached networks are GraphML files (optionally gzipped) in the osmnx schema and are read
with :func:`networkx.read_graphml` plus the same attribute type conversion osmnx applies.

Conventions
-----------
* Every network keeps only its **largest strongly connected component** (every node can reach every
  other node); what was dropped is recorded (``components_before``, ``dropped_nodes``,
  ``dropped_edges``).
* Nodes are addressed everywhere in the simulator by an **internal index** ``0..n-1``
  (``RoadNetwork.node_ids[i]`` is the original node id).
* Coordinates: ``lat``/``lon`` in degrees (EPSG:4326); ``x``/``y`` in metres in the **UTM zone of the
  network's bounding-box centre** (WGS 84 / UTM, EPSG:326zz north or 327zz south, via pyproj). The UTM
  scale factor is within 0.9996..1.0010 inside a zone, so straight-line distances are accurate to
  better than 0.1 % (far inside the required 0.5 % within 30 km).
* Times are in seconds, distances in metres, speeds in km/h.
* Edge speed (:func:`edge_speed_kmh`): a parseable OSM ``maxspeed`` if present, otherwise a default
  per ``highway`` type (see ``_DEFAULT_SPEED_KMH``). Those defaults are **assumptions**: Japanese law
  sets 60 km/h on general roads without a sign (80-100 km/h on expressways); the defaults are lower to
  reflect urban operation (signals, junctions, narrow residential streets). A vehicle speed cap
  (e.g. an automated vehicle limited to 20 km/h) applies per edge:
  ``travel time = length_m / (min(edge_speed_kmh, cap) / 3.6)``.
* Fastest paths use :func:`scipy.sparse.csgraph.dijkstra` on a CSR matrix of edge travel times; of
  parallel edges the fastest is kept. ``dist_m`` is the length of that fastest path (not the shortest
  path), computed from the Dijkstra predecessor tree.
"""