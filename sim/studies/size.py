"""Inverse sizing: the smallest value of a monotone parameter that meets every target.

``python main.py size SCENARIO --vary services.drt.fleet_size=2..12 --target "wait_p90_s<=900"``
evaluates candidate values by bisection, each with ``R`` replications (the same seeds at every
value: common random numbers), and decides with the confidence interval:

* **conservative (the answer)**: a ``<=``/``<`` target is met when the *upper* bound of the 95 %
  interval of the KPI's mean meets it; a ``>=``/``>`` target when the *lower* bound does. So the
  answer is a value at which the mean KPI meets the target with about 97.5 % one-sided confidence.
* **point estimate**: the mean itself meets every target.
* **optimistic**: the other bound meets every target (the smallest value the data cannot rule out).

The optimistic..conservative span is the answer's uncertainty; more replications narrow it.
Feasibility is assumed monotone in the parameter (more vehicles never hurt). Bisection looks at
few values, so it cannot prove this; any violation among the values the three bisections evaluated
is reported as a warning. ``largest=True`` finds the largest value instead (for
a parameter where smaller is better, e.g. vehicles per remote operator).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sim.atomic import write_csv, write_json
from sim.errors import InputError
from sim.stats import Estimate
from sim.studies.execute import Backend, Progress, execute, open_backend
from sim.studies.grid import Axis, format_value
from sim.studies.plan import Study, plan_study
from sim.studies.store import prepare_directory
from sim.studies.summary import check_kpi_names, collect, kpi_names, study_metadata, summarise, write_tables

Bound = Literal["conservative", "mean", "optimistic"]
BOUNDS: tuple[Bound, ...] = ("conservative", "mean", "optimistic")

_TARGET = re.compile(r"^\s*(?P<kpi>[^\s<>=]+)\s*(?P<op><=|>=|<|>)\s*(?P<value>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*$")

#: How each bound is read for each kind of target.
RULE = (
    "a '<=' or '<' target is met when the upper bound of the 95 % Student-t interval of the KPI mean meets it, "
    "a '>=' or '>' target when the lower bound does (conservative); 'point estimate' uses the mean, "
    "'optimistic' the other bound"
)


@dataclass(frozen=True, slots=True)
class Target:
    """``kpi op threshold``, e.g. ``wait_p90_s <= 900`` (the threshold in the KPI's unit)."""

    kpi: str
    op: str
    threshold: float
    text: str

    @property
    def upper(self) -> bool:
        """True for ``<=``/``<`` (the KPI must stay below the threshold)."""
        return self.op in ("<=", "<")

    def value(self, est: Estimate, bound: Bound) -> float:
        """The number compared with the threshold under ``bound``."""
        if bound == "mean":
            return est.mean
        conservative = bound == "conservative"
        return est.high if self.upper == conservative else est.low

    def met(self, est: Estimate, bound: Bound) -> bool:
        """Whether ``est`` meets the target under ``bound`` (never when there is no estimate)."""
        x = self.value(est, bound)
        if x is None or math.isnan(x):
            return False
        t = self.threshold
        return {"<=": x <= t, "<": x < t, ">=": x >= t, ">": x > t}[self.op]


def parse_target(text: str) -> Target:
    """Parse ``"wait_p90_s<=900"`` (operators ``<=``, ``<``, ``>=``, ``>``)."""
    m = _TARGET.match(text)
    if not m:
        raise InputError(
            f"--target {text!r}: expected KPI<=NUMBER, KPI>=NUMBER, KPI<NUMBER or KPI>NUMBER, "
            "e.g. \"wait_p90_s<=900\" or \"rejection_rate<=0.05\""
        )
    return Target(m["kpi"], m["op"], float(m["value"]), text.strip())


def bisect_first(n: int, passes: Callable[[int], bool]) -> int | None:
    """Smallest ``i`` in ``range(n)`` with ``passes(i)``, for ``passes`` monotone (False... then True...).

    Evaluates the last index first (None if even it fails), then bisects; index 0 is only
    evaluated when every larger index evaluated passed. About ``log2(n) + 1`` calls.
    """
    if n <= 0 or not passes(n - 1):
        return None
    lo, hi = -1, n - 1  # passes(hi) holds; lo failed (or is the virtual -1)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if passes(mid):
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The KPIs at one candidate value: ``n`` replications, an estimate per KPI."""

    value: Any
    n: int
    estimates: dict[str, Estimate]

    def meets(self, targets: Sequence[Target], bound: Bound) -> bool:
        """Whether every target is met under ``bound``."""
        return all(t.met(self.estimates[t.kpi], bound) for t in targets)


@dataclass(frozen=True, slots=True)
class SizeSearch:
    """Outcome of :func:`search`: the answers under each bound and every evaluated value."""

    targets: tuple[Target, ...]
    largest: bool
    answers: dict[str, Any]  # bound -> value or None (no candidate meets the targets)
    evaluations: tuple[Evaluation, ...]  # sorted by value
    warnings: tuple[str, ...] = ()

    @property
    def answer(self) -> Any:
        """The conservative answer (None if no candidate meets every target)."""
        return self.answers["conservative"]


def search(
    values: Sequence[Any],
    evaluate: Callable[[Any], Mapping[str, Estimate]],
    targets: Sequence[Target],
    *,
    largest: bool = False,
    count: Callable[[Any], int] | None = None,
) -> SizeSearch:
    """Bisect ``values`` (ascending) for the smallest (``largest``: largest) value meeting ``targets``.

    ``evaluate(value)`` returns an estimate per KPI and is called at most once per value.
    Three bisections (conservative, mean, optimistic bounds) share the evaluations.
    """
    if not targets:
        raise InputError("size: give at least one --target, e.g. --target \"wait_p90_s<=900\"")
    order = list(values)[::-1] if largest else list(values)
    cache: dict[int, Evaluation] = {}

    def ev(i: int) -> Evaluation:
        if i not in cache:
            est = dict(evaluate(order[i]))
            for t in targets:
                if t.kpi not in est:
                    raise InputError(
                        f"--target {t.text!r}: {t.kpi!r} is not a KPI of these runs (a service's own KPI is "
                        f"SERVICE.KPI, with --service SERVICE); available: {', '.join(est)}"
                    )
            n = count(order[i]) if count is not None else max((e.n for e in est.values()), default=0)
            cache[i] = Evaluation(order[i], n, est)
        return cache[i]

    answers: dict[str, Any] = {}
    for bound in BOUNDS:
        i = bisect_first(len(order), lambda j, b=bound: ev(j).meets(targets, b))
        answers[bound] = None if i is None else order[i]
    evaluated = sorted(cache.items())  # in search order (False... True...)
    warnings = []
    for (i, a), (j, b) in zip(evaluated, evaluated[1:]):
        for bound in BOUNDS:
            if a.meets(targets, bound) and not b.meets(targets, bound):
                warnings.append(
                    f"not monotone ({bound} bound): targets met at {format_value(a.value)} but not at "
                    f"{format_value(b.value)}; the answer may be wrong (more replications, or check the parameter)"
                )
    evs = tuple(sorted(cache.values(), key=lambda e: e.value))
    return SizeSearch(tuple(targets), largest, answers, evs, tuple(dict.fromkeys(warnings)))


# --------------------------------------------------------------------------- size a scenario


@dataclass(slots=True)
class SizeResult:
    """What :func:`size` found and wrote."""

    out_dir: Path
    key: str
    study: Study
    search: SizeSearch
    kpis: list[str]
    runs: int
    files: list[Path] = field(default_factory=list)


def _candidates(axis: Axis) -> list[Any]:
    vals = list(axis.values)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        raise InputError(f"--vary {axis.text!r}: sizing needs numbers (a monotone parameter), e.g. KEY=2..12")
    return sorted(vals)


def _estimate_json(e: Estimate) -> dict[str, Any]:
    def c(x: float) -> float | None:
        return None if math.isnan(x) else x

    return {"n": e.n, "mean": c(e.mean), "ci95_low": c(e.low), "ci95_high": c(e.high)}


def size(
    path: Path,
    axis: Axis,
    targets: Sequence[Target],
    out_dir: Path,
    *,
    replications: int,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    largest: bool = False,
    services: Sequence[str] = (),
    workers: int = 1,
    dask: Any = None,
    resume: bool = False,
    progress: Progress | None = None,
    backend: Backend | None = None,
) -> SizeResult:
    """Find the smallest (``largest``) value of ``axis.key`` that meets every target.

    Writes into ``out_dir``: ``runs/``, ``runs.csv`` and ``summary.csv`` (the evaluated values),
    ``curve.csv`` (value, n, each target KPI's mean and interval, whether the targets are met
    under each bound) and ``size.json`` (answers, rule, KPIs at the answer); the report and its
    figures are :func:`sim.report.studies.write_size_report`. Every value of the range and every target's KPI name are validated before
    anything runs or is written. Targets may name a service's own KPI as ``SERVICE.KPI`` when the
    service is listed in ``services``.

    Raises
    ------
    InputError
        No target, an unknown target KPI, or fewer than 2 replications (the decision uses a
        confidence bound, which one replication cannot give).
    """
    if not targets:
        raise InputError("size: give at least one --target, e.g. --target \"wait_p90_s<=900\"")
    check_kpi_names([t.kpi for t in targets], services=services, option="--target")
    values = _candidates(axis)
    if replications < 2:
        raise InputError(
            f"--replications {replications}: size decides with the 95 % confidence bound of each KPI mean, "
            "which needs at least 2 replications; use --replications 2 or more (default 5)"
        )
    study = plan_study(
        path, [{axis.key: v} for v in values], replications=replications, seed=seed, overrides=overrides, services=services
    )
    store = prepare_directory(out_dir, resume=resume)
    by_value = {p.row[axis.key]: p for p in study.points}
    runs = 0

    def evaluate_with(be: Backend) -> Callable[[Any], dict[str, Estimate]]:
        def evaluate(value: Any) -> dict[str, Estimate]:
            nonlocal runs
            pt = by_value[value]
            jobs = [study.job(pt, r) for r in range(study.replications)]
            done_before = runs

            def tick(done: int, total: int) -> None:
                if progress is not None:
                    progress(done_before + done, None)  # type: ignore[arg-type]

            execute(jobs, store, be, progress=tick)
            runs += len(jobs)
            sub = dataclasses.replace(study, points=(pt,))
            recs = collect(sub, store)
            kp = kpi_names([recs[k] for k in sorted(recs)], study.services)
            return summarise([pt], recs, kp)[0].estimates

        return evaluate

    if backend is not None:
        found = search(values, evaluate_with(backend), targets, largest=largest)
    else:
        with open_backend(workers=workers, dask=dask) as be:
            found = search(values, evaluate_with(be), targets, largest=largest)
    evaluated = {e.value for e in found.evaluations}
    sub = dataclasses.replace(study, points=tuple(p for p in study.points if p.row[axis.key] in evaluated))
    tables = write_tables(out_dir, sub, store)
    out_dir = Path(out_dir)
    header = [axis.key, "n"]
    target_kpis = list(dict.fromkeys(t.kpi for t in targets))
    for k in target_kpis:
        header += [f"{k}_mean", f"{k}_ci95_low", f"{k}_ci95_high"]
    header += [f"meets_targets_{b}" for b in BOUNDS]

    def cell(x: float) -> Any:
        return "" if x is None or math.isnan(x) else repr(float(x))

    rows = []
    for e in found.evaluations:
        row: list[Any] = [format_value(e.value), e.n]
        for k in target_kpis:
            est = e.estimates[k]
            row += [cell(est.mean), cell(est.low), cell(est.high)]
        row += ["true" if e.meets(targets, b) else "false" for b in BOUNDS]
        rows.append(row)
    write_csv(out_dir / "curve.csv", header, rows)
    at_answer = next((e for e in found.evaluations if e.value == found.answer), None)
    meta = study_metadata(
        sub,
        kind="size",
        extra={
            "key": axis.key,
            "candidates": values,
            "direction": "largest" if largest else "smallest",
            "targets": [t.text for t in targets],
            "rule": RULE,
            "answer": found.answer,
            "answer_point_estimate": found.answers["mean"],
            "answer_optimistic": found.answers["optimistic"],
            "evaluated": [e.value for e in found.evaluations],
            "kpis_at_answer": {k: _estimate_json(v) for k, v in at_answer.estimates.items()} if at_answer else None,
            "warnings": list(found.warnings),
        },
    )
    write_json(out_dir / "size.json", meta)
    return SizeResult(out_dir, axis.key, sub, found, tables.kpis, runs, [*tables.files, out_dir / "curve.csv", out_dir / "size.json"])


__all__ = [
    "BOUNDS",
    "RULE",
    "Evaluation",
    "SizeResult",
    "SizeSearch",
    "Target",
    "bisect_first",
    "parse_target",
    "search",
    "size",
]
