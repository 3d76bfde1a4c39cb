"""One-at-a-time sensitivity: vary each parameter to a low and a high value around the scenario.

``python main.py sensitivity SCENARIO --param KEY=LOW,HIGH ... --kpi drivers_fte`` runs the
scenario itself and, for each parameter, the scenario with only that parameter at its low and at
its high value (``1 + 2 × parameters`` points, each with ``R`` replications on the same seeds).
It writes ``sensitivity.csv`` (every KPI: base, at low, at high, with intervals, and the swing
``|KPI(high) - KPI(low)|``), rows widest swing first; the tornado charts and the report are
:func:`sim.report.studies.write_sensitivity_report`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.atomic import write_csv, write_json
from sim.errors import InputError
from sim.stats import Estimate
from sim.studies.execute import Progress
from sim.studies.grid import format_value, parse_values
from sim.studies.plan import Study, plan_study
from sim.studies.summary import StudyResult, check_kpi_names, check_kpis, default_kpis, run_study, study_metadata

#: KPIs drawn when none are chosen (those present are used).
DEFAULT_SENSITIVITY_KPIS: tuple[str, ...] = ("drivers_fte", "wait_p90_s", "cost_per_trip_yen")


@dataclass(frozen=True, slots=True)
class ParamRange:
    """A parameter varied one at a time: dotted ``key`` with a ``low`` and a ``high`` value."""

    key: str
    low: Any
    high: Any
    text: str


def parse_param(text: str) -> ParamRange:
    """Parse ``KEY=LOW,HIGH`` (values read as TOML like ``--set``)."""
    if "=" not in text:
        raise InputError(f"--param {text!r}: expected KEY=LOW,HIGH, e.g. services.choisoko.fleet_size=3,6")
    key, raw = (s.strip() for s in text.split("=", 1))
    if not key or not all(p.strip() for p in key.split(".")):
        raise InputError(f"--param {text!r}: key {key!r} is not a dotted path like services.choisoko.fleet_size")
    if key == "seed":
        raise InputError(f"--param {text!r}: the seed cannot be varied; use --replications and --seed")
    values = parse_values(key, raw, option="--param")
    if len(values) != 2:
        raise InputError(f"--param {text!r}: give exactly two values, LOW,HIGH (got {len(values)})")
    return ParamRange(key, values[0], values[1], text)


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    """One parameter's effect on one KPI: estimates at the base, the low and the high value."""

    kpi: str
    key: str
    base_value: Any
    low_value: Any
    high_value: Any
    base: Estimate
    low: Estimate
    high: Estimate

    @property
    def swing(self) -> float:
        """``|mean at high - mean at low|`` (nan if either is missing)."""
        return abs(self.high.mean - self.low.mean)

    @property
    def label(self) -> str:
        """``key`` over ``low / high (base value)``, on two lines."""
        return f"{self.key}\n{format_value(self.low_value)} / {format_value(self.high_value)} (base {format_value(self.base_value)})"


def _order(row: SensitivityRow) -> tuple[int, float, str]:
    s = row.swing
    return (1, 0.0, row.key) if math.isnan(s) else (0, -s, row.key)


def rows_for(kpi: str, params: Sequence[ParamRange], study: Study, result: StudyResult) -> list[SensitivityRow]:
    """Rows of ``kpi``, widest swing first (point 0 is the base, then low/high per parameter)."""
    s = result.summaries
    base = s[0].estimates[kpi]
    rows = []
    for i, p in enumerate(params):
        lo, hi = s[1 + 2 * i], s[2 + 2 * i]
        rows.append(
            SensitivityRow(kpi, p.key, study.points[0].row.get(p.key), p.low, p.high, base, lo.estimates[kpi], hi.estimates[kpi])
        )
    return sorted(rows, key=_order)


@dataclass(slots=True)
class SensitivityResult:
    """What :func:`sensitivity` computed and wrote."""

    out_dir: Path
    params: list[ParamRange]
    result: StudyResult
    kpis: list[str]
    rows: dict[str, list[SensitivityRow]]
    files: list[Path] = field(default_factory=list)


def _c(x: float) -> Any:
    return "" if x is None or math.isnan(x) else repr(float(x))


def sensitivity(
    path: Path,
    params: Sequence[ParamRange],
    out_dir: Path,
    *,
    replications: int,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    kpis: Sequence[str] | None = None,
    services: Sequence[str] = (),
    workers: int = 1,
    dask: Any = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Run a one-at-a-time sensitivity study and write its tables (``sensitivity.csv``, ``sensitivity.json``).

    The report and its tornado charts are :func:`sim.report.studies.write_sensitivity_report`.
    """
    if not params:
        raise InputError("sensitivity: give at least one --param KEY=LOW,HIGH")
    if kpis:
        check_kpi_names(kpis, services=services, option="--kpi")
    keys = [p.key for p in params]
    for k in keys:
        if keys.count(k) > 1:
            raise InputError(f"--param: key {k!r} is given twice; give it once as KEY=LOW,HIGH")
    points: list[dict[str, Any]] = [{}]
    for p in params:
        points += [{p.key: p.low}, {p.key: p.high}]
    study = plan_study(
        path, points, replications=replications, seed=seed, overrides=overrides, keys=keys, option="--param", services=services
    )
    res = run_study(study, out_dir, workers=workers, dask=dask, resume=resume, progress=progress, kind="sensitivity")
    chosen = (
        check_kpis(kpis, res.kpis, option="--kpi")
        if kpis
        else default_kpis(res.kpis, DEFAULT_SENSITIVITY_KPIS)
    )
    out_dir = Path(out_dir)
    all_rows = {k: rows_for(k, params, study, res) for k in res.kpis}
    header = [
        "kpi", "key", "base_value", "low_value", "high_value",
        "base_mean", "base_ci95_low", "base_ci95_high",
        "low_mean", "low_ci95_low", "low_ci95_high",
        "high_mean", "high_ci95_low", "high_ci95_high", "swing",
    ]  # fmt: skip
    table = []
    for k in res.kpis:
        for r in all_rows[k]:
            table.append(
                [
                    k, r.key, format_value(r.base_value), format_value(r.low_value), format_value(r.high_value),
                    _c(r.base.mean), _c(r.base.low), _c(r.base.high),
                    _c(r.low.mean), _c(r.low.low), _c(r.low.high),
                    _c(r.high.mean), _c(r.high.low), _c(r.high.high), _c(r.swing),
                ]  # fmt: skip
            )
    write_csv(out_dir / "sensitivity.csv", header, table)
    meta = study_metadata(study, kind="sensitivity", extra={"params": [p.text for p in params], "kpis": chosen})
    write_json(out_dir / "sensitivity.json", meta)
    return SensitivityResult(out_dir, list(params), res, chosen, all_rows, [*res.files, out_dir / "sensitivity.csv"])
