"""Shared fixtures for the CLI, scenario and results tests.

The tiny scenario runs on the embedded synthetic Sodegaura network (800 nodes) with 8 requests and
one DRT service over the whole network, so one ``run`` takes well under a second once the process
has imported everything.
"""

from __future__ import annotations

import csv
import json
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

REPO = Path(__file__).resolve().parent.parent
SODEGAURA_SCENARIOS = REPO / "scenarios" / "sodegaura"

#: A self-contained scenario (no ``extends``): 8 requests, 2 vans of 4 seats, whole-network DRT.
TINY_TOML = textwrap.dedent(
    """\
    name = "tiny"
    description = "tiny test scenario"
    seed = 7

    [network]
    source = "sodegaura"

    [demand]
    requests_per_day = 8

    [vehicles.van]
    capacity = 4

    [services.s]
    vehicle = "van"
    fleet_size = 2
    """
)


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Invoke ``sim.cli.app`` in-process; call as ``cli("run", path, "--out", out)``."""
    from sim.cli.app import app

    runner = CliRunner()

    def invoke(*args: Any) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    return invoke


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write a scenario file into ``tmp_path``: ``write_scenario("x.toml", text)``.

    Without ``text`` the tiny scenario is written; ``extra`` is appended to the text (more tables
    or keys for the last table).
    """

    def write(filename: str = "tiny.toml", text: str | None = None, *, extra: str = "") -> Path:
        path = tmp_path / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        body = (TINY_TOML if text is None else textwrap.dedent(text)) + textwrap.dedent(extra)
        path.write_text(body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_scenario(write_scenario: Callable[..., Path]) -> Path:
    """The tiny scenario written to ``tmp_path/tiny.toml``."""
    return write_scenario()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results directory of one ``run`` of the tiny scenario (shared by a module's tests)."""
    from sim.cli.app import app

    base = tmp_path_factory.mktemp("tiny_run")
    scenario = base / "tiny.toml"
    scenario.write_text(TINY_TOML, encoding="utf-8")
    out = base / "out"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts keyed by the header."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_json(path: Path) -> Any:
    """A JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))


def assert_clean_error(result: Result, code: int, *needles: str) -> None:
    """``result`` failed with ``code``, one message containing every needle, and no traceback."""
    text = result.output
    assert result.exit_code == code, f"exit {result.exit_code}, output:\n{text}\nexception: {result.exception!r}"
    assert "Traceback" not in text
    # The CLI turned the error into an exit code (typer.Exit -> SystemExit), it did not crash.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    for needle in needles:
        assert needle in text, f"{needle!r} not in output:\n{text}"


def files_in(directory: Path) -> Sequence[str]:
    """Sorted names of all entries of ``directory`` (hidden temporaries included)."""
    return sorted(p.name for p in directory.iterdir())
