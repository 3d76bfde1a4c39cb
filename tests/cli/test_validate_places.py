"""``validate`` and ``run`` accept every place form the README documents (issue 13, item 6)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import assert_clean_error


def test_validate_accepts_a_drt_depot_and_hub_as_node_id_and_lat_lon(cli: Callable, write_scenario: Callable[..., Path]) -> None:
    # city_hall is node 78 of the embedded network; yurinosato stands at 35.4168944,139.9923431
    scen = write_scenario(extra='''
        [services.s.areas.A]
        districts = ["昭和"]
        depot = "node:78"
        [services.s.areas.B]
        districts = ["長浦"]
        ''')
    text = scen.read_text(encoding="utf-8").replace(
        "fleet_size = 2\n", 'fleet_size = 2\ntransfer_hub = "35.4168944,139.9923431"\n', 1
    )
    scen.write_text(text, encoding="utf-8")
    result = cli("validate", scen)
    assert result.exit_code == 0, result.output
    assert ": ok" in result.output and "1 service(s) on sodegaura" in result.output


def test_validate_refuses_a_point_off_the_network_naming_the_key(cli: Callable, write_scenario: Callable[..., Path]) -> None:
    scen = write_scenario()
    result = cli("validate", scen, "--set", 'services.s.depot="35.0,139.0"')
    assert_clean_error(result, 2, "tiny.toml", "key services.s.depot", "off the network")
