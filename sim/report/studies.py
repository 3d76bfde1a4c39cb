"""Markdown reports of sweeps, sizing and sensitivity studies (``report.md`` of a study directory)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.studies.grid import format_value
from sim.stats import Estimate

if TYPE_CHECKING:
    from sim.studies.sensitivity import SensitivityResult
    from sim.studies.size import SizeResult
    from sim.studies.sweep import Study, StudyResult


def fmt_estimate(e: Estimate, kpi: str) -> str:
    """``mean [low, high]`` in the KPI's unit (seconds shown as minutes).

    Without an interval (one replication: ``low``/``high`` are nan) ``mean (no CI)``.
    """
    if e.n == 0 or math.isnan(e.mean):
        return "–"
    scale, unit = (1 / 60, " min") if kpi.endswith("_s") else (1.0, "")

    def f(x: float) -> str:
        x *= scale
        return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"

    if math.isnan(e.low) or math.isnan(e.high):
        return f"{f(e.mean)}{unit} (no CI)"
    return f"{f(e.mean)} [{f(e.low)}, {f(e.high)}]{unit}"


def network_sentence(net: Mapping[str, Any]) -> str:
    """The provenance sentence of a road network (``name``, ``synthetic``, ``provenance``)."""
    name = net.get("name") or net.get("source") or "?"
    prov = net.get("provenance") or "provenance not recorded"
    if net.get("synthetic"):
        note = "synthetic" if "OpenStreetMap" in prov else "synthetic, not OpenStreetMap data"
        return f"Road network: {name} — {prov} ({note})."
    return f"Road network: {name} — {prov}."


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _study_lines(study: Study) -> list[str]:
    lines = [
        f"* scenario file: `{study.source}`",
        f"* replications per point: {study.replications}; root seed {study.root_seed}; replication seeds "
        f"{', '.join(str(s) for s in study.seeds[:10])}{' …' if study.replications > 10 else ''}",
        "* common random numbers: replication *r* uses the same seed (the same demand) at every point",
        "* intervals: 95 % Student-t confidence interval of the mean over replications, written `mean [low, high]`"
        + (" (one replication gives no interval: `(no CI)`)" if study.replications < 2 else ""),
    ]
    lines += [f"* {network_sentence(n)}" for n in study.networks]
    if study.fixed:
        lines.append("* fixed overrides: " + ", ".join(f"`{s}`" for s in study.fixed))
    return lines


def _figs(figs: Sequence[Path], out_dir: Path) -> list[str]:
    lines = []
    for p in figs:
        rel = p.relative_to(out_dir) if p.is_relative_to(out_dir) else p
        lines.append(f"![{p.stem}]({rel.as_posix()})")
    return lines


def sweep_report(result: StudyResult, kpis: Sequence[str], figs: Sequence[Path]) -> str:
    """The ``report.md`` of a sweep: what ran, a summary table of the chosen KPIs, the figures."""
    study = result.study
    ex = result.execution
    lines = [f"# Sweep of `{study.source.name}`", ""]
    lines += _study_lines(study)
    lines += [
        f"* grid: {len(study.points)} point(s) over " + ", ".join(f"`{k}`" for k in study.keys),
        f"* runs: {ex.total} ({ex.reused} reused from an earlier run of this sweep, {ex.ran} run now)",
        "",
        "## Summary",
        "",
    ]
    header = ["point", *study.keys, "n", *kpis]
    rows = [
        [s.point.index, *(format_value(s.point.row.get(k)) for k in study.keys), s.n, *(fmt_estimate(s.estimates[k], k) for k in kpis)]
        for s in result.summaries
    ]
    lines += _table(header, rows)
    lines += ["", "Every KPI of every run is in `runs.csv`; means and intervals of every KPI in `summary.csv`.", ""]
    if figs:
        lines += ["## Figures", ""] + _figs(figs, result.out_dir) + [""]
    return "\n".join(lines)


def size_report(result: SizeResult, figs: Sequence[Path]) -> str:
    """The ``report.md`` of a sizing study."""
    from sim.studies.size import RULE

    s = result.search
    word = "largest" if s.largest else "smallest"
    lines = [f"# Sizing `{result.key}` for `{result.study.source.name}`", ""]
    lines += _study_lines(result.study)
    lines += ["* targets: " + ", ".join(f"`{t.text}`" for t in s.targets), f"* rule: {RULE}", "", "## Answer", ""]
    if s.answer is None:
        lines.append(f"No evaluated value of `{result.key}` meets every target with the conservative bound.")
    else:
        lines.append(f"**{result.key} = {format_value(s.answer)}** is the {word} value that meets every target (conservative bound).")
    lines += [
        "",
        f"* point estimate (mean meets the targets): {format_value(s.answers['mean']) if s.answers['mean'] is not None else 'none'}",
        f"* optimistic (other bound): {format_value(s.answers['optimistic']) if s.answers['optimistic'] is not None else 'none'}",
        "",
    ]
    for w in s.warnings:
        lines.append(f"> warning: {w}")
    if s.warnings:
        lines.append("")
    kp = list(dict.fromkeys(t.kpi for t in s.targets))
    lines += ["## Evaluated curve", ""]
    rows = [[format_value(e.value), e.n, *(fmt_estimate(e.estimates[k], k) for k in kp), "yes" if e.meets(s.targets, "conservative") else "no"] for e in s.evaluations]
    lines += _table([result.key, "n", *kp, "meets (conservative)"], rows)
    lines.append("")
    if figs:
        lines += ["## Figures", ""] + _figs(figs, result.out_dir) + [""]
    return "\n".join(lines)


def sensitivity_report(result: SensitivityResult, figs: Sequence[Path]) -> str:
    """The ``report.md`` of a one-at-a-time sensitivity study."""
    study = result.result.study
    lines = [f"# Sensitivity of `{study.source.name}`", ""]
    lines += _study_lines(study)
    lines += ["* parameters (one at a time): " + ", ".join(f"`{p.text}`" for p in result.params), ""]
    for k in result.kpis:
        rows = result.rows[k]
        lines += [f"## {k}", "", f"base: {fmt_estimate(rows[0].base, k)}", ""]
        lines += _table(
            ["parameter", "low → KPI", "high → KPI", "swing"],
            [
                [
                    f"`{r.key}` (base {format_value(r.base_value)})",
                    f"{format_value(r.low_value)} → {fmt_estimate(r.low, k)}",
                    f"{format_value(r.high_value)} → {fmt_estimate(r.high, k)}",
                    "–" if math.isnan(r.swing) else f"{r.swing * (1 / 60 if k.endswith('_s') else 1):,.3g}",
                ]
                for r in rows
            ],
        )
        lines.append("")
    if figs:
        lines += ["## Tornado charts", ""] + _figs(figs, result.out_dir) + [""]
    lines.append("All KPIs: `sensitivity.csv`; runs: `runs.csv`; per-point means: `summary.csv`.")
    return "\n".join(lines) + "\n"
