"""Tests for the reports (sim.report): data loading, figures, maps, HTML/Markdown, assumptions, CLI.

Two tiny runs (8 requests) stand for the scenarios; one is named ``<script>alert(1)</script>`` to
check escaping. A comparison directory is assembled from them with a ``comparison.csv`` that has
95% confidence-interval columns, as ``compare --replications`` writes.
"""

from __future__ import annotations

import base64
import csv
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import TINY_TOML, assert_clean_error
from sim.report.data import ScenarioResult, Study, Value, load_study

EVIL = "<script>alert(1)</script>"
Cli = Callable[..., Result]


def _invoke(*args: object) -> Result:
    from sim.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, f"exit {result.exit_code}:\n{result.output}\n{result.exception!r}"
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two run directories (``tiny`` and the evil name, one vehicle) and the scenario file."""
    base = tmp_path_factory.mktemp("report_runs")
    scenario = base / "tiny.toml"
    scenario.write_text(TINY_TOML, encoding="utf-8")
    a, b = base / "a", base / "b"
    _invoke("run", scenario, "--out", a, "--no-report")
    _invoke("run", scenario, "--out", b, "--no-report", "--set", f"name={EVIL}", "--set", "services.s.fleet_size=1")
    return a, b, scenario


def _comparison(runs: tuple[Path, Path, Path], target: Path) -> Path:
    """A comparison directory: both runs plus a comparison.csv with CI columns (3 replications)."""
    a, b, _ = runs
    target.mkdir(parents=True)
    shutil.copytree(a, target / "tiny")
    shutil.copytree(b, target / "evil")  # found by the name in its metrics.json, not the folder name
    rows = []
    keys: list[str] = []
    for run in (a, b):
        metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
        scalars = {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "seed"}
        keys = keys or list(scalars)
        row = {"scenario": metrics["scenario"], "description": "d", "replications": 3}
        for k in keys:
            v = scalars.get(k)
            row[k] = v
            row[f"{k}_ci95_low"] = None if v is None else v * 0.9
            row[f"{k}_ci95_high"] = None if v is None else v * 1.1
        rows.append(row)
    header = ["scenario", "description", "replications"] + [c for k in keys for c in (k, f"{k}_ci95_low", f"{k}_ci95_high")]
    with (target / "comparison.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.fixture(scope="module")
def comparison(runs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _comparison(runs, tmp_path_factory.mktemp("cmp") / "comparison")


@pytest.fixture(scope="module", params=["en", "ja"])
def built(request: pytest.FixtureRequest, runs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, list[Path]]:
    """A comparison report built in each language: (lang, directory, written paths)."""
    from sim.report.build import build_report

    lang = request.param
    target = _comparison(runs, tmp_path_factory.mktemp(f"built_{lang}") / "comparison")
    return lang, target, build_report(target, lang=lang)


# --------------------------------------------------------------------------- data


def test_load_study_finds_runs_by_scenario_name_and_reads_ci(comparison: Path) -> None:
    study = load_study(comparison)
    assert study.kind == "comparison"
    assert study.names == ["tiny", EVIL]
    assert study.replications == 3
    assert [len(s.runs) for s in study.scenarios] == [1, 1]
    assert study.scenarios[1].first is not None and study.scenarios[1].first.directory.name == "evil"
    wait = study.scenarios[0].kpis["wait_mean_s"]
    assert wait.has_ci and wait.low == pytest.approx(wait.mean * 0.9) and wait.high == pytest.approx(wait.mean * 1.1)


def test_load_study_single_run(runs: tuple[Path, Path, Path]) -> None:
    study = load_study(runs[0])
    assert (study.kind, study.names, study.replications) == ("run", ["tiny"], 1)
    metrics = json.loads((runs[0] / "metrics.json").read_text(encoding="utf-8"))
    assert study.scenarios[0].kpis["requests_total"].mean == metrics["requests_total"] == 8


def test_load_study_rejects_other_directories(tmp_path: Path) -> None:
    from sim.errors import InputError

    with pytest.raises(InputError, match="no metrics.json or comparison.csv"):
        load_study(tmp_path)
    with pytest.raises(InputError, match="not a directory"):
        load_study(tmp_path / "missing")


def test_aliases_become_canonical_keys() -> None:
    from sim.report.data import canonical_kpis

    out = canonical_kpis({"subsidy_yen_per_year": 5.0, "staff_fte_total": 2.0, "annual_cost_yen": 7.0, "x": 1.0})
    assert out == {"annual_subsidy_yen": 5.0, "staff_fte": 2.0, "annual_cost_yen": 7.0, "x": 1.0}


# --------------------------------------------------------------------------- figures


def _labels(ax: object) -> list[str]:
    return ax.get_legend_handles_labels()[1]  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_charts_have_one_series_per_scenario_and_labels_in_language(comparison: Path, lang: str) -> None:
    from sim.report import figures
    from sim.report.i18n import tr
    from sim.report.style import chart_style

    study = load_study(comparison)
    names = study.names
    with chart_style(lang):
        cdf = figures.wait_cdf(study, lang)
        by_hour = figures.wait_by_hour(study, lang)
        rejected = figures.rejections_by_hour(study, lang)
        fleet = figures.fleet_over_day(study, lang)
        pphr = figures.passengers_per_vehicle_hour(study, lang)
    for chart in (cdf, by_hour, rejected, fleet, pphr):
        assert chart is not None
    ax = cdf.fig.axes[0]
    assert _labels(ax) == names
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        tr(lang, "fig_wait_cdf_x"), tr(lang, "fig_wait_cdf_y"), tr(lang, "fig_wait_cdf"))
    ax = by_hour.fig.axes[0]
    assert _labels(ax) == names
    assert (ax.get_xlabel(), ax.get_ylabel()) == (tr(lang, "fig_wait_hour_x"), tr(lang, "fig_wait_hour_y"))
    ax = rejected.fig.axes[0]
    assert [c.get_label() for c in ax.containers] == names
    assert ax.get_ylabel() == tr(lang, "fig_rejections_hour_y")
    top, bottom = fleet.fig.axes[:2]
    assert _labels(top) == names and _labels(bottom) == names
    assert (top.get_ylabel(), bottom.get_ylabel(), bottom.get_xlabel()) == (
        tr(lang, "fig_fleet_y1"), tr(lang, "fig_fleet_y2"), tr(lang, "fig_fleet_x"))
    ax = pphr.fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert [c.get_label() for c in ax.containers if hasattr(c, "patches")] == names
    if lang == "ja":
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ax.get_ylabel())


def test_wait_cdf_ends_at_every_served_wait(comparison: Path) -> None:
    from sim.report import figures
    from sim.report.style import chart_style

    study = load_study(comparison)
    with chart_style("en"):
        chart = figures.wait_cdf(study, "en")
    assert chart is not None
    for line, scenario in zip(chart.fig.axes[0].get_lines(), study.scenarios):
        waits = figures.served_waits_min(scenario)
        assert line.get_xdata()[-1] == pytest.approx(waits.max())
        assert line.get_ydata()[-1] == pytest.approx(1.0)
        assert len(line.get_xdata()) == waits.size + 1


def test_staff_and_cost_charts_when_present(comparison: Path) -> None:
    from sim.report import figures
    from sim.report.style import chart_style

    study = load_study(comparison)
    if not figures.staff_roles(study):
        pytest.skip("these results have no staffing KPIs")
    with chart_style("ja"):
        staff = figures.staff_by_role(study, "ja")
        cost = figures.cost_breakdown(study, "ja")
    assert staff is not None
    assert [t.get_text() for t in staff.fig.axes[0].get_xticklabels()] == study.names
    assert staff.fig.axes[0].get_ylabel() == "常勤換算人数（人）"
    if cost is not None:
        assert [t.get_text() for t in cost.fig.axes[0].get_yticklabels()] == study.names


def test_fleet_profile_counts_vehicles_on_the_road(runs: tuple[Path, Path, Path]) -> None:
    from sim.report.data import read_run
    from sim.report.figures import fleet_profile

    run = read_run(runs[0])
    t, vehicles, tb, load = fleet_profile(run)
    start = run.vehicles["shift_start_s"].min() / 3600
    assert vehicles.max() == len(run.vehicles) == 2  # both vans of the tiny scenario
    assert vehicles[t < start].sum() == 0
    assert (load[~(load != load)] >= 0).all()  # no negative loads (nan where no vehicle is out)


def test_cost_components_from_items_summary_or_top_level() -> None:
    from sim.report.figures import cost_components

    items = {"items": [
        {"category": "staff", "yen_per_year": 100.0},
        {"category": "staff", "yen_per_year": 50.0},
        {"term": "energy:x", "yen_per_year": 7.0},
        {"category": "fixed", "yen_per_year": "n/a"},
    ]}
    assert cost_components(items) == {"staff": 150.0, "energy": 7.0}
    summary = {"summary": {"annual_cost_yen": 9.0, "staff_cost_yen_per_year": 5.0, "fixed_cost_yen_per_year": 4.0}}
    assert cost_components(summary) == {"staff": 5.0, "fixed": 4.0}
    top = {"annual_cost_yen": 9.0, "annual_energy_yen": 3.0, "annual_subsidy_yen": 1.0}
    assert cost_components(top) == {"energy": 3.0}
    assert cost_components(None) == {}


def test_missing_glyph_fails_with_a_message_not_boxes() -> None:
    from sim.report.style import ReportError, chart_style, new_figure, png_bytes

    with chart_style("ja"):
        fig = new_figure(2, 1)
        fig.text(0.1, 0.5, "\U0001f68c バス")  # a bus emoji: in no chart font
        with pytest.raises(ReportError, match="boxes"):
            png_bytes(fig, name="emoji")
        ok = new_figure(2, 1)
        ok.text(0.1, 0.5, "待ち時間 袖ケ浦")
        assert png_bytes(ok, name="ja").startswith(b"\x89PNG")


def test_missing_font_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.report import style

    style.japanese_font.cache_clear()
    monkeypatch.setitem(sys.modules, "matplotlib_fontja", None)  # import fails
    try:
        with pytest.raises(style.ReportError, match="pip install matplotlib-fontja"):
            style.japanese_font()
    finally:
        monkeypatch.undo()
        style.japanese_font.cache_clear()
    assert style.japanese_font()[0] == "IPAexGothic"


# --------------------------------------------------------------------------- maps


def test_maps_have_a_panel_per_scenario_and_state_the_provenance(comparison: Path) -> None:
    from sim.report import maps
    from sim.report.style import chart_style

    study = load_study(comparison)
    cache = maps.RunNetworks()
    with chart_style("ja"):
        service = maps.service_map(study, "ja", cache)
        towns = maps.towns_map(study, "ja", cache)
        density = maps.demand_density(study, "ja", cache)
    assert service is not None and towns is not None and density is not None
    visible = [ax for ax in service.fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == study.names
    # roads, areas and stops are drawn: line collections on each panel
    assert all(len(ax.collections) >= 2 for ax in visible)
    provenance = maps.provenance_text(study.scenarios[0].first, "ja", short=True)
    assert "OpenStreetMap" in provenance
    for chart in (service, towns, density):
        assert provenance in [t.get_text().replace("\n", " ") for t in chart.fig.texts]
    assert density.name == "map_trip_starts"  # both scenarios share the demand: one panel
    assert len([ax for ax in density.fig.axes if ax.get_visible() and ax.get_title() == ""]) >= 1


def test_town_outcomes_add_up(runs: tuple[Path, Path, Path]) -> None:
    from sim.report.data import read_run
    from sim.report.maps import town_outcomes

    run = read_run(runs[1])
    towns = town_outcomes(run)
    assert int(towns["requests"].sum()) == len(run.requests) == 8
    assert int(towns["served"].sum()) == int((run.requests["outcome"] == "served").sum())
    assert (towns["rejected"] == towns["requests"] - towns["served"]).all()
    assert towns["lat"].notna().all()


# --------------------------------------------------------------------------- HTML and Markdown


def test_report_files_and_embedded_images(built: tuple[str, Path, list[Path]]) -> None:
    lang, target, paths = built
    html_path, md_path, *pngs = paths
    assert (html_path, md_path) == (target / "report.html", target / "report.md")
    assert sorted(pngs) == sorted((target / "figures").glob("*.png"))
    assert len(pngs) >= 8  # 3 service charts, 2 operations charts, 3 maps (+ staff/cost when present)
    html = html_path.read_text(encoding="utf-8")
    uris = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(uris) == len(pngs)
    assert {base64.b64decode(u) for u in uris} == {p.read_bytes() for p in pngs}
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from the network
    assert '<meta name="viewport"' in html and "@page { size: A4" in html and "overflow-x: auto" in html
    assert f'<html lang="{lang}">' in html


def test_report_html_names_every_scenario_and_headline_kpi_and_escapes(built: tuple[str, Path, list[Path]]) -> None:
    import html as htmlmod

    from sim.report.content import HEADLINE
    from sim.report.i18n import kpi_label, tr

    lang, target, _ = built
    html = (target / "report.html").read_text(encoding="utf-8")
    study = load_study(target)
    assert "<script" not in html.lower()  # the report has no scripts, and names are escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for name in study.names:
        assert htmlmod.escape(name) in html
    present = [k for k, _, _ in HEADLINE if any(s.kpis.get(k, Value(None)).mean is not None for s in study.scenarios)]
    assert {"wait_mean_s", "wait_p90_s", "rejection_rate"} <= set(present)
    for key in present:
        assert htmlmod.escape(kpi_label(lang, key)) in html
    assert htmlmod.escape(tr(lang, "provenance_sodegaura")) in html
    assert tr(lang, "sec_summary") in html and tr(lang, "sec_assumptions") in html
    # confidence intervals of the comparison.csv are shown: 90%..110% of the mean wait
    wait = study.scenarios[0].kpis["wait_mean_s"]
    assert f"({wait.low / 60:,.1f}–{wait.high / 60:,.1f})" in html
    if lang == "ja":
        assert "シナリオ比較" in html and '@font-face { font-family: "ReportJa"' in html


def test_report_markdown_has_the_same_content(built: tuple[str, Path, list[Path]]) -> None:
    from sim.report.i18n import tr

    lang, target, paths = built
    md = (target / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((figures/[^)]+\.png)\)", md)
    assert sorted(target / link for link in links) == sorted(paths[2:])
    assert r"\<script\>alert(1)\</script\>" in md
    assert not re.search(r"(?<!\\)<script", md)  # every "<" of the name is backslash-escaped
    for key in ("sec_summary", "sec_kpis", "sec_maps", "sec_assumptions", "sec_method"):
        assert tr(lang, key) in md
    assert tr(lang, "provenance_sodegaura") in md


def test_assumptions_table_lists_changes_and_sourced_defaults(built: tuple[str, Path, list[Path]]) -> None:
    from sim.report.i18n import tr

    lang, target, _ = built
    md = (target / "report.md").read_text(encoding="utf-8")
    section = md.split(tr(lang, "assumptions_changed"))[1].split(tr(lang, "assumptions_defaults"))
    changed, defaults = section[0], section[1]
    row = next(line for line in changed.splitlines() if line.startswith("| `demand.requests_per_day`"))
    assert [c.strip() for c in row.strip("|").split("|")][2:5] == ["8", "8", "40"]  # tiny, evil, default
    row = next(line for line in changed.splitlines() if line.startswith("| `services.s.fleet_size`"))
    assert [c.strip() for c in row.strip("|").split("|")][2:4] == ["2", "1"]
    row = next(line for line in defaults.splitlines() if line.startswith("| `services.s.max_wait_min`"))
    assert "MATSim" in row  # a default with its PARAMETERS.md source
    assert "| `walk.speed_mps` |" in defaults


# --------------------------------------------------------------------------- assumptions


def test_parse_comments_joins_blocks_inline_and_continuations() -> None:
    from sim.report.assumptions import parse_comments

    text = (
        "# file header\n\nname = \"x\"\n\n[demand]\n# above one\n# above two\nrequests_per_day = 40  # inline\n"
        "start = \"09:00\"\nwalk_weight = 2.0   # counts twice,\nwait_weight = 2.0   #   and so does this\n"
        "[services.\"A b\".areas.A]\ndistricts = [\"昭和\"]   # PARAMETERS.md \"areas\" # not a second comment\n"
    )
    assert parse_comments(text) == {
        "demand.requests_per_day": "above one above two inline",
        "demand.walk_weight": "counts twice, and so does this",
        "demand.wait_weight": "counts twice, and so does this",
        "services.A b.areas.A.districts": 'PARAMETERS.md "areas" # not a second comment',
    }


def test_scenario_params_flags_changes_overrides_and_sources(runs: tuple[Path, Path, Path]) -> None:
    import tomllib

    from sim.report.assumptions import scenario_params

    _, b, scenario_file = runs
    resolved = tomllib.loads((b / "scenario.toml").read_text(encoding="utf-8"))
    params, original = scenario_params(resolved, scenario_file=scenario_file)
    assert original == scenario_file
    by_path = {p.path: p for p in params}
    assert "name" not in by_path and "seed" not in by_path and "description" not in by_path
    fleet = by_path["services.s.fleet_size"]
    assert (fleet.value, fleet.has_default, fleet.changed, fleet.overridden) == (1, False, True, True)  # --set
    req = by_path["demand.requests_per_day"]
    assert (req.value, req.default, req.changed, req.overridden, req.defined_in) == (8, 40, True, False, "tiny.toml")
    walk = by_path["walk.speed_mps"]
    assert (walk.changed, walk.overridden) == (False, False)
    assert by_path["vehicles.van.capacity"].has_default is False


# --------------------------------------------------------------------------- summary logic and wording


def _study(values: dict[str, Value]) -> Study:
    return Study(Path("x"), "comparison", tuple(ScenarioResult(n, (), {"wait_mean_s": v}) for n, v in values.items()), 3)


def test_best_of_picks_lowest_and_names_an_overlapping_rival() -> None:
    from sim.report.content import best_of

    study = _study({"A": Value(300.0, 240.0, 360.0), "B": Value(330.0, 312.0, 348.0), "C": Value(540.0, 500.0, 580.0)})
    tied, rival = best_of(study, "wait_mean_s", "low")
    assert [s.name for s in tied] == ["A"] and rival is not None and rival.name == "B"
    study = _study({"A": Value(300.0), "B": Value(300.0), "C": Value(400.0)})
    tied, rival = best_of(study, "wait_mean_s", "low")
    assert [s.name for s in tied] == ["A", "B"] and rival is None
    assert best_of(_study({"A": Value(1.0), "B": Value(1.0)}), "wait_mean_s", "low") == ([], None)  # all equal
    assert best_of(_study({"A": Value(1.0), "B": Value(None)}), "wait_mean_s", "low") == ([], None)  # one value
    assert best_of(_study({"A": Value(2.0), "B": Value(1.0)}), "wait_mean_s", "high")[0][0].name == "A"


def test_every_string_exists_in_both_languages_with_the_same_placeholders() -> None:
    from sim.kpis import REGISTRY
    from sim.report.i18n import PARAM_LABELS, TEXT
    from sim.report.i18n_studies import STUDY_TEXT

    field = re.compile(r"\{(\w+)\}")
    assert not set(TEXT) & set(STUDY_TEXT)
    for key, (en, ja) in {**TEXT, **STUDY_TEXT}.items():
        assert en and ja, key
        assert set(field.findall(en)) == set(field.findall(ja)), key
        assert "key" not in field.findall(en), key  # `tr(lang, key, **values)` takes `key` itself
    labels = {**{k.name: (k.en, k.ja) for k in REGISTRY}, **PARAM_LABELS}
    for key, (en, ja) in labels.items():
        assert en and ja and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), key


def test_number_formats() -> None:
    from sim.report.i18n import fmt_minutes, fmt_percent, fmt_range, fmt_yen

    assert fmt_yen("en", 66_834_980.4) == "¥66.8 M"
    assert fmt_yen("ja", 66_834_980.4) == "6,683万円"
    assert fmt_yen("ja", 132_600_000) == "13,260万円"
    assert (fmt_yen("en", 2659.27), fmt_yen("ja", 2659.27)) == ("¥2,659", "2,659円")
    assert (fmt_minutes("en", 312.0), fmt_minutes("ja", 312.0)) == ("5.2 min", "5.2分")
    assert fmt_percent(0.3333) == "33.3%" and fmt_yen("en", None) == "–"
    assert fmt_range("ja", "yen", 60_000_000, 70_000_000, 66_000_000) == "6,000–7,000"
    assert fmt_range("en", "min", 600, 720, 660) == "10.0–12.0"


def test_markdown_escape() -> None:
    from sim.report.markdown import escape

    assert escape(EVIL) == r"\<script\>alert(1)\</script\>"
    assert escape("max_wait_min *bold* [x]|y _z_") == r"max_wait_min \*bold\* \[x\]\|y \_z\_"


# --------------------------------------------------------------------------- CLI


def test_cli_report_rebuilds_without_rerunning(cli: Cli, runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "run"
    shutil.copytree(runs[0], target)
    assert not (target / "report.html").exists()  # run --no-report wrote none
    before = (target / "metrics.json").stat().st_mtime_ns
    result = cli("report", target, "--lang", "ja")
    assert result.exit_code == 0, result.output
    assert "report written to" in " ".join(result.stdout.split())
    html = (target / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "シナリオ報告：tiny" in html
    assert (target / "metrics.json").stat().st_mtime_ns == before
    assert len(list((target / "figures").glob("*.png"))) >= 8


def test_cli_report_errors_are_clean(cli: Cli, runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    assert_clean_error(cli("report", tmp_path), 2, "no metrics.json or comparison.csv")
    assert_clean_error(cli("report", runs[0], "--lang", "fr"), 2, "--lang 'fr'", "en, ja")


@pytest.mark.slow
def test_cli_run_writes_a_report_unless_told_not_to(cli: Cli, runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    scenario = runs[2]
    assert_clean_error(cli("run", scenario, "--out", tmp_path / "bad", "--lang", "de"), 2, "--lang 'de'")
    assert not (tmp_path / "bad").exists()  # rejected before simulating
    result = cli("run", scenario, "--out", tmp_path / "with", "--lang", "ja")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "with" / "report.html").is_file() and (tmp_path / "with" / "report.md").is_file()
    assert "report written to" in " ".join(result.stdout.split())
