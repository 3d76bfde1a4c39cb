"""The test suite's own set-up (issue 9, property 7): the README's test command is the one CI runs,
it runs every test module on every core, and ``slow`` only marks tests, it never drops them.

How long the suite takes is measured, not tested (no timing thresholds in unit tests): the figures
are in benchmarks/README.md ("Test suite").
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

from tests.conftest import REPO

TESTS = REPO / "tests"


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _readme_test_command() -> list[str]:
    """The quick start's second command, after ``pip install -e ".[test]" &&``."""
    lines = [ln for ln in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if 'pip install -e ".[test]"' in ln]
    assert len(lines) == 1, lines
    return shlex.split(lines[0].split("&&")[-1])


def _ci_test_commands() -> list[list[str]]:
    text = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    return [shlex.split(ln) for ln in text.splitlines() if ln.strip().startswith("python -m pytest")]


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    readme = _readme_test_command()
    assert readme[:3] == ["python", "-m", "pytest"], readme
    assert _ci_test_commands() == [readme]


def test_the_test_command_runs_every_test_on_every_core() -> None:
    cmd = _readme_test_command()
    assert "-n" in cmd and cmd[cmd.index("-n") + 1] == "auto"  # pytest-xdist: one worker per core
    # nothing deselected or skipped by the command or by the configuration: slow tests run too
    options = _pyproject()["tool"]["pytest"]["ini_options"]
    for arg in [*cmd[3:], *shlex.split(options.get("addopts", ""))]:  # after "python -m pytest"
        assert not re.match(r"-m$|-k$|--ignore|--deselect|-x$|--exitfirst|--maxfail|--lf$|--last-failed", arg), arg
    assert options["testpaths"] == ["tests"]
    assert not options.get("norecursedirs") and not options.get("python_files")  # pytest's defaults: test_*.py


def test_xdist_is_in_the_test_extra_with_a_lower_bound() -> None:
    extra = _pyproject()["project"]["optional-dependencies"]["test"]
    (xdist,) = [d for d in extra if d.startswith("pytest-xdist")]
    assert re.fullmatch(r"pytest-xdist>=\d+(\.\d+)*", xdist)


def test_markers_are_registered_and_strict() -> None:
    options = _pyproject()["tool"]["pytest"]["ini_options"]
    names = {m.split(":")[0].strip() for m in options["markers"]}
    assert {"slow", "browser"} <= names
    assert "--strict-markers" in shlex.split(options["addopts"])  # a misspelt marker is an error, not a new mark


def test_every_test_module_is_collected_under_a_unique_package_name() -> None:
    # pytest collects tests/**/test_*.py; every folder on the way is a package, so two modules of the
    # same file name (tests/run/test_results.py, ...) never clash, and no test file hides under another name
    for path in sorted(TESTS.rglob("*.py")):
        rel = path.relative_to(TESTS)
        if rel.parts[0] == "data" or "__pycache__" in rel.parts:
            continue
        for parent in path.relative_to(REPO).parents:
            if parent != Path("."):
                assert (REPO / parent / "__init__.py").is_file(), f"{parent} has no __init__.py"
        if path.name.startswith("test_"):
            continue
        assert path.name in ("__init__.py", "conftest.py", "helpers.py"), f"{rel}: not collected (name it test_*.py)"
        assert not re.search(r"^def test_", path.read_text(encoding="utf-8"), re.M), f"{rel} defines tests pytest never collects"
