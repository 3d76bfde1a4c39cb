"""The run store (sim.studies.store): records, scalar KPIs, directories refused or replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import InputError
from sim.studies.store import RunRecord, RunStore, prepare_directory, scalar_kpis, service_kpis


def test_scalar_kpis_drop_dicts_strings_and_bools() -> None:
    metrics = {
        "scenario": "x",
        "seed": 3,
        "requests_total": 8,
        "wait_p90_s": None,
        "drivers_fte": 2.5,
        "per_service": {"s": {"requests_total": 8}},
        "network": {"name": "n"},
        "rejections_by_reason": {},
        "flag": True,
        "label": "text",
    }
    assert scalar_kpis(metrics) == {"requests_total": 8, "wait_p90_s": None, "drivers_fte": 2.5}


    assert service_kpis(metrics) == {"s": {"requests_total": 8}}
    assert service_kpis({"per_service": "x"}) == {}


def test_records_round_trip_and_read_service_kpis(tmp_path: Path) -> None:
    rec = RunRecord("abc", 1, 99, {"k": 2}, {"x": 1.5, "n": 3, "w": None}, 0.25, {"s": {"x": 0.5}})
    store = RunStore(tmp_path)
    store.save(rec)
    assert store.stored_ids() == {"abc"} and store.load("abc") == rec
    assert rec.value("x") == 1.5 and rec.value("s.x") == 0.5 and rec.value("t.x") is None and rec.value("nope") is None
    assert rec.names(["s"]) == ["x", "n", "w", "s.x"]
    store.path("bad").write_text("{half", encoding="utf-8")
    assert store.load("bad") is None and store.load("missing") is None
    store.discard("abc")
    assert store.load("abc") is None


def test_a_directory_with_runs_is_refused_or_replaced(tmp_path: Path) -> None:
    store = prepare_directory(tmp_path / "o", resume=False)
    store.save(RunRecord("r1", 0, 1, {}, {"x": 1.0}))
    (store.dir / ".r2.json.x.tmp").write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="already holds 1 stored run"):
        prepare_directory(tmp_path / "o", resume=False)
    again = prepare_directory(tmp_path / "o", resume=True)  # resume keeps the run, drops the temporary
    assert again.stored_ids() == {"r1"} and not list(store.dir.glob(".*"))
    fresh = prepare_directory(tmp_path / "o", resume=False, replace=True)  # compare: start afresh
    assert fresh.stored_ids() == set()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a directory"):
        prepare_directory(tmp_path / "file", resume=False)
