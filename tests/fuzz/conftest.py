"""Shared pieces of the fuzz suite: an in-process CLI, a network cache and the invariants checked.

The CLI is called in-process (typer's ``CliRunner``) so that a thousand inputs fit in a few
minutes; the embedded Sodegaura network is loaded once per session (``NetworkCache.get`` is
patched to reuse it) since loading it is not what is fuzzed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

Invoke = Callable[..., Result]


@pytest.fixture(scope="session")
def shared_networks() -> dict[tuple[str, str], Any]:
    return {}


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch, shared_networks: dict[tuple[str, str], Any]) -> Iterator[Invoke]:
    """``invoke("validate", path, ...)``: the CLI in-process, the embedded network loaded once."""
    from sim.cli.app import app
    from sim.run.runner import NetworkCache

    real_get = NetworkCache.get

    def cached_get(self: NetworkCache, source: str, base_dir: Path) -> Any:
        if source != "sodegaura":
            return real_get(self, source, base_dir)
        key = (source, "")
        if key not in shared_networks:
            shared_networks[key] = real_get(self, source, base_dir)
        return shared_networks[key]

    monkeypatch.setattr(NetworkCache, "get", cached_get)
    runner = CliRunner()

    def call(*args: Any) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    yield call


def assert_clean(result: Result, allowed: tuple[int, ...] = (0, 2)) -> None:
    """Exit code in ``allowed``, no traceback, no internal error, the CLI exited on purpose."""
    text = result.output
    assert result.exit_code in allowed, f"exit {result.exit_code}:\n{text}\n{result.exception!r}"
    assert "Traceback" not in text and "internal error" not in text, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def snapshot(directory: Path) -> dict[str, str]:
    """Digest of every file under ``directory`` by relative path (empty if it does not exist)."""
    if not directory.exists():
        return {}
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }
