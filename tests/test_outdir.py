"""Whole-directory atomic output (sim/outdir.py): lock, staged swap, recovery after kills."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import outdir
from sim.errors import InputError
from sim.outdir import BusyError, DirLock, lock_path, writing


def _fill(d: Path, tag: str) -> None:
    (d / "a.txt").write_text(tag, encoding="utf-8")
    (d / "sub").mkdir(exist_ok=True)
    (d / "sub" / "b.txt").write_text(tag, encoding="utf-8")


def _tags(d: Path) -> set[str]:
    return {p.read_text(encoding="utf-8") for p in d.rglob("*.txt")}


def _siblings(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def test_new_directory_appears_only_after_the_block(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with writing(target) as staged:
        _fill(staged, "new")
        assert not target.exists()  # nothing visible while writing
        assert staged.name == "out"  # same base name (reports show it)
        assert lock_path(target).exists()
    assert _tags(target) == {"new"}
    assert _siblings(tmp_path) == ["out"]  # no lock, no staging folder left


def test_replacing_keeps_the_old_directory_whole_until_the_swap(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    _fill(target, "old")
    (target / "only_old.txt").write_text("old", encoding="utf-8")
    with writing(target) as staged:
        _fill(staged, "new")
        assert _tags(target) == {"old"}
    assert _tags(target) == {"new"}
    assert not (target / "only_old.txt").exists()  # the old run is gone whole, not mixed in
    assert _siblings(tmp_path) == ["out"]


def test_failure_leaves_the_old_directory_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    _fill(target, "old")
    with pytest.raises(RuntimeError), writing(target) as staged:
        _fill(staged, "new")
        raise RuntimeError("disk full")
    assert _tags(target) == {"old"}
    assert _siblings(tmp_path) == ["out"]


def test_second_writer_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with writing(target):
        with pytest.raises(BusyError) as info, writing(target):
            pass
        assert info.value.exit_code == 2
        assert f"process {os.getpid()}" in str(info.value) and str(target) in str(info.value)
    with writing(target) as staged:  # free again afterwards
        _fill(staged, "x")


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    target = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    lock_path(target).write_text(f"{pid}\n", encoding="ascii")
    lock = DirLock(target)
    lock.acquire()
    try:
        assert lock.stale_pid == pid
        assert lock_path(target).read_text(encoding="ascii").strip() == str(os.getpid())
    finally:
        lock.release()
    assert not lock_path(target).exists()


def test_a_killed_writer_leaves_the_target_whole_and_its_staging_is_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    _fill(target, "old")
    stale = tmp_path / ".out.staging-999999999" / "out"
    stale.mkdir(parents=True)
    _fill(stale, "half")
    with writing(target) as staged:
        _fill(staged, "new")
    assert _tags(target) == {"new"}
    assert _siblings(tmp_path) == ["out"]


def test_fallback_swap_without_exchange_and_repair_after_a_kill_between_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outdir, "exchange", lambda a, b: False)
    target = tmp_path / "out"
    target.mkdir()
    _fill(target, "old")
    with writing(target) as staged:
        _fill(staged, "new")
    assert _tags(target) == {"new"}
    # a writer killed between its two renames: the old directory waits in its staging folder
    holder = tmp_path / ".out.staging-999999999"
    holder.mkdir()
    os.rename(target, holder / "old")
    assert not target.exists()
    with pytest.raises(RuntimeError), writing(target):
        assert _tags(target) == {"new"}  # put back before anything else happens
        raise RuntimeError("stop")
    assert _tags(target) == {"new"}


def test_exchange_swaps_two_directories(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a", encoding="utf-8")
    (b / "x").write_text("b", encoding="utf-8")
    if not outdir.exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here")
    assert (a / "x").read_text(encoding="utf-8") == "b" and (b / "x").read_text(encoding="utf-8") == "a"


def test_keep_and_salvage_carry_whole_run_files(tmp_path: Path) -> None:
    target = tmp_path / "study"
    (target / "runs").mkdir(parents=True)
    (target / "runs" / "r1.json").write_text("1", encoding="utf-8")
    (target / "summary.csv").write_text("old", encoding="utf-8")
    killed = tmp_path / ".study.staging-999999999" / "study" / "runs"
    killed.mkdir(parents=True)
    (killed / "r2.json").write_text("2", encoding="utf-8")
    (killed / ".r3.json.x.tmp").write_text("half", encoding="utf-8")
    with writing(target, keep=("runs",), salvage="runs") as staged:
        assert sorted(p.name for p in (staged / "runs").iterdir()) == ["r1.json", "r2.json"]
        assert not (staged / "summary.csv").exists()  # tables are rebuilt, not carried
        (staged / "runs" / "r4.json").write_text("4", encoding="utf-8")
        (staged / "summary.csv").write_text("new", encoding="utf-8")
    assert sorted(p.name for p in (target / "runs").iterdir()) == ["r1.json", "r2.json", "r4.json"]
    # a failing study still adds its finished runs to runs/ (as --resume expects)
    with pytest.raises(RuntimeError), writing(target, keep=("runs",), salvage="runs") as staged:
        (staged / "runs" / "r5.json").write_text("5", encoding="utf-8")
        raise RuntimeError("a point failed")
    assert (target / "runs" / "r5.json").read_text(encoding="utf-8") == "5"
    assert (target / "summary.csv").read_text(encoding="utf-8") == "new"


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a directory"), writing(target):
        pass


def test_relative_dot_targets_and_symlinks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "res"
    target.mkdir()
    _fill(target, "old")
    monkeypatch.chdir(target)
    with writing(Path(".")) as staged:  # "report ." from inside the directory
        assert staged.name == "res"
        _fill(staged, "new")
    assert _tags(target) == {"new"}
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"), writing(link):
        pass
    with pytest.raises(InputError, match="root directory"), writing(Path("/")):
        pass


def test_unstaged_names_the_final_directory(tmp_path: Path) -> None:
    from sim.outdir import unstaged

    target = tmp_path / "results" / "run"
    with writing(target) as staged:
        assert staged != target and unstaged(staged) == target
    assert unstaged(target) == target
    assert unstaged(tmp_path / ".other.staging-1" / "run") == tmp_path / ".other.staging-1" / "run"


def test_a_runs_report_names_its_final_directory(tiny_cli_run) -> None:  # type: ignore[no-untyped-def]
    md = (tiny_cli_run.out / "report.md").read_text(encoding="utf-8")
    assert f"python main.py report {tiny_cli_run.out} --lang ja" in md and ".staging-" not in md
