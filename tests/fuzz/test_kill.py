"""Kill test (issue 16): SIGKILL at random moments of ``run`` and ``compare`` writing into an
existing directory; afterwards every file of the directory belongs to one complete run.

Each seed's complete output is recorded first; after each kill the directory must equal, file
for file and byte for byte, the complete output of the old seed or of the new one. Bounded: six
kills of ``run`` and four of ``compare``, with delays drawn from a fixed generator.
"""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, TINY_TOML

pytestmark = pytest.mark.slow


def _digests(directory: Path) -> dict[str, str]:
    """SHA-256 of every file by relative path; a study run record (``runs/*.json``) counts by name
    only, since it stores the run's wall-clock time."""
    return {
        str(p.relative_to(directory)): "" if p.parent.name == "runs" else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _cmd(kind: str, scenarios: list[Path], out: Path, seed: int) -> list[str]:
    if kind == "run":
        return [sys.executable, "main.py", "run", str(scenarios[0]), "--out", str(out), "--seed", str(seed), "--no-report"]
    return [sys.executable, "main.py", "compare", *map(str, scenarios), "--out", str(out), "--no-report"]


def _complete(kind: str, scenarios: list[Path], out: Path, seed: int) -> dict[str, str]:
    subprocess.run(_cmd(kind, scenarios, out, seed), cwd=REPO, check=True, capture_output=True, timeout=300)
    return _digests(out)


def _scenarios(tmp: Path, seed: int) -> list[Path]:
    paths = []
    for name in ("a", "b"):
        p = tmp / f"{name}-{seed}.toml"
        p.write_text(TINY_TOML.replace('name = "tiny"', f'name = "{name}"').replace("seed = 7", f"seed = {seed}"), encoding="utf-8")
        paths.append(p)
    return paths


@pytest.mark.parametrize(("kind", "kills"), [("run", 6), ("compare", 4)])
def test_sigkill_never_leaves_a_mixed_directory(tmp_path: Path, kind: str, kills: int) -> None:
    rng = random.Random(16)
    seeds = (7, 8)
    scen = {s: _scenarios(tmp_path, s) for s in seeds}
    reference = {s: _complete(kind, scen[s], tmp_path / f"ref-{s}", s) for s in seeds}
    assert reference[7] != reference[8]
    out = tmp_path / "out"
    _complete(kind, scen[7], out, 7)
    t0 = time.perf_counter()
    _complete(kind, scen[8], tmp_path / "timing", 8)
    duration = time.perf_counter() - t0
    current = 7
    for _ in range(kills):
        new = 8 if current == 7 else 7
        proc = subprocess.Popen(_cmd(kind, scen[new], out, new), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.1) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = _digests(out)
        assert got in (reference[7], reference[8]), "the directory mixes two runs or is incomplete"
        current = 7 if got == reference[7] else 8
        # no temporary file inside; only the killed writer's lock and staging folder beside it
        assert not [n for n in got if n.startswith(".") or n.endswith(".tmp")]
        leftovers = {p.name for p in tmp_path.iterdir()} - {p.name for p in tmp_path.glob("*.toml")}
        assert leftovers <= {"out", "ref-7", "ref-8", "timing", ".out.lock"} | {
            p.name for p in tmp_path.glob(".out.staging-*")
        }
    # the next writer cleans up after the killed ones and the lock is free
    _complete(kind, scen[8], out, 8)
    assert _digests(out) == reference[8]
    assert not list(tmp_path.glob(".out.*"))
