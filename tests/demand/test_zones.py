"""Tests for sim.demand.zones: Sodegaura towns, districts and attractors from data/sodegaura."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.errors import DemandError
from sim.demand.zones import (
    DEFAULT_ATTRACTOR_WEIGHTS,
    DISTRICTS,
    data_dir,
    haversine_m,
    load_attractors,
    load_sodegaura_zones,
)


@pytest.fixture(scope="module")
def zones():
    return load_sodegaura_zones()


def test_data_dir_exists() -> None:
    assert data_dir().name == "sodegaura" and (data_dir() / "sodegaura_town_population.csv").is_file()


def test_zone_count_and_total(zones) -> None:
    assert len(zones) == 72
    assert len({z.name for z in zones}) == 72
    assert abs(sum(z.population for z in zones) - 65000.0) < 1e-6


def test_population_scaling_exact(zones) -> None:
    by_name = {z.name: z for z in zones}
    # 2015 census: 阿部 226 of 60,952 people
    assert by_name["阿部"].population == pytest.approx(226 * 65000 / 60952, rel=1e-12)
    other = {z.name: z.population for z in load_sodegaura_zones(population_total=60952.0)}
    assert other["阿部"] == pytest.approx(226.0, rel=1e-12)
    assert other["蔵波"] == pytest.approx(5225.0, rel=1e-12)


def test_industrial_towns_empty(zones) -> None:
    by_name = {z.name: z for z in zones}
    assert by_name["北袖"].population == 0.0
    assert by_name["中袖"].population == 0.0


def test_districts(zones) -> None:
    assert set(DISTRICTS) == {"昭和", "長浦", "根形", "平岡", "中川富岡"}
    assert {z.district for z in zones} == set(DISTRICTS)  # all five used, nothing else
    by_name = {z.name: z for z in zones}
    for name in ("長浦駅前一丁目", "長浦駅前五丁目", "蔵波台一丁目"):
        assert by_name[name].district == "長浦"
    assert by_name["福王台一丁目"].district == "昭和"
    assert by_name["のぞみ野"].district == "平岡"
    assert by_name["横田"].district == "中川富岡"


def test_zone_points_inside_city_bbox(zones) -> None:
    # boundary bbox (data/sodegaura README): lon 139.9425-140.0928, lat 35.3436-35.4793
    for z in zones:
        assert 35.3436 <= z.lat <= 35.4793 and 139.9425 <= z.lon <= 140.0928


def test_attractors_default() -> None:
    attractors = load_attractors()
    assert len(attractors) == 19
    by_id = {a.place_id: a for a in attractors}
    assert {"yurinosato", "sodegaura_sta", "cc_hirakawa"} <= set(by_id)
    assert by_id["city_hall"].weight == 2.0 and by_id["city_hall"].kind == "public"
    assert by_id["german_village"].weight == 0.5
    # stations: 3 x max(ridership, 100) / mean over the four stations
    mean = (12242 + 10854 + 358 + 100) / 4
    assert by_id["nagaura_sta"].weight == pytest.approx(3 * 12242 / mean)
    assert by_id["higashi_yokota_sta"].weight == pytest.approx(3 * 100 / mean)
    assert all(a.weight > 0 for a in attractors)


def test_attractor_weight_override() -> None:
    by_id = {a.place_id: a for a in load_attractors(weights={"leisure": 0.0, "rail_station": 1.0})}
    assert by_id["sodegaura_park"].weight == 0.0
    assert by_id["satsukidai_hospital"].weight == DEFAULT_ATTRACTOR_WEIGHTS["hospital"]
    assert by_id["nagaura_sta"].weight == pytest.approx(12242 / ((12242 + 10854 + 358 + 100) / 4))
    with pytest.raises(DemandError, match="leisure"):
        load_attractors(weights={"leisure": -1.0})


def test_missing_town_population(tmp_path: Path) -> None:
    for f in data_dir().iterdir():
        shutil.copy(f, tmp_path / f.name)
    pop = tmp_path / "sodegaura_town_population.csv"
    lines = pop.read_text(encoding="utf-8").splitlines(keepends=True)
    pop.write_text("".join(line for line in lines if not line.startswith("阿部,")), encoding="utf-8")
    with pytest.raises(DemandError, match="sodegaura_town_population.csv.*阿部"):
        load_sodegaura_zones(directory=tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DemandError, match="geolonia_chiba_sodegaura_towns.json"):
        load_sodegaura_zones(directory=tmp_path)
    with pytest.raises(DemandError, match="sodegaura_key_places.csv"):
        load_attractors(directory=tmp_path)
    with pytest.raises(DemandError, match="population_total"):
        load_sodegaura_zones(population_total=0.0)


def test_haversine_known_distance() -> None:
    # one degree of latitude is about 111.2 km
    assert float(haversine_m(35.0, 140.0, 36.0, 140.0)) == pytest.approx(111_195.0, rel=1e-4)
