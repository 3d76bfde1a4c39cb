"""Tests for inverse sizing (sim.studies.size): targets, bisection, the three bounds, and `size` end to end."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import assert_clean_error, read_csv, read_json
from sim.errors import InputError
from sim.studies.grid import parse_vary
from sim.studies.size import bisect_first, parse_target, search, size
from sim.stats import Estimate

Cli = Callable[..., Result]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}:\n{result.output}\n{result.exception!r}"
    return result


# --------------------------------------------------------------------------- targets


def test_parse_target() -> None:
    t = parse_target(" wait_p90_s <= 900 ")
    assert (t.kpi, t.op, t.threshold, t.upper) == ("wait_p90_s", "<=", 900.0, True)
    assert parse_target("rejection_rate<0.05").op == "<"
    assert parse_target("passengers_per_vehicle_hour>=2.5").threshold == 2.5
    assert not parse_target("x>1e3").upper


@pytest.mark.parametrize("text", ["wait_p90_s=900", "wait_p90_s<=", "<=900", "wait p90<=900", "wait_p90_s<=abc", "w=>3"])
def test_bad_targets(text: str) -> None:
    with pytest.raises(InputError, match="expected KPI<=NUMBER"):
        parse_target(text)


def test_target_bounds() -> None:
    est = Estimate(5, 100.0, 90.0, 110.0, 1.0)
    le = parse_target("k<=105")
    assert not le.met(est, "conservative")  # upper bound 110 > 105
    assert le.met(est, "mean") and le.met(est, "optimistic")
    ge = parse_target("k>=95")
    assert not ge.met(est, "conservative")  # lower bound 90 < 95
    assert ge.met(est, "mean") and ge.met(est, "optimistic")
    assert parse_target("k<=110").met(est, "conservative")  # the bound itself meets "<="
    assert not parse_target("k<110").met(est, "conservative")
    assert not le.met(Estimate(0, math.nan, math.nan, math.nan, math.nan), "optimistic")  # no data never passes


# --------------------------------------------------------------------------- bisection


@pytest.mark.parametrize("n", range(0, 18))
def test_bisect_finds_the_first_passing_index_in_log_calls(n: int) -> None:
    for first in range(n + 1):  # first == n: nothing passes
        calls: list[int] = []

        def passes(i: int) -> bool:
            calls.append(i)
            return i >= first

        assert bisect_first(n, passes) == (first if first < n else None)
        assert len(calls) == len(set(calls))  # no index twice
        assert len(calls) <= (math.ceil(math.log2(n)) + 1 if n > 1 else 1)


def _constructed(values_seen: list[int]) -> Callable[[int], dict[str, Estimate]]:
    """wait = 1000 / x with a +-50 interval: mean <= 200 from x = 5, upper <= 200 from 6.67, lower from 4."""

    def evaluate(x: int) -> dict[str, Estimate]:
        values_seen.append(x)
        m = 1000.0 / x
        return {"wait": Estimate(10, m, m - 50.0, m + 50.0, 1.0), "other": Estimate(10, 1.0, 1.0, 1.0, 0.0)}

    return evaluate


def test_search_finds_the_known_thresholds_of_a_constructed_case() -> None:
    seen: list[int] = []
    found = search(list(range(1, 21)), _constructed(seen), [parse_target("wait<=200")])
    assert found.answer == 7  # 1000/7 + 50 = 192.9 <= 200, 1000/6 + 50 = 216.7 > 200
    assert found.answers == {"conservative": 7, "mean": 5, "optimistic": 4}
    assert len(seen) == len(set(seen)) <= 12  # evaluations shared by the three bisections
    assert [e.value for e in found.evaluations] == sorted(seen)
    assert found.warnings == ()


def test_search_with_two_targets_needs_both() -> None:
    found = search(
        list(range(1, 21)),
        _constructed([]),
        [parse_target("wait<=200"), parse_target("other<=0.5")],
    )
    assert found.answers == {"conservative": None, "mean": None, "optimistic": None}


def test_search_for_the_largest_value() -> None:
    # a "smaller is better" parameter: vehicles per operator; load = 10 * x must stay <= 55
    def evaluate(x: int) -> dict[str, Estimate]:
        return {"load": Estimate(3, 10.0 * x, 10.0 * x - 2, 10.0 * x + 2, 1.0)}

    found = search(list(range(1, 11)), evaluate, [parse_target("load<=55")], largest=True)
    assert found.answers == {"conservative": 5, "mean": 5, "optimistic": 5}
    found = search(list(range(1, 11)), evaluate, [parse_target("load<=51")], largest=True)
    assert found.answers == {"conservative": 4, "mean": 5, "optimistic": 5}


def test_search_reports_a_non_monotone_curve_it_sees() -> None:
    # bisection alone never sees a violation; the three bisections together can
    means = {1: 0.0, 2: 0.0, 3: 4.0, 4: 0.0, 5: 0.0, 6: 0.0}  # with +-2: conservative fails only at 3

    def evaluate(x: int) -> dict[str, Estimate]:
        return {"k": Estimate(3, means[x], means[x] - 2, means[x] + 2, 1.0)}

    found = search([1, 2, 3, 4, 5, 6], evaluate, [parse_target("k<=5")])
    assert found.answers == {"conservative": 4, "mean": 1, "optimistic": 1}
    assert [e.value for e in found.evaluations] == [1, 3, 4, 6]
    assert found.warnings == (
        "not monotone (conservative bound): targets met at 1 but not at 3; the answer may be wrong "
        "(more replications, or check the parameter)",
    )


def test_search_names_an_unknown_kpi() -> None:
    with pytest.raises(InputError, match="'nope' is not a KPI"):
        search([1, 2], _constructed([]), [parse_target("nope<=1")])


# --------------------------------------------------------------------------- size a scenario


def test_size_finds_the_fleet_that_gives_three_vehicles(tiny_scenario: Path, tmp_path: Path) -> None:
    # vehicles == fleet_size in every replication (a zero-width interval): the answer is exactly 3
    out = tmp_path / "size"
    res = size(
        tiny_scenario,
        parse_vary("services.s.fleet_size=1..9"),
        [parse_target("vehicles>=3")],
        out,
        replications=2,
    )
    from sim.report.studies import write_size_report

    write_size_report(res, lang="ja")
    assert res.search.answers == {"conservative": 3, "mean": 3, "optimistic": 3}
    evaluated = [e.value for e in res.search.evaluations]
    assert evaluated == sorted(evaluated) and 3 in evaluated and 2 in evaluated and len(evaluated) <= 5
    curve = read_csv(out / "curve.csv")
    assert [r["services.s.fleet_size"] for r in curve] == [str(v) for v in evaluated]
    row3 = next(r for r in curve if r["services.s.fleet_size"] == "3")
    assert (row3["vehicles_mean"], row3["vehicles_ci95_low"], row3["vehicles_ci95_high"]) == ("3.0", "3.0", "3.0")
    assert row3["meets_targets_conservative"] == "true"
    assert next(r for r in curve if r["services.s.fleet_size"] == "2")["meets_targets_conservative"] == "false"
    meta = read_json(out / "size.json")
    assert meta["answer"] == 3 and meta["direction"] == "smallest" and "upper bound" in meta["rule"]
    assert meta["kpis_at_answer"]["vehicles"] == {"n": 2, "mean": 3.0, "ci95_low": 3.0, "ci95_high": 3.0}
    assert len(read_csv(out / "runs.csv")) == 2 * len(evaluated)
    assert meta["network"]["name"] == "sodegaura" and meta["network"]["synthetic"] is True
    assert meta["network"]["provenance"].startswith("Synthetic reconstruction")
    report = (out / "report.md").read_text(encoding="utf-8")  # in Japanese
    assert "すべての目標を満たす services.s.fleet_size の最小値は 3 です" in report
    assert "> 道路網：内蔵の袖ケ浦市道路網は" in report
    assert (out / "figures" / "size_vehicles.png").is_file() and (out / "report.html").is_file()
    # resuming evaluates nothing again and rewrites the same tables
    before = (out / "runs.csv").read_bytes()
    stored = sorted(p.name for p in (out / "runs").iterdir())
    again = size(
        tiny_scenario,
        parse_vary("services.s.fleet_size=1..9"),
        [parse_target("vehicles>=3")],
        out,
        replications=2,
        resume=True,
    )
    assert again.search.answer == 3
    assert (out / "runs.csv").read_bytes() == before
    assert sorted(p.name for p in (out / "runs").iterdir()) == stored


def test_cli_size(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "size"
    result = _ok(
        cli(
            "size", tiny_scenario, "--vary", "services.s.fleet_size=1..6", "--target", "vehicles>=2",
            "--target", "wait_p90_s<=100000", "-r", 2, "--out", out,
        )  # fmt: skip
    )
    text = " ".join(result.stdout.split())
    assert "answer: smallest services.s.fleet_size meeting vehicles>=2, wait_p90_s<=100000: 2" in text
    assert "upper bound" in text  # the rule is stated
    assert "network: Synthetic reconstruction of Sodegaura" in text
    assert (out / "figures" / "size_vehicles.png").is_file() and (out / "figures" / "size_wait_p90_s.png").is_file()


def test_cli_size_on_a_service_kpi(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "size"
    result = _ok(
        cli(
            "size", tiny_scenario, "--vary", "services.s.fleet_size=1..6", "--service", "s",
            "--target", "s.vehicles>=4", "-r", 2, "--out", out,
        )  # fmt: skip
    )
    assert "answer: smallest services.s.fleet_size meeting s.vehicles>=4: 4" in " ".join(result.stdout.split())


def test_cli_size_needs_two_replications(cli: Cli, tiny_scenario: Path, tmp_path: Path) -> None:
    result = cli("size", tiny_scenario, "--vary", "services.s.fleet_size=1..3", "--target", "vehicles>=2", "-r", 1, "--out", tmp_path / "o")
    assert_clean_error(result, 2, "--replications 1", "at least 2 replications")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--target", "vehicles>=2"], ("--vary",)),
        (["--vary", "services.s.fleet_size=1..3"], ("--target",)),
        (["--vary", "services.s.fleet_size=1..3", "--target", "vehicles=2"], ("expected KPI<=NUMBER",)),
        (["--vary", "services.s.fleet_size=1..3", "--target", "nope<=2"], ("--target 'nope': not a known KPI", "wait_p90_s")),
        (["--vary", "services.s.fleet_size=1..3", "--target", "s.wait_p90_s<=2"], ("--service s",)),
        (["--vary", "services.s.mode=stop,door", "--target", "vehicles>=2"], ("needs numbers",)),
        (["--vary", "services.s.fleet_sise=1..3", "--target", "vehicles>=2"], ("unknown key 'fleet_sise'",)),
    ],
)
def test_cli_size_errors(cli: Cli, tiny_scenario: Path, tmp_path: Path, args: list[str], needles: tuple[str, ...]) -> None:
    assert_clean_error(cli("size", tiny_scenario, *args, "-r", 2, "--out", tmp_path / "o"), 2, *needles)
    assert not (tmp_path / "o").exists()  # rejected before anything ran or was written
