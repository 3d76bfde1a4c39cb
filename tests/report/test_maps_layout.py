"""The service map reads the run's layout.json (the report never rebuilds the model)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from sim.report.data import read_run
from sim.report.i18n import tr
from sim.report.maps import NO_LAYOUT_FILE, RunNetworks, service_layout
from tests.conftest import tiny_run


def test_the_map_draws_the_areas_recorded_in_layout_json(tiny_run: Path) -> None:
    run = read_run(tiny_run)
    net = RunNetworks().get(run)
    assert run.layout is not None and net is not None
    (svc,) = run.layout["drt"]
    (area,) = svc["areas"]
    assert area["name"] == "all" and area["members"] == "all" and area["fleet_size"] == 2
    layout = service_layout(run, net)
    assert layout.error == ""
    (points,) = layout.areas
    assert points.label == "s all" and bool(points.members.all())  # the service name with its one area
    assert [int(net.node_ids[i]) for i in points.stops] == area["stops"]
    depot = area["depot"]
    assert points.depot == (depot["lat"], depot["lon"])
    assert layout.lines == [] and layout.hub is None


def test_a_line_is_drawn_along_its_recorded_path(tiny_run: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(tiny_run, run_dir)
    record = json.loads((run_dir / "layout.json").read_text(encoding="utf-8"))
    record["lines"] = [{"service": "l", "path": [[35.43, 139.95], [35.44, 139.96], [35.45, 139.97]]}]
    (run_dir / "layout.json").write_text(json.dumps(record), encoding="utf-8")
    run = read_run(run_dir)
    ((name, lat, lon),) = service_layout(run, RunNetworks().get(run)).lines
    assert name == "l" and np.array_equal(lat, [35.43, 35.44, 35.45]) and np.array_equal(lon, [139.95, 139.96, 139.97])


def test_an_old_run_without_layout_json_shows_the_used_stops_and_says_so(tiny_run: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "old"
    shutil.copytree(tiny_run, run_dir)
    (run_dir / "layout.json").unlink()
    run = read_run(run_dir)
    net = RunNetworks().get(run)
    assert run.layout is None and net is not None
    layout = service_layout(run, net)
    assert layout.error == NO_LAYOUT_FILE
    (points,) = layout.areas
    used = {int(v) for col in ("origin_stop", "dest_stop") for v in run.requests[col].dropna()}
    assert {int(net.node_ids[i]) for i in points.stops} == used
    assert "layout.json" in tr("en", "map_no_layout_file") and "layout.json" in tr("ja", "map_no_layout_file")
