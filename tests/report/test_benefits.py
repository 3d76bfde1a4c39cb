"""Benefits against the first scenario, by hand on three requests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.report.benefits import benefits_section, compare_benefits
from sim.report.data import RunData, ScenarioResult, Study


def _run(name: str, rows: list[tuple[str, str, int, float, float, float]], metrics: dict, vot: float = 40.0) -> RunData:
    req = pd.DataFrame(rows, columns=["request_id", "outcome", "party_size", "wait_s", "ride_s", "walk_s"])
    empty = pd.DataFrame()
    return RunData(name, Path(name), {"benefits": {"value_of_time_yen_per_min": vot}}, metrics, req, empty, empty, empty,
                   empty, None, None, None, None, ())


def test_time_benefit_and_riders_by_hand(tmp_path: Path) -> None:
    ref = _run("ref", [("a", "served", 1, 600, 1200, 120), ("b", "served", 2, 300, 600, 60), ("c", "served", 1, 0, 60, 0),
                       ("d", "rejected", 1, float("nan"), float("nan"), float("nan"))],
               {"riders_per_day": 4, "riders_per_year": 1200, "co2_t_per_year": 10.0})
    new = _run("new", [("a", "served", 1, 300, 1200, 120), ("b", "served", 2, 300, 540, 0), ("c", "rejected", 1, 0, 0, 0),
                       ("d", "served", 1, 60, 60, 60)],
               {"co2_t_per_year": 7.5})
    b = compare_benefits(new, ref)
    # served in both: a (1 pax) and b (2 pax). wait: (600-300)*1 + 0 = 300 s = 5 min; ride: (600-540)*2 = 120 s = 2 min;
    # walk: (60-0)*2 = 120 s = 2 min -> 9 minutes a day x (1200 / 4 = 300 days) x ¥40 = ¥108,000 a year
    assert (b.wait_min_per_day, b.ride_min_per_day, b.walk_min_per_day) == pytest.approx((5.0, 2.0, 2.0))
    assert b.time_benefit_yen_per_year == pytest.approx(108_000)
    assert (b.riders_both_per_day, b.riders_gained_per_day, b.riders_lost_per_day) == (3, 1, 1)
    assert b.co2_change_t_per_year == pytest.approx(-2.5)
    study = Study(tmp_path, "comparison", (ScenarioResult("ref", (ref,), {}), ScenarioResult("new", (new,), {})), 1)
    section = benefits_section(study, "ja")
    assert section is not None and "令和4年2月" in section.blocks[0].text
    texts = [c.text for row in section.blocks[1].rows for c in row]
    assert "+108,000円" in texts and "-2.50" in texts
