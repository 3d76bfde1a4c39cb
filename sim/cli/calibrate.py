"""``python main.py calibrate``: fit the behavioural demand's constants to targets.

The typer command is declared in :mod:`sim.cli.app`; this module does the work
(:mod:`sim.studies.calibrate`) and prints the progress and the target-vs-simulated table.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.errors import InputError


def calibrate_command(
    scenario: Path,
    targets: Path,
    out: Path | None,
    max_iterations: int,
    overrides: list[str],
    console: Console,
) -> bool:
    """Fit, print and write the calibration; return whether every target was met."""
    from sim.studies.calibrate import calibrate as fit
    from sim.studies.calibrate import fit_table, read_targets, write_calibration

    if not scenario.is_file():
        raise InputError(f"{scenario}: scenario file not found")
    target_list = read_targets(targets)
    dest = out or scenario.resolve().parent / "calibration.toml"
    if dest.is_dir():
        raise InputError(f"--out {dest}: is a directory; give a .toml file path")

    def tick(it: int, sim: dict[str, float]) -> None:
        shown = ", ".join(f"{k} {v:.3g}" for k, v in sim.items())
        console.print(f"run {it + 1}: {shown}", highlight=False)

    cal = fit(scenario, target_list, overrides=overrides, max_iterations=max_iterations, progress=tick)
    state = "converged" if cal.converged else "NOT converged"
    table = Table(title=f"calibration of {scenario.name} ({state})")
    for col in ("target", "parameter", "fitted", "target value", "simulated", "within"):
        table.add_column(col)
    for name, param, value, tol, sim, ok, _source in fit_table(cal):
        table.add_row(name, param, f"{cal.params[param]:.4g}", f"{value:g} ± {tol:g}", f"{sim:.4g}", ok)
    console.print(table)
    paths = write_calibration(cal, dest, scenario=scenario, targets_path=targets)
    console.print(f"calibration written to {paths[0]} (table {paths[1]})", highlight=False)
    return cal.converged
