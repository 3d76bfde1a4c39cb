"""Where the CLI's commands write: the staged, locked output directories of :mod:`sim.outdir`
and the report built into them before the swap."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.errors import InputError, SimError


def build_report_into(staged: Path, *, lang: str, no_report: bool = False) -> tuple[list[Path], SimError | None]:
    """Build the report into the staging directory unless ``no_report``.

    A report that cannot be built (e.g. the Japanese font is missing) does not stop the results
    from being swapped in: the error is returned and raised after the swap.
    """
    if no_report:
        return [], None
    from sim.report.build import build_report

    try:
        return build_report(staged, lang=lang), None
    except SimError as exc:
        return [], exc


def report_done(console: Console, paths: list[Path], error: SimError | None, staged: Path, target: Path) -> None:
    """Print where the report is (after the swap), or raise the error that prevented it."""
    from sim.outdir import relocate

    if error is not None:
        raise error
    if paths:
        first = relocate(paths[0], staged, target)
        console.print(f"report written to {first} (and {paths[1].name}, {len(paths) - 2} figures)", highlight=False)


def study_output(target: Path, resume: bool) -> Any:
    """The locked, staged study directory (:func:`sim.outdir.writing`): with ``--resume`` the stored
    runs are carried over; without it a directory holding stored runs is refused, as before.
    Finished runs of a failed or interrupted study are added to ``<target>/runs`` (as before);
    those of a killed one are recovered from its staging folder by the next writer."""
    from sim.outdir import writing

    runs = target / "runs"
    if not resume and runs.is_dir() and any(p for p in runs.glob("*.json") if not p.name.startswith(".")):
        n = sum(1 for p in runs.glob("*.json") if not p.name.startswith("."))
        raise InputError(
            f"--out {target}: already holds {n} stored run(s); pass --resume to continue that study, or choose another --out"
        )
    return writing(target, keep=("runs",) if resume else (), salvage="runs")


class LineProgress:
    """Progress where the output is not a terminal (a log, CI): one line every ``every_s`` seconds.

    Same calls as the part of :class:`rich.progress.Progress` the CLI uses (``add_task``,
    ``update``, context manager); a stage that ends within ``every_s`` prints nothing.
    """

    def __init__(self, console: Console, every_s: float = 5.0) -> None:
        self.console = console
        self.every_s = every_s
        self.start = self.last = time.monotonic()
        self.tasks: dict[int, dict[str, Any]] = {}

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None, **_: Any) -> int:
        """Start a task; returns its id."""
        self.tasks[len(self.tasks)] = {"description": description, "completed": 0, "total": total}
        return len(self.tasks) - 1

    def update(self, task: int, **fields: Any) -> None:
        """Record ``completed``/``total``/``description``; print a line if ``every_s`` has passed."""
        info = self.tasks[task]
        info.update({k: v for k, v in fields.items() if k in info})
        now = time.monotonic()
        if now - self.last >= self.every_s:
            self.last = now
            done = f" {info['completed']}/{info['total']}" if info["total"] else ""
            self.console.print(f"{info['description']}:{done} ({now - self.start:.0f} s)", highlight=False, soft_wrap=True)
