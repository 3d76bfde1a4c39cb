"""Study reports (sim.report.studies): one Document model in en and ja, and the same clipped
confidence intervals in the CSV, the terminal and the report."""

from __future__ import annotations

import html as htmlmod
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import read_csv
from sim import kpis
from sim.stats import Estimate

Cli = Callable[..., Result]


def _num(cell: str) -> float:
    return math.nan if cell == "" else float(cell)


def _assert_inside_bounds(rows: list[dict[str, str]], suffix_low: str = "_ci95_low", suffix_high: str = "_ci95_high") -> int:
    """Every interval of ``rows`` lies inside its KPI's physical bounds; returns how many sit on a bound."""
    on_bound = 0
    for row in rows:
        for col in row:
            if not col.endswith(suffix_low) or row[col] == "":
                continue
            kpi = col[: -len(suffix_low)]
            low, high = float(row[col]), float(row[kpi + suffix_high])
            lo, hi = kpis.bounds(kpi)
            assert low <= high, (kpi, low, high)
            assert lo is None or low >= lo, (kpi, low)
            assert hi is None or high <= hi, (kpi, high)
            on_bound += (lo is not None and low == lo) + (hi is not None and high == hi)
    return on_bound


@pytest.fixture
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Print tables wide enough that no cell wraps (so they can be compared with the files)."""
    import sim.cli.app

    monkeypatch.setattr(sim.cli.app.out_console, "width", 400)


def test_sweep_intervals_are_the_same_in_csv_terminal_and_report(cli: Cli, tiny_scenario: Path, tmp_path: Path, wide_terminal: None) -> None:
    from sim.report.studies import fmt_estimate

    out = tmp_path / "sw"
    plots = ["wait_p90_s", "rejection_rate", "wait_mean_s"]
    result = cli("sweep", tiny_scenario, "--vary", "services.s.fleet_size=1,2", "-r", 2, "--out", out, *sum((["--plot", k] for k in plots), []))
    assert result.exit_code == 0, result.output
    summary = read_csv(out / "summary.csv")
    assert _assert_inside_bounds(summary) > 0  # some Student-t interval reached past a bound and was clipped
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for row in summary:
        for k in plots:
            est = Estimate(int(row["n"]), _num(row[f"{k}_mean"]), _num(row[f"{k}_ci95_low"]), _num(row[f"{k}_ci95_high"]), math.nan)
            text = fmt_estimate(est, k, "en")
            assert text in result.stdout, text
            assert htmlmod.escape(text) in html, text
            assert text.replace("[", "\\[").replace("]", "\\]") in md, text
    assert '<html lang="en">' in html and "90th-percentile wait" in html


def test_sweep_report_in_japanese(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "ja"
    result = cli("sweep", tiny_scenario, "--vary", "services.s.fleet_size=1,2", "-r", 2, "--out", out, "--lang", "ja", "--plot", "wait_p90_s")
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "待ち時間（90パーセンタイル）" in html and "シードの規則" in html
    assert "分" in html and (out / "figures" / "wait_p90_s__vs__services.s.fleet_size.png").stat().st_size > 0
    bad = cli("sweep", tiny_scenario, "--vary", "services.s.fleet_size=1", "--out", tmp_path / "x", "--lang", "fr")
    assert bad.exit_code == 2 and "--lang 'fr'" in bad.output and not (tmp_path / "x").exists()
    none = cli("sweep", tiny_scenario, "--vary", "services.s.fleet_size=1", "-r", 1, "--out", tmp_path / "n", "--no-report")
    assert none.exit_code == 0 and not (tmp_path / "n" / "report.html").exists() and (tmp_path / "n" / "summary.csv").is_file()


def test_sensitivity_and_size_reports_in_both_languages(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    for lang, needle in (("en", "Vehicle-km per day"), ("ja", "1日の走行距離（台キロ）")):
        out = tmp_path / f"sens-{lang}"
        result = cli("sensitivity", tiny_scenario, "--param", "services.s.fleet_size=1,3", "--kpi", "vehicle_km", "-r", 2, "--out", out, "--lang", lang)
        assert result.exit_code == 0, result.output
        html = (out / "report.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html and needle in html and (out / "figures" / "tornado_vehicle_km.png").is_file()
        _assert_inside_bounds(read_csv(out / "summary.csv"))
    out = tmp_path / "size-ja"
    result = cli("size", tiny_scenario, "--vary", "services.s.fleet_size=1..4", "--target", "vehicles>=2", "-r", 2, "--out", out, "--lang", "ja")
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "最小値は 2 です" in html and "車両数" in html


def test_compare_intervals_are_clipped_in_csv_and_report(cli: Cli, write_scenario, tmp_path: Path) -> None:
    from tests.conftest import TINY_TOML
    from sim.report.i18n import fmt_range

    a = write_scenario("a.toml")
    b = write_scenario("b.toml", TINY_TOML.replace('name = "tiny"', 'name = "three"').replace("fleet_size = 2", "fleet_size = 3"))
    out = tmp_path / "cmp"
    result = cli("compare", a, b, "-r", 3, "--seed", 11, "--out", out)
    assert result.exit_code == 0, result.output
    rows = read_csv(out / "comparison.csv")
    assert _assert_inside_bounds(rows) > 0
    html = (out / "report.html").read_text(encoding="utf-8")
    for row in rows:  # the report shows comparison.csv's (clipped) interval
        low, high, mean = float(row["rejection_rate_ci95_low"]), float(row["rejection_rate_ci95_high"]), float(row["rejection_rate"])
        if high > low:
            assert htmlmod.escape(fmt_range("en", "pct", low, high, mean)) in html
