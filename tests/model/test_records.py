"""The event log's compact tables give back exactly the records that went in (sim/model/records.py)."""

from __future__ import annotations

import math
import pickle

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model.eventlog import EventLog, LegRecord, MoveKind, VehicleMove
from sim.model.records import RecordTable


def _move(k: int, start: float | int = 0.0, distance: float | int = 10.0) -> VehicleMove:
    return VehicleMove(k, "drt", MoveKind.DRIVE, start, start + 60.0, k, k + 1, distance, k % 3)


def _same(a: object, b: object) -> bool:
    """Equal and of the same type, field by field (NaN equal to NaN)."""
    for name in a.__dataclass_fields__:  # type: ignore[attr-defined]
        x, y = getattr(a, name), getattr(b, name)
        if type(x) is not type(y):
            return False
        if not (x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))):
            return False
    return True


def test_table_reads_like_the_list_it_replaces() -> None:
    records = [_move(k, start=100.0 * k) for k in range(7)]
    table = RecordTable(VehicleMove, records)
    assert len(table) == 7
    assert list(table) == records
    assert table == records
    assert table[3] == records[3] and table[-1] == records[-1]
    assert table[2:5] == records[2:5]
    assert sorted(table, key=lambda m: -m.start_s) == sorted(records, key=lambda m: -m.start_s)
    table.sort(key=lambda m: (m.load, m.vehicle_id))
    assert list(table) == sorted(records, key=lambda m: (m.load, m.vehicle_id))
    assert pickle.loads(pickle.dumps(table)) == table


def test_odd_values_keep_their_type_and_nan_its_object() -> None:
    odd = [
        _move(0, start=0),  # an int in a float field
        _move(1, distance=np.float64(2.5)),  # a numpy scalar
        VehicleMove(2**70, "drt", MoveKind.DWELL, -0.0, math.inf, -1, 2, 0.0, 0),  # an int beyond 64 bits, -0.0, inf
    ]
    table = RecordTable(VehicleMove, odd)
    for got, want in zip(table, odd):
        assert _same(got, want)
    assert math.copysign(1.0, table[2].start_s) == -1.0
    leg = LegRecord(0, "R1", "drt", 0, 1, 2, 1, 0.0, 10.0, 20.0, 5.0, 100.0)  # promised_* are math.nan
    legs = RecordTable(LegRecord, [leg])
    assert legs[0].promised_pickup_s is leg.promised_pickup_s  # the NaN object itself
    assert list(legs) == [leg]


@given(st.lists(st.tuples(st.integers(-(2**64), 2**64), st.one_of(st.floats(allow_nan=True), st.integers(-(2**60), 2**60)),
                          st.sampled_from(list(MoveKind)), st.text(max_size=4)), max_size=40))
def test_any_records_round_trip(rows: list[tuple[int, float | int, MoveKind, str]]) -> None:
    records = [VehicleMove(v, s, kind, t, t, v, v, t, 0, s) for v, t, kind, s in rows]
    table = RecordTable(VehicleMove)
    table.extend(records)
    assert len(table) == len(records)
    for got, want in zip(table, records):
        assert _same(got, want)
    for k, want in enumerate(records):
        assert _same(table[k], want)


def test_event_log_uses_tables_and_accepts_lists() -> None:
    log = EventLog()
    assert isinstance(log.moves, RecordTable) and isinstance(log.requests, RecordTable) and isinstance(log.legs, RecordTable)
    log.moves.append(_move(0))
    assert log.moves[:1] == [_move(0)]
    assert EventLog(moves=[_move(1)]).moves == [_move(1)]
