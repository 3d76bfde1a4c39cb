"""The report's observed-vs-simulated ridership tables (``ridership.csv`` of a run), en and ja."""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.report.content import compose
from sim.report.data import load_study
from sim.report.ridership import ridership_section

RIDERSHIP = """\
route_id,services,stop_id,node_id,stop_name,observed_geton_per_day,observed_getoff_per_day,simulated_geton,simulated_getoff,diff_geton,diff_getoff
R1,R1_weekday+R1_sat,S0,0,駅前,4.0,0.0,6,0,2.0,0.0
R1,R1_weekday+R1_sat,S1,1,市役所,1.0,0.5,0,1,-1.0,0.5
R1,R1_weekday+R1_sat,S4,4,,0.0,4.5,0,5,0.0,0.5
R2,R2,S2,2,病院,2.5,0.0,1,0,-1.5,0.0
"""


def _texts(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[c.text for c in row] for row in table.rows]


def test_one_table_per_route_with_totals_in_both_languages(tiny_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    assert ridership_section(load_study(run), "en") is None  # no observed counts: no section
    (run / "ridership.csv").write_text(RIDERSHIP, encoding="utf-8")
    study = load_study(run)
    en = ridership_section(study, "en")
    assert en is not None and en.anchor == "ridership"
    r1, r2 = en.blocks[1:]
    assert r1.title == "Route R1 (simulated as R1_weekday, R1_sat)" and r2.title == "Route R2 (simulated as R2)"
    assert r1.header == ("stop", "observed boardings a day", "observed alightings a day", "simulated boardings",
                         "simulated alightings", "difference boardings", "difference alightings")
    assert _texts(r1) == [
        ["駅前", "4.0", "0.0", "6", "0", "+2.0", "0.0"],
        ["市役所", "1.0", "0.5", "0", "1", "−1.0", "+0.5"],
        ["S4", "0.0", "4.5", "0", "5", "0.0", "+0.5"],  # no name: the stop id
        ["total", "5.0", "5.0", "6", "6", "+1.0", "+1.0"],
    ]
    assert r1.rows[-1][0].strong and "S0, S1, S4" in r1.caption
    assert _texts(r2) == [["病院", "2.5", "0.0", "1", "0", "−1.5", "0.0"], ["total", "2.5", "0.0", "1", "0", "−1.5", "0.0"]]
    ja = ridership_section(study, "ja")
    assert ja is not None and ja.title == "停留所別の乗降実績と再現値"
    assert ja.blocks[1].title == "路線 R1（再現したサービス：R1_weekday, R1_sat）"
    assert ja.blocks[1].header[1] == "乗車（観測、人/日）" and _texts(ja.blocks[1])[-1][0] == "合計"
    for lang, section in (("en", en), ("ja", ja)):
        doc = compose(study, lang, {})
        assert section in doc.sections
