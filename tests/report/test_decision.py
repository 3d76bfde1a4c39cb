"""The decision page: three lines per scenario, paired intervals, and sensitivities recomputed from the result files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.report.content import compose
from sim.report.data import load_study
from sim.report.decision import _staff_fte, burden_per_resident, decision_section, paired, scenario_lines
from sim.stats import mean_ci
from tests.conftest import TINY_TOML, read_json

AV = TINY_TOML.replace('name = "tiny"', 'name = "tiny_av"').replace(
    "[vehicles.van]\ncapacity = 4",
    '[vehicles.van]\ncapacity = 4\nautomation = "level4_remote"\nprice_yen = 50000000',
)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from sim.cli.app import app

    base = tmp_path_factory.mktemp("decision")
    (base / "a.toml").write_text(TINY_TOML.replace("[vehicles.van]\ncapacity = 4", '[vehicles.van]\ncapacity = 4\nprice_yen = 5000000'),
                                 encoding="utf-8")
    (base / "b.toml").write_text(AV, encoding="utf-8")
    out = base / "cmp"
    result = CliRunner().invoke(app, ["compare", str(base / "a.toml"), str(base / "b.toml"), "--out", str(out),
                                      "--replications", "3", "--no-report"])
    assert result.exit_code == 0, result.output
    return out


def test_decision_page_comes_first_with_three_lines_per_scenario(comparison: Path) -> None:
    study = load_study(comparison)
    for lang in ("en", "ja"):
        doc = compose(study, lang, {})
        assert doc.sections[0].anchor == "decision"
        bullets = [b for b in doc.sections[0].blocks if hasattr(b, "items")]
        assert [b.title.split(" ")[0].split("（")[0] for b in bullets] == ["tiny", "tiny_av"]
        assert all(len(b.items) == 3 for b in bullets)
    assert decision_section(load_study(comparison / "tiny"), "en") is None  # a single run has no decision page


def test_paired_interval_is_the_interval_of_the_per_day_differences(comparison: Path) -> None:
    study = load_study(comparison)
    reps = pd.read_csv(comparison / "replications.csv")
    a = reps[reps.scenario == "tiny_av"].set_index("replication")["burden_per_resident_yen"]
    b = reps[reps.scenario == "tiny"].set_index("replication")["burden_per_resident_yen"]
    est = mean_ci(list(a - b))
    iv = paired(study, "tiny_av", "tiny", "burden_per_resident_yen")
    assert iv.n == 3 and iv.value == pytest.approx(est.mean) and (iv.low, iv.high) == pytest.approx((est.low, est.high))


def test_recomputed_burden_and_staff_match_the_run(comparison: Path) -> None:
    study = load_study(comparison)
    for s in study.scenarios:
        run = s.first
        m = read_json(run.directory / "metrics.json")
        assert burden_per_resident(run) == pytest.approx(m["burden_per_resident_yen"], rel=1e-9)
        total, drivers = _staff_fte(run)
        assert total == pytest.approx(m["staff_fte_total"]) and drivers == pytest.approx(m["drivers_fte"])
        # no national grant at all: the city pays cost - fares
        assert burden_per_resident(run, national_share={}) == pytest.approx(
            (m["annual_cost_yen"] - m["fare_revenue_yen_per_year"]) / 65000)
        # 10 % more leave cover: every FTE x 1.25 / 1.15
        assert _staff_fte(run, spare=0.25)[0] == pytest.approx(m["staff_fte_total"] * 1.25 / 1.15)


def test_sensitivities_rank_by_swing_and_name_their_ranges(comparison: Path) -> None:
    study = load_study(comparison)
    ref, av = study.scenarios
    lines = {line.key: line for line in scenario_lines(study, av, ref, "en")}
    staff, burden = lines["staff"], lines["burden"]
    assert len(staff.sensitive) == 2 and staff.sensitive[0].swing >= staff.sensitive[1].swing
    names = [x.assumption for x in burden.sensitive]
    assert len(names) == 2 and burden.sensitive[0].swing >= burden.sensitive[1].swing
    # the AV pays 4/5 of its items from the national grant: removing it moves the burden most
    assert names[0] == "costs.subsidy.national_share"
    assert "95 % interval over 3 days" in burden.uncertainty


def test_single_day_comparison_states_changes_without_intervals(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli.app import app

    (tmp_path / "a.toml").write_text(TINY_TOML, encoding="utf-8")
    (tmp_path / "b.toml").write_text(AV, encoding="utf-8")
    out = tmp_path / "one"
    result = CliRunner().invoke(app, ["compare", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"), "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    study = load_study(out)
    a, b = (read_json(out / n / "metrics.json") for n in ("tiny", "tiny_av"))
    lines = {x.key: x for x in scenario_lines(study, study.scenarios[1], study.scenarios[0], "en")}
    assert paired(study, "tiny_av", "tiny", "staff_fte_total").value == pytest.approx(b["staff_fte_total"] - a["staff_fte_total"])
    assert "–" not in lines["staff"].text and "One simulated day: no interval" in lines["staff"].uncertainty
