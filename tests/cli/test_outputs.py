"""Progress outside a terminal (sim/cli/outputs.py): a line every few seconds, none for quick stages."""

from __future__ import annotations

import io

from rich.console import Console

from sim.cli.outputs import LineProgress


def test_line_progress_prints_a_line_per_interval() -> None:
    buf = io.StringIO()
    with LineProgress(Console(file=buf, markup=False, width=200), every_s=0.0) as progress:
        task = progress.add_task("simulating [bold]x", total=None)
        progress.update(task, completed=3, total=10)
        progress.update(task, description="run-cutting: driver duties (4 vehicle or desk blocks)")
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("simulating [bold]x: 3/10 (")
    assert lines[1].startswith("run-cutting: driver duties (4 vehicle or desk blocks): 3/10 (")


def test_line_progress_is_silent_for_quick_stages() -> None:
    buf = io.StringIO()
    with LineProgress(Console(file=buf), every_s=60.0) as progress:
        task = progress.add_task("simulating", total=5)
        for k in range(5):
            progress.update(task, completed=k + 1)
    assert buf.getvalue() == ""
