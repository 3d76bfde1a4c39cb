import math

import pytest

from sim.stats import mean_ci


def test_hand_computed_interval():
    # values 1, 2, 3, 4: mean 2.5, s = sqrt(5/3) = 1.290994, t_{0.975,3} = 3.182446
    est = mean_ci([1, 2, 3, 4])
    half = 3.182446305284263 * math.sqrt(5 / 3) / 2
    assert est.n == 4
    assert est.mean == pytest.approx(2.5)
    assert est.low == pytest.approx(2.5 - half, rel=1e-12)
    assert est.high == pytest.approx(2.5 + half, rel=1e-12)


def test_single_value_and_missing_values():
    # one value: the mean, but no interval (not a zero-width one)
    est = mean_ci([None, 7.0, float("nan")])
    assert (est.n, est.mean) == (1, 7.0)
    assert math.isnan(est.low) and math.isnan(est.high) and math.isnan(est.std)
    empty = mean_ci([])
    assert empty.n == 0 and math.isnan(empty.mean)


def test_level_is_checked():
    with pytest.raises(ValueError, match="level"):
        mean_ci([1, 2], level=1.5)


def test_two_equal_values_give_a_zero_width_interval():
    est = mean_ci([3.0, 3.0])
    assert (est.n, est.mean, est.low, est.high, est.std) == (2, 3.0, 3.0, 3.0, 0.0)
