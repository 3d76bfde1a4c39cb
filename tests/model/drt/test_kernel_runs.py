"""Whole runs with the compiled insertion search equal runs with the pure-Python reference.

A cut of the ``tachikawa-peer`` benchmark (real OSM network of Tachikawa): 150 requests and 4
vehicles, so plans grow long and vehicles are found driving, standing and serving when requests
come; every request, leg, vehicle move and metric must be the same both ways.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.run.runner import NetworkCache, run_scenario
from sim.scenario.schema import load_scenario

CASE = Path(__file__).resolve().parents[3] / "benchmarks" / "tachikawa-peer.toml"


def _run(how: str, extra: list[str]) -> tuple[str, dict]:
    scenario, base = load_scenario(CASE, overrides=[
        "demand.requests_per_day=150", "services.drt.fleet_size=4", f'services.drt.insertion_search="{how}"', *extra])
    result = run_scenario(scenario, base, networks=NetworkCache())
    log = result.log
    text = "|".join(repr(list(part)) for part in (log.requests, log.legs, log.moves, log.vehicles))
    return text, result.metrics


@pytest.mark.slow  # loads the Tachikawa OSM network and runs the day four times (about 7 s)
@pytest.mark.parametrize("extra", [[], ["services.drt.max_candidate_vehicles=2"]])
def test_compiled_and_reference_runs_are_identical(extra: list[str]) -> None:
    compiled, m1 = _run("compiled", extra)
    reference, m2 = _run("python", extra)
    assert m1["requests_served"] > 50  # the cut still books many rides
    assert compiled == reference
    assert repr(sorted(m1.items())) == repr(sorted(m2.items()))
