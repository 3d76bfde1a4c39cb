"""Calibration of the behavioural demand: fit constants (and a trip-rate scale) to targets.

A targets file (TOML) lists targets, each a simulated metric, the value aimed at, a tolerance, the
parameter it moves and its source::

    [targets.drt_riders]
    metric = "per_service.choisoko.passengers_served"   # a dotted path into metrics.json
    value = 35
    tolerance = 10
    parameter = "drt"            # a constant of [demand.behaviour.asc], or "trip_rate_scale"
    source = "チョイソコ elsewhere 20–55 riders a day (PARAMETERS.md); 35 is an ASSUMPTION"

``metric`` may be a list of paths, which are summed (e.g. car and lift shares).

Method: every iteration runs the scenario (same seed, so the same residents and taste draws) and
moves each target's parameter by the standard constant-update of logit calibration: a constant
by ``log(target / simulated)`` (a share in (0, 1) on the log-odds scale instead), the trip-rate
scale by ``target / simulated``; damped by ``damping``. It stops when every target is within its
tolerance or after ``max_iterations``. The fitted values are written as a TOML fragment
(``[demand.behaviour]`` ``trip_rate_scale`` and ``[demand.behaviour.asc]``) that scenarios
``extends``; the table target vs simulated as Markdown beside it.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.atomic import write_text
from sim.errors import InputError
from sim.run.runner import NetworkCache, run_scenario
from sim.scenario.behaviour import ASC_KEYS, BehaviourConfig
from sim.scenario.schema import Scenario, load_scenario

PARAMETERS: tuple[str, ...] = (*ASC_KEYS, "trip_rate_scale")


@dataclass(frozen=True, slots=True)
class Target:
    """One calibration target (see the module docstring)."""

    name: str
    metrics: tuple[str, ...]
    value: float
    tolerance: float
    parameter: str
    source: str = ""


@dataclass(slots=True)
class Calibration:
    """The fitted parameters, the simulated value of every target per iteration, and convergence."""

    targets: list[Target]
    params: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    converged: bool = False

    @property
    def final(self) -> dict[str, float]:
        return self.history[-1] if self.history else {}

    def within(self, t: Target) -> bool:
        v = self.final.get(t.name, math.nan)
        return math.isfinite(v) and abs(v - t.value) <= t.tolerance


def read_targets(path: Path) -> list[Target]:
    """Parse a targets file; errors name the file, target and key."""
    if not path.is_file():
        raise InputError(f"{path}: targets file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    table = data.get("targets")
    if not isinstance(table, dict) or not table:
        raise InputError(f"{path}: needs at least one [targets.NAME] table")
    out = []
    seen: set[str] = set()
    for name, t in table.items():
        where = f"{path}: targets.{name}"
        if not isinstance(t, dict):
            raise InputError(
                f"{where}: must be a table with metric, value, tolerance, parameter"
            )
        metric = t.get("metric")
        metrics = (
            (metric,)
            if isinstance(metric, str)
            else tuple(metric)
            if isinstance(metric, list)
            else ()
        )
        if not metrics or not all(isinstance(m, str) and m for m in metrics):
            raise InputError(
                f"{where}.metric: {metric!r} must be a dotted metrics.json path or a list of them"
            )
        for key in ("value", "tolerance"):
            v = t.get(key)
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float))
                or not math.isfinite(v)
                or (key == "tolerance" and v <= 0)
            ):
                raise InputError(
                    f"{where}.{key}: {v!r} must be a {'positive ' if key == 'tolerance' else ''}number"
                )
        param = t.get("parameter")
        if param not in PARAMETERS:
            raise InputError(
                f"{where}.parameter: {param!r} is not valid; expected one of {', '.join(PARAMETERS)}"
            )
        if param in seen:
            raise InputError(
                f"{where}.parameter: {param!r} is already fitted by another target; one target per parameter"
            )
        seen.add(param)
        extra = sorted(set(t) - {"metric", "value", "tolerance", "parameter", "source"})
        if extra:
            raise InputError(
                f"{where}: unknown key {extra[0]!r}; valid: metric, value, tolerance, parameter, source"
            )
        out.append(
            Target(
                name,
                metrics,
                float(t["value"]),
                float(t["tolerance"]),
                param,
                str(t.get("source", "")),
            )
        )
    return out


def metric_value(metrics: dict[str, Any], paths: Sequence[str]) -> float:
    """Sum of the values at dotted ``paths`` of ``metrics`` (missing or ``None`` count as 0)."""
    total = 0.0
    for p in paths:
        node: Any = metrics
        for part in p.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        total += (
            float(node)
            if isinstance(node, (int, float)) and not isinstance(node, bool)
            else 0.0
        )
    return total


def _with(scenario: Scenario, params: dict[str, float]) -> Scenario:
    cfg = scenario.demand.behaviour or BehaviourConfig()
    asc = {**cfg.asc, **{k: v for k, v in params.items() if k in ASC_KEYS}}
    upd: dict[str, Any] = {"asc": asc}
    if "trip_rate_scale" in params:
        upd["trip_rate_scale"] = params["trip_rate_scale"]
    demand = scenario.demand.model_copy(
        update={"model": "behavioural", "behaviour": cfg.model_copy(update=upd)}
    )
    return scenario.model_copy(update={"demand": demand})


def _step(t: Target, current: float, simulated: float, damping: float) -> float:
    eps = 1e-6
    if t.parameter == "trip_rate_scale":
        return current * (max(t.value, eps) / max(simulated, eps)) ** damping
    if 0.0 < t.value < 1.0 and 0.0 <= simulated <= 1.0 and t.tolerance < 1.0:
        s = min(max(simulated, eps), 1 - eps)
        delta = math.log(t.value / (1 - t.value)) - math.log(s / (1 - s))
    else:
        delta = math.log(max(t.value, eps) / max(simulated, 0.5))
    return current + damping * delta


def calibrate(
    scenario_path: Path,
    targets: list[Target],
    *,
    overrides: list[str] | None = None,
    max_iterations: int = 15,
    damping: float = 0.8,
    progress: Callable[[int, dict[str, float]], None] | None = None,
) -> Calibration:
    """Fit the targets' parameters by iterated runs of the scenario (module docstring)."""
    scenario, base = load_scenario(scenario_path, overrides=overrides or [])
    cfg = scenario.demand.behaviour or BehaviourConfig()
    start = cfg.constants()
    params = {
        t.parameter: (
            cfg.trip_rate_scale
            if t.parameter == "trip_rate_scale"
            else start[t.parameter]
        )
        for t in targets
    }
    cal = Calibration(targets, dict(params))
    cache = NetworkCache()
    for it in range(max_iterations + 1):
        result = run_scenario(
            _with(scenario, params), base, networks=cache, source=str(scenario_path)
        )
        sim = {t.name: metric_value(result.metrics, t.metrics) for t in targets}
        cal.history.append(sim)
        cal.params = dict(params)
        if progress is not None:
            progress(it, sim)
        if all(cal.within(t) for t in targets):
            cal.converged = True
            break
        if it == max_iterations:
            break
        for t in targets:
            if abs(sim[t.name] - t.value) > t.tolerance:
                params[t.parameter] = _step(
                    t, params[t.parameter], sim[t.name], damping
                )
    return cal


def calibration_toml(cal: Calibration, *, scenario: Path, targets_path: Path) -> str:
    """The fitted values as a TOML fragment for ``extends``, with the fit in comments."""
    lines = [
        f"# Written by `python main.py calibrate {scenario.name} --targets {targets_path.name}`.",
        "# Fitted constants of the behavioural demand (utility units) and trip-rate scale; the",
        "# targets and their sources are in the targets file. Scenarios use them with `extends`.",
        f"# converged: {'yes' if cal.converged else 'NO'} after {len(cal.history)} runs",
    ]
    for t in cal.targets:
        v = cal.final.get(t.name, math.nan)
        lines.append(
            f"# {t.name}: target {t.value:g} ± {t.tolerance:g}, simulated {v:.4g}"
        )
    lines.append("")
    lines.append("[demand]")
    lines.append('model = "behavioural"')
    lines.append("")
    lines.append("[demand.behaviour]")
    if "trip_rate_scale" in cal.params:
        lines.append(f"trip_rate_scale = {round(cal.params['trip_rate_scale'], 4)!r}")
    lines.append("")
    lines.append("[demand.behaviour.asc]")
    for k in ASC_KEYS:
        if k in cal.params:
            lines.append(f"{k} = {round(cal.params[k], 4)!r}")
    return "\n".join(lines) + "\n"


def fit_table(cal: Calibration) -> list[tuple[str, str, float, float, float, str, str]]:
    """Rows (target, parameter, target value, tolerance, simulated, within, source)."""
    return [
        (
            t.name,
            t.parameter,
            t.value,
            t.tolerance,
            cal.final.get(t.name, math.nan),
            "yes" if cal.within(t) else "NO",
            t.source,
        )
        for t in cal.targets
    ]


def fit_markdown(cal: Calibration) -> str:
    """The target-vs-simulated table in Markdown."""
    out = [
        "| target | parameter | fitted | target value | tolerance | simulated | within | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, param, value, tol, sim, ok, source in fit_table(cal):
        out.append(
            f"| {name} | {param} | {cal.params[param]:.4g} | {value:g} | ± {tol:g} | {sim:.4g} | {ok} | {source} |"
        )
    return "\n".join(out) + "\n"


def write_calibration(
    cal: Calibration, out: Path, *, scenario: Path, targets_path: Path
) -> list[Path]:
    """Write ``out`` (the TOML fragment) and ``out`` with suffix ``.md`` (the fit table)."""
    write_text(out, calibration_toml(cal, scenario=scenario, targets_path=targets_path))
    md = out.with_suffix(".md")
    write_text(md, f"# Calibration of {scenario.name}\n\n" + fit_markdown(cal))
    return [out, md]
