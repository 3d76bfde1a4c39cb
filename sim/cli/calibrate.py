"""``python main.py calibrate``: fit the behavioural demand's constants to targets (sim/studies/calibrate.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.app import SetOpt, _errors, app, out_console
from sim.errors import InputError


@app.command()
@_errors
def calibrate(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (its demand becomes behavioural).")],
    targets: Annotated[Path, typer.Option("--targets", help="Targets TOML file ([targets.NAME] tables).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="TOML fragment to write (default: calibration.toml beside the scenario).")] = None,
    max_iterations: Annotated[int, typer.Option("--max-iterations", min=1, help="Most re-runs.")] = 15,
    overrides: SetOpt = None,
) -> None:
    """Fit the constants (and trip-rate scale) of the behavioural demand to targets; write a TOML
    that scenarios `extends` and a target-vs-simulated table (.md beside it)."""
    from sim.studies.calibrate import calibrate as fit, fit_table, read_targets, write_calibration

    if not scenario.is_file():
        raise InputError(f"{scenario}: scenario file not found")
    target_list = read_targets(targets)
    dest = out or scenario.resolve().parent / "calibration.toml"
    if dest.exists() and dest.is_dir():
        raise InputError(f"--out {dest}: is a directory; give a .toml file path")

    def tick(it: int, sim: dict[str, float]) -> None:
        shown = ", ".join(f"{k} {v:.3g}" for k, v in sim.items())
        out_console.print(f"run {it + 1}: {shown}", highlight=False)

    cal = fit(scenario, target_list, overrides=overrides or [], max_iterations=max_iterations, progress=tick)
    table = Table(title=f"calibration of {scenario.name} ({'converged' if cal.converged else 'NOT converged'})")
    for col in ("target", "parameter", "fitted", "target value", "simulated", "within"):
        table.add_column(col)
    for name, param, value, tol, sim, ok, _source in fit_table(cal):
        table.add_row(name, param, f"{cal.params[param]:.4g}", f"{value:g} ± {tol:g}", f"{sim:.4g}", ok)
    out_console.print(table)
    paths = write_calibration(cal, dest, scenario=scenario, targets_path=targets)
    out_console.print(f"calibration written to {paths[0]} (table {paths[1]})", highlight=False)
    if not cal.converged:
        raise typer.Exit(1)
