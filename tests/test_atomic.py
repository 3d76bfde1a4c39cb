"""The one CSV writer neutralises formulas; JSON is always valid (sim/atomic.py)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.atomic import neutralise, unneutralise, write_csv, write_json


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
    assert not out or out[0] not in "=+@\t\r" and (out[0] != "-" or out == text)


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
