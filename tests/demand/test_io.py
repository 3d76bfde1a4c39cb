"""The streamed demand CSV (sim/demand/io.py): encodings, batches, header and range checks."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.demand.io as dio
from sim.demand.io import (
    check_demand_csv,
    detect_encoding,
    iter_demand_csv,
    read_demand_csv,
    write_demand_csv,
)
from sim.errors import DemandError
from sim.network.io import load_network

ROWS = (
    "request_id,request_time,origin_lat,origin_lon,dest_lat,dest_lon,origin_zone,dest_zone\n"
    "r3,09:30,35.40,139.98,35.41,139.99,長浦,袖ケ浦駅\n"
    "r1,08:00,35.42,139.97,35.40,139.96,平川,長浦\n"
    "r2,08:00,35.39,139.99,35.42,139.98,,\n"
)


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return load_network("sodegaura")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_excel_writes_are_read_alike(tmp_path: Path, net, encoding: str) -> None:  # type: ignore[no-untyped-def]
    reference = tmp_path / "ref.csv"
    reference.write_text(ROWS, encoding="utf-8")
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(ROWS.encode(encoding))
    got = read_demand_csv(path, net)
    assert got == read_demand_csv(reference, net)
    assert [r.request_id for r in got] == ["r1", "r2", "r3"]  # sorted by time, stable
    assert got[2].origin_zone == "長浦" and got[2].dest_zone == "袖ケ浦駅"
    assert detect_encoding(path) == ("cp932" if encoding == "cp932" else "utf-8-sig")


def test_a_given_encoding_is_used_and_a_wrong_one_named(tmp_path: Path, net) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sj.csv"
    path.write_bytes(ROWS.encode("cp932"))
    assert read_demand_csv(path, net, encoding="cp932")[2].origin_zone == "長浦"
    with pytest.raises(DemandError, match=r"sj\.csv: the demand CSV is not valid utf-8"):
        read_demand_csv(path, net, encoding="utf-8")


def test_undecodable_file_is_refused_naming_it(tmp_path: Path, net) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bin.csv"
    path.write_bytes(b"request_id,request_time\n\x80\xff\xfe\x81\xff,09:00\n")
    with pytest.raises(DemandError, match=r"bin\.csv: .*save it as UTF-8"):
        read_demand_csv(path, net)


def test_batches_give_the_same_requests_as_one_pass(tmp_path: Path, net, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.csv"
    path.write_text(ROWS, encoding="utf-8")
    whole = list(iter_demand_csv(path, net))
    monkeypatch.setattr(dio, "BATCH", 1)
    assert list(iter_demand_csv(path, net)) == whole
    assert check_demand_csv(path, net) == 3


def test_duplicate_id_across_batches_is_found(tmp_path: Path, net, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(dio, "BATCH", 1)
    path = tmp_path / "d.csv"
    path.write_text(ROWS + "r1,10:00,35.40,139.98,35.41,139.99,,\n", encoding="utf-8")
    with pytest.raises(DemandError, match=r"row 4, column request_id: 'r1' is a duplicate"):
        check_demand_csv(path, net)


def test_times_beyond_the_48_hour_day_are_refused(tmp_path: Path, net) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.csv"
    path.write_text(ROWS.replace("09:30", "99:59"), encoding="utf-8")
    with pytest.raises(DemandError, match=r"row 1, column request_time: '99:59'.*48:00"):
        read_demand_csv(path, net)


def test_written_file_reads_back_exactly_with_formula_like_ids(tmp_path: Path, net) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.csv"
    src.write_text(ROWS.replace("r3,", '"=cmd()",').replace("r1,", "'quoted,").replace("r2,", "-7,"), encoding="utf-8")
    reqs = read_demand_csv(src, net)
    out = tmp_path / "out.csv"
    write_demand_csv(reqs, out, net)
    text = out.read_text(encoding="utf-8")
    assert "\n'=cmd()," in text and "\nquoted," in text and "\n-7," in text
    assert read_demand_csv(out, net) == reqs
    assert {r.request_id for r in reqs} == {"=cmd()", "quoted", "-7"}  # a leading ' marks text, as in Excel
