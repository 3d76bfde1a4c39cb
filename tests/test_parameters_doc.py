"""docs/PARAMETERS.md is the one table of sourced defaults: every citation in the repository points into it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "PARAMETERS.md"
CITE = re.compile(r"docs/PARAMETERS\.md#([a-z0-9-]+)")
BARE = re.compile(r"(?<![\w/])PARAMETERS\.md")


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return [REPO / f for f in out if f.endswith((".py", ".toml", ".md")) and (REPO / f).is_file()]


def anchors() -> set[str]:
    """Ids of docs/PARAMETERS.md (its ``<a id="...">`` anchors)."""
    return set(re.findall(r'<a id="([a-z0-9-]+)"></a>', DOC.read_text(encoding="utf-8")))


def test_every_citation_names_an_existing_row() -> None:
    ids = anchors()
    assert {"matsim-drt-defaults", "bus-driver-pay", "funding-of-av-projects", "working-time-rules"} <= ids
    cited: dict[str, list[str]] = {}
    for path in _tracked():
        for rid in CITE.findall(path.read_text(encoding="utf-8")):
            cited.setdefault(rid, []).append(path.name)
    assert len(cited) >= 20
    missing = {rid: files for rid, files in cited.items() if rid not in ids}
    assert not missing, f"citations of rows docs/PARAMETERS.md does not have: {missing}"


def test_no_citation_outside_the_repository() -> None:
    bad = []
    for path in _tracked():
        if path.name == "test_parameters_doc.py":
            continue
        text = path.read_text(encoding="utf-8")
        bad += [f"{path.name}: bare PARAMETERS.md" for _ in BARE.finditer(text)]
        bad += [f"{path.name}: {m}" for m in re.findall(r"(?:/work/shared|\.\./shared)\S*", text)]
    assert not bad, bad


def test_ids_are_unique() -> None:
    found = re.findall(r'<a id="([a-z0-9-]+)"></a>', DOC.read_text(encoding="utf-8"))
    assert len(found) == len(set(found)) > 100
