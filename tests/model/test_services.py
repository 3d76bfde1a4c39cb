"""The model's service records (sim.model.services): service kinds and journey modes as enums."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import read_csv
from sim.model.services import Mode, ServiceKind


def test_modes_and_kinds_are_the_strings_of_the_files() -> None:
    assert [m.value for m in Mode] == ["drt", "line", "drt+line", "line+drt"]
    assert [k.value for k in ServiceKind] == ["drt", "line"]
    assert f"{Mode.LINE_DRT}" == "line+drt" and json.dumps({Mode.DRT: 1}) == '{"drt": 1}'  # written as plain text
    assert ServiceKind.DRT == "drt"  # equal to the scenario's kind key


def test_a_runs_modes_are_journey_modes(tiny_run: Path) -> None:
    served = [r["mode"] for r in read_csv(tiny_run / "requests.csv") if r["outcome"] == "served"]
    assert served and set(served) <= {m.value for m in Mode}
    metrics = json.loads((tiny_run / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["served_by_mode"]) <= {m.value for m in Mode}
