"""Fuzz suite (issue 16): generated scenario files, ``--set`` values and demand CSVs through
``validate`` and a short ``run``.

GTFS-like feeds (the interop tests' small feed, with cells, lines, files and bytes changed) go
through ``import gtfs``. Every input must give exit code 0 or 2 (1 only where an environment fault is injected), no
traceback, nothing written outside ``--out``, and the output directory either the old run or the
new one, whole. Hypothesis runs derandomised (the same inputs on every CI run); the example
counts add up to more than 1,000 generated inputs.
"""

from __future__ import annotations

import errno
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.bounds import all_bounds
from sim.scenario.schema import Scenario, _dump_toml
from tests.conftest import TINY_TOML
from tests.fuzz.conftest import Invoke, assert_clean, snapshot

#: The fuzz suite feeds about 1,200 inputs through the CLI (a minute of CPU): it runs in the whole
#: suite (CI), not in the quick ``-m "not slow"`` check.
pytestmark = pytest.mark.slow

FUZZ = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

#: Dotted keys of the tiny scenario's schema (numeric ones from the bounds table, plus text keys).
NUMERIC_KEYS = sorted(
    {
        b.key.replace("vehicles.<name>", "vehicles.van")
        .replace("services.<name>.areas.<name>", "services.s.areas.a")
        .replace("services.<name>", "services.s")
        for b in all_bounds(Scenario)
    }
)
TEXT_KEYS = [
    "name", "description", "network.source", "demand.start", "demand.end", "demand.csv", "demand.zones",
    "demand.csv_encoding", "services.s.vehicle", "services.s.mode", "services.s.start", "services.s.end",
    "services.s.days", "services.s.kind", "services.s.depot", "services.s.enabled", "vehicles.van.automation",
    "staffing.booking_start", "staffing.field_staff_mode", "extends", "services.s.stops", "services.s.departures",
    "services.s.transfer_hub", "choice.hubs",
]
NASTY_TEXT = st.sampled_from(
    [
        "", ".", "..", "../../../x", "/tmp/x", "/dev/zero", "[/]", "[bold]x[/bold]", "[red]", "=HYPERLINK(\"x\")",
        "+cmd|x", "@SUM(1)", "-1", "99:59", "48:00", "48:01", "24:00", "1e9", "09:30", "x" * 300, "袖ケ浦", "\t",
        "a\x00b", "\u202e", "inf", "nan", "true", "sodegaura", "tachikawa", "place:", "x.graphml.gz", "stop", "door",
        "mon", "level4_remote", "line", "drt",
    ]
)
TEXT = st.one_of(NASTY_TEXT, st.text(max_size=12))
SCALAR = st.one_of(
    st.integers(min_value=-(10**22), max_value=10**22),
    st.integers(min_value=-3, max_value=50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=2000),
    st.booleans(),
    TEXT,
)
VALUE = st.one_of(SCALAR, st.lists(SCALAR, max_size=4), st.dictionaries(st.sampled_from(["a", "hospital", "x y"]), SCALAR, max_size=2))
KEY = st.one_of(st.sampled_from(NUMERIC_KEYS), st.sampled_from(TEXT_KEYS), st.text(min_size=1, max_size=10))


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = data
    for p in parts[:-1]:
        if not isinstance(node.get(p), dict):
            node[p] = {}
        node = node[p]
    node[parts[-1]] = value


def _toml(data: dict[str, Any]) -> str:
    try:
        return _dump_toml(data)
    except TypeError:  # a dict inside a list: not expressible by the simple writer
        return TINY_TOML


# --------------------------------------------------------------------------- scenario files


@settings(FUZZ, max_examples=350)
@given(edits=st.lists(st.tuples(KEY, VALUE), min_size=1, max_size=3))
def test_fuzz_scenario_files_validate_cleanly(invoke: Invoke, edits: list[tuple[str, Any]]) -> None:
    data = tomllib.loads(TINY_TOML)
    for key, value in edits:
        _set_path(data, key, value)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.toml"
        path.write_text(_toml(data), encoding="utf-8")
        before = set(Path(tmp).iterdir())
        assert_clean(invoke("validate", path))
        assert set(Path(tmp).iterdir()) == before  # validate writes nothing


@settings(FUZZ, max_examples=120)
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_fuzz_raw_bytes_as_scenario(invoke: Invoke, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "raw.toml"
        path.write_bytes(raw)
        result = invoke("validate", path)
        assert_clean(result)


@settings(FUZZ, max_examples=60)
@given(text=st.text(max_size=80), encoding=st.sampled_from(["utf-8", "utf-8-sig", "shift_jis", "utf-16", "latin-1"]))
def test_fuzz_encodings_of_scenario_files(invoke: Invoke, text: str, encoding: str) -> None:
    body = TINY_TOML.replace("tiny test scenario", text.replace("\\", "/").replace('"', "'").replace("\n", " "))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "enc.toml"
        path.write_bytes(body.encode(encoding, errors="replace"))
        result = invoke("validate", path)
        assert_clean(result)
        if encoding in {"utf-16", "latin-1", "shift_jis"} and result.exit_code == 2 and "UTF" in result.output:
            assert str(path) in result.output


# --------------------------------------------------------------------------- --set values


SET_TEXT = st.one_of(
    st.tuples(KEY, st.one_of(TEXT, st.integers(min_value=-(10**22), max_value=10**22).map(str), st.sampled_from(
        ["inf", "-inf", "nan", "true", "1e308", "1e-300", '"120"', "[1, 2]", "{a = 1}", "[", "]", "=", "09:30"]
    ))).map(lambda kv: f"{kv[0]}={kv[1]}"),
    st.text(max_size=40),
)


@settings(FUZZ, max_examples=350)
@given(sets=st.lists(SET_TEXT, min_size=1, max_size=3))
def test_fuzz_set_values_validate_cleanly(invoke: Invoke, sets: list[str], tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    args: list[Any] = ["validate", path]
    for s in sets:
        args += ["--set", s]
    assert_clean(invoke(*args))


# --------------------------------------------------------------------------- demand CSVs


CELL = st.one_of(
    NASTY_TEXT,
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=35.3, max_value=35.5).map(lambda v: f"{v:.5f}"),
    st.floats(min_value=139.9, max_value=140.1).map(lambda v: f"{v:.5f}"),
    st.sampled_from(["08:00", "09:15:30", "47:59", "0", "-1", "1", "2", "0x10"]),
)
HEADERS = st.sampled_from(
    [
        "request_id,request_time,origin_lat,origin_lon,dest_lat,dest_lon",
        "request_id,request_time,earliest_pickup,party_size,origin_lat,origin_lon,dest_lat,dest_lon,origin_zone,dest_zone",
        "REQUEST_ID,Request_Time,origin_lat,origin_lon,dest_lat,dest_lon",
        "request_id,request_time,origin_node,dest_node",
        "request_id,request_time,request_time,origin_lat,origin_lon,dest_lat,dest_lon",
        "request_id,origin_lat",
        "",
    ]
)


@settings(FUZZ, max_examples=200)
@given(
    header=HEADERS,
    rows=st.lists(st.lists(CELL, min_size=0, max_size=11), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16", "latin-1"]),
)
def test_fuzz_demand_csvs_validate_cleanly(invoke: Invoke, header: str, rows: list[list[str]], encoding: str) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(header.split(","))
    w.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "d.csv").write_bytes(buf.getvalue().encode(encoding, errors="replace"))
        path = Path(tmp) / "s.toml"
        path.write_text(TINY_TOML.replace("requests_per_day = 8", 'csv = "d.csv"'), encoding="utf-8")
        assert_clean(invoke("validate", path))


# --------------------------------------------------------------------------- short runs into an existing --out


RUN_SET = st.one_of(
    st.sampled_from(
        [
            "services.s.fleet_size=0", "services.s.fleet_size=1", "services.s.fleet_size=3", "services.s.fleet_size=-1",
            "services.s.fleet_size=true", "services.s.mode=door", "services.s.max_wait_min=5", "demand.requests_per_day=0",
            "demand.requests_per_day=3", 'demand.end="18:00"', 'demand.end="99:59"', "vehicles.van.capacity=1",
            "vehicles.van.price_yen=inf", "vehicles.van.price_yen=5000000", "vehicles.van.lifetime_years=1e-300",
            'name="../escape"', 'name="other"', 'name="[/]"', "demand.jitter_m=1e9", "vehicles.van.stop_dwell_s=3599",
            'vehicles.van.automation="level4_remote"', "vehicles.van.incidents_per_1000_km=50",
        ]
    ),
    SET_TEXT,
)


@settings(FUZZ, max_examples=50)
@given(sets=st.lists(RUN_SET, max_size=3), seed=st.integers(min_value=0, max_value=30))
def test_fuzz_short_runs_replace_the_directory_whole(invoke: Invoke, sets: list[str], seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scenario = root / "tiny.toml"
        scenario.write_text(TINY_TOML.replace("requests_per_day = 8", "requests_per_day = 4"), encoding="utf-8")
        out = root / "out"
        assert invoke("run", scenario, "--out", out, "--no-report").exit_code == 0
        old = snapshot(out)
        args: list[Any] = ["run", scenario, "--out", out, "--seed", seed, "--no-report"]
        for s in sets:
            args += ["--set", s]
        result = invoke(*args)
        assert_clean(result)
        assert sorted(p.name for p in root.iterdir()) == ["out", "tiny.toml"]  # nothing outside --out
        new = snapshot(out)
        if result.exit_code == 0:
            _assert_one_run(out, seed)
        else:
            assert new == old


def _assert_one_run(out: Path, seed: int) -> None:
    """Every file of ``out`` belongs to the run with ``seed``."""
    import json

    assert json.loads((out / "metrics.json").read_text(encoding="utf-8"))["seed"] == seed
    text = (out / "scenario.toml").read_text(encoding="utf-8")
    assert f"# seed used: {seed}\n" in text and re.search(rf"^seed = {seed}$", text, re.MULTILINE)
    for name in ("costs.json", "staffing.json"):
        if (out / name).exists():
            json.loads((out / name).read_text(encoding="utf-8"), parse_constant=lambda c: pytest.fail(f"bare {c}"))


# --------------------------------------------------------------------------- injected environment faults


@settings(FUZZ, max_examples=25)
@given(fail_at=st.integers(min_value=0, max_value=12), err=st.sampled_from([errno.ENOSPC, errno.EACCES, errno.EROFS, errno.ENAMETOOLONG]))
def test_fuzz_write_faults_exit_1_and_keep_the_old_run(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, fail_at: int, err: int
) -> None:
    import os

    import sim.atomic

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scenario = root / "tiny.toml"
        scenario.write_text(TINY_TOML.replace("requests_per_day = 8", "requests_per_day = 4"), encoding="utf-8")
        out = root / "out"
        assert invoke("run", scenario, "--out", out, "--no-report").exit_code == 0
        old = snapshot(out)
        real = sim.atomic.atomic_open
        calls = {"n": 0}

        def faulty(path: Any, *args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] > fail_at:
                raise OSError(err, os.strerror(err), str(path))
            return real(path, *args, **kwargs)

        with monkeypatch.context() as m:
            m.setattr(sim.atomic, "atomic_open", faulty)
            result = invoke("run", scenario, "--out", out, "--seed", 3, "--no-report")
        if calls["n"] > fail_at:
            assert_clean(result, allowed=(1,))
            assert os.strerror(err) in result.output and str(out) in result.output
            assert "results written" not in result.output
            assert snapshot(out) == old
        else:
            assert_clean(result, allowed=(0,))
            _assert_one_run(out, 3)
        assert sorted(p.name for p in root.iterdir()) == ["out", "tiny.toml"]


# --------------------------------------------------------------------------- GTFS-like feeds (``import gtfs``)


GTFS_SMALL = Path(__file__).resolve().parents[1] / "data" / "gtfs_small"


@pytest.fixture(scope="module")
def line_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base scenario on the interop tests' straight line network (a ``bus`` type), written once."""
    import osmnx as ox

    from tests.helpers import line_network

    base = tmp_path_factory.mktemp("line_world")
    ox.save_graphml(line_network(6).graph, base / "line.graphml")
    (base / "base.toml").write_text(
        'name = "lineworld"\nseed = 3\n[network]\nsource = "line.graphml"\n[demand]\nzones = "nodes"\n'
        "zone_count = 6\nrequests_per_day = 6\n[vehicles.bus]\ncapacity = 30\n",
        encoding="utf-8",
    )
    return base / "base.toml"


GTFS_EDIT = st.tuples(
    st.sampled_from(sorted(p.name for p in GTFS_SMALL.glob("*.txt"))),
    st.integers(min_value=0, max_value=12),  # line
    st.integers(min_value=0, max_value=9),  # cell
    st.one_of(CELL, st.just("<delete file>"), st.just("<delete line>"), st.just("<bytes>")),
)


@settings(FUZZ, max_examples=60)
@given(edits=st.lists(GTFS_EDIT, min_size=1, max_size=3))
def test_fuzz_gtfs_feeds_import_cleanly(invoke: Invoke, line_world: Path, edits: list[tuple[str, int, int, str]]) -> None:
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        feed = root / "feed"
        shutil.copytree(GTFS_SMALL, feed)
        for name, line_no, cell, value in edits:
            path = feed / name
            if not path.exists():
                continue
            if value == "<delete file>":
                path.unlink()
                continue
            if value == "<bytes>":
                path.write_bytes(path.read_bytes()[: line_no * 17] + b"\xff\xfe\x81")
                continue
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
            k = min(line_no, len(lines) - 1)
            if value == "<delete line>":
                del lines[k]
            else:
                cells = lines[k].split(",")
                cells[min(cell, len(cells) - 1)] = value.replace("\n", " ")
                lines[k] = ",".join(cells)
            path.write_text("\n".join(lines), encoding="utf-8")
        out = root / "imported.toml"
        result = invoke("import", "gtfs", feed, "--scenario", line_world, "--vehicle", "bus", "--out", out)
        assert_clean(result)
        assert sorted(p.name for p in root.iterdir()) == (["feed", "imported.toml"] if result.exit_code == 0 else ["feed"])
