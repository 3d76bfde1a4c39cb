"""The README's result figures are what the code produces (``python benchmarks/readme_figures.py`` writes them)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("readme_figures", REPO / "benchmarks" / "readme_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spans_are_replaced_and_reported() -> None:
    script = _script()
    text = "a <!-- readme-figures:x -->old<!-- /readme-figures:x --> b\n<!-- readme-figures:t -->\n| 1 |\n<!-- /readme-figures:t -->\n"
    new, changed = script.apply(text, {"x": "new", "t": "| 2 |\n"})
    assert changed == ["x", "t"]
    assert new == "a <!-- readme-figures:x -->new<!-- /readme-figures:x --> b\n<!-- readme-figures:t -->\n| 2 |\n<!-- /readme-figures:t -->\n"
    assert script.apply(new, {"x": "new", "t": "| 2 |\n"})[1] == []


@pytest.mark.slow
def test_readme_figures_are_current(tmp_path: Path) -> None:
    """Runs the five Sodegaura scenarios (about 25 s): fails when the README quotes other numbers."""
    script = _script()
    metrics = script.run_set(tmp_path / "comparison")
    _, changed = script.apply((REPO / "README.md").read_text(encoding="utf-8"), script.spans(metrics))
    assert changed == [], f"README.md is stale in {changed}: run python benchmarks/readme_figures.py"
    assert "In the baseline 8 duties" not in (REPO / "README.md").read_text(encoding="utf-8")
