"""Shared fixtures for the CLI, scenario and results tests.

The tiny scenario runs on the embedded synthetic Sodegaura network (800 nodes) with 8 requests and
one DRT service over the whole network, so one ``run`` takes well under a second once the process
has imported everything.

Runs that several tests only read are made once per test session (``scope="session"``; with
pytest-xdist once for all workers together, see :func:`made_once`):
``tiny_run`` (``run tiny.toml --no-report``), ``tiny_cli_run`` (the same with a Japanese report, and
the terminal output), ``baseline_run`` (``run`` with no scenario: the Sodegaura baseline, seed 12229)
and ``sodegaura_runs`` (each Sodegaura scenario and seed run on first use). A test that changes a
run directory must copy it first (``shutil.copytree``) or make its own run.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pickle
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

REPO = Path(__file__).resolve().parent.parent
SODEGAURA_SCENARIOS = REPO / "scenarios" / "sodegaura"
#: The Sodegaura set in the order ``compare`` runs it, and the seeds of the reference results.
SODEGAURA_SET = ("baseline", "drt_plus", "av_shuttle", "av_drt", "hybrid")
REFERENCE_SEEDS = (12229, 7)

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


#: The terminal width the CLI's console (rich) sees in every test: without it rich wraps at the width
#: of whatever terminal runs pytest (80 columns when none, as in CI and in pytest-xdist's workers),
#: and a message naming a long temporary path breaks across lines at a place that depends on that
#: path's length (pytest-xdist's ``popen-gw<N>`` folders make it longer).
TEST_COLUMNS = "200"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Fix the console width for the CLI invoked in-process and in subprocesses (``COLUMNS``);
    pytest's own output keeps the width of the terminal it runs in."""
    if config.pluginmanager.get_plugin("terminalreporter") is not None:
        writer = config.get_terminal_writer()
        writer.fullwidth = writer.fullwidth  # read now, before COLUMNS changes
    os.environ["COLUMNS"] = TEST_COLUMNS


class EmbeddedNetworks:
    """``load_network`` for the session: an embedded network's file is parsed once, then every call
    gets an unused copy (a pickle round trip of the pristine network, as ``NetworkCache(fresh=True)``
    hands to study runs). Any other source, or a changed file, is loaded as usual.

    Parsing the Sodegaura GraphML takes ~0.25 s of CPU and the suite's CLI runs, validations and
    error cases load it a few hundred times; a copy takes ~10 ms. ``tests/network/`` imports the
    original ``load_network`` directly, so the network tests still read the files every time, and
    ``test_session_copy_of_a_network_equals_a_fresh_load`` checks that a copy is a fresh load.
    """

    def __init__(self, load: Callable[..., Any]) -> None:
        self.load = load
        self.blobs: dict[tuple[str, str, int, int], bytes] = {}

    def __call__(self, source: str, *args: Any, **kwargs: Any) -> Any:
        from sim.network.io import embedded_networks

        name = source.strip() if isinstance(source, str) else ""
        path = embedded_networks().get(name) if re.fullmatch(r"[A-Za-z0-9_\-]+", name) else None
        if path is None or args or kwargs.get("cache_dir") is not None:
            return self.load(source, *args, **kwargs)
        stat = path.stat()
        key = (name, str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self.blobs:
            self.blobs[key] = pickle.dumps(self.load(source, *args, **kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        return pickle.loads(self.blobs[key])


@pytest.fixture(scope="session", autouse=True)
def embedded_networks_parsed_once() -> Iterator[EmbeddedNetworks]:
    """Install :class:`EmbeddedNetworks` as ``sim.network.io.load_network`` for the whole session
    (also where ``sim.network.cache`` imported it)."""
    import sim.network.cache
    import sim.network.io

    loader = EmbeddedNetworks(sim.network.io.load_network)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.network.io, "load_network", loader)
        mp.setattr(sim.network.cache, "load_network", loader)
        yield loader


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


def _run_cli(*args: str | Path) -> Result:
    """``sim.cli.app`` invoked in-process; fails the calling fixture unless it exits 0."""
    from sim.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, f"run {args}: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


@dataclass(frozen=True, slots=True)
class CliRun:
    """A results directory written by ``python main.py run ...`` and what the command printed."""

    out: Path
    stdout: str
    output: str  # stdout and stderr


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """The folder ``<root>/made_once/<name>``, filled by ``make(folder)`` once per test session.

    Under pytest-xdist each worker has its own session (and ``tmp_path_factory``), so a session
    fixture would make the same run once per worker; here ``<root>`` is the folder the workers'
    temporary folders share, and an exclusive ``flock`` lets the first worker that needs the folder
    make it while the others wait and then read it. Without xdist ``<root>`` is the session's
    temporary folder. A ``make`` that fails leaves no marker: the next caller starts again.
    """
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "made_once"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results directory of ``run tiny.toml --no-report`` (read-only: shared by the session)."""

    def make(base: Path) -> None:
        scenario = base / "tiny.toml"
        scenario.write_text(TINY_TOML, encoding="utf-8")
        _run_cli("run", scenario, "--out", base / "out", "--no-report")

    return made_once(tmp_path_factory, "tiny_run", make) / "out"


@pytest.fixture(scope="session")
def tiny_cli_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """``run tiny.toml --out <dir>/out/nested --lang ja``: the results and a Japanese report
    (read-only: shared by the session; the browser test opens this report).

    The scenario file is ``<dir>/tiny.toml``; the nested ``--out`` did not exist before the run.
    The terminal output is English whatever the report's language.
    """

    def make(base: Path) -> None:
        scenario = base / "tiny.toml"
        scenario.write_text(TINY_TOML, encoding="utf-8")
        result = _run_cli("run", scenario, "--out", base / "out" / "nested", "--lang", "ja")
        (base / "printed.json").write_text(json.dumps([result.stdout, result.output]), encoding="utf-8")

    base = made_once(tmp_path_factory, "tiny_cli_run", make)
    stdout, output = read_json(base / "printed.json")
    return CliRun(base / "out" / "nested", stdout, output)


@pytest.fixture(scope="session")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Results of ``run --no-report`` with no scenario: the Sodegaura baseline with its seed 12229
    (two areas, transfers at the hub, fares). Read-only: shared by the session."""
    return made_once(tmp_path_factory, "baseline", lambda base: _run_cli("run", "--out", base / "out", "--no-report")) / "out"


class SodegauraRuns:
    """``run scenarios/sodegaura/<name>.toml --seed <seed> --no-report``, each made once, on first use.

    The runs are made with the working directory set to a scratch folder (not the repository), so
    comparing them with results made elsewhere also checks that a run does not depend on its
    working directory or output path.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self._done: dict[tuple[str, int], Path] = {}

    def get(self, name: str, seed: int) -> Path:
        """The results directory ``<base>/<name>-<seed>`` (read-only)."""
        key = (name, seed)
        if key not in self._done:
            out = self.base / f"{name}-{seed}"
            cwd = Path.cwd()
            scratch = self.base / "cwd"
            scratch.mkdir(exist_ok=True)
            os.chdir(scratch)
            try:
                _run_cli("run", SODEGAURA_SCENARIOS / f"{name}.toml", "--seed", seed, "--out", out, "--no-report")
            finally:
                os.chdir(cwd)
            self._done[key] = out
        return self._done[key]


@pytest.fixture(scope="session")
def sodegaura_runs(tmp_path_factory: pytest.TempPathFactory) -> SodegauraRuns:
    """The session's :class:`SodegauraRuns`."""
    return SodegauraRuns(tmp_path_factory.mktemp("sodegaura_runs"))


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
