"""Suspension days (weather, ASSUMPTION counts) with a fallback per service: cancelled days come off
the service's operating days (trips, running cost, staff and the year's availability), a driven
backup keeps the trips and adds its drivers' cost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import REPO

AV_DRT_OPS = REPO / "scenarios" / "sodegaura" / "av_drt_ops.toml"


def _run(cli: Callable[..., Result], out: Path, *sets: str) -> tuple[dict, dict, dict]:
    args = [a for s in sets for a in ("--set", s)]
    result = cli("run", AV_DRT_OPS, "--seed", "7", "--no-report", "--out", out, *args)
    assert result.exit_code == 0, result.output
    return tuple(json.loads((out / f).read_text(encoding="utf-8")) for f in ("metrics.json", "staffing.json", "costs.json"))  # type: ignore[return-value]


@pytest.mark.slow
def test_cancelled_and_backed_up_suspension_days(cli: Callable[..., Result], tmp_path: Path) -> None:
    m0, s0, _c0 = _run(cli, tmp_path / "none")
    m1, s1, _c1 = _run(cli, tmp_path / "cancel", "services.choisoko.suspended_days_per_year=20")
    m2, s2, c2 = _run(cli, tmp_path / "backup", "services.choisoko.suspended_days_per_year=20",
                      'services.choisoko.suspension_fallback="driven_backup"')
    d0, d1 = s0["operating_days_per_year"]["choisoko"], s1["operating_days_per_year"]["choisoko"]
    assert d1 == pytest.approx(d0 - 20)
    assert s1["operating_days_per_year"]["daijuku"] == s0["operating_days_per_year"]["daijuku"]  # other services run
    # the day simulated is the same; only the year changes
    assert m1["requests_served"] == m0["requests_served"] and m1["service_availability"] == m0["service_availability"]
    assert m1["trips_per_year"] < m0["trips_per_year"] and m1["annual_cost_yen"] < m0["annual_cost_yen"]
    # the year's availability: planned hours x days, the 20 cancelled days planned but not run
    per = m1["availability"]["per_service"]
    planned = sum(e["planned_vehicle_h"] * (s1["operating_days_per_year"][n] + (20 if n == "choisoko" else 0)) for n, e in per.items())
    operated = sum(e["planned_vehicle_h"] * s1["operating_days_per_year"][n] * e["service_availability"] for n, e in per.items())
    assert m1["annual_service_availability"] == pytest.approx(operated / planned)
    assert per["choisoko"]["annual_service_availability"] == pytest.approx(per["choisoko"]["service_availability"] * d1 / d0)
    # a driven backup keeps the days (and trips) and pays a driver-day per vehicle per suspended day
    assert s2["operating_days_per_year"]["choisoko"] == d0 and m2["trips_per_year"] == pytest.approx(m0["trips_per_year"])
    (item,) = [i for i in c2["items"] if i["term"] == "staff:backup_drivers:choisoko"]
    assert item["yen_per_year"] == pytest.approx(20 * 4 * 4_530_000 * 1.3 / 260)
    assert m2["annual_cost_yen"] == pytest.approx(m0["annual_cost_yen"] + item["yen_per_year"])
    assert m2["annual_service_availability"] == pytest.approx(m0["annual_service_availability"])
