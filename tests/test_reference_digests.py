"""Results change only on purpose: digests of the reference runs (issue 9, "Must not change").

``tests/data/reference_digests.json`` holds the SHA-256 of ``metrics.json``, ``requests.csv``,
``legs.csv``, ``vehicle_moves.csv``, ``duties.csv``, ``staffing.json`` and ``costs.json`` of
``run scenarios/sodegaura/<name>.toml --seed <seed>`` for the five Sodegaura scenarios and the
seeds 12229 and 7. A change that moves results on purpose regenerates it with
``python benchmarks/reference_digests.py --write`` and says so in its commit message
(tests/data/README.md).

The runs here are made in-process, from another working directory and into other output paths
than the ones the reference was recorded with, so equal digests also show that results depend on
neither.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_SEEDS, REPO, SODEGAURA_SET, SodegauraRuns, TINY_TOML, files_in

REFERENCE = REPO / "tests" / "data" / "reference_digests.json"


def _reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def _digests(run_dir: Path, label: str, files: list[str]) -> dict[str, str]:
    return {f"{label}/{name}": hashlib.sha256((run_dir / name).read_bytes()).hexdigest() for name in files}


def _expected(label: str) -> dict[str, str]:
    return {k: v for k, v in _reference()["digests"].items() if k.startswith(f"{label}/")}


def _explain(got: dict[str, str], want: dict[str, str]) -> str:
    moved = sorted(k for k in got.keys() | want.keys() if got.get(k) != want.get(k))
    return (
        f"results moved: {moved}. If that is on purpose, run `python benchmarks/reference_digests.py --write`, "
        "say so in the commit message and update the README figures; otherwise find what changed them."
    )


def test_reference_file_covers_the_five_scenarios_two_seeds_seven_files() -> None:
    ref = _reference()
    assert ref["scenarios"] == list(SODEGAURA_SET)
    assert ref["seeds"] == list(REFERENCE_SEEDS)
    assert ref["files"] == [
        "metrics.json", "requests.csv", "legs.csv", "vehicle_moves.csv", "duties.csv", "staffing.json", "costs.json"
    ]  # fmt: skip
    want = {f"{s}-{seed}/{f}" for s in SODEGAURA_SET for seed in REFERENCE_SEEDS for f in ref["files"]}
    assert set(ref["digests"]) == want
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in ref["digests"].values())
    assert "--write" in ref["how_to_update"]


def test_default_run_is_the_reference_baseline(baseline_run: Path) -> None:
    # `run` with no scenario: the baseline with seed 12229 (made from the repository's working directory)
    files = _reference()["files"]
    got, want = _digests(baseline_run, "baseline-12229", files), _expected("baseline-12229")
    assert got == want, _explain(got, want)


@pytest.mark.slow
@pytest.mark.parametrize("seed", REFERENCE_SEEDS)
@pytest.mark.parametrize("name", SODEGAURA_SET)
def test_results_match_the_reference_digests(sodegaura_runs: SodegauraRuns, name: str, seed: int) -> None:
    label = f"{name}-{seed}"
    got, want = _digests(sodegaura_runs.get(name, seed), label, _reference()["files"]), _expected(label)
    assert len(want) == 7
    assert got == want, _explain(got, want)


def test_results_do_not_depend_on_working_directory_or_out_path(
    cli, tiny_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # tiny_run was made with an absolute --out from the test session's working directory; this run
    # uses a copy of the scenario elsewhere, another working directory and a relative --out
    (tmp_path / "elsewhere").mkdir()
    scenario = tmp_path / "scenario" / "tiny.toml"
    scenario.parent.mkdir()
    scenario.write_text(TINY_TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = cli("run", Path("..") / "scenario" / "tiny.toml", "--out", Path("rel") / "out", "--no-report")
    assert result.exit_code == 0, result.output
    out = tmp_path / "elsewhere" / "rel" / "out"
    assert files_in(out) == files_in(tiny_run)
    for path in sorted(p for p in tiny_run.rglob("*") if p.is_file()):  # geo/results.gpkg too
        name = path.relative_to(tiny_run)
        assert (out / name).read_bytes() == path.read_bytes(), name


REFERENCE_FIXED = REPO / "tests" / "data" / "reference_digests_fixed.json"


@pytest.mark.parametrize("name, seed", [("baseline", 12229), ("hybrid", 7)])
def test_fixed_demand_keeps_the_earlier_results(cli, tmp_path: Path, name: str, seed: int) -> None:
    """``demand.model = "fixed"`` (the earlier generator) reproduces the pre-behavioural reference byte for byte."""
    ref = json.loads(REFERENCE_FIXED.read_text(encoding="utf-8"))
    out = tmp_path / name
    result = cli("run", REPO / "scenarios" / "sodegaura" / f"{name}.toml", "--seed", seed, "--out", out,
                 "--no-report", "--set", "demand.model=fixed")
    assert result.exit_code == 0, result.output
    label = f"{name}-{seed}"
    want = {k: v for k, v in ref["digests"].items() if k.startswith(f"{label}/")}
    got = _digests(out, label, ref["files"])
    assert len(want) == 7 and got == want
