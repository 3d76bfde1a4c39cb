"""Planning a study: points × replications, and THE seed rule every study uses.

A *study* is a list of scenario variants (*points*) times ``R`` replications; ``sweep``, ``size``,
``sensitivity`` and ``compare`` all plan one here and run it on the same store and back ends
(:mod:`sim.studies.store`, :mod:`sim.studies.execute`).

The seed rule (:func:`replication_seed`)
----------------------------------------
Replication ``k`` of root seed ``s`` runs with

* ``k = 0``: the root seed ``s`` itself, so replication 0 **is** ``python main.py run --seed s``;
* ``k ≥ 1``: ``SeedSequence(s).spawn(k + 1)[k].generate_state(1)[0]`` (a 32-bit integer; numpy's
  spawned children depend on their index only, so this is ``SeedSequence(s, spawn_key=(k,))``).

The seed depends on ``s`` and ``k`` only: not on the number of replications, not on the point,
not on the command. So replication ``k`` is the same simulated day at every point of a sweep
(common random numbers), in ``compare`` and in ``size``/``sensitivity``; adding replications
later keeps the earlier ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError, ScenarioError
from sim.studies.grid import format_value, point_overrides

#: The seed rule in words (written to every study's metadata file).
SEED_RULE = (
    "replication 0 uses the root seed itself (it is `run --seed ROOT`); replication k >= 1 uses "
    "SeedSequence(root).spawn(k + 1)[k].generate_state(1)[0]; the same at every point and in every study command"
)


def replication_seed(root_seed: int, replication: int) -> int:
    """The seed of replication ``replication`` of root seed ``root_seed`` (see the module docstring)."""
    if replication == 0:
        return int(root_seed)
    return int(np.random.SeedSequence(root_seed, spawn_key=(replication,)).generate_state(1)[0])


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """Seeds of replications ``0 .. replications - 1`` (:func:`replication_seed`).

    Raises
    ------
    InputError
        Fewer than one replication or a negative seed.
    """
    if replications < 1:
        raise InputError(f"--replications {replications}: need at least 1 replication")
    if root_seed < 0:
        raise InputError(f"--seed {root_seed}: seeds are non-negative integers")
    return [replication_seed(root_seed, r) for r in range(replications)]


@dataclass(frozen=True, slots=True)
class Point:
    """One scenario variant of a study.

    Attributes
    ----------
    index
        Position in the study (0-based; grid order for a sweep, file order for a comparison).
    overrides
        The values this point sets, by dotted key (empty for the unchanged scenario).
    row
        The value of every study key at this point (the scenario's own value where the point
        does not set it; ``None`` if the scenario leaves it unset), for tables and plots.
    scenario
        The validated scenario of this point.
    source
        The scenario file of this point (named in messages).
    base_dir
        Folder that relative paths in the scenario are resolved against.
    demand_from
        For a comparison: the scenario whose demand settings generate every point's requests
        (``None``: the point's own, as in ``run``).
    """

    index: int
    overrides: dict[str, Any]
    row: dict[str, Any]
    scenario: Any  # sim.scenario.schema.Scenario (kept untyped so pickling stays cheap to import)
    source: Path
    base_dir: Path
    demand_from: Any = None

    @property
    def label(self) -> str:
        """``key=value, ...`` of the overrides (the scenario name for none)."""
        return ", ".join(f"{k}={format_value(v)}" for k, v in self.overrides.items()) or str(self.scenario.name)


@dataclass(frozen=True, slots=True)
class Job:
    """One run: a point's scenario with one replication's seed (what a worker receives).

    ``results_dir`` (a comparison's first replication) asks the worker to write the full
    results directory there as well, exactly as ``run --out`` would.
    """

    run_id: str
    point: int
    replication: int
    seed: int
    scenario: Any  # sim.scenario.schema.Scenario
    base_dir: str
    source: str
    values: dict[str, Any]
    demand_from: Any = None
    demand_base_dir: str = ""
    results_dir: str | None = None


@dataclass(frozen=True, slots=True)
class Study:
    """A planned study: points × replications."""

    source: Path
    keys: tuple[str, ...]
    points: tuple[Point, ...]
    root_seed: int
    seeds: tuple[int, ...]
    fixed: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    networks: tuple[dict[str, Any], ...] = ()  # per network source: source, name, synthetic, provenance

    @property
    def replications(self) -> int:
        """Number of replications per point."""
        return len(self.seeds)

    def jobs(self) -> list[Job]:
        """Every (point, replication) as a :class:`Job`, point-major."""
        return [self.job(p, r) for p in self.points for r in range(len(self.seeds))]

    def job(self, point: Point, replication: int, *, results_dir: Path | None = None) -> Job:
        """The job of ``point`` and ``replication``."""
        seed = self.seeds[replication]
        demand_from = point.demand_from
        return Job(
            run_id=run_id(point.scenario, seed, demand_from=demand_from),
            point=point.index,
            replication=replication,
            seed=seed,
            scenario=point.scenario,
            base_dir=str(point.base_dir),
            source=str(point.source),
            values=dict(point.row),
            demand_from=demand_from,
            demand_base_dir=str(self.points[0].base_dir) if demand_from is not None else "",
            results_dir=None if results_dir is None else str(results_dir),
        )


def run_id(scenario: Any, seed: int, *, demand_from: Any = None) -> str:
    """Digest (16 hex digits) of a resolved scenario and a seed: the name of its stored run.

    ``demand_from`` (a comparison's shared demand, when it differs from the scenario's own) is
    part of the digest; without it the id is that of the same run in any other study.
    """
    content: dict[str, Any] = {"scenario": scenario.model_dump(mode="json"), "seed": seed}
    if demand_from is not None:
        content["demand_from"] = demand_from.model_dump(mode="json")
    canon = json.dumps(content, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


def _lookup(data: Any, key: str) -> Any:
    node = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def plan_study(
    path: Path,
    points: Sequence[Mapping[str, Any]],
    *,
    replications: int,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    keys: Sequence[str] | None = None,
    option: str = "--vary",
    services: Sequence[str] = (),
) -> Study:
    """Validate every point of a study of the scenario file ``path`` before anything runs.

    Parameters
    ----------
    path
        Scenario TOML file.
    points
        The variants: dotted key -> value (``{}`` is the scenario itself).
    replications
        Runs per point.
    seed
        Root seed of the replication seeds (default: the scenario's ``seed``).
    overrides
        ``--set`` overrides applied to every point first.
    keys
        Table columns (default: every key any point sets, in first-seen order).
    option
        The option named in error messages.
    services
        Services whose own KPIs become ``SERVICE.KPI`` columns.

    The road network of every point is loaded once (it is needed for the runs anyway) to record
    its name, ``synthetic`` flag and provenance in :attr:`Study.networks`.

    Raises
    ------
    ScenarioError
        An unknown key or an invalid value at some point, with the point named.
    InputError
        A ``services`` name that is not a service of the scenario.
    """
    from sim.scenario.schema import apply_overrides, load_raw, validate

    source = str(path)
    raw = apply_overrides(load_raw(Path(path)), list(overrides), source=source)
    base = validate(raw, source=source)
    if keys is None:
        seen: list[str] = []
        for pt in points:
            seen.extend(k for k in pt if k not in seen)
        keys = seen
    base_values = base.model_dump(mode="json")
    base_dir = Path(path).resolve().parent
    planned: list[Point] = []
    for index, pt in enumerate(points):
        sets = point_overrides(pt)
        try:
            sc = validate(apply_overrides(raw, sets, source=source), source=source)
        except ScenarioError as exc:
            where = ", ".join(f"{k}={format_value(v)}" for k, v in pt.items())
            text = str(exc).replace("--set ", f"{option} ")
            raise ScenarioError(f"{text}\n(at point {where})" if where else text) from None
        row = {k: (pt[k] if k in pt else _lookup(base_values, k)) for k in keys}
        planned.append(Point(index, dict(pt), row, sc, Path(path), base_dir))
    check_services(services, [p.scenario for p in planned] or [base])
    root = base.seed if seed is None else seed
    return Study(
        source=Path(path),
        keys=tuple(keys),
        points=tuple(planned),
        root_seed=root,
        seeds=tuple(replication_seeds(root, replications)),
        fixed=tuple(overrides),
        services=tuple(dict.fromkeys(services)),
        networks=study_networks([(p.scenario, p.base_dir) for p in planned] or [(base, base_dir)]),
    )


def check_services(services: Sequence[str], scenarios: Sequence[Any]) -> None:
    """Each ``--service`` name must be a service of the scenario (``A+B``: trips over A and B)."""
    names = sorted({n for sc in scenarios for n in sc.services})
    for s in services:
        if not all(part in names for part in s.split("+")):
            raise InputError(
                f"--service {s!r}: not a service of the scenario; services: {', '.join(names) or '(none)'} "
                "(A+B for trips over services A and B)"
            )


def study_networks(scenarios: Sequence[tuple[Any, Path]]) -> tuple[dict[str, Any], ...]:
    """Name, ``synthetic`` flag and provenance of each road network the ``(scenario, base_dir)`` use.

    Each network is loaded once through this process's network source (so a serial study does
    not load it again for its runs).
    """
    from sim.studies.networks import process_networks

    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for sc, base_dir in scenarios:
        key = (sc.network.source, str(base_dir))
        if key in seen:
            continue
        seen.add(key)
        net = process_networks().get(sc.network.source, base_dir)
        entry = {"source": sc.network.source, "name": net.name, "synthetic": bool(net.synthetic), "provenance": net.provenance}
        if entry not in out:
            out.append(entry)
    return tuple(out)


__all__ = [
    "SEED_RULE",
    "Job",
    "Point",
    "Study",
    "check_services",
    "plan_study",
    "replication_seed",
    "replication_seeds",
    "run_id",
    "study_networks",
]
