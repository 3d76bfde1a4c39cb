"""Calibration: target files, the update step, and fitting the Sodegaura targets from another start."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.studies.calibrate import (
    Target,
    _step,
    calibrate,
    metric_value,
    read_targets,
    write_calibration,
)
from tests.conftest import SODEGAURA_SCENARIOS


def test_metric_paths_are_summed() -> None:
    m = {
        "mode_share": {"car": 0.5, "lift": 0.2},
        "per_service": {"s": {"passengers_served": 7}},
        "x": None,
    }
    assert metric_value(m, ["mode_share.car", "mode_share.lift"]) == pytest.approx(0.7)
    assert metric_value(m, ["per_service.s.passengers_served"]) == 7
    assert metric_value(m, ["per_service.gone.passengers_served", "x"]) == 0


def test_update_step_by_hand() -> None:
    count = Target("riders", ("a",), 40.0, 5.0, "drt")
    assert _step(count, -2.0, 20.0, 1.0) == pytest.approx(-2.0 + math.log(2.0))
    share = Target("share", ("b",), 0.5, 0.05, "car")
    assert _step(share, 1.0, 0.2, 1.0) == pytest.approx(
        1.0 + math.log(4.0)
    )  # log-odds 0 - log(0.25)
    scale = Target("trips", ("c",), 2.0, 0.1, "trip_rate_scale")
    assert _step(scale, 1.0, 1.6, 1.0) == pytest.approx(1.25)


def test_bad_targets_name_file_target_and_key(tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text(
        '[targets.a]\nmetric = "x"\nvalue = 1\ntolerance = 0\nparameter = "drt"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match=r"t\.toml: targets\.a\.tolerance: 0 must be a positive number"
    ):
        read_targets(p)
    p.write_text(
        '[targets.a]\nmetric = "x"\nvalue = 1\ntolerance = 1\nparameter = "bus"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"targets\.a\.parameter: 'bus' is not valid"):
        read_targets(p)
    p.write_text("[other]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"needs at least one \[targets\.NAME\] table"):
        read_targets(p)


def test_calibrate_cli_bad_targets_exit_2(cli, tmp_path: Path) -> None:
    bad = tmp_path / "targets.toml"
    bad.write_text(
        '[targets.a]\nmetric = "x"\nvalue = "many"\ntolerance = 1\nparameter = "drt"\n',
        encoding="utf-8",
    )
    result = cli(
        "calibrate",
        SODEGAURA_SCENARIOS / "baseline.toml",
        "--targets",
        bad,
        "--out",
        tmp_path / "c.toml",
    )
    assert result.exit_code == 2
    assert "targets.a.value" in result.output
    assert not (tmp_path / "c.toml").exists()


@pytest.mark.slow
def test_calibration_reproduces_targets_from_another_start(tmp_path: Path) -> None:
    targets = [
        t
        for t in read_targets(SODEGAURA_SCENARIOS / "targets.toml")
        if t.parameter in {"drt", "line"}
    ]
    cal = calibrate(
        SODEGAURA_SCENARIOS / "baseline.toml",
        targets,
        overrides=["demand.behaviour.asc.drt=-4.0", "demand.behaviour.asc.line=-5.0"],
        max_iterations=15,
    )
    assert cal.converged
    for t in targets:
        assert abs(cal.final[t.name] - t.value) <= t.tolerance
    out = tmp_path / "calibration.toml"
    write_calibration(
        cal,
        out,
        scenario=SODEGAURA_SCENARIOS / "baseline.toml",
        targets_path=Path("targets.toml"),
    )
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert data["demand"]["model"] == "behavioural"
    assert data["demand"]["behaviour"]["asc"]["drt"] == pytest.approx(
        cal.params["drt"], abs=1e-4
    )
    assert "| drt_riders |" in out.with_suffix(".md").read_text(encoding="utf-8")
