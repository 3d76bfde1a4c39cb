"""The one CSV writer neutralises formulas; JSON is always valid (sim/atomic.py)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.atomic import _NUMBER, csv_fields, neutralise, unneutralise, write_csv, write_csv_lines, write_json


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'quoted", "''quoted"),
        ("-12.5", "-12.5"),  # a negative number is a number
        ("+3", "+3"),
        ("-1e-3", "-1e-3"),
        ("R00001", "R00001"),
        ("", ""),
        (-4, -4),
        (-0.5, -0.5),
    ],
)
def test_neutralise_rule(cell: object, written: object) -> None:
    assert neutralise(cell) == written
    if isinstance(cell, str):
        assert unneutralise(neutralise(cell)) == cell


@given(st.text(max_size=30))
def test_neutralise_round_trips_any_text(text: str) -> None:
    out = neutralise(text)
    assert unneutralise(out) == text
    # a cell may start with a formula character only if it is a number left as it was ("+0", "-1.5")
    assert not out or out[0] not in "=+-@\t\r" or (out == text and _NUMBER.fullmatch(text) is not None)


def test_write_csv_neutralises_text_cells_only(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    write_csv(path, ["id", "value"], [["=1+1", -3], ["-7.25", -7.25], ["@x", "ok"]])
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows == [["id", "value"], ["'=1+1", "-3"], ["-7.25", "-7.25"], ["'@x", "ok"]]


def test_write_json_never_writes_bare_nan(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    write_json(path, {"a": math.nan, "b": [math.inf, 1.5, {"c": -math.inf}], "d": 2})
    text = path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"a": None, "b": [None, 1.5, {"c": None}], "d": 2}


def test_csv_fields_and_lines_write_the_bytes_of_write_csv(tmp_path: Path) -> None:
    labels = ["plain", "", "=SUM(A1)", "-12.5", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "'quoted", "町", " x"]
    rows = [[a, b, "3"] for a in labels for b in reversed(labels)]
    write_csv(tmp_path / "slow.csv", ["h,1", "=h2", "h3"], rows)
    cell = dict(zip(labels, csv_fields(labels)))
    write_csv_lines(tmp_path / "fast.csv", ["h,1", "=h2", "h3"], (",".join([cell[a], cell[b], "3"]) for a, b, _ in rows))
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "slow.csv").read_bytes()


@given(st.lists(st.lists(st.text(max_size=6), min_size=2, max_size=4), min_size=1, max_size=30))
def test_csv_fields_match_write_csv_on_any_text(tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]) -> None:
    folder = tmp_path_factory.mktemp("csv")
    write_csv(folder / "slow.csv", ["a"], rows)
    write_csv_lines(folder / "fast.csv", ["a"], (",".join(csv_fields(r)) for r in rows))
    assert (folder / "fast.csv").read_bytes() == (folder / "slow.csv").read_bytes()
