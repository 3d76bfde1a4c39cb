"""Read a results directory (one run, or a comparison of several) into typed records for the report.

A *run directory* holds ``metrics.json`` and the CSV/TOML files of one simulated day (see README
"Results"); ``staffing.json``, ``duties.csv``, ``costs.json``, ``layout.json`` and ``lines.csv`` are optional. A
*comparison directory* holds ``comparison.csv`` (one row per scenario: a ``scenario`` column, KPI
columns and, with replications, ``<kpi>_ci95_low`` / ``<kpi>_ci95_high``) and run directories,
found by the scenario name recorded in their ``metrics.json`` (at depth 1 or 2, so replications
may sit in subfolders of a scenario's folder).

Everything optional is read defensively: a missing file or key gives ``None``, never an error.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sim import kpis
from sim.atomic import unneutralise
from sim.errors import InputError

#: CSV files of a run directory that the report reads (all optional except requests/vehicles).
_RUN_CSVS = ("requests", "vehicles", "legs", "vehicle_moves", "demand", "duties", "lines")


@dataclass(frozen=True, slots=True)
class Value:
    """A KPI value: the mean and, with replications, a 95% confidence interval."""

    mean: float | None
    low: float | None = None
    high: float | None = None

    @property
    def has_ci(self) -> bool:
        """Whether a confidence interval is known."""
        return self.low is not None and self.high is not None


@dataclass(frozen=True, slots=True)
class RunData:
    """One run directory, read.

    Attributes
    ----------
    name
        Scenario name (from ``metrics.json``, else ``scenario.toml``, else the folder name).
    directory
        The run directory.
    scenario
        The resolved scenario (``scenario.toml`` as a dict; empty if missing).
    metrics
        ``metrics.json``.
    requests, vehicles, legs, moves, demand
        The CSV files as data frames (empty frames when missing).
    staffing, costs
        ``staffing.json`` / ``costs.json`` or ``None``.
    duties, lines
        ``duties.csv`` / ``lines.csv`` or ``None``.
    header_comments
        Comment lines at the top of ``scenario.toml`` (network banner, seed, source file).
    layout
        ``layout.json`` (where the services ran, for the maps; see :mod:`sim.run.layout_file`) or ``None``.
    """

    name: str
    directory: Path
    scenario: dict[str, Any]
    metrics: dict[str, Any]
    requests: pd.DataFrame
    vehicles: pd.DataFrame
    legs: pd.DataFrame
    moves: pd.DataFrame
    demand: pd.DataFrame
    staffing: dict[str, Any] | None
    costs: dict[str, Any] | None
    duties: pd.DataFrame | None
    lines: pd.DataFrame | None
    header_comments: tuple[str, ...]
    layout: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """One scenario of a study: its runs (one per replication) and KPI values.

    ``runs`` is empty when a comparison lists a scenario whose run directory is missing.
    """

    name: str
    runs: tuple[RunData, ...]
    kpis: dict[str, Value]

    @property
    def first(self) -> RunData | None:
        """The first run (maps and the assumptions table use it)."""
        return self.runs[0] if self.runs else None


@dataclass(frozen=True, slots=True)
class Study:
    """What a report describes: a single run or a comparison."""

    directory: Path
    kind: Literal["run", "comparison"]
    scenarios: tuple[ScenarioResult, ...]
    replications: int

    @property
    def names(self) -> list[str]:
        """Scenario names in report order."""
        return [s.name for s in self.scenarios]


# --------------------------------------------------------------------------- helpers


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not readable JSON ({exc}); rerun the simulation to rewrite it") from None
    return data if isinstance(data, dict) else None


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path, encoding="utf-8", low_memory=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc}); rerun the simulation to rewrite it") from None


def _header_comments(path: Path) -> tuple[str, ...]:
    out: list[str] = []
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    break
                out.append(line[1:].strip())
    except OSError:
        return ()
    return tuple(out)


def _number(value: Any) -> float | None:
    """A finite float, or ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def is_run_dir(path: Path) -> bool:
    """Whether ``path`` looks like a run directory (has ``metrics.json``)."""
    return (path / "metrics.json").is_file()


def is_comparison_dir(path: Path) -> bool:
    """Whether ``path`` looks like a comparison directory (has ``comparison.csv``)."""
    return (path / "comparison.csv").is_file()


def read_run(directory: Path) -> RunData:
    """Read a run directory.

    Raises
    ------
    InputError
        If ``metrics.json`` is missing or a file present is unreadable.
    """
    metrics = _read_json(directory / "metrics.json")
    if metrics is None:
        raise InputError(f"{directory}: no metrics.json; give a directory written by `python main.py run` or `compare`")
    scenario: dict[str, Any] = {}
    toml_path = directory / "scenario.toml"
    if toml_path.is_file():
        try:
            scenario = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{toml_path}: not valid TOML ({exc}); rerun the simulation to rewrite it") from None
    frames = {name: _read_csv(directory / f"{name}.csv") for name in _RUN_CSVS}
    name = str(metrics.get("scenario") or scenario.get("name") or directory.name)
    empty = pd.DataFrame()
    return RunData(
        name=name,
        directory=directory,
        scenario=scenario,
        metrics=metrics,
        requests=frames["requests"] if frames["requests"] is not None else empty,
        vehicles=frames["vehicles"] if frames["vehicles"] is not None else empty,
        legs=frames["legs"] if frames["legs"] is not None else empty,
        moves=frames["vehicle_moves"] if frames["vehicle_moves"] is not None else empty,
        demand=frames["demand"] if frames["demand"] is not None else empty,
        staffing=_read_json(directory / "staffing.json"),
        costs=_read_json(directory / "costs.json"),
        duties=frames["duties"],
        lines=frames["lines"],
        header_comments=_header_comments(toml_path),
        layout=_read_json(directory / "layout.json"),
    )


# --------------------------------------------------------------------------- KPI values

#: Canonical KPI key -> other names used for it by ``metrics.json``, ``staffing.json`` or ``costs.json``.
KPI_ALIASES: dict[str, tuple[str, ...]] = {
    "drivers_fte": ("drivers_fte", "driver_fte"),
    "annual_cost_yen": ("annual_cost_yen", "total_annual_cost_yen", "annual_total_yen", "cost_annual_yen", "cost_yen_per_year"),
    "annual_subsidy_yen": ("annual_subsidy_yen", "subsidy_yen_per_year", "subsidy_annual_yen", "annual_deficit_yen"),
    "annual_fare_revenue_yen": ("annual_fare_revenue_yen", "fare_revenue_yen_per_year", "annual_revenue_yen"),
    "cost_per_trip_yen": ("cost_per_trip_yen", "cost_per_passenger_yen"),
    "subsidy_per_trip_yen": ("subsidy_per_trip_yen", "subsidy_per_passenger_yen"),
    "staff_fte": ("staff_fte", "staff_fte_total", "total_fte"),
}


def canonical_kpis(kpis: dict[str, Any]) -> dict[str, Any]:
    """Rename alias keys to their canonical KPI key (see :data:`KPI_ALIASES`), keeping the first found."""
    out = dict(kpis)
    for key, names in KPI_ALIASES.items():
        for name in names:
            if name == key or name not in out:
                continue
            value = out.pop(name)
            out.setdefault(key, value)
    return out


def flatten_scalars(data: Any, *, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of nested JSON: ``{"a": {"b": 1}}`` -> ``{"a.b": 1.0}`` (lists are skipped)."""
    out: dict[str, float] = {}
    if not isinstance(data, dict):
        return out
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten_scalars(value, prefix=f"{path}."))
        else:
            number = _number(value)
            if number is not None:
                out[path] = number
    return out


def lookup(data: dict[str, Any] | None, key: str) -> float | None:
    """A KPI from JSON ``data``: the key or one of its aliases, top level first, then any nested leaf."""
    if not data:
        return None
    names = KPI_ALIASES.get(key, (key,))
    for name in names:
        number = _number(data.get(name))
        if number is not None:
            return number
    flat = flatten_scalars(data)
    for name in names:
        for path, number in flat.items():
            if path.rsplit(".", 1)[-1] == name and not path.startswith("per_service."):
                return number
    return None


def _is_result_key(key: str) -> bool:
    """Whether a staffing/costs key is a result worth a KPI row (not an input parameter)."""
    return (
        key.endswith("_fte")
        or (key.startswith("annual_") and key.endswith("_yen"))
        or key.endswith("_per_trip_yen")
        or key in {"duties_per_day", "staff_hours_per_day"}
    )


def run_kpis(run: RunData) -> dict[str, float]:
    """Scalar KPIs of one run: ``metrics.json`` top level, then results of staffing and costs."""
    out: dict[str, float] = {}
    for key, value in run.metrics.items():
        number = _number(value)
        if number is not None and key != "seed":
            out[key] = number
    for source in (run.staffing, run.costs):
        if not source:
            continue
        out = canonical_kpis(out)
        for key in KPI_ALIASES:
            if key not in out:
                number = lookup(source, key)
                if number is not None:
                    out[key] = number
        for key, value in source.items():
            number = _number(value)
            if number is not None and key not in out and _is_result_key(key):
                out[key] = number
    return canonical_kpis(out)


def _mean_kpis(runs: tuple[RunData, ...]) -> dict[str, Value]:
    per_run = [run_kpis(r) for r in runs]
    keys: list[str] = []
    for kp in per_run:
        keys += [k for k in kp if k not in keys]
    out: dict[str, Value] = {}
    for key in keys:
        values = [kp.get(key) for kp in per_run]
        if len(runs) == 1:
            out[key] = Value(values[0])
            continue
        from sim.stats import mean_ci  # scipy.stats: only with replications

        est = mean_ci(values, bounds=kpis.bounds(key))  # clipped like every study output
        if est.n == 0:
            out[key] = Value(None)
        elif est.n == 1:  # one run had a value: a mean but no interval (low/high are nan)
            out[key] = Value(est.mean)
        else:
            out[key] = Value(est.mean, est.low, est.high)
    return out


def _csv_kpis(row: pd.Series) -> dict[str, Value]:
    out: dict[str, Value] = {}
    cols = set(row.index)
    for col in row.index:
        if col == "scenario" or col.endswith("_ci95_low") or col.endswith("_ci95_high"):
            continue
        mean = _number(row[col])
        low = _number(row[f"{col}_ci95_low"]) if f"{col}_ci95_low" in cols else None
        high = _number(row[f"{col}_ci95_high"]) if f"{col}_ci95_high" in cols else None
        if mean is None and low is None:
            continue
        out[col] = Value(mean, low, high)
    return canonical_kpis(out)


# --------------------------------------------------------------------------- studies


def _find_runs(directory: Path) -> dict[str, list[Path]]:
    """Run directories under ``directory`` (depth 1 and 2), grouped by scenario name."""
    found: dict[str, list[Path]] = {}
    candidates = sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    for sub in candidates:
        if is_run_dir(sub):
            paths = [sub]
        else:
            paths = sorted(q for q in sub.iterdir() if q.is_dir() and is_run_dir(q))
        for path in paths:
            metrics = _read_json(path / "metrics.json") or {}
            name = str(metrics.get("scenario") or path.name)
            found.setdefault(name, []).append(path)
    return found


def load_study(directory: Path) -> Study:
    """Read a run or comparison directory.

    Raises
    ------
    InputError
        If ``directory`` is neither, or its files are unreadable.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory; give a results directory written by `run` or `compare`")
    if is_comparison_dir(directory):
        table = _read_csv(directory / "comparison.csv")
        if table is None or table.empty or "scenario" not in table.columns:
            raise InputError(
                f"{directory / 'comparison.csv'}: needs a 'scenario' column and one row per scenario; "
                "rerun `python main.py compare`"
            )
        runs_by_name = _find_runs(directory)
        scenarios: list[ScenarioResult] = []
        reps = 1
        for _, row in table.iterrows():
            name = unneutralise(str(row["scenario"]))  # as written by sim.atomic.write_csv
            runs = tuple(read_run(p) for p in runs_by_name.get(name, []))
            kpis = _mean_kpis(runs) if runs else {}
            kpis.update(_csv_kpis(row))  # comparison.csv is the authority for its columns
            scenarios.append(ScenarioResult(name, runs, kpis))
            reps = max(reps, len(runs))
            if "replications" in row.index and _number(row["replications"]) is not None:
                reps = max(reps, int(_number(row["replications"]) or 1))
        has_ci = any(v.has_ci for s in scenarios for v in s.kpis.values())
        return Study(directory, "comparison", tuple(scenarios), reps if (reps > 1 or has_ci) else 1)
    if is_run_dir(directory):
        run = read_run(directory)
        return Study(directory, "run", (ScenarioResult(run.name, (run,), _mean_kpis((run,))),), 1)
    raise InputError(
        f"{directory}: no metrics.json or comparison.csv; give a results directory written by "
        "`python main.py run` or `python main.py compare`"
    )
