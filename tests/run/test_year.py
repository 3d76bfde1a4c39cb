"""A year as day types (``[year]``): each day type simulated with its own seed, the annual figures
their weighted sum — exactly — and the keys checked with messages naming file, key and value."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from sim.run.runner import run_scenario
from sim.run.year import day_type_seed
from sim.scenario.schema import day_scenario, load_scenario
from tests.conftest import TINY_TOML, assert_clean_error

YEAR = """
[year.day_types.weekday]
days = 245
[year.day_types.saturday]
days = 52
demand_factor = 0.5
set = { "services.s.fleet_size" = 1 }
[year.day_types.sunday_holiday]
days = 68
demand_factor = 0.25
"""


def _write(tmp_path: Path, text: str, name: str = "y.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_annual_totals_are_the_weighted_sum_of_the_day_types_exactly(tmp_path: Path) -> None:
    scenario, base = load_scenario(_write(tmp_path, TINY_TOML + YEAR))
    year = run_scenario(scenario, base, seed=7)
    # each day type run on its own: the plain scenario with the day type's changes and seed
    days = {"weekday": 245, "saturday": 52, "sunday_holiday": 68}
    plain = {n: run_scenario(day_scenario(scenario, n, source="y"), base, seed=day_type_seed(7, n)) for n in days}
    assert sum(days.values()) == 365 and year.metrics["year"]["total"]["days"] == 365
    # the day types differ as the file says: half and a quarter of the 8 requests, one van on Saturdays
    assert [plain[n].metrics["requests_total"] for n in days] == [8, 4, 2]
    assert len({v.vehicle_id for v in plain["saturday"].log.vehicles}) == 1
    pax = {n: sum(r.party_size for r in plain[n].log.requests if r.outcome.name == "SERVED") for n in days}
    assert year.metrics["trips_per_year"] == 245 * pax["weekday"] + 52 * pax["saturday"] + 68 * pax["sunday_holiday"]
    km = {n: plain[n].costs.vehicle_km_per_year / days[n] for n in days}
    assert year.costs.vehicle_km_per_year == pytest.approx(sum(km[n] * days[n] for n in days), rel=1e-12)
    # staff: duty-days summed over the day types, the headcount formula applied to the sums
    drv = [next(r for r in plain[n].staffing.roles if str(r.role) == "driver") for n in days]
    duty_days = 245 * len(drv[0].duties) + 52 * len(drv[1].duties) + 68 * len(drv[2].duties)
    ydrv = next(r for r in year.staffing.roles if str(r.role) == "driver")
    assert ydrv.duty_days_per_year == duty_days
    binding = sum(d.binding_s / 3600.0 * n for r, n in zip(drv, days.values()) for d in r.duties)
    driving = sum(d.driving_s / 3600.0 * n for r, n in zip(drv, days.values()) for d in r.duties)
    expected = max(duty_days / 260, binding / 3300, driving / (40 * 365 / 7)) * 1.15
    assert ydrv.fte == pytest.approx(expected, rel=1e-12) and year.metrics["drivers_fte"] == ydrv.fte
    # vehicles are bought once (the largest day type), the day KPIs are the weekday's
    veh = [i for i in year.costs.items if i.category == "vehicles"]
    assert all("largest of the day types" in i.formula for i in veh)
    assert year.metrics["wait_mean_s"] == plain["weekday"].metrics["wait_mean_s"]
    assert year.metrics["annual_cost_yen"] == pytest.approx(sum(i.yen_per_year for i in year.costs.items))
    # the weekday of a year is `run --seed 7` of its scenario (the seed rule)
    assert year.log.requests == plain["weekday"].log.requests


def test_day_type_seeds_are_common_random_numbers_across_scenarios(tmp_path: Path) -> None:
    a, base = load_scenario(_write(tmp_path, TINY_TOML + YEAR))
    b, _ = load_scenario(_write(tmp_path, TINY_TOML + YEAR, "b.toml"), overrides=["services.s.fleet_size=3"])
    ra, rb = run_scenario(a, base, seed=11), run_scenario(b, base, seed=11)
    assert [r["seed"] for r in ra.metrics["year"]["day_types"]] == [r["seed"] for r in rb.metrics["year"]["day_types"]]
    for (na, da), (nb, db) in zip(ra.year.days, rb.year.days, strict=True):
        assert na == nb and da.demand == db.demand  # the same draws on the same day type
    assert day_type_seed(11, "weekday") == 11
    assert len({day_type_seed(11, n) for n in ("weekday", "saturday", "sunday_holiday", "suspended")}) == 4
    assert day_type_seed(11, "saturday") == day_type_seed(11, "saturday") != day_type_seed(12, "saturday")


def test_a_suspended_day_follows_each_service_fallback(tmp_path: Path) -> None:
    text = TINY_TOML.replace('capacity = 4', 'capacity = 4\nautomation = "level4_remote"\nspeed_cap_kmh = 20\nrange_km = 100')
    text += """
[vehicles.bus]
capacity = 20
[services.t]
vehicle = "bus"
fleet_size = 1
[year.day_types.weekday]
days = 355
[year.day_types.suspended]
days = 10
"""
    scenario, _ = load_scenario(_write(tmp_path, text))
    cancel = day_scenario(scenario, "suspended", source="y")
    assert not cancel.services["s"].enabled and cancel.services["t"].enabled  # the driven service runs
    backup_sc, _ = load_scenario(_write(tmp_path, text, "b.toml"), overrides=['services.s.suspension_fallback="driven_backup"'])
    backup = day_scenario(backup_sc, "suspended", source="y")
    van = backup.vehicles["van"]
    assert backup.services["s"].enabled and van.automation == "human"
    assert van.speed_cap_kmh is None and van.range_km is None
    assert day_scenario(backup_sc, "weekday", source="y").vehicles["van"].automation == "level4_remote"


def test_services_run_on_the_weekdays_of_their_day_types(tmp_path: Path) -> None:
    scenario, _ = load_scenario(_write(tmp_path, TINY_TOML.replace('fleet_size = 2', 'fleet_size = 2\ndays = ["mon", "tue"]') + YEAR))
    assert day_scenario(scenario, "weekday", source="y").services["s"].enabled
    assert not day_scenario(scenario, "saturday", source="y").services["s"].enabled


def test_the_run_directory_has_the_annual_table_by_day_type(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("run", _write(tmp_path, TINY_TOML + YEAR), "--out", out, "--no-report")
    assert result.exit_code == 0, result.output
    with (out / "year.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["day_type"] for r in rows] == ["weekday", "saturday", "sunday_holiday", "total"]
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert float(rows[-1]["trips_per_year"]) == m["trips_per_year"] == sum(float(r["trips_per_year"]) for r in rows[:-1])
    # the written scenario replays the year
    again = cli("run", out / "scenario.toml", "--out", tmp_path / "again", "--no-report")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again" / "metrics.json").read_bytes() == (out / "metrics.json").read_bytes()


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        ("", ("year.day_types", "add up to 300", "365 or 366")),
        ('set = { "services.s.flet" = 1 }', ("year.day_types.sunday_holiday.set", "'flet'", "fleet_size")),
        ('set = { "services.s.fleet_size" = -1 }', ("day type 'sunday_holiday'", "services.s.fleet_size", "-1", "0 to 20,000")),
        ('set = { "seed" = 3 }', ("sunday_holiday.set", "'seed'", "belongs to the year")),
        ("demand_factor = 11", ("year.day_types.sunday_holiday.demand_factor", "11", "0 to 10")),
    ],
)
def test_bad_year_keys_fail_with_exit_2_naming_the_key(
    cli: Callable[..., Result], tmp_path: Path, extra: str, needles: tuple[str, ...]
) -> None:
    text = TINY_TOML + YEAR.replace("days = 68\ndemand_factor = 0.25", "days = 3") + extra + "\n"
    if extra:
        text = text.replace("days = 3", "days = 68")
    path = _write(tmp_path, text)
    assert_clean_error(cli("validate", path), 2, str(path), *needles)


def test_year_refuses_per_service_suspended_days_and_unnamed_weekdays(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, TINY_TOML + YEAR)
    assert_clean_error(cli("validate", path, "--set", "services.s.suspended_days_per_year=5"), 2,
                       "services.s.suspended_days_per_year", "year.day_types.suspended.days")
    custom = _write(tmp_path, TINY_TOML + "[year.day_types.market_day]\ndays = 365\n", "c.toml")
    assert_clean_error(cli("validate", custom), 2, "market_day", "weekday is missing")


def test_the_report_shows_the_annual_table_by_day_type(cli: Callable[..., Result], tmp_path: Path) -> None:
    from sim.report.data import load_study
    from sim.report.year import year_table

    out = tmp_path / "out"
    assert cli("run", _write(tmp_path, TINY_TOML + YEAR), "--out", out, "--no-report").exit_code == 0
    for lang, total in (("en", "year"), ("ja", "年間")):
        table = year_table(load_study(out), lang)
        assert table is not None
        assert [r[1].text for r in table.rows] == ["weekday", "saturday", "sunday_holiday", total]
        assert [r[2].text for r in table.rows] == ["245", "52", "68", "365"]


def test_validate_assembles_every_day_type(cli: Callable[..., Result], tmp_path: Path) -> None:
    text = TINY_TOML + YEAR.replace('set = { "services.s.fleet_size" = 1 }', 'set = { "services.s.depot" = "nowhere" }')
    path = _write(tmp_path, text)
    assert_clean_error(cli("validate", path), 2, "day type 'saturday'", "services.s.depot", "nowhere")


def test_compare_and_sweep_give_every_scenario_the_same_day_type_draws(tmp_path: Path) -> None:
    """Common random numbers per day type in the study commands: replication k of two scenarios
    (a comparison) and of two sweep points runs each day type with the same seed and so the same
    requests; the comparison's replication 0 folder has the annual table."""
    from sim.studies.compare import run_comparison
    from sim.studies.grid import parse_axes
    from sim.studies.sweep import sweep

    a = _write(tmp_path, TINY_TOML + YEAR)
    b = _write(tmp_path, TINY_TOML.replace('name = "tiny"', 'name = "three"').replace("fleet_size = 2", "fleet_size = 3") + YEAR, "b.toml")
    comp = run_comparison([a, b], out=tmp_path / "cmp", replications=2, seed=5)
    swept = sweep(a, parse_axes(["services.s.fleet_size=2,3"]), tmp_path / "sw", replications=2, seed=5)
    for k in range(2):
        tables = [comp.records[(i, k)].metrics for i in range(2)] + [swept.records[(p, k)].metrics for p in range(2)]
        # the weekday (reference) day asks the same requests of every scenario and point
        assert len({m["requests_total"] for m in tables}) == 1
        assert comp.records[(0, k)].metrics == swept.records[(0, k)].metrics  # the same scenario: the same year
    folder = next(p for p in (tmp_path / "cmp").iterdir() if (p / "year.csv").is_file())
    with (folder / "year.csv").open(encoding="utf-8") as fh:
        seeds = [r["seed"] for r in csv.DictReader(fh)][:-1]
    assert seeds[0] == "5" and seeds[1:] == [str(day_type_seed(5, n)) for n in ("saturday", "sunday_holiday")]
    # the same day-type seeds give the same requests whatever the fleet (demand does not depend on it)
    for n in ("weekday", "saturday", "sunday_holiday"):
        sa, _ = load_scenario(a)
        sb, _ = load_scenario(b)
        da = run_scenario(day_scenario(sa, n, source="a"), tmp_path, seed=day_type_seed(5, n))
        db = run_scenario(day_scenario(sb, n, source="b"), tmp_path, seed=day_type_seed(5, n))
        assert da.demand == db.demand and len(da.demand) == {"weekday": 8, "saturday": 4, "sunday_holiday": 2}[n]


def test_a_cancelled_suspended_day_counts_as_planned_and_not_operated(tmp_path: Path) -> None:
    text = TINY_TOML.replace('capacity = 4', 'capacity = 4\nautomation = "level4_remote"') + """
[remote_ops]
operators = 1
[year.day_types.weekday]
days = 355
[year.day_types.suspended]
days = 10
"""
    scenario, base = load_scenario(_write(tmp_path, text))
    year = run_scenario(scenario, base, seed=7)
    ref = year.metrics["availability"]["per_service"]["s"]
    # the suspended day runs nothing: 10 of 365 days planned and lost
    expected = ref["planned_vehicle_h"] * 355 * ref["service_availability"] / (ref["planned_vehicle_h"] * 365)
    assert year.metrics["annual_service_availability"] == pytest.approx(expected, rel=1e-12)
    assert [r["day_type"] for r in year.metrics["year"]["day_types"]] == ["weekday", "suspended"]
    assert year.metrics["year"]["day_types"][1]["trips_per_year"] == 0
