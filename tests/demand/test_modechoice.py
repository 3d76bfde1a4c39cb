"""Multinomial logit: probabilities against hand-computed values, keyed draws, ranking."""

from __future__ import annotations

import math

import numpy as np

from sim.demand.modechoice import (
    keyed_gumbel,
    logsum,
    probabilities,
    ranking,
    tour_choice,
    utilities,
)


def test_utilities_by_hand() -> None:
    # V = asc + beta * (minutes + fare / vot): walk 0 + -0.1*(20) = -2; car 1 + -0.1*(10 + 400/40) = -1
    v = utilities(
        np.array([0.0, 1.0]),
        np.array([[20.0, 10.0]]),
        np.array([[0.0, 400.0]]),
        np.array([[True, True]]),
        beta_time=-0.1,
        value_of_time_yen_per_min=40.0,
    )
    assert np.allclose(v, [[-2.0, -1.0]])
    v = utilities(
        np.array([0.0, 1.0]),
        np.array([[20.0, 10.0]]),
        np.array([[0.0, 400.0]]),
        np.array([[True, False]]),
        beta_time=-0.1,
        value_of_time_yen_per_min=40.0,
    )
    assert v[0, 0] == -2.0 and v[0, 1] == -np.inf


def test_probabilities_by_hand() -> None:
    p = probabilities(
        np.array([[0.0, math.log(3.0)], [1.0, -np.inf], [-np.inf, -np.inf]])
    )
    assert np.allclose(p[0], [0.25, 0.75])  # e^0 : e^ln3 = 1 : 3
    assert np.allclose(p[1], [1.0, 0.0])  # the only available alternative
    assert np.allclose(p[2], [0.0, 0.0])  # nothing available
    # three alternatives: exp(1), exp(2), exp(3) / sum
    p3 = probabilities(np.array([1.0, 2.0, 3.0]))
    e = np.exp([1.0, 2.0, 3.0])
    assert np.allclose(p3, e / e.sum())
    assert np.isclose(p3[2], 0.6652409557748219)
    assert np.isclose(logsum(np.array([0.0, math.log(3.0)])), math.log(4.0))


def test_simulated_choice_matches_probabilities() -> None:
    n = 200_000
    v = np.tile(np.array([0.0, math.log(3.0), -np.inf]), (n, 1))
    eps = np.column_stack([keyed_gumbel(5, k, n) for k in ("a", "b", "c")])
    first = ranking(v, eps)[:, 0]
    share = np.bincount(first, minlength=3) / n
    se = math.sqrt(0.25 * 0.75 / n)
    assert abs(share[1] - 0.75) < 4 * se and share[2] == 0.0


def test_keyed_draws_depend_only_on_seed_and_key() -> None:
    a = keyed_gumbel(12229, "choisoko", 1000)
    assert np.array_equal(a, keyed_gumbel(12229, "choisoko", 1000))
    assert not np.array_equal(a, keyed_gumbel(12229, "trunk", 1000))
    assert not np.array_equal(a, keyed_gumbel(7, "choisoko", 1000))
    # the first draws do not depend on how many are asked for
    assert np.array_equal(a[:10], keyed_gumbel(12229, "choisoko", 10))


def test_tour_choice_sums_trips_and_ranks_unavailable_last() -> None:
    v_out = np.array([[0.0, -1.0, -np.inf]])
    v_back = np.array([[0.0, 5.0, -np.inf]])
    v, rank = tour_choice(v_out, v_back, 1, ["walk", "car", "x"])
    assert np.allclose(v[0, :2], [0.0, 4.0])
    assert rank[0, -1] == 2
