"""Synthetic population: exact town totals, shares within sampling error; tours."""

from __future__ import annotations

import math

import numpy as np

from sim.demand.population import (
    OLDER_DISTRICTS,
    PopulationParams,
    integerise,
    synthesize,
)
from sim.demand.tours import PURPOSES, TourParams, generate_tours
from sim.demand.zones import load_attractors, load_sodegaura_zones


def test_integerise_by_largest_remainder() -> None:
    assert integerise(np.array([1.5, 1.5, 1.0])).tolist() == [
        2,
        1,
        1,
    ]  # tie to the lower index
    assert integerise(np.array([0.2, 0.3, 2.5])).tolist() == [
        0,
        0,
        3,
    ]  # largest remainder 0.5
    out = integerise(np.array([10.4, 20.4, 30.2]))
    assert out.sum() == 61 and np.all(np.abs(out - [10.4, 20.4, 30.2]) < 1)


def test_population_totals_and_shares() -> None:
    zones = load_sodegaura_zones(population_total=65000)
    params = PopulationParams()
    pop = synthesize(zones, params, np.random.default_rng(3))
    assert pop.size == 65000
    census = np.array([z.population for z in zones])
    counts = np.bincount(pop.town, minlength=len(zones))
    assert np.array_equal(counts, pop.town_totals)
    assert np.all(np.abs(counts - census) < 1.0)
    # age shares: expected from the per-town shares, within 4 standard errors
    expected = (pop.town_age_shares * counts[:, None]).sum(axis=0) / pop.size
    observed = np.bincount(pop.age, minlength=4) / pop.size
    se = np.sqrt(expected * (1 - expected) / pop.size)
    assert np.all(np.abs(observed - expected) < 4 * se)
    # older districts hold 32 % aged 65+
    older = np.array([z.district in OLDER_DISTRICTS for z in zones])[pop.town]
    share_old = (pop.age[older] >= 2).mean()
    assert abs(share_old - 0.32) < 4 * math.sqrt(0.32 * 0.68 / older.sum())
    # licence holding by age band
    for band, rate in enumerate(params.licence_by_age):
        sel = pop.age == band
        assert (
            abs(pop.licence[sel].mean() - rate)
            < 4 * math.sqrt(max(rate * (1 - rate), 1e-12) / sel.sum()) + 1e-12
        )
    assert abs(pop.car.mean() - params.car_share) < 4 * math.sqrt(0.16 / pop.size)
    assert not (pop.lift & ~pop.car).any()


def test_tours_rate_purposes_and_times() -> None:
    zones = load_sodegaura_zones(population_total=65000)
    attractors = load_attractors()
    rng = np.random.default_rng(5)
    pop = synthesize(zones, PopulationParams(), rng)
    tours, places = generate_tours(pop, zones, attractors, TourParams(), rng)
    trips_per_person = 2 * tours.size / pop.size
    assert abs(trips_per_person - 2.18) < 0.03
    # children go to school, nobody under 15 commutes, over-75s rarely
    age = pop.age[tours.person]
    purpose = np.asarray(PURPOSES)[tours.purpose]
    assert not ((age == 0) & (purpose == "work")).any()
    assert ((age == 0) & (purpose == "school")).sum() > 0.5 * (age == 0).sum()
    assert (tours.back_s > tours.out_s).all()
    assert tours.out_s.min() >= 5 * 3600 and tours.out_s.max() <= 21 * 3600
    # elderly trips avoid the morning rush: few 65+ departures before 08:00
    old = age >= 2
    assert (tours.out_s[old & (purpose != "work")] < 8 * 3600).mean() < 0.1
    # doubling the trip rate scale doubles trips (up to one tour per person twice)
    rng = np.random.default_rng(5)
    pop = synthesize(zones, PopulationParams(), rng)
    t2, _ = generate_tours(pop, zones, attractors, TourParams(trip_rate_scale=0.5), rng)
    assert abs(2 * t2.size / pop.size - 1.09) < 0.03
    assert len(places.names) == len(zones) + len(attractors)
