"""Time the test suite: the README's test command (whole suite) and its quick form (``-m "not slow"``).

Usage: ``python benchmarks/suite_time.py [--quick | --whole] [--serial] [--repeat N]``

Each case runs pytest in a child process from the repository folder and prints one JSON line:
``case`` (``whole`` or ``not-slow``, ``+serial`` without pytest-xdist), ``command``, ``wall_s``,
``cpu_s`` (user + system CPU seconds of pytest and every process it waited for: the xdist workers
and the CLI subprocesses of the tests), ``tests_s`` (the sum of the per-test durations pytest
reports, setup + call + teardown; on a machine shared with other work this grows with the load,
``cpu_s`` much less), ``load_before`` / ``load_after`` (1-minute load average), ``summary``
(pytest's closing line) and ``exit_code``. The command is the README's (``python -m pytest -n
auto``), with ``--durations=0 --durations-min=0 -q -p no:cacheprovider`` added to read the
durations. Figures are recorded in benchmarks/README.md ("Test suite").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DURATION = re.compile(r"^(\d+(?:\.\d+)?)s (?:setup|call|teardown)\s+\S")
SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed).*) in [\d.]+s")


@dataclass(frozen=True, slots=True)
class SuiteTime:
    """One timed pytest run (seconds)."""

    case: str
    command: str
    wall_s: float
    cpu_s: float
    tests_s: float
    load_before: float
    load_after: float
    summary: str
    exit_code: int


def readme_command() -> list[str]:
    """The README's test command: the quick start's text after ``pip install -e ".[test]" &&``."""
    (line,) = [ln for ln in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if 'pip install -e ".[test]"' in ln]
    return shlex.split(line.split("&&")[-1])


def time_suite(quick: bool, serial: bool, output: Path | None = None) -> SuiteTime:
    """Run the suite once in a child process and measure it; ``output`` keeps pytest's output."""
    cmd = readme_command()
    if serial and "-n" in cmd:
        i = cmd.index("-n")
        del cmd[i : i + 2]
    if quick:
        cmd += ["-m", "not slow"]
    cmd[0] = sys.executable
    full = [*cmd, "-q", "-p", "no:cacheprovider", "--durations=0", "--durations-min=0"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.run(full, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if output is not None:
        output.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    lines = proc.stdout.splitlines()
    tests_s = sum(float(m.group(1)) for ln in lines if (m := DURATION.match(ln)))
    summary = next((m.group(1) for ln in reversed(lines) if (m := SUMMARY.match(ln))), lines[-1] if lines else "")
    return SuiteTime(
        case=("not-slow" if quick else "whole") + ("+serial" if serial else ""),
        command=shlex.join(["python", *cmd[1:]]),
        wall_s=round(wall, 1),
        cpu_s=round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
        tests_s=round(tests_s, 1),
        load_before=round(load_before, 2),
        load_after=round(os.getloadavg()[0], 2),
        summary=summary,
        exit_code=proc.returncode,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--quick", action="store_true", help='only the quick check (-m "not slow")')
    which.add_argument("--whole", action="store_true", help="only the whole suite")
    parser.add_argument("--serial", action="store_true", help="without pytest-xdist (one process)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case (default 1)")
    parser.add_argument("--output", type=Path, help="write pytest's output (with the durations) to this file")
    args = parser.parse_args(argv)
    cases = [True] if args.quick else [False] if args.whole else [True, False]
    worst = 0
    for _ in range(args.repeat):
        for quick in cases:
            result = time_suite(quick, args.serial, args.output)
            print(json.dumps(asdict(result), ensure_ascii=False), flush=True)
            worst = max(worst, result.exit_code)
    return worst


if __name__ == "__main__":
    sys.exit(main())
