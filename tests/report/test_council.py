"""The council KPI table end to end: metrics.json keys, typed records, report tables in en and ja, honest headlines."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from sim.report.content import compose
from sim.report.council import COUNCIL_KPIS, council_table
from sim.report.data import load_study
from sim.report.i18n import fmt_kind, kpi_label, tr
from sim.report.summary import HEADLINE, NOT_RANKED
from sim.staffing.funding import FUNDING_KPI_KEYS
from tests.conftest import read_json


def test_metrics_have_the_kpi_table_and_headcounts(tiny_run: Path) -> None:
    m = read_json(tiny_run / "metrics.json")
    for key in (*FUNDING_KPI_KEYS, "staff_headcount", "drivers_headcount"):
        assert key in m, key
    # no automated vehicle: nothing from the national AV subsidy, the city pays all of cost - fares
    assert m["national_funding_yen_per_year"] == 0.0
    assert m["city_burden_yen_per_year"] == pytest.approx(m["annual_cost_yen"] - m["fare_revenue_yen_per_year"])
    assert m["burden_per_resident_yen"] == pytest.approx(m["city_burden_yen_per_year"] / 65000)
    assert m["riders_per_year"] == pytest.approx(m["trips_per_year"])
    assert m["riders_per_day"] == m["passengers_served"]
    staffing = read_json(tiny_run / "staffing.json")
    assert m["staff_headcount"] == sum(r["headcount"] for r in staffing["roles"].values())
    assert m["drivers_headcount"] == math.ceil(m["drivers_fte"] - 1e-9)
    for entry in m["per_service"].values():
        assert {"riders_per_year", "city_burden_yen_per_year", "burden_per_rider_yen"} <= set(entry)


def test_council_records_and_section_agree_with_metrics(tiny_run: Path) -> None:
    m = read_json(tiny_run / "metrics.json")
    study = load_study(tiny_run)
    table = council_table(study)
    keys = [r.key for r in table.rows]
    assert keys == [k for k, _ in COUNCIL_KPIS if k in keys]  # one fixed order
    assert {"riders_per_year", "farebox_ratio", "public_funding_yen_per_year", "city_burden_yen_per_year",
            "burden_per_resident_yen", "burden_per_rider_yen", "fare_revenue_yen_per_year"} <= set(keys)
    by_key = {r.key: r for r in table.rows}
    assert by_key["city_burden_yen_per_year"].values[0].mean == pytest.approx(m["city_burden_yen_per_year"])
    assert by_key["fare_revenue_yen_per_year"].values[0].mean == pytest.approx(m["fare_revenue_yen_per_year"])
    assert [x.service for x in table.services] == sorted(m["per_service"])
    for lang in ("en", "ja"):
        doc = compose(study, lang, {})
        anchors = [s.anchor for s in doc.sections]
        assert anchors[:2] == ["summary", "council"]  # on the first screen, right after the summary
        council = doc.sections[1]
        texts = [c.text for b in council.blocks if hasattr(b, "rows") for row in b.rows for c in row]
        assert kpi_label(lang, "burden_per_resident_yen") in texts
        assert fmt_kind(lang, "yen", m["burden_per_resident_yen"]) in texts
        assert fmt_kind(lang, "pct", m["farebox_ratio"]) in texts
    assert kpi_label("ja", "burden_per_resident_yen") == "市民一人当たり行政負担額（年間）"


def test_headline_shows_all_staff_beside_drivers_and_ranks_all_roles(tiny_run: Path) -> None:
    keys = [k for k, _, _ in HEADLINE]
    assert keys.index("staff_fte") < keys.index("drivers_fte") and "staff_headcount" in keys and "drivers_headcount" in keys
    assert "drivers_fte" in NOT_RANKED and "staff_fte" not in NOT_RANKED
    m = read_json(tiny_run / "metrics.json")
    doc = compose(load_study(tiny_run), "en", {})
    summary = " ".join(doc.texts()[:40])
    expected = tr("en", "scenario_staff", staff=fmt_kind("en", "fte", m["staff_fte_total"]), staff_heads=str(m["staff_headcount"]),
                  drivers=fmt_kind("en", "fte", m["drivers_fte"]), driver_heads=str(m["drivers_headcount"]))
    assert expected in summary


def test_best_on_ranks_staff_of_all_roles_not_drivers(tmp_path: Path) -> None:
    from sim.report.data import ScenarioResult, Study, Value
    from sim.report.summary import summary_section

    def sc(name: str, drivers: float, staff: float) -> ScenarioResult:
        kp = {"drivers_fte": Value(drivers), "staff_fte": Value(staff), "requests_total": Value(10.0)}
        return ScenarioResult(name, (), kp)

    # av needs fewer drivers but more staff in all: it must not be called best on staff
    study = Study(tmp_path, "comparison", (sc("today", 9.5, 9.5), sc("av", 4.0, 10.1)), 1)
    section = summary_section(study, "en")
    best = next(b for b in section.blocks if getattr(b, "title", "") == tr("en", "best_heading"))
    assert best.items == (tr("en", "best_on", kpi=kpi_label("en", "staff_fte"), name="today", value="9.5"),)


def test_run_prints_staff_cost_and_rejections_by_reason(cli, tiny_scenario: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = cli("run", tiny_scenario, "--out", out, "--no-report", "--set", "demand.requests_per_day=30",
                 "--set", "services.s.fleet_size=1")
    assert result.exit_code == 0, result.output
    m = read_json(out / "metrics.json")
    assert m["rejections_by_reason"], "the case must reject something"
    for reason, n in m["rejections_by_reason"].items():
        assert re.search(rf"rejected: {reason}\s*│\s*{n}\s*│", result.output), reason
    from sim.cli.tables import label, number

    for key in ("staff_fte_total", "staff_headcount", "drivers_fte", "drivers_headcount", "annual_cost_yen",
                "public_funding_yen_per_year", "city_burden_yen_per_year", "burden_per_resident_yen"):
        v = m[key]
        row = rf"{re.escape(label(key, v))}\s*│\s*{re.escape(number(v, key, v))}\s*│"
        assert re.search(row, result.output), key
    assert "Staff needed, all roles (people)" in result.output and "Drivers needed (people)" in result.output
    from sim.report.council import rejections_table

    table = rejections_table(load_study(out), "en")
    assert table is not None
    assert sum(int(row[1].text) for row in table.rows) == m["requests_rejected"]


def test_coverage_in_metrics_table_and_map(cli, tiny_scenario: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sim.report.coverage import coverage_blocks, coverage_map

    out = tmp_path / "cov"
    # the DRT (whole network) runs 12:00-14:00: 2 of the 8 hours 09-17 for every resident
    result = cli("run", tiny_scenario, "--out", out, "--no-report", "--set", "services.s.start=12:00",
                 "--set", "services.s.end=14:00", "--set", "demand.start=12:00", "--set", "demand.end=14:00")
    assert result.exit_code == 0, result.output
    m = read_json(out / "metrics.json")
    assert m["population_coverage_share_300m"] == pytest.approx(0.25)
    assert m["population_coverage_share_500m"] == pytest.approx(0.25)
    assert m["coverage_65plus_share_500m"] == pytest.approx(0.25)
    assert m["population_without_service"] == 0.0
    study = load_study(out)
    for lang in ("en", "ja"):
        blocks = coverage_blocks(study, lang)
        table = next(b for b in blocks if hasattr(b, "rows"))
        assert len(table.rows) == 15 and all(row[-1].text == "25.0%" for row in table.rows)
        row = council_table(study).rows
        assert {r.key: r.values[0].mean for r in row}["population_coverage_share_500m"] == pytest.approx(0.25)
    chart = coverage_map(study, "ja")
    assert chart is not None and chart.name == "map_coverage"


@pytest.mark.slow
def test_each_language_has_its_own_report_files(cli, tiny_scenario: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "both"
    assert cli("run", tiny_scenario, "--out", out, "--lang", "en").exit_code == 0
    en_html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en_html
    result = cli("report", out, "--lang", "ja")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").read_text(encoding="utf-8") == en_html  # the English report is untouched
    ja_html = (out / "report.ja.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in ja_html and "要旨" in ja_html
    ja_md = (out / "report.ja.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((figures\.ja/[^)]+\.png)\)", ja_md)
    assert links and all((out / link).is_file() for link in links)
    en_md = (out / "report.md").read_text(encoding="utf-8")
    assert all((out / link).is_file() for link in re.findall(r"\]\((figures/[^)]+\.png)\)", en_md))
    # rebuilding English rewrites only the English files; a new run starts afresh in its language
    assert cli("report", out, "--lang", "en").exit_code == 0
    assert (out / "report.ja.html").read_text(encoding="utf-8") == ja_html
    assert cli("run", tiny_scenario, "--out", out, "--lang", "ja").exit_code == 0
    assert '<html lang="ja">' in (out / "report.html").read_text(encoding="utf-8")
    assert not (out / "report.ja.html").exists() and not (out / "report.en.html").exists()


@pytest.mark.slow
def test_replicated_report_names_the_days_and_the_root_seed(cli, write_scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = write_scenario("a.toml")
    b = write_scenario("b.toml", extra="")
    b.write_text(b.read_text(encoding="utf-8").replace('name = "tiny"', 'name = "tiny2"'), encoding="utf-8")
    out = tmp_path / "cmp"
    result = cli("compare", a, b, "--out", out, "--replications", "2", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert read_json(out / "compare.json")["root_seed"] == 7  # the scenario's seed: the root the replications come from
    child_seeds = {line.split(",")[2] for line in (out / "replications.csv").read_text(encoding="utf-8").splitlines()[1:]}
    md = (out / "report.md").read_text(encoding="utf-8")
    head = md.split("## ", 2)[1] + md.split("## ", 2)[2][:1500]
    assert "2 simulated service days per scenario (root seed 7)" in md
    assert "root seed 7" in head and "One simulated service day" not in md
    assert not any(f"seed {s})" in head or f"seed {s};" in head for s in child_seeds - {"7"})  # replication 0 is the root
