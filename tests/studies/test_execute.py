"""Running studies (sim.studies.execute, sim.studies.networks): order, fresh networks, progress, local and Dask back ends, kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, read_json
from tests.studies.conftest import GRID
from sim.studies.execute import SerialBackend, execute
from sim.studies.grid import parse_axes
from sim.studies.store import RunRecord, RunStore
from sim.studies.sweep import plan_sweep
from sim.studies.sweep import sweep as run_sweep


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_run_order_does_not_change_a_digit(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    # runs share a process: reverse order must give the same records (no state carried between runs)
    study = plan_sweep(tiny_file, parse_axes(GRID), replications=3)
    store = RunStore(tmp_path)
    store.dir.mkdir(parents=True)
    execute(study.jobs()[::-1], store, SerialBackend())
    from sim.studies.summary import write_tables

    write_tables(tmp_path, study, store)
    assert _bytes(tmp_path / "runs.csv") == _bytes(reference / "runs.csv")


def test_study_runs_get_unused_networks() -> None:
    # travel-time caches filled by one run must not reach the next (tests/network/test_cache.py)
    from sim.studies.networks import process_networks

    nets = process_networks()
    assert nets.fresh and nets is process_networks()  # one cache per process, a copy per run
    first = nets.get("sodegaura", REPO)
    assert nets.get("sodegaura", REPO) is not first


def test_progress_counts_every_run(tiny_file: Path, tmp_path: Path) -> None:
    study = plan_sweep(tiny_file, parse_axes(["services.s.fleet_size=1,2"]), replications=2)
    seen: list[tuple[int, int]] = []
    store = RunStore(tmp_path)
    execute(study.jobs(), store, SerialBackend(), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.slow
def test_local_processes_give_identical_tables(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "par"
    run_sweep(tiny_file, parse_axes(GRID), out, replications=3, workers=2)
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(reference / "summary.csv")


def test_dask_local_cluster_gives_identical_tables(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = run_sweep(tiny_file, parse_axes(GRID), out, replications=3, dask=client)
    assert result.execution.ran == 12
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(reference / "summary.csv")


@pytest.mark.slow
def test_dask_by_address_with_worker_processes(reference: Path, tiny_file: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run_sweep(tiny_file, parse_axes(GRID), out, replications=3, dask=cluster.scheduler_address)
    assert _bytes(out / "runs.csv") == _bytes(reference / "runs.csv")


def test_unreachable_dask_scheduler_is_an_input_error() -> None:
    pytest.importorskip("distributed")
    from sim.errors import InputError
    from sim.studies.execute import DaskBackend

    with pytest.raises(InputError, match="cannot reach a Dask scheduler"):
        DaskBackend("tcp://127.0.0.1:9", timeout_s=0.5)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_sweep(tiny_file: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    """``main.py sweep`` of 40 runs in a subprocess that takes Ctrl-C (SIGINT) as a user's shell
    gives it, even when pytest itself was started in the background, where SIGINT is ignored and a
    child inherits that (its Python would then never raise KeyboardInterrupt)."""
    args = [sys.executable, str(REPO / "main.py"), "sweep", str(tiny_file), "--vary", "services.s.fleet_size=1..4"]
    args += ["--vary", "demand.requests_per_day=30,40", "-r", "5", "--out", str(out), *extra]
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)


def _run_dirs(out: Path) -> list[Path]:
    """Where a study's finished runs are: its ``runs/`` and, while it writes, its staging folder's."""
    staged = sorted(out.parent.glob(f".{out.name}.staging-*/{out.name}/runs"))
    return [d for d in [out / "runs", *staged] if d.is_dir()]


def _stored_runs(out: Path) -> list[Path]:
    return [p for d in _run_dirs(out) for p in d.iterdir() if not p.name.startswith(".")]


def _wait_for_runs(out: Path, proc: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len([p for p in _stored_runs(out) if p.suffix == ".json"]) >= count:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError("the sweep stored no runs in time")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT, 2 workers"])
def test_killed_sweep_resumes_to_the_same_tables(tiny_file: Path, tmp_path: Path, how: str) -> None:
    axes = parse_axes(["services.s.fleet_size=1..4", "demand.requests_per_day=30,40"])
    ref = tmp_path / "ref"
    run_sweep(tiny_file, axes, ref, replications=5)
    out = tmp_path / "killed"
    proc = _start_sweep(tiny_file, out, *(["--workers", "2"] if "workers" in how else []))
    _wait_for_runs(out, proc, 4)
    proc.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if how == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130 and "--resume" in err and "Traceback" not in err
    if how != "SIGKILL":  # an interrupted study adds its finished runs to <out>/runs
        assert (out / "runs").is_dir()
    stored = _stored_runs(out)  # after SIGKILL they wait in the dead writer's staging folder
    assert 4 <= len(stored) < 40
    for p in stored:  # every stored file is complete
        RunRecord.from_json(read_json(p))
    resumed = _start_sweep(tiny_file, out, "--resume")  # as a user resumes: through the CLI's locked writer
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert _bytes(out / "runs.csv") == _bytes(ref / "runs.csv")
    assert _bytes(out / "summary.csv") == _bytes(ref / "summary.csv")
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]
    assert not list(out.parent.glob(f".{out.name}.staging-*"))  # resume took the dead writer's runs over
    assert os.path.getsize(out / "runs.csv") > 0
