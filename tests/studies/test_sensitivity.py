"""One-at-a-time sensitivity studies (sim.studies.sensitivity) and their reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import assert_clean_error, read_csv, read_json
from sim.studies.sensitivity import parse_param, sensitivity

Cli = Callable[..., Result]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}:\n{result.output}\n{result.exception!r}"
    return result


def test_parse_param() -> None:
    from sim.errors import InputError

    p = parse_param("services.s.fleet_size=1,4")
    assert (p.key, p.low, p.high) == ("services.s.fleet_size", 1, 4)
    for bad, needle in (("k=1", "exactly two"), ("k=1,2,3", "exactly two"), ("k", "KEY=LOW,HIGH"), ("seed=1,2", "seed")):
        with pytest.raises(InputError, match=needle):
            parse_param(bad)


def test_sensitivity_one_at_a_time(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    params = [parse_param("services.s.fleet_size=1,4"), parse_param("demand.requests_per_day=4,12")]
    res = sensitivity(tiny_file, params, out, replications=2, kpis=["vehicle_km", "wait_p90_s"])
    from sim.report.studies import write_sensitivity_report

    write_sensitivity_report(res)
    assert res.result.execution.total == 10  # base + 2 per parameter, 2 replications
    runs = read_csv(out / "runs.csv")
    assert [(r["services.s.fleet_size"], r["demand.requests_per_day"]) for r in runs[::2]] == [
        ("2", "8"), ("1", "8"), ("4", "8"), ("2", "4"), ("2", "12")
    ]  # fmt: skip  (the base value fills the keys a point leaves alone)
    rows = read_csv(out / "sensitivity.csv")
    km = [r for r in rows if r["kpi"] == "vehicle_km"]
    assert {r["key"] for r in km} == {"services.s.fleet_size", "demand.requests_per_day"}
    swings = [float(r["swing"]) for r in km]
    assert swings == sorted(swings, reverse=True)  # widest swing first
    for r in km:
        assert float(r["swing"]) == pytest.approx(abs(float(r["high_mean"]) - float(r["low_mean"])), rel=1e-12)
        assert r["base_mean"] == km[0]["base_mean"]
    summary = read_csv(out / "summary.csv")
    assert km[0]["base_mean"] == summary[0]["vehicle_km_mean"]
    assert (out / "figures" / "tornado_vehicle_km.png").stat().st_size > 0
    assert (out / "figures" / "tornado_wait_p90_s.png").stat().st_size > 0
    assert "## Vehicle-km per day" in (out / "report.md").read_text(encoding="utf-8")


def test_cli_sensitivity(cli: Cli, tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    result = _ok(cli("sensitivity", tiny_file, "--param", "services.s.fleet_size=1,3", "-r", 1, "--out", out))
    assert "wait_p90_s" in result.stdout  # the default KPI present in these runs
    assert (out / "figures" / "tornado_wait_p90_s.png").is_file()
    assert_clean_error(cli("sensitivity", tiny_file, "--out", tmp_path / "x"), 2, "--param")
    assert_clean_error(
        cli("sensitivity", tiny_file, "--param", "services.s.fleet_size=1,3", "--kpi", "nope", "-r", 1, "--out", tmp_path / "y"),
        2,
        "--kpi 'nope'",
        "not a known KPI",
        "drivers_fte",
    )
    assert not (tmp_path / "y").exists()  # rejected before any run
    meta = read_json(out / "sensitivity.json")
    assert meta["network"]["name"] == "sodegaura" and meta["network"]["synthetic"] is True
    assert "Road network: the embedded Sodegaura network" in (out / "report.md").read_text(encoding="utf-8")
    assert "network: Synthetic reconstruction" in " ".join(result.stdout.split())
