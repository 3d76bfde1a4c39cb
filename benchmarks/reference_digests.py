"""Reference results: ``python benchmarks/reference_digests.py [--write] [--out DIR]``.

Runs ``python main.py run scenarios/sodegaura/<name>.toml --seed <seed> --no-report`` for the five
Sodegaura scenarios and the seeds 12229 and 7 (one process per run, as a user would) and takes the
SHA-256 digest of each result file that must not change by accident (``metrics.json``,
``requests.csv``, ``legs.csv``, ``vehicle_moves.csv``, ``duties.csv``, ``staffing.json``,
``costs.json``).

Without ``--write`` it compares them with ``tests/data/reference_digests.json`` and exits 1 if any
differs (printing which). With ``--write`` it rewrites that file: do this only in a change that
moves results ON PURPOSE, say so in its commit message, and update the figures the README quotes.
``tests/test_reference_digests.py`` checks the same digests in the test suite. Prints the digests in
``sha256sum`` format (``<digest>  <scenario>-<seed>/<file>``) and the CPU and wall seconds taken.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "tests" / "data" / "reference_digests.json"
SCENARIOS = ("baseline", "drt_plus", "av_shuttle", "av_drt", "hybrid")
SEEDS = (12229, 7)
FILES = ("metrics.json", "requests.csv", "legs.csv", "vehicle_moves.csv", "duties.csv", "staffing.json", "costs.json")
HOW_TO_UPDATE = (
    "SHA-256 of the result files of `python main.py run scenarios/sodegaura/<scenario>.toml --seed <seed>`. "
    "Checked by tests/test_reference_digests.py. Regenerate ONLY in a change that moves results on purpose: "
    "`python benchmarks/reference_digests.py --write`; say so in the commit message and update the README figures."
)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests_of(run_dir: Path, label: str) -> dict[str, str]:
    """``{"<label>/<file>": digest}`` for the reference files present in ``run_dir``."""
    return {f"{label}/{name}": sha256(run_dir / name) for name in FILES if (run_dir / name).is_file()}


def record(out: Path) -> dict[str, str]:
    """Run every scenario and seed into ``out/<scenario>-<seed>`` and return the digests, sorted."""
    found: dict[str, str] = {}
    for seed in SEEDS:
        for name in SCENARIOS:
            label = f"{name}-{seed}"
            cmd = [sys.executable, str(REPO / "main.py"), "run", f"scenarios/sodegaura/{name}.toml"]
            cmd += ["--seed", str(seed), "--out", str(out / label), "--no-report"]
            proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stderr or proc.stdout}")
            found |= digests_of(out / label, label)
    return dict(sorted(found.items()))


def load_reference(path: Path = REFERENCE) -> dict[str, str]:
    """The stored digests, ``{"<scenario>-<seed>/<file>": digest}``."""
    return dict(json.loads(path.read_text(encoding="utf-8"))["digests"])


def write_reference(digests: dict[str, str], path: Path = REFERENCE) -> None:
    """Write the reference file (a temporary file, then a rename)."""
    body = {"how_to_update": HOW_TO_UPDATE, "scenarios": list(SCENARIOS), "seeds": list(SEEDS), "files": list(FILES), "digests": digests}
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {REFERENCE.relative_to(REPO)} (results moved on purpose)")
    parser.add_argument("--out", type=Path, help="keep the run directories here (default: a temporary folder)")
    args = parser.parse_args(argv)
    wall, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    if args.out is not None:
        digests = record(args.out.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="reference-digests-") as tmp:
            digests = record(Path(tmp))
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    for key, value in digests.items():
        print(f"{value}  {key}")
    print(f"# {len(digests)} files; wall {time.perf_counter() - wall:.1f} s, CPU {used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime:.1f} s")
    if args.write:
        write_reference(digests)
        print(f"# wrote {REFERENCE.relative_to(REPO)}")
        return 0
    reference = load_reference()
    changed = sorted(k for k in digests.keys() | reference.keys() if digests.get(k) != reference.get(k))
    if changed:
        print(f"# {len(changed)} file(s) differ from {REFERENCE.relative_to(REPO)}: " + ", ".join(changed))
        return 1
    print(f"# identical to {REFERENCE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
