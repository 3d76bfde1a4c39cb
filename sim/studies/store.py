"""The run store of a study directory: one small JSON file per finished run, written atomically.

Every finished run is stored at once as ``DIR/runs/<run id>.json`` (temporary file, then rename).
The run id is a digest of the resolved scenario and the seed (:func:`sim.studies.plan.run_id`),
so a resumed study reuses exactly the runs it would otherwise repeat, whatever order they
finished in, and a changed scenario file is never mixed with old runs.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.atomic import write_json
from sim.errors import InputError

#: Keys of ``metrics.json`` that are scalars but not KPIs (they have their own columns).
NON_KPI_KEYS = frozenset({"scenario", "seed"})

Scalar = float | int | None


def scalar_kpis(metrics: Mapping[str, Any]) -> dict[str, Scalar]:
    """The scalar KPIs of a ``metrics.json`` dict: numbers and ``None``; dicts, strings, booleans dropped."""
    out: dict[str, Scalar] = {}
    for key, value in metrics.items():
        if key in NON_KPI_KEYS or isinstance(value, bool):
            continue
        if value is None or isinstance(value, (int, float)):
            out[key] = value
    return out


def service_kpis(metrics: Mapping[str, Any]) -> dict[str, dict[str, Scalar]]:
    """The scalar KPIs of each service in ``metrics["per_service"]`` (empty if there is none)."""
    per = metrics.get("per_service")
    if not isinstance(per, Mapping):
        return {}
    return {str(name): scalar_kpis(v) for name, v in per.items() if isinstance(v, Mapping)}


@dataclass(frozen=True, slots=True)
class RunRecord:
    """The stored outcome of one run: its id, replication, seed and scalar KPIs.

    ``per_service`` holds each service's scalar KPIs; ``elapsed_s`` is the wall-clock time of
    the run (seconds) and is kept out of the tables.
    """

    run_id: str
    replication: int
    seed: int
    values: dict[str, Any]
    metrics: dict[str, Scalar]
    elapsed_s: float = 0.0
    per_service: dict[str, dict[str, Scalar]] = field(default_factory=dict)

    def value(self, kpi: str) -> Scalar:
        """A KPI: a key of ``metrics``, or ``SERVICE.KPI`` from ``per_service`` (None if absent)."""
        if kpi in self.metrics:
            return self.metrics[kpi]
        service, _, name = kpi.rpartition(".")
        return self.per_service.get(service, {}).get(name) if service else None

    def names(self, services: Sequence[str] = ()) -> list[str]:
        """KPI names of this run: ``metrics`` keys, then ``SERVICE.KPI`` for the named services."""
        out = list(self.metrics)
        for s in services:
            out += [f"{s}.{k}" for k in self.per_service.get(s, {})]
        return out

    def to_json(self) -> dict[str, Any]:
        """The content of ``runs/<run id>.json``."""
        return {
            "run_id": self.run_id,
            "point": self.values,
            "replication": self.replication,
            "seed": self.seed,
            "metrics": self.metrics,
            "per_service": self.per_service,
            "elapsed_s": self.elapsed_s,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        """Read a stored run (raises ``KeyError``/``TypeError`` if it is not one)."""
        return cls(
            run_id=str(data["run_id"]),
            replication=int(data["replication"]),
            seed=int(data["seed"]),
            values=dict(data["point"]),
            metrics=dict(data["metrics"]),
            elapsed_s=float(data.get("elapsed_s", 0.0)),
            per_service={str(k): dict(v) for k, v in dict(data.get("per_service", {})).items()},
        )


class RunStore:
    """The ``runs/`` folder of a study directory: one JSON file per finished run."""

    def __init__(self, out_dir: Path) -> None:
        self.dir = Path(out_dir) / "runs"

    def path(self, run_id: str) -> Path:
        """Where run ``run_id`` is stored."""
        return self.dir / f"{run_id}.json"

    def stored_ids(self) -> set[str]:
        """Ids of the runs stored so far."""
        if not self.dir.is_dir():
            return set()
        return {p.stem for p in self.dir.glob("*.json") if not p.name.startswith(".")}

    def clean_temporaries(self) -> int:
        """Delete temporaries left by a killed process (never read); return how many."""
        if not self.dir.is_dir():
            return 0
        stale = list(self.dir.glob(".*.tmp"))
        for p in stale:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        return len(stale)

    def load(self, run_id: str) -> RunRecord | None:
        """The stored run ``run_id``, or None if it is missing or unreadable."""
        try:
            rec = RunRecord.from_json(json.loads(self.path(run_id).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return rec if rec.run_id == run_id else None

    def save(self, record: RunRecord) -> None:
        """Store ``record`` atomically."""
        write_json(self.path(record.run_id), record.to_json())

    def discard(self, run_id: str) -> None:
        """Forget the stored run ``run_id`` (it will run again)."""
        with contextlib.suppress(FileNotFoundError):
            self.path(run_id).unlink()


def prepare_directory(out_dir: Path, *, resume: bool, replace: bool = False) -> RunStore:
    """Check ``out_dir`` can hold a study and return its run store.

    Without ``resume`` a directory that already holds stored runs is refused (nothing is
    overwritten), unless ``replace`` (``compare``, which like ``run`` rewrites its directory):
    then the stored runs are forgotten and every run is done again. Temporaries left by a killed
    process are removed.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a directory; give a directory path")
    store = RunStore(out_dir)
    stored = store.stored_ids()
    if not resume and stored:
        if not replace:
            raise InputError(
                f"--out {out_dir}: already holds {len(stored)} stored run(s); "
                "pass --resume to continue that study, or choose another --out"
            )
        for rid in stored:
            store.discard(rid)
    store.clean_temporaries()
    store.dir.mkdir(parents=True, exist_ok=True)
    return store


__all__ = ["NON_KPI_KEYS", "RunRecord", "RunStore", "Scalar", "prepare_directory", "scalar_kpis", "service_kpis"]
